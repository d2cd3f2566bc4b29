"""The public functions: jitdispatch's implementations behind the backend switch.

Each is registered in the support registry (which writes its "Supported inputs" docstring
section) and chooses a backend per call (``jit`` by default; see ``jd.backend``).
"""

from .. import _registry
from .._backends import dispatchable
from . import _filters, _rank_filters

_N = _registry.NATIVE
# How far a user's derivative function reads is unknown, so no overlap can be chosen.
_IN_MEMORY = {"numpy": _N, "cupy": _N, "torch": _N}

_SCIPY = "scipy.ndimage"

convolve = dispatchable(_SCIPY, _filters.convolve)
convolve1d = dispatchable(_SCIPY, _filters.convolve1d)
correlate = dispatchable(_SCIPY, _filters.correlate)
correlate1d = dispatchable(_SCIPY, _filters.correlate1d)
gaussian_filter = dispatchable(_SCIPY, _filters.gaussian_filter)
gaussian_filter1d = dispatchable(_SCIPY, _filters.gaussian_filter1d)
gaussian_gradient_magnitude = dispatchable(_SCIPY, _filters.gaussian_gradient_magnitude)
gaussian_laplace = dispatchable(_SCIPY, _filters.gaussian_laplace)
generic_gradient_magnitude = dispatchable(
    _SCIPY, _filters.generic_gradient_magnitude, jit=_IN_MEMORY
)
generic_laplace = dispatchable(_SCIPY, _filters.generic_laplace, jit=_IN_MEMORY)
laplace = dispatchable(_SCIPY, _filters.laplace)
prewitt = dispatchable(_SCIPY, _filters.prewitt)
sobel = dispatchable(_SCIPY, _filters.sobel)
uniform_filter = dispatchable(_SCIPY, _filters.uniform_filter)
uniform_filter1d = dispatchable(_SCIPY, _filters.uniform_filter1d)
generic_filter = dispatchable(_SCIPY, _rank_filters.generic_filter)
generic_filter1d = dispatchable(_SCIPY, _rank_filters.generic_filter1d)
maximum_filter = dispatchable(_SCIPY, _rank_filters.maximum_filter)
maximum_filter1d = dispatchable(_SCIPY, _rank_filters.maximum_filter1d)
median_filter = dispatchable(_SCIPY, _rank_filters.median_filter)
minimum_filter = dispatchable(_SCIPY, _rank_filters.minimum_filter)
minimum_filter1d = dispatchable(_SCIPY, _rank_filters.minimum_filter1d)
percentile_filter = dispatchable(_SCIPY, _rank_filters.percentile_filter)
rank_filter = dispatchable(_SCIPY, _rank_filters.rank_filter)
# Pads and calls the user's vectorised function on sliding windows (NumPy or CuPy).
vectorized_filter = dispatchable(
    _SCIPY, _rank_filters.vectorized_filter, jit={"numpy": _N, "cupy": _N}
)
