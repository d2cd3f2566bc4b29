"""Rank, minimum/maximum and generic filters against scipy.ndimage (CPU target).

These filters select values, so results must be equal, not close. Dtypes are the
compiled specialisations: each test varies modes, sizes, origins and shapes (run-time
arguments) freely but keeps the dtype list short.
"""

import functools

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings
from hypothesis import strategies as st

import jitdispatch as jd
from jitdispatch import ndimage as jnd
from jitdispatch.ndimage import _rank_filters as rf

pytestmark = pytest.mark.cpu

MODES = ["reflect", "constant", "nearest", "mirror", "wrap",
         "grid-constant", "grid-mirror", "grid-wrap"]
DTYPES = [np.uint8, np.int16, np.int32, np.int64, np.float32, np.float64]


def _data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 100, shape).astype(dtype)


def _same(name, x, *args, **kwargs):
    expected = getattr(ndi, name)(x, *args, **kwargs)
    got = getattr(rf, name)(x, *args, **kwargs)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
    return got


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_every_function_every_mode(dtype, mode):
    x2 = _data((6, 9), dtype)
    x3 = _data((4, 5, 3), dtype, 1)
    fp = np.array([[1, 0, 1], [0, 1, 1]], bool)
    kw = {"mode": mode, "cval": 7}
    _same("minimum_filter", x2, size=3, **kw)
    _same("maximum_filter", x3, size=(2, 3, 1), origin=(0, 1, 0), **kw)
    _same("minimum_filter", x2, footprint=fp, **kw)
    _same("maximum_filter", x2, footprint=fp, origin=(-1, 1), **kw)
    _same("minimum_filter1d", x2, 4, axis=0, origin=-1, **kw)
    _same("maximum_filter1d", x3, 3, axis=1, origin=1, **kw)
    _same("median_filter", x2, size=3, **kw)
    _same("median_filter", x3, size=(3, 2, 2), origin=(1, 0, -1), **kw)
    _same("rank_filter", x2, 2, footprint=fp, **kw)
    _same("rank_filter", x3, -2, size=3, **kw)
    _same("percentile_filter", x2, 30, size=(2, 5), **kw)
    _same("percentile_filter", x2, -25, footprint=fp, origin=(0, -1), **kw)


@pytest.mark.parametrize("dtype", [np.uint8, np.float64])
@pytest.mark.parametrize("ndim", [1, 2, 3, 4])
@pytest.mark.parametrize("mode", ["reflect", "mirror", "wrap", "constant", "nearest"])
def test_windows_larger_than_input_and_unit_axes(dtype, ndim, mode):
    shape = [(5,), (3, 1), (1, 4, 2), (2, 1, 3, 2)][ndim - 1]
    x = _data(shape, dtype, ndim)
    kw = {"mode": mode, "cval": 3}
    _same("median_filter", x, size=7, **kw)
    _same("minimum_filter", x, size=6, **kw)
    _same("rank_filter", x, 1, size=4, **kw)
    _same("percentile_filter", x, 80, size=(9,) + (2,) * (ndim - 1), **kw)


@pytest.mark.parametrize("mode", ["reflect", "grid-mirror"])
def test_windows_reaching_four_lengths_reflect_on(mode):
    # SciPy 1.17's N-D windows read memory outside the input 4, 6, 8... lengths below an
    # axis's start in these modes (undefined results): here the reflection repeats, as
    # np.pad's 'symmetric' does; compared with sorted windows of the padded array
    x = _data((2, 5), np.float64, 4) + np.arange(5) / 8  # no ties
    size, origin = 47, 3  # reaches 26 = 5.2 lengths below, 20 above
    lo = size // 2 + origin
    padded = np.pad(x, ((0, 0), (lo, size - 1 - lo)), mode="symmetric")
    windows = np.sort(np.lib.stride_tricks.sliding_window_view(padded, size, axis=1), -1)
    kw = {"mode": mode, "origin": (0, origin)}
    np.testing.assert_array_equal(rf.median_filter(x, size=(1, size), **kw), windows[..., 23])
    np.testing.assert_array_equal(rf.rank_filter(x, 5, size=(1, size), **kw), windows[..., 5])
    footprint = np.ones((1, size), bool)
    footprint[0, 1::2] = False  # the even offsets only: an N-D window, not separable
    got = rf.maximum_filter(x, footprint=footprint, **kw)
    np.testing.assert_array_equal(got, padded_max(padded, footprint[0], x.shape[1]))
    got = rf.generic_filter(x, np.min, footprint=footprint, **kw)
    np.testing.assert_array_equal(got, -padded_max(-padded, footprint[0], x.shape[1]))


def padded_max(padded, taps, n):
    """Maxima over the taps of windows sliding along the last axis of a padded array."""
    return np.stack([padded[:, i : i + taps.size][:, taps].max(axis=1) for i in range(n)], 1)


@pytest.mark.parametrize("dtype", [np.int32, np.float32])
def test_1d_rank_path_uses_whole_window(dtype):
    # SciPy 1.17's 1-D rank path ignores the footprint's False entries
    x = _data(40, dtype)
    _same("median_filter", x, footprint=[1, 0, 1, 1, 0])
    _same("rank_filter", x, 1, footprint=[1, 0, 1], mode="wrap", origin=1)
    _same("median_filter", x, size=60, mode="mirror")


