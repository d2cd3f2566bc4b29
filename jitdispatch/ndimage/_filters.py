"""The correlation family of ``scipy.ndimage``: correlations, convolutions and the
filters built from them (Gaussian, uniform, Prewitt, Sobel, Laplace, gradients).

Each public function checks its arguments with ``_checks`` (SciPy's rules, SciPy's
exceptions), then runs kernels from ``jitdispatch.kernels.ndimage.correlate`` where the
input lives. Separable filters are chains of 1-D passes; like SciPy, every pass rounds
to the output dtype. Complex data goes through real passes on the ``.real`` / ``.imag``
views, combined as SciPy combines them, so results agree with SciPy's to the last bit
on the CPU.
"""

from __future__ import annotations

import functools
import math

import numpy as np

import jitdispatch as jd
from jitdispatch.kernels.ndimage import correlate as _k

from . import _checks, _support
from ._dask import is_dask_array
from ._docstrings import docfiller
from ._params import device_constant, device_constants

__all__ = [
    "convolve",
    "convolve1d",
    "correlate",
    "correlate1d",
    "gaussian_filter",
    "gaussian_filter1d",
    "gaussian_gradient_magnitude",
    "gaussian_laplace",
    "generic_gradient_magnitude",
    "generic_laplace",
    "laplace",
    "prewitt",
    "sobel",
    "uniform_filter",
    "uniform_filter1d",
]

_EPS = np.finfo(np.float64).eps
# Launches whose first dimension is below this are reordered so that the dimension run
# in parallel on the CPU is a long one.
_MIN_OUTER = 8


# --- arrays, without knowing their library ---------------------------------------------


def _numpy_dtype(array):
    return _support.as_numpy_dtype(array.dtype)


def _finish(result, output):
    """Copy into the caller's output array if the result is not already there."""
    out = output.array
    if out is None:
        return result
    if result is not out:
        _support.assign(out, result)
    return out


def _copy_into(dst, src):
    """``dst[...] = src`` with NumPy's casting (SciPy's copy when no pass runs)."""
    if _numpy_dtype(src).kind == "c" and _numpy_dtype(dst).kind != "c":
        src = src.real  # what NumPy's cast keeps (it also warns; SciPy would warn too)
    _support.assign(dst, src)
    return dst


def _split(array):
    """Real and imaginary views of a complex array (the array and None if real)."""
    if _numpy_dtype(array).kind == "c":
        return array.real, array.imag
    return array, None


# --- 1-D passes -----------------------------------------------------------------------


_symmetries = _support.Kept(256)  # weights' bytes -> `_symmetry`


def _symmetry(weights):
    """SciPy's test: 1 for symmetric, -1 for antisymmetric odd-length weights, else 0.

    ``weights`` is a 1-D float64 array."""
    key = weights.tobytes()
    found = _symmetries.get(key)
    if found is None:
        found = _symmetries.put(key, _symmetry_of(weights))
    return found


def _symmetry_of(weights):
    n = len(weights)
    if not n & 1:
        return 0
    c = n // 2
    left, right = weights[c - 1 :: -1] if c else weights[:0], weights[c + 1 :]
    # as SciPy's C: a difference above DBL_EPSILON breaks the symmetry, a NaN does not
    if not np.any(np.abs(right - left) > _EPS):
        return 1
    if not np.any(np.abs(right + left) > _EPS):
        return -1
    return 0


def _lines(shape, axis):
    outer = math.prod(shape[:axis])
    inner = math.prod(shape[axis + 1 :])
    return outer, shape[axis], inner


