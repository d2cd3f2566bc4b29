"""One representative call per public ndimage function, shared by the registry-driven tests."""

import numpy as np


def _spread(values):
    lo = hi = values[0]
    for v in values:
        lo = min(lo, v)
        hi = max(hi, v)
    return hi - lo


def _diff1d(line, out):
    # filter_size 3: the line carries one extra value on each side
    for k in range(out.shape[0]):
        out[k] = line[k + 2] - line[k]


def _mean_axes(window, axis):
    return window.mean(axis=axis)


SAMPLES = {
    "correlate": lambda x: ((x, np.arange(1.0, 10.0).reshape(3, 3) / 45), {"mode": "reflect"}),
    "convolve": lambda x: ((x, np.arange(1.0, 10.0).reshape(3, 3) / 45), {"mode": "constant"}),
    "correlate1d": lambda x: ((x, [1.0, 2.0, -1.0]), {"axis": 0, "mode": "wrap"}),
    "convolve1d": lambda x: ((x, [1.0, 2.0, -1.0]), {"mode": "mirror"}),
    "gaussian_filter": lambda x: ((x, 1.5), {}),
    "gaussian_filter1d": lambda x: ((x, 1.0), {"order": 1}),
    "uniform_filter": lambda x: ((x, 3), {"mode": "nearest"}),
    "uniform_filter1d": lambda x: ((x, 4), {}),
    "minimum_filter": lambda x: ((x,), {"size": 3}),
    "maximum_filter": lambda x: ((x,), {"footprint": np.eye(3, dtype=bool)}),
    "minimum_filter1d": lambda x: ((x, 3), {}),
    "maximum_filter1d": lambda x: ((x, 3), {"mode": "constant", "cval": 0.5}),
    "median_filter": lambda x: ((x,), {"size": 3}),
    "rank_filter": lambda x: ((x, 1), {"size": 3}),
    "percentile_filter": lambda x: ((x, 70), {"size": 3}),
    "prewitt": lambda x: ((x,), {}),
    "sobel": lambda x: ((x,), {"axis": 0}),
    "laplace": lambda x: ((x,), {}),
    "gaussian_laplace": lambda x: ((x, 1.0), {}),
    "gaussian_gradient_magnitude": lambda x: ((x, 1.0), {}),
    "generic_laplace": None,  # filled below: needs a derivative function of the same module
    "generic_gradient_magnitude": None,
    "generic_filter": lambda x: ((x, _spread), {"size": 3}),
    "generic_filter1d": lambda x: ((x, _diff1d, 3), {}),
    "vectorized_filter": lambda x: ((x, _mean_axes), {"size": 3}),
}


def sample_call(module, name, x):
    """(args, kwargs) of the sample call of ``name`` from ``module`` on ``x``."""
    if name in ("generic_laplace", "generic_gradient_magnitude"):
        derivative = module.correlate1d if name == "generic_laplace" else module.sobel

        if name == "generic_laplace":

            def d2(inp, axis, output, mode, cval):
                return derivative(inp, [1.0, -2.0, 1.0], axis, output, mode, cval)

            return (x, d2), {}
        return (x, derivative), {}
    return SAMPLES[name](x)
