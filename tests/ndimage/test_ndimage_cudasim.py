"""Simulator lane: every jitdispatch.ndimage function, run as CUDA kernels in Numba's
simulator on small arrays, equals SciPy."""

import numpy as np
import pytest
import scipy.ndimage as sndi
from ndimage_samples import SAMPLES, sample_call

import jitdispatch as jd
import jitdispatch.ndimage as jndi

pytestmark = pytest.mark.cudasim

# vectorized_filter calls the user's vectorised NumPy function: no kernel to simulate.
SIMULATED = sorted(n for n in SAMPLES if n != "vectorized_filter")


@pytest.mark.parametrize("name", SIMULATED)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_scipy_in_the_simulator(name, dtype):
    host = np.random.default_rng(7).random((7, 6)).astype(dtype)
    args, kwargs = sample_call(jndi, name, host.copy())
    with jd.use_target("cuda"):
        got = getattr(jndi, name)(*args, **kwargs)
    ref_args, ref_kwargs = sample_call(sndi, name, host)
    want = getattr(sndi, name)(*ref_args, **ref_kwargs)
    assert got.dtype == want.dtype
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got, want, **tol)


def test_integer_rounding_matches_scipy_in_the_simulator():
    host = (np.random.default_rng(8).random((6, 5)) * 200).astype(np.uint8)
    with jd.use_target("cuda"):
        got = jndi.gaussian_filter(host, 1.0)
        med = jndi.median_filter(host, size=3, mode="wrap")
    np.testing.assert_array_equal(got, sndi.gaussian_filter(host, 1.0))
    np.testing.assert_array_equal(med, sndi.median_filter(host, size=3, mode="wrap"))


def test_1d_rank_path_widens_as_scipy_in_the_simulator():
    # float16 selects in float32, a cval uint8 cannot hold in int64 (SciPy's 1-D path)
    rng = np.random.default_rng(9)
    cases = [
        ((rng.standard_normal(30) * 40).astype(np.float16), 0.3, None),
        (rng.integers(0, 256, 30).astype(np.uint8), 300.0, np.float16),
    ]
    for x, cval, output in cases:
        kw = dict(mode="constant", cval=cval, output=output)
        with jd.use_target("cuda"):
            got = jndi.median_filter(x, 5, **kw)
        want = sndi.median_filter(x, 5, **kw)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_bool_windows_read_bytes_in_the_simulator():
    # a bool input's bytes, as SciPy's C reads them: a cval of -3 is 253 and wins a
    # maximum; separable passes into bool read back the byte they wrote
    x = np.random.default_rng(4).integers(0, 3, (5, 6)) == 0
    footprint = np.array([[1, 0, 1], [1, 1, 0]], bool)
    for output in (None, np.float64):
        kw = dict(mode="constant", cval=-3.0, output=output)
        with jd.use_target("cuda"):
            got = [jndi.maximum_filter(x, footprint=footprint, **kw),
                   jndi.minimum_filter(x, 3, **kw)]
        want = [sndi.maximum_filter(x, footprint=footprint, **kw),
                sndi.minimum_filter(x, 3, **kw)]
        for g, w in zip(got, want, strict=True):
            assert g.dtype == w.dtype
            np.testing.assert_array_equal(g.view(np.uint8) if g.dtype == bool else g,
                                          w.view(np.uint8) if w.dtype == bool else w)


