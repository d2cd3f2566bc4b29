"""Rank, minimum/maximum and generic filters on Dask arrays (lazy, chunk by chunk)."""

import numpy as np
import pytest
import scipy.ndimage as ndi

from jitdispatch.ndimage import _rank_filters as rf

da = pytest.importorskip("dask.array", reason="Dask is not installed")

pytestmark = pytest.mark.cpu


def _x(shape, dtype=np.float64):
    return np.random.default_rng(3).integers(0, 50, shape).astype(dtype)


@pytest.mark.parametrize("mode", ["reflect", "mirror", "wrap", "constant", "nearest"])
@pytest.mark.parametrize(
    "name, args, kwargs",
    [
        ("median_filter", (), {"size": 3}),
        ("minimum_filter", (), {"size": (4, 2), "origin": (1, 0)}),
        ("maximum_filter", (), {"footprint": [[1, 0, 1], [0, 1, 0]]}),
        ("rank_filter", (2,), {"size": (5, 2)}),
        ("percentile_filter", (70,), {"size": 3, "origin": -1}),
        ("minimum_filter1d", (5,), {"axis": 0}),
        ("generic_filter", (np.max,), {"size": (2, 3)}),
    ],
)
def test_dask_matches_scipy(name, args, kwargs, mode):
    x = _x((11, 13))
    lazy = da.from_array(x, chunks=(2, 5))  # chunks smaller than some windows
    result = getattr(rf, name)(lazy, *args, mode=mode, cval=9.0, **kwargs)
    assert isinstance(result, da.Array)
    expected = getattr(ndi, name)(x, *args, mode=mode, cval=9.0, **kwargs)
    np.testing.assert_array_equal(result.compute(), expected)


def test_dask_generic_filter1d_and_dtype_output():
    x = _x((9, 12), np.int16)
    lazy = da.from_array(x, chunks=(4, 4))

    def diff(line_in, line_out):
        for i in range(line_out.shape[0]):
            line_out[i] = line_in[i + 2] - line_in[i]

    got = rf.generic_filter1d(lazy, diff, 3, axis=1, mode="wrap").compute()
    np.testing.assert_array_equal(got, ndi.generic_filter1d(x, diff, 3, axis=1, mode="wrap"))
    got = rf.median_filter(lazy, size=3, output=np.float32)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got.compute(), ndi.median_filter(x, size=3, output=np.float32))


def test_dask_rejects_output_array():
    lazy = da.from_array(_x((4, 4)), chunks=2)
    with pytest.raises(TypeError, match="Dask"):
        rf.median_filter(lazy, size=3, output=np.empty((4, 4)))