@pytest.mark.parametrize("dtype", [np.float64, np.int16])
def test_axes_mode_sequences_and_origins(dtype):
    x = _data((5, 6, 7), dtype)
    _same("minimum_filter", x, size=(3, 2), axes=(0, 2), mode=["wrap", "nearest"],
          origin=[1, 0])
    _same("maximum_filter", x, size=3, axes=(-1,), mode=["mirror"])
    _same("median_filter", x, size=(3, 4), axes=(2, 1), origin=(-1, 1))
    _same("rank_filter", x, 3, footprint=np.ones((2, 3), bool), axes=(0, 1))
    _same("percentile_filter", x, 50.0, size=2, axes=1, mode="nearest")


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("mode", ["reflect", "constant", "nearest", "mirror", "wrap"])
def test_long_minmax_windows(dtype, mode):
    # sizes past the point-by-point scan (van Herk runs), runs cut by block ends and by
    # the edges, along the last axis and along others (row blocks), odd origins
    x = _data((37, 70, 5), dtype, 2)
    kw = {"mode": mode, "cval": 3}
    for size in (2, 5, 6, 9, 16, 41):
        origin = -(size // 2) if size > 2 else 0
        for axis in (0, 1, 2):
            _same("minimum_filter1d", x, size, axis=axis, **kw)
            _same("maximum_filter1d", x, size, axis=axis, origin=origin, **kw)
    _same("minimum_filter", x, size=(7, 11, 3), origin=(1, -3, 0), **kw)
    _same("maximum_filter", x[0], size=(80, 13), **kw)
    _same("maximum_filter", x[:, 0, 0].copy(), size=9, **kw)
    # windows far longer than the axis: van Herk runs reading through the mode, one run
    # covering every output (each output scanning its window cost size * n)
    for size, origin in ((75, 0), (75, -37), (300, 149), (1001, 3)):
        for axis in (0, 1, 2):
            _same("minimum_filter1d", x, size, axis=axis, origin=origin, **kw)
            _same("maximum_filter1d", x, size, axis=axis, origin=-origin // 2, **kw)


@pytest.mark.parametrize("dtype", [np.int16, np.float32])
def test_network_selection_ranks(dtype):
    # comparator networks (windows of 2 to 160 points), several ranks each, blocks of
    # lanes cut by the edges; ties from the small value range
    x2 = _data((9, 41), dtype, 3)
    x3 = _data((6, 7, 9), dtype, 4)
    for rank in (1, 7, 12, 23):
        _same("rank_filter", x2, rank, size=5, mode="mirror")
        _same("rank_filter", x3, rank * 5, size=5, mode="constant", cval=50)
    _same("rank_filter", x2, 3, footprint=np.eye(6, dtype=bool), origin=(0, 1))
    _same("median_filter", x2, size=(1, 2))
    _same("percentile_filter", x3, 35, size=(3, 1, 4), mode="wrap")


def test_big_windows_use_scratch():
    x = _data((9, 30), np.float64)
    _same("median_filter", x, size=(5, 60), mode="wrap")  # 300 points > MAX_LOCAL
    _same("generic_filter", x, np.max, size=(5, 60), mode="nearest")


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_output_argument(dtype):
    x = _data((6, 7), dtype)
    out = np.empty((6, 7), np.float64)
    expected = ndi.median_filter(x, size=3, output=np.float64)
    assert rf.median_filter(x, size=3, output=out) is out
    np.testing.assert_array_equal(out, expected)
    got = rf.minimum_filter(x, size=3, output=np.float64)
    np.testing.assert_array_equal(got, ndi.minimum_filter(x, size=3, output=np.float64))
    # an output aliasing the input
    y = x.copy()
    rf.maximum_filter(y, size=(3, 2), output=y)
    np.testing.assert_array_equal(y, ndi.maximum_filter(x, size=(3, 2)))
    y = x.copy()
    rf.rank_filter(y, 2, size=3, output=y)
    np.testing.assert_array_equal(y, ndi.rank_filter(x, 2, size=3))
    # non-contiguous output and input
    out = np.zeros((6, 14), dtype)[:, ::2]
    rf.median_filter(x.T, size=3, output=out.T)
    np.testing.assert_array_equal(out.T, ndi.median_filter(x.T, size=3))


def test_generic_filter():
    x = _data((6, 8), np.float64)

    def weighted(w, a, b=1.0):
        return w[0] * a + w.sum() * b

    _same("generic_filter", x, weighted, size=3, extra_arguments=(2.0,),
          extra_keywords={"b": 0.5})
    _same("generic_filter", x, weighted, footprint=[[1, 0], [1, 1]], mode="wrap",
          extra_arguments=(1.5,), origin=(0, -1))
    _same("generic_filter", x.astype(np.int32), np.max, size=(2, 3), mode="constant", cval=50)
    # functions that differ only in a default value each get their own kernel
    for scale in (1.0, 5.0):
        _same("generic_filter", x, lambda v, a=scale: v.max() * a, size=2)
    # NumPy's functions, one after the other: each gets its own kernel
    for function in (np.min, np.median, np.mean, np.ptp):
        _same("generic_filter", x, function, size=(2, 3))


def test_generic_filter1d():
    x = _data((5, 9), np.float64)

    def smooth(line_in, line_out, scale):
        for i in range(line_out.shape[0]):
            line_out[i] = (line_in[i] + line_in[i + 1] + line_in[i + 2]) * scale

    for mode in ["reflect", "wrap", "constant"]:
        _same("generic_filter1d", x, smooth, 3, axis=0, mode=mode, cval=2.0,
              extra_arguments=(0.5,))
        _same("generic_filter1d", x.astype(np.int16), smooth, 3, origin=1, mode=mode,
              extra_keywords={"scale": 2.0})


def test_generic_filter_reads_closures_and_defaults_as_they_are_at_each_call():
    # SciPy calls the function as it is now; a kernel compiled for other closure values
    # or defaults must not be reused
    x = _data((5, 7), np.float64)
    above = np.array([0.0])

    def count(values):
        return (values > threshold).sum() + above[0]

    def line(line_in, line_out, k=1.0):
        for i in range(line_out.shape[0]):
            line_out[i] = line_in[i] * k

    for threshold in (30.0, 70.0):  # noqa: B007 (read by `count` through its closure)
        for above[0] in (0.0, 0.5):  # an array changed in place
            _same("generic_filter", x, count, size=3)
    for k in (1.0, 3.0):
        line.__defaults__ = (k,)
        _same("generic_filter1d", x, line, 3)
    # a jd.func as well (its own compiled code keeps the values of its first compile)
    scale = jd.func(lambda values: values.sum() * factor)
    for factor in (1.0, 2.0):  # (read by `scale` through its closure)
        want = ndi.generic_filter(x, np.sum, size=2) * factor
        np.testing.assert_array_equal(jnd.generic_filter(x, scale, size=2), want)


def test_generic_filters_raise_what_the_function_raises_on_large_inputs():
    # parallel launches used to drop the exception and leave zeros
    x = _data((1100, 1000), np.float64)
    x[1000, 7] = -1.0
    lines = _data((40000, 8), np.float64)
    lines[30000, 3] = -1.0

    def window(values):
        if values.min() < 0:
            raise ValueError("negative value in window")
        return values.sum()

    def line(line_in, line_out):
        for i in range(line_out.shape[0]):
            if line_in[i] < 0:
                raise ValueError("negative value in line")
            line_out[i] = line_in[i]

    with pytest.raises(ValueError, match="in window"):
        jnd.generic_filter(x, window, size=3)
    with pytest.raises(ValueError, match="in line"):
        jnd.generic_filter1d(lines, line, 3)


def _mean(window):
    return window.mean()


def _copy_line(line_in, line_out):
    for i in range(line_out.shape[0]):
        line_out[i] = line_in[i + 1]


def _every_other(line_in, line_out):
    for i in range(0, line_out.shape[0], 2):
        line_out[i] = line_in[i]


@pytest.mark.parametrize("out", [bool, np.int8, np.uint32, np.uint64])
def test_generic_results_convert_as_scipys_c(out):
    # SciPy converts each float64 result with C's cast: truncation, then the low byte of
    # it in a bool (0.6 and 256 give False) and wrap-around for unsigned types (-1)
    x = np.array([[0.2, 0.6, 0.9, 256.0, -1.0, 1.5, 3.7, -3.2, 300.5]] * 2)
    for got, expected in [
        (rf.generic_filter(x, _mean, size=1, output=out),
         ndi.generic_filter(x, _mean, size=1, output=out)),
        (rf.generic_filter(x, _mean, size=(1, 20), mode="wrap", output=out),  # scratch
         ndi.generic_filter(x, _mean, size=(1, 20), mode="wrap", output=out)),
        (rf.generic_filter1d(x, _copy_line, 3, output=out),
         ndi.generic_filter1d(x, _copy_line, 3, output=out)),
    ]:
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got.view(np.uint8), expected.view(np.uint8))


@pytest.mark.parametrize("out", [bool, np.int8, np.uint8, np.uint32, np.uint64])
def test_narrower_outputs_as_scipys_c_casts_and_later_passes(out):
    # bool outputs hold the low byte of the converted result (256 gives False), and a
    # separable minimum or maximum filters its converted first pass again, as SciPy
    # does (an int16 maximum of 300 is 44 in uint8, which the next pass compares)
    # (SciPy's working values are doubles: -5.5 into uint32 is 2**32 - 5, -3e9 wraps
    # through int64, where NumPy's and Numba's own conversions saturate or differ)
    ints = np.array([[10, 200, 30, 300, -2], [250, 5, 7, 512, 44], [1, 2, 256, 3, 4]])
    floats = np.array([[-5.5, -3.0, -1.0, 2.0, 7.9], [3e9, -3e9, 1.5, 0.5, -0.5]] * 2)
    for x in (ints.astype(np.int16), ints * 1.5, floats):
        for name, kwargs in [
            ("minimum_filter", {"size": 2}),
            ("maximum_filter", {"size": (2, 3), "mode": "constant", "cval": 5}),
            ("maximum_filter1d", {"size": 2, "axis": 0}),
            ("minimum_filter", {"footprint": [[1, 0], [1, 1]]}),
            ("median_filter", {"size": 3}),
            ("rank_filter", {"rank": 1, "size": 2}),
            ("percentile_filter", {"percentile": 30, "size": 2}),
        ]:
            separable = name in ("minimum_filter", "maximum_filter") and "size" in kwargs
            if out == np.uint64 and x is floats and separable:
                continue  # a second pass over uint64 values past 2**53: SciPy reads them
                # as doubles (rounded), here they are compared exactly (documented)
            with np.errstate(invalid="ignore"):
                expected = getattr(ndi, name)(x, output=out, **kwargs)
            got = getattr(rf, name)(x, output=out, **kwargs)
            assert got.dtype == expected.dtype
            np.testing.assert_array_equal(got.view(np.uint8), expected.view(np.uint8))


@pytest.mark.parametrize("dtype", [np.int16, np.uint8, bool])
def test_fractional_cval_beside_integers_into_float_outputs(dtype):
    # SciPy's separable passes compare in float64: a cval of 9.75 stays 9.75 (it was
    # truncated to the integer input's 9); 300 beside uint8 is not clamped either
    x = np.array([[5, 7, 1, 4], [2, 9, 3, 3]]).astype(dtype)
    for cval in (9.75, -3.25, 300.0):
        for name, kwargs in [
            ("maximum_filter1d", {"size": 3}),
            ("minimum_filter", {"size": (2, 3)}),
        ]:
            _same(name, x, output=np.float32, cval=cval, mode="constant", **kwargs)


def test_extreme_ranks_with_per_axis_modes_over_reordered_axes():
    # SciPy hands rank 0 and the last rank to minimum/maximum_filter with the footprint
    # as given (its axes in input order) and the modes moved to the axes they name
    x = _data((3, 4, 5), np.float64)
    modes = ["reflect", "mirror", "wrap"]
    _same("rank_filter", x, -1, size=[2, 4, 3], axes=(2, 1, 0), mode=modes)
    _same("rank_filter", x, 0, size=[2, 3, 4], axes=(1, 2, 0), mode=modes)
    _same("percentile_filter", x, 100, size=[2, 4, 3], axes=(2, 1, 0), mode=modes)


def test_functions_numba_cannot_compile_raise_type_error():
    x = _data((4, 5), np.float64)

    def needs_two(window, a):
        return window.sum() * a

    def returns_a_dict(window):
        return {"a": 1}

    def needs_a_scale(line_in, line_out, scale):
        line_out[:] = line_in[1:-1] * scale

    with pytest.raises(TypeError):  # SciPy: Python's missing-argument TypeError
        ndi.generic_filter(x, needs_two, size=2)
    for call in (
        lambda: rf.generic_filter(x, needs_two, size=2),
        lambda: rf.generic_filter1d(x, needs_a_scale, 3),
    ):
        with pytest.raises(TypeError, match="does not compile with Numba"):
            call()
    with pytest.raises(TypeError, match="must return a real number"):
        rf.generic_filter(x, returns_a_dict, size=2)
    # complex numbers are numbers: extra arguments may be complex
    def scaled(window, a):
        return (window.sum() * a).real

    _same("generic_filter", x, scaled, size=2, extra_arguments=(2 + 1j,))


def test_generic_filter_errors_say_what_is_wrong_with_the_function():
    x = _data((5, 6), np.float64)

    def doubled(v):
        return 2.0 * v

    for function, returned in (
        (lambda w: (w[0], w[1]), r"UniTuple\(float64 x 2\)"),
        (lambda w: None, "none"),
        (lambda w: w * 2.0, "array"),
        (lambda w: complex(w[0], 1.0), "complex128"),
    ):
        with pytest.raises(TypeError, match="must return a real number.*returns " + returned):
            rf.generic_filter(x, function, size=2)
    with pytest.raises(TypeError, match=r"Untyped global name 'doubled'.*@jd.func"):
        rf.generic_filter(x, lambda w: doubled(w[0]), size=2)
    big = _data((1100, 1000), np.float64)  # a first launch in parallel says the same
    with pytest.raises(TypeError, match=r"Untyped global name 'doubled'.*@jd.func"):
        rf.generic_filter(big, lambda w: doubled(w[1]), size=2)

    def keyword_only(w, *, k=2.0):
        return w[0] * k

    def any_keywords(w, **kw):
        return w[0]

    for function in (keyword_only, any_keywords):
        with pytest.raises(TypeError, match="neither \\*\\*kwargs nor keyword-only"):
            rf.generic_filter(x, function, size=2)
    # a partial's keywords become extra keywords; positional ones cannot be placed
    def weighted(w, k=1.0):
        return w.sum() * k

    _same("generic_filter", x, functools.partial(weighted, k=3.0), size=2)
    with pytest.raises(TypeError, match="only with keyword arguments"):
        rf.generic_filter(x, functools.partial(lambda k, w: w.sum() * k, 2.0), size=2)


def test_masked_arrays_are_refused_not_unmasked():
    # SciPy drops the mask silently; every filter here refuses it and says what to pass
    x = np.ma.masked_array(_data((4, 5), np.float64), mask=np.eye(4, 5, dtype=bool))
    for call in (
        lambda: jnd.median_filter(x, size=3),
        lambda: jnd.uniform_filter(x, 3),
        lambda: jnd.generic_filter(x, np.max, size=2),
        lambda: jnd.vectorized_filter(x, np.mean, size=2),
    ):
        with pytest.raises(TypeError, match=r"x\.filled"):
            call()
    # as an output too: SciPy would write under the mask and leave it set
    for name in ("median_filter", "uniform_filter", "minimum_filter1d"):
        out = np.ma.masked_array(np.zeros((4, 5)), mask=np.eye(4, 5, dtype=bool))
        with pytest.raises(TypeError, match=r"out\.data"):
            getattr(jnd, name)(x.data, 3, output=out)
        assert not out.data.any()


def test_corner_cases_scipy_accepts():
    x = _data((4, 5), np.float64)
    # an all-False footprint: the function sees empty windows
    _same("generic_filter", x, np.sum, footprint=np.zeros((2, 2), bool))
    # sequences and 0-d arrays in vectorized_filter, with SciPy's window and axis
    _same("vectorized_filter", [1.0, 4.0, 2.0], np.mean, size=2)
    seen = []

    def total(window, axis):
        seen.append((window.shape, axis))
        return window.sum(axis=axis)

    assert rf.vectorized_filter(np.array(2.0), total, size=()) == 2.0
    assert rf.vectorized_filter(np.array(2.0), total, footprint=np.ones((), bool)) == [2.0]
    assert seen == [((), ()), ((1, 1), -1)]


def test_generic_filter1d_output_lines_start_as_zeros():
    # what the function does not write stays 0, as in SciPy's output line buffers
    x = _data((4, 5), np.float64)
    _same("generic_filter1d", x, _every_other, 3)
    _same("generic_filter1d", x, _every_other, 3, axis=0)


@pytest.mark.parametrize("mode", ["reflect", "constant", "nearest", "mirror", "wrap", "valid"])
def test_vectorized_filter(mode):
    x = _data((6, 7), np.float64)
    kw = {"cval": 3.0} if mode == "constant" else {}
    _same("vectorized_filter", x, np.median, size=3, mode=mode, **kw)
    _same("vectorized_filter", x, np.max, footprint=[[1, 0, 1]], mode=mode, **kw)
    _same("vectorized_filter", x, np.mean, size=2, axes=(0,), mode=mode, batch_memory=200, **kw)


@pytest.mark.parametrize("planes_batch", [200, 1500, 2**30])
def test_vectorized_filter_windows_as_planes(monkeypatch, planes_batch):
    # NumPy windows are copied into planes, batch by batch; whatever the batch size,
    # `function` must see SciPy's windows: same shapes, values and places, read-only
    # without a footprint. Integer weights on integer data sum exactly in any order.
    monkeypatch.setattr(rf, "_PLANES_BATCH", planes_batch)
    x = _data((5, 6, 7), np.float64, 3)
    seen = []

    def weighted(w, axis):
        seen.append((w.shape, w.flags.writeable))
        weights = np.arange(1.0, 1.0 + np.prod([w.shape[a] for a in axis]))
        shape = [w.shape[a] if a in axis or a - w.ndim in axis else 1 for a in range(w.ndim)]
        return (w * weights.reshape(shape)).sum(axis=axis)

    kwargs = dict(size=(3, 2), axes=(0, 2), origin=(1, 0), mode="wrap")
    expected = ndi.vectorized_filter(x, weighted, **kwargs)
    seen.clear()
    np.testing.assert_array_equal(rf.vectorized_filter(x, weighted, **kwargs), expected)
    assert seen and not any(writeable for _, writeable in seen)
    assert all(shape[-2:] == (3, 2) and shape[1:3] == (5, 7) for shape, _ in seen)
    rows = [shape[0] for shape, _ in seen]
    assert sum(rows) == 6 and (len(rows) > 1) == (planes_batch < 2**30)

    def last_minus_first(w, axis):
        return w[..., -1] * 10.0 - w[..., 0]

    footprint = np.array([[1, 0, 1], [0, 1, 1]], bool)
    _same("vectorized_filter", x[0], last_minus_first, footprint=footprint, mode="mirror")
    _same("vectorized_filter", x, np.median, size=3, mode="nearest", batch_memory=20000)
    # float sums in another order: equal to the last bits only
    y = np.random.default_rng(4).normal(size=(30, 40))
    np.testing.assert_allclose(
        rf.vectorized_filter(y, np.mean, size=(3, 4)),
        ndi.vectorized_filter(y, np.mean, size=(3, 4)),
        rtol=1e-14, atol=1e-15,
    )


def test_long_lines_in_blocks():
    # along the last axis a CPU index takes a block of whole runs of `size` outputs,
    # sized so that a launch has about a thousand indices: lines of several blocks,
    # with a remainder, and windows compared point by point (size <= 5) or by runs
    x = _data((20, 3001), np.float32, 7)
    for size in (1, 2, 4, 5, 6, 9):
        for mode in ("reflect", "constant", "wrap"):
            _same("maximum_filter1d", x, size, mode=mode, cval=-1, origin=size // 3)
            _same("minimum_filter1d", x, size, mode=mode, cval=200)


def test_one_output_per_index_as_on_a_gpu(monkeypatch):
    """The launches a GPU gets (``jd.lanes`` is 1 on CUDA): one output, or one van Herk
    run, per index and one line per index along other axes, run here on the CPU."""
    from jitdispatch.kernels.ndimage import rank

    import jitdispatch

    monkeypatch.setattr(jitdispatch, "lanes", lambda like: 1)
    # a thread's network scratch holds the largest window a network selects
    assert rank.NETWORK_LOCAL.value("cuda") >= rf._NETWORK_MAX
    x2 = _data((7, 19), np.float64, 5)
    x3 = _data((5, 6, 9), np.int16, 6)
    fp = np.array([[1, 0, 1], [1, 1, 0]], bool)
    for mode in MODES:
        kw = {"mode": mode, "cval": 7}
        for size in (2, 5, 7):  # point by point, and van Herk runs
            _same("minimum_filter1d", x2, size, axis=1, **kw)
            _same("maximum_filter1d", x3, size, axis=1, origin=-(size // 3), **kw)
            _same("minimum_filter1d", x3, size, axis=0, **kw)
        _same("maximum_filter", x3, size=(3, 2, 4), **kw)
        _same("minimum_filter", x2, footprint=fp, origin=(0, 1), **kw)
        _same("median_filter", x2, size=3, **kw)  # the 9-point median
        _same("rank_filter", x3, 5, size=(2, 2, 3), **kw)  # a network
        _same("percentile_filter", x2, 40, size=(3, 5), **kw)
        _same("generic_filter", x2, np.max, footprint=fp, **kw)


def test_empty_and_zero_dim():
    x = np.zeros((0, 4))
    assert rf.median_filter(x, size=3).shape == (0, 4)
    assert rf.minimum_filter(x, size=3).shape == (0, 4)
    _same("median_filter", np.float64(3.0), size=())


@pytest.mark.parametrize("call, exc", [
    (lambda f, x: f.minimum_filter(x.astype(complex), size=3), TypeError),
    (lambda f, x: f.median_filter(x.astype(complex), size=3), TypeError),
    (lambda f, x: f.minimum_filter(x), RuntimeError),
    (lambda f, x: f.median_filter(x, size=3, mode="bogus"), RuntimeError),
    (lambda f, x: f.median_filter(x, size=3, origin=2), ValueError),
    (lambda f, x: f.rank_filter(x, 9, size=3), RuntimeError),
    (lambda f, x: f.percentile_filter(x, 101, size=3), RuntimeError),
    (lambda f, x: f.median_filter(x, size=3, mode=["wrap", "wrap"]), RuntimeError),
    (lambda f, x: f.minimum_filter(x, footprint=[[0, 0]]), ValueError),
    (lambda f, x: f.median_filter(x, size=(3, 3, 3)), RuntimeError),
    (lambda f, x: f.minimum_filter1d(x, 0), RuntimeError),
    (lambda f, x: f.maximum_filter1d(x, 3, axis=2), np.exceptions.AxisError),
    (lambda f, x: f.median_filter(x, size=3, output=np.empty((2, 2))), RuntimeError),
    (lambda f, x: f.generic_filter(x, 3, size=3), ValueError),
    (lambda f, x: f.generic_filter(x, np.max, size=3, extra_arguments=[1]), RuntimeError),
    (lambda f, x: f.generic_filter1d(x.astype(complex), np.max, 3), TypeError),
    (lambda f, x: f.vectorized_filter(x, np.max), ValueError),
    (lambda f, x: f.vectorized_filter(x, np.max, size=3, mode="nearest", cval=1), ValueError),
    # SciPy adds its NumPy int64 window size to a rank below -2**63
    (lambda f, x: f.rank_filter(x, -(2**70), size=3), OverflowError),
    # a scalar axis is not range-checked, but indexes the expanded per-axis modes
    (lambda f, x: f.median_filter(x[0], size=2, axes=1, mode=("constant",)), IndexError),
    (lambda f, x: f.percentile_filter(x[0], 50, size=3, axes=2, mode=["wrap"]), IndexError),
    (lambda f, x: f.vectorized_filter(list(x[0]), np.mean, size=0), ValueError),
])
def test_errors_match_scipy(call, exc):
    x = _data((4, 5), np.float64)
    with pytest.raises(exc):
        call(ndi, x)
    with pytest.raises(exc):
        call(rf, x)


def test_public_names():
    for name in rf.__all__:
        assert name in jnd.__all__
        assert callable(getattr(jnd, name))
    for name in ["median_filter", "generic_filter", "vectorized_filter"]:
        assert "scipy.ndimage." + name in getattr(rf, name).__doc__


@settings(derandomize=True, max_examples=40, deadline=None)
@given(
    shape=st.lists(st.integers(1, 7), min_size=1, max_size=3),
    mode=st.sampled_from(MODES),
    data=st.data(),
    op=st.sampled_from(["median_filter", "minimum_filter", "maximum_filter", "rank_filter"]),
)
def test_property_matches_scipy(shape, mode, data, op):
    ndim = len(shape)
    size = tuple(data.draw(st.integers(1, 5)) for _ in range(ndim))
    origin = tuple(data.draw(st.integers(-(n // 2), (n - 1) // 2)) for n in size)
    x = _data(shape, np.float64, sum(shape))
    args = (data.draw(st.integers(0, int(np.prod(size)) - 1)),) if op == "rank_filter" else ()
    _same(op, x, *args, size=size, origin=origin, mode=mode, cval=41.5)


def _bytes(a):
    """A bool array's bytes (SciPy's C writes other bytes than 0 and 1 into one)."""
    return a.view(np.uint8) if a.dtype == bool else a


_HOLES = np.array([[1, 0, 1], [1, 1, 0]], bool)  # a footprint that is not separable
_EXTREME_CALLS = [
    ("minimum_filter1d", (3,), {}),
    ("maximum_filter1d", (4,), {"origin": 1}),
    ("minimum_filter", (3,), {}),
    ("maximum_filter", (), {"size": (2, 4)}),
    ("minimum_filter", (), {"footprint": _HOLES}),
    ("maximum_filter", (), {"footprint": _HOLES}),
    ("median_filter", (3,), {}),
    ("rank_filter", (1, 3), {}),
    ("percentile_filter", (20,), {"footprint": _HOLES}),
]


def _same_bytes_for_cvals(x, cvals, outputs):
    for cval in cvals:
        for output in outputs:
            for name, args, kwargs in _EXTREME_CALLS:
                kwargs = dict(kwargs, mode="constant", cval=cval)
                if output is not None:
                    kwargs["output"] = output
                ref = getattr(ndi, name)(x, *args, **kwargs)
                ours = getattr(jnd, name)(x, *args, **kwargs)
                assert ours.dtype == ref.dtype
                np.testing.assert_array_equal(
                    _bytes(ours), _bytes(ref), err_msg=f"{name} cval={cval} {output}"
                )


@pytest.mark.parametrize("dtype", [bool, np.uint8, np.int8, np.uint16, np.int32, np.uint32])
def test_cvals_the_input_dtype_cannot_hold(dtype):
    """A cval outside the integer input's range (a -1 sentinel beside uint8). SciPy's 1-D
    and separable minimum/maximum compare it in float64 and write each pass into the
    output with C's conversion (-2 wins and becomes 254 in uint8); its N-D minimum,
    maximum and rank filters convert it to the input's dtype first (-2 is 254, so it
    loses a minimum). A bool input is its bytes to SciPy's C (an unsigned char: -3 is
    253 and wins a maximum, 0.5 is 0), and a bool output gets the result's low byte.
    All exactly (bool outputs byte for byte), for outputs of the input's dtype, float64,
    uint8 and bool."""
    x = _data((6, 7), dtype, seed=12) if dtype is not bool else _data((6, 7), int, 12) % 3 == 0
    cvals = (-2.0, -200.0, 300.0, 70000.0, 1e10, -1e10, 2.5, -0.5, 0.5)
    _same_bytes_for_cvals(x, cvals, (None, np.float64, np.uint8, bool))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_extremes_into_integer_outputs(dtype):
    """A floating input into an integer or bool output: SciPy writes each separable pass
    into the output with C's conversion and the next pass compares those integers with
    cval as a double, so a cval of -3 never wins a maximum there (as 253 it would)."""
    x = np.random.default_rng(5).normal(size=(6, 7)).astype(dtype) * 3
    _same_bytes_for_cvals(x, (-3.0, 300.0, 0.5), (np.uint8, np.int16, bool))


@pytest.mark.parametrize("dtype", [bool, np.uint8, np.int16, np.uint32, np.float16])
def test_1d_rank_path_widens_as_scipy(dtype):
    """SciPy's 1-D rank path selects in float32 (float16 input) or int64 (other integer
    types, bool), with ``cval`` converted to that type, and casts the result into the
    output with NumPy: a float16 input works there (its N-D filters refuse it), a cval
    of 300 or -7 ranks as itself beside uint8 (not as 44 or 249), and a float16 output
    takes an integer input's result."""
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(41) * 60).astype(dtype)
    calls = [
        ("median_filter", (5,), {}),
        ("rank_filter", (-2, 6), {}),
        ("percentile_filter", (70, 9), {"origin": 1}),
        ("median_filter", (), {"size": 45}),  # a window longer than the input
    ]
    for cval in (0.3, 300.0, -7.0, 1e5):
        for mode in ("constant", "reflect", "wrap"):
            for output in (None, np.float16, np.float32, np.int16, np.uint8):
                for name, args, kwargs in calls:
                    kwargs = dict(kwargs, mode=mode, cval=cval, output=output)
                    msg = f"{name}{args} {kwargs}"
                    with np.errstate(over="ignore", invalid="ignore"):
                        ref = getattr(ndi, name)(x, *args, **kwargs)
                        ours = getattr(jnd, name)(x, *args, **kwargs)
                    assert ours.dtype == ref.dtype, msg
                    np.testing.assert_array_equal(ours, ref, err_msg=msg)
    # into the input itself, and into a given float16 array
    expected = ndi.median_filter(x, 5, mode="constant", cval=-7)
    in_place = x.copy()
    for source, out in ((in_place, in_place), (x, np.zeros(x.shape, x.dtype))):
        assert jnd.median_filter(source, 5, output=out, mode="constant", cval=-7) is out
        np.testing.assert_array_equal(out, expected)
    # where SciPy hands the rank to minimum/maximum_filter (or runs its N-D path),
    # float16 stays refused, as there
    if dtype == np.float16:
        for call in (
            lambda f: f.median_filter(x, footprint=[1, 0, 1]),
            lambda f: f.rank_filter(x, 0, 3),
            lambda f: f.median_filter(x.reshape(1, -1), 3),
        ):
            with pytest.raises(RuntimeError):
                call(ndi)
            with pytest.raises(RuntimeError):
                call(jnd)


def test_results_beyond_int32_into_narrow_outputs():
    """C converts a double outside int32's range to -2**31 on the way into an 8- or 16-bit
    output (its low bits: 0); Numba's own scalar conversion wrapped instead."""
    x = np.array([[3e9, -3e9, 4294967294.0, 1e20, 40000.0, -40000.0, 7.0]])
    calls = (
        ("median_filter", {"footprint": [[1, 1, 1]]}),
        ("maximum_filter", {"footprint": [[1, 0, 1]]}),
        ("rank_filter", {"rank": 0, "footprint": [[1, 1]]}),
    )
    for dtype in (np.uint8, np.int8, np.int16, np.uint16, np.bool_):
        for name, kwargs in calls:
            np.testing.assert_array_equal(
                getattr(jnd, name)(x, output=dtype, **kwargs),
                getattr(ndi, name)(x, output=dtype, **kwargs),
            )
    wide = np.array([[4294967294, 3000000000, 7]], np.uint32)
    np.testing.assert_array_equal(
        jnd.maximum_filter(wide, footprint=[[1, 1]], output=np.uint8),
        ndi.maximum_filter(wide, footprint=[[1, 1]], output=np.uint8),
    )


@pytest.mark.parametrize("layout", ["fortran", "transposed"])
def test_inputs_and_outputs_in_other_layouts(layout):
    # a reshape of a Fortran-ordered input would copy it slowly into new memory; it is
    # copied in tiles into lent memory instead (and a Fortran-ordered output filled so)
    x2 = _data((300, 260), np.float32, 5)
    x3 = _data((40, 60, 60), np.int16, 6)

    def arrange(x):
        return np.asfortranarray(x) if layout == "fortran" else x.T.copy().T

    calls = [
        ("median_filter", x2, (), {"size": 3}),
        ("rank_filter", x3, (4,), {"size": (3, 2, 2), "mode": "constant"}),
        ("maximum_filter", x2, (), {"footprint": np.array([[1, 0, 1], [1, 1, 0]], bool)}),
        ("minimum_filter", x3, (), {"size": 3}),
        ("percentile_filter", x2, (70,), {"size": (2, 3)}),
        ("generic_filter", x2, (np.ptp,), {"size": 2}),
    ]
    for name, x, args, kwargs in calls:
        expected = getattr(ndi, name)(x, *args, **kwargs)
        got = getattr(rf, name)(arrange(x), *args, **kwargs)
        assert got.flags.c_contiguous
        np.testing.assert_array_equal(got, expected)
        out = arrange(np.zeros_like(expected))
        assert getattr(rf, name)(arrange(x), *args, output=out, **kwargs) is out
        np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("mode", MODES)
def test_windows_longer_than_a_leading_axis(mode):
    # shorter than the window (n < size), a leading axis is scanned point by point
    # without van Herk scratch; at n == size one run fits
    for n in (1, 2, 4, 6, 7):
        x = _data((n, 5, 9), np.float64, n)
        _same("minimum_filter1d", x, 7, axis=0, mode=mode, cval=50, origin=n % 3 - 1)
        _same("maximum_filter1d", x, 6, axis=1, mode=mode, cval=-3)
        _same("maximum_filter", x, size=(7, 6, 1), mode=mode, cval=3)


@pytest.mark.parametrize("kernel", ["line_network", "line_rank", "line_rank_search"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int64, np.float32, np.float64])
def test_rank_along_lines(dtype, kernel, monkeypatch):
    # windows of consecutive points along the last axis (1-D inputs, size=(1, ..., k))
    # run `line_network` (small windows) or `line_rank` (a sliding sorted window, moved
    # by counts over the whole window or, for long windows, over blocks of it) on the
    # CPU, each forced here: every mode, origins, ranks, windows longer than the line,
    # several launches (a small window budget), and the cases they leave alone
    searching = kernel == "line_rank_search"
    kernel = "line_rank" if searching else kernel
    monkeypatch.setattr(rf, "_LINE_RANK_SEARCH", 1 if searching else 1 << 40)
    runs = []
    launch = getattr(rf._rank, kernel)

    def counted(*args, **kwargs):
        runs.append(kwargs["ndrange"])
        return launch(*args, **kwargs)

    monkeypatch.setattr(rf._rank, kernel, counted)
    monkeypatch.setattr(rf, "_LINE_RANK_BYTES", 4096)
    monkeypatch.setattr(rf, "_LINE_NETWORK_BYTES", 0 if kernel == "line_rank" else 1 << 40)
    rng = np.random.default_rng(11)
    if np.dtype(dtype).kind == "f":
        line = rng.normal(size=700).astype(dtype)
    else:
        info = np.iinfo(dtype)
        line = rng.integers(info.min, info.max, size=700, endpoint=True, dtype=dtype)
        line[::7] = line[3]  # ties
    rows = np.stack([line, line[::-1], np.roll(line, 5)])
    for k, mode in enumerate(MODES):
        size = (3, 4, 7, 12, 31, 5, 9, 40)[k]
        origin = (0, 1, -1, 2, -3, 0, -2, 5)[k]
        kw = {"mode": mode, "cval": 7, "origin": origin}
        before = len(runs)
        _same("median_filter", line, size=size, **kw)
        _same("rank_filter", line, -1, size=size, **kw)
        _same("rank_filter", line, 1, size=size, **kw)
        _same("percentile_filter", rows, 35, size=(1, size), origin=(0, origin), mode=mode,
              cval=7)
        assert len(runs) >= before + 3  # (rank -1 is a maximum filter, as in SciPy)
    if searching:  # windows of several blocks, the last one short
        for size, mode in ((65, "reflect"), (100, "constant"), (129, "wrap")):
            before = len(runs)
            _same("median_filter", line, size=size, mode=mode, cval=7, origin=size // 5)
            _same("rank_filter", rows, 3, size=(1, size), mode=mode, cval=7)
            assert len(runs) >= before + 2  # (the rows in several launches)
    # a 1-D footprint with holes: SciPy 1.17 takes its whole box, as the kernels do
    before = len(runs)
    _same("rank_filter", line, 1, footprint=[True, False, True, True])
    # a line of several blocks whose last block is short
    _same("median_filter", np.tile(line, 4)[:2711], size=6, mode="mirror", origin=-1)
    assert len(runs) == before + 2
    # left to the window kernels: holes in N-D footprints, windows across lines,
    # lines shorter than the kernels' minimum
    before = len(runs)
    _same("median_filter", rows, footprint=np.array([[1, 0, 1, 1]], bool))
    _same("median_filter", rows, size=(2, 5))
    _same("median_filter", rows[:, :100], size=(1, 5))
    _same("median_filter", line[:8], size=11, mode="wrap")
    assert len(runs) == before


def test_rank_along_lines_chooses_by_comparators(monkeypatch):
    # the network for windows whose comparators are few, the sliding window past that
    chosen = []
    for name in ("line_network", "line_rank"):
        launch = getattr(rf._rank, name)
        monkeypatch.setattr(
            rf._rank, name,
            lambda *a, _n=name, _f=launch, **k: (chosen.append(_n), _f(*a, **k))[1],
        )
    x = np.random.default_rng(3).normal(size=3000)
    for size, dtype, kernel in [(25, np.float64, "line_network"),
                                (31, np.float64, "line_rank"),
                                (31, np.float32, "line_network"),
                                (51, np.uint8, "line_network"),
                                (71, np.uint8, "line_rank")]:
        chosen.clear()
        _same("median_filter", (x * 50).astype(dtype), size=size)
        assert chosen == [kernel], (size, dtype)


@pytest.mark.parametrize("dtype", [np.int64, np.uint64])
def test_64_bit_integers_come_back_through_doubles(dtype):
    # SciPy's C filters hold values in doubles: 64-bit integers beyond 2**53 come back
    # rounded (and 2**63 as C converts it), pass after pass; only its 1-D rank path keeps
    # them whole (for int64; uint64 there compares as int64, which is not followed here)
    info = np.iinfo(dtype)
    x = np.random.default_rng(12).integers(info.min, info.max, (30, 40), dtype, endpoint=True)
    x[0, :6] = [info.max, info.max, info.max, info.min, info.max - 1, info.min + 1]
    line = x[1]
    _same("minimum_filter", x, size=3)
    _same("maximum_filter", x, size=(2, 5), mode="wrap")
    _same("maximum_filter", x, footprint=np.array([[1, 0, 1], [0, 1, 1]], bool))
    _same("minimum_filter1d", x, 4, axis=0)
    _same("maximum_filter1d", line, 3, mode="constant", cval=5)
    _same("median_filter", x, size=3)
    _same("percentile_filter", x, 60, size=4, mode="constant", cval=5)
    _same("rank_filter", x, 2, size=(1, 5))
    _same("maximum_filter", x, size=3, output=np.int32)  # -2**31 where C's cast fails
    _same("minimum_filter", x, size=2, output=np.float64)
    if dtype == np.int64:
        _same("median_filter", line, size=3)
        _same("rank_filter", line, 1, size=4, mode="mirror")