def _width(src, length, count):
    """Outputs per index of a correlation kernel along a contiguous axis of ``length``
    outputs, of which there are ``count``: one on a GPU, whole chunks on the CPU."""
    chunk = jd.lanes(src)  # the kernels' CHUNK on the CPU
    if chunk == 1:
        return 1
    wanted = -(-length * count // _support.CPU_INDICES)
    return min(-(-length // chunk) * chunk, max(chunk, -(-wanted // chunk) * chunk))


def _blocks(src, length, count):
    """``(width, blocks)`` of `correlate_nd`, `correlate_lines` or `correlate_rows`
    along a contiguous axis of ``length``: `_width` outputs per index, one block of them
    per index. On a GPU, rows of at least ``WARP * WARP_OUTPUTS`` go WARP_OUTPUTS outputs
    per thread, WARP apart: a warp of indices covers that many outputs."""
    width = _width(src, length, count)
    warp_row = _k.WARP * _k.WARP_OUTPUTS
    if width == 1 and length >= warp_row:
        return _k.WARP_OUTPUTS, -(-length // warp_row) * _k.WARP
    return width, -(-length // width)


_mean_steps = _support.Kept(64)  # uniform passes as correlations (`_mean_step`)


def _mean_step(step):
    """A uniform pass as a correlation with equal weights, kept for repeated calls."""
    found = _mean_steps.get(step)
    if found is None:
        found = _mean_steps.put(step, step._replace(weights=np.full(step.size, 1.0 / step.size)))
    return found


def _real_line_pass(src, dst, step, op, cval, flags=0):
    """One real 1-D pass of ``src`` into ``dst`` (same shape; ``dst`` writable view).

    ``flags`` (the kernels' SQUARE and ACCUMULATE) square each result in ``dst``'s type
    and add it to what ``dst`` holds, instead of storing it.

    Along the last axis the kernels see ``(lines, n)``, and each index computes a group
    of outputs along the line; along another axis they see ``(outer, n, inner)``, and
    each index a group of outputs along ``inner`` (whole rows of taps).
    """
    shape = tuple(src.shape)
    if math.prod(shape) == 0:
        return
    outer, n, inner = _lines(shape, step.axis)
    cast = _support.cast_code(_numpy_dtype(dst)) | flags
    src, dst = _support.kernel_view(src), _support.kernel_view(dst)
    cval = float(cval)
    swap = outer < _MIN_OUTER
    if op == "uniform" and jd.lanes(src) == 1 and _numpy_dtype(dst).kind == "f":
        # A GPU runs one thread per output, and a running sum is one thread per line: a
        # float result is the window's mean weighted per output instead (equal to SciPy's
        # running sum within rounding). Integer results keep the running sum, which
        # rounds exactly as SciPy's does.
        op, step = "correlate", _mean_step(step)
    if inner == 1 and _buffered_lines(src, dst, n, op, step, cval, cast):
        return
    if inner == 1:
        s2, d2 = src.reshape(outer, n), dst.reshape(outer, n)
        if op == "uniform":
            per = int(_k.LINES) if jd.lanes(s2) > 1 else 1  # lines an index (`LINES`)
            args = (s2, step.size, step.origin, step.mode, cval, cast, d2)
            _k.uniform_lines(*args, ndrange=-(-outer // per), cost=per * n)
            return
        width, blocks = _blocks(src, n, outer)
        launch = (blocks, outer) if swap else (outer, blocks)
        kernel, args = _k.correlate_lines, (s2,)
    else:
        s3, d3 = src.reshape(outer, n, inner), dst.reshape(outer, n, inner)
        if op == "uniform":
            width = _width(src, inner, outer)
            blocks = -(-inner // width)
            launch = (blocks, outer) if swap else (outer, blocks)
            args = (s3, step.size, step.origin, swap, width, step.mode, cval, cast, d3)
            _k.uniform_rows(*args, ndrange=launch, cost=width * n)
            return
        width, blocks = _blocks(src, inner, outer * n)
        launch = (n, outer, blocks) if swap else (outer, n, blocks)
        kernel, args = _k.correlate_rows, (s3,)
    weights = np.ascontiguousarray(step.weights, dtype=np.float64)
    w = device_constant(weights, like=src)
    sym = _symmetry(weights)
    out = d2 if inner == 1 else d3
    args += (w, step.origin, sym, swap, width, step.mode, cval, cast, out)
    kernel(*args, ndrange=launch, cost=width * len(weights))


# Longest lines that `_buffered_lines` takes for a correlation, by the dtype of the
# pass's input. Measured on 2 cores, 4M values in lines of 48 to 700, 5 to 25 taps,
# serial and parallel: float64 lines are read in place by `correlate_lines`, which is
# faster past 64 outputs; float32 ones past about 256, where copying each line to
# float64 costs more than the set-up it saves (5 taps: 0.6 of the time at 128, 1.1-1.3
# at 384-500); integer lines, widened tap by tap there, take 0.55-0.95 of the time
# through the buffer at every length it holds. Running means take the buffer wherever a
# line's copy fits (four sums side by side there: 1.3-2.8x faster than `uniform_lines`
# for float64 and float32 lines of 32-400).
_BUFFERED_LINE = {np.dtype(np.float64): 64, np.dtype(np.float32): 256}


_lengths = _support.Kept(64)  # running means' stand-in weights (`_running_weights`)


def _running_weights(size):
    """Zeros of ``size``: `buffered_lines` takes a running mean's length from its weights'
    (kept for repeated calls: a new array costs more than a small call's kernel)."""
    found = _lengths.get(size)
    if found is None:
        found = _lengths.put(size, np.zeros(size))
    return found


def _buffered_lines(src, dst, n, op, step, cval, cast):
    """`_real_line_pass` along the last axis on the CPU through `buffered_lines`, several
    whole lines an index, for short lines (correlations: `_BUFFERED_LINE`, any that fit
    the kernel's scratch for other dtypes; running means: any that fit): a line's set-up
    in `correlate_lines` or `uniform_lines` costs more than its arithmetic there. False
    for anything else (a GPU, longer lines, strided arrays, weights too long for the
    scratch)."""
    if jd.lanes(src) == 1:
        return False
    if not (_support.is_c_contiguous(src) and _support.is_c_contiguous(dst)):
        return False
    stride, scratch = n + step.size - 1, int(_k.BUFFERED)  # its CPU value
    longest = scratch if op == "uniform" else _BUFFERED_LINE.get(np.dtype(src.dtype), scratch)
    if stride > scratch or n > longest:
        return False
    lines = math.prod(tuple(src.shape)) // n
    per = max(1, -(-lines // _support.CPU_INDICES))
    if op == "uniform":  # four running sums side by side (`running_sums4`) at least
        per, weights, sym, running = max(per, 4), _running_weights(step.size), 0, 1
    else:
        weights = np.ascontiguousarray(step.weights, dtype=np.float64)
        sym, running = _symmetry(weights), 0
    per = min(scratch // stride, per)
    args = (src.reshape(-1), n, weights, step.origin, sym, running, per, step.mode, cval)
    _k.buffered_lines(*args, cast, dst.reshape(-1), ndrange=-(-lines // per), cost=per * stride)
    return True


def _band_pass(src, dst, step, take, op, cval):
    """`_line_pass` as `_support.pass_in_place` runs it on a band (``take``: unused, the
    correlation kernels need no scratch)."""
    _line_pass(src, dst, step, op, cval)


def _add(dst, src, sign):
    """``dst += src`` (``sign`` 1) or ``dst -= src`` (-1), elementwise, as NumPy does."""
    if math.prod(tuple(dst.shape)) == 0:
        return
    if hasattr(dst, "__array_ufunc__") or hasattr(dst, "__torch_function__"):
        if sign > 0:
            dst += src
        else:
            dst -= src
        return
    # arrays without in-place operators (numba device arrays): a kernel on flat views
    _k.add_into(dst.reshape(-1), src.reshape(-1), sign, ndrange=math.prod(tuple(dst.shape)))


def _line_pass(src, dst, step, op, cval, flags=0):
    """One 1-D pass, complex data split into real passes as SciPy splits them.

    ``flags``: see `_real_line_pass`; real data and weights only."""
    src_re, src_im = _split(src)
    dst_re, dst_im = _split(dst)
    weights = step.weights
    complex_weights = weights is not None and weights.dtype.kind == "c"
    if src_im is None and not complex_weights:
        _real_line_pass(src, dst, step, op, cval, flags)
        return
    if flags:
        raise ValueError("flags apply to real passes only")
    cval = complex(cval)
    if not complex_weights:  # complex input, real weights (or a uniform pass)
        _real_line_pass(src_re, dst_re, step, op, cval.real)
        _real_line_pass(src_im, dst_im, step, op, cval.imag)
        return
    w_re = step._replace(weights=np.ascontiguousarray(weights.real))
    w_im = step._replace(weights=np.ascontiguousarray(weights.imag))
    if src_im is None:
        _real_line_pass(src, dst_re, w_re, op, cval.real)
        _real_line_pass(src, dst_im, w_im, op, cval.real)
        return
    tmp = _support.new_array(src.shape, _numpy_dtype(src_re), src)
    _real_line_pass(src_re, dst_re, w_re, op, cval.real)
    _real_line_pass(src_im, tmp, w_im, op, cval.imag)
    _add(dst_re, tmp, -1)
    _real_line_pass(src_re, dst_im, w_im, op, cval.real)
    _real_line_pass(src_im, tmp, w_re, op, cval.imag)
    _add(dst_im, tmp, 1)


def _run_chain(input, plan):
    """Run ``plan.passes`` one after the other (each reads the previous result).

    They alternate between the result and a spare array, except on arrays too large
    for the kept memory (`_support.runs_in_place`): there the first pass writes the
    result and the others run in place on it, through band buffers, as does every
    pass when the output given is the input itself.
    """
    passes = plan.passes
    given = plan.output.array
    # output=input on a large array: every pass in place on it, as SciPy's call does
    on_input = bool(passes) and _support.is_same_array(input, given)
    on_input = on_input and _support.runs_in_place(given)
    result = given if on_input else _support.destination(input, plan.output)
    if not passes:
        return _finish(_copy_into(result, input), plan.output)
    if _in_planes(input, result, passes):
        return _finish(_run_planes(input, result, plan), plan.output)
    with _support.SPARES.lend() as take:
        if (on_input or len(passes) > 1) and _support.runs_in_place(result):
            if not on_input:
                src = _support.c_contiguous(input, take)
                _line_pass(src, result, passes[0], plan.op, plan.cval)
            run = functools.partial(_band_pass, op=plan.op, cval=plan.cval)
            for step in passes if on_input else passes[1:]:
                _support.pass_in_place(result, step, run, running=plan.op == "uniform")
            return _finish(result, plan.output)
        spare = take(input.shape, plan.output.dtype, input) if len(passes) > 1 else None
        src = _support.c_contiguous(input, take)
        for p, step in enumerate(passes):
            dst = result if (len(passes) - 1 - p) % 2 == 0 else spare
            _line_pass(src, dst, step, plan.op, plan.cval)
            src = dst
    return _finish(result, plan.output)


def _in_planes(input, result, passes):
    """Whether `_run_planes` runs a chain: complex NumPy data, real weights, a result
    that is neither the input's memory nor beyond the kept memory."""
    return (
        type(input) is np.ndarray
        and type(result) is np.ndarray
        and input.dtype.kind == "c"
        and result.dtype.kind == "c"
        and all(step.weights is None or step.weights.dtype.kind != "c" for step in passes)
        and not np.may_share_memory(input, result)
        and not _support.runs_in_place(result)
    )


def _run_planes(input, result, plan):
    """A chain of real passes over complex data, as two real chains.

    SciPy filters the real and the imaginary part apart; as strided views of the
    interleaved array their passes have no vector loops (4 times slower). Here each part
    is copied into contiguous memory, its passes run there (rounded to the result's
    part dtype after each, as SciPy's), and the last writes into lent memory that is
    copied into the result's part.
    """
    passes = plan.passes
    cval = complex(plan.cval)
    part_dtype = result.real.dtype
    with _support.SPARES.lend() as take:
        for part, into, c in (
            (input.real, result.real, cval.real),
            (input.imag, result.imag, cval.imag),
        ):
            src = take(input.shape, part.dtype, input)
            _support.assign(src, part)
            # the passes alternate between two arrays: the part's copy, once read, is
            # the second where it has the result's part dtype
            buffers = [take(input.shape, part_dtype, input), None]
            if len(passes) > 1:
                same = src.dtype == part_dtype
                buffers[1] = src if same else take(input.shape, part_dtype, input)
            for p, step in enumerate(passes):
                out = buffers[p % 2]
                _real_line_pass(src, out, step, plan.op, c)
                src = out
            into[...] = src
    return result


# --- N-D windows -----------------------------------------------------------------------


def _taps(weights, origins):
    """Taps of a weights array: per-axis offsets, flat offsets, weights, reach per axis.

    Weights not above DBL_EPSILON in magnitude are left out, as SciPy leaves them out.
    """
    shape = weights.shape
    where = np.nonzero(np.abs(weights) > _EPS)
    values = np.ascontiguousarray(weights[where], dtype=np.float64)
    centre = np.array([n // 2 for n in shape], dtype=np.int64) + np.asarray(origins, np.int64)
    offsets = np.ascontiguousarray(np.stack(where, axis=1).astype(np.int64) - centre)
    if len(values) == 0:
        offsets = np.zeros((0, len(shape)), np.int64)
    lo = np.maximum(-offsets.min(axis=0), 0) if len(values) else np.zeros(len(shape), np.int64)
    hi = np.maximum(offsets.max(axis=0), 0) if len(values) else np.zeros(len(shape), np.int64)
    return offsets, values, lo.astype(np.int64), hi.astype(np.int64)


_taps_kept = _support.Kept(256)  # windows (the kernels only read them)


def _window_taps(shape, weights, origins):
    """`_taps` and the flat offsets for an array of ``shape``, kept for repeated calls
    (a few hundred microseconds of NumPy per call, which a GPU call would wait on)."""
    weights = np.ascontiguousarray(weights)
    key = (shape, weights.dtype.str, weights.shape, weights.tobytes(), tuple(origins))
    found = _taps_kept.get(key)
    if found is None:
        offsets, values, lo, hi = _taps(weights, origins)
        strides = np.array([math.prod(shape[d + 1 :]) for d in range(len(shape))], np.int64)
        flat = np.ascontiguousarray(offsets @ strides) if len(values) else np.zeros(0, np.int64)
        dims = np.array(shape, np.int64)
        found = _taps_kept.put(key, (offsets, values, lo, hi, flat, dims))
    return found


def _real_window(src, dst, weights, origins, mode, cval):
    """N-D correlation of a real ``src`` into ``dst``, a C-contiguous array or view."""
    shape = tuple(src.shape)
    if math.prod(shape) == 0:
        return
    if weights.size == 0:  # as SciPy's, e.g. weights of shape (0, 3): sums of no taps
        dst[...] = 0
        return
    if len(shape) == 0:  # a 0-d array: one output, input times weight
        shape, weights, origins = (1, 1), weights.reshape(1, 1), (0, 0)
    elif len(shape) == 1:  # one row: the groups of outputs run along it
        shape, weights, origins = (1,) + shape, weights[None, :], (0,) + tuple(origins)
    kept = _window_taps(shape, weights, origins)
    offsets, values, lo, hi, flat, dims = device_constants(kept, like=src)
    rows, last = math.prod(shape[:-1]), shape[-1]
    flat_src = src.reshape(-1)
    cast = _support.cast_code(_numpy_dtype(dst))
    flat_src, out2 = _support.kernel_view(flat_src), _support.kernel_view(dst).reshape(rows, last)
    args = [dims, offsets, flat, values, lo, hi]
    width, blocks = _blocks(src, last, rows)
    launch = (rows, blocks)
    args += [width, mode, float(cval), cast, out2]
    _k.correlate_nd(flat_src, *args, ndrange=launch, cost=width * max(1, len(kept[1])))


def _run_window(input, plan):
    window = plan.window
    weights = window.weights
    result = _support.destination(input, plan.output)
    if not plan.complex:
        _real_window(input, result, weights, window.origins, window.mode, plan.cval)
        return _finish(result, plan.output)
    cval = complex(plan.cval)
    src_re, src_im = _split(input)
    dst_re, dst_im = _split(result)
    mode, origins = window.mode, window.origins
    if weights.dtype.kind != "c":
        _real_window(src_re, dst_re, weights, origins, mode, cval.real)
        _real_window(src_im, dst_im, weights, origins, mode, cval.imag)
        return _finish(result, plan.output)
    w_re, w_im = np.ascontiguousarray(weights.real), np.ascontiguousarray(weights.imag)
    if src_im is None:
        _real_window(input, dst_re, w_re, origins, mode, cval.real)
        _real_window(input, dst_im, w_im, origins, mode, cval.real)
        return _finish(result, plan.output)
    tmp = _support.new_array(input.shape, _numpy_dtype(src_re), input)
    _real_window(src_re, dst_re, w_re, origins, mode, cval.real)
    _real_window(src_im, tmp, w_im, origins, mode, cval.imag)
    _add(dst_re, tmp, -1)
    _real_window(src_re, dst_im, w_im, origins, mode, cval.real)
    _real_window(src_im, tmp, w_re, origins, mode, cval.imag)
    _add(dst_im, tmp, 1)
    return _finish(result, plan.output)


# --- Dask -----------------------------------------------------------------------------


def _lazy_gaussian(function, input, plan, sigma, output, mode, cval, axes, kwargs):
    """`_lazy` for gaussian_laplace / gaussian_gradient_magnitude: the overlap is that of
    a Gaussian smoothing with the sigmas, truncate and radius the derivatives use.

    Each derivative smooths every axis with its own axis's mode; an axis can only be
    split into chunks with one overlap when those modes agree on whether it wraps. When
    they do not, each derivative is a lazy Gaussian filter of its own, and they are
    combined as SciPy combines them.
    """
    wraps = {_support.mode_code(m) == _support.MODE_WRAP for m in plan.modes}
    if len(wraps) > 1:
        square = function is gaussian_gradient_magnitude
        return _lazy_derivatives(input, plan, 1 if square else 2, square, cval, kwargs)
    smoothing_mode = plan.modes[0] if plan.modes else "reflect"
    truncate, radius = kwargs.get("truncate", 4.0), kwargs.get("radius")
    smooth = _checks.check_gaussian_filter(
        input,
        plan.extra_arguments[0],
        0,
        plan.output.dtype,
        smoothing_mode,
        cval,
        truncate,
        radius=radius,
    )
    smooth = smooth._replace(output=plan.output)
    return _lazy(function, input, smooth, (sigma, output, mode, cval), dict(kwargs, axes=axes))


def _lazy_derivatives(input, plan, order, square, cval, kwargs):
    """SciPy's generic_laplace (``square`` False) or generic_gradient_magnitude sum of
    Gaussian derivatives of ``order``, each a lazy Dask array of the output dtype: each
    is rounded to that dtype, (squared and) added in it, and the root taken last."""
    dtype = plan.output.dtype
    total = None
    for axis, mode in zip(plan.axes, plan.modes, strict=True):
        orders = [0] * input.ndim
        orders[axis] = order
        term = gaussian_filter(
            input, plan.extra_arguments[0], orders, dtype, mode, cval, **kwargs
        )
        if square:
            term = term * term  # in the output dtype, as NumPy's in-place multiply
        total = term if total is None else total + term
    if square:
        import dask.array as da

        total = da.sqrt(total).astype(dtype)  # NumPy's unsafe cast of the root
    return total


def _lazy(function, input, plan, args, kwargs=None):
    """``function`` over a Dask array's chunks, with the overlap ``plan`` needs."""
    from ._dask import depth_from_plan, map_filter

    if plan.output.array is not None:
        raise jd.UnsupportedArgumentError(  # a TypeError (jd.patch falls back to SciPy)
            f"{function.__name__}: with a Dask input, `output` must be None or a dtype, "
            "not an array; the result is a new lazy Dask array"
        )
    depth, modes = depth_from_plan(plan, input.ndim)
    return map_filter(
        function, input, args, kwargs, depth=depth, modes=modes, dtype=plan.output.dtype
    )


# --- public functions: 1-D ---------------------------------------------------------------


@docfiller
def correlate1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    """Calculate a 1-D correlation along the given axis.

    Every line of `input` along `axis` is correlated with `weights`:
    ``out[i] = sum(weights[k] * in[i + k - len(weights) // 2 - origin])``.

    Parameters
    ----------
    %(input)s
    weights : array_like
        1-D sequence of numbers (complex weights are conjugated, as in
        ``numpy.correlate``).
    %(axis)s
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin)s

    Returns
    -------
    result : array
        The correlation, of the same shape as `input`, in its library.

    See Also
    --------
    scipy.ndimage.correlate1d : the reference implementation.
    convolve1d : the same with flipped weights.

    Notes
    -----
    Values are summed in float64 in SciPy's order and cast to the output dtype as
    SciPy's C code casts them (truncating towards zero for integers), so CPU results
    equal SciPy's. On CUDA the compiler may fuse multiply-adds, which can change the
    last bit of a float result (and so, rarely, an integer result that lands exactly
    on an integer).

    Examples
    --------
    >>> from jitdispatch.ndimage import correlate1d
    >>> correlate1d(np.array([2, 8, 0, 4, 1, 9, 9, 0]), weights=[1, 3])
    array([ 8, 26,  8, 12,  7, 28, 36,  9])
    """
    input = _support.as_input(input)
    plan = _checks.check_correlate1d(input, weights, axis, output, mode, cval, origin)
    if is_dask_array(input):
        return _lazy(correlate1d, input, plan, (weights, axis, output, mode, cval, origin))
    return _run_chain(input, plan)


@docfiller
def convolve1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    """Calculate a 1-D convolution along the given axis.

    Every line of `input` along `axis` is convolved with `weights`: the same as
    `correlate1d` with the weights reversed (and the origin moved accordingly).

    Parameters
    ----------
    %(input)s
    weights : array_like
        1-D sequence of numbers.
    %(axis)s
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin)s

    Returns
    -------
    result : array
        The convolution, of the same shape as `input`, in its library.

    See Also
    --------
    scipy.ndimage.convolve1d : the reference implementation.

    Examples
    --------
    >>> from jitdispatch.ndimage import convolve1d
    >>> convolve1d(np.array([2, 8, 0, 4, 1, 9, 9, 0]), weights=[1, 3])
    array([14, 24,  4, 13, 12, 36, 27,  0])
    """
    input = _support.as_input(input)
    plan = _checks.check_convolve1d(input, weights, axis, output, mode, cval, origin)
    if is_dask_array(input):
        return _lazy(convolve1d, input, plan, (weights, axis, output, mode, cval, origin))
    return _run_chain(input, plan)


@docfiller
def gaussian_filter1d(
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
    """1-D Gaussian filter.

    Parameters
    ----------
    %(input)s
    sigma : scalar
        Standard deviation of the Gaussian kernel.
    %(axis)s
    order : int, optional
        0 (the default) smooths with the Gaussian; a positive order correlates with
        that derivative of the Gaussian.
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(truncate)s
    radius : None or int, optional
        Radius of the kernel, which then has ``2 * radius + 1`` samples; overrides
        `truncate`.

    Returns
    -------
    result : array
        The filtered array, of the same shape as `input`, in its library.

    See Also
    --------
    scipy.ndimage.gaussian_filter1d : the reference implementation.

    Notes
    -----
    The kernel's values are computed on the host with NumPy as SciPy computes them;
    the correlation itself is that of `correlate1d`.

    Examples
    --------
    >>> from jitdispatch.ndimage import gaussian_filter1d
    >>> gaussian_filter1d(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 1)
    array([1.42704095, 2.06782203, 3.        , 3.93217797, 4.57295905])
    """
    input = _support.as_input(input)
    plan = _checks.check_gaussian_filter1d(
        input, sigma, axis, order, output, mode, cval, truncate, radius=radius
    )
    if is_dask_array(input):
        args = (sigma, axis, order, output, mode, cval, truncate)
        return _lazy(gaussian_filter1d, input, plan, args, {"radius": radius})
    return _run_chain(input, plan)


@docfiller
def uniform_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    """Calculate a 1-D uniform filter along the given axis.

    Every line of `input` along `axis` is replaced by its running mean over `size`
    samples.

    Parameters
    ----------
    %(input)s
    size : int
        Length of the uniform filter.
    %(axis)s
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin)s

    Returns
    -------
    result : array
        The filtered array, of the same shape as `input`, in its library.

    See Also
    --------
    scipy.ndimage.uniform_filter1d : the reference implementation.

    Notes
    -----
    The mean is a running sum along each line, updated as SciPy updates it, so results
    (and their rounding to integer outputs) equal SciPy's; once an ``inf`` has entered
    it, the rest of the line is NaN, as in SciPy. Two exceptions: on CUDA a float result
    is each window's mean weighted per output (equal within rounding; an ``inf`` or NaN
    stays within the windows that hold it), while integer results keep the running sum,
    one thread per line; on Dask arrays each chunk's running sum starts afresh, so an
    ``inf`` carries NaN only to the end of its chunk's reach.

    Examples
    --------
    >>> from jitdispatch.ndimage import uniform_filter1d
    >>> uniform_filter1d(np.array([2, 8, 0, 4, 1, 9, 9, 0]), size=3)
    array([4, 3, 4, 1, 4, 6, 6, 3])
    """
    input = _support.as_input(input)
    plan = _checks.check_uniform_filter1d(input, size, axis, output, mode, cval, origin)
    if is_dask_array(input):
        return _lazy(uniform_filter1d, input, plan, (size, axis, output, mode, cval, origin))
    return _run_chain(input, plan)


# --- public functions: separable N-D ------------------------------------------------------


@docfiller
def gaussian_filter(
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
    """Multidimensional Gaussian filter.

    Parameters
    ----------
    %(input)s
    %(sigma_multiple)s
    order : int or sequence of ints, optional
        Derivative order per axis: 0 smooths with the Gaussian, a positive order
        correlates with that derivative of the Gaussian.
    %(output)s
    %(mode_multiple)s
    %(cval)s
    %(truncate)s
    %(radius)s
    %(axes)s

    Returns
    -------
    result : array
        The filtered array, of the same shape as `input`, in its library.

    See Also
    --------
    scipy.ndimage.gaussian_filter : the reference implementation.

    Notes
    -----
    A sequence of 1-D passes, one per axis whose sigma is above 1e-15; as in SciPy,
    every pass rounds to the output dtype (so integer outputs are truncated between
    passes too).

    Examples
    --------
    >>> from jitdispatch.ndimage import gaussian_filter
    >>> a = np.arange(50, step=2).reshape((5, 5))
    >>> gaussian_filter(a, sigma=1)
    array([[ 4,  6,  8,  9, 11],
           [10, 12, 14, 15, 17],
           [20, 22, 24, 25, 27],
           [29, 31, 33, 34, 36],
           [35, 37, 39, 40, 42]])
    """
    input = _support.as_input(input)
    plan = _checks.check_gaussian_filter(
        input, sigma, order, output, mode, cval, truncate, radius=radius, axes=axes
    )
    if is_dask_array(input):
        args = (sigma, order, output, mode, cval, truncate)
        return _lazy(gaussian_filter, input, plan, args, {"radius": radius, "axes": axes})
    return _run_chain(input, plan)


@docfiller
def uniform_filter(input, size=3, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    """Multidimensional uniform filter.

    Parameters
    ----------
    %(input)s
    size : int or sequence of ints, optional
        The window length along every filtered axis, or one per axis in `axes`.
    %(output)s
    %(mode_multiple)s
    %(cval)s
    %(origin_multiple)s
    %(axes)s

    Returns
    -------
    result : array
        The filtered array, of the same shape as `input`, in its library.

    See Also
    --------
    scipy.ndimage.uniform_filter : the reference implementation.

    Notes
    -----
    A sequence of `uniform_filter1d` passes, one per axis of size above 1, each
    rounding to the output dtype as in SciPy.

    Examples
    --------
    >>> from jitdispatch.ndimage import uniform_filter
    >>> uniform_filter(np.arange(9.0).reshape(3, 3), size=3, mode="nearest")
    array([[1.33333333, 2.        , 2.66666667],
           [3.33333333, 4.        , 4.66666667],
           [5.33333333, 6.        , 6.66666667]])
    """
    input = _support.as_input(input)
    plan = _checks.check_uniform_filter(input, size, output, mode, cval, origin, axes=axes)
    if is_dask_array(input):
        args = (size, output, mode, cval, origin)
        return _lazy(uniform_filter, input, plan, args, {"axes": axes})
    return _run_chain(input, plan)


_EDGE_DOC = """Calculate a {name} filter.

    The {name} operator: a [-1, 0, 1] derivative along `axis` and a {smooth}
    smoothing along every other axis.

    Parameters
    ----------
    %(input)s
    %(axis)s
    %(output)s
    %(mode_multiple)s
    %(cval)s

    Returns
    -------
    result : array
        The filtered array, of the same shape as `input`, in its library.

    See Also
    --------
    scipy.ndimage.{name_lower} : the reference implementation.

    Notes
    -----
    As in SciPy, every pass rounds to the output dtype, so with an unsigned integer
    input the negative derivative values wrap around (pass ``output=np.float64``).

    Examples
    --------
    >>> from jitdispatch.ndimage import {name_lower}
    >>> {name_lower}(np.array([[0.0, 0.0, 1.0, 1.0]] * 3), axis=1)
    array([[0., {e1}, {e1}, 0.],
           [0., {e1}, {e1}, 0.],
           [0., {e1}, {e1}, 0.]])
    """


def prewitt(input, axis=-1, output=None, mode="reflect", cval=0.0):
    input = _support.as_input(input)
    plan = _checks.check_prewitt(input, axis, output, mode, cval)
    if is_dask_array(input):
        return _lazy(prewitt, input, plan, (axis, output, mode, cval))
    return _run_chain(input, plan)


def sobel(input, axis=-1, output=None, mode="reflect", cval=0.0):
    input = _support.as_input(input)
    plan = _checks.check_sobel(input, axis, output, mode, cval)
    if is_dask_array(input):
        return _lazy(sobel, input, plan, (axis, output, mode, cval))
    return _run_chain(input, plan)


prewitt.__doc__ = _EDGE_DOC.format(
    name="Prewitt", name_lower="prewitt", smooth="[1, 1, 1]", e1="3."
)
sobel.__doc__ = _EDGE_DOC.format(name="Sobel", name_lower="sobel", smooth="[1, 2, 1]", e1="4.")
prewitt = docfiller(prewitt)
sobel = docfiller(sobel)


# --- public functions: derivatives ---------------------------------------------------------


def _result_array(input, out):
    """The output array of the generic derivative filters: the caller's, or zeros, as
    SciPy's (a derivative function that returns its result without writing its
    `output` argument leaves them)."""
    if out.array is not None:
        return out.array
    result = _support.new_array(input.shape, out.dtype, input)
    result[...] = 0
    return result


def _fusable(input, output):
    """Whether a derivative filter may fold its sums (and squares) into its passes:
    real data, and no output array that overlaps the input (SciPy's later derivatives
    then read the first one's result, which the generic path reproduces)."""
    if _numpy_dtype(input).kind == "c" or output.dtype.kind == "c":
        return False
    return output.array is None or not _support.needs_temporary(input, output.array)


def _derivative_sum(input, chains, output, square):
    """``sum_k d_k`` (with ``square``, ``sqrt(sum_k d_k * d_k)``) over ``chains``, each
    ``(passes, cval)``: the 1-D passes of ``input`` that give one derivative.

    As SciPy's generic_laplace and generic_gradient_magnitude compute it, each
    derivative is rounded to the output dtype, squared and added in that dtype; here
    the last pass of each chain does that in its store (the kernels' SQUARE and
    ACCUMULATE), so no derivative needs an array of its own nor a pass of NumPy
    arithmetic. The passes before it alternate between two spare arrays, shared by
    all chains; on arrays too large for the kept memory (`_support.runs_in_place`) they
    use one, in place after its first pass (SciPy's peak: the output and one
    derivative).
    """
    out = _support.destination(input, output)
    spares = []
    in_place = _support.runs_in_place(out)
    with _support.SPARES.lend() as take:
        input = _support.c_contiguous(input, take)
        for k, (passes, cval) in enumerate(chains):
            flags = (_k.SQUARE if square else 0) | (_k.ACCUMULATE if k else 0)
            src = input
            for p, step in enumerate(passes):
                if p == len(passes) - 1:
                    _line_pass(src, out, step, "correlate", cval, flags)
                    break
                if in_place and p:  # one spare, the later passes in place on it
                    run = functools.partial(_band_pass, op="correlate", cval=cval)
                    _support.pass_in_place(src, step, run)
                    continue
                slot = 0 if in_place else p % 2
                if len(spares) <= slot:
                    spares.append(take(input.shape, output.dtype, input))
                _line_pass(src, spares[slot], step, "correlate", cval)
                src = spares[slot]
    if square:
        _sqrt(out)
    return _finish(out, output)


def _gaussian_chains(input, plan, order, cval):
    """The chains of passes of `_derivative_sum` for the Gaussian derivatives of
    ``plan`` (a DerivativePlan whose extra argument is sigma), as the derivative calls
    of gaussian_laplace / gaussian_gradient_magnitude would check them; None when one
    of them has no pass (SciPy then copies the input for it)."""
    (sigma,) = plan.extra_arguments
    chains = []
    for axis, mode in zip(plan.axes, plan.modes, strict=True):
        orders = [0] * input.ndim
        orders[axis] = order
        step = _checks.check_gaussian_filter(
            input, sigma, orders, plan.output.dtype, mode, cval, **plan.extra_keywords
        )
        if not step.passes:
            return None
        chains.append((step.passes, step.cval))
    return chains


@docfiller
def generic_laplace(
    input,
    derivative2,
    output=None,
    mode="reflect",
    cval=0.0,
    extra_arguments=(),
    extra_keywords=None,
    *,
    axes=None,
):
    """N-D Laplace filter using a provided second derivative function.

    Parameters
    ----------
    %(input)s
    derivative2 : callable
        Called as ``derivative2(input, axis, output, mode, cval, *extra_arguments,
        **extra_keywords)``; it must return the second derivative along `axis`
        (into `output` when `output` is an array, else as a new array of dtype
        `output`).
    %(output)s
    %(mode_multiple)s
    %(cval)s
    %(extra_keywords)s
    %(extra_arguments)s
    %(axes)s

    Returns
    -------
    result : array
        The sum of the second derivatives, of the same shape as `input`.

    See Also
    --------
    scipy.ndimage.generic_laplace : the reference implementation.

    Notes
    -----
    The derivatives are added with the arrays' own ``+=``, so integer outputs wrap
    around as in SciPy. The first derivative writes straight into `output`, as in
    SciPy: when `output` is `input` itself, the later derivatives see the first one's
    result, exactly as SciPy's do.

    Examples
    --------
    >>> from jitdispatch.ndimage import correlate1d, generic_laplace
    >>> def d2(input, axis, output, mode, cval):
    ...     return correlate1d(input, [1, -2, 1], axis, output, mode, cval, 0)
    >>> generic_laplace(np.eye(3), d2)
    array([[-3.,  2.,  0.],
           [ 2., -4.,  2.],
           [ 0.,  2., -3.]])
    """
    input = _support.as_input(input)
    if is_dask_array(input):
        raise TypeError(
            "generic_laplace: Dask arrays are not supported, since how far the derivative function "
            "reads is unknown; call it per chunk with dask.array.map_overlap"
        )
    plan = _checks.check_generic_derivative(
        input, output, mode, extra_arguments, extra_keywords, axes=axes
    )
    out = _result_array(input, plan.output)
    extra_args, extra_kw = plan.extra_arguments, plan.extra_keywords
    if not plan.axes:
        return _copy_into(out, input)
    derivative2(input, plan.axes[0], out, plan.modes[0], cval, *extra_args, **extra_kw)
    for axis, mode_ in zip(plan.axes[1:], plan.modes[1:], strict=True):
        tmp = derivative2(input, axis, plan.output.dtype, mode_, cval, *extra_args, **extra_kw)
        _add(out, tmp, 1)
    return out


@docfiller
def laplace(input, output=None, mode="reflect", cval=0.0, *, axes=None):
    """N-D Laplace filter based on approximate second derivatives.

    The sum over the filtered axes of correlations with [1, -2, 1].

    Parameters
    ----------
    %(input)s
    %(output)s
    %(mode_multiple)s
    %(cval)s
    %(axes)s

    Returns
    -------
    result : array
        The filtered array, of the same shape as `input`, in its library.

    See Also
    --------
    scipy.ndimage.laplace : the reference implementation.

    Notes
    -----
    Each second derivative is rounded to the output dtype before the sum, as in
    SciPy (see `generic_laplace`, which this calls).

    Examples
    --------
    >>> from jitdispatch.ndimage import laplace
    >>> laplace(np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]]), mode="constant")
    array([[ 0,  1,  0],
           [ 1, -4,  1],
           [ 0,  1,  0]])
    """
    input = _support.as_input(input)
    plan = _checks.check_laplace(input, output, mode, cval, axes=axes)
    if is_dask_array(input):
        return _lazy(laplace, input, plan, (output, mode, cval), {"axes": axes})
    if plan.passes and _fusable(input, plan.output):
        if jd.lanes(input) == 1:
            return _laplace_one_launch(input, plan)
        chains = [((step,), plan.cval) for step in plan.passes]
        return _derivative_sum(input, chains, plan.output, square=False)
    return generic_laplace(input, _second_derivative, output, mode, cval, axes=axes)


def _laplace_one_launch(input, plan):
    """`laplace` in one launch of one output per index (a GPU's way): every axis's
    second derivative is read, rounded and added in the same thread."""
    out = _support.destination(input, plan.output)
    with _support.SPARES.lend() as take:
        src = _support.c_contiguous(input, take)
        shape = tuple(src.shape)
        size = math.prod(shape)
        if size:
            axes = [step.axis for step in plan.passes]
            geometry = np.array(
                [
                    [shape[a] for a in axes],
                    [math.prod(shape[a + 1 :]) for a in axes],
                    [step.mode for step in plan.passes],
                ],
                dtype=np.int64,
            )
            cast = _support.cast_code(_numpy_dtype(out))
            geometry = device_constant(geometry, like=src)
            flat_out = _support.kernel_view(out).reshape(size)
            _k.laplace_flat(
                _support.kernel_view(src).reshape(size), geometry, float(plan.cval), cast, flat_out,
                ndrange=size,
            )
    return _finish(out, plan.output)


def _second_derivative(input, axis, output, mode, cval):
    return correlate1d(input, [1, -2, 1], axis, output, mode, cval, 0)


def _gaussian_derivative(order):
    def derivative(input, axis, output, mode, cval, sigma, **kwargs):
        orders = [0] * input.ndim
        orders[axis] = order
        return gaussian_filter(input, sigma, orders, output, mode, cval, **kwargs)

    return derivative


@docfiller
def gaussian_laplace(input, sigma, output=None, mode="reflect", cval=0.0, *, axes=None, **kwargs):
    """Multidimensional Laplace filter using Gaussian second derivatives.

    Parameters
    ----------
    %(input)s
    %(sigma_multiple)s
    %(output)s
    %(mode_multiple)s
    %(cval)s
    %(axes)s
    %(gaussian_kwargs)s

    Returns
    -------
    result : array
        The filtered array, of the same shape as `input`, in its library.

    See Also
    --------
    scipy.ndimage.gaussian_laplace : the reference implementation.

    Examples
    --------
    >>> from jitdispatch.ndimage import gaussian_laplace
    >>> gaussian_laplace(np.eye(3), 1.0).round(3)
    array([[-0.189,  0.034,  0.044],
           [ 0.034, -0.197,  0.034],
           [ 0.044,  0.034, -0.189]])
    """
    input = _support.as_input(input)
    plan = _checks.check_gaussian_laplace(input, sigma, output, mode, cval, axes=axes, **kwargs)
    if is_dask_array(input):
        return _lazy_gaussian(
            gaussian_laplace, input, plan, sigma, output, mode, cval, axes, kwargs
        )
    if plan.axes and _fusable(input, plan.output):
        chains = _gaussian_chains(input, plan, 2, cval)
        if chains is not None:
            return _derivative_sum(input, chains, plan.output, square=False)
    return generic_laplace(
        input,
        _gaussian_derivative(2),
        output,
        mode,
        cval,
        extra_arguments=plan.extra_arguments,
        extra_keywords=plan.extra_keywords,
        axes=plan.axes,
    )


def _square(array):
    if hasattr(array, "__array_ufunc__") or hasattr(array, "__torch_function__"):
        array *= array
        return
    _k.square_into(array.reshape(-1), ndrange=math.prod(tuple(array.shape)))


_UINT8_SQRT = np.arange(256, dtype=np.uint8)
np.sqrt(_UINT8_SQRT, _UINT8_SQRT, casting="unsafe")
_UINT8_SQRT.setflags(write=False)


def _sqrt(array):
    """``np.sqrt(array, array, casting='unsafe')``, where the array lives."""
    if isinstance(array, np.ndarray):
        if array.size >= 1024 and array.flags.c_contiguous:
            view = array.reshape(-1)
            if array.dtype == np.uint8:
                # NumPy takes a uint8's square root in float16, in software (12 ms for
                # a megapixel): its own results for the 256 values, looked up, are equal
                _k.table_into(view, _UINT8_SQRT, ndrange=view.size)
                return
            if array.dtype.kind == "c":
                # NumPy's complex square root runs on one core at 15-40 ns a value
                _k.complex_sqrt_into(view, ndrange=view.size)
                return
        np.sqrt(array, array, casting="unsafe")
        return
    if math.prod(tuple(array.shape)) == 0:
        return
    with _support.SPARES.lend() as take:
        work = _support.c_contiguous(array, take)
        parts = _split(work)
        for part in parts:
            if part is not None and part is not work:
                raise TypeError("complex gradient magnitudes are only supported for NumPy arrays")
        _k.sqrt_into(work.reshape(-1), ndrange=math.prod(tuple(work.shape)))
        if work is not array:
            array[...] = work


@docfiller
def generic_gradient_magnitude(
    input,
    derivative,
    output=None,
    mode="reflect",
    cval=0.0,
    extra_arguments=(),
    extra_keywords=None,
    *,
    axes=None,
):
    """Gradient magnitude using a provided gradient function.

    Parameters
    ----------
    %(input)s
    derivative : callable
        Called as ``derivative(input, axis, output, mode, cval, *extra_arguments,
        **extra_keywords)``; it must return the first derivative along `axis`. Its
        result is squared in place.
    %(output)s
    %(mode_multiple)s
    %(cval)s
    %(extra_keywords)s
    %(extra_arguments)s
    %(axes)s

    Returns
    -------
    result : array
        ``sqrt(sum of the squared derivatives)``, of the same shape as `input`.

    See Also
    --------
    scipy.ndimage.generic_gradient_magnitude : the reference implementation.

    Notes
    -----
    Squares and sums use the arrays' own in-place operators (integers wrap around, as
    in SciPy); the square root is NumPy's with ``casting='unsafe'`` for NumPy arrays
    (for complex ones, taken in complex128 in parallel: results may differ from
    NumPy's in the last bit) and a float64 square root cast to the output dtype elsewhere.

    Examples
    --------
    >>> from jitdispatch.ndimage import generic_gradient_magnitude, sobel
    >>> def d(input, axis, output, mode, cval):
    ...     return sobel(input, axis, output, mode, cval)
    >>> generic_gradient_magnitude(np.eye(3), d).round(3)
    array([[2.828, 2.828, 2.   ],
           [2.828, 0.   , 2.828],
           [2.   , 2.828, 2.828]])
    """
    input = _support.as_input(input)
    if is_dask_array(input):
        raise TypeError(
            "generic_gradient_magnitude: Dask arrays are not supported, since how far the "
            "derivative function reads is unknown; call it per chunk with "
            "dask.array.map_overlap"
        )
    plan = _checks.check_generic_derivative(
        input, output, mode, extra_arguments, extra_keywords, axes=axes
    )
    out = _result_array(input, plan.output)
    extra_args, extra_kw = plan.extra_arguments, plan.extra_keywords
    if not plan.axes:
        return _copy_into(out, input)
    derivative(input, plan.axes[0], out, plan.modes[0], cval, *extra_args, **extra_kw)
    _square(out)
    for axis, mode_ in zip(plan.axes[1:], plan.modes[1:], strict=True):
        tmp = derivative(input, axis, plan.output.dtype, mode_, cval, *extra_args, **extra_kw)
        _square(tmp)
        _add(out, tmp, 1)
    _sqrt(out)
    return out


@docfiller
def gaussian_gradient_magnitude(
    input, sigma, output=None, mode="reflect", cval=0.0, *, axes=None, **kwargs
):
    """Multidimensional gradient magnitude using Gaussian derivatives.

    Parameters
    ----------
    %(input)s
    %(sigma_multiple)s
    %(output)s
    %(mode_multiple)s
    %(cval)s
    %(axes)s
    %(gaussian_kwargs)s

    Returns
    -------
    result : array
        The filtered array, of the same shape as `input`, in its library.

    See Also
    --------
    scipy.ndimage.gaussian_gradient_magnitude : the reference implementation.

    Notes
    -----
    Complex inputs are supported for NumPy arrays only. Their square root is taken in
    complex128, in parallel: it may differ from NumPy's (which SciPy takes) in the
    last bit.

    Examples
    --------
    >>> from jitdispatch.ndimage import gaussian_gradient_magnitude
    >>> gaussian_gradient_magnitude(np.eye(3), 1.0).round(3)
    array([[0.144, 0.187, 0.092],
           [0.187, 0.   , 0.187],
           [0.092, 0.187, 0.144]])
    """
    input = _support.as_input(input)
    # unlike gaussian_laplace, SciPy smooths every axis here, with sigma as given
    plan = _checks.check_generic_derivative(input, output, mode, (sigma,), kwargs, axes=axes)
    if is_dask_array(input):
        return _lazy_gaussian(
            gaussian_gradient_magnitude, input, plan, sigma, output, mode, cval, axes, kwargs
        )
    if plan.axes and _fusable(input, plan.output):
        chains = _gaussian_chains(input, plan, 1, cval)
        if chains is not None:
            return _derivative_sum(input, chains, plan.output, square=True)
    return generic_gradient_magnitude(
        input,
        _gaussian_derivative(1),
        output,
        mode,
        cval,
        extra_arguments=plan.extra_arguments,
        extra_keywords=plan.extra_keywords,
        axes=axes,  # as given, as SciPy passes it (a scalar axis is not range-checked)
    )


# --- public functions: N-D windows ------------------------------------------------------


@docfiller
def correlate(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    """Multidimensional correlation.

    ``out[i] = sum over k of weights[k] * in[i + k - shape(weights) // 2 - origin]``.

    Parameters
    ----------
    %(input)s
    weights : array_like
        Array of weights, with as many dimensions as `input` (or as `axes`).
        Complex weights are conjugated, as in ``numpy.correlate``.
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin_multiple)s
    %(axes)s

    Returns
    -------
    result : array
        The correlation, of the same shape as `input`, in its library.

    See Also
    --------
    scipy.ndimage.correlate : the reference implementation.
    convolve : the same with flipped weights.

    Notes
    -----
    Weights whose magnitude is not above the float64 epsilon are left out and the
    others summed from 0.0 in C order, as in SciPy, so CPU results equal SciPy's.
    %(far_reflect)s

    Examples
    --------
    >>> from jitdispatch.ndimage import correlate
    >>> correlate(np.arange(25).reshape(5, 5), np.ones((2, 2)))
    array([[ 0,  2,  6, 10, 14],
           [10, 12, 16, 20, 24],
           [30, 32, 36, 40, 44],
           [50, 52, 56, 60, 64],
           [70, 72, 76, 80, 84]])
    """
    input = _support.as_input(input)
    plan = _checks.check_correlate(input, weights, output, mode, cval, origin, axes=axes)
    if is_dask_array(input):
        args = (weights, output, mode, cval, origin)
        return _lazy(correlate, input, plan, args, {"axes": axes})
    with _support.SPARES.lend() as take:
        return _run_window(_support.c_contiguous(input, take), plan)


@docfiller
def convolve(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    """Multidimensional convolution.

    The same as `correlate` with the weights flipped along every axis (and the
    origins moved accordingly).

    Parameters
    ----------
    %(input)s
    weights : array_like
        Array of weights, with as many dimensions as `input` (or as `axes`).
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin_multiple)s
    %(axes)s

    Returns
    -------
    result : array
        The convolution, of the same shape as `input`, in its library.

    See Also
    --------
    scipy.ndimage.convolve : the reference implementation.

    Notes
    -----
    See `correlate` for the one case (far-reaching 'reflect' windows) where SciPy's
    results are undefined.

    Examples
    --------
    >>> from jitdispatch.ndimage import convolve
    >>> a = np.array([[1, 2, 0, 0], [5, 3, 0, 4], [0, 0, 0, 7], [9, 3, 0, 0]])
    >>> convolve(a, np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0]]), mode="constant")
    array([[11, 10,  7,  4],
           [10,  3, 11, 11],
           [15, 12, 14,  7],
           [12,  3,  7,  0]])
    """
    input = _support.as_input(input)
    plan = _checks.check_convolve(input, weights, output, mode, cval, origin, axes=axes)
    if is_dask_array(input):
        args = (weights, output, mode, cval, origin)
        return _lazy(convolve, input, plan, args, {"axes": axes})
    with _support.SPARES.lend() as take:
        return _run_window(_support.c_contiguous(input, take), plan)
