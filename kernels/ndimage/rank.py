"""Minimum, maximum and rank (median, percentile) filter kernels.

Two shapes of work:

* ``line_*``: one 1-D window along one axis, the array seen as ``(pre, n)`` for the
  last axis or ``(pre, n, post)`` for another (free reshapes of a contiguous array).
  Separable minimum/maximum filters chain these; on the CPU, rank filters over
  consecutive points along the last axis run `line_network` or `line_rank`.
* ``window_*``: an N-D window given as a list of points. The input is flat and
  C-contiguous, the output ``(rows, last)``; each index computes ``block`` consecutive
  outputs of one row, so per-index scratch memory is set up once per block. Points
  come as flat offsets (``foff``, used where the whole window is inside the array) and
  per-axis offsets (``offs``, used near the edges, through `map_index`). Rank filters
  of up to a few hundred points select with a comparator network (`window_network`);
  on GPUs, small ones by counting, without an array indexed at run time
  (`window_count_rank`).

Values are compared in the input's dtype; ``cval`` arrives as a one-element array of
that dtype. Every mode, size, origin and rank is a run-time argument. Vector loops that
keep an extreme in place use ``jd.fmin`` / ``jd.fmax``: with Python's ``min`` there, the
CPU code stores through slow masked stores. (They differ from ``min`` only for NaN,
where the filters' results are undefined.)

Every kernel here is ``jd.kernel(raises=False)``: none raises (indices stay inside the
arrays by construction), so parallel CPU launches skip the check for errors in threads.
"""

import numpy as np
from jitdispatch.kernels.ndimage.boundary import (
    MODE_CONSTANT,
    MODE_MIRROR,
    MODE_NEAREST,
    MODE_WRAP,
    extend_line,
    map_index,
)

import jitdispatch as jd

# Largest window (number of points) a rank kernel keeps in per-index memory; larger
# windows use `window_rank_scratch`, which takes a scratch row per index.
MAX_LOCAL = 256

# Scratch (points times outputs) of `window_network`, per index: 32 outputs of up to 32
# points on the CPU; on CUDA one output of the largest window a network selects
# (``_NETWORK_MAX`` of jitdispatch.ndimage._rank_filters), so that a thread reserves
# no more local memory than it uses.
NETWORK_LOCAL = jd.per_target(cpu=1024, cuda=160)

# Scratch of `line_network` (CPU only), per index: points times outputs, 32 KiB of
# float64, within a core's L1 data cache.
LINE_NETWORK_LOCAL = 4096

# Rank windows `window_count_rank` takes (one output per index, on GPUs): up to
# COUNT_SLOTS points in registers, (points rounded up to 4, 8, 9, 12 or 16)**2
# comparisons per output; up to COUNT_MAX points reading each point from the cache
# whenever it is compared, count**2 reads. Device times of rank_filter on an H100
# (float32, 2048 x 2048), measured with 3x3 in 12 slots: 3x3 155 us, against 700 for
# `window_network`; 4x4 255 against 1290; 4x5 1470 against 1890; at 5x5 the reads (2210
# to 2340) about equal the network (2430), and past that its count * log2(count)**2
# comparators win. 3x3 in 9 slots takes 424 sm_90 instructions per output (float32,
# ptxas), against 624 in 12; a register sorting network (odd-even transposition) was
# no better past 9 points (600 against 624 in 12 slots, 872 against 944 in 16), and
# worse for float64, whose min/max take several instructions.
COUNT_SLOTS = 16
COUNT_MAX = 24

OP_RANK = 0
OP_MINIMUM = 1
OP_MAXIMUM = 2

# Registers per CUDA thread, at most, for the point-by-point and counting kernels: they
# need 90-94 unbounded, which leaves room for a quarter of an SM's threads while they
# wait on memory. Bounded to 64, twice as many fit. Device times on an H100 (2048 x 2048
# float32): 3x3 median 124 -> 102 us, rank_filter 178 -> 152, minimum_filter1d 93 ->
# 73, minimum_filter 149 -> 129; results identical.
MAX_REGISTERS = 64


# --- 1-D windows along one axis ----------------------------------------------------
#
# Short windows are scanned point by point; longer ones run van Herk / Gil-Werman:
# outputs go in runs of at most ``size`` whose windows all hold one core (the points
# common to the run); a scan leftwards from the core gives every window its left part,
# a scan rightwards its right part, so each output costs about three reads whatever
# ``size``. Hot loops are written out in the kernels (Numba does not inline ``jd.func``
# helpers, and a call that takes arrays costs more than a short loop), or in a helper
# called once for a whole block of outputs (`_runs`), with the choice between min and
# max outside them and indices counted from 0 in row views, so that they vectorise on
# the CPU.

# Longest window scanned point by point: along the last axis (one vector op per point)
# and along other axes (a row op per point).
DIRECT_LAST = 5  # (line_extreme compares at most 5 points in one expression)
DIRECT_ROWS = 4

