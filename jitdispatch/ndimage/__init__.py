"""scipy.ndimage, written once, compiled for where the data lives.

Same names, signatures, defaults, modes, dtype rules and errors as the installed SciPy.
NumPy arrays run on the CPU, CuPy arrays and torch CUDA tensors on their GPU, Dask arrays
lazily chunk by chunk.

Memory: a NumPy result of 1 MiB or more is a view of host memory the module keeps
between calls (``result.base`` is a 1-D uint8 array, ``result.flags.owndata`` is False,
so ``result.resize`` in place raises). When the result is freed its memory serves a
later call instead of going back to the operating system, which would map and zero it
again: up to ``JITDISPATCH_SPARE_BYTES`` (256 MiB) is kept; ``0`` keeps none and gives
NumPy's own arrays, and `jitdispatch.release_memory` gives back what is kept. Memory is
lent again only when nothing refers to it, so a view of a result that outlives the
result keeps its values. On arrays larger than what is kept, filters of several passes
run the later ones in place on their result, a band at a time, and need SciPy's memory
plus a few buffers of 8 MiB.
"""

from ._public import (
    convolve,
    convolve1d,
    correlate,
    correlate1d,
    gaussian_filter,
    gaussian_filter1d,
    gaussian_gradient_magnitude,
    gaussian_laplace,
    generic_filter,
    generic_filter1d,
    generic_gradient_magnitude,
    generic_laplace,
    laplace,
    maximum_filter,
    maximum_filter1d,
    median_filter,
    minimum_filter,
    minimum_filter1d,
    percentile_filter,
    prewitt,
    rank_filter,
    sobel,
    uniform_filter,
    uniform_filter1d,
    vectorized_filter,
)

__all__ = [
    "convolve",
    "convolve1d",
    "correlate",
    "correlate1d",
    "gaussian_filter",
    "gaussian_filter1d",
    "gaussian_gradient_magnitude",
    "gaussian_laplace",
    "generic_filter",
    "generic_filter1d",
    "generic_gradient_magnitude",
    "generic_laplace",
    "laplace",
    "maximum_filter",
    "maximum_filter1d",
    "median_filter",
    "minimum_filter",
    "minimum_filter1d",
    "percentile_filter",
    "prewitt",
    "rank_filter",
    "sobel",
    "uniform_filter",
    "uniform_filter1d",
    "vectorized_filter",
]
