"""One ``check_*`` function per ``scipy.ndimage`` filter, built on ``_support``.

Each takes the public function's arguments, with the same defaults, raises what SciPy
1.17 raises for them, and returns a `Plan` (see ``_support``) for the kernels. Checks
that SciPy makes in C are made last, in the order SciPy's C layer makes them; dtype
checks run only when SciPy would run a compiled kernel.
"""

from __future__ import annotations

import functools
import inspect
import operator

import numpy as np

from . import _support
from ._support import (
    AxisError,
    DerivativePlan,
    Output,
    Pass,
    Plan,
    VectorizedPlan,
    _c_double,
    _c_int,
    _check_extra,
    _check_footprint_origins,
    _check_full_shape,
    _check_kernel_dtypes,
    _check_writeable,
    _expand_mode,
    _expand_origin,
    _is_sequence,
    _Like,
    _like,
    _rank_style_footprint,
    _real_dtype,
    _size,
    _warn,
    _window,
    _wrap_axis,
    check_weights_origin,
    check_window_origin,
    complex_cval,
    expand_footprint,
    expand_to_ndim,
    gaussian_kernel1d,
    gaussian_radius,
    mode_code,
    normalize_axes,
    normalize_sequence,
    output_dtype_and_array,
    rank_from,
)

__all__ = [
    "check_convolve",
    "check_convolve1d",
    "check_correlate",
    "check_correlate1d",
    "check_gaussian_filter",
    "check_gaussian_filter1d",
    "check_gaussian_laplace",
    "check_generic_derivative",
    "check_generic_filter",
    "check_generic_filter1d",
    "check_laplace",
    "check_maximum_filter",
    "check_maximum_filter1d",
    "check_median_filter",
    "check_minimum_filter",
    "check_minimum_filter1d",
    "check_percentile_filter",
    "check_prewitt",
    "check_rank_filter",
    "check_sobel",
    "check_uniform_filter",
    "check_uniform_filter1d",
    "check_vectorized_filter",
]


# --- plans kept for repeated calls -------------------------------------------------

_plans = _support.Kept(512)
_KEY_ARRAY_BYTES = 1 << 16  # weights and footprints up to this size take part in a key


class Unkeyable(Exception):
    """An argument a plan cannot be kept for (an array given as `output`, a callable...)."""


def plan_key(value):
    """A hashable stand-in for an argument, equal only for arguments equal to the bit.

    Floats by their hex digits (so -0.0 and 0.0 differ, and a NaN equals a NaN), each
    value with its type (so 1, 1.0 and True differ), small arrays by dtype, shape and
    bytes; anything else raises `Unkeyable`.
    """
    t = type(value)
    if t is str or t is int or t is bool or value is None:
        return t, value
    if t is float:
        return t, value.hex()
    if t is tuple or t is list:
        return t, tuple(plan_key(v) for v in value)
    if t is complex:
        return t, value.real.hex(), value.imag.hex()
    if t is np.ndarray:
        if value.dtype.kind not in "biufc" or value.nbytes > _KEY_ARRAY_BYTES:
            raise Unkeyable
        return t, value.dtype.str, value.shape, value.tobytes()
    if isinstance(value, (np.integer, np.bool_)):
        return t, int(value)
    if isinstance(value, (np.float16, np.float32, np.float64)):
        return t, float(value).hex()
    if isinstance(value, (np.complex64, np.complex128)):
        return t, float(value.real).hex(), float(value.imag).hex()
    if isinstance(value, (np.dtype, type)):
        return t, value
    raise Unkeyable