# Rows whose windows leave the axis: van Herk runs reading through the mode on the CPU
# (`_mapped_row_runs`); CUDA threads scan them point by point, as measured there, until
# a device check compares the two: inlined into `line_extreme_rows`, the runs doubled
# its spills under the register bound (308 -> 612 bytes, sm_90 ptxas).
ROW_EDGE_RUNS = jd.per_target(cpu=1, cuda=0)
# The core of an edge run (`_mapped_runs`), read through the mode, in one pass over at
# most twice the line on the CPU (`_mapped_extreme`: a window 5 times longer than the
# line, 301 points on 512x64 float32, took 0.51 of SciPy's time, all of it in the
# core); CUDA threads read every point of it: the shortcut made `line_extreme` spill
# 76 bytes under its register bound (none before), untimed without a GPU.
PERIOD_CORES = jd.per_target(cpu=1, cuda=0)
# Lines along the last axis whose copy extended by the window (``n + size - 1`` values)
# fits this, taken whole by an index on the CPU: the copy, then runs over it, with no
# read through the mode (`line_extreme`): a 64x64 float32 array with 63 points took
# 85 microseconds through `_mapped_runs`, 3.3 times SciPy's. CUDA threads keep their
# reads (a thread's local array would be that long).
LINE_COPY = jd.per_target(cpu=1024, cuda=1)
# Runs keep a scratch row per index, a fraction ceil(n / size) / n of the array along
# an axis of n rows (more for an axis shorter than the window: 1 / n); axes shorter
# than this (and than the window) are scanned point by point, with no scratch: at most
# RUNS_MIN_AXIS - 1 rows, each costing `size` reads.
RUNS_MIN_AXIS = 8


@jd.func
def _pick(a, b, minimum):
    return min(a, b) if minimum else max(a, b)


@jd.func
def _mapped(line, k, n, mode, c):
    """``line[k]`` in the line's dtype, ``k`` mapped by the mode (``c`` for cval). (The
    correlation kernels' ``line_at`` returns float64, which would round 64-bit integers
    before they are compared.)"""
    if k < 0 or k >= n:
        k = map_index(k, n, mode)
        if k < 0:
            return c
    return line[k]


@jd.func
def _mapped_extreme(line, lo, hi, mode, c, minimum):
    """The extreme of ``line`` read at the positions ``lo <= t < hi`` (``lo < hi``)
    through the mode, in a pass over at most twice the line whatever their number:
    past the ends, constant and nearest read ``c`` and the end values, and the other
    modes repeat with a period (the line's length for wrap, twice it for reflect, less
    two for mirror) that a longer stretch holds whole, every value of the line in it."""
    n = line.shape[0]
    if mode in (MODE_CONSTANT, MODE_NEAREST):
        a = min(max(lo, 0), n)
        b = max(min(hi, n), a)
        if a < b:
            best = line[a]
            for t in range(a + 1, b):
                best = _pick(best, line[t], minimum)
            if lo < a:
                best = _pick(best, c if mode == MODE_CONSTANT else line[0], minimum)
        elif lo < 0:
            best = c if mode == MODE_CONSTANT else line[0]
        else:
            best = c if mode == MODE_CONSTANT else line[n - 1]
        if hi > b and b > 0:  # (b == 0: the whole stretch lies below the line)
            best = _pick(best, c if mode == MODE_CONSTANT else line[n - 1], minimum)
        return best
    period = n if mode == MODE_WRAP else (2 * n - 2 if mode == MODE_MIRROR else 2 * n)
    if hi - lo >= period:  # (mirror of one value: period 0)
        lo, hi = 0, n
    best = _mapped(line, lo, n, mode, c)
    for t in range(lo + 1, hi):
        best = _pick(best, _mapped(line, t, n, mode, c), minimum)
    return best


@jd.func
def _mapped_runs(line, res, j0, stop, size, half, mode, c, minimum):
    """Outputs ``j0 <= j < stop`` of the 1-D ``line`` by van Herk runs whose reads go
    through the mode: the outputs whose windows leave the line. Each costs about three
    reads, as inside, where a scan of its window would cost ``size``: the edges of a
    long window, and every output of a window longer than the line."""
    n = line.shape[0]
    while j0 < stop:
        j1 = min(j0 + size, stop)
        lo = j1 - 1 - half
        if PERIOD_CORES == 1:  # (a constant: CUDA does not compile this)
            best = _mapped_extreme(line, lo, j0 - half + size, mode, c, minimum)  # the core
        else:
            best = _mapped(line, lo, n, mode, c)
            for t in range(lo + 1, j0 - half + size):
                best = _pick(best, _mapped(line, t, n, mode, c), minimum)
        res[j1 - 1] = best
        for j in range(j1 - 2, j0 - 1, -1):
            best = _pick(best, _mapped(line, j - half, n, mode, c), minimum)
            res[j] = best
        right = _mapped(line, j0 - half + size - 1, n, mode, c)
        for j in range(j0 + 1, j1):
            right = _pick(right, _mapped(line, j - half + size - 1, n, mode, c), minimum)
            res[j] = _pick(res[j], right, minimum)
        j0 = j1