# The simulator adds NumPy integer scalars, which warn where compiled code silently
# wraps around (as NumPy's own in-place array steps do): the wrap is what is tested.
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_derivative_sums_fold_into_the_stores_in_the_simulator():
    # one output per thread: each derivative is squared and added in the store of its
    # last pass, in the output's type (integers wrap as NumPy's in-place steps do)
    host = (np.random.default_rng(9).random((6, 7)) * 100).astype(np.int16)
    for output in (np.int16, np.uint8, np.float32):
        with jd.use_target("cuda"):
            lap = jndi.laplace(host, output=output, mode="wrap")
            glap = jndi.gaussian_laplace(host, 0.8, output=output)
            ggm = jndi.gaussian_gradient_magnitude(host, 0.8, output=output, mode="nearest")
        np.testing.assert_array_equal(lap, sndi.laplace(host, output=output, mode="wrap"))
        np.testing.assert_array_equal(glap, sndi.gaussian_laplace(host, 0.8, output=output))
        want = sndi.gaussian_gradient_magnitude(host, 0.8, output=output, mode="nearest")
        if output == np.float32:
            np.testing.assert_allclose(ggm, want, rtol=1e-5, atol=1e-5)
        else:
            np.testing.assert_array_equal(ggm, want)


def test_bool_outputs_hold_scipys_bytes_in_the_simulator():
    # a bool output holds the low byte of each truncated result, which later passes
    # read; the derivative sums' squares and additions are NumPy's bool and / or
    rng = np.random.default_rng(10)
    mask = rng.random((6, 7)) < 0.4
    x = np.array([[0.0, 1.0, 256.0, 3.0, -1.0, 0.5, 200.0]] * 4)
    calls = [
        ("sobel", (mask,), {"mode": "constant"}),
        ("laplace", (mask,), {"mode": "wrap"}),
        ("gaussian_gradient_magnitude", (mask, 0.8), {}),
        ("correlate", (x, np.array([[1.0, -1.0], [2.0, 0.5]])), {"output": bool}),
        ("correlate1d", (x, [1.0, -2.0, 1.0]), {"output": bool}),
        ("median_filter", (x,), {"size": 2, "output": bool}),
        ("maximum_filter", (x * 3,), {"size": 2, "output": bool}),
    ]
    for name, args, kwargs in calls:
        want = getattr(sndi, name)(*args, **kwargs)
        with jd.use_target("cuda"):
            got = getattr(jndi, name)(*args, **kwargs)
        assert got.dtype == want.dtype == np.bool_
        np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8), err_msg=name)


# (see above: the wrap-around of integer outputs is what is tested)
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_laplace_in_one_launch_matches_scipy_in_the_simulator(monkeypatch):
    # A GPU's laplace reads and adds every axis's second derivative in one launch: the
    # position along each axis, its boundary mode and SciPy's rounding of each term to
    # the output type must agree with SciPy's one pass per axis.
    from jitdispatch.kernels.ndimage import correlate as k

    launches = []
    real = k.laplace_flat

    def spy(*args, **kwargs):
        launches.append(kwargs["ndrange"])
        return real(*args, **kwargs)

    monkeypatch.setattr(k, "laplace_flat", spy)
    rng = np.random.default_rng(12)
    cube = (rng.random((4, 1, 5)) * 120).astype(np.int16)
    cases = [
        (rng.random(9), {"mode": "mirror"}),
        (cube, {"mode": ["wrap", "constant", "nearest"], "cval": 3.5}),
        (cube, {"mode": "reflect", "axes": (0, 2), "output": np.uint8}),
        (cube.astype(np.float32), {"mode": "grid-mirror", "axes": (2,)}),
        ((rng.random((5, 6)) * 250).astype(np.uint8), {"mode": "constant", "cval": -7.0}),
        (rng.random((6, 5))[:, ::2], {"mode": "grid-wrap", "output": np.float32}),
        (rng.random((3, 4, 2)).transpose(2, 0, 1), {"mode": "nearest", "output": np.int32}),
    ]
    for host, kwargs in cases:
        want = sndi.laplace(host, **kwargs)
        with jd.use_target("cuda"):
            got = jndi.laplace(host, **kwargs)
        assert got.dtype == want.dtype
        if want.dtype.kind == "f":
            np.testing.assert_allclose(got, want, rtol=1e-6 if want.dtype == np.float32 else 1e-13)
        else:
            np.testing.assert_array_equal(got, want)
    assert len(launches) == len(cases)
    # into a given output array, C-ordered or not (a strided one is written through a
    # temporary)
    host = rng.random((5, 4))
    for out in (np.empty((5, 4)), np.empty((4, 5)).T):
        with jd.use_target("cuda"):
            got = jndi.laplace(host, output=out, mode="wrap")
        assert got is out
        np.testing.assert_allclose(out, sndi.laplace(host, mode="wrap"), rtol=1e-13)


