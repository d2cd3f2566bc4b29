"""The correlation family of jitdispatch.ndimage against the installed scipy.ndimage.

Every case runs the SciPy function and ours on the same arguments (NumPy arrays, so the
CPU target): both raise the same exception type, or both return arrays of the same
dtype and shape whose values agree (integers exactly, float64 to 1e-12 and float32 to
1e-5 of the result's scale). Compilation dominates the run time, so cases cycle through
dtypes, shapes and modes instead of taking their product: the kernels' specialisations
are the dtype pairs, and each is compiled once.
"""

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jitdispatch.ndimage as jn
from jitdispatch.ndimage import _support
from jitdispatch.ndimage._filters import _BUFFERED_LINE, _symmetry
from jitdispatch.ndimage._filters import _k as _kc

ndi = pytest.importorskip("scipy.ndimage")
boundary = pytest.importorskip("jitdispatch.kernels.ndimage.boundary")

pytestmark = pytest.mark.cpu

MODES = [
    "reflect",
    "constant",
    "nearest",
    "mirror",
    "wrap",
    "grid-constant",
    "grid-mirror",
    "grid-wrap",
]
DTYPES = [np.uint8, np.int16, np.int32, np.int64, np.float32, np.float64]
SHAPES = [(17,), (6, 7), (4, 5, 6), (3, 1, 4, 5), (1, 9), (2, 3)]
NAMES = [
    "correlate1d",
    "convolve1d",
    "gaussian_filter1d",
    "uniform_filter1d",
    "correlate",
    "convolve",
    "gaussian_filter",
    "uniform_filter",
    "prewitt",
    "sobel",
    "laplace",
    "gaussian_laplace",
    "gaussian_gradient_magnitude",
    "generic_laplace",
    "generic_gradient_magnitude",
]


# --- comparison ------------------------------------------------------------------------


def data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype.kind == "c":
        return (rng.normal(size=shape) + 1j * rng.normal(size=shape)).astype(dtype)
    if dtype.kind in "iu":
        return rng.integers(0, 100, size=shape).astype(dtype)
    return (rng.normal(size=shape) * 10).astype(dtype)


def assert_matches(ours, ref):
    assert type(ours) is type(ref)
    assert ours.dtype == ref.dtype
    assert ours.shape == ref.shape
    if ref.dtype.kind in "biu":
        np.testing.assert_array_equal(ours, ref)
        return
    single = ref.dtype in (np.float32, np.complex64)
    scale = max(float(np.abs(ref).max(initial=0.0)), 1.0)
    err = float(np.abs(ours.astype(np.complex128) - ref).max(initial=0.0))
    assert err <= (1e-5 if single else 1e-12) * scale, f"max error {err}, scale {scale}"


def derivative2_for(module):
    def derivative2(input, axis, output, mode, cval):
        return module.correlate1d(input, [1, -2, 1], axis, output, mode, cval, 0)

    return derivative2


def derivative_for(module):
    def derivative(input, axis, output, mode, cval):
        return module.sobel(input, axis, output, mode, cval)

    return derivative


def call(module, name, args, kwargs):
    if name == "generic_laplace":
        args = (args[0], derivative2_for(module)) + tuple(args[1:])
    elif name == "generic_gradient_magnitude":
        args = (args[0], derivative_for(module)) + tuple(args[1:])
    return getattr(module, name)(*args, **kwargs)


