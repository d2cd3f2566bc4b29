"""Passes in place on arrays too large for the kept memory, against scipy.ndimage.

Above ``JITDISPATCH_SPARE_BYTES`` a multi-pass filter runs its later passes in place on
its result, a band at a time, instead of alternating with a second array of its size
(`_support.pass_in_place`). Here the limit is 0 and the bands a few hundred bytes, so
small arrays take those paths with many bands; each case equals SciPy, and each of the
three ways of cutting bands is seen to run.
"""

import tracemalloc
import warnings

import numpy as np
import pytest

import jitdispatch.ndimage as jn
from jitdispatch.ndimage import _rank_filters, _support

ndi = pytest.importorskip("scipy.ndimage")

pytestmark = pytest.mark.cpu

BAND = 1200  # bytes: a few rows of these arrays per band


@pytest.fixture
def banded(monkeypatch):
    """Nothing kept, tiny bands; returns the list of band functions that ran."""
    ran = []
    monkeypatch.setattr(_support.SPARES, "_limit", 0)
    monkeypatch.setattr(_support, "BAND_BYTES", BAND)
    for name in ("_rolling_bands", "_independent_bands"):
        original = getattr(_support, name)

        def spy(array, *args, _name=name, _original=original):
            ran.append((_name, args[0]) if _name == "_independent_bands" else (_name, None))
            return _original(array, *args)

        monkeypatch.setattr(_support, name, spy)
    return ran


def data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(0, 200, size=shape).astype(dtype)
    return (rng.normal(size=shape) * 10).astype(dtype)


def assert_same(ours, ref):
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    if ref.dtype.kind in "biu":
        np.testing.assert_array_equal(ours, ref)
        return
    scale = max(float(np.abs(ref).max(initial=0.0)), 1.0)
    tolerance = 1e-5 if ref.dtype == np.float32 else 1e-12
    assert float(np.abs(ours - ref).max(initial=0.0)) <= tolerance * scale