def _plan_cached(check):
    """Keep ``check``'s plans for repeated calls with equal arguments.

    A check depends on its input's shape and dtype alone; its other arguments are keyed
    by `_key`. A GPU call would otherwise wait on tens of microseconds of argument checks
    every time. Calls that raise, warn, or have an argument without a key (an output
    array, a callable) run the check every time. A kept plan was made from copies of
    the caller's arrays (weights, footprints), so changing those later changes nothing.
    """

    params = list(inspect.signature(check).parameters)
    at = params.index("output") - 1  # position of `output` in ``args``

    @functools.wraps(check)
    def cached(input, *args, **kwargs):
        output = args[at] if len(args) > at else kwargs.get("output")
        if not (output is None or isinstance(output, (str, type, np.dtype))):
            return check(input, *args, **kwargs)  # an array: the plan holds it
        try:
            key = (
                check,
                tuple(input.shape),
                input.dtype,
                tuple(plan_key(a) for a in args),
                tuple((k, plan_key(v)) for k, v in sorted(kwargs.items())),
            )
            found = _plans.get(key)
        except (Unkeyable, TypeError):  # TypeError: an unhashable dtype or shape
            return check(input, *args, **kwargs)
        if found is not None:
            return found
        # the plan may hold the arrays it is given: give it copies the caller cannot change
        args = [a.copy() if type(a) is np.ndarray else a for a in args]
        kwargs = {k: v.copy() if type(v) is np.ndarray else v for k, v in kwargs.items()}
        warned = _support.WARNED[0]
        plan = check(input, *args, **kwargs)
        if _support.WARNED[0] == warned:
            _plans.put(key, plan)
        return plan

    cached.uncached = check
    return cached


# --- 1-D passes -------------------------------------------------------------------


def _correlate1d_real(like, weights, axis, output, mode, cval, origin):
    out = output_dtype_and_array(like.shape, like.dtype, output)
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 1 or weights.shape[0] < 1:
        raise RuntimeError(
            f"no filter weights given: weights must be 1-D and non-empty, not of shape "
            f"{weights.shape}"
        )
    axis = _wrap_axis(axis, len(like.shape))
    check_weights_origin(origin, len(weights))
    code = mode_code(mode)
    axis = _c_int(axis)
    _check_writeable(out)
    cval = _c_double(cval)
    origin = _c_int(origin)
    _check_kernel_dtypes(like.shape, (like.dtype, out.dtype), line=True)
    return out, Pass(axis, len(weights), origin, code, np.ascontiguousarray(weights)), cval


def _correlate1d(like, weights, axis, output, mode, cval, origin):
    weights = np.asarray(weights)
    complex_input = like.dtype.kind == "c"
    complex_weights = weights.dtype.kind == "c"
    if not (complex_input or complex_weights):
        out, step, cval = _correlate1d_real(like, weights, axis, output, mode, cval, origin)
        return Plan("correlate", out, cval, passes=(step,))
    # SciPy splits complex work into real passes; the checks are those of the passes
    if complex_weights:
        weights = weights.conj().astype(np.complex128, copy=False)
    out = output_dtype_and_array(like.shape, like.dtype, output, complex_output=True)
    if not complex_input and np.iscomplexobj(cval):
        raise ValueError("Cannot provide a complex-valued cval when the input is real.")
    real_like = _Like(like.shape, _real_dtype(like.dtype))
    real_out = Output(_real_dtype(out.dtype), out.array)
    part = np.real(cval) if complex_input else cval
    _, step, _ = _correlate1d_real(real_like, weights.real, axis, real_out, mode, part, origin)
    cval = complex_cval(cval) if complex_input else _c_double(cval)
    if complex_weights:
        step = step._replace(weights=np.ascontiguousarray(weights))
    return Plan("correlate", out, cval, passes=(step,), complex=True)


def _convolve1d(like, weights, axis, output, mode, cval, origin):
    weights = np.asarray(weights)[::-1]
    origin = -origin
    if not weights.shape[0] & 1:
        origin -= 1
    if weights.dtype.kind == "c":
        weights = weights.conj()  # undone by the conjugation in correlate1d
    return _correlate1d(like, weights, axis, output, mode, cval, origin)


def _gaussian1d(like, sigma, axis, order, output, mode, cval, truncate, radius):
    width = gaussian_radius(sigma, truncate, radius)
    weights = gaussian_kernel1d(sigma, order, width)[::-1]
    return _correlate1d(like, weights, axis, output, mode, cval, 0)


