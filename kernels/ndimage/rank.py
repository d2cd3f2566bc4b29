"""Minimum, maximum and rank (median, percentile) filter kernels.

Two shapes of work:

* ``line_*``: one 1-D window along one axis, the array seen as ``(pre, n, post)`` (a
  free reshape of a contiguous array). Separable minimum/maximum filters chain these.
* ``window_*``: an N-D window given as a list of points. The input is flat and
  C-contiguous, the output ``(rows, last)``; each index computes ``block`` consecutive
  outputs of one row, so per-index scratch memory is set up once per block. Points
  come as flat offsets (``foff``, used where the whole window is inside the array) and
  per-axis offsets (``offs``, used near the edges, through `map_index`).

Values are compared in the input's dtype; ``cval`` arrives as a one-element array of
that dtype. Every mode, size, origin and rank is a run-time argument.
"""

import numpy as np
from jitdispatch.kernels.ndimage.boundary import map_index

import jitdispatch as jd

# Largest window (number of points) a rank kernel keeps in per-index memory; larger
# windows use `window_rank_scratch`, which takes a scratch row per index.
MAX_LOCAL = 256

OP_RANK = 0
OP_MINIMUM = 1
OP_MAXIMUM = 2


# --- 1-D windows along one axis ----------------------------------------------------


@jd.func
def _line_extreme(i, j, k, src, size, origin, mode, cv, minimum):
    """Edge case of `line_extreme`: the window hangs over an end of the line."""
    n = src.shape[1]
    start = j - size // 2 - origin
    s = map_index(start, n, mode)
    best = cv[0] if s < 0 else src[i, s, k]
    for t in range(1, size):
        s = map_index(start + t, n, mode)
        v = cv[0] if s < 0 else src[i, s, k]
        if minimum:
            if v < best:
                best = v
        elif v > best:
            best = v
    return best


@jd.kernel
def line_extreme(i, jb, k, src, out, size, origin, mode, cv, minimum, block):
    """``out[i, j, k]`` for the ``block`` values ``j`` of block ``jb``: minimum (or
    maximum) of the window around ``src[i, j, k]`` along axis 1."""
    jb = np.int64(jb)  # a parallel loop index may be unsigned: keep the arithmetic signed
    n = src.shape[1]
    half = size // 2 + origin
    for j in range(jb * block, min(jb * block + block, n)):
        start = j - half
        if start >= 0 and start + size <= n:
            best = src[i, start, k]
            if minimum:
                for t in range(start + 1, start + size):
                    v = src[i, t, k]
                    if v < best:
                        best = v
            else:
                for t in range(start + 1, start + size):
                    v = src[i, t, k]
                    if v > best:
                        best = v
            out[i, j, k] = best
        else:
            out[i, j, k] = _line_extreme(i, j, k, src, size, origin, mode, cv, minimum)


@jd.kernel
def line_extreme_axis_first(jb, i, k, src, out, size, origin, mode, cv, minimum, block):
    """As `line_extreme`, with the filtered axis first in the index space (the CPU
    target runs the first index in parallel: used when ``pre`` is 1)."""
    jb = np.int64(jb)
    n = src.shape[1]
    half = size // 2 + origin
    for j in range(jb * block, min(jb * block + block, n)):
        start = j - half
        if start >= 0 and start + size <= n:
            best = src[i, start, k]
            if minimum:
                for t in range(start + 1, start + size):
                    v = src[i, t, k]
                    if v < best:
                        best = v
            else:
                for t in range(start + 1, start + size):
                    v = src[i, t, k]
                    if v > best:
                        best = v
            out[i, j, k] = best
        else:
            out[i, j, k] = _line_extreme(i, j, k, src, size, origin, mode, cv, minimum)


# --- N-D windows ------------------------------------------------------------------


