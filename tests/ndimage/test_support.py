"""The shared argument checks of jitdispatch.ndimage against the installed SciPy.

Every case calls the real ``scipy.ndimage`` function and the matching ``check_*``
function with the same arguments: both must raise the same exception type, or both must
succeed. When both succeed, the returned plan is run by a small pure-NumPy executor
(padding plus sliding windows, written here) and compared with SciPy's result, which
checks the weights, flips, origins, modes, ranks and cvals the plan carries.
"""

import subprocess
import sys
import warnings
import weakref
from pathlib import Path

import numpy as np
import pytest

from jitdispatch.ndimage import _checks, _support
from jitdispatch.ndimage._support import (
    MODE_CONSTANT,
    MODE_MIRROR,
    MODE_NEAREST,
    MODE_REFLECT,
    MODE_WRAP,
    Output,
)

ndi = pytest.importorskip("scipy.ndimage")
scipy_filters = pytest.importorskip("scipy.ndimage._filters")

pytestmark = pytest.mark.cpu

# --- inputs --------------------------------------------------------------------------

X2 = np.arange(12.0).reshape(3, 4) ** 1.5
X1 = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0])
X3 = np.arange(24.0).reshape(2, 3, 4) % 7
READ_ONLY = np.zeros((3, 4))
READ_ONLY.flags.writeable = False

INPUTS = {
    "1d": X1,
    "3d": X3,
    "0d": np.array(1.5),
    "complex": X2 + 2j * X2[::-1],
    "int32": X2.astype(np.int32),
    "uint8": X2.astype(np.uint8),
    "bool": X2 > 5,
    "float32": X2.astype(np.float32),
    "float16": X2.astype(np.float16),
    "float16-1d": X1.astype(np.float16),
    "int16-1d": X1.astype(np.int16),
    "object": X2.astype(object),
    "big-endian": X2.astype(">f8"),
    "empty-float16": np.zeros((0, 4), np.float16),
    "empty": np.zeros((0, 4)),
}

OUTPUTS = {
    "float32": np.float32,
    "'f4'": "f4",
    "int": int,
    "'bool'": "bool",
    "np.bool_": np.bool_,
    "'float16'": "float16",
    "np.float16": np.float16,
    "complex128": np.complex128,
    "'complex64'": "complex64",
    "'xx'": "xx",
    "object": object,
    "array": np.zeros((3, 4)),
    "array-f4": np.zeros((3, 4), np.float32),
    "wrong-shape": np.zeros((4, 3)),
    "flat": np.zeros(12),
    "array-f2": np.zeros((3, 4), np.float16),
    "array-c16": np.zeros((3, 4), complex),
    "list": [[0.0] * 4] * 3,
    "read-only": READ_ONLY,
}

MODES = [
    "reflect", "constant", "nearest", "mirror", "wrap",
    "grid-wrap", "grid-mirror", "grid-constant", "bogus", None, 2,
    ["wrap", "constant"], ["wrap"], ("nearest", "bogus"),
]  # fmt: skip

CVALS = [2.5, -1, "1", None, 1j, np.array([1.0]), np.array(2.0), np.float32(2), True]
ORIGINS = [1, -1, 2, -2, 1.0, 0.5, True, (0, 0), (1, -1), (0,), [0, 0, 0], None, np.int8(1)]
AXES = [0, -1, 1, 5, (0,), (-1,), (1, 0), (0, 0), (0, -2), (0, 2), (0, 1.0), "a", (), object()]
AXIS = [0, -2, 1, 2, -3, 1.0, True]
SIZES = [0, -1, 1, 2, 2.5, 2.0, True, (2, 3), (2,), (0, 3), (-1, 3), (1, 1), np.int64(2), None]
FOOTPRINTS = {
    "box": np.ones((2, 3)),
    "holes": [[1, 0, 1], [0, 1, 1]],
    "zeros": np.zeros((2, 2)),
    "empty": np.zeros((0, 2)),
    "1d": np.ones(2),
    "1d-holes": [1, 0, 1],
    "3d": np.ones((2, 2, 2)),
    "3d-holes": np.eye(2)[None],
    "1x2x2": np.ones((1, 2, 2)),
    "floats": [[0.5, 0.0], [2.0, 1.0]],
    "single": [[1]],
}
W2 = np.array([[1.0, 2.0, 0.5], [-1.0, 0.25, 3.0]])


def _f1d(line_in, line_out):
    line_out[:] = line_in[: len(line_out)]


BASES = {
    # name: (positional arguments after the input, keywords)
    "correlate1d": (([1.0, 2.0, -1.0],), {}),
    "convolve1d": (([1.0, 2.0, 0.5, 3.0],), {}),
    "gaussian_filter1d": ((0.8,), {}),
    "uniform_filter1d": ((3,), {}),
    "minimum_filter1d": ((3,), {}),
    "maximum_filter1d": ((2,), {}),
    "generic_filter1d": ((_f1d, 3), {}),
    "gaussian_filter": ((0.8,), {}),
    "uniform_filter": ((), {"size": 3}),
    "minimum_filter": ((), {"size": 3}),
    "maximum_filter": ((), {"footprint": [[1, 0, 1], [1, 1, 0]]}),
    "rank_filter": ((1,), {"size": 3}),
    "median_filter": ((), {"size": 3}),
    "percentile_filter": ((30,), {"size": 3}),
    "generic_filter": ((np.sum,), {"size": 3}),
    "correlate": ((W2,), {}),
    "convolve": ((W2,), {}),
    "prewitt": ((), {}),
    "sobel": ((), {}),
    "laplace": ((), {}),
}
ONE_D = {name for name in BASES if name.endswith("1d")}
WITH_ORIGIN = set(BASES) - {
    "gaussian_filter1d", "gaussian_filter", "prewitt", "sobel", "laplace"
}  # fmt: skip
WITH_AXES = set(BASES) - ONE_D - {"prewitt", "sobel"}
WITH_SIZE = {"uniform_filter", "minimum_filter", "maximum_filter", "rank_filter",
             "median_filter", "percentile_filter", "generic_filter"}  # fmt: skip