@jd.func
def _line_edge(line, j, size, half, mode, cv, minimum):
    """Output ``j`` of the 1-D ``line`` by a scan of its window (any position)."""
    n = line.shape[0]
    s = map_index(j - half, n, mode)
    best = cv[0] if s < 0 else line[s]
    for t in range(1, size):
        s = map_index(j - half + t, n, mode)
        best = _pick(best, cv[0] if s < 0 else line[s], minimum)
    return best


@jd.func
def _runs(line, res, first, last, size, half, minimum):
    """Outputs ``first <= j < last`` of the 1-D ``line`` by van Herk runs, every window
    ``line[j - half : j - half + size]`` inside the line."""
    j0 = first
    while j0 < last:
        # van Herk run j0 <= j < j1: the left parts go to `res`, the right part is a
        # scalar started from a point every window of the run holds
        j1 = min(j0 + size, last)
        lo = j1 - 1 - half
        best = line[lo]
        right = line[j0 - half + size - 1]
        if minimum:
            for t in range(lo + 1, j0 - half + size):
                best = min(best, line[t])
            res[j1 - 1] = best
            for j in range(j1 - 2, j0 - 1, -1):
                best = min(best, line[j - half])
                res[j] = best
            for j in range(j0 + 1, j1):
                right = min(right, line[j - half + size - 1])
                res[j] = min(res[j], right)
        else:
            for t in range(lo + 1, j0 - half + size):
                best = max(best, line[t])
            res[j1 - 1] = best
            for j in range(j1 - 2, j0 - 1, -1):
                best = max(best, line[j - half])
                res[j] = best
            for j in range(j0 + 1, j1):
                right = max(right, line[j - half + size - 1])
                res[j] = max(res[j], right)
        j0 = j1


@jd.kernel(max_registers=MAX_REGISTERS, raises=False)
def line_extreme(q, src, out, size, origin, mode, cv, minimum, block):
    """Minimum (or maximum) filter along the last axis of the 2-D ``src``: index ``q``
    computes outputs ``jb * block <= j < (jb + 1) * block`` of line ``i``, where
    ``(i, jb) = divmod(q, ceil(n / block))``. ``out`` has ``src``'s dtype (it holds
    partial results) and ``block`` is a multiple of ``size``."""
    q = np.int64(q)  # a parallel loop index may be unsigned: keep the arithmetic signed
    n = src.shape[1]
    blocks = (n + block - 1) // block
    i = q // blocks
    start = (q - i * blocks) * block
    stop = min(start + block, n)
    half = size // 2 + origin
    line = src[i]
    res = out[i]
    # outputs whose window lies inside the line: half <= j <= n - size + half
    first = min(max(start, half), stop)
    last = max(min(stop, n - size + half + 1), first)
    if LINE_COPY > 1 and size > DIRECT_LAST and stop - start == n and n + size - 1 <= LINE_COPY:
        # a whole short line (the CPU): its copy, extended by the mode a run at a time,
        # then runs over the copy alone (no reads through the mode)
        copy = jd.local.array(LINE_COPY, src.dtype)
        extend_line(copy, np.uint64(0), line, -half, n + size - 1, mode, cv[0])
        _runs(copy[: n + size - 1], res, 0, n, size, 0, minimum)
        return
    if size <= DIRECT_LAST:
        for j in range(start, first):
            res[j] = _line_edge(line, j, size, half, mode, cv, minimum)
        for j in range(last, stop):
            res[j] = _line_edge(line, j, size, half, mode, cv, minimum)
    else:
        _mapped_runs(line, res, start, first, size, half, mode, cv[0], minimum)
        _mapped_runs(line, res, last, stop, size, half, mode, cv[0], minimum)
    m = last - first
    if m <= 0:
        return
    if size <= DIRECT_LAST:
        # one pass: the points of a window in registers, compared in order (windows of
        # fewer than 5 points compare their last point again, which changes nothing)
        o = res[first:last]
        base = first - half
        a0 = line[base:]
        if size == 1:
            for j in range(m):
                o[j] = a0[j]
            return
        a1 = line[base + 1 :]
        a2 = line[base + min(2, size - 1) :]
        a3 = line[base + min(3, size - 1) :]
        a4 = line[base + min(4, size - 1) :]
        if minimum:
            for j in range(m):
                o[j] = jd.fmin(jd.fmin(jd.fmin(jd.fmin(a0[j], a1[j]), a2[j]), a3[j]), a4[j])
        else:
            for j in range(m):
                o[j] = jd.fmax(jd.fmax(jd.fmax(jd.fmax(a0[j], a1[j]), a2[j]), a3[j]), a4[j])
        return
    _runs(line, res, first, last, size, half, minimum)


