"""Every jitdispatch.ndimage filter against scipy.ndimage, measured in the same run.

Inputs: 2048x2048 float32 and float64, 128^3 float32. Variants: SciPy, jitdispatch on
NumPy (CPU), jitdispatch on a Dask array of two chunks per axis (computed with the
threaded scheduler). Compilation and warm-up happen in ``setup``; CPU calls are
synchronous, so no synchronisation is needed in the timed bodies.
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


def _weights(ndim):
    return np.ones((3,) * ndim) / 3**ndim


# name -> call(module, x): the same arguments for SciPy and jitdispatch
CALLS = {
    "correlate": lambda m, x: m.correlate(x, _weights(x.ndim)),
    "convolve": lambda m, x: m.convolve(x, _weights(x.ndim), mode="constant"),
    "correlate1d": lambda m, x: m.correlate1d(x, [1.0, 2.0, 3.0, 2.0, 1.0], axis=0),
    "convolve1d": lambda m, x: m.convolve1d(x, [1.0, -1.0, 2.0], axis=-1),
    "gaussian_filter": lambda m, x: m.gaussian_filter(x, 2.0),
    "gaussian_filter1d": lambda m, x: m.gaussian_filter1d(x, 2.0, axis=0),
    "uniform_filter": lambda m, x: m.uniform_filter(x, 5),
    "uniform_filter1d": lambda m, x: m.uniform_filter1d(x, 5, axis=0),
    "minimum_filter": lambda m, x: m.minimum_filter(x, size=5),
    "maximum_filter": lambda m, x: m.maximum_filter(x, footprint=np.ones((3,) * x.ndim, bool)),
    "minimum_filter1d": lambda m, x: m.minimum_filter1d(x, 5, axis=0),
    "maximum_filter1d": lambda m, x: m.maximum_filter1d(x, 5),
    "median_filter": lambda m, x: m.median_filter(x, size=3),
    "rank_filter": lambda m, x: m.rank_filter(x, 2, size=3),
    "percentile_filter": lambda m, x: m.percentile_filter(x, 75, size=3),
    "prewitt": lambda m, x: m.prewitt(x, axis=0),
    "sobel": lambda m, x: m.sobel(x, axis=0),
    "laplace": lambda m, x: m.laplace(x),
    "gaussian_laplace": lambda m, x: m.gaussian_laplace(x, 1.5),
    "gaussian_gradient_magnitude": lambda m, x: m.gaussian_gradient_magnitude(x, 1.5),
    "generic_laplace": lambda m, x: m.generic_laplace(x, _d2(m)),
    "generic_gradient_magnitude": lambda m, x: m.generic_gradient_magnitude(x, m.sobel),
    "generic_filter": lambda m, x: m.generic_filter(x, _spread, size=3),
    "generic_filter1d": lambda m, x: m.generic_filter1d(x, _diff1d, 3),
    "vectorized_filter": lambda m, x: m.vectorized_filter(x, _mean, size=3),
}
NO_DASK = {"generic_laplace", "generic_gradient_magnitude", "vectorized_filter"}


def make_input(spec):
    shape, dtype = spec.split("-")
    dims = (128, 128, 128) if shape == "128^3" else (2048, 2048)
    return np.random.default_rng(0).random(dims).astype(dtype)


class _Filters:
    """Shared parameters. One class per variant, so that each ``setup`` prepares only what
    its variant times (asv runs ``setup`` before every benchmark method)."""

    params = (sorted(CALLS), INPUTS)
    param_names = ["function", "input"]
    number = 1
    repeat = (2, 5, 20.0)
    processes = 1
    warmup_time = 0
    timeout = 600

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


class FiltersDask(_Filters):
    """Two chunks per axis (4 or 8 chunks: both cores busy, chunks of 0.25-2 M elements
    as Dask advises, not thousands of tiny tasks), computed with the threaded scheduler."""

    def setup(self, name, spec):
        if name in NO_DASK:
            raise NotImplementedError(f"{name} does not take Dask arrays")
        super().setup(name, spec)
        import dask.array as da

        chunks = tuple(max(1, n // 2) for n in self.x.shape)
        self.dask_x = da.from_array(self.x, chunks=chunks)
        self.call(jndi, self.dask_x).compute(scheduler="threads")  # compile and warm up

    def time_jitdispatch_dask(self, name, spec):
        self.call(jndi, self.dask_x).compute(scheduler="threads")
