"""Minimum, maximum, rank, median, percentile and generic filters.

Public functions check their arguments with ``_checks`` (SciPy's rules and errors),
then run the kernels of ``jitdispatch.kernels.ndimage.rank`` / ``.generic`` where the
input lives. Dask arrays go through ``_dask``.
"""

from __future__ import annotations

import functools
import math
import types

import numpy as np

import jitdispatch as jd
from jitdispatch.kernels.ndimage import correlate as _correlate
from jitdispatch.kernels.ndimage import generic as _generic
from jitdispatch.kernels.ndimage import rank as _rank

from .. import _arrays
from .._kernel import Func, fingerprint_function
from . import _checks, _lowlevel, _support
from ._docstrings import docfiller
from ._params import device_constant, device_constants
from ._support import (
    CPU_INDICES,
    MODE_CONSTANT,
    SPARES,
    Kept,
    as_numpy_dtype,
    assign,
    c_contiguous,
    destination,
    is_torch,
    new_array,
    pass_in_place,
    runs_in_place,
)

__all__ = [
    "generic_filter",
    "generic_filter1d",
    "maximum_filter",
    "maximum_filter1d",
    "median_filter",
    "minimum_filter",
    "minimum_filter1d",
    "percentile_filter",
    "rank_filter",
    "vectorized_filter",
]

_BLOCK = 32  # outputs of one row computed per CPU index (amortises scratch setup)
_SCRATCH_BYTES = 64 * 2**20  # per launch, for windows larger than MAX_LOCAL points


# --- arrays, without caring which library they come from ------------------------------


def _is_dask(x):
    return type(x).__module__.split(".")[0] == "dask"


def _assign(dst, src):
    """``dst[...] = src`` (with NumPy's unsafe casting) in ``dst``'s library."""
    if is_torch(dst):
        dst.copy_(src)
    else:
        assign(dst, src)


def _convert(dst, src):
    """``dst[...] = src`` (both C-contiguous, ``dst`` of another dtype) as SciPy's C code
    writes its working doubles: through float64, then C's conversion (integers truncate
    and wrap; a bool holds the low byte). NumPy's casts saturate or differ elsewhere."""
    cast = _support.cast_code(_numpy_dtype(dst))
    size = math.prod(dst.shape)
    flat_dst = _support.kernel_view(dst).reshape(size)
    _correlate.convert_into(
        _support.kernel_view(src).reshape(size), flat_dst, cast, ndrange=size
    )


def _numpy_dtype(x):
    return as_numpy_dtype(x.dtype)


def _cast_scalar(value, dtype):
    """``value`` as a ``dtype`` scalar; integers are clamped to the dtype's range."""
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        value = float(value)
        if math.isnan(value):
            value = 0.0
        value = min(max(math.trunc(value) if math.isfinite(value) else value, info.min), info.max)
        return np.array(int(value), dtype)
    if dtype.kind == "b":
        return np.array(bool(value), dtype)
    return np.array(value).astype(dtype)


def _holds(dtype, cval):
    """Whether ``dtype`` holds ``cval`` exactly (9.75 is not an integer, 300 no uint8)."""
    value = complex(cval)
    return value.imag == 0 and float(_cast_scalar(value.real, dtype)) == value.real


_cvals = Kept(256)  # (cval's key, dtype) -> `_cast_scalar`, one-element


def _cval_array(cval, dtype, like):
    """A one-element array holding ``cval`` in ``dtype``, where ``like`` lives: converted
    as SciPy's C code converts it (`_c_cast`)."""
    try:
        key = (_checks.plan_key(cval), np.dtype(dtype))
    except _checks.Unkeyable:
        return device_constant(_c_cast(cval, dtype), like=like)
    found = _cvals.get(key)
    if found is None:
        found = _cvals.put(key, _c_cast(cval, dtype))
    return device_constant(found, like=like)


def _c_cast(value, dtype):
    """``value`` in a one-element array of ``dtype`` as C's conversion of a double gives
    it (SciPy's N-D minimum, maximum and rank filters convert cval so: -2 is 254 in
    uint8, 300 is 44), through the kernels' own conversion on the CPU. Where the dtype
    holds the value, that is the value."""
    dtype = np.dtype(dtype)
    if dtype.kind not in "biu" or _holds(dtype, value):
        return _cast_scalar(value, dtype).reshape(1)
    out = np.empty(1, dtype)
    _convert(out, np.array([float(complex(value).real)]))
    return out


class _Target:
    """Where a filter writes: a contiguous array of the output dtype, copied at the end
    into the caller's array when that one cannot be written directly."""

    def __init__(self, input, output):
        self.array = destination(input, output)
        self.given = output.array

    def finish(self):
        if self.given is None:
            return self.array
        if self.given is not self.array:
            _assign(self.given, self.array)
        return self.given


# --- separable minimum / maximum ---------------------------------------------------------


def _split(shape, axis):
    pre = math.prod(shape[:axis])
    post = math.prod(shape[axis + 1 :])
    return (pre, shape[axis], post)


def _per_index(like):
    """Outputs of a row one index computes: `_BLOCK` on the CPU, one on a GPU, where
    every index is a thread (``jd.lanes``)."""
    return _BLOCK if jd.lanes(like) > 1 else 1