RANKS = {"rank_filter", "median_filter", "percentile_filter"}
LINEAR = {"correlate1d", "convolve1d", "gaussian_filter1d", "uniform_filter1d", "uniform_filter",
          "gaussian_filter", "correlate", "convolve", "laplace"}  # fmt: skip


def _cases():
    """{(function name, topic): [(label, input, args, kwargs), ...]}."""
    cases = {}

    def add(name, label, *args, x=X2, **kwargs):
        base_args, base_kwargs = BASES[name]
        args = args or base_args
        kwargs = {**base_kwargs, **kwargs}
        topic = label.split("=", 1)[0]
        cases.setdefault((name, topic), []).append((label, x, args, kwargs))

    for name in BASES:
        add(name, "base")
        for label, x in INPUTS.items():
            if name in RANKS and label == "1d":
                # SciPy's 1-D rank path: test box footprints only (holes are ignored there)
                add(name, f"input={label}", x=x)
                continue
            add(name, f"input={label}", x=x)
        for mode in MODES:
            add(name, f"mode={mode!r}", mode=mode)
        for cval in CVALS:
            add(name, f"cval={cval!r}", cval=cval, mode="constant")
            if name in LINEAR:
                add(name, f"cval={cval!r}-complex", x=INPUTS["complex"], cval=cval)
        for label, output in OUTPUTS.items():
            add(name, f"output={label}", output=output)
            if name in LINEAR:
                add(name, f"output={label}-complex", x=INPUTS["complex"], output=output)
        if name in ONE_D:
            for axis in AXIS:
                add(name, f"axis={axis!r}", axis=axis)
        if name in {"prewitt", "sobel"}:
            for axis in AXIS:
                add(name, f"axis={axis!r}", axis=axis)
        if name in WITH_ORIGIN:
            for origin in ORIGINS:
                add(name, f"origin={origin!r}", origin=origin)
        if name in WITH_AXES:
            for axes in AXES:
                add(name, f"axes={axes!r}", axes=axes)
                add(name, f"axes={axes!r}-3d", x=X3, axes=axes)
        if name in WITH_SIZE:
            for size in SIZES:
                add(name, f"size={size!r}", size=size)
            for label, footprint in FOOTPRINTS.items():
                add(name, f"footprint={label}", footprint=footprint, size=None)
                add(name, f"footprint={label}-axes", x=X3, footprint=footprint, size=None,
                    axes=(0, 2))  # fmt: skip
            add(name, "footprint-and-size", footprint=[[1, 1], [0, 1]], size=2)
            add(name, "modes-box", mode=["wrap", "nearest"], size=(2, 3))
            add(name, "modes-holes", mode=["wrap", "nearest"], size=None,
                footprint=[[1, 0], [1, 1]])  # fmt: skip
    # function-specific arguments
    for weights in ([], [[1.0, 2.0]], 2.0, [1.0], [1.0, 2.0], [1j, 2.0, 1.0], ["a"]):
        add("correlate1d", f"weights={weights!r}", weights)
        add("convolve1d", f"weights={weights!r}", weights)
    for origin in (-2, -1, 0, 1, 2):
        add("convolve1d", f"even-origin={origin}", [1.0, 2.0, 0.5, 3.0], origin=origin)
        add("convolve1d", f"odd-origin={origin}", [1.0, 2.0, 0.5], origin=origin)
    for label, weights in {
        "3d": np.ones((2, 2, 2)), "empty": np.ones((0, 2)), "1d": [1.0, 2.0, 3.0],
        "1x2x2": np.ones((1, 2, 2)), "str": [["a", "b"]], "complex": W2 * (1 + 1j),
        "even": np.arange(8.0).reshape(2, 4), "0d": np.array(2.0),
    }.items():  # fmt: skip
        add("correlate", f"weights={label}", weights)
        add("convolve", f"weights={label}", weights)
        add("correlate", f"weights={label}-axes=1", weights, x=X3, axes=1)
        add("convolve", f"weights={label}-axes=(0,2)", weights, x=X3, axes=(0, 2))
    for origin in ((0, 0), (-1, 1), (0, 2), (0, -1), (1, 0), (0, -2)):
        add("convolve", f"even-origin={origin}", np.arange(8.0).reshape(2, 4), origin=origin)
    add("correlate", "complex-weights-complex-cval", W2 * 1j, cval=1j, mode="constant")
    add("convolve", "0d", np.array(2.0), x=INPUTS["0d"])
    for sigma in (0, 0.0, np.float64(0), -1, -0.1, 1e-16, "a", None, (1, 2), (1, 0), [1]):
        add("gaussian_filter1d", f"sigma={sigma!r}", sigma)
        add("gaussian_filter", f"sigma={sigma!r}", sigma)
    for order in (0, 1, 2, 3, -1, 1.0, 0.0, True, (0, 1), (1,), (-1, 0)):
        add("gaussian_filter1d", f"order={order!r}", order=order)
        add("gaussian_filter", f"order={order!r}", order=order)
    for truncate in (0, 1.5, -4.0, np.nan, np.inf, None, "a"):
        add("gaussian_filter1d", f"truncate={truncate!r}", truncate=truncate)
        add("gaussian_filter", f"truncate={truncate!r}", truncate=truncate)
    for radius in (0, 1, 5, -1, 2.0, np.int8(2), True, (1, 2), (1,)):
        add("gaussian_filter1d", f"radius={radius!r}", radius=radius)
        add("gaussian_filter", f"radius={radius!r}", radius=radius)
    add("gaussian_filter", "mode-bogus-sigma-0", 0.0, mode="bogus")
    add("gaussian_filter", "sigma-0-read-only", 0.0, output=READ_ONLY)
    for size in (0, -1, 1, 4, 2.5, True, (2, 3), None):
        for name in ("uniform_filter1d", "minimum_filter1d", "maximum_filter1d"):
            add(name, f"size={size!r}", size)
        add("generic_filter1d", f"filter_size={size!r}", _f1d, size)
    add("uniform_filter", "size-0-mode-bogus", size=0, mode="bogus")
    add("minimum_filter", "size-1-mode-bogus", size=1, mode="bogus")
    for rank in (0, 1, 5, 8, 9, -1, -9, -10, 1.0, np.int8(2), True):
        add("rank_filter", f"rank={rank!r}", rank)
        add("rank_filter", f"rank={rank!r}-modes", rank, mode=["wrap", "reflect"])
        add("rank_filter", f"rank={rank!r}-holes", rank, size=None,
            footprint=[[1, 0, 1], [0, 1, 1]])  # fmt: skip
    for percentile in (0, 50, 100, -100, -20, 101, -101, 99.9, np.nan, "a"):
        add("percentile_filter", f"percentile={percentile!r}", percentile)
    add("median_filter", "1d-cval-None", x=X1, cval=None, mode="constant")
    add("median_filter", "1d-int-cval-None", x=INPUTS["int16-1d"], cval=None)
    add("median_filter", "1d-big-window", x=X1, size=15)
    add("median_filter", "1d-origin", x=X1, size=5, origin=2)
    add("median_filter", "1d-modes", x=X1, mode=["wrap"])
    add("median_filter", "0d-footprint", x=INPUTS["0d"], footprint=np.array(True), size=None)
    for function in (5, None):
        add("generic_filter", f"function={function!r}", function)
        add("generic_filter1d", f"function={function!r}", function, 3)
    for extra in ([1], (1,), None):
        add("generic_filter", f"extra_arguments={extra!r}", lambda v, *a: v.sum(),
            extra_arguments=extra)  # fmt: skip
        add("generic_filter1d", f"extra_arguments={extra!r}", lambda a, b, *e: None, 3,
            extra_arguments=extra)  # fmt: skip
    for extra in ([1], {"k": 1}, None):
        add("generic_filter", f"extra_keywords={extra!r}", lambda v, **k: v.sum(),
            extra_keywords=extra)  # fmt: skip
    return cases