@jd.func
def window_inside(row, col, shape, lo, hi):
    """Whether the window of output ``(row, col)`` lies inside the array on every axis."""
    ndim = shape.shape[0]
    last = ndim - 1
    if col + lo[last] < 0 or col + hi[last] >= shape[last]:
        return False
    rest = row
    for d in range(last - 1, -1, -1):
        n = shape[d]
        q = rest // n
        c = rest - q * n
        rest = q
        if c + lo[d] < 0 or c + hi[d] >= n:
            return False
    return True


@jd.func
def window_source(row, col, p, shape, offs, mode):
    """Flat source index of window point ``p`` of output ``(row, col)``; -1 for cval."""
    ndim = shape.shape[0]
    last = ndim - 1
    s = map_index(col + offs[p, last], shape[last], mode)
    if s < 0:
        return -1
    flat = s
    stride = shape[last]
    rest = row
    for d in range(last - 1, -1, -1):
        n = shape[d]
        q = rest // n
        c = rest - q * n
        rest = q
        s = map_index(c + offs[p, d], n, mode)
        if s < 0:
            return -1
        flat += s * stride
        stride *= n
    return flat


@jd.func
def gather(row, col, src, buf, shape, offs, foff, lo, hi, mode, cv):
    """Copy the window of output ``(row, col)`` into ``buf[:len(foff)]``."""
    count = foff.shape[0]
    base = row * shape[shape.shape[0] - 1] + col
    if window_inside(row, col, shape, lo, hi):
        for p in range(count):
            buf[p] = src[base + foff[p]]
    else:
        for p in range(count):
            s = window_source(row, col, p, shape, offs, mode)
            buf[p] = cv[0] if s < 0 else src[s]


@jd.func
def select(buf, count, rank):
    """The ``rank``-th smallest of ``buf[:count]``, partially reordering it (Hoare/Wirth)."""
    left = 0
    right = count - 1
    while left < right:
        pivot = buf[rank]
        i = left
        j = right
        while i <= j:
            while buf[i] < pivot:
                i += 1
            while pivot < buf[j]:
                j -= 1
            if i <= j:
                t = buf[i]
                buf[i] = buf[j]
                buf[j] = t
                i += 1
                j -= 1
        if j < rank:
            left = i
        if rank < i:
            right = j
    return buf[rank]


@jd.func
def median9(v0, v1, v2, v3, v4, v5, v6, v7, v8):
    """Median of nine values: sort three triples, then the median of (largest minimum,
    median of medians, smallest maximum). Only min/max: no branches to mispredict."""
    a0 = min(v0, v1)
    b0 = max(v0, v1)
    m0 = max(a0, min(b0, v2))
    lo0 = min(a0, v2)
    hi0 = max(b0, v2)
    a1 = min(v3, v4)
    b1 = max(v3, v4)
    m1 = max(a1, min(b1, v5))
    lo1 = min(a1, v5)
    hi1 = max(b1, v5)
    a2 = min(v6, v7)
    b2 = max(v6, v7)
    m2 = max(a2, min(b2, v8))
    lo2 = min(a2, v8)
    hi2 = max(b2, v8)
    x = max(lo0, max(lo1, lo2))
    z = min(hi0, min(hi1, hi2))
    y = max(min(m0, m1), min(max(m0, m1), m2))
    return max(min(x, y), min(max(x, y), z))


@jd.func
def window_value(row, col, src, buf, shape, offs, foff, lo, hi, mode, cv, op, rank):
    """The filtered value of output ``(row, col)``: minimum, maximum or rank ``rank``."""
    count = foff.shape[0]
    if op == OP_RANK:
        gather(row, col, src, buf, shape, offs, foff, lo, hi, mode, cv)
        if count == 9 and rank == 4:
            return median9(buf[0], buf[1], buf[2], buf[3], buf[4], buf[5], buf[6], buf[7], buf[8])
        return select(buf, count, rank)
    minimum = op == OP_MINIMUM
    base = row * shape[shape.shape[0] - 1] + col
    if window_inside(row, col, shape, lo, hi):
        best = src[base + foff[0]]
        if minimum:
            for p in range(1, count):
                v = src[base + foff[p]]
                if v < best:
                    best = v
        else:
            for p in range(1, count):
                v = src[base + foff[p]]
                if v > best:
                    best = v
        return best
    s = window_source(row, col, 0, shape, offs, mode)
    best = cv[0] if s < 0 else src[s]
    for p in range(1, count):
        s = window_source(row, col, p, shape, offs, mode)
        v = cv[0] if s < 0 else src[s]
        if minimum:
            if v < best:
                best = v
        elif v > best:
            best = v
    return best