@jd.func
def _row_pick(o, b, src, i, s, k0, k1, c, minimum):
    """``o = pick(b, row s of src[i])`` over the lines ``k0:k1`` (``c`` where ``s < 0``)."""
    m = k1 - k0
    if s < 0:
        for k in range(m):
            o[k] = _pick(b[k], c, minimum)
        return
    a = src[i, s, k0:k1]
    if minimum:
        for k in range(m):
            o[k] = jd.fmin(b[k], a[k])
    else:
        for k in range(m):
            o[k] = jd.fmax(b[k], a[k])


@jd.func
def _row_set(o, src, i, s, k0, k1, c):
    """``o = row s of src[i]`` over the lines ``k0:k1`` (``c`` where ``s < 0``)."""
    m = k1 - k0
    if s < 0:
        for k in range(m):
            o[k] = c
        return
    a = src[i, s, k0:k1]
    for k in range(m):
        o[k] = a[k]


@jd.func
def _mapped_row_runs(src, out, r, i, j0, stop, size, half, mode, c, minimum, k0, k1):
    """`_mapped_runs` for the rows ``j0 <= j < stop`` of `line_extreme_rows`, whose
    windows leave the axis; ``r`` holds the running right parts."""
    n = src.shape[1]
    while j0 < stop:
        j1 = min(j0 + size, stop)
        lo = j1 - 1 - half
        o = out[i, j1 - 1, k0:k1]
        _row_set(o, src, i, map_index(lo, n, mode), k0, k1, c)
        for t in range(lo + 1, j0 - half + size):
            _row_pick(o, o, src, i, map_index(t, n, mode), k0, k1, c, minimum)
        for j in range(j1 - 2, j0 - 1, -1):
            s = map_index(j - half, n, mode)
            _row_pick(out[i, j, k0:k1], out[i, j + 1, k0:k1], src, i, s, k0, k1, c, minimum)
        _row_set(r, src, i, map_index(j0 - half + size - 1, n, mode), k0, k1, c)
        for j in range(j0 + 1, j1):
            _row_pick(r, r, src, i, map_index(j - half + size - 1, n, mode), k0, k1, c, minimum)
            o = out[i, j, k0:k1]
            if minimum:
                for k in range(k1 - k0):
                    o[k] = jd.fmin(o[k], r[k])
            else:
                for k in range(k1 - k0):
                    o[k] = jd.fmax(o[k], r[k])
        j0 = j1


@jd.kernel(max_registers=MAX_REGISTERS, raises=False)
def line_extreme_rows(q, kb, src, out, acc, size, origin, mode, cv, minimum, block, kblock):
    """As `line_extreme` along axis 1 of the 3-D ``src`` (``post > 1``), for the lines
    ``kb * kblock <= k < (kb + 1) * kblock`` at once: each step updates a row of
    them. ``(i, jb) = divmod(q, ceil(n / block))``; ``acc`` is scratch of shape
    ``(pre * ceil(n / block), post)`` (one row per index) for van Herk runs, inside the
    axis and, on the CPU, with reads through the mode where the windows leave it (see
    `ROW_EDGE_RUNS`); it is ``(1, 1)`` where the rows are scanned point by point
    (``size <= DIRECT_ROWS``, or an axis shorter than the window and `RUNS_MIN_AXIS`;
    on CUDA, shorter than the window)."""
    q = np.int64(q)
    n = src.shape[1]
    blocks = (n + block - 1) // block
    i = q // blocks
    start = (q - i * blocks) * block
    stop = min(start + block, n)
    k0 = kb * kblock
    k1 = min(k0 + kblock, src.shape[2])
    m = k1 - k0
    half = size // 2 + origin
    first = min(max(start, half), stop)
    last = max(min(stop, n - size + half + 1), first)
    runs = acc.shape[1] > 1  # (post > 1: a row per index of `acc`)
    if not runs:
        first = last = stop  # every row by the scan below
    r = acc[q if runs else 0, k0:k1]
    j0 = first
    while j0 < last:
        j1 = min(j0 + size, last)
        lo = j1 - 1 - half
        # core, into row j1 - 1; then the left parts, leftwards from it
        o = out[i, j1 - 1, k0:k1]
        a = src[i, lo, k0:k1]
        for k in range(m):
            o[k] = a[k]
        for t in range(lo + 1, j0 - half + size):
            a = src[i, t, k0:k1]
            if minimum:
                for k in range(m):
                    o[k] = jd.fmin(o[k], a[k])
            else:
                for k in range(m):
                    o[k] = jd.fmax(o[k], a[k])
        for j in range(j1 - 2, j0 - 1, -1):
            b = out[i, j + 1, k0:k1]
            o = out[i, j, k0:k1]
            a = src[i, j - half, k0:k1]
            if minimum:
                for k in range(m):
                    o[k] = jd.fmin(b[k], a[k])
            else:
                for k in range(m):
                    o[k] = jd.fmax(b[k], a[k])
        # the right parts, rightwards, in r
        a = src[i, j0 - half + size - 1, k0:k1]
        for k in range(m):
            r[k] = a[k]
        for j in range(j0 + 1, j1):
            a = src[i, j - half + size - 1, k0:k1]
            o = out[i, j, k0:k1]
            if minimum:
                for k in range(m):
                    v = jd.fmin(r[k], a[k])
                    r[k] = v
                    o[k] = jd.fmin(o[k], v)
            else:
                for k in range(m):
                    v = jd.fmax(r[k], a[k])
                    r[k] = v
                    o[k] = jd.fmax(o[k], v)
        j0 = j1
    c = cv[0]
    if ROW_EDGE_RUNS == 1 and runs:  # (CUDA does not compile this: the first test
        # compares constants) the rows whose windows leave the axis
        _mapped_row_runs(src, out, r, i, start, first, size, half, mode, c, minimum, k0, k1)
        _mapped_row_runs(src, out, r, i, last, stop, size, half, mode, c, minimum, k0, k1)
        return
    # rows scanned point by point (short windows; on CUDA also windows leaving the axis)
    for j in range(start, stop):
        if j >= first and j < last:
            continue
        o = out[i, j, k0:k1]
        s0 = map_index(j - half, n, mode)
        s1 = map_index(j - half + 1, n, mode)
        t0 = 1
        if size > 1 and s0 >= 0 and s1 >= 0:
            t0 = 2
            a = src[i, s0, k0:k1]
            b = src[i, s1, k0:k1]
            if minimum:
                for k in range(m):
                    o[k] = jd.fmin(a[k], b[k])
            else:
                for k in range(m):
                    o[k] = jd.fmax(a[k], b[k])
        elif s0 < 0:
            for k in range(m):
                o[k] = c
        else:
            a = src[i, s0, k0:k1]
            for k in range(m):
                o[k] = a[k]
        for t in range(t0, size):  # (`_row_pick` written out: the CPU's hot path for
            # 2-4 rows, where a call per row made minimum_filter1d of 3 rows on 2048^2
            # float32 1.9 -> 2.4-3.2 ms)
            s = map_index(j - half + t, n, mode)
            if s < 0:
                for k in range(m):
                    o[k] = _pick(o[k], c, minimum)
                continue
            a = src[i, s, k0:k1]
            if minimum:
                for k in range(m):
                    o[k] = jd.fmin(o[k], a[k])
            else:
                for k in range(m):
                    o[k] = jd.fmax(o[k], a[k])