def _outcome(function, *args, **kwargs):
    """(exception type or None, the set of UserWarning texts, the result)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result, error = function(*args, **kwargs), None
        except Exception as exc:
            result, error = None, type(exc)
    texts = {str(w.message) for w in caught if w.category is UserWarning}
    return error, texts, result


# --- a pure-NumPy executor for plans ------------------------------------------------------

PAD_MODES = {
    MODE_NEAREST: "edge",
    MODE_WRAP: "wrap",
    MODE_REFLECT: "symmetric",
    MODE_MIRROR: "reflect",
    MODE_CONSTANT: "constant",
}


def _pad(x, pads, mode, cval):
    extra = {"constant_values": cval} if mode == MODE_CONSTANT else {}
    return np.pad(x, pads, mode=PAD_MODES[mode], **extra)


def _run_pass(op, x, step, cval):
    line = np.moveaxis(x, step.axis, -1)
    before = step.size // 2 + step.origin
    pads = [(0, 0)] * (line.ndim - 1) + [(before, step.size - 1 - before)]
    views = np.lib.stride_tricks.sliding_window_view(_pad(line, pads, step.mode, cval),
                                                     step.size, axis=-1)  # fmt: skip
    if op in ("correlate", "sum"):
        out = (views * step.weights).sum(axis=-1)
    elif op == "uniform":
        out = views.mean(axis=-1)
    else:
        out = views.min(axis=-1) if op == "minimum" else views.max(axis=-1)
    return np.moveaxis(out, -1, step.axis)


def _run_window(plan, x):
    window = plan.window
    sizes = zip(window.shape, window.origins, strict=True)
    pads = [(n // 2 + o, n - 1 - n // 2 - o) for n, o in sizes]
    views = np.lib.stride_tricks.sliding_window_view(
        _pad(x, pads, window.mode, plan.cval), window.shape
    )
    if plan.op == "correlate":
        return (views * window.weights).sum(axis=tuple(range(-x.ndim, 0)))
    mask = window.footprint if window.footprint is not None else np.ones(window.shape, bool)
    values = views[(..., mask)]
    if plan.op == "minimum":
        return values.min(axis=-1)
    if plan.op == "maximum":
        return values.max(axis=-1)
    if plan.op == "rank":
        return np.sort(values, axis=-1)[..., plan.rank]
    function, args, keywords = plan.extra
    flat = values.reshape(x.size, values.shape[-1])
    return np.array([function(v, *args, **keywords) for v in flat]).reshape(x.shape)


def run_plan(plan, x):
    """What the kernels must compute for ``plan``, in NumPy."""
    dtype = plan.output.dtype
    work = x.astype(np.complex128 if plan.complex else np.float64)
    if plan.window is not None:
        return _run_window(plan, work).astype(dtype)
    if plan.op == "sum" and plan.passes:
        total = np.zeros(x.shape, dtype)
        for step in plan.passes:
            total += _run_pass("sum", work, step, plan.cval).astype(dtype)
        return total
    for step in plan.passes:
        work = _run_pass(plan.op, work, step, plan.cval).astype(dtype)
    return work.astype(dtype)


# --- the comparison -----------------------------------------------------------------


def _compare(name, x, args, kwargs):
    """Why the check of one call differs from SciPy, or None when it does not."""
    expected, expected_warnings, result = _outcome(getattr(ndi, name), x, *args, **kwargs)
    check = getattr(_checks, f"check_{name}")
    error, texts, plan = _outcome(check, x, *args, **kwargs)
    if error is not expected:
        return f"SciPy raised {expected}, the check raised {error}"
    if bool(texts) != bool(expected_warnings):
        return f"SciPy warned {expected_warnings}, the check warned {texts}"
    if error is not None or name == "generic_filter1d":
        return None
    output = kwargs.get("output")
    given = output if isinstance(output, np.ndarray) else None
    if plan.output.array is not given and not isinstance(output, list):
        return f"plan.output.array is {plan.output.array!r}"
    if plan.output.dtype != np.asarray(result).dtype:
        return f"output dtype {plan.output.dtype}, SciPy gave {np.asarray(result).dtype}"
    if x.ndim == 0 or x.size == 0 or plan.output.dtype.kind not in "fc":
        return None
    if np.isnan(plan.cval) or x.dtype.kind not in "fc":  # NaN: undefined in SciPy
        return None
    if x.dtype == np.float16 and plan.op == "rank":
        return None
    computed = run_plan(plan, x)
    if not np.allclose(computed, result, rtol=1e-6, atol=1e-9, equal_nan=True):
        return f"the plan computes\n{computed}\nSciPy computes\n{result}"
    return None


CASES = _cases()


@pytest.mark.parametrize(("name", "topic"), list(CASES), ids=[f"{n}-{t}" for n, t in CASES])
def test_same_outcome_as_scipy(name, topic):
    """Grouped (one test per function and argument) to keep thousands of calls fast."""
    failures = []
    for label, x, args, kwargs in CASES[name, topic]:
        reason = _compare(name, x, args, kwargs)
        if reason is not None:
            failures.append(f"{name}({label}, input {x.dtype}{x.shape}): {reason}")
    assert not failures, "\n".join(failures)


# --- the other filters ----------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"axes": (0,)},
        {"axes": -1},
        {"axes": (0, 0)},
        {"mode": ["wrap", "nearest"]},
        {"mode": ["wrap"]},
        {"mode": ["wrap"], "axes": (1,)},
        {"output": np.float32},
        {"output": np.zeros((4, 3))},
        {"extra_arguments": (1.0,)},
        {"axes": ()},
    ],
)
@pytest.mark.parametrize("name", ["generic_laplace", "generic_gradient_magnitude"])
def test_generic_derivatives(name, kwargs):
    seen = []

    def derivative(input, axis, output, mode, cval, *args, **keywords):
        seen.append((axis, mode, args))
        return ndi.correlate1d(input, [1.0, -2.0, 1.0], axis, output, "reflect", cval)

    expected, _, _ = _outcome(getattr(ndi, name), X2, derivative, **kwargs)
    error, _, plan = _outcome(_checks.check_generic_derivative, X2, **kwargs)
    assert error is expected
    if error is None:
        calls = zip(plan.axes, plan.modes, strict=True)
        assert [(axis, mode, plan.extra_arguments) for axis, mode in calls] == seen


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"axes": (0, 2)}, {"axes": (2,)}, {"axes": -1}, {"axes": (0, 0)}, {"sigma": (1, 2)},
     {"sigma": (1, 2), "axes": (0, 1)}, {"mode": ["wrap"] * 2, "axes": (0, 1)}],
)  # fmt: skip
def test_gaussian_laplace(kwargs):
    kwargs = {"sigma": 0.7, **kwargs}
    expected, _, result = _outcome(ndi.gaussian_laplace, X3, **kwargs)
    error, _, plan = _outcome(_checks.check_gaussian_laplace, X3, **kwargs)
    assert error is expected
    if error is None:  # rebuild the result from the plan with SciPy's gaussian_filter
        total = np.zeros(X3.shape)
        (sigmas,) = plan.extra_arguments
        for axis, mode in zip(plan.axes, plan.modes, strict=True):
            order = [0] * X3.ndim
            order[axis] = 2
            total += ndi.gaussian_filter(X3, sigmas, order, None, mode)
        np.testing.assert_allclose(total, result, rtol=1e-12)


VECTORIZED = [
    {"size": 3},
    {"footprint": [[1, 0], [1, 1]]},
    {},
    {"size": 3, "footprint": np.ones((3, 3))},
    {"size": (2, 3), "axes": (1, 0)},
    {"size": (2, 3), "axes": 1},
    {"size": 2, "axes": (0, 1, 1)},
    {"size": 2, "axes": (0, 0)},
    {"size": 2, "axes": (0, 5)},
    {"size": 0},
    {"size": 2.0},
    {"size": True},
    {"size": (2, 2, 2)},
    {"size": 2, "origin": 1},
    {"size": 2, "origin": 1.0},
    {"size": 2, "origin": (0, 1, 0)},
    {"size": 2, "mode": "valid"},
    {"size": 2, "mode": "valid", "origin": 1},
    {"size": 2, "mode": "bogus"},
    {"size": 2, "mode": "grid-constant", "cval": 3},
    {"size": 2, "mode": "constant", "cval": "a"},
    {"size": 2, "mode": "constant", "cval": True},
    {"size": 2, "mode": "nearest", "cval": 3},
    {"size": 2, "batch_memory": 0},
    {"size": 2, "batch_memory": [1, 2]},
    {"size": 2, "batch_memory": np.inf},
]


@pytest.mark.parametrize("kwargs", VECTORIZED, ids=[str(k) for k in VECTORIZED])
@pytest.mark.parametrize("function", [np.mean, "not callable"])
def test_vectorized_filter(function, kwargs):
    expected, _, _ = _outcome(ndi.vectorized_filter, X2, function, **kwargs)
    error, _, _ = _outcome(_checks.check_vectorized_filter, X2, function, **kwargs)
    assert error is expected


def test_vectorized_filter_plan():
    plan = _checks.check_vectorized_filter(X3, np.mean, size=(2, 3), axes=(2, -3), origin=(0, 1))
    assert plan.axes == (2, 0)
    assert plan.size == (2, 3)
    assert plan.origins == (0, 1)
    assert plan.pad_mode == "symmetric"
    assert plan.cval == 0.0


# --- primitives -------------------------------------------------------------------------


@pytest.mark.parametrize("order", range(6))
@pytest.mark.parametrize(("sigma", "radius"), [(0.5, 2), (1.0, 4), (2.3, 9), (7.0, 3), (1, 0)])
def test_gaussian_kernel_matches_scipy(sigma, order, radius):
    expected = scipy_filters._gaussian_kernel1d(sigma, order, radius)
    got = _support.gaussian_kernel1d(sigma, order, radius)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-14 * scale)


def test_gaussian_kernel_errors():
    with pytest.raises(ValueError):
        _support.gaussian_kernel1d(1.0, -1, 3)
    with pytest.raises(ZeroDivisionError):
        _support.gaussian_kernel1d(0.0, 0, 3)
    with pytest.raises(TypeError):
        _support.gaussian_kernel1d(1.0, 1.0, 3)


@pytest.mark.parametrize(
    ("sigma", "truncate", "radius", "expected"),
    [(1.0, 4.0, None, 4), (1.2, 4.0, None, 5), (2.0, 0.1, None, 0), (1.0, 4.0, 7, 7),
     (-1.0, 4.0, None, ValueError), (1.0, 4.0, 2.0, ValueError), (1.0, np.nan, None, ValueError),
     (1.0, 4.0, np.int16(3), 3), (1.0, np.inf, None, OverflowError)],
)  # fmt: skip
def test_gaussian_radius(sigma, truncate, radius, expected):
    if isinstance(expected, type):
        with pytest.raises(expected):
            _support.gaussian_radius(sigma, truncate, radius)
    else:
        assert _support.gaussian_radius(sigma, truncate, radius) == expected


def test_modes():
    assert _support.mode_code("grid-mirror") == _support.mode_code("reflect")
    assert _support.mode_code("grid-wrap") == _support.mode_code("wrap")
    assert _support.mode_code("grid-constant") == _support.mode_code("constant")
    assert _support.mode_code(np.str_("mirror")) == MODE_MIRROR
    assert len(set(_support.MODES.values())) == 5
    for bad in ("Reflect", "", None, 4, ["reflect"]):
        with pytest.raises(RuntimeError):
            _support.mode_code(bad)
    assert _support.normalize_modes("wrap", 2) == (MODE_WRAP, MODE_WRAP)
    assert _support.normalize_modes(["wrap", "nearest"], 2) == (MODE_WRAP, MODE_NEAREST)
    with pytest.raises(RuntimeError):
        _support.normalize_modes(["wrap"], 2)


def test_axes_and_sequences():
    assert _support.normalize_axes(None, 3) == (0, 1, 2)
    assert _support.normalize_axes((-1, 0), 3) == (2, 0)
    assert _support.normalize_axes(-1, 3) == (-1,)  # SciPy leaves a scalar as given
    for bad, error in [((0, 3), ValueError), ((0, -2), ValueError), ((0.0,), TypeError),
                       (object(), ValueError)]:  # fmt: skip
        with pytest.raises(error):
            _support.normalize_axes(bad, 2)
    assert _support.normalize_axis(-1, 3) == 2
    with pytest.raises(np.exceptions.AxisError):
        _support.normalize_axis(3, 3)
    assert _support.normalize_origins(1, 2) == [1, 1]
    assert _support.normalize_sizes((2, 3), 2) == [2, 3]
    with pytest.raises(RuntimeError):
        _support.normalize_origins((1, 2, 3), 2)
    with pytest.raises(TypeError):
        _support.normalize_origins(0.5, 2)
    assert _support.expand_to_ndim([5], (1,), 3, 0) == [0, 5, 0]


@pytest.mark.parametrize("length", range(1, 7))
def test_origin_bounds(length):
    valid = [o for o in range(-8, 9) if _support.origin_is_valid(o, length)]
    assert valid == list(range(-(length // 2), (length - 1) // 2 + 1))
    for origin in range(-8, 9):
        scipy_ok = _outcome(ndi.correlate1d, X1, np.ones(length), origin=origin)[0] is None
        assert scipy_ok == (origin in valid)
        window_ok = _outcome(_support.check_window_origin, origin, length)[0] is None
        assert window_ok == (origin in valid)


def test_rank_from():
    assert _support.rank_from("median", None, 9) == 4
    assert _support.rank_from("rank", -1, 9) == 8
    assert _support.rank_from("percentile", 100, 9) == 8
    assert _support.rank_from("percentile", -100, 9) == 0
    assert _support.rank_from("percentile", 50, 9) == 4
    for operation, value in [("rank", 9), ("rank", -10), ("percentile", 101), ("median", 0)]:
        with pytest.raises(RuntimeError):
            _support.rank_from(operation, value, 0 if operation == "median" else 9)


def test_output_resolution():
    resolve = _support.output_dtype_and_array
    big = np.dtype(">f8")
    assert resolve((2,), big, None) == Output(np.dtype("f8"))
    assert resolve((2,), np.float32, None, complex_output=True).dtype == np.complex64
    assert resolve((2,), np.float64, None, complex_output=True).dtype == np.complex128
    with pytest.warns(UserWarning, match="promoting"):
        assert resolve((2,), np.float64, np.float32, complex_output=True).dtype == np.complex64
    with pytest.raises(RuntimeError):
        resolve((2,), np.float64, "f4", complex_output=True)
    with pytest.raises(RuntimeError):
        resolve((2,), np.float64, "bool")
    array = np.zeros(2, np.int16)
    assert resolve((2,), np.float64, array) == Output(np.dtype(np.int16), array)
    with pytest.raises(RuntimeError):
        resolve((3,), np.float64, array)
    with pytest.raises(RuntimeError):
        resolve((2,), np.complex64, array, complex_output=True)


def test_foreign_dtypes():
    torch_dtype = type("dtype", (), {"__module__": "torch", "__str__": lambda s: s.name})

    def make(name):
        dtype = torch_dtype()
        dtype.name = name
        return dtype

    assert _support.as_numpy_dtype(make("torch.float32")) == np.float32
    assert _support.as_numpy_dtype(make("torch.bool")) == np.bool_
    with pytest.raises(TypeError):
        _support.as_numpy_dtype(make("torch.bfloat16"))
    out = _support.output_dtype_and_array((2,), make("torch.int16"), None)
    assert out.dtype == np.int16
    out = _support.output_dtype_and_array((2,), np.float64, make("torch.float32"))
    assert out.dtype == np.float32


class _Foreign:
    """An array from another library: metadata and an array interface only."""

    def __init__(self, array):
        self._array = array
        self.shape, self.dtype, self.ndim = array.shape, array.dtype, array.ndim
        self.__array_interface__ = array.__array_interface__


def test_needs_temporary():
    a = np.zeros((4, 6))
    assert _support.needs_temporary(a, a)
    assert _support.needs_temporary(a, a[1:, ::-1])
    assert not _support.needs_temporary(a, np.zeros((4, 6)))
    assert not _support.needs_temporary(a, None)
    assert _support.needs_temporary(_Foreign(a), _Foreign(a[::-1]))
    assert _support.needs_temporary(_Foreign(a[:2]), _Foreign(a[1:3]))
    assert not _support.needs_temporary(_Foreign(a[:2]), _Foreign(a[2:]))
    assert not _support.needs_temporary(_Foreign(a), _Foreign(np.zeros(3)))
    assert not _support.needs_temporary(object(), object())


def test_checks_read_only_metadata():
    """A foreign input is never converted: only shape and dtype are read."""
    plan = _checks.check_correlate(_Foreign(X2), W2)
    assert plan.output == Output(np.dtype(np.float64))
    plan = _checks.check_median_filter(_Foreign(X2), size=(1, 3))
    assert plan.window.shape == (1, 3) and plan.rank == 1


@pytest.mark.parametrize("shape", [(5,), (2, 4), (4, 3, 2)])
@pytest.mark.parametrize("origin_shift", [-1, 0, 1])
def test_convolve_against_numpy_reference(shape, origin_shift):
    """convolve's flip and even-length origin shift, checked by an explicit sum."""
    rng = np.random.default_rng(sum(shape) + origin_shift)
    x = rng.normal(size=(6, 7, 5)[: len(shape)])
    weights = rng.normal(size=shape)
    origins = [max(-(n // 2), min((n - 1) // 2, origin_shift)) for n in shape]
    result = ndi.convolve(x, weights, mode="wrap", origin=origins)
    # convolution: out[i] = sum_j w[j] * x[i - j + c], c the centre moved by the origin
    expected = np.zeros_like(x)
    for j in np.ndindex(*shape):
        shift = [jj - n // 2 - o for jj, n, o in zip(j, shape, origins, strict=True)]
        expected += weights[j] * np.roll(x, shift, axis=tuple(range(x.ndim)))
    np.testing.assert_allclose(result, expected, rtol=1e-12)
    plan = _checks.check_convolve(x, weights, mode="wrap", origin=origins)
    np.testing.assert_allclose(run_plan(plan, x), expected, rtol=1e-12)
    if len(shape) == 1:
        plan = _checks.check_convolve1d(x, weights, mode="wrap", origin=origins[0])
        np.testing.assert_allclose(run_plan(plan, x), expected, rtol=1e-12)


def test_no_heavy_imports():
    """The helpers import NumPy only (loaded apart from the package __init__)."""
    folder = Path(_support.__file__).parent
    code = (
        "import importlib, sys, types\n"
        f"package = types.ModuleType('ndpkg'); package.__path__ = [{str(folder)!r}]\n"
        "sys.modules['ndpkg'] = package\n"
        "importlib.import_module('ndpkg._checks')\n"
        "importlib.import_module('ndpkg._docstrings')\n"
        "heavy = {'numba', 'scipy', 'cupy', 'torch', 'dask'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_docfiller():
    from jitdispatch.ndimage._docstrings import DOCS, docfiller

    @docfiller
    def example():
        """Summary.

        Parameters
        ----------
        %(input)s
        %(mode_multiple)s
        """

    lines = example.__doc__.splitlines()
    assert "%(" not in example.__doc__
    assert "        input : array" in lines
    assert "        mode : str or sequence of str, optional" in lines
    body = lines[lines.index("        mode : str or sequence of str, optional") + 1]
    assert body.startswith("            ") and not body.startswith("             ")
    for name in ("axis", "output", "mode_reflect", "cval", "origin", "origin_multiple",
                 "size_foot", "truncate", "radius", "axes", "extra_arguments",
                 "extra_keywords"):  # fmt: skip
        assert name in DOCS
    with pytest.raises(KeyError):

        @docfiller
        def broken():
            """%(no_such_entry)s"""


def test_spares_are_lent_once_and_kept_within_the_limit():
    spares = _support.Spares(limit=3 << 20)
    shape = (512, 512)  # 2 MiB of float64
    with spares.lend() as take:
        a = take(shape, np.float64, X2)
        b = take(shape, np.float64, X2)
        assert a.shape == shape and a.dtype == np.float64 and a.flags.c_contiguous
        assert not np.shares_memory(a, b)  # never the same memory twice in one loan
        a[...] = 1.0
        b[...] = 2.0
        assert (a == 1.0).all()
        small = take((4, 4), np.float32, X2)  # under 1 MiB: NumPy's own
        assert small.base is None
        kept_a, kept_b = weakref.ref(a.base), weakref.ref(b.base)
    del a, b
    # a and b went back; only one fits the 3 MiB limit: the newer one stays
    assert kept_a() is None
    with spares.lend() as take:
        c = take(shape, np.float64, X2)
        d = take(shape, np.float64, X2)
        assert c.base is kept_b() and d.base is not c.base
    # memory lent for one dtype serves another of no more than twice its size
    kept = weakref.ref(d.base)
    del c, d
    with spares.lend() as take:
        e = take((512, 512), np.float32, X2)  # 1 MiB: the kept 2 MiB buffer fits
        assert e.base is kept()
    del e
    # given back even when the block raises
    with pytest.raises(RuntimeError), spares.lend() as take:
        kept = weakref.ref(take(shape, np.float64, X2).base)
        raise RuntimeError
    with spares.lend() as take:
        assert take(shape, np.float64, X2).base is kept()
    # memory still referenced after its loan (a mistake) is not lent again
    with spares.lend() as take:
        f = take(shape, np.float64, X2)
    with spares.lend() as take:
        assert not np.shares_memory(take(shape, np.float64, X2), f)
    nothing = _support.Spares(limit=0)
    with nothing.lend() as take:
        kept = weakref.ref(take(shape, np.float64, X2).base)
    assert kept() is None


def test_spare_results_come_back_when_freed_and_never_while_a_view_lives():
    spares = _support.Spares(limit=6 << 20)
    shape = (512, 512)  # 2 MiB of float64
    a = spares.result(shape, np.float64)
    assert a.shape == shape and a.dtype == np.float64 and a.flags.c_contiguous
    assert a.flags.writeable and a.ctypes.data % 16 == 0
    first = weakref.ref(a.base)
    del a  # freed: its memory is kept
    b = spares.result(shape, np.float64)
    assert b.base is first()
    b[...] = 7.0
    view = b[100:200]  # outlives its array: its memory must not be lent again
    del b
    c = spares.result(shape, np.float64)
    with spares.lend() as take:
        d = take(shape, np.float64, X2)
        assert not any(np.shares_memory(x, view) for x in (c, d))
        c[...] = 1.0
        d[...] = 2.0
    assert (view == 7.0).all()
    del view, c, d
    e = spares.result(shape, np.float64)  # the view is gone: the first memory serves again
    f = spares.result(shape, np.float64)
    assert e.base is first() or f.base is first()
    # small arrays, and a pool that keeps nothing, give NumPy's own arrays
    assert spares.result((8, 8), np.float64).base is None
    nothing = _support.Spares(limit=0)
    g = nothing.result(shape, np.float64)
    assert g.base is None and g.flags.owndata
    # freed results over the limit are not kept: 6 MiB of 2 MiB buffers at most
    many = [spares.result(shape, np.float64) for _ in range(5)]
    del many, e, f
    assert sum(x.nbytes for x in spares._free) <= 6 << 20


def test_results_freed_while_the_spares_lock_is_held_are_kept_within_the_limit():
    """A finalizer can run inside any allocation (a garbage collection), also one made
    while the pool's lock is held, by this thread or another: it must neither block nor
    lose the memory, and what it could not keep is kept, within the limit, by the
    lock's holder once it lets go (`Spares._drain`)."""
    spares = _support.Spares(limit=4 << 20)
    results = [spares.result((512, 512), np.float64) for _ in range(4)]  # 2 MiB each
    with spares._lock:
        del results  # runs the finalizers now, with the lock held
        assert len(spares._returned) == 4 and not spares._free
    spares._drain()
    assert not spares._returned
    assert sum(b.nbytes for b in spares._free) == 4 << 20  # the newest two
    # a loan given back by another thread, while this one holds the lock, drains too
    import threading

    late = spares.result((512, 512), np.float64)
    holder = threading.Thread(target=lambda: spares._give([]))
    with spares._lock:
        holder.start()  # blocks on the lock
        del late
        assert len(spares._returned) == 1
    holder.join()
    assert not spares._returned and sum(b.nbytes for b in spares._free) <= 4 << 20


def test_spares_keep_results_close_to_their_size():
    spares = _support.Spares(limit=64 << 20)
    big = spares.result((1024, 1024), np.float64)  # 8 MiB
    kept = weakref.ref(big.base)
    del big
    half = spares.result((1024, 1024), np.float32)  # 4 MiB: not served by 8 MiB
    assert half.base is not kept() and half.base.nbytes == 4 << 20
    with spares.lend() as take:  # a loan is short: the 8 MiB buffer serves it
        assert take((1024, 1024), np.float32, X2).base is kept()
    # one result larger than the limit is not kept, and pushes nothing out
    small = weakref.ref(half.base)
    del half
    huge = spares.result((4096, 4096), np.float64)  # 128 MiB
    del huge
    assert sum(b.nbytes for b in spares._free) == 12 << 20
    assert any(b is small() for b in spares._free)
    # memory a caller made read-only (through a result's base) is not lent again
    r = spares.result((1024, 1024), np.float32)
    r.base.flags.writeable = False
    del r
    assert spares.result((1024, 1024), np.float32).flags.writeable
    # what is kept can be counted and given back
    assert spares.kept_bytes() == 12 << 20
    spares.clear()
    assert spares.kept_bytes() == 0
    kept = weakref.ref(spares.result((1024, 1024), np.float32).base)
    assert spares.kept_bytes() == 4 << 20
    spares.clear()
    assert kept() is None  # freed: nothing holds it any more


def test_filter_results_reuse_freed_memory_and_keep_live_views_intact():
    jn = pytest.importorskip("jitdispatch.ndimage")
    x = np.random.default_rng(3).random((384, 512))  # 1.5 MiB: a kept result
    ref = ndi.uniform_filter(x, 5)
    first = jn.uniform_filter(x, 5)
    np.testing.assert_allclose(first, ref, rtol=1e-12)
    memory = weakref.ref(first.base)
    tail = first[-10:]
    del first
    for k in range(3):  # the memory under `tail` is not lent while `tail` lives
        got, want = jn.gaussian_filter(x, 1.0 + k), ndi.gaussian_filter(x, 1.0 + k)
        np.testing.assert_allclose(got, want, rtol=1e-12)
        np.testing.assert_array_equal(tail, ref[-10:])
    del tail
    assert memory() is not None  # kept, not given back to the operating system
    pool = _support.SPARES
    kept = [weakref.ref(b) for b in list(pool._free) + list(pool._returned)]
    again = jn.uniform_filter(x, 5)
    assert any(again.base is k() for k in kept)  # kept memory served the next call
    np.testing.assert_allclose(again, ref, rtol=1e-12)


def test_release_memory_gives_back_what_the_filters_keep():
    import jitdispatch as jd

    jn = pytest.importorskip("jitdispatch.ndimage")
    x = np.random.default_rng(4).random((384, 512))  # 1.5 MiB: kept
    for _ in range(2):
        jn.uniform_filter(x, 3)  # a result and a spare array, both kept once freed
    kept = _support.SPARES.kept_bytes()
    assert kept >= 2 * x.nbytes
    assert jd.release_memory() == kept
    assert _support.SPARES.kept_bytes() == 0 and jd.release_memory() == 0
    # before any filter ran, nothing is kept and nothing is imported to say so
    code = (
        "import sys, jitdispatch as jd; "
        "print(jd.release_memory(), 'jitdispatch.ndimage' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "False"]


def test_is_c_contiguous_reads_each_library_without_importing_it():
    class DeviceArrayLike:  # numba-cuda device arrays: flags are a dict
        def __init__(self, c):
            self.flags = {"C_CONTIGUOUS": c, "F_CONTIGUOUS": not c}

    class TensorLike:  # torch: a method, no flags
        def __init__(self, c):
            self.is_contiguous = lambda: c

    x = np.zeros((2, 3))
    assert _support.is_c_contiguous(x) and not _support.is_c_contiguous(x.T)
    assert not _support.is_c_contiguous(x[:, ::2])
    for kind in (DeviceArrayLike, TensorLike):
        assert _support.is_c_contiguous(kind(True))
        assert not _support.is_c_contiguous(kind(False))
    # a strided input is copied into what `take` gives; a contiguous one is used as it is
    given = []

    def take(shape, dtype, like):
        given.append(np.empty(shape, dtype))
        return given[-1]

    assert _support.c_contiguous(x, take) is x and not given
    copy = _support.c_contiguous(x.T, take)
    assert copy is given[0] and copy.flags.c_contiguous and np.array_equal(copy, x.T)


def _layouts(x):
    """``x``'s values in other memory layouts: Fortran order, the axes permuted, reversed."""
    n = x.ndim
    rolled = list(range(1, n)) + [0]
    back = [n - 1] + list(range(n - 1))
    reversed_ = x[(slice(None, None, -1),) * n]
    return {
        "fortran": np.asfortranarray(x),
        "permuted": np.ascontiguousarray(x.transpose(rolled)).transpose(back),
        "reversed-fortran": np.asfortranarray(reversed_)[(slice(None, None, -1),) * n],
        "strided-last": np.repeat(x, 2, axis=-1)[..., ::2],  # same inner axis: NumPy's copy
    }


@pytest.mark.parametrize(
    ("shape", "dtype"),
    [
        ((300, 260), np.float32),
        ((513, 257), np.float64),
        ((600, 700), np.bool_),
        ((700, 401), np.uint8),
        ((40, 60, 60), np.int16),
        ((3, 5, 70, 90), np.complex128),
        ((2, 3, 4, 30, 50), np.float64),
    ],
    ids=str,
)
def test_assign_between_layouts(shape, dtype, monkeypatch):
    # `assign` is ``dst[...] = src``; between arrays contiguous along different axes it
    # copies in tiles (counted here), elsewhere NumPy copies
    launches = []
    kernel = _support._layout.copy_tiles

    def counted(*args, **kwargs):
        launches.append(kwargs["ndrange"])
        return kernel(*args, **kwargs)

    monkeypatch.setattr(_support._layout, "copy_tiles", counted)
    rng = np.random.default_rng(1)
    x = (rng.normal(size=shape) * 50).astype(dtype)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.normal(size=shape)
    for name, src in _layouts(x).items():
        assert np.array_equal(src, x)
        before = len(launches)
        dst = np.empty(shape, dtype)
        _support.assign(dst, src)
        assert np.array_equal(dst, x), name
        assert (len(launches) > before) == (name != "strided-last"), name
        # and into a Fortran-ordered destination from a C-ordered source
        dst = np.empty(shape, dtype, order="F")
        _support.assign(dst, x)
        assert np.array_equal(dst, x), name


def test_assign_leaves_the_rest_to_numpy(monkeypatch):
    def refused(*args, **kwargs):
        raise AssertionError("copy_tiles should not run")

    monkeypatch.setattr(_support._layout, "copy_tiles", refused)
    x = np.arange(300 * 260, dtype=np.float32).reshape(300, 260)
    cases = [
        (np.empty((300, 260), np.float64), x.T.copy().T),  # a conversion: NumPy casts
        (np.empty((300, 260), np.float32), x),  # the same layout
        (np.empty((30, 26), np.float32), x[:30, :26].T.copy().T),  # small
        (np.empty((300, 260), np.float32), np.float32(2.5)),  # broadcasting
        (np.empty((300, 260), np.float32), x.T.copy().T[:, :1]),  # broadcasting
    ]
    for dst, src in cases:
        _support.assign(dst, src)
        np.testing.assert_array_equal(dst, np.broadcast_to(np.asarray(src, np.float64), dst.shape))
    # the same memory both ways round: NumPy buffers the overlap
    square = np.arange(512 * 512, dtype=np.float64).reshape(512, 512)
    expected = square.T.copy()
    _support.assign(square, square.T)
    np.testing.assert_array_equal(square, expected)