@jd.func
def rows_inside(row, shape, lo, hi):
    """Whether the window of every output of row ``row`` is inside the leading axes."""
    rest = row
    for d in range(shape.shape[0] - 2, -1, -1):
        n = shape[d]
        q = rest // n
        c = rest - q * n
        rest = q
        if c + lo[d] < 0 or c + hi[d] >= n:
            return False
    return True


@jd.kernel
def window_filter(row, blk, src, out, shape, offs, foff, lo, hi, mode, cv, op, rank, block):
    """``out[row, c]`` for the ``block`` columns ``c`` of block ``blk``: minimum, maximum
    or rank filter of the flat C-contiguous ``src`` over at most `MAX_LOCAL` points.

    The common case (window inside the array) is written out here rather than in
    helpers: a call per output costs more than the work of a small window."""
    row = np.int64(row)  # a parallel loop index may be unsigned: keep the arithmetic signed
    buf = jd.local.array(MAX_LOCAL, src.dtype)
    last = out.shape[1]
    count = foff.shape[0]
    ax = shape.shape[0] - 1
    lo_last = lo[ax]
    hi_last = hi[ax]
    inner = rows_inside(row, shape, lo, hi)
    start = blk * block
    stop = min(start + block, last)
    base = row * last
    for col in range(start, stop):
        if not (inner and col + lo_last >= 0 and col + hi_last < last):
            out[row, col] = window_value(
                row, col, src, buf, shape, offs, foff, lo, hi, mode, cv, op, rank
            )
        elif op == OP_RANK:
            b = base + col
            if count == 9 and rank == 4:
                out[row, col] = median9(
                    src[b + foff[0]], src[b + foff[1]], src[b + foff[2]],
                    src[b + foff[3]], src[b + foff[4]], src[b + foff[5]],
                    src[b + foff[6]], src[b + foff[7]], src[b + foff[8]],
                )
            else:
                for p in range(count):
                    buf[p] = src[b + foff[p]]
                # quickselect (Hoare partition), as `select`, written out
                left = 0
                right = count - 1
                while left < right:
                    pivot = buf[rank]
                    i = left
                    j = right
                    while i <= j:
                        while buf[i] < pivot:
                            i += 1
                        while pivot < buf[j]:
                            j -= 1
                        if i <= j:
                            t = buf[i]
                            buf[i] = buf[j]
                            buf[j] = t
                            i += 1
                            j -= 1
                    if j < rank:
                        left = i
                    if rank < i:
                        right = j
                out[row, col] = buf[rank]
        else:
            b = base + col
            best = src[b + foff[0]]
            if op == OP_MINIMUM:
                for p in range(1, count):
                    v = src[b + foff[p]]
                    if v < best:
                        best = v
            else:
                for p in range(1, count):
                    v = src[b + foff[p]]
                    if v > best:
                        best = v
            out[row, col] = best


@jd.kernel
def window_rank_scratch(r, row0, src, out, scratch, shape, offs, foff, lo, hi, mode, cv, rank):
    """Rank filter of row ``row0 + r`` with ``scratch[r]`` as the window buffer (any size)."""
    row = np.int64(row0 + r)
    buf = scratch[r]
    count = foff.shape[0]
    for col in range(out.shape[1]):
        gather(row, col, src, buf, shape, offs, foff, lo, hi, mode, cv)
        out[row, col] = select(buf, count, rank)

