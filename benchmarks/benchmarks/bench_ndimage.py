"""Every jitdispatch.ndimage filter against scipy.ndimage, measured in the same run.

Inputs: 2048x2048 float32 and float64, 128^3 float32. Variants: SciPy, jitdispatch on
NumPy (CPU), both again writing into an output array made in ``setup``, and jitdispatch
on a Dask array of two chunks per axis (computed with the threaded scheduler), next to
Dask computing that array unchanged. Compilation and warm-up happen in ``setup``; CPU
calls are synchronous, so no synchronisation is needed in the timed bodies.

Why the ``output=`` variants: a call that returns a new array first touches memory fresh
from the operating system. On a virtual machine that hands freed memory back to its host
(Firecracker's free page reporting, as on the 2-core CI machines), touching 32 MiB of it
took 5 to 50 ms, the same within one process and different between processes. That is
as long as a whole filter of jitdispatch on a 2048x2048 float64 array, so the ratio of
one run then says more about the allocator than about the filter. Timing both libraries
into the same preallocated array measures the filters; the plain variants show what a
caller who allocates sees.
"""

import numpy as np
import scipy.ndimage as sndi

import jitdispatch.ndimage as jndi

INPUTS = ["2048x2048-float32", "2048x2048-float64", "128^3-float32"]


def _spread(values):
    lo = hi = values[0]
    for v in values:
        lo = min(lo, v)
        hi = max(hi, v)
    return hi - lo


def _diff1d(line, out):
    for k in range(out.shape[0]):
        out[k] = line[k + 2] - line[k]


def _mean(window, axis):
    return window.mean(axis=axis)


def _d2(module):
    def d2(inp, axis, output, mode, cval):
        return module.correlate1d(inp, [1.0, -2.0, 1.0], axis, output, mode, cval)

    return d2


def _ramp(n):
    """Asymmetric weights of ``n`` taps summing to 1."""
    w = np.arange(1.0, n + 1.0)
    return w / w.sum()


def _weights(ndim):
    return np.ones((3,) * ndim) / 3**ndim


# name -> call(module, x, **kw): the same arguments for SciPy and jitdispatch (``kw``: an
# ``output`` array or nothing)
CALLS = {
    "correlate": lambda m, x, **kw: m.correlate(x, _weights(x.ndim), **kw),
    "convolve": lambda m, x, **kw: m.convolve(x, _weights(x.ndim), mode="constant", **kw),
    "correlate1d": lambda m, x, **kw: m.correlate1d(x, [1.0, 2.0, 3.0, 2.0, 1.0], axis=0, **kw),
    "convolve1d": lambda m, x, **kw: m.convolve1d(x, [1.0, -1.0, 2.0], axis=-1, **kw),
    "gaussian_filter": lambda m, x, **kw: m.gaussian_filter(x, 2.0, **kw),
    "gaussian_filter1d": lambda m, x, **kw: m.gaussian_filter1d(x, 2.0, axis=0, **kw),
    "uniform_filter": lambda m, x, **kw: m.uniform_filter(x, 5, **kw),
    "uniform_filter1d": lambda m, x, **kw: m.uniform_filter1d(x, 5, axis=0, **kw),
    "minimum_filter": lambda m, x, **kw: m.minimum_filter(x, size=5, **kw),
    "maximum_filter": lambda m, x, **kw: m.maximum_filter(
        x, footprint=np.ones((3,) * x.ndim, bool), **kw
    ),
    "minimum_filter1d": lambda m, x, **kw: m.minimum_filter1d(x, 5, axis=0, **kw),
    "maximum_filter1d": lambda m, x, **kw: m.maximum_filter1d(x, 5, **kw),
    "median_filter": lambda m, x, **kw: m.median_filter(x, size=3, **kw),
    "rank_filter": lambda m, x, **kw: m.rank_filter(x, 2, size=3, **kw),
    "percentile_filter": lambda m, x, **kw: m.percentile_filter(x, 75, size=3, **kw),
    "prewitt": lambda m, x, **kw: m.prewitt(x, axis=0, **kw),
    "sobel": lambda m, x, **kw: m.sobel(x, axis=0, **kw),
    "laplace": lambda m, x, **kw: m.laplace(x, **kw),
    "gaussian_laplace": lambda m, x, **kw: m.gaussian_laplace(x, 1.5, **kw),
    "gaussian_gradient_magnitude": lambda m, x, **kw: m.gaussian_gradient_magnitude(x, 1.5, **kw),
    "generic_laplace": lambda m, x, **kw: m.generic_laplace(x, _d2(m), **kw),
    "generic_gradient_magnitude": lambda m, x, **kw: m.generic_gradient_magnitude(x, m.sobel, **kw),
    "generic_filter": lambda m, x, **kw: m.generic_filter(x, _spread, size=3, **kw),
    "generic_filter1d": lambda m, x, **kw: m.generic_filter1d(x, _diff1d, 3, **kw),
    "vectorized_filter": lambda m, x, **kw: m.vectorized_filter(x, _mean, size=3, **kw),
}
NO_DASK = {"generic_laplace", "generic_gradient_magnitude", "vectorized_filter"}
# the filters the classes of other inputs time: one of each kind of kernel
SIX = ("correlate", "gaussian_filter", "maximum_filter", "median_filter", "sobel", "uniform_filter")