# --- N-D windows ------------------------------------------------------------------


@jd.func
def window_inside(row, col, shape, lo, hi):
    """Whether the window of output ``(row, col)`` lies inside the array on every axis."""
    last = shape.shape[0] - 1
    if col + lo[last] < 0 or col + hi[last] >= shape[last]:
        return False
    return rows_inside(row, shape, lo, hi)


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
    """Whether the window of every output of row ``row`` is inside the leading axes.

    What is left of ``row`` once the inner axes are divided out is its index on axis 0:
    no division for it (a 64-bit division costs a GPU thread as much as several
    comparisons)."""
    rest = row
    for d in range(shape.shape[0] - 2, 0, -1):
        n = shape[d]
        q = rest // n
        c = rest - q * n
        rest = q
        if c + lo[d] < 0 or c + hi[d] >= n:
            return False
    return rest + lo[0] >= 0 and rest + hi[0] < shape[0]


@jd.kernel(max_registers=MAX_REGISTERS, raises=False)
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


@jd.kernel(raises=False)
def window_network(row, blk, src, out, shape, offs, foff, lo, hi, mode, cv, rank, block, pairs):
    """Rank filter as `window_filter`, selecting with a comparator network: the ``block``
    outputs of the index are lanes of ``buf`` (point ``p`` of lane ``c`` at
    ``buf[p * block + c]``), and each comparator ``(u, v)`` of ``pairs`` (point numbers
    times ``block``) puts the smaller of two points at ``u`` and the larger at ``v`` in
    every lane at once: no data-dependent branch, and a loop over lanes that vectorises.
    After the network, point ``rank`` holds the answer. Needs ``count * block <=
    NETWORK_LOCAL``; outputs whose window leaves the array take the `window_value` path."""
    row = np.int64(row)  # a parallel loop index may be unsigned: keep the arithmetic signed
    buf = jd.local.array(NETWORK_LOCAL, src.dtype)
    last = out.shape[1]
    count = foff.shape[0]
    ax = shape.shape[0] - 1
    start = blk * block
    stop = min(start + block, last)
    # columns whose window is inside the array
    cs = stop
    ce = stop
    if rows_inside(row, shape, lo, hi):
        cs = min(max(start, -lo[ax]), stop)
        ce = max(min(stop, last - hi[ax]), cs)
    for col in range(start, cs):
        out[row, col] = window_value(row, col, src, buf, shape, offs, foff, lo, hi, mode, cv,
                                     OP_RANK, rank)
    for col in range(ce, stop):
        out[row, col] = window_value(row, col, src, buf, shape, offs, foff, lo, hi, mode, cv,
                                     OP_RANK, rank)
    w = ce - cs
    if w <= 0:
        return
    b = row * last + cs
    for p in range(count):
        lane = buf[p * block : p * block + w]
        s = src[b + foff[p] : b + foff[p] + w]
        for c in range(w):
            lane[c] = s[c]
    for e in range(pairs.shape[0]):
        pu = pairs[e, 0]
        pv = pairs[e, 1]
        for c in range(np.uint64(w)):
            u = buf[pu + c]
            v = buf[pv + c]
            buf[pu + c] = jd.fmin(u, v)
            buf[pv + c] = jd.fmax(u, v)
    res = buf[rank * block : rank * block + w]
    for c in range(w):
        out[row, cs + c] = res[c]