def _uniform1d(like, size, axis, output, mode, cval, origin):
    axis = _wrap_axis(axis, len(like.shape))
    if size < 1:
        raise RuntimeError(f"incorrect filter size {size!r}; it must be at least 1")
    complex_input = like.dtype.kind == "c"
    out = output_dtype_and_array(like.shape, like.dtype, output, complex_output=complex_input)
    check_window_origin(origin, size)
    code = mode_code(mode)
    size, axis = _c_int(size), _c_int(axis)
    _check_writeable(out)
    cval = complex_cval(cval) if complex_input else _c_double(cval)
    origin = _c_int(origin)
    dtypes = (like.dtype, out.dtype)
    if complex_input:
        dtypes = tuple(_real_dtype(dt) for dt in dtypes)
    _check_kernel_dtypes(like.shape, dtypes, line=True)
    return Plan(
        "uniform", out, cval, passes=(Pass(axis, size, origin, code),), complex=complex_input
    )


def _minmax1d(like, size, axis, output, mode, cval, origin, minimum):
    if like.dtype.kind == "c":
        raise TypeError("Complex type not supported by minimum and maximum filters")
    axis = _wrap_axis(axis, len(like.shape))
    if size < 1:
        raise RuntimeError(f"incorrect filter size {size!r}; it must be at least 1")
    out = output_dtype_and_array(like.shape, like.dtype, output)
    check_window_origin(origin, size)
    code = mode_code(mode)
    size, axis = _c_int(size), _c_int(axis)
    _check_writeable(out)
    cval = _c_double(cval)
    origin = _c_int(origin)
    _check_kernel_dtypes(like.shape, (like.dtype, out.dtype), line=True)
    op = "minimum" if minimum else "maximum"
    return Plan(op, out, cval, passes=(Pass(axis, size, origin, code),))


def _chain(op, like, out, cval, calls, one_pass):
    """Check a chain of 1-D passes: the first reads the input, the rest the output.

    ``calls`` holds the arguments of ``one_pass`` after its first (the array read).
    """
    if not calls:  # SciPy copies the input into the output
        _check_writeable(out)
    steps, is_complex, current = [], False, like
    for args in calls:
        plan = one_pass(current, *args)
        steps.append(plan.passes[0])
        cval, is_complex = plan.cval, plan.complex
        current = _Like(like.shape, out.dtype)
    return Plan(op, out, cval, passes=tuple(steps), complex=is_complex)


# --- public checks: 1-D filters -----------------------------------------------------


@_plan_cached
def check_correlate1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    """Checks of ``correlate1d``: a one-pass 'correlate' plan (complex weights conjugated)."""
    return _correlate1d(_like(input), weights, axis, output, mode, cval, origin)


@_plan_cached
def check_convolve1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    """Checks of ``convolve1d``: a one-pass 'correlate' plan, weights flipped, origin moved."""
    return _convolve1d(_like(input), weights, axis, output, mode, cval, origin)


@_plan_cached
def check_gaussian_filter1d(
    input,
    sigma,
    axis=-1,
    order=0,
    output=None,
    mode="reflect",
    cval=0.0,
    truncate=4.0,
    *,
    radius=None,
):
    """Checks of ``gaussian_filter1d``: a one-pass 'correlate' plan."""
    return _gaussian1d(_like(input), sigma, axis, order, output, mode, cval, truncate, radius)


@_plan_cached
def check_uniform_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    """Checks of ``uniform_filter1d``: a one-pass 'uniform' plan."""
    return _uniform1d(_like(input), size, axis, output, mode, cval, origin)


@_plan_cached
def check_minimum_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    """Checks of ``minimum_filter1d``: a one-pass 'minimum' plan."""
    return _minmax1d(_like(input), size, axis, output, mode, cval, origin, True)


@_plan_cached
def check_maximum_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    """Checks of ``maximum_filter1d``: a one-pass 'maximum' plan."""
    return _minmax1d(_like(input), size, axis, output, mode, cval, origin, False)