MODES = ["reflect", "constant", "nearest", "mirror", "wrap", "grid-wrap"]


# (the boundary modes themselves are the one-output path's, tested in every mode above)
@pytest.mark.parametrize("mode", ["reflect", "constant", "wrap", "grid-mirror"])
def test_window_correlation_on_long_rows_matches_scipy_in_the_simulator(mode, monkeypatch):
    # Rows of WARP * WARP_OUTPUTS outputs or more: a thread computes four outputs a warp
    # apart, sharing each tap, where all four windows are inside the array, and one at a
    # time elsewhere (rows at the edges, the ends of a row, a row's last partial warps).
    from jitdispatch.kernels.ndimage import correlate as k

    widths = []
    real = k.correlate_nd

    def spy(*args, **kwargs):
        widths.append(args[7])
        return real(*args, **kwargs)

    monkeypatch.setattr(k, "correlate_nd", spy)
    rng = np.random.default_rng(21)
    row = k.WARP * k.WARP_OUTPUTS
    cases = [
        (rng.random((3, row + 3)), rng.random((3, 3)) - 0.5, (0, 1)),
        (rng.random((2, 2, row)), rng.random((2, 2, 5)), (0, -1, 2)),
        ((rng.random((2, 2 * row + 8)) * 200).astype(np.int16), np.ones((2, 4)), (-1, 0)),
    ]
    for host, weights, origin in cases:
        kw = dict(mode=mode, cval=1.5, origin=origin)
        with jd.use_target("cuda"):
            got = jndi.correlate(host, weights, **kw)
        want = sndi.correlate(host, weights, **kw)
        assert got.dtype == want.dtype
        if want.dtype.kind == "f":
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
        else:
            np.testing.assert_array_equal(got, want)
    assert widths == [k.WARP_OUTPUTS] * len(cases)



@pytest.mark.parametrize("mode", MODES)
def test_line_passes_on_cuda_match_scipy_in_the_simulator(mode):
    # One output per thread: outputs whose taps are all inside the line take an unsigned
    # loop of their own (symmetric, antisymmetric and other weights, each in SciPy's
    # order), the others the boundary mode; minimum/maximum passes scan short windows
    # point by point and run van Herk runs for longer ones, along any axis.
    host = np.random.default_rng(12).random((9, 11, 4))
    ints = (host * 1000).astype(np.int32)
    weights = ([1.0, 2.0, 1.0], [1.0, 0.0, -1.0], [1.0, -2.0, 0.5, 3.0], [0.5, 1.0, 2.0, 1.0, 0.5])
    for k, w in enumerate(weights):
        for axis in (0, 1, 2):
            kw = dict(axis=axis, mode=mode, cval=0.5, origin=(k % 3) - 1 if len(w) > 2 else 0)
            with jd.use_target("cuda"):
                got = jndi.correlate1d(host, w, **kw)
                got_int = jndi.correlate1d(ints, w, **kw)
            np.testing.assert_allclose(got, sndi.correlate1d(host, w, **kw), rtol=1e-12)
            np.testing.assert_array_equal(got_int, sndi.correlate1d(ints, w, **kw))
    for size, origin in ((1, 0), (2, -1), (3, 1), (5, 0), (6, 2), (8, -3), (9, 0), (12, 1)):
        for axis in (0, 1, 2):
            kw = dict(size=size, axis=axis, mode=mode, cval=0.25, origin=origin)
            with jd.use_target("cuda"):
                low = jndi.minimum_filter1d(host, **kw)
                high = jndi.maximum_filter1d(ints, **kw)
            np.testing.assert_array_equal(low, sndi.minimum_filter1d(host, **kw))
            np.testing.assert_array_equal(high, sndi.maximum_filter1d(ints, **kw))