@jd.func
def count_select(buf, count, rank):
    """The ``rank``-th smallest of ``buf[:count]`` by counting: the point with at most
    ``rank`` points below it and more than ``rank`` at or below it. NaN is never below
    or at a number, so it comes after every number (as in ``numpy.sort``): a rank that
    no number takes gives NaN. ``buf`` is left as it is."""
    res = buf[0]
    for i in range(count):
        v = buf[i]
        lt = 0
        le = 0
        for j in range(count):
            w = buf[j]
            if w < v:
                lt += 1
            if w <= v:
                le += 1
        if lt <= rank and rank < le:
            return v
        if v != v:
            res = v
    return res


@jd.func
def count_select_reads(src, b, foff, count, rank):
    """`count_select` of the window ``src[b + foff]``, each point read from ``src``
    whenever it is compared (the reads hit the cache): no array indexed at run time."""
    res = src[b + foff[0]]
    # unsigned indices and while loops: no negative-index handling, and no extra
    # induction variables (which Numba's `range` adds)
    n = np.uint64(count)
    one = np.uint64(1)
    i = np.uint64(0)
    while i < n:
        v = src[np.uint64(b + foff[i])]
        lt = 0
        le = 0
        j = np.uint64(0)
        while j < n:
            w = src[np.uint64(b + foff[j])]
            if w < v:
                lt += 1
            if w <= v:
                le += 1
            j += one
        if lt <= rank and rank < le:
            return v
        if v != v:
            res = v
        i += one
    return res


@jd.func
def count_select_slots(src, b, foff, count, rank, top, slots):
    """``(value, nan)``: the ``rank``-th smallest point of the window ``src[b + foff]``,
    with the window in ``slots`` registers, and whether it holds NaN (then the value
    is not the answer). ``slots`` (``>= count``) must be a constant where this is
    called: the loops are then unrolled and ``vals`` is only ever indexed by constants,
    so it lives in registers. Slots past ``count`` hold ``top``.

    Each point's position in (value, index) order is the number of points below it
    plus the number of equal points before it; positions are then distinct and the
    answer is the point at position ``rank``. ``top`` slots come after every point."""
    vals = jd.local.array(COUNT_SLOTS, src.dtype)
    nan = False
    for j in range(slots):
        # (min: foff[j] is read before the choice, and must exist)
        v = src[np.uint64(b + foff[min(j, count - 1)])] if j < count else top
        vals[j] = v
        if v != v:
            nan = True
    # float32 counters: Numba's integers are 64-bit, two instructions per GPU addition
    one = np.float32(1)
    goal = np.float32(rank)
    res = vals[0]
    for i in range(slots):
        v = vals[i]
        pos = np.float32(0)
        for j in range(slots):
            w = vals[j]
            if w < v or (j < i and w <= v):
                pos += one
        if pos == goal:
            res = v
    return res, nan


@jd.kernel(max_registers=MAX_REGISTERS, raises=False)
def window_count_rank(row, col, src, out, shape, offs, foff, lo, hi, mode, cv, top, rank):
    """Rank filter, one output ``out[row, col]`` per index, for windows of at most
    `COUNT_MAX` points (GPUs), selecting by counting with no array indexed at run time
    (a GPU thread keeps those in slow local memory, as `window_network` does): windows
    of up to `COUNT_SLOTS` points in registers (`count_select_slots`), larger ones and
    windows holding NaN reading each point when it is compared (`count_select_reads`).
    Outputs whose window leaves the array gather it into ``buf`` (`count_select`).
    ``top`` holds the dtype's largest value (``+inf`` for floats).

    NaN comes after every number, as in ``numpy.sort``."""
    row = np.int64(row)  # a parallel loop index may be unsigned: keep the arithmetic signed
    col = np.int64(col)
    last = out.shape[1]
    count = foff.shape[0]
    if not window_inside(row, col, shape, lo, hi):
        buf = jd.local.array(COUNT_MAX, src.dtype)
        gather(row, col, src, buf, shape, offs, foff, lo, hi, mode, cv)
        out[row, col] = count_select(buf, count, rank)
        return
    b = row * last + col
    # a few slot counts: comparisons grow as slots**2, and each count is more code
    res = top[0]
    again = count > COUNT_SLOTS
    if count <= 4:
        res, again = count_select_slots(src, b, foff, count, rank, top[0], 4)
    elif count <= 8:
        res, again = count_select_slots(src, b, foff, count, rank, top[0], 8)
    elif count <= 9:  # 3 x 3: 81 comparisons, against 144 in 12 slots
        res, again = count_select_slots(src, b, foff, count, rank, top[0], 9)
    elif count <= 12:
        res, again = count_select_slots(src, b, foff, count, rank, top[0], 12)
    elif count <= COUNT_SLOTS:
        res, again = count_select_slots(src, b, foff, count, rank, top[0], COUNT_SLOTS)
    if again:
        res = count_select_reads(src, b, foff, count, rank)
    out[row, col] = res


