"""jitdispatch: kernels written once in Python, compiled by Numba for where the data is.

The target (CPU or CUDA) is chosen at call time from the arguments; see
``docs/dispatch.rst``. Importing this package imports neither Numba's CUDA support, CuPy,
torch nor Dask.
"""

from ._api import asarray, elementwise, empty, explain, func, kernel, lanes
from ._backends import Backend, BackendError, backend, register_backend, set_backend
from ._config import release_memory, set_trace
from ._dispatch import use_target
from ._explain import Explanation
from ._kernel import fmax, fmin, local, per_target
from ._patch import patch
from ._targets.cpu import serial
from .errors import (
    CacheWarning,
    DeviceMismatchError,
    JitDispatchError,
    LaunchError,
    TargetUnavailableError,
    UnsupportedArgumentError,
)

__version__ = "0.1.0"

__all__ = [
    "Backend",
    "BackendError",
    "CacheWarning",
    "DeviceMismatchError",
    "Explanation",
    "JitDispatchError",
    "LaunchError",
    "TargetUnavailableError",
    "UnsupportedArgumentError",
    "__version__",
    "asarray",
    "backend",
    "elementwise",
    "empty",
    "explain",
    "fmax",
    "fmin",
    "func",
    "kernel",
    "lanes",
    "local",
    "patch",
    "per_target",
    "register_backend",
    "release_memory",
    "serial",
    "set_backend",
    "set_trace",
    "use_target",
]