def check_generic_filter1d(
    input,
    function,
    filter_size,
    axis=-1,
    output=None,
    mode="reflect",
    cval=0.0,
    origin=0,
    extra_arguments=(),
    extra_keywords=None,
):
    """Checks of ``generic_filter1d``: a one-pass 'generic' plan.

    ``plan.extra`` is ``(function, extra_arguments, extra_keywords)``. A
    ``scipy.LowLevelCallable`` is not callable and is refused (ValueError).
    """
    like = _like(input)
    if extra_keywords is None:
        extra_keywords = {}
    if like.dtype.kind == "c":
        raise TypeError("Complex type not supported by generic_filter1d")
    out = output_dtype_and_array(like.shape, like.dtype, output)
    if filter_size < 1:
        raise RuntimeError(f"invalid filter size {filter_size!r}; it must be at least 1")
    axis = _wrap_axis(axis, len(like.shape))
    check_window_origin(origin, filter_size)
    code = mode_code(mode)
    filter_size, axis = _c_int(filter_size), _c_int(axis)
    _check_writeable(out)
    cval = _c_double(cval)
    origin = _c_int(origin)
    extra = _check_extra(function, extra_arguments, extra_keywords)
    _check_kernel_dtypes(like.shape, (like.dtype, out.dtype), line=True)
    return Plan("generic", out, cval, passes=(Pass(axis, filter_size, origin, code),), extra=extra)


# --- public checks: separable N-D filters ----------------------------------------------


@_plan_cached
def check_gaussian_filter(
    input,
    sigma,
    order=0,
    output=None,
    mode="reflect",
    cval=0.0,
    truncate=4.0,
    *,
    radius=None,
    axes=None,
):
    """Checks of ``gaussian_filter``: a chain of 'correlate' passes.

    Axes whose sigma is not above 1e-15 are skipped, unchecked (so is their mode).
    """
    like = _like(input)
    out = output_dtype_and_array(like.shape, like.dtype, output)
    axes = normalize_axes(axes, len(like.shape))
    n = len(axes)
    orders = normalize_sequence(order, n)
    sigmas = normalize_sequence(sigma, n)
    modes = normalize_sequence(mode, n)
    radii = normalize_sequence(radius, n)
    calls = [
        (sigmas[i], axes[i], orders[i], out, modes[i], cval, truncate, radii[i])
        for i in range(n)
        if sigmas[i] > 1e-15
    ]
    return _chain("correlate", like, out, cval, calls, _gaussian1d)


@_plan_cached
def check_uniform_filter(
    input, size=3, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None
):
    """Checks of ``uniform_filter``: a chain of 'uniform' passes (sizes <= 1 skipped)."""
    like = _like(input)
    out = output_dtype_and_array(
        like.shape, like.dtype, output, complex_output=like.dtype.kind == "c"
    )
    axes = normalize_axes(axes, len(like.shape))
    n = len(axes)
    sizes = normalize_sequence(size, n)
    origins = normalize_sequence(origin, n)
    modes = normalize_sequence(mode, n)
    calls = [
        (int(sizes[i]), axes[i], out, modes[i], cval, origins[i]) for i in range(n) if sizes[i] > 1
    ]
    return _chain("uniform", like, out, cval, calls, _uniform1d)


def _edge(input, axis, output, mode, cval, smoothing):
    like = _like(input)
    ndim = len(like.shape)
    axis = _wrap_axis(axis, ndim)
    out = output_dtype_and_array(like.shape, like.dtype, output)
    modes = normalize_sequence(mode, ndim)
    calls = [([-1, 0, 1], axis, out, modes[axis], cval, 0)]
    calls += [(smoothing, ii, out, modes[ii], cval, 0) for ii in range(ndim) if ii != axis]
    return _chain("correlate", like, out, cval, calls, _correlate1d)


@_plan_cached
def check_prewitt(input, axis=-1, output=None, mode="reflect", cval=0.0):
    """Checks of ``prewitt``: a chain of 'correlate' passes."""
    return _edge(input, axis, output, mode, cval, [1, 1, 1])


@_plan_cached
def check_sobel(input, axis=-1, output=None, mode="reflect", cval=0.0):
    """Checks of ``sobel``: a chain of 'correlate' passes."""
    return _edge(input, axis, output, mode, cval, [1, 2, 1])


def check_generic_derivative(
    input, output=None, mode="reflect", extra_arguments=(), extra_keywords=None, *, axes=None
):
    """Checks of ``generic_laplace`` and ``generic_gradient_magnitude``.

    Also the first step of ``laplace``, ``gaussian_gradient_magnitude`` (which passes
    ``extra_arguments=(sigma,)`` and its keywords) and `check_gaussian_laplace`; the
    derivative calls then make their own checks.
    """
    like = _like(input)
    if extra_keywords is None:
        extra_keywords = {}
    out = output_dtype_and_array(like.shape, like.dtype, output)
    axes = normalize_axes(axes, len(like.shape))
    modes = tuple(normalize_sequence(mode, len(axes))) if axes else ()
    if not axes:  # SciPy copies the input into the output
        _check_writeable(out)
    return DerivativePlan(out, axes, modes, tuple(extra_arguments), extra_keywords)