def _row_blocks(n, post, size, lanes):
    """Rows ``block`` and lines ``kblock`` per index of `line_extreme_rows`: a van Herk
    run (``size`` rows) or 8 rows per index, and on the CPU up to 256 lines (the
    launch is parallel over its row blocks when its work, indices times
    ``block * kblock``, is large enough). On a GPU (``lanes`` 1) one line per
    index: neighbouring threads read neighbouring columns. (One output per thread, each
    scanning its window, measured twice as slow on an H100 for windows of 5 points: van
    Herk runs share the reads.)"""
    block = size if size > _rank.DIRECT_ROWS else min(n, 8)
    jblocks = -(-n // block)
    if lanes == 1:
        return block, jblocks, 1
    return block, jblocks, min(256, post)


def _line_pass(src, dst, step, cval, minimum, take, through_doubles=False):
    """One minimum/maximum pass of ``src`` into ``dst`` (one dtype). SciPy's line
    buffers hold doubles: with ``through_doubles`` (64-bit integers written into an
    output of their dtype) the result comes back through float64, rounded beyond 2**53
    (the rounding commutes with the comparisons, so it is applied to the exact result)."""
    _extreme_pass(src, dst, step, cval, minimum, take)
    if through_doubles:
        _convert(dst, dst)


def _wide_integers(dtype):
    """64-bit integers, which SciPy's C filters round through doubles."""
    return dtype.kind in "iu" and dtype.itemsize == 8


def _extreme_pass(src, dst, step, cval, minimum, take):
    shape = tuple(int(n) for n in src.shape)
    pre, n, post = _split(shape, step.axis)
    dtype = _numpy_dtype(src)
    cv = _cval_array(cval, dtype, src)
    size = int(step.size)
    args = (size, int(step.origin), int(step.mode), cv, bool(minimum))
    if post == 1:
        # along the last axis: whole van Herk runs of `size`, one on a GPU; on the CPU
        # at least _BLOCK outputs, and as many as leave about CPU_INDICES indices (each
        # index pays for its edges and its loops' set-up)
        per_index = _per_index(src)
        if per_index > 1:
            per_index = min(n, max(per_index, -(-pre * n // CPU_INDICES)))
            if size > _rank.DIRECT_LAST and n + size - 1 <= int(_rank.LINE_COPY):
                per_index = n  # whole lines, through a copy (`LINE_COPY`)
        block = size * -(-per_index // size)
        view = (pre, n)
        _rank.line_extreme(
            src.reshape(view), dst.reshape(view), *args, block, ndrange=pre * -(-n // block),
            cost=block,
        )
        return
    view = (pre, n, post)
    lanes = jd.lanes(src)
    block, jblocks, kblock = _row_blocks(n, post, size, lanes)
    # van Herk runs keep a row of running extremes per index (the kernel tells them by
    # the scratch's shape); short windows and short axes are scanned point by point
    shortest = min(size, _rank.RUNS_MIN_AXIS) if lanes > 1 else size  # CPU: edges too
    runs = size > _rank.DIRECT_ROWS and n >= shortest
    acc_shape = (pre * jblocks, post) if runs else (1, 1)
    acc = take(acc_shape, dtype, src)
    _rank.line_extreme_rows(
        src.reshape(view), dst.reshape(view), acc, *args, block, kblock,
        ndrange=(pre * jblocks, -(-post // kblock)), cost=block * kblock,
    )


def _run_passes(input, plan, minimum):
    target = _Target(input, plan.output)
    result = target.array
    if math.prod(input.shape) == 0:
        return target.finish()
    if not plan.passes:
        _assign(result, input)
        return target.finish()
    dtype = _numpy_dtype(input)
    result = _converted_output(result, dtype)
    out_dtype = _numpy_dtype(result)
    steps = plan.passes
    with SPARES.lend() as take:
        src = c_contiguous(input, take)
        if out_dtype.kind == "f" and dtype.kind in "biu" and not _holds(dtype, plan.cval):
            # SciPy's passes compare in float64: a cval of 9.75 beside integers stays 9.75
            # in a float output. The passes run in the output's dtype then (it holds
            # the integers' order, and min/max commute with its rounding).
            src = take(tuple(result.shape), out_dtype, input)
            _assign(src, input)
            dtype = out_dtype
        if (
            out_dtype.kind in "biu"
            and (dtype.kind in "biu" or len(steps) > 1)  # (a later pass reads integers)
            and not (_holds(dtype, plan.cval) and _holds(out_dtype, plan.cval))
            and any(step.mode == MODE_CONSTANT for step in steps)
        ):
            _passes_in_float64(src, result, steps, plan.cval, minimum, take)
            return target.finish()
        if out_dtype != dtype and out_dtype.kind in "iu" and len(steps) > 1:
            # SciPy writes each pass into the output and filters it again from there:
            # where the conversion wraps (an int16 maximum of 300 is 44 in uint8), the
            # later passes see the wrapped values. The first pass runs in the input's
            # dtype, the others in the output's.
            first = take(tuple(result.shape), dtype, input)
            _line_pass(src, first, steps[0], plan.cval, minimum, take)
            src = take(tuple(result.shape), out_dtype, input)
            _convert(src, first)
            steps, dtype = steps[1:], out_dtype
        # the passes keep partial results in their output, so they work in one dtype;
        # another output dtype gets the converted result at the end
        last = result if out_dtype == dtype else take(tuple(result.shape), dtype, input)
        # 64-bit integers into their own dtype: each pass through doubles, as SciPy's
        doubles = _wide_integers(dtype) and out_dtype == dtype
        if len(steps) > 1 and runs_in_place(last):
            # too large for the kept memory: the later passes in place, a band at a time
            with SPARES.lend() as first:  # the first pass's scratch, back at once
                _line_pass(src, last, steps[0], plan.cval, minimum, first, doubles)
            run = functools.partial(
                _band_pass, cval=plan.cval, minimum=minimum, through_doubles=doubles
            )
            for step in steps[1:]:
                pass_in_place(last, step, run)
        else:
            spare = take(tuple(result.shape), dtype, input) if len(steps) > 1 else None
            for k, step in enumerate(steps):
                # alternate between `spare` and `last` so that the last pass writes `last`
                dst = last if (len(steps) - 1 - k) % 2 == 0 else spare
                _line_pass(src, dst, step, plan.cval, minimum, take, doubles)
                src = dst
        if last is not result:
            _convert(result, last)
    return target.finish()


def _band_pass(src, dst, step, take, cval, minimum, through_doubles=False):
    """`_line_pass` as `_support.pass_in_place` runs it on a band."""
    _line_pass(src, dst, step, cval, minimum, take, through_doubles)


def _passes_in_float64(src, result, steps, cval, minimum, take):
    """The passes as SciPy's C runs them when an integer (or bool) input's or output's
    dtype cannot hold ``cval`` (-2 or 300 beside uint8): in float64, with ``cval``
    compared as it is, each pass written into the output's dtype with C's conversion (a
    -2 that wins becomes 254 in uint8) and read from there, a bool's byte as it is, by
    the next pass."""
    shape = tuple(result.shape)
    work = take(shape, np.float64, src)
    _assign(work, _support.kernel_view(src))  # a bool array's bytes, as C reads them
    sums = take(shape, np.float64, src)
    rounded = take(shape, _numpy_dtype(result), src) if len(steps) > 1 else None
    for k, step in enumerate(steps):
        _line_pass(work, sums, step, cval, minimum, take)
        if k == len(steps) - 1:
            _convert(result, sums)
            return
        _convert(rounded, sums)
        _assign(work, _support.kernel_view(rounded))  # 253 in a bool output stays 253


def _converted_output(result, dtype):
    """The array the kernels write for ``result``: a bool output of another input
    dtype as its bytes, which get the converted result's low byte as SciPy's C casts
    give it (0.5 and 256 give False; see `_support.kernel_view`)."""
    if _numpy_dtype(result) == np.bool_ and dtype != np.bool_:
        return _support.kernel_view(result)
    return result


# --- N-D windows ------------------------------------------------------------------------


_geometries = Kept(256)  # window geometries (the kernels only read them)


def _Geometry(shape, window, full_box=False):
    """`_WindowGeometry` of ``window`` for an input ``shape``, kept for repeated calls
    (tens of microseconds of NumPy per call, which a GPU call would wait on)."""
    mask = None if full_box else window.footprint
    key = (
        tuple(shape),
        tuple(window.shape),
        tuple(window.origins),
        None if mask is None else np.packbits(mask).tobytes(),
    )
    found = _geometries.get(key)
    if found is None:
        found = _geometries.put(key, _WindowGeometry(shape, window, full_box))
    return found


class _WindowGeometry:
    """Window points as the ``window_*`` kernels take them, for an input ``shape``."""

    def __init__(self, shape, window, full_box=False):
        shape = tuple(int(n) for n in shape)
        wshape = tuple(int(n) for n in window.shape)
        mask = None if full_box else window.footprint
        one_dim = len(shape) < 2
        if len(shape) < 2:  # kernels want (rows, last): add a unit axis at the end
            shape = shape + (1,) * (2 - len(shape))
            wshape = wshape + (1,) * (2 - len(wshape))
            origins = tuple(window.origins) + (0,) * (2 - len(window.origins))
            if mask is not None:
                mask = mask.reshape(wshape)
        else:
            origins = tuple(window.origins)
        if mask is None:
            points = np.indices(wshape).reshape(len(wshape), -1).T
        else:
            points = np.argwhere(mask)
        centre = np.array([n // 2 for n in wshape]) + np.array(origins)
        offs = (points - centre).astype(np.int64)
        strides = np.array([math.prod(shape[d + 1 :]) for d in range(len(shape))], np.int64)
        self.shape = np.array(shape, np.int64)
        self.offs = np.ascontiguousarray(offs)
        self.foff = np.ascontiguousarray(offs @ strides)
        self.lo = offs.min(axis=0, initial=0)  # (generic_filter takes an all-False
        self.hi = offs.max(axis=0, initial=0)  # footprint: its function gets no values)
        self.arrays = (self.shape, self.offs, self.foff, self.lo, self.hi)
        self.rows = math.prod(shape[:-1])
        self.last = shape[-1]
        self.count = len(offs)
        # `line_rank`'s view: lines along the last axis (a 1-D input is one line), and
        # where a window of 3 or more consecutive points on them starts; else None
        axis = 0 if one_dim else len(shape) - 1
        along = offs[:, axis]
        self.lines = (1, shape[0]) if one_dim else (self.rows, self.last)
        self.line_first = None
        if (
            self.count >= 3
            and not np.delete(offs, axis, axis=1).any()
            and np.array_equal(along, np.arange(along[0], along[0] + self.count))
        ):
            self.line_first = int(along[0])

    def device(self, like):
        return device_constants(self.arrays, like)


def _flat(input, take):
    """``input`` as a 1-D C-ordered array (copied into memory from ``take`` if it is
    not C-contiguous: a reshape would copy it into new memory, and slowly)."""
    return c_contiguous(input, take).reshape(-1)


# Largest window that selects with a comparator network (`window_network`); larger
# ones use a quickselect, whose cost grows as n where a network's grows as n log^2 n.
_NETWORK_MAX = 160


def _batcher_pairs(n):
    """Comparators ``(i, j)``, ``i < j``, of Batcher's odd-even merge sort for ``n``
    points: the network for the next power of two, less the comparators that touch a
    point ``>= n`` (those points may be taken as +inf, which such comparators leave
    in place)."""
    size = 1
    while size < n:
        size *= 2
    pairs = []
    p = 1
    while p < size:
        k = p
        while k >= 1:
            for j in range(k % p, size - k, 2 * k):
                for i in range(min(k, size - j - k)):
                    a, b = i + j, i + j + k
                    if a // (2 * p) == b // (2 * p) and b < n:
                        pairs.append((a, b))
            k //= 2
        p *= 2
    return pairs


@functools.lru_cache(maxsize=64)
def _selection_pairs(n, rank):
    """The comparators of `_batcher_pairs` that the point of rank ``rank`` depends on,
    in order, as an ``(m, 2)`` uint64 array (unsigned: the kernel's lane indices then
    need no negative-index handling, and its loop over lanes vectorises)."""
    needed = {rank}
    kept = []
    for a, b in reversed(_batcher_pairs(n)):
        if a in needed or b in needed:
            kept.append((a, b))
            needed.update((a, b))
    kept.reverse()
    return np.array(kept, np.uint64).reshape(-1, 2)


def _top_array(dtype, like):
    """A one-element array holding ``dtype``'s largest value (``+inf`` for floats, True
    for bool), where ``like`` lives: the padding of `window_count_rank`'s slots."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        top = np.inf
    elif dtype.kind == "b":
        top = True
    else:
        top = np.iinfo(dtype).max
    return device_constant(np.array([top], dtype), like=like)


# Outputs per index of `line_rank` (at least 8 windows' length), and the shortest
# lines it takes: it keeps a window per index, sorted once per block
_LINE_RANK_BLOCK = 1024
_LINE_RANK_MIN = 256
_LINE_RANK_BYTES = 8 << 20  # windows of the lines one launch takes
# Windows of this many points or more slide by counts over blocks and a move of the
# values between the two places (`line_rank`); shorter ones by branch-free counts over
# the whole window and its rewrite. Medians of 4M values on 2 cores, against SciPy's
# time, whole-window counts -> blocks: float64 64 points 0.46 -> 0.56, 128 0.62 ->
# 0.57, 301 1.21 -> 0.64, 1001 3.14 -> 0.83; float32 and int16 alike.
_LINE_RANK_SEARCH = 96
# Windows along lines select with `line_network` while its comparators, times the
# itemsize (2 for 1-byte types), are at most this many, else slide (`line_rank`).
# Medians of 2M values on 2 cores, network against sliding window (ms): float64 25
# points (113 comparators) 28.7 / 36.2, 31 (152) 42.8 / 27.4; float32 31 23.4 / 27.5,
# 41 (257) 41.8 / 32.2; int16 51 (335) 29.8 / 39.0, 71 (594) 72.0 / 43.2; uint8 51
# 26.6 / 49.6, 71 62.5 / 43.0.
_LINE_NETWORK_BYTES = 1024


def _run_lines(lines, out_lines, geo, rank, mode, cv, take):
    """Rank ``rank`` of windows of consecutive points along the 2-D ``lines`` (CPU
    only): a comparator network for small windows, a sliding sorted window else."""
    dtype = _numpy_dtype(lines)
    first, count = geo.line_first, geo.count
    n = lines.shape[1]
    pairs = _selection_pairs(count, rank) if count <= _NETWORK_MAX else None
    if pairs is not None and len(pairs) * max(dtype.itemsize, 2) <= _LINE_NETWORK_BYTES:
        lanes = _rank.LINE_NETWORK_LOCAL // count
        block = lanes * max(1, _LINE_RANK_BLOCK // lanes)
        _rank.line_network(
            lines, out_lines, first, mode, cv, rank, block, count, lanes,
            pairs * np.uint64(lanes),
            ndrange=lines.shape[0] * -(-n // block), cost=block * len(pairs),
        )
        return
    block = max(_LINE_RANK_BLOCK, 8 * count)
    per_line = -(-n // block)
    # the windows (two per index) of at most _LINE_RANK_BYTES of lines at a time
    window_bytes = per_line * 2 * (count + 2) * dtype.itemsize
    step = max(1, min(lines.shape[0], _LINE_RANK_BYTES // window_bytes))
    buf = take((step * per_line, 2, count + 2), dtype, lines)
    for r0 in range(0, lines.shape[0], step):
        part, out_part = lines[r0 : r0 + step], out_lines[r0 : r0 + step]
        _rank.line_rank(
            part, out_part, buf, first, mode, cv, rank, block, _LINE_RANK_SEARCH,
            ndrange=part.shape[0] * per_line, cost=block * count.bit_length(),
        )


def _rank1d_working(input, cval):
    """The dtype SciPy's 1-D rank path selects in, where the input's own would give
    another result: float32 for float16 (which compiled code cannot take), int64 for an
    integer input whose dtype does not hold ``cval`` (the constant's rank among the
    values then differs: a ``cval`` of 300 is above every uint8, not 44)."""
    dtype = _numpy_dtype(input)
    if dtype == np.float16:
        return np.dtype(np.float32)
    if dtype.kind in "biu" and not _holds(dtype, cval):
        return np.dtype(np.int64)
    return dtype


def _rank1d_casts(dtype, out_dtype):
    """Whether SciPy's 1-D rank path casts its result into an output of ``out_dtype``
    with NumPy (``np.copyto``): it does for inputs it widens; for the others it writes
    its working values as they are (garbage when the dtypes differ: here they are
    converted, with NumPy's cast where the kernels cannot write the output's dtype)."""
    return dtype not in (np.int64, np.float64, np.float32) or out_dtype == np.float16


def _run_window(input, plan, op, rank=0, full_box=False):
    target = _Target(input, plan.output)
    if math.prod(input.shape) == 0:
        return target.finish()
    working = _rank1d_working(input, plan.cval) if full_box else _numpy_dtype(input)
    if working != _numpy_dtype(input):
        # as SciPy: the values in the working dtype, the result cast into the output
        # with NumPy's unsafe casting
        wide = new_array(input.shape, working, input)
        _assign(wide, input)
        within = plan._replace(output=_support.Output(working))
        _assign(target.array, _run_window(wide, within, op, rank, full_box))
        return target.finish()
    if not full_box:
        # SciPy's N-D windows read a bool array as its bytes (npy_bool is an unsigned
        # char) and convert cval into one: -3 is 253 and wins a maximum, 0.5 is 0; the
        # result is written as a byte too
        input = _support.kernel_view(input)
    with SPARES.lend() as take:  # (a copy of an input that is not C-ordered)
        geo = _Geometry(input.shape, plan.window, full_box)
        src = _flat(input, take)
        # another output dtype gets the result converted as SciPy's C converts it, after
        # (SciPy's 1-D rank path casts its result with NumPy: a True is 1)
        direct = target.array
        if not full_box:
            direct = _converted_output(direct, _numpy_dtype(input))
        result = direct
        if _numpy_dtype(result) != _numpy_dtype(input):
            result = new_array(input.shape, _numpy_dtype(input), input)
        out2 = result.reshape(geo.rows, geo.last)
        cv = _cval_array(plan.cval, _numpy_dtype(input), input)
        shape, offs, foff, lo, hi = geo.device(input)
        mode = int(plan.window.mode)
        median9 = geo.count == 9 and rank == 4
        per_index = _per_index(input)
        small = 1 < geo.count <= _rank.COUNT_MAX
        if (
            op == _rank.OP_RANK
            and per_index > 1
            and geo.line_first is not None
            and geo.lines[1] >= _LINE_RANK_MIN
        ):
            # a window of consecutive points along lines
            lines, out_lines = src.reshape(geo.lines), result.reshape(geo.lines)
            _run_lines(lines, out_lines, geo, int(rank), mode, cv, take)
        elif op == _rank.OP_RANK and per_index == 1 and small and not median9:
            # one output per index (GPUs): select by counting, with no window buffer in
            # local memory for the outputs whose window is inside the array
            top = _top_array(_numpy_dtype(input), input)
            _rank.window_count_rank(
                src, out2, shape, offs, foff, lo, hi, mode, cv, top, int(rank),
                ndrange=(geo.rows, geo.last), cost=max(1, geo.count),
            )
        elif op == _rank.OP_RANK and 1 < geo.count <= _NETWORK_MAX and not median9:
            block = min(per_index, int(_rank.NETWORK_LOCAL) // geo.count)
            pairs = _selection_pairs(geo.count, int(rank)) * np.uint64(block)
            pairs = device_constant(pairs, like=input)
            _rank.window_network(
                src, out2, shape, offs, foff, lo, hi, mode, cv, int(rank), block, pairs,
                ndrange=(geo.rows, -(-geo.last // block)), cost=max(1, block * geo.count),
            )
        elif op != _rank.OP_RANK or geo.count <= _rank.MAX_LOCAL:
            blocks = -(-geo.last // per_index)
            _rank.window_filter(
                src, out2, shape, offs, foff, lo, hi, mode, cv, op, int(rank), per_index,
                ndrange=(geo.rows, blocks), cost=max(1, per_index * geo.count),
            )
        else:
            itemsize = _numpy_dtype(input).itemsize
            chunk = max(1, min(geo.rows, _SCRATCH_BYTES // (geo.count * itemsize)))
            scratch = jd.empty((chunk, geo.count), _numpy_dtype(input), like=input)
            for row0 in range(0, geo.rows, chunk):
                n = min(chunk, geo.rows - row0)
                _rank.window_rank_scratch(
                    row0, src, out2, scratch, shape, offs, foff, lo, hi, mode, cv, int(rank),
                    ndrange=(n,), cost=max(1, geo.last * geo.count),
                )
    if result is not direct:
        if full_box and _rank1d_casts(_numpy_dtype(input), _numpy_dtype(target.array)):
            _assign(target.array, result)
        else:
            _convert(target.array, result)
    elif _wide_integers(_numpy_dtype(input)) and not full_box:
        # SciPy's N-D filters work in doubles: a 64-bit integer result comes back through
        # float64 (rounded beyond 2**53); only its 1-D rank path keeps it whole
        _convert(result, result)
    return target.finish()


def _run_plan(input, plan):
    if plan.op in ("minimum", "maximum"):
        minimum = plan.op == "minimum"
        if plan.window is None:
            return _run_passes(input, plan, minimum)
        op = _rank.OP_MINIMUM if minimum else _rank.OP_MAXIMUM
        return _run_window(input, plan, op)
    # SciPy 1.17 runs 1-D rank filters through a separate path that uses the whole
    # window, ignoring False entries of the footprint (its rank still counts the Trues).
    window = plan.window
    n = int(input.shape[0]) if len(input.shape) == 1 else 0
    one_d = len(input.shape) == 1 and (
        n - ((math.prod(window.shape) - 1) // 2 - window.origins[-1]) >= 0 or n == 1
    )
    return _run_window(input, plan, _rank.OP_RANK, plan.rank, full_box=one_d)


def _lazy(name, input, args, kwargs, plan):
    """A Dask array filtered chunk by chunk (each chunk with the overlap it needs)."""
    from . import _dask

    if plan.output.array is not None:
        raise jd.UnsupportedArgumentError(  # a TypeError (jd.patch falls back to SciPy)
            f"{name}: for a Dask input, `output` must be None or a dtype"
        )
    depth, modes = _dask.depth_from_plan(plan, input.ndim)
    return _dask.map_filter(
        globals()[name], input, args, kwargs, depth=depth, modes=modes, dtype=plan.output.dtype
    )


def _dispatch(name, input, args, kwargs, check):
    input = _support.as_input(input)
    plan = check(input, *args, **kwargs)
    if _is_dask(input):
        return _lazy(name, input, args, kwargs, plan)
    return _run_plan(input, plan)


# --- public: minimum / maximum ----------------------------------------------------------


@docfiller
def minimum_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    """Calculate a 1-D minimum filter along the given axis.

    The lines of the array along the given axis are filtered with a minimum filter
    of the given size.

    Parameters
    ----------
    %(input)s
    size : int
        Length along which to calculate the 1-D minimum.
    %(axis)s
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin)s

    Returns
    -------
    result : array
        Filtered array, of the same shape as `input`, where `input` lives.

    See Also
    --------
    scipy.ndimage.minimum_filter1d : the original.

    Notes
    -----
    Short windows are scanned point by point, longer ones by van Herk / Gil-Werman
    (about three comparisons per element whatever `size`); values are compared in the
    input's dtype. A ``cval`` an integer input cannot hold is compared in float64 and
    each pass converted into the output as C converts it, as SciPy's passes do.
    %(nan)s
    %(wide_integers)s
    """
    args = (size, axis, output, mode, cval, origin)
    return _dispatch("minimum_filter1d", input, args, {}, _checks.check_minimum_filter1d)


@docfiller
def maximum_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    """Calculate a 1-D maximum filter along the given axis.

    The lines of the array along the given axis are filtered with a maximum filter
    of the given size.

    Parameters
    ----------
    %(input)s
    size : int
        Length along which to calculate the 1-D maximum.
    %(axis)s
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin)s

    Returns
    -------
    result : array
        Filtered array, of the same shape as `input`, where `input` lives.

    See Also
    --------
    scipy.ndimage.maximum_filter1d : the original.

    Notes
    -----
    As `minimum_filter1d`.
    %(nan)s
    %(wide_integers)s
    """
    args = (size, axis, output, mode, cval, origin)
    return _dispatch("maximum_filter1d", input, args, {}, _checks.check_maximum_filter1d)


_MINMAX_DOC = """Calculate a multidimensional {what} filter.

    Parameters
    ----------
    %(input)s
    %(size_foot)s
    %(output)s
    %(mode_multiple)s
    %(cval)s
    %(origin_multiple)s
    %(axes)s

    Returns
    -------
    result : array
        Filtered array, of the same shape as `input`, where `input` lives.

    See Also
    --------
    scipy.ndimage.{what}_filter : the original.

    Notes
    -----
    A box window (a `size`, or a footprint of all True) is separable: one 1-D pass per
    axis of length > 1, as in SciPy; per-axis modes are accepted then only. Other
    footprints run one N-D window kernel. A ``cval`` an integer input cannot hold is
    handled as in SciPy: compared in float64 by the 1-D passes (each converted into the
    output as C converts it), converted to the input's dtype as C converts it by the
    N-D windows.
    %(far_reflect)s
    %(nan)s
    %(wide_integers)s
    """


def minimum_filter(
    input, size=None, footprint=None, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None
):
    args = (size, footprint, output, mode, cval, origin)
    kwargs = {"axes": axes}
    return _dispatch("minimum_filter", input, args, kwargs, _checks.check_minimum_filter)


def maximum_filter(
    input, size=None, footprint=None, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None
):
    args = (size, footprint, output, mode, cval, origin)
    kwargs = {"axes": axes}
    return _dispatch("maximum_filter", input, args, kwargs, _checks.check_maximum_filter)


minimum_filter.__doc__ = _MINMAX_DOC.format(what="minimum")
maximum_filter.__doc__ = _MINMAX_DOC.format(what="maximum")
docfiller(minimum_filter)
docfiller(maximum_filter)


# --- public: rank family --------------------------------------------------------------

_RANK_NOTES = """Notes
    -----
    Each output selects among its window in the input's dtype. Windows of up to
    {network_max} points run a comparator network (Batcher's odd-even merge sort, pruned
    to the comparators the wanted rank depends on; a branch-free median for 9 points),
    several outputs at once; larger windows a quickselect, in per-index memory up to
    {max_local} points and in a scratch array beyond. On a GPU, windows of up to
    {count_max} points select by counting (each point's rank among the others), with
    NaN after every number. As in SciPy, a rank that picks
    the smallest or largest element runs `minimum_filter` / `maximum_filter`, and a
    1-D input uses the whole window even where the footprint is False (SciPy 1.17's
    1-D path does so), and selects as that path does: a float16 1-D input in float32
    (the N-D filters refuse float16, as SciPy's), an integer one in int64 where its dtype
    cannot hold `cval`, the result cast into `output` by NumPy. On the CPU, windows of
    consecutive points along lines (a 1-D input, ``size=(1, ..., k)``) select by a
    network over several outputs at once or slide a sorted window along the line.
    Differences from SciPy: for a 1-D input and an `output` dtype other than the
    input's (not float16/small integers), SciPy writes the working type's bytes into
    `output` (garbage), here the values are converted; for a 1-D input and a window
    longer than it with a nonzero origin, SciPy's 1-D path returns uninitialised values
    or wrong ranks, here the ranks of the window as the N-D path reads it.
    %(far_reflect)s
    %(nan)s
    %(wide_integers)s
    """.replace("{max_local}", str(_rank.MAX_LOCAL)).replace(
    "{network_max}", str(_NETWORK_MAX)
).replace("{count_max}", str(_rank.COUNT_MAX))


def rank_filter(
    input, rank, size=None, footprint=None, output=None, mode="reflect", cval=0.0, origin=0, *,
    axes=None,
):
    args = (rank, size, footprint, output, mode, cval, origin)
    return _dispatch("rank_filter", input, args, {"axes": axes}, _checks.check_rank_filter)


rank_filter.__doc__ = """Calculate a multidimensional rank filter.

    Parameters
    ----------
    %(input)s
    rank : int
        The rank parameter may be less than zero, i.e., rank = -1
        indicates the largest element.
    %(size_foot)s
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin_multiple)s
    %(axes)s

    Returns
    -------
    rank_filter : array
        Filtered array, of the same shape as `input`, where `input` lives.

    See Also
    --------
    scipy.ndimage.rank_filter : the original.

    """ + _RANK_NOTES
docfiller(rank_filter)


def median_filter(
    input, size=None, footprint=None, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None
):
    args = (size, footprint, output, mode, cval, origin)
    return _dispatch("median_filter", input, args, {"axes": axes}, _checks.check_median_filter)


median_filter.__doc__ = """Calculate a multidimensional median filter.

    Parameters
    ----------
    %(input)s
    %(size_foot)s
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin_multiple)s
    %(axes)s

    Returns
    -------
    median_filter : array
        Filtered array, of the same shape as `input`, where `input` lives.

    See Also
    --------
    scipy.ndimage.median_filter : the original.

    """ + _RANK_NOTES
docfiller(median_filter)


def percentile_filter(
    input, percentile, size=None, footprint=None, output=None, mode="reflect", cval=0.0,
    origin=0, *, axes=None,
):
    args = (percentile, size, footprint, output, mode, cval, origin)
    check = _checks.check_percentile_filter
    return _dispatch("percentile_filter", input, args, {"axes": axes}, check)


percentile_filter.__doc__ = """Calculate a multidimensional percentile filter.

    Parameters
    ----------
    %(input)s
    percentile : scalar
        The percentile parameter may be less than zero, i.e.,
        percentile = -20 equals percentile = 80.
    %(size_foot)s
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin_multiple)s
    %(axes)s

    Returns
    -------
    percentile_filter : array
        Filtered array, of the same shape as `input`, where `input` lives.

    See Also
    --------
    scipy.ndimage.percentile_filter : the original.

    """ + _RANK_NOTES
docfiller(percentile_filter)


# --- public: generic filters ------------------------------------------------------------

_kernels = {}  # (function key, kind, nargs, keyword names, scratch) -> kernel


def _function_key(function):
    """What tells ``function``'s kernels apart: for a Python function (or one Numba
    compiled), its fingerprint, which covers its code and the values of the globals,
    closure variables and defaults it reads. SciPy calls the function as it is at each
    call, so a kernel compiled when a closure variable held another value is not used."""
    if isinstance(function, Func):
        return ("func", function._jd_fingerprint())
    py = getattr(function, "py_func", function)
    if isinstance(py, types.FunctionType):
        return ("function", fingerprint_function(py))
    return ("callable", function)


def _user_func(function, kind):
    """``function`` as a ``jd.func`` for a new kernel (one per `_function_key`): a fresh
    one, so that the values it reads are compiled in as they are now."""
    _support.check_compilable_signature(function)
    if isinstance(function, Func):
        fresh = Func(function.py_func)
        fresh._overrides = dict(function._overrides)
        return fresh
    if _lowlevel.is_low_level_callable(function):
        return _lowlevel.function(function, kind)
    py = getattr(function, "py_func", function)  # a Numba dispatcher: its Python function
    if isinstance(py, types.FunctionType):
        return jd.func(py)
    # A callable Numba knows (NumPy's np.max, ...): call it from a Python function.
    if kind == "window":
        return jd.func(lambda window: function(window))
    return jd.func(lambda line_in, line_out: function(line_in, line_out))


def _generic_kernel(kind, function, nargs, keywords, scratch=False):
    key = (_function_key(function), kind, nargs, keywords, scratch)
    if _lowlevel.is_low_level_callable(function):
        key = (_lowlevel.function(function, kind), kind, nargs, keywords, scratch)
    found = _kernels.get(key)
    if found is None:
        plain = isinstance(getattr(function, "py_func", function), (types.FunctionType, Func))
        if (nargs or keywords) and not plain:
            raise TypeError(
                "generic filters: extra arguments need `function` to be a Python "
                f"function; got {type(function).__name__}"
            )
        func = _user_func(function, kind)
        if kind == "window":
            found = _generic.window_kernel(func, nargs, keywords, scratch)
        else:
            found = _generic.line_kernel(func, nargs, keywords)
        _kernels[key] = found
    return found


def _extra_values(extra_arguments, extra_keywords, like):
    values = []
    for value in list(extra_arguments) + list(extra_keywords.values()):
        if isinstance(value, (bool, int, float, complex, np.number, np.bool_)):
            values.append(value.item() if isinstance(value, np.generic) else value)
        elif hasattr(value, "shape") and hasattr(value, "dtype"):
            values.append(jd.asarray(value, like=like))
        else:
            raise TypeError(
                "generic filters compile `function`; extra_arguments and extra_keywords "
                f"must be numbers or arrays, got {type(value).__name__}"
            )
    return values


def _compiled_call(who, kernel, *args, returning=None, **kwargs):
    """``kernel(*args, **kwargs)``, with Numba's compilation errors for the user's
    function (which SciPy would have called from Python) turned into a TypeError that
    says what is wrong: its first informative line, a hint for an uncompiled helper,
    and, given ``returning=(function, extra_arguments)`` for a generic_filter function,
    what it returns where that is not a number."""
    try:
        kernel(*args, **kwargs)
    except Exception as exc:
        if not _is_compile_error(exc):
            raise
        returned = None if returning is None else _returned_not_a_number(*returning)
        if returned is not None:
            raise TypeError(
                f"{who}: `function` must return a real number, as SciPy requires; it "
                f"returns {returned}"
            ) from exc
        raise TypeError(
            f"{who}: `function` does not compile with Numba in nopython mode for these "
            f"arguments (on a GPU, as a CUDA device function): {_first_line(exc)}"
        ) from exc


def _is_compile_error(exc):
    """Whether ``exc`` comes from compiling (Numba's and numba-cuda's ``NumbaError``
    family, lowering's NotImplementedError, NVVM's errors), not from running the
    function or from the driver (a CUDA launch failure stays what it is)."""
    if any(cls.__name__ == "NumbaError" for cls in type(exc).__mro__):
        return True
    if (type(exc).__module__ or "").startswith("cuda.bindings.nvvm"):
        return True
    return isinstance(exc, NotImplementedError) and "lowering" in str(exc)


def _first_line(exc):
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    said = [ln for ln in lines if not ln.startswith(("Failed in", "During:", "- Resolution"))]
    first = said[0] if said else (lines[0] if lines else type(exc).__name__)
    if first.startswith("No implementation of function"):
        called = next((ln for ln in said if ln.startswith(">>>")), None)
        if called:
            first = f"{first} {called}"
    if "Untyped global name" in first:
        first += (
            " (a Python function it calls must be compiled too: decorate it with "
            "@jd.func or @numba.njit)"
        )
    return first


def _returned_not_a_number(function, extras):
    """What a generic_filter ``function`` returns (a Numba type's name) where compiling it
    on the CPU for a float64 window (and ``extras``, host values) shows that it is not a
    real number; None otherwise."""
    import numba

    py = getattr(function, "py_func", function)
    if isinstance(py, Func):
        py = py.py_func
    if not isinstance(py, types.FunctionType):
        return None
    argtypes = [numba.types.float64[::1]]
    for value in extras:
        if hasattr(value, "dtype") and hasattr(value, "ndim"):
            dtype = numba.from_dtype(np.dtype(str(value.dtype).replace("torch.", "")))
            argtypes.append(numba.types.Array(dtype, value.ndim, "A"))
        else:
            argtypes.append(numba.typeof(value))
    try:
        compiled = numba.njit(py)
        compiled.compile(tuple(argtypes))
        returned = compiled.overloads[tuple(argtypes)].signature.return_type
    except Exception:
        return None
    if isinstance(returned, (numba.types.Number, numba.types.Boolean)) and not isinstance(
        returned, numba.types.Complex
    ):
        return None
    return str(returned)


def _is_low_level(function):
    return type(function).__name__ == "LowLevelCallable"


@docfiller
def generic_filter(
    input, function, size=None, footprint=None, output=None, mode="reflect", cval=0.0,
    origin=0, extra_arguments=(), extra_keywords=None, *, axes=None,
):
    """Calculate a multidimensional filter using the given function.

    At each element the provided function is called. The input values within the
    filter footprint at that element are passed to the function as a 1-D array of
    double values.

    Parameters
    ----------
    %(input)s
    function : callable
        Function to apply at each element: ``function(window, *extra_arguments,
        **extra_keywords) -> float``, ``window`` a 1-D float64 array of the values
        under the footprint (in C order of the footprint). It is compiled with Numba
        for where `input` lives (nopython mode; a CUDA device function for GPU
        arrays, so only what Numba's CUDA target supports may be used there). A
        Numba ``njit`` function is accepted too (its Python function is used).
    %(size_foot)s
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin_multiple)s
    %(extra_arguments)s
    %(extra_keywords)s
    %(axes)s

    Returns
    -------
    generic_filter : array
        Filtered array, of the same shape as `input`, where `input` lives.

    See Also
    --------
    scipy.ndimage.generic_filter : the original.

    Notes
    -----
    Differences from SciPy: `function` must compile with Numba (a TypeError says so
    where it does not); extra arguments must be numbers or arrays (passed at run
    time: new values need no new compilation); a ``scipy.LowLevelCallable`` (SciPy's
    C signature) is called from the compiled kernel on the CPU; on a GPU it is
    refused (pass a Python function). One kernel is compiled per function, per
    number of extra arguments and per dtype. The globals, closure variables and
    default values the function reads are compiled in as constants, as Numba does;
    a call that finds other values there than a compiled kernel had compiles a new
    one, so values that change from call to call belong in `extra_arguments`.
    Indexing outside the window or line buffers is not checked (SciPy raises
    IndexError; here the result is undefined), and division by zero follows NumPy's
    rule (``inf`` or ``nan``, not ZeroDivisionError). On a GPU the function is a CUDA
    device function, which cannot allocate memory: NumPy calls that make new arrays
    (``np.sort``, ``np.median``) do not compile there, so write such functions as
    loops. Numba's NumPy functions may sum in another order than NumPy's (``np.mean``
    of more than 8 values can differ in the last bits). An `output` that shares memory
    with `input` receives the filter of the unchanged input; SciPy writes it in place,
    so its later windows read results already written there.
    %(far_reflect)s
    """
    input = _support.as_input(input)
    plan = _checks.check_generic_filter(
        input, function, size, footprint, output, mode, cval, origin, extra_arguments,
        extra_keywords, axes=axes,
    )
    if _is_dask(input):
        args = (function, size, footprint, output, mode, cval, origin, extra_arguments,
                extra_keywords)
        return _lazy("generic_filter", input, args, {"axes": axes}, plan)
    function, extra_arguments, extra_keywords = plan.extra
    if _lowlevel.is_low_level_callable(function):
        _lowlevel.require_host(input, "generic_filter")
        extra_arguments, extra_keywords = (), {}  # the C function gets user_data instead
    target = _Target(input, plan.output)
    if math.prod(input.shape) == 0:
        return target.finish()
    keywords = tuple(extra_keywords)
    extras = _extra_values(extra_arguments, extra_keywords, input)
    with SPARES.lend() as take:  # (a copy of an input that is not C-ordered)
        geo = _Geometry(input.shape, plan.window)
        src = _flat(input, take)
        cast = _support.cast_code(_numpy_dtype(target.array))
        out2 = _support.kernel_view(target.array).reshape(geo.rows, geo.last)
        cv = _cval_array(plan.cval, np.float64, input)
        shape, offs, foff, lo, hi = geo.device(input)
        mode = int(plan.window.mode)
        # (with keywords, the function's return type is not worked out for a better error)
        returning = None if keywords else (function, extras)
        if geo.count <= _rank.MAX_LOCAL:
            kernel = _generic_kernel("window", function, len(extra_arguments), keywords)
            per_index = _per_index(input)
            blocks = -(-geo.last // per_index)
            _compiled_call("generic_filter", kernel, src, out2, shape, offs, foff, lo, hi, mode,
                           cv, cast, per_index, *extras, ndrange=(geo.rows, blocks),
                           cost=max(1, per_index * geo.count), returning=returning)
        else:
            kernel = _generic_kernel("window", function, len(extra_arguments), keywords, True)
            chunk = max(1, min(geo.rows, _SCRATCH_BYTES // (geo.count * 8)))
            scratch = jd.empty((chunk, geo.count), np.float64, like=input)
            for row0 in range(0, geo.rows, chunk):
                n = min(chunk, geo.rows - row0)
                _compiled_call("generic_filter", kernel, row0, src, out2, scratch, shape, offs,
                               foff, lo, hi, mode, cv, cast, *extras, ndrange=(n,),
                               cost=max(1, geo.last * geo.count), returning=returning)
    return target.finish()


@docfiller
def generic_filter1d(
    input, function, filter_size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0,
    extra_arguments=(), extra_keywords=None,
):
    """Calculate a 1-D filter along the given axis.

    `generic_filter1d` iterates over the lines of the array, calling the given
    function at each line. The arguments of the line are the input line, and the
    output line. The input and output lines are 1-D double arrays. The input line
    is extended appropriately according to the filter size and origin. The output
    line must be modified in-place with the result.

    Parameters
    ----------
    %(input)s
    function : callable
        ``function(input_line, output_line, *extra_arguments, **extra_keywords)``,
        compiled with Numba for where `input` lives (see `generic_filter`).
        ``input_line`` has ``n + filter_size - 1`` float64 values, ``output_line``
        ``n``, for lines of length ``n``.
    filter_size : scalar
        Length of the filter.
    %(axis)s
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin)s
    %(extra_arguments)s
    %(extra_keywords)s

    Returns
    -------
    generic_filter1d : array
        Filtered array, of the same shape as `input`, where `input` lives.

    See Also
    --------
    scipy.ndimage.generic_filter1d : the original.

    Notes
    -----
    Each line is one kernel index with its two line buffers in scratch arrays (about
    16 bytes per input element, in slices of at most 64 MiB). Differences from SciPy
    as for `generic_filter`.
    """
    input = _support.as_input(input)
    plan = _checks.check_generic_filter1d(
        input, function, filter_size, axis, output, mode, cval, origin, extra_arguments,
        extra_keywords,
    )
    if _is_dask(input):
        args = (function, filter_size, axis, output, mode, cval, origin, extra_arguments,
                extra_keywords)
        return _lazy("generic_filter1d", input, args, {}, plan)
    function, extra_arguments, extra_keywords = plan.extra
    if _lowlevel.is_low_level_callable(function):
        _lowlevel.require_host(input, "generic_filter1d")
        extra_arguments, extra_keywords = (), {}  # the C function gets user_data instead
    target = _Target(input, plan.output)
    if math.prod(input.shape) == 0:
        return target.finish()
    step = plan.passes[0]
    view = _split(tuple(int(n) for n in input.shape), step.axis)
    src3 = input.reshape(view)
    cast = _support.cast_code(_numpy_dtype(target.array))
    out3 = _support.kernel_view(target.array).reshape(view)
    keywords = tuple(extra_keywords)
    extras = _extra_values(extra_arguments, extra_keywords, input)
    kernel = _generic_kernel("line", function, len(extra_arguments), keywords)
    cv = _cval_array(plan.cval, np.float64, input)
    n = view[1]
    size = int(step.size)
    per_line = (2 * n + size - 1) * 8
    pre, post = view[0], view[2]
    rows = max(1, min(pre, _SCRATCH_BYTES // max(1, per_line * post)))
    inbuf = jd.empty((rows * post, n + size - 1), np.float64, like=input)
    outbuf = jd.empty((rows * post, n), np.float64, like=input)
    for i0 in range(0, pre, rows):
        m = min(rows, pre - i0)
        sub_src = src3[i0 : i0 + m]
        sub_out = out3[i0 : i0 + m]
        _compiled_call("generic_filter1d", kernel, sub_src, sub_out, inbuf, outbuf, size,
                       int(step.origin), int(step.mode), cv, cast, *extras, ndrange=(m, post),
                       cost=max(1, n * size))
    return target.finish()


# --- public: vectorized_filter ----------------------------------------------------------


def _namespace(input):
    """NumPy, or CuPy for CuPy arrays: the libraries with ``pad`` and sliding windows."""
    module = type(input).__module__.split(".")[0]
    if module == "numpy":
        return np, np.pad, np.lib.stride_tricks.sliding_window_view
    if module == "cupy":
        import cupy

        return cupy, cupy.pad, cupy.lib.stride_tricks.sliding_window_view
    raise TypeError(
        "vectorized_filter: `input` must be a NumPy or CuPy array (the libraries with "
        f"pad and sliding_window_view); got {type(input).__module__}.{type(input).__name__}"
    )


@docfiller
def vectorized_filter(
    input, function, *, size=None, footprint=None, output=None, mode="reflect", cval=None,
    origin=None, axes=None, batch_memory=2**30,
):
    """Filter an array with a vectorized Python callable as the kernel.

    Parameters
    ----------
    %(input)s
    function : callable
        ``function(window, *, axis) -> array``: reduces the window axes ``axis`` of
        a stack of windows (as ``numpy.median(x, axis=...)`` does).
    size : scalar or tuple, optional
        The window shape over `axes`; one of `size` and `footprint` is required.
    footprint : array, optional
        Boolean window: only the True elements are passed to `function`, as one
        axis (``axis=-1``).
    output : array, optional
        The array in which to place the output. By default, an array of the dtype
        returned by `function`.
    mode : {'reflect', 'constant', 'nearest', 'mirror', 'wrap', 'grid-mirror', \
'grid-constant', 'grid-wrap', 'valid'}, optional
        How `input` is padded; 'valid' pads nothing and the result is smaller.
    cval : scalar, optional
        Padding value for 'constant' (the only mode that accepts it). Default 0.
    origin : int or sequence of int, optional
        Shifts the window as in the other filters.
    axes : tuple of int, optional
        The axes the window spans; by default the last ``len(size)`` (all of them).
    batch_memory : int, optional
        At most this many bytes of windows are passed to one call of `function`.

    Returns
    -------
    output : array
        The filtered array.

    See Also
    --------
    scipy.ndimage.vectorized_filter : the original.

    Notes
    -----
    Nothing is compiled: the input is padded according to `mode` (``pad``), a
    sliding-window view over `axes` is taken (no copy), and `function` is called on
    batches of windows along the first batch axis, each at most `batch_memory`
    bytes, with ``axis`` naming the window axes. NumPy arrays use NumPy, CuPy arrays
    CuPy; other array types raise TypeError (SciPy converts them to NumPy).

    Difference from SciPy, for NumPy arrays: each batch of windows (at most 4 MiB, and
    at most `batch_memory`) is copied so that every element of the window is one
    contiguous plane, and `function` receives that copy, with the same shape, values
    and axes as SciPy's argument (read-only without `footprint`, as SciPy's view is).
    NumPy then reduces along whole planes rather than across a few elements at a time,
    several times faster; but reductions whose rounding depends on the order of
    summation (``mean``, ``sum``, ``std`` of floats) may differ from SciPy's results
    in the last bits. Order-free ones (``median``, ``max``, ``percentile``, integer
    sums) are identical. `function` is called more often, on smaller batches.
    """
    input = _support.as_input(input)  # as SciPy's xp.asarray: sequences and scalars too
    _arrays.describe(input)  # refuses what every filter refuses (masked arrays)
    plan = _checks.check_vectorized_filter(
        input, function, size=size, footprint=footprint, output=output, mode=mode, cval=cval,
        origin=origin, axes=axes, batch_memory=batch_memory,
    )
    xp, pad, windows = _namespace(input)
    n_axes = len(plan.size)
    ndim = input.ndim
    work = tuple(range(-n_axes, 0))
    moved = xp.moveaxis(input, plan.axes, work)
    out_moved = xp.moveaxis(output, plan.axes, work) if output is not None else None
    if math.prod(input.shape) == 0:
        return xp.asarray(input)
    footprint_mask = plan.footprint
    if ndim == 0 and plan.size == ():  # SciPy's calls, window and axis alike
        if footprint_mask is None:
            return xp.asarray(function(input, axis=()))
        return xp.asarray(function(xp.reshape(input, (1, 1)), axis=-1))
    if plan.pad_mode != "valid":
        borders = tuple(
            (n // 2 + o, (n - 1) // 2 - o) for n, o in zip(plan.size, plan.origins, strict=True)
        )
        extra = {"constant_values": plan.cval} if plan.pad_mode == "constant" else {}
        moved = pad(moved, ((0, 0),) * (ndim - n_axes) + borders, mode=plan.pad_mode, **extra)
    view = windows(moved, plan.size, work)
    mask = None if footprint_mask is None else xp.asarray(footprint_mask)
    planes = xp is np  # NumPy: copy each batch of windows into planes (see Notes)

    def call(block):
        if planes:
            axis = work if mask is None else -1
            return function(_planes(block, n_axes, footprint_mask), axis=axis)
        if mask is not None:
            return function(block[..., mask], axis=-1)
        return function(block, axis=work)

    limit = min(batch_memory, _PLANES_BATCH) if planes else batch_memory
    result = _batched(xp, view, call, out_moved, n_axes, batch_memory, limit)
    return xp.moveaxis(result, work, plan.axes)


# Bytes of windows copied into planes at a time (NumPy): the copy and the reductions
# of the user's function over it then run in the processor's cache.
_PLANES_BATCH = 4 * 2**20


def _planes(block, n_axes, footprint):
    """The windows of ``block`` (a ``(*batch, *window)`` view) as SciPy passes them to
    the function, copied so that each window element is one contiguous plane.

    Without ``footprint`` the result is ``(*batch, *window)``, read-only like the
    sliding-window view it copies; with one, ``(*batch, count)`` for its ``count``
    True elements in C order, as ``block[..., footprint]`` would be. Reductions over
    the window axes then run along whole planes instead of across a few elements at a
    time.
    """
    ndim = block.ndim
    batch = block.shape[: ndim - n_axes]
    if footprint is None:
        window = tuple(range(ndim - n_axes, ndim))
        copied = np.empty(block.shape[ndim - n_axes :] + batch, block.dtype)
        np.copyto(copied, block.transpose(window + tuple(range(ndim - n_axes))))
        copied = np.moveaxis(copied, tuple(range(n_axes)), window)
        copied.flags.writeable = False
        return copied
    where = np.argwhere(footprint)
    copied = np.empty((len(where),) + batch, block.dtype)
    for k, index in enumerate(where):
        copied[k] = block[(..., *index)]
    return np.moveaxis(copied, 0, -1)


def _batched(xp, view, call, output, n_axes, batch_memory, limit):
    """``call`` over batches of ``view``'s first axis, each at most ``limit`` bytes of
    windows (SciPy's error when ``batch_memory`` cannot hold one)."""
    if view.ndim == 0 or view.ndim == n_axes:
        result = call(view)
        if output is not None:
            assign(output, result)
            return output
        return result
    per_slice = math.prod(view.shape[1:]) * view.dtype.itemsize
    if batch_memory // per_slice < 1:
        raise ValueError("`batch_memory` is insufficient for minimum chunk size.")
    step = max(1, min(view.shape[0], int(limit // per_slice)))
    if step == view.shape[0]:
        result = call(view)
        if output is None:
            return result
        assign(output, result)
        return output
    for i in range(0, view.shape[0], step):
        stop = min(i + step, view.shape[0])
        part = call(view[i:stop])
        if output is None:
            output = xp.empty(view.shape[: view.ndim - n_axes], dtype=part.dtype)
        output[i:stop, ...] = part
    return output
