"""The public functions: jitdispatch's implementations behind the backend switch.

Each is registered in the support registry (which writes its "Supported inputs" docstring
section) and chooses a backend per call (``jit`` by default; see ``jd.backend``).
"""

import functools
import inspect

import numpy as np

from .. import _registry
from .._backends import dispatchable
from . import _filters, _rank_filters
from ._dask import is_dask_array


def _non_native(value):
    """Whether ``value`` is an array (NumPy, Dask) or dtype in the other byte order
    ('>f8' on little-endian machines)."""
    if isinstance(getattr(value, "dtype", None), np.dtype):
        return not value.dtype.isnative
    if isinstance(value, np.dtype):
        return not value.isnative
    if isinstance(value, str) and value[:1] in (">", "<", "!"):
        try:
            return not np.dtype(value).isnative
        except TypeError:
            return False
    return False


_PLAIN = frozenset({int, float, bool, type(None), tuple, list})  # never in another order


def _all_native(values):
    """Whether no value is an array or dtype in the other byte order: a scan of types
    first, as it runs on every call (under 0.5 us for a usual one)."""
    for value in values:
        kind = type(value)
        if kind in _PLAIN or (kind is np.ndarray and value.dtype.isnative):
            continue
        if kind is str and value[:1] not in (">", "<", "!"):
            continue
        if _non_native(value):
            return False
    return True


def _native_byte_order(impl):
    """``impl`` taking arrays and output dtypes in the other byte order, as SciPy does.

    The kernels read and write native numbers only. An input in the other byte order
    is filtered from a native copy (Dask: a lazy one); an output dtype in it gives the
    native result converted to it, and an output array in it receives the native
    result at the end. Native arguments, the usual case, pass straight through.
    """
    signature = inspect.signature(impl)

    @functools.wraps(impl)
    def native(*args, **kwargs):
        if _all_native(args) and _all_native(kwargs.values()):
            return impl(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        input = bound.arguments["input"]
        if (isinstance(input, np.ndarray) or is_dask_array(input)) and _non_native(input):
            bound.arguments["input"] = input.astype(input.dtype.newbyteorder("="))
        output = bound.arguments.get("output")
        if not _non_native(output):
            return impl(*bound.args, **bound.kwargs)
        native_dtype = np.dtype(getattr(output, "dtype", output)).newbyteorder("=")
        bound.arguments["output"] = native_dtype
        result = impl(*bound.args, **bound.kwargs)
        if isinstance(output, np.ndarray):
            output[...] = result
            return output
        return result.astype(np.dtype(output))

    return native


_N = _registry.NATIVE
# How far a user's derivative function reads is unknown, so no overlap can be chosen.
_IN_MEMORY = {"numpy": _N, "cupy": _N, "torch": _N}

_SCIPY = "scipy.ndimage"


def _public(impl, jit=None):
    public = dispatchable(_SCIPY, _native_byte_order(impl), jit=jit)
    # Named where users import it, so that pickle (multiprocessing, concurrent.futures)
    # finds this very function by reference, as it does SciPy's.
    public.__module__ = __package__
    public.__qualname__ = public.__name__
    return public


convolve = _public(_filters.convolve)
convolve1d = _public(_filters.convolve1d)
correlate = _public(_filters.correlate)
correlate1d = _public(_filters.correlate1d)
gaussian_filter = _public(_filters.gaussian_filter)
gaussian_filter1d = _public(_filters.gaussian_filter1d)
gaussian_gradient_magnitude = _public(_filters.gaussian_gradient_magnitude)
gaussian_laplace = _public(_filters.gaussian_laplace)
generic_gradient_magnitude = _public(_filters.generic_gradient_magnitude, jit=_IN_MEMORY)
generic_laplace = _public(_filters.generic_laplace, jit=_IN_MEMORY)
laplace = _public(_filters.laplace)
prewitt = _public(_filters.prewitt)
sobel = _public(_filters.sobel)
uniform_filter = _public(_filters.uniform_filter)
uniform_filter1d = _public(_filters.uniform_filter1d)
generic_filter = _public(_rank_filters.generic_filter)
generic_filter1d = _public(_rank_filters.generic_filter1d)
maximum_filter = _public(_rank_filters.maximum_filter)
maximum_filter1d = _public(_rank_filters.maximum_filter1d)
median_filter = _public(_rank_filters.median_filter)
minimum_filter = _public(_rank_filters.minimum_filter)
minimum_filter1d = _public(_rank_filters.minimum_filter1d)
percentile_filter = _public(_rank_filters.percentile_filter)
rank_filter = _public(_rank_filters.rank_filter)
# Pads and calls the user's vectorised function on sliding windows (NumPy or CuPy).
vectorized_filter = _public(_rank_filters.vectorized_filter, jit={"numpy": _N, "cupy": _N})