def copy_args(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def compare(name, *args, **kwargs):
    """Run SciPy's and our ``name``; same exception type or matching results."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = call(ndi, name, copy_args(args), kwargs)
    except Exception as exc:
        with pytest.raises(type(exc)), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call(jn, name, copy_args(args), kwargs)
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = call(jn, name, copy_args(args), kwargs)
    assert_matches(ours, ref)
    return ours


# --- boundary helper ----------------------------------------------------------------


def test_mode_codes_agree_with_support():
    for name in ("NEAREST", "WRAP", "REFLECT", "MIRROR", "CONSTANT"):
        assert getattr(boundary, f"MODE_{name}") == getattr(_support, f"MODE_{name}")


def reference_index(i, n, mode):
    if 0 <= i < n:
        return i
    ext = {"nearest": "edge", "wrap": "wrap", "reflect": "symmetric", "mirror": "reflect"}
    if mode == "constant":
        return -1
    if mode == "mirror" and n == 1:
        return 0
    return int(np.pad(np.arange(n), 40, mode=ext[mode])[i + 40])


@pytest.mark.parametrize("mode", ["nearest", "wrap", "reflect", "mirror", "constant"])
def test_map_index(mode):
    code = _support.mode_code(mode)
    for n in range(1, 6):
        for i in range(-6 * n - 2, 6 * n + 2):  # SciPy's N-D windows misread -4n, -6n
            assert boundary.map_index(i, n, code) == reference_index(i, n, mode), (i, n)


def test_symmetry_detection():
    assert _symmetry(np.array([1.0, 2.0, 1.0])) == 1
    assert _symmetry(np.array([1.0, 0.0, -1.0])) == -1
    assert _symmetry(np.array([1.0, 2.0, 3.0])) == 0
    assert _symmetry(np.array([1.0, 1.0])) == 0
    assert _symmetry(np.array([5.0])) == 1
    # SciPy's test is `fabs(a - b) > DBL_EPSILON` breaks the symmetry: NaN does not
    assert _symmetry(np.array([2.0, 1.0, np.nan])) == 1
    assert _symmetry(np.array([np.nan, 1.0, 3.0])) == 1


# --- generated differential cases ---------------------------------------------------


def _weights(rng, n, dtype=np.float64):
    w = rng.normal(size=n)
    if rng.random() < 0.3:
        w = np.round(w * 3)  # integer weights: sums land on integers, as in real filters
    return w.astype(dtype)


def _origin(rng, length):
    return int(rng.integers(-(length // 2), (length - 1) // 2 + 1))


def make_case(name, k):
    """Arguments of case ``k`` of function ``name``: mode, dtype, shape cycle with k."""
    rng = np.random.default_rng(1000 * NAMES.index(name) + k)
    mode = MODES[k % len(MODES)]
    dtype = DTYPES[(k + NAMES.index(name)) % len(DTYPES)]
    shape = SHAPES[(k + 2 * NAMES.index(name)) % len(SHAPES)]
    x = data(shape, dtype, seed=k)
    ndim = x.ndim
    axis = int(rng.integers(-ndim, ndim))
    cval = float(rng.choice([0.0, 2.5, -1.0]))
    if name in ("correlate1d", "convolve1d"):
        n = int(rng.integers(1, 8))
        return (x, _weights(rng, n), axis), dict(mode=mode, cval=cval, origin=_origin(rng, n))
    if name == "gaussian_filter1d":
        kw = dict(order=int(rng.integers(0, 3)), mode=mode, cval=cval)
        if k % 3 == 0:
            kw["radius"] = int(rng.integers(0, 4))
        else:
            kw["truncate"] = float(rng.choice([1.5, 4.0]))
        return (x, float(rng.uniform(0.5, 2.0)), axis), kw
    if name == "uniform_filter1d":
        n = int(rng.integers(1, 8))
        return (x, n, axis), dict(mode=mode, cval=cval, origin=_origin(rng, n))
    if name in ("correlate", "convolve"):
        wshape = tuple(int(rng.integers(1, 5)) for _ in range(ndim))
        origin = [_origin(rng, n) for n in wshape]
        return (x, _weights(rng, wshape)), dict(mode=mode, cval=cval, origin=origin)
    if name == "gaussian_filter":
        sigma = [float(s) for s in rng.uniform(0.3, 1.5, size=ndim)]
        order = [int(o) for o in rng.integers(0, 2, size=ndim)]
        modes = [MODES[(k + d) % len(MODES)] for d in range(ndim)]
        return (x, sigma), dict(order=order, mode=modes, cval=cval, truncate=3.0)
    if name == "uniform_filter":
        size = [int(s) for s in rng.integers(1, 5, size=ndim)]
        origin = [_origin(rng, n) for n in size]
        modes = [MODES[(k + d) % len(MODES)] for d in range(ndim)]
        return (x,), dict(size=size, mode=modes, cval=cval, origin=origin)
    if name in ("prewitt", "sobel"):
        return (x, axis), dict(mode=mode, cval=cval)
    if name == "laplace":
        return (x,), dict(mode=mode, cval=cval)
    if name in ("gaussian_laplace", "gaussian_gradient_magnitude"):
        return (x, float(rng.uniform(0.5, 1.5))), dict(mode=mode, cval=cval, truncate=2.5)
    if name in ("generic_laplace", "generic_gradient_magnitude"):
        out = np.float64 if dtype in (np.uint8,) else None  # keep uint8 gradients meaningful
        return (x,), dict(output=out, mode=mode, cval=cval)
    raise AssertionError(name)


CASES = [(name, k) for name in NAMES for k in range(len(MODES))]


@pytest.mark.parametrize(("name", "k"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_matches_scipy(name, k):
    args, kwargs = make_case(name, k)
    compare(name, *args, **kwargs)


# --- complex data --------------------------------------------------------------------

COMPLEX = [
    # (input dtype, weights dtype)
    (np.complex128, np.float64),
    (np.float64, np.complex128),
    (np.complex128, np.complex128),
    (np.complex64, np.complex128),
    (np.float32, np.complex128),
]


@pytest.mark.parametrize(("in_dtype", "w_dtype"), COMPLEX)
@pytest.mark.parametrize("name", ["correlate1d", "convolve1d", "correlate", "convolve"])
def test_complex(name, in_dtype, w_dtype):
    rng = np.random.default_rng(3)
    x = data((5, 6), in_dtype)
    one_d = name.endswith("1d")
    w = data((4,) if one_d else (3, 2), w_dtype, seed=5)
    cval = 1.5 - 0.5j if np.dtype(in_dtype).kind == "c" else 1.5
    kwargs = dict(mode=MODES[int(rng.integers(0, 8))], cval=cval, origin=-1)
    compare(name, x, w, **kwargs)
    compare(name, x, w, output=np.complex64, mode="constant", cval=cval)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex_separable(dtype):
    x = data((6, 7), dtype)
    compare("uniform_filter", x, 3, mode="wrap", cval=1 + 2j)
    compare("uniform_filter1d", x, 4, axis=0, mode="constant", cval=1 - 2j)
    compare("gaussian_filter", x, 1.2, mode="mirror")
    compare("gaussian_filter1d", x, 0.8, order=1, mode="constant", cval=0.5j)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex_chains_run_on_real_planes(dtype, monkeypatch):
    # complex NumPy data with real weights: each part copied into contiguous memory and
    # its passes run there (1, 2 and 3 passes; into another part dtype; an output array
    # of its own, contiguous or not, or the input itself)
    planes = []
    run = jn._filters._run_planes

    def counted(*args, **kwargs):
        planes.append(args[0].shape)
        return run(*args, **kwargs)

    monkeypatch.setattr(jn._filters, "_run_planes", counted)
    x2, x3 = data((20, 30), dtype, seed=6), data((6, 7, 8), dtype, seed=7)
    compare("correlate1d", x2, [1.0, -2.0, 0.5], axis=1, mode="constant", cval=2 - 1j)
    compare("gaussian_filter", x2, 1.2, mode="mirror")
    compare("gaussian_filter", x3, [0.8, 1.0, 1.5], mode="constant", cval=-1 + 3j)
    compare("uniform_filter", x3, 3, output=np.complex128, mode="wrap")
    compare("sobel", x3, axis=1, output=np.complex64)
    compare("gaussian_laplace", x2, 1.0, mode="nearest")
    assert len(planes) >= 6
    out = np.zeros((20, 60), np.complex128)[:, ::2]
    jn.uniform_filter(x2, 4, out, mode="constant", cval=1j)
    assert_matches(out.copy(), ndi.uniform_filter(x2, 4, np.complex128, mode="constant", cval=1j))
    y, y_ref = x2.copy(), x2.copy()  # the output is the input
    jn.gaussian_filter(y, 1.0, output=y)
    ndi.gaussian_filter(y_ref, 1.0, output=y_ref)
    assert_matches(y, y_ref)


def test_complex_gradient_magnitudes_take_complex128_roots():
    # NumPy's complex square root runs on one core; a kernel takes it in complex128
    # (for 1024 values and more): results may differ from NumPy's in the last bit
    for dtype in (np.complex64, np.complex128):
        x = data((40, 30), dtype, seed=9)
        compare("gaussian_gradient_magnitude", x, 1.3, mode="reflect")
        compare("generic_gradient_magnitude", x, mode="constant", cval=1 - 1j)
    z = data((64, 32), np.complex128, seed=10)
    z.flat[:6] = [0, -0.0, -1 + 0j, complex(-4, -0.0), complex(0, -4), complex(-1e300, 1)]
    root, expected = z.copy(), np.sqrt(z)
    jn._filters._sqrt(root)
    np.testing.assert_allclose(root, expected, rtol=4e-16, atol=0)
    for part in ("real", "imag"):  # the principal root's signs, zeros included
        got, want = getattr(root[0, :6], part), getattr(expected[0, :6], part)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


def test_complex_cval_with_real_input_raises():
    compare("correlate1d", data((5,), np.float64), np.array([1j, 2.0]), cval=1j)
    compare("correlate", data((3, 4), np.float64), np.ones((2, 2), complex), cval=1j)


# --- outputs, aliasing, axes, sizes ------------------------------------------------------


OUTPUT_DTYPES = [np.uint8, np.int16, np.int64, np.float32, np.float64, np.uint32]


@pytest.mark.parametrize("out_dtype", OUTPUT_DTYPES)
def test_output_dtype_and_truncation(out_dtype):
    x = data((5, 6), np.float64) / 3.0  # fractions and negative values: C truncation
    compare("correlate1d", x, [0.5, 1.25, -0.75], 0, out_dtype, mode="nearest")
    compare("correlate", x, np.array([[1.0, -2.0], [0.5, 3.0]]), out_dtype)
    compare("uniform_filter", x, 3, out_dtype)


def test_output_array_and_aliasing():
    x = data((6, 7), np.float64)
    for name, args in [
        ("correlate1d", ([1.0, 2.0, 0.5], 0)),
        ("correlate", (np.arange(6.0).reshape(2, 3),)),
        ("gaussian_filter", (1.0,)),
        ("uniform_filter", (3,)),
        ("sobel", (0,)),
        ("laplace", ()),
        ("gaussian_gradient_magnitude", (1.0,)),
    ]:
        ref = getattr(ndi, name)(x, *args)
        out = np.empty_like(x)
        assert getattr(jn, name)(x, *args, output=out) is out
        assert_matches(out, ref)
        # a non-contiguous output and one aliasing the input
        wide = np.zeros((6, 14))
        assert getattr(jn, name)(x, *args, output=wide[:, ::2]).base is wide
        assert_matches(wide[:, ::2].copy(), ref)
        y, y_ref = x.copy(), x.copy()
        getattr(ndi, name)(y_ref, *args, output=y_ref)
        assert getattr(jn, name)(y, *args, output=y) is y
        assert_matches(y, y_ref)


def test_uint8_gradient_magnitudes_take_numpys_square_roots(monkeypatch):
    # NumPy takes a uint8's square root in float16; the square roots of a uint8 gradient
    # magnitude are its results looked up (`_sqrt`), for arrays of 1024 values and more
    # (the last lines check the lookup for every byte)
    looked_up = []
    kernel = jn._filters._k.table_into

    def counted(*args, **kwargs):
        looked_up.append(kwargs["ndrange"])
        return kernel(*args, **kwargs)

    monkeypatch.setattr(jn._filters._k, "table_into", counted)
    x = np.random.default_rng(8).integers(0, 256, (48, 40), dtype=np.uint8)
    for mode in ("reflect", "constant"):
        compare("gaussian_gradient_magnitude", x, 1.2, mode=mode, cval=3.0)
        compare("generic_gradient_magnitude", x, mode=mode)
        compare("gaussian_gradient_magnitude", x.astype(np.float64), 1.2, output=np.uint8)
    assert looked_up and all(n == x.size for n in looked_up)
    everything = np.arange(256, dtype=np.uint8).reshape(16, 16).repeat(4, axis=0)
    root = everything.copy()
    jn._filters._sqrt(root)
    expected = everything.copy()
    np.sqrt(expected, expected, casting="unsafe")
    np.testing.assert_array_equal(root, expected)


@pytest.mark.parametrize("out_dtype", [None, np.uint8, np.int16, np.float32, np.uint32])
def test_derivative_sums_fold_into_the_passes(monkeypatch, out_dtype):
    """laplace, gaussian_laplace and gaussian_gradient_magnitude square and add each
    derivative in the store of its last pass (no temporary): the rounding to the
    output dtype, the wrap-around of integer squares and sums, and every mode must be
    SciPy's. The generic functions must not run where the folded path applies."""

    def refuse(*args, **kwargs):
        raise AssertionError("the folded path should have run")

    x2 = data((9, 11), np.float32, seed=4)
    x3 = data((5, 6, 7), np.int16, seed=5)
    with monkeypatch.context() as patched:
        patched.setattr(jn._filters, "generic_laplace", refuse)
        patched.setattr(jn._filters, "generic_gradient_magnitude", refuse)
        for k, mode in enumerate(MODES):
            for x in (x2, x3):
                kw = dict(output=out_dtype, mode=mode, cval=-2.5)
                compare("laplace", x, **kw)
                compare("gaussian_laplace", x, 0.9 + 0.2 * k, truncate=2.0, **kw)
                compare("gaussian_gradient_magnitude", x, 0.7, radius=k % 3 + 1, **kw)
        compare("laplace", x3, axes=(2, 0), mode=["wrap", "constant"], output=out_dtype)
        compare("gaussian_laplace", x3, [1.0, 0.5], axes=(0, 2), output=out_dtype)
        compare("gaussian_gradient_magnitude", x3, [1.0, 0.5, 0.8], axes=(1,))
        # an output array of its own, contiguous or not
        out = np.zeros(x2.shape, out_dtype or x2.dtype)
        assert jn.laplace(x2, out) is out
        assert_matches(out, ndi.laplace(x2, np.zeros_like(out)))
        wide = np.zeros((9, 22), out_dtype or x2.dtype)
        jn.gaussian_gradient_magnitude(x2, 1.0, wide[:, ::2])
        assert_matches(wide[:, ::2].copy(), ndi.gaussian_gradient_magnitude(x2, 1.0, wide.dtype))
    # the output is the input: SciPy's later derivatives read the first one's result,
    # which the generic path reproduces
    y, y_ref = x2.copy(), x2.copy()
    ndi.gaussian_laplace(y_ref, 1.0, y_ref)
    jn.gaussian_laplace(y, 1.0, y)
    assert_matches(y, y_ref)


def test_kept_plans_follow_the_arguments():
    """Plans are kept for repeated calls (a GPU call would wait on the checks): a
    caller's weights changed in place, a cval of -0.0 after one of 0.0, a warning, and
    an output array must all still give SciPy's result or behaviour on every call."""
    x = data((6, 7), np.float64, seed=8)
    w = np.array([1.0, 2.0, 0.5])
    first = jn.correlate1d(x, w, mode="constant")
    w[1] = -3.0  # the caller changes its weights: a kept plan must not see it
    assert_matches(jn.correlate1d(x, w, mode="constant"), ndi.correlate1d(x, w, mode="constant"))
    again = np.array([1.0, 2.0, 0.5])  # the first weights again, in a new array
    assert_matches(jn.correlate1d(x, again, mode="constant"), first)
    ones = np.ones((3, 3))
    assert_matches(jn.correlate(x, ones), ndi.correlate(x, ones))
    ones[0, 0] = 5.0
    assert_matches(jn.correlate(x, ones), ndi.correlate(x, ones))
    # -0.0 and 0.0 are different cvals (the sign of a zero result follows them)
    for cval in (0.0, -0.0, 0.0):
        zeros = -np.zeros(4)  # -0.0 everywhere: the ends are -0.0 only with a cval of -0.0
        ours = jn.correlate1d(zeros, [1.0, 1.0, 1.0], mode="constant", cval=cval)
        ref = ndi.correlate1d(zeros, [1.0, 1.0, 1.0], mode="constant", cval=cval)
        assert np.array_equal(np.signbit(ours), np.signbit(ref)), cval
    # a warning is given on every call, not only the first
    for _ in range(2):
        with pytest.warns(UserWarning, match="ignoring size"):
            jn.maximum_filter(x, size=3, footprint=np.ones((2, 2), bool))
    # an output array (here the input itself) is never part of a kept plan
    for _ in range(2):
        y, y_ref = x.copy(), x.copy()
        assert_matches(jn.uniform_filter(y, 3, y), ndi.uniform_filter(y_ref, 3, y_ref))


def test_spare_memory_is_reused_correctly_across_calls_and_threads():
    """Arrays of 1 MiB or more keep their passes' spare memory (and the C-contiguous
    copies of strided inputs) for the next call (``_support.SPARES``): repeated calls,
    several filters in turn, and calls from two threads at once must each still give
    SciPy's result."""
    import concurrent.futures

    big = data((384, 512), np.float64, seed=5)  # 1.5 MiB: lent, not NumPy's own
    other = data((512, 512), np.float32, seed=6)  # 1 MiB, another dtype: the same memory
    calls = [
        ("gaussian_filter", big, (1.5,)),
        ("uniform_filter", other, (5,)),
        ("prewitt", big, ()),
        ("gaussian_laplace", other, (1.0,)),
        ("gaussian_gradient_magnitude", big, (1.0,)),
        ("minimum_filter", big, (7,)),
        ("maximum_filter", other, (6,)),
        # strided inputs are copied into lent memory first (C-contiguous for the kernels)
        ("gaussian_laplace", big.T, (1.0,)),
        ("sobel", big[:, ::-1], ()),
        ("minimum_filter", other[::-1], (4,)),
        ("uniform_filter1d", big.T, (5,)),
    ]
    expected = [getattr(ndi, name)(x, *args) for name, x, args in calls]
    for _ in range(2):
        for (name, x, args), ref in zip(calls, expected, strict=True):
            assert_matches(getattr(jn, name)(x, *args), ref)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for _ in range(3):
            results = list(pool.map(lambda c: getattr(jn, c[0])(c[1], *c[2]), calls))
            for got, ref in zip(results, expected, strict=True):
                assert_matches(got, ref)


@pytest.mark.parametrize("layout", ["fortran", "transposed"])
def test_inputs_and_outputs_in_other_layouts(layout):
    # large enough (>= 256 KiB) for the tiled copy between layouts, both ways: a
    # Fortran-ordered input copied to C order for the kernels, a Fortran-ordered output
    # filled from the C-ordered result; the result as SciPy's (a new array is C-ordered)
    x2 = data((300, 260), np.float32, seed=3)
    x3 = data((40, 50, 60), np.float64, seed=4)

    def arrange(x):
        return np.asfortranarray(x) if layout == "fortran" else x.T.copy().T

    calls = [
        ("gaussian_filter", x2, (1.5,), {}),
        ("uniform_filter", x3, (3,), {"mode": "wrap"}),
        ("correlate", x2, (np.arange(6.0).reshape(2, 3),), {"mode": "constant"}),
        ("correlate1d", x3, ([1.0, -2.0, 0.5],), {"axis": 1}),
        ("sobel", x3, (), {"axis": 0}),
        ("gaussian_gradient_magnitude", x2, (1.0,), {}),
    ]
    for name, x, args, kwargs in calls:
        ref = getattr(ndi, name)(x, *args, **kwargs)
        got = getattr(jn, name)(arrange(x), *args, **kwargs)
        assert got.flags.c_contiguous
        assert_matches(got, ref)
        out = arrange(np.zeros_like(ref))
        assert getattr(jn, name)(arrange(x), *args, output=out, **kwargs) is out
        assert_matches(out, ref)


def test_non_contiguous_and_readonly_input():
    x = data((8, 10), np.float32)
    view = x[::2, 1::3]
    compare("correlate", view, np.ones((2, 3)))
    compare("gaussian_filter", view, 1.0)
    compare("uniform_filter1d", x.T, 3, 0)
    frozen = x.copy()
    frozen.flags.writeable = False
    compare("sobel", frozen)


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
def test_numpy_subclasses_are_read_as_ndarrays(tmp_path):
    # SciPy reads np.matrix and np.memmap inputs through np.asarray and returns ndarrays.
    # A matrix's indexing keeps two axes, so one that reached a kernel did not type.
    x = data((6, 7), np.float64)
    mapped = np.memmap(tmp_path / "x.dat", dtype=x.dtype, mode="w+", shape=x.shape)
    mapped[...] = x
    calls = [
        ("correlate", (np.ones((3, 3)),), {}),
        ("gaussian_filter", (1.0,), {}),
        ("sobel", (), {}),
        ("uniform_filter1d", (3,), {"output": np.float32}),
        ("median_filter", (3,), {}),
        ("minimum_filter1d", (3,), {}),
        ("percentile_filter", (30, 3), {}),
        ("generic_filter", (np.max, 3), {}),
        ("vectorized_filter", (np.max,), {"size": 3}),
    ]
    for inp in (np.matrix(x), np.matrix(x.astype(np.int16)), mapped):
        for name, args, kwargs in calls:
            compare(name, inp, *args, **kwargs)  # an ndarray, as SciPy's
    # an output of a subclass is written in place; SciPy returns a plain ndarray view of
    # it (a matrix output once sent the kernels past the array's end)
    for name, args, kwargs in calls[:-1]:
        kwargs = {k: v for k, v in kwargs.items() if k != "output"}
        ours, theirs = np.matrix(np.zeros(x.shape)), np.matrix(np.zeros(x.shape))
        result = getattr(jn, name)(x, *args, output=ours, **kwargs)
        expected = getattr(ndi, name)(x, *args, output=theirs, **kwargs)
        assert type(result) is type(expected) is np.ndarray
        assert np.shares_memory(result, ours)
        assert_matches(result, expected)
        assert_matches(np.asarray(ours), np.asarray(theirs))


def test_axes_and_per_axis_arguments():
    x = data((4, 5, 6), np.float64)
    compare("gaussian_filter", x, [1.0, 0.5], axes=(2, 0), mode=["wrap", "nearest"])
    compare("uniform_filter", x, [3, 2], origin=[1, 0], axes=(-1, 1), mode=["mirror", "wrap"])
    compare("correlate", x, np.ones((2, 3)), axes=(0, 2), origin=[0, -1])
    compare("convolve", x, np.ones((3,)), axes=1, mode="constant", cval=2.0)
    compare("laplace", x, axes=(1,), mode=["constant"])
    compare("gaussian_laplace", x, [1.0, 2.0], axes=(0, 2))
    compare("gaussian_gradient_magnitude", x, 1.0, axes=(1, 2), radius=2)
    compare("gaussian_filter", x, 0.0)  # every sigma zero: a copy
    compare("uniform_filter", x, 1)  # every size one: a copy
    compare("laplace", x, axes=())


def test_filters_larger_than_input_and_unit_axes():
    x = data((3, 1, 2), np.float64)
    for mode in MODES:
        compare("correlate1d", x, np.arange(1.0, 8.0), 0, mode=mode, cval=1.5)
        compare("uniform_filter1d", x, 6, 2, mode=mode, origin=-3)
        compare("correlate", x, np.arange(1.0, 46.0).reshape(5, 3, 3), mode=mode, origin=(0, 1, 0))
        compare("gaussian_filter", x, 3.0, mode=mode)


# --- the kernels' paths: chunks, blocks, line edges, one output per index --------------


def _weight_kinds(rng, n):
    """Weights of ``n`` taps: asymmetric, and for odd ``n`` symmetric and antisymmetric
    (SciPy sums those in another order, and so do the kernels)."""
    w = rng.normal(size=n)
    kinds = [w]
    if n % 2:
        kinds += [w + w[::-1], w - w[::-1]]
    return kinds


@pytest.mark.parametrize("mode", MODES)
def test_long_lines_chunks_and_edges(mode):
    """Lines of many chunks with a remainder, split into several blocks (one long line),
    with weights that fit the extended float64 copy of a chunk's inputs at a line's edge
    and weights too long for it (the outputs there computed one at a time)."""
    rng = np.random.default_rng(5)
    one_line = data((70001,), np.float64, seed=1)
    lines = data((3, 1000), np.float32, seed=2)
    fits = int(_kc.EXTENDED) - int(_kc.CHUNK) + 1  # the most taps a whole chunk's copy holds
    for n in (1, 4, 17, 65, 150, fits, fits + 1):
        for w in _weight_kinds(rng, n):
            origin = _origin(rng, n)
            if n < fits:
                compare("correlate1d", one_line, w, mode=mode, cval=1.5, origin=origin)
            compare("correlate1d", lines, w, 1, mode=mode, origin=origin)
            compare("correlate1d", lines.T.copy(), w, 0, mode=mode, cval=-2.0)
    compare("correlate", lines, rng.normal(size=(3, 70)), mode=mode, cval=-1.0, origin=(0, 5))
    columns = data((70, 150), np.int32, seed=3)  # 150 lines along axis 0: chunks and a rest
    for size in (1, 4, 9, 80):
        compare("uniform_filter1d", columns, size, 0, mode=mode, cval=3.5, origin=size // 3)
        compare("uniform_filter1d", lines, size, 1, mode=mode, cval=-1.5, origin=-(size // 3))
    compare("uniform_filter1d", lines, 1200, 1, mode=mode, cval=2.0)  # longer than a line
    compare("correlate", one_line, rng.normal(size=9), mode=mode, origin=-4)


@pytest.mark.parametrize("mode", ["reflect", "constant", "wrap"])
def test_short_weights_to_the_last_bit(mode):
    """Up to 5 taps along the last axis, the outputs whose taps are all inside the line
    are summed in one loop with the taps in registers: still in SciPy's order, so the
    results are SciPy's to the last bit (the edges take the chunk path)."""
    rng = np.random.default_rng(8)
    lines = data((4, 1003), np.float64, seed=4)
    for n in range(1, 6):
        for w in _weight_kinds(rng, n):
            for origin in {0, _origin(rng, n)}:
                kw = dict(mode=mode, cval=0.5, origin=origin)
                np.testing.assert_array_equal(
                    jn.correlate1d(lines, w, **kw), ndi.correlate1d(lines, w, **kw)
                )
                np.testing.assert_array_equal(
                    jn.correlate1d(lines, w, output=np.int32, **kw),
                    ndi.correlate1d(lines, w, output=np.int32, **kw),
                )
                # float32 inputs, and lines in blocks of a long one
                one = lines[:, :1000].astype(np.float32).reshape(-1)
                np.testing.assert_array_equal(
                    jn.convolve1d(one, w, **kw), ndi.convolve1d(one, w, **kw)
                )


@pytest.mark.parametrize("mode", ["reflect", "constant", "nearest", "mirror", "wrap"])
def test_buffered_lines_to_the_last_bit(mode):
    """Passes along the last axis that go through the CPU's line buffer: lines short
    enough for their dtype (`_BUFFERED_LINE`: float64, float32; integers as long as the
    buffer holds) several to an index (any weights, and running means); longer lines
    take the other kernels. The correlation runs over each line's extended copy in
    SciPy's order and the running mean sums as SciPy's does (four lines side by side,
    and the lines left over one at a time), so results are SciPy's to the last bit, at
    the ends of lines as well; each dtype's longest buffered line and the next length
    are here, windows longer than the line too."""
    rng = np.random.default_rng(10)
    f8, f4 = _BUFFERED_LINE[np.dtype(np.float64)], _BUFFERED_LINE[np.dtype(np.float32)]
    fits = int(_kc.BUFFERED) - 39  # with 40 weights, the longest line the buffer holds
    cases = [(np.float64, length) for length in (1, 3, 8, 33, f8, f8 + 1, 300)]
    cases += [(np.float32, f4), (np.float32, f4 + 1), (np.int16, fits), (np.int16, fits + 1)]
    for dtype, length in cases:
        x = data((42, length), dtype, seed=length)  # 42 lines: 4 to an index, 2 left over
        for n in (1, 2, 3, 5, 6, 9, 40):
            for w in _weight_kinds(rng, n):
                kw = dict(mode=mode, cval=0.5, origin=_origin(rng, n))
                np.testing.assert_array_equal(
                    jn.correlate1d(x, w, **kw), ndi.correlate1d(x, w, **kw)
                )
        for size in (1, 2, 5, 9, 200):
            kw = dict(mode=mode, cval=0.5, origin=_origin(rng, size))
            np.testing.assert_array_equal(
                jn.uniform_filter1d(x, size, **kw), ndi.uniform_filter1d(x, size, **kw)
            )
    ints = data((500, 7), np.int16, seed=11)  # running sums rounded into integers
    compare("uniform_filter1d", ints, 4, mode=mode, cval=3.0, output=np.uint8)
    ints = data((6, 1100), np.int16, seed=12)  # lines too long for the buffer
    for size in (4, 1500):
        compare("uniform_filter1d", ints, size, mode=mode, cval=3.0, output=np.uint8)
    compare("correlate1d", ints, [1.0, -2.5, 3.0, 0.5, 1.0, 2.0], mode=mode, output=np.int8)


@pytest.mark.parametrize("mode", ["reflect", "constant", "wrap", "mirror"])
def test_window_rows_to_the_last_bit(mode):
    """N-D windows: in rows whose windows stay inside the other axes, the outputs near
    the row's ends are computed one at a time and the rest in chunks, four taps per
    loop; every output still sums its taps in SciPy's order, so results are SciPy's to
    the last bit. Rows of 1 to 2 chunks, windows of 1 to 27 taps, origins."""
    rng = np.random.default_rng(9)
    for shape in ((5, 6, 130), (3, 4, 64), (4, 7)):
        x = data(shape, np.float64, seed=len(shape))
        for wshape in ((3, 3, 3), (2, 2, 2), (1, 3, 5), (3, 1, 1), (2, 3)):
            if len(wshape) != len(shape):
                continue
            w = rng.normal(size=wshape)
            for origin in (0, tuple(-(n // 2) for n in wshape)):
                kw = dict(mode=mode, cval=0.5, origin=origin)
                np.testing.assert_array_equal(
                    jn.correlate(x, w, **kw), ndi.correlate(x, w, **kw)
                )
                np.testing.assert_array_equal(
                    jn.correlate(x, w, output=np.int32, **kw),
                    ndi.correlate(x, w, output=np.int32, **kw),
                )


def test_one_output_per_index_as_on_a_gpu(monkeypatch):
    """The launches a GPU gets (``jd.lanes`` is 1 on CUDA: one output per index, summed
    in a register), run here on the CPU."""
    import jitdispatch

    monkeypatch.setattr(jitdispatch, "lanes", lambda like: 1)
    rng = np.random.default_rng(6)
    x = data((5, 6, 7), np.float64, seed=3)
    for mode in MODES:
        for w in _weight_kinds(rng, 5):
            for axis in (0, 1, 2):
                compare("correlate1d", x, w, axis, mode=mode, cval=2.5, origin=1)
        compare("correlate1d", x, rng.normal(size=4), 2, mode=mode, origin=-2)
        compare("correlate", x, rng.normal(size=(2, 3, 4)), mode=mode, cval=-1.0, origin=1)
        compare("gaussian_filter", x.astype(np.float32), 1.0, mode=mode)
        compare("correlate1d", data((3, 1000), np.int16), [1.0, 2.0, 1.0], 1, mode=mode)
        compare("uniform_filter", x, (3, 4, 2), mode=mode, cval=-0.5, origin=(1, -2, 0))


def test_empty_and_zero_dim():
    compare("gaussian_filter", np.zeros((0, 4)), 1.0)
    compare("correlate", np.zeros((3, 0)), np.ones((2, 2)))
    compare("uniform_filter1d", np.zeros((0,)), 3)
    compare("gaussian_filter", np.float64(3.0), 1.0)
    compare("correlate1d", np.ones(()), [1.0])


def test_bool_and_other_integer_inputs():
    x = data((6, 5), np.int64) % 2 == 0
    compare("correlate", x, np.ones((2, 2)))
    compare("correlate1d", x, [0.5, 0.25], output=np.float64)
    compare("uniform_filter", data((5, 6), np.int8), 3, output=np.float64)
    compare("sobel", data((5, 6), np.uint16), output=np.int32)


def _bool_bytes_match(name, *args, **kwargs):
    want = call(ndi, name, copy_args(args), kwargs)
    got = call(jn, name, copy_args(args), kwargs)
    assert got.dtype == want.dtype == np.bool_
    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8), err_msg=name)


def test_bool_outputs_hold_scipys_bytes():
    # SciPy stores the low byte of a truncated result in a bool output (256 -> False,
    # -1 -> a byte of 255), and a later pass of the same filter reads those bytes; NumPy's
    # in-place steps of the derivative filters treat them as bools (and / or)
    x = np.array([[0.0, 1.0, 256.0, 3.0, -1.0, 0.5, 200.0, 0.0, 512.0, -256.0]] * 3)
    _bool_bytes_match("correlate1d", x, [1.0], output=bool)
    _bool_bytes_match("correlate1d", x, [1.0, -2.0, 1.0], axis=1, output=bool)
    _bool_bytes_match("correlate", x, np.array([[1.0, -1.0], [2.0, 0.5]]), output=bool)
    mask = data((9, 11), np.float64) > 0.4  # bool input: bool output by default
    for name in ("sobel", "prewitt", "laplace"):
        for mode in ("reflect", "constant", ["wrap", "nearest"]):
            _bool_bytes_match(name, mask, mode=mode)
    for name in ("gaussian_filter", "gaussian_laplace", "gaussian_gradient_magnitude"):
        _bool_bytes_match(name, mask, 0.8)
    _bool_bytes_match("uniform_filter", mask, 3)
    _bool_bytes_match("generic_gradient_magnitude", mask)  # (call() adds the derivative)
    out = np.empty(mask.shape, bool)
    assert jn.sobel(mask, axis=0, output=out) is out
    np.testing.assert_array_equal(out.view(np.uint8), ndi.sobel(mask, axis=0).view(np.uint8))


def test_bool_arrays_reach_the_kernels_as_bytes_in_their_own_library(monkeypatch):
    import sys
    import types

    x = np.array([True, False])
    assert _support.kernel_view(x).dtype == np.uint8 and _support.kernel_view(x).base is x
    floats = np.zeros(2)
    assert _support.kernel_view(floats) is floats
    # a torch tensor's view takes torch's dtype (a stand-in: torch is not installed here)
    fake_torch = types.SimpleNamespace(uint8="torch.uint8")
    monkeypatch.setitem(sys.modules, "torch", fake_torch)
    dtype = type("dtype", (), {"__module__": "torch", "__str__": lambda self: "torch.bool"})
    Tensor = type("Tensor", (), {"__module__": "torch", "dtype": dtype()})
    Tensor.view = lambda self, dtype: ("view", dtype)
    assert _support.kernel_view(Tensor()) == ("view", "torch.uint8")


def test_negative_results_into_unsigned_wrap_like_scipy():
    compare("sobel", data((6, 6), np.uint8))
    compare("laplace", data((6, 6), np.uint8))
    # uint64 too: C converts through int64 below 2**63 (a direct conversion saturates)
    big = np.array([[0, 0, 5, 5, 0, 0, 2**63 + 2048, 2**64 - 4096]] * 3, np.uint64)
    for name in ("sobel", "prewitt", "laplace", "generic_gradient_magnitude"):
        compare(name, big)
    compare("correlate1d", big, [-1.0, 0.0, 1.0])
    compare("gaussian_laplace", big, 1.0)
    x = np.array([[-5.0, -0.5, 7.0, 1e19, 2.0**63, -3e9, np.nan]] * 2)
    with np.errstate(invalid="ignore"):
        for weights in ([1.0], [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]):
            compare("correlate1d", x, weights, output=np.uint64)
        compare("correlate", x, np.ones((1, 1)), output=np.uint64)
        compare("uniform_filter", x, 1, output=np.uint64)
    # narrower types go through int32 as C's conversions do (2**31 + 7 gives 0 in int16),
    # uint32 through int64 (-5 gives 2**32 - 5)
    wide = np.array([[2.0**31 + 7, -(2.0**31) - 9, 3e9 + 1, 70000.7, -70000.7, -1.5]] * 2)
    with np.errstate(invalid="ignore"):
        for out in (np.int8, np.uint8, np.int16, np.uint16, np.uint32):
            compare("correlate1d", wide, [1.0], output=out)
            compare("correlate", wide, np.ones((1, 1)), output=out)
        _bool_bytes_match("correlate1d", wide, [1.0], output=bool)


def test_the_other_byte_order_like_scipy():
    # big-endian data ('>f8' here): kernels read native numbers, so inputs are filtered
    # from a native copy and results converted to an output dtype in that order
    x = data((6, 7), np.float64)
    calls = [
        ("uniform_filter", (3,), {}),
        ("correlate1d", ([1.0, 2.0, 1.0],), {}),
        ("sobel", (), {}),
        ("median_filter", (), {"size": 3}),
        ("minimum_filter", (), {"size": (2, 3)}),
        ("generic_filter", (np.max,), {"size": 2}),
    ]
    for name, args, kwargs in calls:
        for inp in (x.astype(">f8"), (x * 100).astype(">i4")):
            for out in (None, ">f8", np.dtype(">i2")):
                compare(name, inp, *args, output=out, **kwargs)  # dtypes included
            given = np.zeros(x.shape, ">f4")
            assert getattr(jn, name)(inp, *args, output=given, **kwargs) is given
            expected = getattr(ndi, name)(inp, *args, output=np.zeros(x.shape, ">f4"), **kwargs)
            np.testing.assert_array_equal(given, expected)


def test_gaussian_derivatives_to_the_last_bit():
    # the kernels come from SciPy's arithmetic: a NumPy float32 sigma stays float32, and
    # the derivative polynomials are matrix products (an evaluation by Horner's rule
    # was 3e-17 off for sigma 1.7, order 2: 1-17 units in int64 results near 1e17)
    x = data((7, 31), np.float64) * 1e17
    for sigma in (1.7, 3.0, np.float32(1.7), np.float32(0.8)):
        for order in (1, 2, 3):
            got = jn.gaussian_filter1d(x, sigma, order=order)
            np.testing.assert_array_equal(got, ndi.gaussian_filter1d(x, sigma, order=order))
        big = x.astype(np.int64)
        np.testing.assert_array_equal(
            jn.gaussian_laplace(big, sigma), ndi.gaussian_laplace(big, sigma)
        )


def test_zero_dim_input_and_empty_weights_like_scipy():
    for name in ("correlate", "convolve"):
        compare(name, np.array(2.0), np.array(3.0))
        compare(name, np.array(7, np.int16), np.array(-0.5))
        compare(name, np.arange(5.0), np.ones((0, 3)))  # sums of no taps
        compare(name, np.ones((3, 4)), np.ones((0, 3, 3)))


def test_generic_derivative_filters_start_from_zeros():
    # SciPy's output starts as zeros: a derivative function that returns its result
    # without writing its `output` argument leaves them (the first axis adds nothing)
    def returns_only(input, axis, output, mode, cval):
        return ndi.correlate1d(input, [-1.0, 0.0, 1.0], axis, None, mode, cval)

    x = data((5, 7), np.float64)
    for name in ("generic_laplace", "generic_gradient_magnitude"):
        garbage = np.full(x.shape, 123.0)  # freed memory the next array may reuse
        del garbage
        ours = getattr(jn, name)(x, returns_only)
        np.testing.assert_array_equal(ours, getattr(ndi, name)(x, returns_only))


def test_tiny_weights_are_dropped_like_scipy():
    x = data((5, 5), np.float64)
    compare("correlate", x, np.array([[1e-17, 1.0], [2.0, -1e-300]]), mode="constant", cval=1e300)


# --- errors -------------------------------------------------------------------------------

BAD_CALLS = [
    ("correlate1d", (np.ones(5), [1, 2]), dict(mode="bogus")),
    ("correlate1d", (np.ones(5), [[1, 2]]), {}),
    ("correlate1d", (np.ones(5), []), {}),
    ("correlate1d", (np.ones(5), [1, 2, 3]), dict(origin=2)),
    ("correlate1d", (np.ones(5), [1, 2, 3]), dict(axis=1)),
    ("correlate1d", (np.ones(5), [1, 2]), dict(output=np.ones(4))),
    ("correlate1d", (np.ones(5), [1, 2]), dict(output="S4")),
    ("correlate1d", (np.ones(5), [1, 2]), dict(cval="x")),
    ("correlate1d", (np.ones(5, np.float16), [1, 2]), {}),
    ("convolve1d", (np.ones(5), [1, 2, 3]), dict(origin=-2)),
    ("uniform_filter1d", (np.ones(5), 0), {}),
    ("uniform_filter1d", (np.ones(5), 3), dict(origin=2)),
    ("uniform_filter", (np.ones((3, 3)),), dict(size=[2, 2, 2])),
    ("uniform_filter", (np.ones((3, 3)),), dict(mode=["reflect"])),
    ("gaussian_filter", (np.ones((3, 3)), 1.0), dict(radius=1.5)),
    ("gaussian_filter", (np.ones((3, 3)), 1.0), dict(order=-1)),
    ("gaussian_filter", (np.ones((3, 3)), [1.0, 1.0, 1.0]), {}),
    ("gaussian_filter1d", (np.ones(5), 1.0), dict(radius=-1)),
    ("correlate", (np.ones((3, 3)), np.ones(3)), {}),
    ("correlate", (np.ones((3, 3)), np.ones((3, 3))), dict(origin=2)),
    ("correlate", (np.ones((3, 3)), np.ones((3, 3))), dict(mode=["reflect", "wrap"])),
    ("correlate", (np.ones((3, 3)), np.ones((3, 3))), dict(axes=(0, 0))),
    ("correlate", (np.ones((3, 3)), np.ones((3, 3))), dict(axes=(0, 3))),
    ("convolve", (np.ones((3, 3)), np.ones((2, 2))), dict(origin=(1, 0))),
    ("sobel", (np.ones((3, 3)),), dict(axis=2)),
    ("prewitt", (np.ones((3, 3)),), dict(mode=["wrap"])),
    ("laplace", (np.ones((3, 3)),), dict(mode="bogus")),
    ("gaussian_laplace", (np.ones((3, 3)), 1.0), dict(bogus=1)),
    ("gaussian_gradient_magnitude", (np.ones((3, 3)), [1.0, 2.0, 3.0]), {}),
    # a scalar axis is handed on as given (IndexError where the derivative indexes it)
    ("gaussian_gradient_magnitude", (np.ones((3, 3)) + 1j, 1.0), dict(axes=2)),
    ("gaussian_gradient_magnitude", (np.ones((3, 3)), 1.0), dict(axes=2)),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), BAD_CALLS, ids=lambda v: str(v)[:30])
def test_errors_match_scipy(name, args, kwargs):
    with pytest.raises(Exception) as scipy_error, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(ndi, name)(*args, **kwargs)
    with pytest.raises(scipy_error.type), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(jn, name)(*args, **kwargs)


def test_read_only_output_raises():
    out = np.zeros((3, 3))
    out.flags.writeable = False
    with pytest.raises(ValueError):
        ndi.uniform_filter(np.ones((3, 3)), output=out)
    with pytest.raises(ValueError):
        jn.uniform_filter(np.ones((3, 3)), output=out)


def test_signatures_match_scipy():
    import inspect

    for name in NAMES:
        ours = inspect.signature(getattr(jn, name))
        theirs = inspect.signature(getattr(ndi, name))
        assert str(ours) == str(theirs), name


def test_docstrings_point_to_scipy():
    for name in NAMES:
        doc = getattr(jn, name).__doc__
        assert f"scipy.ndimage.{name}" in doc, name
        assert "%(" not in doc, name


# --- property test ---------------------------------------------------------------------------


@st.composite
def filter_cases(draw):
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.integers(1, 7)) for _ in range(ndim))
    dtype = draw(st.sampled_from([np.float64, np.int16]))
    mode = draw(st.sampled_from(MODES))
    name = draw(st.sampled_from(["correlate1d", "uniform_filter1d", "correlate", "uniform_filter"]))
    size = draw(st.integers(1, 6))
    origin = draw(st.integers(-(size // 2), (size - 1) // 2))
    seed = draw(st.integers(0, 2**16))
    return name, shape, dtype, mode, size, origin, seed


@settings(derandomize=True, max_examples=60, deadline=None)
@given(filter_cases())
def test_property_random_filters(case):
    name, shape, dtype, mode, size, origin, seed = case
    rng = np.random.default_rng(seed)
    x = data(shape, dtype, seed)
    axis = int(rng.integers(0, len(shape)))
    kwargs = dict(mode=mode, cval=1.25)
    if name == "correlate1d":
        compare(name, x, rng.normal(size=size), axis, origin=origin, **kwargs)
    elif name == "uniform_filter1d":
        compare(name, x, size, axis, origin=origin, **kwargs)
    elif name == "correlate":
        wshape = (size,) + (2,) * (len(shape) - 1)
        origins = [origin] + [0] * (len(shape) - 1)
        if mode in ("reflect", "grid-mirror") and size // 2 + origin >= 4 * shape[0]:
            return  # SciPy reads outside the input there (see correlate's Notes)
        compare(name, x, rng.normal(size=wshape), origin=origins, **kwargs)
    else:
        compare(name, x, size=size, origin=origin, **kwargs)


def test_case_table_covers_every_function_mode_and_dtype():
    seen = {(name, MODES[k % 8]) for name, k in CASES}
    assert seen == set(itertools.product(NAMES, MODES))
    dtypes = {DTYPES[(k + NAMES.index(n)) % len(DTYPES)] for n, k in CASES}
    assert dtypes == set(DTYPES)