@_plan_cached
def check_gaussian_laplace(
    input, sigma, output=None, mode="reflect", cval=0.0, *, axes=None, **kwargs
):
    """Checks of ``gaussian_laplace``: a `DerivativePlan` whose one extra argument is
    sigma over all input axes (0 on axes not filtered); ``kwargs`` go to gaussian_filter.
    """
    like = _like(input)
    ndim = len(like.shape)
    axes = normalize_axes(axes, ndim)
    sigmas = expand_to_ndim(normalize_sequence(sigma, len(axes)), axes, ndim, 0)
    return check_generic_derivative(input, output, mode, (sigmas,), kwargs, axes=axes)


@_plan_cached
def check_laplace(input, output=None, mode="reflect", cval=0.0, *, axes=None):
    """Checks of ``laplace``: op 'sum', one [1, -2, 1] pass per axis.

    Unlike a chain, every pass reads the input; the output is the sum of the passes,
    each rounded to the output dtype before it is added. No passes: copy the input.
    """
    like = _like(input)
    plan = check_generic_derivative(input, output, mode, axes=axes)
    out, steps, is_complex = plan.output, [], False
    for i, axis in enumerate(plan.axes):
        target = out if i == 0 else out.dtype  # SciPy passes the dtype after the first
        step = _correlate1d(like, [1, -2, 1], axis, target, plan.modes[i], cval, 0)
        steps.append(step.passes[0])
        cval, is_complex = step.cval, step.complex
    return Plan("sum", out, cval, passes=tuple(steps), complex=is_complex)


# --- public checks: N-D windows ------------------------------------------------------


def _correlate_real(like, weights, output, mode, cval, origin, axes, convolution):
    ndim = len(like.shape)
    axes = normalize_axes(axes, ndim)
    weights = np.asarray(weights, dtype=np.float64)
    weights = expand_footprint(ndim, axes, weights, "weights")
    origins = _expand_origin(ndim, axes, origin)
    lengths = [n for n in weights.shape if n > 0]
    _check_full_shape(weights.shape, ndim, len(axes), "weights", len(lengths))
    if convolution:
        weights = weights[(slice(None, None, -1),) * weights.ndim]
        for ii in range(len(origins)):
            origins[ii] = -origins[ii]
            if not weights.shape[ii] & 1:
                origins[ii] -= 1
    for origin_k, length in zip(origins, lengths, strict=False):
        check_weights_origin(origin_k, length)
    out = output_dtype_and_array(like.shape, like.dtype, output)
    if _is_sequence(mode):
        raise RuntimeError("A sequence of modes is not supported by correlate and convolve")
    code = mode_code(mode)
    _check_writeable(out)
    cval = _c_double(cval)
    window = _window(np.ones(weights.shape, bool), origins, code, weights)
    _check_kernel_dtypes(like.shape, (like.dtype, out.dtype), line=False)
    return out, window, cval


def _correlate(like, weights, output, mode, cval, origin, axes, convolution):
    weights = np.asarray(weights)
    complex_input = like.dtype.kind == "c"
    complex_weights = weights.dtype.kind == "c"
    if not (complex_input or complex_weights):
        out, window, cval = _correlate_real(
            like, weights, output, mode, cval, origin, axes, convolution
        )
        window = window._replace(weights=np.ascontiguousarray(window.weights))
        return Plan("correlate", out, cval, window=window)
    if complex_weights and not convolution:
        weights = weights.conj()
    out = output_dtype_and_array(like.shape, like.dtype, output, complex_output=True)
    if not complex_input and np.iscomplexobj(cval):
        raise ValueError("Cannot provide a complex-valued cval when the input is real.")
    real_like = _Like(like.shape, _real_dtype(like.dtype))
    real_out = Output(_real_dtype(out.dtype), out.array)
    part = np.real(cval) if complex_input else cval
    _, window, _ = _correlate_real(
        real_like, weights.real, real_out, mode, part, origin, axes, convolution
    )
    cval = complex_cval(cval) if complex_input else _c_double(cval)
    full = window.weights
    if complex_weights:  # the same expansion and flip as the real part had
        full = weights.astype(np.complex128).reshape(window.shape)
        if convolution:
            full = full[(slice(None, None, -1),) * full.ndim]
    window = window._replace(weights=np.ascontiguousarray(full))
    return Plan("correlate", out, cval, window=window, complex=True)