def both(name, x, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = getattr(ndi, name)(x.copy(), *args, **kwargs)
        ours = getattr(jn, name)(x.copy(), *args, **kwargs)
    assert_same(ours, ref)
    return ours


ROWS, COLUMNS = ("_rolling_bands", None), ("_independent_bands", 2)
LEADING = ("_independent_bands", 0)

# name, args, kwargs, shape, dtype, the ways of cutting bands that must run
CASES = [
    ("gaussian_filter", (1.5,), {}, (37, 29), np.float64, {LEADING}),
    ("gaussian_filter", (1.0,), {"axes": (1, 0)}, (37, 29), np.float64, {ROWS}),
    # 'wrap': the first and last bands read the other end's rows
    ("gaussian_filter", (1.0,), {"axes": (1, 0), "mode": "wrap"}, (37, 29), np.float64, {ROWS}),
    ("sobel", (), {"axis": -1, "mode": "grid-wrap"}, (37, 29), np.float32, {ROWS}),
    # a reach longer than half the leading axis: no two bands fit, cut across columns
    ("gaussian_filter", (6.0,), {"axes": (1, 0)}, (37, 29), np.float64, {COLUMNS}),
    ("gaussian_filter", (1.2,), {"order": (0, 1, 2), "mode": ["mirror", "nearest", "constant"]},
     (9, 11, 13), np.float32, {LEADING}),
    ("gaussian_filter", (0.8,), {"axes": (2, 0, 1), "mode": "mirror"}, (20, 5, 6), np.float64,
     {ROWS, LEADING}),
    ("uniform_filter", (4,), {"origin": (1, -1, 0)}, (9, 11, 13), np.int16, {LEADING}),
    # running sums never restart within a line: whole lines, cut across columns
    ("uniform_filter", (3,), {"axes": (-1, 0), "output": np.float32}, (37, 29), np.uint8,
     {COLUMNS}),
    ("uniform_filter", (5,), {"axes": (1, 0), "origin": (0, 2), "mode": "nearest"}, (37, 29),
     np.float64, {COLUMNS}),
    # a slab larger than a band behind a leading axis of 1 or 3: cut on its own
    ("gaussian_filter", (1.0,), {}, (1, 40, 30), np.float64, {ROWS, LEADING}),
    ("maximum_filter", (3,), {}, (3, 20, 30), np.float32, {ROWS}),
    ("sobel", (), {}, (37, 29), np.float64, {ROWS}),
    ("sobel", (), {"mode": "constant", "cval": 3.5}, (37, 29), np.int32, {ROWS}),
    ("sobel", (), {"mode": "reflect"}, (41, 37), np.uint8, {ROWS}),
    ("prewitt", (), {"axis": 0, "mode": "mirror"}, (9, 11, 13), np.float32, {LEADING}),
    ("prewitt", (), {"mode": "wrap"}, (9, 11, 13), np.float64, {COLUMNS, LEADING}),
    ("minimum_filter", (5,), {}, (9, 11, 13), np.float64, {LEADING}),
    ("maximum_filter", (3,), {"axes": (1, 0), "origin": (-1, 1)}, (37, 29), np.int16, {ROWS}),
    ("maximum_filter", (4,), {"mode": "constant", "cval": 9.75, "output": np.float64}, (37, 29),
     np.uint8, {LEADING}),
    ("maximum_filter", (3,), {"axes": (1, 0), "mode": "wrap"}, (37, 29), np.float32, {ROWS}),
    ("maximum_filter", (4,), {"axes": (1, 0), "mode": "wrap", "origin": (0, -2)}, (37, 29),
     np.float64, {ROWS}),
    ("gaussian_laplace", (1.0,), {}, (9, 11, 13), np.float64, {LEADING}),
    ("gaussian_laplace", (1.0,), {"mode": "nearest"}, (9, 11, 13), np.int16, {LEADING}),
    ("gaussian_gradient_magnitude", (0.9,), {}, (9, 11, 13), np.float32, {LEADING}),
]


@pytest.mark.parametrize(("name", "args", "kwargs", "shape", "dtype", "ways"), CASES)
def test_passes_in_place_equal_scipy(banded, name, args, kwargs, shape, dtype, ways):
    both(name, data(shape, dtype), *args, **kwargs)
    assert ways <= {way for way in banded}, banded


@pytest.mark.parametrize("mode", ["reflect", "wrap", "constant"])
@pytest.mark.parametrize(
    ("name", "args", "kwargs", "shape"),
    [
        ("gaussian_filter", (1.3,), {}, (37, 29)),
        ("uniform_filter", (4,), {"axes": (1, 0)}, (37, 29)),
        ("correlate1d", ([1.0, -2.0, 3.0, 0.5],), {"axis": 0, "origin": 1}, (37, 29)),
        ("gaussian_filter1d", (2.0,), {}, (301,)),
    ],
)
def test_output_that_is_the_input_is_filtered_in_place(banded, mode, name, args, kwargs, shape):
    x = data(shape, np.float64)
    ref = getattr(ndi, name)(x, *args, mode=mode, **kwargs)
    out = x.copy()
    got = getattr(jn, name)(out, *args, output=out, mode=mode, **kwargs)
    assert got is out
    assert_same(out, ref)
    assert banded  # every pass ran in place, a band at a time


def test_running_sums_in_place_carry_inf_and_nan_along_whole_lines(banded):
    """SciPy's running sum never recovers once an inf has entered it (inf - inf is NaN);
    a pass in place must not restart it at a band's edge."""
    x = np.zeros((90, 31))
    x[3, 7], x[50, 2] = np.inf, np.nan
    for kwargs in ({"axes": (1, 0)}, {"axes": (1, 0), "mode": "constant"}):
        ref = ndi.uniform_filter(x, 3, **kwargs)
        ours = jn.uniform_filter(x, 3, **kwargs)
        np.testing.assert_array_equal(ours, ref)  # NaN where SciPy has NaN
        assert np.isnan(ref[80, 7])
    y = np.zeros(4001)
    y[5] = np.inf
    out = y.copy()
    jn.uniform_filter1d(out, 3, output=out)
    np.testing.assert_array_equal(out, ndi.uniform_filter1d(y, 3))


def test_arrays_within_the_kept_memory_alternate_with_a_spare(monkeypatch):
    ran = []
    monkeypatch.setattr(_support, "pass_in_place", lambda *a: ran.append(a))
    monkeypatch.setattr(_rank_filters, "pass_in_place", lambda *a: ran.append(a))
    x = data((37, 29), np.float64)
    both("gaussian_filter", x, 1.0)
    both("maximum_filter", x, 3)
    assert ran == []


def peak_bytes(function):
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("shape", [(512, 512), (1, 512, 512), (3, 256, 384), (2, 1, 262144)])
@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: m.gaussian_filter(x, 2.0),
        lambda m, x: m.sobel(x, axis=-1),
        lambda m, x: m.maximum_filter(x, 5),
        lambda m, x: m.uniform_filter(x, 5, axes=(-1, 0)),
        lambda m, x: m.gaussian_filter(x, 1.0, mode="wrap"),
    ],
    ids=["gaussian_filter", "sobel", "maximum_filter", "uniform_filter", "wrap"],
)
def test_peak_memory_is_the_result_and_bands(monkeypatch, call, shape):
    """A 2 MiB float64 array, nothing kept, bands of 64 KiB: the call needs its result,
    a few bands and the minimum/maximum kernel's small scratch (a spare array would
    double it), as SciPy needs its result and its line buffers; also with a leading axis
    too short to cut (each slab is then cut on its own), along which the minimum/maximum
    pass, shorter than its window, takes no scratch."""
    monkeypatch.setattr(_support.SPARES, "_limit", 0)
    monkeypatch.setattr(_support, "BAND_BYTES", 64 << 10)
    x = data(shape, np.float64)
    ref = call(ndi, x)
    call(jn, x)  # compiled before measuring
    ours = peak_bytes(lambda: call(jn, x))
    assert ours <= 1.25 * x.nbytes, ours
    assert_same(call(jn, x), ref)
