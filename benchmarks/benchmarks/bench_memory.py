"""Host memory a filter call takes beyond its input, jitdispatch against SciPy.

``track_peak_*``: the most memory NumPy had allocated at once during one call, above
what it held before (``tracemalloc``, which NumPy reports its array data to), in MiB:
the result and any intermediate arrays. jitdispatch's first call in a process (nothing
kept yet) and a later call (its result and spare arrays come from memory kept after the
earlier calls freed theirs: ``JITDISPATCH_SPARE_BYTES``) are measured apart.
``track_peak_jitdispatch_beyond``: a call on an array larger than the memory
jitdispatch keeps (the limit lowered to 16 MiB for it), where multi-pass filters run
their later passes in place, a band at a time, rather than through a spare array.
``track_kept_jitdispatch``: the memory jitdispatch keeps after three calls whose results
were freed (MiB); SciPy keeps none. Kernels are compiled in ``setup`` on a small array,
which keeps nothing (under 1 MiB).
"""

import tracemalloc

import scipy.ndimage as sndi

import jitdispatch.ndimage as jndi
from jitdispatch.ndimage import _support

from .bench_ndimage import CALLS, make_input

BEYOND = 16 << 20  # a kept-memory limit below the 32 MiB input

FUNCTIONS = [
    "correlate",
    "gaussian_filter",
    "gaussian_gradient_magnitude",
    "median_filter",
    "sobel",
    "uniform_filter",
]


def _peak(call):
    """MiB allocated at most during ``call()`` above what was allocated before."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = call()
        peak = tracemalloc.get_traced_memory()[1]
        del result
    finally:
        tracemalloc.stop()
    return (peak - before) / 2**20


class Memory:
    params = (FUNCTIONS, ["2048x2048-float64"])
    param_names = ["function", "input"]
    unit = "MiB"
    processes = 1
    timeout = 300

    def setup(self, name, spec):
        self.x = make_input(spec)
        self.call = CALLS[name]
        self.call(jndi, self.x[:64, :64].copy())  # compile; keeps nothing
        _support.SPARES.clear()

    def track_peak_scipy(self, name, spec):
        return _peak(lambda: self.call(sndi, self.x))

    def track_peak_jitdispatch_first(self, name, spec):
        return _peak(lambda: self.call(jndi, self.x))

    def track_peak_jitdispatch_later(self, name, spec):
        for _ in range(2):
            self.call(jndi, self.x)  # results freed at once: their memory is kept
        return _peak(lambda: self.call(jndi, self.x))

    def track_peak_jitdispatch_beyond(self, name, spec):
        limit = _support.SPARES._limit
        _support.SPARES._limit = BEYOND
        try:
            self.call(jndi, self.x)  # the bands are kept, as in any later call
            return _peak(lambda: self.call(jndi, self.x))
        finally:
            _support.SPARES._limit = limit
            _support.SPARES.clear()

    def track_kept_jitdispatch(self, name, spec):
        for _ in range(3):
            self.call(jndi, self.x)
        return _support.SPARES.kept_bytes() / 2**20