@_plan_cached
def check_correlate(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    """Checks of ``correlate``: a 'correlate' window over every input axis."""
    return _correlate(_like(input), weights, output, mode, cval, origin, axes, False)


@_plan_cached
def check_convolve(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    """Checks of ``convolve``: a 'correlate' window, weights flipped and origins moved."""
    return _correlate(_like(input), weights, output, mode, cval, origin, axes, True)


def _min_or_max(like, size, footprint, output, mode, cval, origin, axes, minimum):
    op = "minimum" if minimum else "maximum"
    if size is not None and footprint is not None:
        _warn("ignoring size because footprint is set")
    if footprint is None:
        if size is None:
            raise RuntimeError("no footprint provided; pass size or footprint")
        separable = True
    else:
        footprint = np.asarray(footprint, dtype=bool)
        if not footprint.any():
            raise ValueError("All-zero footprint is not supported.")
        separable = bool(footprint.all())
        if separable:
            size, footprint = footprint.shape, None
    if like.dtype.kind == "c":
        raise TypeError("Complex type not supported by minimum and maximum filters")
    out = output_dtype_and_array(like.shape, like.dtype, output)
    ndim = len(like.shape)
    axes = normalize_axes(axes, ndim)
    n = len(axes)
    if separable:
        origins = normalize_sequence(origin, n)
        sizes = normalize_sequence(size, n)
        modes = normalize_sequence(mode, n)
        calls = [
            (int(sizes[i]), axes[i], out, modes[i], cval, origins[i], minimum)
            for i in range(n)
            if sizes[i] > 1
        ]
        return _chain(op, like, out, cval, calls, _minmax1d)
    footprint = expand_footprint(ndim, axes, footprint)
    origins = _expand_origin(ndim, axes, origin)
    _check_footprint_origins(footprint, origins, ndim, n)
    if _is_sequence(mode):
        raise RuntimeError("A sequence of modes is not supported for non-separable footprints")
    code = mode_code(mode)
    _check_writeable(out)
    cval = _c_double(cval)
    window = _window(footprint, origins, code)
    _check_kernel_dtypes(like.shape, (like.dtype, out.dtype), line=False)
    return Plan(op, out, cval, window=window)


@_plan_cached
def check_minimum_filter(
    input,
    size=None,
    footprint=None,
    output=None,
    mode="reflect",
    cval=0.0,
    origin=0,
    *,
    axes=None,
):
    """Checks of ``minimum_filter``: 'minimum' passes for a box, else a window."""
    return _min_or_max(_like(input), size, footprint, output, mode, cval, origin, axes, True)


@_plan_cached
def check_maximum_filter(
    input,
    size=None,
    footprint=None,
    output=None,
    mode="reflect",
    cval=0.0,
    origin=0,
    *,
    axes=None,
):
    """Checks of ``maximum_filter``: 'maximum' passes for a box, else a window."""
    return _min_or_max(_like(input), size, footprint, output, mode, cval, origin, axes, False)


def _rank1d_dtype(dtype):
    """Working dtype of SciPy's 1-D rank filter (which also takes float16)."""
    if dtype in (np.int64, np.float64, np.float32):
        return dtype
    if dtype == np.float16:
        return np.dtype(np.float32)
    if np.result_type(dtype, np.int64) == np.int64 or dtype.kind in "biu":
        return np.dtype(np.int64)
    raise RuntimeError(f"Unsupported array type {dtype} for a 1-D rank filter")


def _rank(like, rank, size, footprint, output, mode, cval, origin, axes, operation):
    if size is not None and footprint is not None:
        _warn("ignoring size because footprint is set")
    if like.dtype.kind == "c":
        raise TypeError(f"Complex type not supported by {operation} filters")
    ndim = len(like.shape)
    axes = normalize_axes(axes, ndim)
    footprint = _rank_style_footprint(size, footprint, axes, ndim)
    origins = _expand_origin(ndim, axes, origin)
    mode = _expand_mode(ndim, axes, mode)
    last_origin = _check_footprint_origins(footprint, origins, ndim, len(axes))
    count = int(np.count_nonzero(footprint))
    rank = rank_from(operation, rank, count)
    if rank == 0 or rank == count - 1:  # SciPy hands these to minimum/maximum_filter
        return _min_or_max(like, None, footprint, output, mode, cval, origins, None, rank == 0)
    out = output_dtype_and_array(like.shape, like.dtype, output)
    if _is_sequence(mode):
        raise RuntimeError("A sequence of modes is not supported by non-separable rank filters")
    code = mode_code(mode)
    total = like.shape[0] if ndim == 1 else 0
    if ndim == 1 and (total - ((footprint.size - 1) // 2 - last_origin) >= 0 or total == 1):
        # SciPy's separate 1-D path: other dtype rules, cval cast to the working type
        cval = _rank1d_dtype(like.dtype).type(cval).item()
        _check_writeable(out)
        return Plan("rank", out, cval, window=_window(footprint, origins, code), rank=rank)
    _check_writeable(out)
    cval = _c_double(cval)
    window = _window(footprint, origins, code)
    _check_kernel_dtypes(like.shape, (like.dtype, out.dtype), line=False)
    return Plan("rank", out, cval, window=window, rank=rank)


@_plan_cached
def check_rank_filter(
    input,
    rank,
    size=None,
    footprint=None,
    output=None,
    mode="reflect",
    cval=0.0,
    origin=0,
    *,
    axes=None,
):
    """Checks of ``rank_filter``: a 'rank' window, or a 'minimum'/'maximum' plan when the
    rank selects the smallest or largest element (as SciPy does)."""
    rank = operator.index(rank)
    return _rank(_like(input), rank, size, footprint, output, mode, cval, origin, axes, "rank")


@_plan_cached
def check_median_filter(
    input,
    size=None,
    footprint=None,
    output=None,
    mode="reflect",
    cval=0.0,
    origin=0,
    *,
    axes=None,
):
    """Checks of ``median_filter``: rank ``count // 2`` (see `check_rank_filter`)."""
    return _rank(_like(input), 0, size, footprint, output, mode, cval, origin, axes, "median")


@_plan_cached
def check_percentile_filter(
    input,
    percentile,
    size=None,
    footprint=None,
    output=None,
    mode="reflect",
    cval=0.0,
    origin=0,
    *,
    axes=None,
):
    """Checks of ``percentile_filter`` (see `check_rank_filter`)."""
    like = _like(input)
    return _rank(like, percentile, size, footprint, output, mode, cval, origin, axes, "percentile")


def check_generic_filter(
    input,
    function,
    size=None,
    footprint=None,
    output=None,
    mode="reflect",
    cval=0.0,
    origin=0,
    extra_arguments=(),
    extra_keywords=None,
    *,
    axes=None,
):
    """Checks of ``generic_filter``: a 'generic' window; ``plan.extra`` as in
    `check_generic_filter1d`."""
    like = _like(input)
    if size is not None and footprint is not None:
        _warn("ignoring size because footprint is set")
    if extra_keywords is None:
        extra_keywords = {}
    if like.dtype.kind == "c":
        raise TypeError("Complex type not supported by generic_filter")
    ndim = len(like.shape)
    axes = normalize_axes(axes, ndim)
    footprint = _rank_style_footprint(size, footprint, axes, ndim)
    origins = _expand_origin(ndim, axes, origin)
    _check_footprint_origins(footprint, origins, ndim, len(axes))
    out = output_dtype_and_array(like.shape, like.dtype, output)
    code = mode_code(mode)
    _check_writeable(out)
    cval = _c_double(cval)
    window = _window(footprint, origins, code)
    extra = _check_extra(function, extra_arguments, extra_keywords)
    _check_kernel_dtypes(like.shape, (like.dtype, out.dtype), line=False)
    return Plan("generic", out, cval, window=window, extra=extra)


# --- vectorized_filter ------------------------------------------------------------------

_PAD_MODES = {
    "reflect": "symmetric",
    "constant": "constant",
    "nearest": "edge",
    "mirror": "reflect",
    "wrap": "wrap",
    "grid-mirror": "reflect",
    "grid-constant": "constant",
    "grid-wrap": "wrap",
    "valid": "valid",
}


def _integral(value):
    return np.asarray(value).dtype.kind in "iu"


def _numeric(value):
    return np.asarray(value).dtype.kind in "iufc"


def _source_axes(axes, ndim):
    """The axes as ``np.moveaxis`` checks its source argument."""
    wrapped = []
    for ax in axes:
        ax = operator.index(ax)
        if ax < -ndim or ax >= ndim:
            raise AxisError(f"axis {ax} is out of bounds for an input with {ndim} dimensions")
        wrapped.append(ax % ndim)
    if len(set(wrapped)) != len(wrapped):
        raise ValueError(f"repeated axis in `axes`: {tuple(axes)}")
    return tuple(wrapped)


def check_vectorized_filter(
    input,
    function,
    *,
    size=None,
    footprint=None,
    output=None,
    mode="reflect",
    cval=None,
    origin=None,
    axes=None,
    batch_memory=2**30,
):
    """Checks of ``vectorized_filter`` (all ValueError, as in SciPy); a `VectorizedPlan`."""
    ndim = len(tuple(input.shape))
    if not callable(function):
        raise ValueError("`function` must be a callable.")
    if size is None and footprint is None:
        raise ValueError("Either `size` or `footprint` must be provided.")
    if size is not None and footprint is not None:
        raise ValueError("Either `size` or `footprint` may be provided, not both.")
    if axes is None:
        axes = tuple(range(-ndim, 0))
    elif np.isscalar(axes):
        axes = (axes,)
    n_axes = len(axes)
    if n_axes > ndim:
        raise ValueError(f"The length of `axes` ({n_axes}) may not exceed `input.ndim` ({ndim}).")
    if size is not None:
        size = (size,) * n_axes if np.isscalar(size) else tuple(size)
        if not all([_integral(s) and s > 0 for s in size]):  # every element, as SciPy
            raise ValueError(f"All elements of `size` must be positive integers; got {size}.")
    else:
        footprint = np.asarray(footprint, dtype=bool)
        size = footprint.shape
    if n_axes != len(size):
        raise ValueError(
            f"`axes` ({n_axes} axes) must be compatible with the dimensionality of the window "
            f"({len(size)}) specified by `size` or `footprint`."
        )
    if origin is None:
        origin = (0,) * n_axes
    else:
        origin = (origin,) * n_axes if np.isscalar(origin) else tuple(origin)
        if not all([_integral(o) for o in origin]):
            raise ValueError(f"All elements of `origin` must be integers; got {origin}.")
        if len(origin) != n_axes:
            raise ValueError(
                "`origin` must be an integer or tuple of integers with length equal to the "
                f"number of axes ({n_axes})."
            )
    if mode not in _PAD_MODES:
        raise ValueError(f"`mode` must be one of {sorted(_PAD_MODES)}; got {mode!r}.")
    pad_mode = _PAD_MODES[mode]
    if pad_mode == "valid" and any(origin):
        raise ValueError("`mode='valid'` is incompatible with use of `origin`.")
    if cval is None:
        cval = 0.0
    elif pad_mode != "constant":
        raise ValueError("Use of `cval` is compatible only with `mode='constant'`.")
    if not _numeric(cval):
        raise ValueError("`cval` must include only numbers.")
    memory = np.asarray(batch_memory)
    if memory.ndim != 0 or not _numeric(memory) or memory <= 0:
        raise ValueError("`batch_memory` must be positive number.")
    axes = _source_axes(axes, ndim)
    origins = tuple(operator.index(o) for o in origin)
    if pad_mode != "valid" and _size(tuple(input.shape)) and (ndim or size != ()):
        for n, o in zip(size, origins, strict=True):  # np.pad refuses negative widths
            if n // 2 + o < 0 or (n - 1) // 2 - o < 0:
                raise ValueError(
                    f"origin {o} does not fit a window of length {n}; it must satisfy "
                    "-(n // 2) <= origin <= (n - 1) // 2"
                )
    return VectorizedPlan(axes, tuple(size), footprint, origins, pad_mode, cval)
