"""scipy.ndimage, written once, compiled for where the data lives.

Same names, signatures, defaults, modes, dtype rules and errors as the installed SciPy.
NumPy arrays run on the CPU, CuPy arrays and torch CUDA tensors on their GPU, Dask arrays
lazily chunk by chunk.
"""

# -- correlation family (jitdispatch/ndimage/_filters.py) --
# -- rank and generic family (jitdispatch/ndimage/_rank_filters.py) --

__all__ = []