@jd.kernel(raises=False)
def window_rank_scratch(r, row0, src, out, scratch, shape, offs, foff, lo, hi, mode, cv, rank):
    """Rank filter of row ``row0 + r`` with ``scratch[r]`` as the window buffer (any size)."""
    row = np.int64(row0 + r)
    buf = scratch[r]
    count = foff.shape[0]
    for col in range(out.shape[1]):
        gather(row, col, src, buf, shape, offs, foff, lo, hi, mode, cv)
        out[row, col] = select(buf, count, rank)



# Long windows of `line_rank` are searched in blocks of this many places
SEARCH_BLOCK = 32


@jd.kernel(raises=False)
def line_rank(q, src, out, buf, first, mode, cv, rank, block, search_from):
    """Rank filter along the last axis of the 2-D ``src`` over a window of consecutive
    points (``buf.shape[2] - 2`` of them, from ``j + first`` for output ``j``), by a
    sorted window that slides: each step counts the values below the leaving one and
    below the entering one, and moves the values between the two places by one.

    Windows of fewer than ``search_from`` points: nothing in a step branches on the data
    (random data would mispredict every such branch): the counts are sums of
    comparisons, and the move rewrites the whole window into the other half of
    ``buf[q]`` (``buf[q, 0]`` and ``buf[q, 1]`` take turns), each place taking its own
    value, its upper or its lower neighbour's, or the entering value. The window sits at
    places 1 to ``size`` of each half, so that the neighbours of the end places are in
    the array (they are read, never taken). Both loops run the window's length and
    vectorise. Windows of ``search_from`` points or more: a place comes from two counts,
    of the blocks of `SEARCH_BLOCK` places whose first value is below it, then of the
    values below it in the last such block (binary searches mispredicted a branch per
    halving), and only the values between the two places move, in place in
    ``buf[q, 0]`` (the blocks' first values are kept in ``buf[q, 1]``): a step costs
    about ``size / 32 + 32`` comparisons and a move of a third of the window on random
    data, where the counts cost its whole length three times.

    Index ``q`` computes outputs ``jb * block <= j < (jb + 1) * block`` of line ``i``
    (``(i, jb) = divmod(q, ceil(n / block))``). CPU only: on a GPU every thread would
    keep a window of its own (`window_count_rank` and `window_network` serve GPUs).
    Values compare in the input's dtype; with NaN in a window the result is undefined,
    as for the other rank kernels.
    """
    q = np.int64(q)
    n = src.shape[1]
    size = buf.shape[2] - 2
    blocks = (n + block - 1) // block
    i = q // blocks
    j0 = (q - i * blocks) * block
    j1 = min(j0 + block, n)
    a = buf[q, 0]
    b = buf[q, 1]
    line = src[i]
    res = out[i]
    c = cv[0]
    for t in range(size):  # the first window, sorted by insertion
        v = _mapped(line, j0 + first + t, n, mode, c)
        p = t + 1
        while p > 1 and a[p - 1] > v:
            a[p] = a[p - 1]
            p -= 1
        a[p] = v
    a[0] = a[1]  # (read beside the window's ends, never taken)
    a[size + 1] = a[size]
    b[0] = a[1]
    b[size + 1] = a[size]
    res[j0] = a[rank + 1]
    # outputs whose leaving and entering points are both inside the line read it directly
    inner_lo = min(max(j0 + 1, 1 - first), j1)
    inner_hi = max(min(j1, n - first - size + 1), inner_lo)
    # windows of `search_from` points or more: a place is found in two counts, among the
    # first values of blocks of SEARCH_BLOCK places (kept in `b`), then in the block
    # that holds it
    searching = size >= search_from
    one, block_len = np.uint64(1), np.uint64(SEARCH_BLOCK)
    blocks_of = (size + SEARCH_BLOCK - 1) // SEARCH_BLOCK
    if searching:
        for i in range(blocks_of):
            b[i] = a[1 + i * SEARCH_BLOCK]
    for j in range(j0 + 1, j1):
        if j >= inner_lo and j < inner_hi:
            old = line[j - 1 + first]
            new = line[j - 1 + first + size]
        else:
            old = _mapped(line, j - 1 + first, n, mode, c)
            new = _mapped(line, j - 1 + first + size, n, mode, c)
        if searching:
            # (written out: a helper's call costs more than its counts here)
            below_old = 0
            below_new = 0
            for i in range(blocks_of):
                below_old += b[i] < old
                below_new += b[i] < new
            at = one
            if below_old > 0:
                base = 1 + (below_old - 1) * SEARCH_BLOCK
                inside = 0
                for t in range(min(SEARCH_BLOCK, size + 1 - base)):
                    inside += a[np.uint64(base + t)] < old
                at = np.uint64(base + inside)  # a place of `old`
            to = one
            if below_new > 0:
                base = 1 + (below_new - 1) * SEARCH_BLOCK
                inside = 0
                for t in range(min(SEARCH_BLOCK, size + 1 - base)):
                    inside += a[np.uint64(base + t)] < new
                to = np.uint64(base + inside)  # `new` goes before it...
            if at > np.uint64(size):  # (NaN compares false: never past the window)
                at = np.uint64(size)
            # ...after the values between move down by one (when `old` left from below
            # them), else up by one; then the blocks' first values among them again
            if to > at:
                to -= one
                lo, hi = at, to
                for t in range(to - at):
                    k = at + np.uint64(t)
                    a[k] = a[k + one]
            else:
                lo, hi = to, at
                for t in range(at - to):
                    k = at - np.uint64(t)
                    a[k] = a[k - one]
            a[to] = new
            first_block = (lo - one + block_len - one) // block_len
            for i in range(first_block, (hi - one) // block_len + one):
                b[i] = a[one + i * block_len]
            res[j] = a[rank + 1]
            continue
        below_old = 0  # `old` is at place below_old + 1 (its first place)
        below_new = 0
        for k in range(1, size + 1):
            below_old += a[k] < old
            below_new += a[k] < new
        at = below_old + 1
        # where `new` goes: after the values between if they move down, else before them
        to = below_new if below_new > below_old else below_new + 1
        for k in range(1, size + 1):
            lower = a[k - 1]  # (all three read: a select of loaded values vectorises)
            same = a[k]
            upper = a[k + 1]
            v = upper if (k >= at) & (k < to) else same
            v = lower if (k > to) & (k <= at) else v
            b[k] = new if k == to else v
        res[j] = b[rank + 1]
        a, b = b, a


@jd.kernel(raises=False)
def line_network(q, src, out, first, mode, cv, rank, block, count, lanes, pairs):
    """Rank filter along the last axis of the 2-D ``src`` over ``count`` consecutive
    points (from ``j + first`` for output ``j``), selecting with a comparator network
    as `window_network` does: ``lanes`` outputs at a time are lanes of a local buffer
    (point ``p`` of lane ``t`` at ``buf[p * lanes + t]``), filled from the line by
    slices (point ``p`` of the lanes is the line shifted by ``p``), and point by point
    through the mode where they leave the line. ``pairs`` holds the comparators, point numbers
    times ``lanes``; ``count * lanes <= LINE_NETWORK_LOCAL``.

    Index ``q`` computes outputs ``jb * block <= j < (jb + 1) * block`` of line ``i``, as
    in `line_rank`. CPU only (a GPU thread computes one output: `window_count_rank`).
    """
    q = np.int64(q)
    n = src.shape[1]
    blocks = (n + block - 1) // block
    i = q // blocks
    j0 = (q - i * blocks) * block
    j1 = min(j0 + block, n)
    buf = jd.local.array(LINE_NETWORK_LOCAL, src.dtype)
    line = src[i]
    res = out[i]
    c = cv[0]
    for s in range(j0, j1, lanes):
        w = min(lanes, j1 - s)
        for p in range(count):
            lane = buf[p * lanes : p * lanes + w]
            k0 = s + first + p  # lane t reads line[k0 + t]: inside for lo <= t < hi
            lo = min(max(0, -k0), w)
            hi = max(min(w, n - k0), lo)
            for t in range(lo):
                lane[t] = _mapped(line, k0 + t, n, mode, c)
            seg = line[k0 + lo : k0 + hi]
            inner = lane[lo:hi]
            for t in range(hi - lo):
                inner[t] = seg[t]
            for t in range(hi, w):
                lane[t] = _mapped(line, k0 + t, n, mode, c)
        for e in range(pairs.shape[0]):
            pu = pairs[e, 0]
            pv = pairs[e, 1]
            for t in range(np.uint64(w)):
                u = buf[pu + t]
                v = buf[pv + t]
                buf[pu + t] = jd.fmin(u, v)
                buf[pv + t] = jd.fmax(u, v)
        picked = buf[rank * lanes : rank * lanes + w]
        for t in range(w):
            res[s + t] = picked[t]