@pytest.mark.parametrize("mode", ["reflect", "constant", "wrap", "grid-mirror"])
def test_line_passes_on_long_rows_match_scipy_in_the_simulator(mode, monkeypatch):
    # Rows of WARP * WARP_OUTPUTS outputs or more: a thread computes four outputs a warp
    # apart along the contiguous axis, sharing each tap's weight, where all four take
    # every tap inside the array, and one at a time elsewhere (the ends of a line, the
    # first and last rows of an axis that is not the last, a row's last partial warps).
    from jitdispatch.kernels.ndimage import correlate as k

    widths = []
    for name in ("correlate_lines", "correlate_rows"):
        real = getattr(k, name)

        def spy(*args, real=real, **kwargs):
            widths.append(args[-5])  # width, before mode, cval, cast and out
            return real(*args, **kwargs)

        monkeypatch.setattr(k, name, spy)
    row = k.WARP * k.WARP_OUTPUTS
    rng = np.random.default_rng(31)
    host = rng.random((6, row + 37))
    ints = (host * 1000).astype(np.int16)
    cases = [
        ([1.0, 2.0, 1.0], 0),  # symmetric
        ([1.0, 0.0, -1.0], 1),  # antisymmetric
        ([1.0, -2.0, 0.5, 3.0], -1),  # neither
        ([0.5, 1.0, 2.0, 1.0, 0.5], 2),
    ]
    for w, origin in cases:
        for axis in (0, 1):
            kw = dict(axis=axis, mode=mode, cval=0.5, origin=origin)
            with jd.use_target("cuda"):
                got = jndi.correlate1d(host, w, **kw)
                got_int = jndi.correlate1d(ints, w, **kw)
            np.testing.assert_allclose(got, sndi.correlate1d(host, w, **kw), rtol=1e-12)
            np.testing.assert_array_equal(got_int, sndi.correlate1d(ints, w, **kw))
    # eight lines or more: launched (line, block) rather than (block, line)
    host3 = rng.random((9, 2, row + 5))
    for axis, w in ((2, [1.0, -2.0, 0.5, 3.0]), (1, [0.5, 1.0, 0.5])):
        kw = dict(axis=axis, mode=mode, cval=0.5)
        with jd.use_target("cuda"):
            got = jndi.correlate1d(host3, w, **kw)
        np.testing.assert_allclose(got, sndi.correlate1d(host3, w, **kw), rtol=1e-12)
    with jd.use_target("cuda"):  # both axes of one call, in place of the input
        got = host.copy()
        jndi.uniform_filter(got, 5, output=got, mode=mode)
    np.testing.assert_allclose(got, sndi.uniform_filter(host, 5, mode=mode), rtol=1e-12)
    # passes that square their results and add them to the output as they store them
    small = host[:3]
    for name in ("gaussian_gradient_magnitude", "gaussian_laplace"):
        with jd.use_target("cuda"):
            got = getattr(jndi, name)(small, 1.0, mode=mode)
        want = getattr(sndi, name)(small, 1.0, mode=mode)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    assert set(widths) == {k.WARP_OUTPUTS}


@pytest.mark.parametrize("mode", MODES)
def test_uniform_filter1d_on_cuda_matches_scipy_in_the_simulator(mode):
    # On a GPU a float result is a per-output weighted window, an integer result a running
    # sum per line (SciPy's rounding, exactly): both, along both axes, sizes and origins.
    host = np.random.default_rng(9).random((9, 8))
    ints = (host * 1000).astype(np.int16)
    for size, origin in ((1, 0), (2, -1), (4, 1), (5, 0), (12, 2)):
        for axis in (0, 1):
            kw = dict(size=size, axis=axis, mode=mode, cval=0.5, origin=origin)
            with jd.use_target("cuda"):
                got = jndi.uniform_filter1d(host, **kw)
                got32 = jndi.uniform_filter1d(host.astype(np.float32), **kw)
                got_int = jndi.uniform_filter1d(ints, **kw)
            np.testing.assert_allclose(got, sndi.uniform_filter1d(host, **kw), rtol=1e-12)
            want32 = sndi.uniform_filter1d(host.astype(np.float32), **kw)
            np.testing.assert_allclose(got32, want32, rtol=1e-5, atol=1e-6)
            np.testing.assert_array_equal(got_int, sndi.uniform_filter1d(ints, **kw))