def _some(names):
    """The entries of `CALLS` for ``names``."""
    return {name: CALLS[name] for name in names}


def make_input(spec):
    shape, dtype = spec.split("-")
    dims = (128, 128, 128) if shape == "128^3" else (2048, 2048)
    return np.random.default_rng(0).random(dims).astype(dtype)


class _Timing:
    """How asv times every benchmark here: one call per sample, 2-5 samples."""

    number = 1
    repeat = (2, 5, 20.0)
    processes = 1
    warmup_time = 0
    timeout = 600


class _Filters(_Timing):
    """Shared parameters. One class per variant, so that each ``setup`` prepares only what
    its variant times (asv runs ``setup`` before every benchmark method)."""

    params = (sorted(CALLS), INPUTS)
    param_names = ["function", "input"]

    def setup(self, name, spec):
        if name in ("generic_filter", "generic_filter1d") and spec.startswith("2048"):
            # SciPy calls Python per element: minutes per call at this size
            raise NotImplementedError("SciPy's generic filters are too slow at 2048^2")
        self.x = make_input(spec)
        self.call = CALLS[name]


class FiltersScipy(_Filters):
    def time_scipy(self, name, spec):
        self.call(sndi, self.x)


class FiltersJit(_Filters):
    def setup(self, name, spec):
        super().setup(name, spec)
        self.call(jndi, self.x)  # compile (or load from the disk cache) and warm up

    def time_jitdispatch(self, name, spec):
        self.call(jndi, self.x)


class FiltersScipyInto(_Filters):
    def setup(self, name, spec):
        super().setup(name, spec)
        self.out = np.empty_like(self.x)

    def time_scipy_into(self, name, spec):
        self.call(sndi, self.x, output=self.out)


class FiltersJitInto(_Filters):
    def setup(self, name, spec):
        super().setup(name, spec)
        self.out = np.empty_like(self.x)
        self.call(jndi, self.x, output=self.out)  # compile (or load) and warm up

    def time_jitdispatch_into(self, name, spec):
        self.call(jndi, self.x, output=self.out)


def _dask_input(x):
    import dask.array as da

    return da.from_array(x, chunks=tuple(max(1, n // 2) for n in x.shape))


class DaskUnchanged(_Timing):
    """Dask computing the chunked input of `FiltersDask` unchanged: what a filter on Dask
    costs beyond its work (the tasks, and joining the chunks into one array)."""

    params = (INPUTS,)
    param_names = ["input"]

    def setup(self, spec):
        self.dask_x = _dask_input(make_input(spec))
        self.dask_x.compute(scheduler="threads")

    def time_dask_unchanged(self, spec):
        self.dask_x.compute(scheduler="threads")


class FiltersDask(_Filters):
    """Two chunks per axis (4 or 8 chunks: both cores busy, chunks of 0.25-2 M elements
    as Dask advises, not thousands of tiny tasks), computed with the threaded scheduler."""

    def setup(self, name, spec):
        if name in NO_DASK:
            raise NotImplementedError(f"{name} does not take Dask arrays")
        super().setup(name, spec)
        self.dask_x = _dask_input(self.x)
        self.call(jndi, self.dask_x).compute(scheduler="threads")  # compile and warm up

    def time_jitdispatch_dask(self, name, spec):
        self.call(jndi, self.dask_x).compute(scheduler="threads")


class _SameCalls(_Timing):
    """SciPy and jitdispatch timed in one class on the same calls (``CALLS``: name ->
    call(module, x)) and the same array, which ``make_array(name, spec)`` makes; the
    subclass names its jitdispatch variant's timing method, which calls `timed`."""

    param_names = ["function", "input"]

    def setup(self, name, spec):
        self.x = self.make_array(name, spec)
        self.call = self.CALLS[name]
        self.call(jndi, self.x)  # compile (or load from the disk cache) and warm up

    def time_scipy(self, name, spec):
        self.call(sndi, self.x)

    def timed(self):
        self.call(jndi, self.x)


class FiltersFortranOrder(_SameCalls):
    """Fortran-ordered inputs (as ``x.T`` of a C array, or from Fortran and MATLAB
    files). The kernels read C order, so jitdispatch first copies the input into lent
    memory in tiles (`_support.assign`); the result is C-ordered, as SciPy's. SciPy is
    timed in the same class on the same arrays."""

    CALLS = _some(SIX)
    params = (sorted(CALLS), ["2048x2048-float32", "2048x2048-float64"])

    def make_array(self, name, spec):
        return np.asfortranarray(make_input(spec))

    def time_jitdispatch_fortran(self, name, spec):
        self.timed()


class FiltersSignal(_SameCalls):
    """A 1-D signal of 4M float64 values, where SciPy 1.17's rank filters take their
    own 1-D path (a window kept ordered from one output to the next) and jitdispatch's
    a selection network over lanes of outputs (`line_network`, 5 and 11 points) or a
    sorted window that slides (`line_rank`: 31 points moved by counts over the whole
    window, 301 and 1001 by counts over blocks). SciPy is timed in the same class."""

    CALLS = {
        "gaussian_filter1d": lambda m, x: m.gaussian_filter1d(x, 3.0),
        "maximum_filter1d": lambda m, x: m.maximum_filter1d(x, 21),
        "median_filter-5": lambda m, x: m.median_filter(x, 5),
        "median_filter-31": lambda m, x: m.median_filter(x, 31),
        "median_filter-301": lambda m, x: m.median_filter(x, 301),
        "median_filter-1001": lambda m, x: m.median_filter(x, 1001),
        "percentile_filter-11": lambda m, x: m.percentile_filter(x, 20, size=11),
        "uniform_filter1d": lambda m, x: m.uniform_filter1d(x, 21),
    }
    params = (sorted(CALLS), ["4M-float64"])

    def make_array(self, name, spec):
        return np.random.default_rng(0).random(1 << 22)

    def time_jitdispatch_signal(self, name, spec):
        self.timed()


class FiltersLongWindows(_SameCalls):
    """Windows of tens to hundreds of points, where the edges (the outputs whose
    windows leave the array) are a large share of the work, and windows longer than the
    axis, where every output is an edge (the 512x64 rows); float32, the shape last in
    the name. SciPy is timed in the same class."""

    CALLS = {
        "gaussian_filter-sigma20-1024x1024": lambda m, x: m.gaussian_filter(x, 20.0),
        "correlate1d-201-last-axis-1024x1024": lambda m, x: m.correlate1d(x, _ramp(201), axis=-1),
        "uniform_filter-101-1024x1024": lambda m, x: m.uniform_filter(x, 101),
        "maximum_filter-101-1024x1024": lambda m, x: m.maximum_filter(x, 101),
        "minimum_filter1d-301-last-axis-1024x1024": lambda m, x: m.minimum_filter1d(x, 301),
        "minimum_filter1d-301-axis0-1024x1024": lambda m, x: m.minimum_filter1d(x, 301, axis=0),
        "median_filter-1x201-1024x1024": lambda m, x: m.median_filter(x, (1, 201)),
        "gaussian_filter1d-sigma50-512x64": lambda m, x: m.gaussian_filter1d(x, 50.0),
        "maximum_filter1d-301-512x64": lambda m, x: m.maximum_filter1d(x, 301),
    }
    params = (sorted(CALLS), ["float32"])

    def make_array(self, name, spec):
        shape = tuple(int(n) for n in name.rpartition("-")[2].split("x"))
        return np.random.default_rng(0).random(shape, dtype=np.float32)

    def time_jitdispatch_long(self, name, spec):
        self.timed()


class FiltersSmall(_SameCalls):
    """Small and medium images (64x64 to 512x64 float32), where a call's fixed cost
    (argument checks, dispatch, starting the threads: 10-30 microseconds) is much of its
    time, and SciPy's own calls take tens of microseconds; ``uniform_filter1d`` also along
    the last axis with a window half as long as the 64-long rows. SciPy is timed in the
    same class, 50 calls a sample."""

    number = 50
    CALLS = _some(SIX + ("uniform_filter1d",))
    CALLS["uniform_filter1d-31-last-axis"] = lambda m, x: m.uniform_filter1d(x, 31)
    params = (sorted(CALLS), ["64x64-float32", "256x256-float32", "512x64-float32"])

    def make_array(self, name, spec):
        shape = tuple(int(n) for n in spec.split("-")[0].split("x"))
        return np.random.default_rng(0).random(shape, dtype=np.float32)

    def time_jitdispatch_small(self, name, spec):
        self.timed()


class FiltersBeyondKept(_Timing):
    """Multi-pass filters on arrays larger than the memory jitdispatch keeps: the later
    passes run in place on the result, a band at a time, instead of through a spare
    array (SciPy's peak memory). The limit is lowered to 8 MiB and the band to 1 MiB
    here, as if the inputs were beyond the default 256 MiB with its 8 MiB bands (which
    the pool keeps). SciPy is timed in the same class on the same calls;
    ``sobel-last-axis`` runs its in-place pass along the leading axis (rolling bands)."""

    CALLS = {
        **{
            name: CALLS[name]
            for name in (
                "gaussian_filter",
                "gaussian_gradient_magnitude",
                "gaussian_laplace",
                "minimum_filter",
                "sobel",
                "uniform_filter",
            )
        },
        "sobel-last-axis": lambda m, x, **kw: m.sobel(x, axis=-1, **kw),
    }
    params = (sorted(CALLS), ["2048x2048-float32", "2048x2048-float64"])
    param_names = ["function", "input"]
    LIMIT, BAND = 8 << 20, 1 << 20

    def setup(self, name, spec):
        from jitdispatch.ndimage import _support

        self.x = make_input(spec)
        self.call = self.CALLS[name]
        self.kept = _support.SPARES._limit, _support.BAND_BYTES
        _support.SPARES._limit, _support.BAND_BYTES = self.LIMIT, self.BAND
        self.call(jndi, self.x)  # compile and warm up; the bands are kept

    def teardown(self, name, spec):
        from jitdispatch.ndimage import _support

        _support.SPARES._limit, _support.BAND_BYTES = self.kept

    def time_scipy(self, name, spec):
        self.call(sndi, self.x)

    def time_jitdispatch_beyond(self, name, spec):
        self.call(jndi, self.x)