# --- rank windows selected by counting (window_count_rank) --------------------------------
#
# On CUDA, rank windows of at most COUNT_MAX points (other than the 3x3 median) select by
# counting: in registers, or reading the window from memory (larger windows, NaN);
# edges gather the window first. Small integer ranges give many ties.

RANK_MODES = [
    "reflect", "constant", "nearest", "mirror", "wrap", "grid-constant", "grid-mirror",
    "grid-wrap",
]
RANK_DTYPES = [
    np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64,
    np.uint64, np.float32, np.float64,
]
FOOT2 = np.array([[1, 0, 1], [0, 1, 1]], bool)
FOOT3 = np.array([[[1, 0], [0, 1]], [[1, 1], [0, 1]], [[0, 1], [1, 0]]], bool)


def _rank_data(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        x = rng.random(shape) * 4 - 2
        x[rng.random(shape) < 0.3] = 0.5  # ties
        return x.astype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    return rng.integers(0, 5, shape).astype(dtype) * (20 if np.dtype(dtype).itemsize > 1 else 1)


def _windows(ndim):
    """(size, footprint, points) of the windows tried on a ``ndim``-D array: every
    number of register slots (4, 8, 9, 12, 16) and windows read from memory (17 to 24)."""
    if ndim == 2:
        return [
            (2, None, 4), (3, None, 9), ((2, 3), None, 6), (None, FOOT2, 4), (4, None, 16),
            ((4, 5), None, 20),
        ]
    return [(2, None, 8), ((2, 3, 3), None, 18), ((2, 3, 2), None, 12), (None, FOOT3, 7)]


def _compare_ranks(x, modes, cval=2.0):
    for mode in modes:
        for k, (size, footprint, count) in enumerate(_windows(x.ndim)):
            kw = dict(size=size, footprint=footprint, mode=mode, cval=cval)
            ranks = {1, count // 2, count - 2, -2}
            percentiles = {30, 50, -30}
            if k == 0:  # the extreme ranks run minimum/maximum_filter: once is enough
                ranks |= {0, count - 1, -1}
                percentiles |= {0, 100}
            for rank in sorted(ranks):
                with jd.use_target("cuda"):
                    got = jndi.rank_filter(x, rank, **kw)
                want = sndi.rank_filter(x, rank, **kw)
                assert got.dtype == want.dtype
                np.testing.assert_array_equal(got, want, err_msg=f"{mode} {size=} {rank=}")
            for percentile in sorted(percentiles):
                with jd.use_target("cuda"):
                    got = jndi.percentile_filter(x, percentile, **kw)
                want = sndi.percentile_filter(x, percentile, **kw)
                np.testing.assert_array_equal(got, want, err_msg=f"{mode} {size=} {percentile=}")


@pytest.mark.parametrize("dtype", RANK_DTYPES)
def test_small_rank_windows_match_scipy_in_the_simulator(dtype):
    _compare_ranks(_rank_data((6, 7), dtype, 11), ["reflect", "constant"])


@pytest.mark.parametrize("mode", RANK_MODES)
def test_small_rank_windows_match_scipy_in_every_mode_in_the_simulator(mode):
    _compare_ranks(_rank_data((6, 7), np.float32, 12), [mode])
    _compare_ranks(_rank_data((7, 6), np.int16, 13), [mode], cval=40)


@pytest.mark.parametrize(
    "mode, dtype",
    [
        ("nearest", np.uint8), ("grid-wrap", np.float64), ("mirror", np.int32),
        ("constant", np.int64),
    ],
)
def test_small_rank_windows_in_3d_match_scipy_in_the_simulator(mode, dtype):
    _compare_ranks(_rank_data((3, 4, 5), dtype, 14), [mode], cval=3.0)


def test_small_rank_windows_count_in_the_simulator(monkeypatch):
    # the cases above do reach the counting kernel, and other outputs are converted
    from jitdispatch.kernels.ndimage import rank

    launched = []
    kernel = rank.window_count_rank

    def spy(*args, **kwargs):
        launched.append(args[-1])
        return kernel(*args, **kwargs)

    monkeypatch.setattr(rank, "window_count_rank", spy)
    x = _rank_data((6, 7), np.uint8, 15)
    with jd.use_target("cuda"):
        got = jndi.rank_filter(x, 1, size=(2, 3), output=np.float64)
        med = jndi.median_filter(x, size=3)  # the 3x3 median keeps its own path
        big = jndi.rank_filter(x, 3, size=(6, 6))  # 36 points: the comparator network
    np.testing.assert_array_equal(got, sndi.rank_filter(x, 1, size=(2, 3), output=np.float64))
    np.testing.assert_array_equal(med, sndi.median_filter(x, size=3))
    np.testing.assert_array_equal(big, sndi.rank_filter(x, 3, size=(6, 6)))
    assert launched == [1]
    _compare_ranks(x, ["wrap"])
    assert len(launched) > 1


def _sorted_rank(x, rank, **kwargs):
    """Rank filter with NaN after every number (``numpy.sort``'s order)."""
    return sndi.generic_filter(x, lambda w: np.sort(w)[rank], **kwargs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_small_rank_windows_order_nan_last_in_the_simulator(dtype):
    # NaN gives undefined results (the CPU's network and SciPy's selection each drop or
    # keep NaN their own way); counting orders NaN after every number, as numpy.sort
    x = _rank_data((6, 7), dtype, 16)
    x[[0, 2, 2, 3, 5], [0, 3, 4, 6, 2]] = np.nan
    x[4, :] = np.nan  # windows with several NaN, some all NaN
    for size, footprint, count in _windows(2):
        for rank in sorted({1, 2, count - 2}):  # (not the 3x3 median: another kernel)
            kw = dict(size=size, footprint=footprint, mode="reflect")
            with jd.use_target("cuda"):
                got = jndi.rank_filter(x, rank, **kw)
            want = _sorted_rank(x, rank, **kw)
            np.testing.assert_array_equal(got, want, err_msg=f"{size=} {rank=}")
            # windows without NaN agree with the CPU and SciPy
            clean = sndi.maximum_filter(np.isnan(x), **kw) == 0
            np.testing.assert_array_equal(got[clean], jndi.rank_filter(x, rank, **kw)[clean])
            np.testing.assert_array_equal(got[clean], sndi.rank_filter(x, rank, **kw)[clean])


def test_kept_parameter_tuples_are_copied_to_the_device_once():
    # Window geometries are kept by the filters and never changed: their device copies
    # are found again by the tuple's identity, without reading the arrays' bytes.
    from jitdispatch.ndimage import _params

    class DeviceArray:  # what the filters' `like` argument is read for: its interface
        def __init__(self):
            self.__cuda_array_interface__ = {
                "shape": (4,),
                "typestr": "<f8",
                "data": (4096, False),
                "version": 3,
            }

    like = DeviceArray()
    kept = (np.arange(3, dtype=np.int64), np.linspace(0.0, 1.0, 5))
    first = _params.device_constants(kept, like)
    assert _params.device_constants(kept, like) is first
    for host, dev in zip(kept, first, strict=True):
        np.testing.assert_array_equal(dev.copy_to_host(), host)
    # an equal tuple made anew is another key; its arrays come from the content cache
    again = _params.device_constants(tuple(a.copy() for a in kept), like)
    assert again is not first
    assert all(a is b for a, b in zip(again, first, strict=True))
    # NumPy inputs take the arrays as they are
    assert _params.device_constants(kept, np.zeros(4)) is kept
