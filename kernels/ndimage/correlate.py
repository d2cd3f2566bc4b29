"""Correlation kernel bodies: 1-D passes along an axis, N-D windows, elementwise steps.

Arithmetic follows scipy.ndimage's C code so that results agree to the last bit on the
CPU: every value is read as float64, sums run in SciPy's order, and the float64 result
is converted to the output type by an ordinary cast (truncation for integers).

1-D passes see the data either as 2-D ``(lines, n)`` when the filtered axis is the last
one, or as 3-D ``(outer, n, inner)`` with the filtered axis in the middle: one compiled
kernel per dtype pair serves every axis of every ndim. An index computes ``width``
outputs along the contiguous axis (the caller takes it from ``jd.lanes``): on a GPU,
where every index is a thread, one or `WARP_OUTPUTS` of them `WARP` apart, each summed in
a register; on the CPU whole chunks of `CHUNK` neighbouring outputs, tap after tap, each
tap a loop over the chunk that LLVM turns into vector instructions. Every output is
still summed in SciPy's order. Launches whose
first dimension would be short put a longer one first (``swap``), as that dimension runs
in parallel.

Every kernel here is ``jd.kernel(raises=False)``: none raises (indices stay inside the
arrays by construction), so parallel CPU launches skip the check for errors in threads.
"""

import cmath
import math

import numpy as np

import jitdispatch as jd

from .boundary import extend_line, map_index

# How a float64 result becomes the output type (`cast` argument of the kernels).
# (x86-64 C, as SciPy is built: a conversion goes through a 32-bit integer for the types
# narrower than that, through a 64-bit one for uint32; its low bits are kept.)
CAST_DIRECT = 0  # floats, and the integers whose direct conversion matches C's
CAST_BOOL = 1  # NumPy's bool is a byte, given as a uint8 view: C stores the truncated
# value's low byte there, and later passes read that byte (nonzero is True; 256 is not)
CAST_VIA_INT32 = 2  # int32 and narrower: truncated to int32 (-2**31 out of range), then wrapped
CAST_UINT64 = 3  # uint64: as x86-64 C does (values below 2**63 through int64: -5 wraps)
CAST_VIA_INT64 = 4  # uint32: truncated to int64, then wrapped (-5 gives 2**32 - 5)
CAST_KIND = 7  # the bits of `cast` that hold one of the above
# Flags added to `cast` to fold NumPy's in-place steps of the derivative filters into the
# store (no temporary array, no extra pass): the converted result is first squared in
# the output's type (``tmp *= tmp``), then added to what ``out`` held (``out += tmp``).
SQUARE = 8
ACCUMULATE = 16


@jd.func
def convert(out, i, value, cast):
    """``out[i] = value``, a float64 converted as C's cast would (x86-64)."""
    kind = cast & CAST_KIND
    if kind == CAST_DIRECT:  # first, alone: a GPU then runs none of the other cases
        out[i] = value
    elif kind in (CAST_VIA_INT32, CAST_BOOL):
        out[i] = c_int32(value)  # stored into a narrower type (or bytes), it wraps
    elif kind == CAST_VIA_INT64:
        out[i] = np.int64(value)
    else:  # CAST_UINT64
        out[i] = c_uint64(value)


@jd.func
def c_int32(value):
    """The float64 ``value`` as int32, as x86-64 C converts it (``cvttsd2si``): NaN and
    values outside int32's range give -2**31. Numba's own conversion of such a value is
    undefined: a scalar one wrapped (4294967294.0 gave -2) where a vector one did not."""
    if value > -2147483649.0 and value < 2147483648.0:
        return np.int32(value)
    return np.int32(-2147483648)


@jd.func
def c_uint64(value):
    """The float64 ``value`` as uint64, as x86-64 C converts it: through int64 below
    2**63 (negative values wrap around; NaN and values below -2**63 give 2**63), with 2**63
    taken off first above it. A direct conversion may saturate instead (AVX-512's does)."""
    if value >= 9223372036854775808.0:
        return np.uint64(np.int64(value - 9223372036854775808.0)) ^ np.uint64(1 << 63)
    return np.uint64(np.int64(value))


@jd.func
def store(out, i, value, cast):
    """Write a float64 result into ``out[i]`` (1-D) as C's cast would, then apply the
    `SQUARE` and `ACCUMULATE` flags of ``cast`` in ``out``'s type, as NumPy would."""
    if cast == CAST_DIRECT:  # first, alone: a GPU then runs none of the other cases
        out[i] = value
        return
    if cast < SQUARE:
        convert(out, i, value, cast)
        return
    previous = out[i]
    convert(out, i, value, cast)
    if (cast & CAST_KIND) == CAST_BOOL:  # NumPy's bool * and + are `and` / `or`: 0 or 1
        if cast & SQUARE:
            out[i] = out[i] != 0
        if cast & ACCUMULATE:
            out[i] = previous != 0 or out[i] != 0
        return
    if cast & SQUARE:
        out[i] = out[i] * out[i]  # in out's type: integers wrap as NumPy's do
    if cast & ACCUMULATE:
        out[i] = previous + out[i]


@jd.func
def store4(out, i, step, a0, a1, a2, a3, cast):
    """`store` of ``a0 .. a3`` into ``out[i]``, ``out[i + step]``, ... (1-D): four
    direct stores behind one test for float outputs, `store` for each otherwise. (Testing
    for the direct case first took the four-output `correlate_lines` from 70 to 47 us on
    an H100, 2048x2048 float32; `store` now does the same.)"""
    if cast == CAST_DIRECT:
        out[i] = a0
        out[i + step] = a1
        out[i + 2 * step] = a2
        out[i + 3 * step] = a3
        return
    store(out, i, a0, cast)
    store(out, i + step, a1, cast)
    store(out, i + 2 * step, a2, cast)
    store(out, i + 3 * step, a3, cast)


# Outputs an index computes side by side, in float64 scratch of this size: a CPU chunk
# (jd.lanes), one on CUDA, where each index is a thread and the scratch is local memory
# that every resident thread would reserve.
CHUNK = jd.per_target(cpu=64, cuda=1)
# On CUDA, an index of `correlate_nd`, `correlate_lines` or `correlate_rows` computes one
# output or WARP_OUTPUTS of them, WARP apart, sharing each tap's offset and weight (rows
# of at least WARP * WARP_OUTPUTS): a warp's loads stay contiguous (where the blocks are
# the launch's last index, as unless `correlate_lines` is swapped), each thread has four
# independent sums in flight, and its setup is paid once for four outputs.
WARP = 32
WARP_OUTPUTS = 4
# A chunk's float64 copy of its inputs, extended by the boundary mode where the taps
# leave the line: room for 1024 taps beyond the first on the CPU (8.5 KiB of stack), so
# that the edges of long weights (a Gaussian of sigma up to 128) run in chunks too:
# with room for 64, 97 taps took 0.42-0.85 of SciPy's time on 1024 x 1024 float32,
# against 0.11-0.20 for 65, as the edges' outputs went one at a time. On CUDA the copy
# is never used (outputs whose taps do not fit take `line_output`, as one thread's do).
EXTENDED = jd.per_target(cpu=64 + 1024, cuda=1)


@jd.func
def line_at(line, k, n, mode, cval):
    """``line[k]`` as float64, ``k`` mapped into ``[0, n)`` by the boundary mode."""
    if k < 0 or k >= n:
        k = map_index(k, n, mode)
        if k < 0:
            return cval
    return np.float64(line[k])


@jd.func
def inside(low, high, m, n):
    """The range ``[lo, hi)`` of ``jj`` in ``[0, m)`` for which both ``low + jj`` and
    ``high + jj`` (``low <= high``) are inside ``[0, n)``; empty when there is none."""
    lo = min(max(0, -low), m)
    hi = max(min(m, n - high), lo)
    return lo, hi


@jd.func
def store_chunk(dst, acc, m, cast):
    """``dst[0:m] = acc[0:m]``, each float64 converted as C's cast would (see `store`),
    then the `SQUARE` and `ACCUMULATE` flags of ``cast`` applied."""
    if cast == SQUARE | ACCUMULATE:  # CAST_DIRECT: a loop per case, vectorised
        for jj in range(m):
            previous = dst[jj]
            dst[jj] = acc[jj]
            value = dst[jj]  # the result in dst's type
            dst[jj] = previous + value * value
    elif cast == ACCUMULATE:
        for jj in range(m):
            previous = dst[jj]
            dst[jj] = acc[jj]
            dst[jj] = previous + dst[jj]
    elif cast == SQUARE:
        for jj in range(m):
            dst[jj] = acc[jj]
            dst[jj] = dst[jj] * dst[jj]
    elif cast > SQUARE:  # small integers and bool, flagged
        kind = cast & CAST_KIND
        square = (cast & SQUARE) != 0
        accumulate = (cast & ACCUMULATE) != 0
        for jj in range(m):
            previous = dst[jj]
            if kind == CAST_DIRECT:
                dst[jj] = acc[jj]
            elif kind == CAST_UINT64:
                dst[jj] = c_uint64(acc[jj])
            elif kind == CAST_VIA_INT64:
                dst[jj] = np.int64(acc[jj])
            else:  # CAST_VIA_INT32, or CAST_BOOL into a bool array's bytes
                dst[jj] = c_int32(acc[jj])
            if kind == CAST_BOOL:  # NumPy's bool * and + are `and` / `or`
                if square:
                    dst[jj] = dst[jj] != 0
                if accumulate:
                    dst[jj] = previous != 0 or dst[jj] != 0
                continue
            if square:
                dst[jj] = dst[jj] * dst[jj]
            if accumulate:
                dst[jj] = previous + dst[jj]
    elif cast in (CAST_VIA_INT32, CAST_BOOL):
        for jj in range(m):
            dst[jj] = c_int32(acc[jj])
    elif cast == CAST_VIA_INT64:
        for jj in range(m):
            dst[jj] = np.int64(acc[jj])
    elif cast == CAST_UINT64:
        for jj in range(m):
            dst[jj] = c_uint64(acc[jj])
    else:
        for jj in range(m):
            dst[jj] = acc[jj]


@jd.func
def inner_output(line, first, w, sym):
    """The correlation of ``line[first : first + len(w)]`` with ``w``, in SciPy's order of
    summation (see `line_output`). Unsigned indices: no negative-index wrap-around
    arithmetic per tap, which a GPU would execute."""
    nw = np.uint64(w.shape[0])
    lo = np.uint64(first)
    if sym != 0:
        s = np.float64(sym)
        half = nw // np.uint64(2)
        hi = lo + nw - np.uint64(1)
        acc = np.float64(line[lo + half]) * w[half]
        q = np.uint64(0)
        while q < half:  # taps q and nw - 1 - q, from the outside in
            acc += (np.float64(line[lo + q]) + s * np.float64(line[hi - q])) * w[q]
            q += np.uint64(1)
    else:
        last = nw - np.uint64(1)
        acc = np.float64(line[lo + last]) * w[last]
        q = np.uint64(0)
        while q < last:
            acc += np.float64(line[lo + q]) * w[q]
            q += np.uint64(1)
    return acc


@jd.func
def inner_outputs4(l0, l1, l2, l3, first, w, sym):
    """`inner_output` of four lines at once, from the same ``first``: each tap's weight
    is read once for all four sums, and the four sums are independent of each other
    (CUDA's path for `WARP_OUTPUTS` outputs per thread; every sum in SciPy's order)."""
    nw = np.uint64(w.shape[0])
    lo = np.uint64(first)
    if sym != 0:
        s = np.float64(sym)
        half = nw // np.uint64(2)
        hi = lo + nw - np.uint64(1)
        c, wt = lo + half, w[half]
        a0, a1 = np.float64(l0[c]) * wt, np.float64(l1[c]) * wt
        a2, a3 = np.float64(l2[c]) * wt, np.float64(l3[c]) * wt
        q = np.uint64(0)
        while q < half:  # taps q and nw - 1 - q, from the outside in
            p, r, wt = lo + q, hi - q, w[q]
            a0 += (np.float64(l0[p]) + s * np.float64(l0[r])) * wt
            a1 += (np.float64(l1[p]) + s * np.float64(l1[r])) * wt
            a2 += (np.float64(l2[p]) + s * np.float64(l2[r])) * wt
            a3 += (np.float64(l3[p]) + s * np.float64(l3[r])) * wt
            q += np.uint64(1)
    else:
        last = nw - np.uint64(1)
        c, wt = lo + last, w[last]
        a0, a1 = np.float64(l0[c]) * wt, np.float64(l1[c]) * wt
        a2, a3 = np.float64(l2[c]) * wt, np.float64(l3[c]) * wt
        q = np.uint64(0)
        while q < last:
            p, wt = lo + q, w[q]
            a0 += np.float64(l0[p]) * wt
            a1 += np.float64(l1[p]) * wt
            a2 += np.float64(l2[p]) * wt
            a3 += np.float64(l3[p]) * wt
            q += np.uint64(1)
    return a0, a1, a2, a3


@jd.func
def line_output(line, i, w, origin, sym, mode, cval):
    """Output ``i`` of the correlation of ``line`` (one at a time, boundary-mode reads)."""
    n = line.shape[0]
    nw = w.shape[0]
    left = nw // 2
    right = nw - left - 1
    c = i - origin  # input position under the centre tap
    if c - left >= 0 and c + right < n:  # every tap inside: no boundary mode to apply
        return inner_output(line, c - left, w, sym)
    if sym != 0:
        s = np.float64(sym)  # x + s * y is exactly x + y or x - y
        acc = line_at(line, c, n, mode, cval) * w[left]
        for t in range(-left, 0):
            x = line_at(line, c + t, n, mode, cval)
            acc += (x + s * line_at(line, c - t, n, mode, cval)) * w[left + t]
    else:
        acc = line_at(line, c + right, n, mode, cval) * w[nw - 1]
        for t in range(-left, right):
            acc += line_at(line, c + t, n, mode, cval) * w[left + t]
    return acc


@jd.func
def correlate_chunk(acc, x, w, sym, m):
    """``acc[0:m]``: the correlation of ``x`` (``m + len(w) - 1`` inputs, the first one
    under the first tap of output 0), in SciPy's order of summation. Taps four at a time,
    each group one loop over the ``m`` outputs (a vector loop on the CPU) that adds
    them one after the other: the order of the sums is SciPy's, the sums are loaded
    and stored a quarter as often."""
    nw = w.shape[0]
    left = nw // 2
    if sym != 0:
        s = np.float64(sym)  # x + s * y is exactly x + y or x - y
        xc, wt = x[left : left + m], w[left]
        for jj in range(m):
            acc[jj] = xc[jj] * wt
        t = -left  # pairs of taps left + t and left - t, t = -left .. -1
        while t + 4 <= 0:
            a0, b0, w0 = x[left + t : left + t + m], x[left - t : left - t + m], w[left + t]
            a1, b1, w1 = x[left + t + 1 :], x[left - t - 1 :], w[left + t + 1]
            a2, b2, w2 = x[left + t + 2 :], x[left - t - 2 :], w[left + t + 2]
            a3, b3, w3 = x[left + t + 3 :], x[left - t - 3 :], w[left + t + 3]
            for jj in range(m):
                v = acc[jj] + (a0[jj] + s * b0[jj]) * w0
                v += (a1[jj] + s * b1[jj]) * w1
                v += (a2[jj] + s * b2[jj]) * w2
                acc[jj] = v + (a3[jj] + s * b3[jj]) * w3
            t += 4
        while t < 0:
            xa, xb, wt = x[left + t : left + t + m], x[left - t : left - t + m], w[left + t]
            for jj in range(m):
                acc[jj] += (xa[jj] + s * xb[jj]) * wt
            t += 1
    else:
        xr, wt = x[nw - 1 : nw - 1 + m], w[nw - 1]
        for jj in range(m):
            acc[jj] = xr[jj] * wt
        t = 0  # then taps 0 .. nw - 2
        while t + 4 <= nw - 1:
            x0, x1, x2, x3 = x[t : t + m], x[t + 1 :], x[t + 2 :], x[t + 3 :]
            w0, w1, w2, w3 = w[t], w[t + 1], w[t + 2], w[t + 3]
            for jj in range(m):
                v = acc[jj] + x0[jj] * w0
                v += x1[jj] * w1
                v += x2[jj] * w2
                acc[jj] = v + x3[jj] * w3
            t += 4
        while t < nw - 1:
            xa, wt = x[t : t + m], w[t]
            for jj in range(m):
                acc[jj] += xa[jj] * wt
            t += 1


SHORT = 5  # weights of up to this many taps: `short_taps` where all taps are inside


@jd.func
def short_taps(dst, x, w, sym, m):
    """``dst[0:m]``: the correlation of ``x`` (``m + len(w) - 1`` inputs) with at most
    `SHORT` taps, in one loop that keeps each output's taps in registers, in SciPy's
    order of summation (see `correlate_chunk`), stored with a direct cast. Scratch
    chunks cost more than the arithmetic of so few taps."""
    nw = w.shape[0]
    x0 = x[0:m]
    if nw == 1:
        w0 = w[0]
        for j in range(m):
            dst[j] = np.float64(x0[j]) * w0
        return
    x1 = x[1 : m + 1]
    w0, w1 = w[0], w[1]
    if nw == 2:
        for j in range(m):
            v = np.float64(x1[j]) * w1
            dst[j] = v + np.float64(x0[j]) * w0
        return
    x2 = x[2 : m + 2]
    w2 = w[2]
    if nw == 3:
        if sym != 0:
            s = np.float64(sym)
            for j in range(m):
                v = np.float64(x1[j]) * w1
                dst[j] = v + (np.float64(x0[j]) + s * np.float64(x2[j])) * w0
        else:
            for j in range(m):
                v = np.float64(x2[j]) * w2
                v += np.float64(x0[j]) * w0
                dst[j] = v + np.float64(x1[j]) * w1
        return
    x3 = x[3 : m + 3]
    w3 = w[3]
    if nw == 4:
        for j in range(m):
            v = np.float64(x3[j]) * w3
            v += np.float64(x0[j]) * w0
            v += np.float64(x1[j]) * w1
            dst[j] = v + np.float64(x2[j]) * w2
        return
    x4 = x[4 : m + 4]
    w4 = w[4]
    if sym != 0:
        s = np.float64(sym)
        for j in range(m):
            v = np.float64(x2[j]) * w2
            v += (np.float64(x0[j]) + s * np.float64(x4[j])) * w0
            dst[j] = v + (np.float64(x1[j]) + s * np.float64(x3[j])) * w1
    else:
        for j in range(m):
            v = np.float64(x4[j]) * w4
            v += np.float64(x0[j]) * w0
            v += np.float64(x1[j]) * w1
            v += np.float64(x2[j]) * w2
            dst[j] = v + np.float64(x3[j]) * w3


@jd.kernel(raises=False)
def correlate_lines(a, b, src, w, origin, sym, swap, width, mode, cval, cast, out):
    """``out[o, i] = sum_k w[k] * src[o, i + k - len(w) // 2 - origin]``.

    ``src`` and ``out`` are ``(lines, n)``: the filtered axis is the last one. The index
    ``(o, block)`` (``(block, o)`` when ``swap``) computes ``width`` outputs: on a GPU
    (a thread per index; ``width`` is 1 or `WARP_OUTPUTS`), output ``block``, or
    `WARP_OUTPUTS` outputs `WARP` apart from ``(block // WARP) * WARP * WARP_OUTPUTS +
    block % WARP`` (`inner_outputs4` where all their taps are inside the line), each
    summed in a register; on the CPU those from ``block * width`` on, `CHUNK` at a time
    with `correlate_chunk`, reading the line itself or, where the
    taps leave it, a float64 copy of the inputs extended by the boundary mode; weights
    of up to `SHORT` taps take `short_taps` for all their outputs whose taps are inside
    the line, and compute the others one at a time. ``sym``
    is 1 (symmetric weights), -1 (antisymmetric) or 0, as SciPy detects them; it picks
    SciPy's order of summation (pairs of taps around the centre, or left to right
    starting with the last tap), which every output follows. On the CPU the callers
    give short lines to `buffered_lines` instead, which is faster there.
    """
    a, b = np.int64(a), np.int64(b)  # parallel loop indices may come unsigned
    o = b if swap else a
    block = a if swap else b
    line = src[o]
    if CHUNK == 1 or width == 1:  # CUDA (a constant there: the rest is not compiled)
        if width == 1:
            store(out[o], block, line_output(line, block, w, origin, sym, mode, cval), cast)
            return
        # `WARP_OUTPUTS` outputs WARP apart (see `correlate_nd`): where all their taps
        # are inside the line, each tap's weight is read once for the four
        n = line.shape[0]
        res = out[o]
        i0 = (block // WARP) * (WARP * WARP_OUTPUTS) + block % WARP
        first = i0 - origin - w.shape[0] // 2  # input under output i0's first tap
        if first >= 0 and first + WARP * (WARP_OUTPUTS - 1) + w.shape[0] <= n:
            a0, a1, a2, a3 = inner_outputs4(
                line, line[WARP:], line[2 * WARP :], line[3 * WARP :], first, w, sym
            )
            store4(res, i0, WARP, a0, a1, a2, a3, cast)
            return
        for k in range(WARP_OUTPUTS):
            i = i0 + WARP * k
            if i < n:
                store(res, i, line_output(line, i, w, origin, sym, mode, cval), cast)
        return
    n = line.shape[0]
    nw = w.shape[0]
    acc = jd.local.array(CHUNK, np.float64)
    ext = jd.local.array(EXTENDED, np.float64)
    start = block * width
    stop = min(start + width, n)
    if nw <= SHORT and cast == CAST_DIRECT:
        # outputs [inner_lo, inner_hi), all taps inside the line: one `short_taps`
        left = nw // 2 + origin  # an output's first tap is `left` before it
        inner_lo = min(max(start, left), stop)
        inner_hi = max(min(stop, n - nw + 1 + left), inner_lo)
        m = inner_hi - inner_lo
        if m > 0:
            taps = line[inner_lo - left : inner_hi - left + nw - 1]
            short_taps(out[o, inner_lo:inner_hi], taps, w, sym, m)
        # the few outputs whose taps leave the line, one at a time
        res = out[o]
        for i in range(start, inner_lo):
            res[i] = line_output(line, i, w, origin, sym, mode, cval)
        for i in range(max(inner_hi, start), stop):
            res[i] = line_output(line, i, w, origin, sym, mode, cval)
        return
    for i0 in range(start, stop, CHUNK):
        m = min(CHUNK, stop - i0)
        first = i0 - origin - nw // 2  # input under the first tap of output i0
        count = m + nw - 1
        if first >= 0 and first + count <= n:
            correlate_chunk(acc, line[first : first + count], w, sym, m)
        elif count <= EXTENDED:
            lo, hi = inside(first, first, count, n)
            for q in range(lo):
                ext[q] = line_at(line, first + q, n, mode, cval)
            x, e = line[first + lo : first + hi], ext[lo:hi]
            for q in range(hi - lo):
                e[q] = x[q]
            for q in range(hi, count):
                ext[q] = line_at(line, first + q, n, mode, cval)
            correlate_chunk(acc, ext[:count], w, sym, m)
        else:
            for jj in range(m):
                acc[jj] = line_output(line, i0 + jj, w, origin, sym, mode, cval)
        store_chunk(out[o, i0 : i0 + m], acc, m, cast)


# On the CPU, `buffered_lines` takes the passes along the last axis of short lines (as
# short as `_buffered_lines` of jitdispatch.ndimage._filters decides per dtype) whose
# extended copies fit its float64 scratch of BUFFERED values (on CUDA it is never
# launched: a thread computes its outputs from the line itself).
BUFFERED = jd.per_target(cpu=1024, cuda=1)


@jd.func
def running_sums(ext, acc, b, c, n, nw):
    """One line's running sums of ``nw`` values as SciPy sums them: ``acc[c + j]`` the sum
    of ``ext[b + j : b + j + nw]`` for ``j`` in ``[0, n)``, each the previous one plus the
    value entering and minus the value leaving."""
    total = 0.0
    for t in range(nw):
        total += ext[b + np.uint64(t)]
    acc[c] = total
    for j in range(1, n):
        u = b + np.uint64(j)
        total += ext[u + np.uint64(nw - 1)] - ext[u - np.uint64(1)]
        acc[c + np.uint64(j)] = total


@jd.func
def running_sums4(ext, acc, b, c, stride, n, nw):
    """`running_sums` of four lines side by side (their copies ``stride`` apart in
    ``ext``, their sums ``n`` apart in ``acc``): each line's sum is a chain of additions,
    and four chains overlap where one waits on each addition."""
    s1, s2, s3 = np.uint64(stride), np.uint64(2 * stride), np.uint64(3 * stride)
    t0 = t1 = t2 = t3 = 0.0
    for t in range(nw):
        u = b + np.uint64(t)
        t0 += ext[u]
        t1 += ext[u + s1]
        t2 += ext[u + s2]
        t3 += ext[u + s3]
    n1, n2, n3 = np.uint64(n), np.uint64(2 * n), np.uint64(3 * n)
    acc[c], acc[c + n1], acc[c + n2], acc[c + n3] = t0, t1, t2, t3
    h = np.uint64(nw - 1)
    for j in range(1, n):
        u = b + np.uint64(j) - np.uint64(1)
        v = c + np.uint64(j)
        t0 += ext[u + h + np.uint64(1)] - ext[u]
        t1 += ext[u + s1 + h + np.uint64(1)] - ext[u + s1]
        t2 += ext[u + s2 + h + np.uint64(1)] - ext[u + s2]
        t3 += ext[u + s3 + h + np.uint64(1)] - ext[u + s3]
        acc[v], acc[v + n1], acc[v + n2], acc[v + n3] = t0, t1, t2, t3


@jd.kernel(raises=False)
def buffered_lines(g, src, n, w, origin, sym, running, per, mode, cval, cast, out):
    """A 1-D pass along the last axis on the CPU, ``per`` whole lines of ``n`` outputs an
    index, through scratch: ``src`` and ``out`` are the C-contiguous ``(lines, n)``
    arrays, flat. The correlation with ``w`` (``sym`` as in `correlate_lines`), or with
    ``running`` set SciPy's running mean of ``len(w)`` values (``w`` unused).

    Index ``g`` copies each of its lines, extended at both ends by the mode
    (`extend_line`), into one float64 buffer, one after the other (``n + len(w) - 1``
    values a line). A correlation then runs every tap once over the whole buffer
    (`correlate_chunk`: long vector loops; the sums that straddle two lines' copies are
    dropped); running means sum along four lines' copies at a time (`running_sums4`),
    then divide in one vector loop. Each line's ``n`` results are gathered and stored at
    once. Short lines cost `correlate_lines` and `uniform_lines` more in set-up per line
    than in arithmetic. Every sum is in SciPy's order, as there.
    """
    g = np.int64(g)
    nw = w.shape[0]
    stride = n + nw - 1
    ext = jd.local.array(BUFFERED, np.float64)
    acc = jd.local.array(BUFFERED, np.float64)
    lines = src.shape[0] // n
    o0 = g * per
    o1 = min(o0 + per, lines)
    first = -origin - nw // 2  # input under the first tap of a line's output 0
    # unsigned indices: no negative-index wrap-around test per element
    for o in range(o0, o1):
        b = np.uint64((o - o0) * stride)
        extend_line(ext, b, src[o * n : o * n + n], first, stride, mode, cval)
    m = (o1 - o0) * n
    if running:
        fours = (o1 - o0) // 4 * 4
        for r in range(0, fours, 4):
            running_sums4(ext, acc, np.uint64(r * stride), np.uint64(r * n), stride, n, nw)
        for r in range(fours, o1 - o0):
            running_sums(ext, acc, np.uint64(r * stride), np.uint64(r * n), n, nw)
        for q in range(m):  # the sums are kept undivided; each output divides its own
            acc[q] = acc[q] / nw
        store_chunk(out[o0 * n : o0 * n + m], acc, m, cast)
        return
    count = (o1 - o0) * stride - (nw - 1)  # sums at every start in the buffer
    correlate_chunk(acc, ext[: count + nw - 1], w, sym, count)
    for o in range(o0, o1):  # each line's own sums, gathered (ext is free again)
        b, c = np.uint64((o - o0) * stride), np.uint64((o - o0) * n)
        for j in range(n):
            ext[c + np.uint64(j)] = acc[b + np.uint64(j)]
    store_chunk(out[o0 * n : o0 * n + m], ext, m, cast)


@jd.func
def row_at(src, o, k, j, n, mode, cval):
    """``src[o, k, j]`` as float64, the row ``k`` mapped into ``[0, n)`` by the mode."""
    if k < 0 or k >= n:
        k = map_index(k, n, mode)
        if k < 0:
            return cval
    return np.float64(src[o, k, j])


@jd.func
def column_output(src, o, c, j, w, sym, mode, cval):
    """Output of `correlate_rows` whose centre tap reads row ``c`` of column ``j`` (one
    at a time; the rows mapped by the boundary mode where the taps leave the axis)."""
    n = src.shape[1]
    nw = w.shape[0]
    left = nw // 2
    right = nw - left - 1
    if c - left >= 0 and c + right < n:  # every tap inside: no boundary mode to apply
        return inner_output(src[o, :, j], c - left, w, sym)
    if sym != 0:
        s = np.float64(sym)  # x + s * y is exactly x + y or x - y
        acc = row_at(src, o, c, j, n, mode, cval) * w[left]
        for t in range(-left, 0):
            x = row_at(src, o, c + t, j, n, mode, cval)
            acc += (x + s * row_at(src, o, c - t, j, n, mode, cval)) * w[left + t]
        return acc
    acc = row_at(src, o, c + right, j, n, mode, cval) * w[nw - 1]
    for t in range(-left, right):
        acc += row_at(src, o, c + t, j, n, mode, cval) * w[left + t]
    return acc


@jd.kernel(raises=False)
def correlate_rows(a, b, block, src, w, origin, sym, swap, width, mode, cval, cast, out):
    """``out[o, i, j] = sum_k w[k] * src[o, i + k - len(w) // 2 - origin, j]``.

    The filtered axis is not the last one, so the taps are rows along the contiguous
    axis ``j``. The index ``(o, i, block)`` (``(i, o, block)`` when ``swap``) computes
    ``width`` outputs along ``j``, as `correlate_lines` does: on a GPU one, or four a
    warp apart; on the CPU the chunk from ``j = block * width`` on, each tap one row,
    mapped once by the boundary mode, and a loop over the chunk.
    """
    a, b, block = np.int64(a), np.int64(b), np.int64(block)
    o = b if swap else a
    i = a if swap else b
    n = src.shape[1]
    inner = src.shape[2]
    nw = w.shape[0]
    left = nw // 2
    right = nw - left - 1
    c = i - origin  # input row under the centre tap
    s = np.float64(sym)
    if CHUNK == 1 or width == 1:  # CUDA (a constant there: the rest is not compiled)
        res = out[o, i]
        if width == 1:
            store(res, block, column_output(src, o, c, block, w, sym, mode, cval), cast)
            return
        # `WARP_OUTPUTS` outputs WARP apart (see `correlate_nd`): where all their taps
        # are inside the array, each tap's weight is read once for the four
        j0 = (block // WARP) * (WARP * WARP_OUTPUTS) + block % WARP
        if c - left >= 0 and c + right < n and j0 + WARP * (WARP_OUTPUTS - 1) < inner:
            a0, a1, a2, a3 = inner_outputs4(
                src[o, :, j0],
                src[o, :, j0 + WARP],
                src[o, :, j0 + 2 * WARP],
                src[o, :, j0 + 3 * WARP],
                c - left,
                w,
                sym,
            )
            store4(res, j0, WARP, a0, a1, a2, a3, cast)
            return
        for k in range(WARP_OUTPUTS):
            j = j0 + WARP * k
            if j < inner:
                store(res, j, column_output(src, o, c, j, w, sym, mode, cval), cast)
        return
    acc = jd.local.array(CHUNK, np.float64)
    stop = min(block * width + width, inner)
    for j0 in range(block * width, stop, CHUNK):
        m = min(CHUNK, stop - j0)
        k = map_index(c if sym != 0 else c + right, n, mode)  # the tap summed first
        wt = w[left] if sym != 0 else w[nw - 1]
        x = src[o, max(k, 0), j0 : j0 + m]
        if k < 0:
            for jj in range(m):
                acc[jj] = cval * wt
        else:
            for jj in range(m):
                acc[jj] = x[jj] * wt
        if sym != 0:
            for t in range(-left, 0):
                kx, ky, wt = map_index(c + t, n, mode), map_index(c - t, n, mode), w[left + t]
                x = src[o, max(kx, 0), j0 : j0 + m]
                y = src[o, max(ky, 0), j0 : j0 + m]
                if kx >= 0 and ky >= 0:
                    for jj in range(m):
                        acc[jj] += (x[jj] + s * y[jj]) * wt
                else:
                    for jj in range(m):
                        xv = cval if kx < 0 else x[jj] * 1.0
                        acc[jj] += (xv + s * (cval if ky < 0 else y[jj] * 1.0)) * wt
        else:
            for t in range(-left, right):
                k, wt = map_index(c + t, n, mode), w[left + t]
                x = src[o, max(k, 0), j0 : j0 + m]
                if k < 0:
                    for jj in range(m):
                        acc[jj] += cval * wt
                else:
                    for jj in range(m):
                        acc[jj] += x[jj] * wt
        store_chunk(out[o, i, j0 : j0 + m], acc, m, cast)


# Lines an index of `uniform_lines` takes: on the CPU four running sums side by side, on
# CUDA one a thread; and its scratch, a chunk for each (one constant: a local array's
# size on CUDA must be one).
LINES = jd.per_target(cpu=4, cuda=1)
LINES_SCRATCH = jd.per_target(
    **{t: CHUNK.value(t) * LINES.value(t) for t in ("cpu", "cuda")}
)


@jd.kernel(raises=False)
def uniform_lines(g, src, size, origin, mode, cval, cast, out):
    """Running means of ``size`` along lines ``LINES * g`` on of ``src`` ``(lines, n)``, as
    SciPy sums them.

    Each line's running sum is sequential, and its rounding is what SciPy's results carry
    (integer outputs depend on it). A chunk of outputs reads the values entering and
    leaving its windows into two rows of scratch (`extend_line`: copies, the mode applied
    a run at a time where they leave the line), then adds and subtracts them in order.
    On the CPU an index takes `LINES` lines and runs their sums side by side: one chain
    of additions waits on each addition, four overlap. The division and the conversion
    to the output type are vector loops over the chunk.
    """
    g = np.int64(g)
    lines, n = src.shape
    o0 = g * LINES
    count = min(LINES, lines - o0)
    first = -(size // 2) - origin  # input position of the window's first element at i = 0
    heads = jd.local.array(LINES_SCRATCH, np.float64)  # entering; then the sums
    tails = jd.local.array(LINES_SCRATCH, np.float64)  # leaving
    sums = jd.local.array(LINES, np.float64)
    for r in range(count):  # output 0's window, summed in order
        total = 0.0
        for t0 in range(0, size, CHUNK):
            m = min(CHUNK, size - t0)
            extend_line(heads, np.uint64(0), src[o0 + r], first + t0, m, mode, cval)
            for q in range(m):
                total += heads[q]
        sums[r] = total
    for i0 in range(0, n, CHUNK):
        m = min(CHUNK, n - i0)
        for r in range(count):
            b = np.uint64(r * CHUNK)
            extend_line(heads, b, src[o0 + r], first + i0 + size - 1, m, mode, cval)
            extend_line(tails, b, src[o0 + r], first + i0 - 1, m, mode, cval)
        q0 = 1 if i0 == 0 else 0  # output 0 is its window's sum itself
        if count == 4:
            t0, t1, t2, t3 = sums[0], sums[1], sums[2], sums[3]
            if q0:
                heads[0], heads[CHUNK], heads[2 * CHUNK], heads[3 * CHUNK] = t0, t1, t2, t3
            for q in range(q0, m):
                u = np.uint64(q)
                t0 += heads[u] - tails[u]
                t1 += heads[u + np.uint64(CHUNK)] - tails[u + np.uint64(CHUNK)]
                t2 += heads[u + np.uint64(2 * CHUNK)] - tails[u + np.uint64(2 * CHUNK)]
                t3 += heads[u + np.uint64(3 * CHUNK)] - tails[u + np.uint64(3 * CHUNK)]
                heads[u] = t0
                heads[u + np.uint64(CHUNK)] = t1
                heads[u + np.uint64(2 * CHUNK)] = t2
                heads[u + np.uint64(3 * CHUNK)] = t3
            sums[0], sums[1], sums[2], sums[3] = t0, t1, t2, t3
        else:
            for r in range(count):
                v, x = heads[r * CHUNK : r * CHUNK + m], tails[r * CHUNK : r * CHUNK + m]
                total = sums[r]
                if q0:
                    v[0] = total
                for q in range(q0, m):
                    total += v[q] - x[q]
                    v[q] = total
                sums[r] = total
        for r in range(count):
            v = heads[r * CHUNK : r * CHUNK + m]
            for q in range(m):  # each output divides the undivided sum
                v[q] = v[q] / size
            store_chunk(out[o0 + r, i0 : i0 + m], v, m, cast)


@jd.kernel(raises=False)
def uniform_rows(a, b, src, size, origin, swap, width, mode, cval, cast, out):
    """Running means of ``size`` along axis 1 of ``src`` ``(outer, n, inner)``.

    The index ``(o, block)`` (``(block, o)`` when ``swap``) computes the ``width`` lines
    ``(o, :, j)`` from ``j = block * width`` on, each with its own sequential running sum
    as in `uniform_lines`: one line in a register when ``width`` is 1 (a GPU thread),
    else `CHUNK` lines side by side (a vector loop on the CPU), the running sums kept in
    float64 scratch.
    """
    a, b = np.int64(a), np.int64(b)
    o = b if swap else a
    block = a if swap else b
    n = src.shape[1]
    inner = src.shape[2]
    first = -(size // 2) - origin
    if CHUNK == 1 or width == 1:  # CUDA (a constant there: the rest is not compiled)
        j = block
        total = 0.0
        for t in range(size):
            total += row_at(src, o, first + t, j, n, mode, cval)
        store(out[o, 0], j, total / size, cast)
        for i in range(1, n):
            head = row_at(src, o, first + i + size - 1, j, n, mode, cval)
            total += head - row_at(src, o, first + i - 1, j, n, mode, cval)
            store(out[o, i], j, total / size, cast)
        return
    acc = jd.local.array(CHUNK, np.float64)
    scaled = jd.local.array(CHUNK, np.float64)
    stop = min(block * width + width, inner)
    for j0 in range(block * width, stop, CHUNK):
        m = min(CHUNK, stop - j0)
        for jj in range(m):
            acc[jj] = 0.0
        for t in range(size):
            k = map_index(first + t, n, mode)
            x = src[o, max(k, 0), j0 : j0 + m]
            for jj in range(m):
                acc[jj] += cval if k < 0 else x[jj] * 1.0
        for i in range(n):
            if i > 0:
                kx = map_index(first + i + size - 1, n, mode)
                ky = map_index(first + i - 1, n, mode)
                x = src[o, max(kx, 0), j0 : j0 + m]
                y = src[o, max(ky, 0), j0 : j0 + m]
                if kx >= 0 and ky >= 0:
                    for jj in range(m):
                        acc[jj] += x[jj] * 1.0 - y[jj] * 1.0
                else:
                    for jj in range(m):
                        xv = cval if kx < 0 else x[jj] * 1.0
                        acc[jj] += xv - (cval if ky < 0 else y[jj] * 1.0)
            for jj in range(m):
                scaled[jj] = acc[jj] / size
            store_chunk(out[o, i, j0 : j0 + m], scaled, m, cast)


@jd.func
def tap_row(shape, offsets, t, r, mode):
    """Where tap ``t`` of the window at row ``r`` reads: the flat index of the start of
    the input row (every axis but the last mapped by the mode), or -1 for cval."""
    last = shape.shape[0] - 1
    index = 0
    stride = shape[last]
    q = r
    for d in range(last - 1, -1, -1):
        c = q
        if d > 0:
            c = q % shape[d]
            q //= shape[d]
        k = c + offsets[t, d]
        if k < 0 or k >= shape[d]:
            k = map_index(k, shape[d], mode)
            if k < 0:
                return -1
        index += k * stride
        stride *= shape[d]
    return index


@jd.func
def window_output(src, r, j, base, rows_inside, shape, offsets, flat, w, mode, cval):
    """Output ``j`` of row ``r`` of `correlate_nd`, the taps read through the mode."""
    last = shape.shape[0] - 1
    length = shape[last]
    acc = 0.0
    for t in range(w.shape[0]):
        kl = offsets[t, last]
        row = base + flat[t] - kl if rows_inside else tap_row(shape, offsets, t, r, mode)
        if row < 0:
            acc += w[t] * cval
            continue
        k = j + kl  # indexed from the row's start, not through a slice of it
        if k < 0 or k >= length:
            k = map_index(k, length, mode)
            if k < 0:
                acc += w[t] * cval
                continue
        acc += w[t] * np.float64(src[row + k])
    return acc


@jd.kernel(raises=False)
def correlate_nd(r, block, src, shape, offsets, flat, w, lo, hi, width, mode, cval, cast, out):
    """N-D correlation over a window given as a list of taps.

    ``src`` is the C-contiguous input, flattened; ``out`` its ``(rows, shape[-1])`` view.
    On the CPU the index ``(row, block)`` computes the ``width`` outputs of the row from
    ``block * width`` on. On CUDA (a thread per index) it computes ``width`` outputs
    `WARP` apart, each summed in a register: one, or `WARP_OUTPUTS` (rows of at least
    ``WARP * WARP_OUTPUTS``), which read each tap's offset and weight once for all four
    where all four windows are inside the array (2.3 times fewer sm_90 instructions per
    output and tap, float32). The CPU's outputs go `CHUNK` at a time, tap after tap,
    each tap a loop over the chunk (in a row whose windows stay inside the other axes,
    the outputs whose taps leave the row are computed one at a time, so that short rows
    still run in chunks). Tap ``t`` reads the input at ``position + offsets[t]`` (one
    offset per axis), that is ``flat[t]`` elements away when no axis leaves the array;
    ``lo[d]`` / ``hi[d]`` are how far the window reaches below / above a position along
    axis ``d``. Taps are in C order of the weights with zero weights left out, and summed
    from 0.0, as in SciPy.
    """
    r, block = np.int64(r), np.int64(block)
    last = shape.shape[0] - 1
    ntaps = w.shape[0]
    length = shape[last]
    rows_inside = True  # every tap's row is inside the array
    q = r
    for d in range(last - 1, -1, -1):
        c = q
        if d > 0:
            c = q % shape[d]
            q //= shape[d]
        if c < lo[d] or c >= shape[d] - hi[d]:
            rows_inside = False
    base = r * length  # flat index of the row's first element
    if CHUNK == 1 or width == 1:  # CUDA (a constant there: the rest is not compiled)
        # index `block` computes outputs j0, j0 + WARP, ... (``width`` of them, 1 or
        # WARP_OUTPUTS): a warp's 32 threads read 32 neighbouring inputs per load
        j0 = (block // WARP) * (WARP * width) + block % WARP
        res = out[r]
        if (
            width == WARP_OUTPUTS
            and rows_inside
            and j0 >= lo[last]
            and j0 + WARP * (WARP_OUTPUTS - 1) < length - hi[last]
        ):
            # every tap of the four outputs inside: a tap's offset and weight are read
            # once for all four; unsigned indices, no wrap-around arithmetic per tap
            at = base + j0
            a0 = 0.0
            a1 = 0.0
            a2 = 0.0
            a3 = 0.0
            t = np.uint64(0)
            while t < np.uint64(ntaps):
                p = np.uint64(at + flat[t])
                wt = w[t]
                a0 += wt * np.float64(src[p])
                a1 += wt * np.float64(src[p + np.uint64(WARP)])
                a2 += wt * np.float64(src[p + np.uint64(2 * WARP)])
                a3 += wt * np.float64(src[p + np.uint64(3 * WARP)])
                t += np.uint64(1)
            store4(res, j0, WARP, a0, a1, a2, a3, cast)
            return
        for k in range(width):
            j = j0 + WARP * k
            if j >= length:
                return
            if rows_inside and j >= lo[last] and j < length - hi[last]:
                at = base + j
                acc = 0.0
                t = np.uint64(0)
                while t < np.uint64(ntaps):
                    acc += w[t] * np.float64(src[np.uint64(at + flat[t])])
                    t += np.uint64(1)
            else:
                acc = window_output(
                    src, r, j, base, rows_inside, shape, offsets, flat, w, mode, cval
                )
            store(res, j, acc, cast)
        return
    acc = jd.local.array(CHUNK, np.float64)
    start = block * width
    stop = min(start + width, length)
    if rows_inside:
        # outputs [inner_lo, inner_hi) read no tap outside the array: chunks of them;
        # the few at the row's ends, one at a time (same taps, same order)
        inner_lo = min(max(start, lo[last]), stop)
        inner_hi = max(min(stop, length - hi[last]), inner_lo)
        res = out[r]
        for j in range(start, inner_lo):
            v = window_output(src, r, j, base, True, shape, offsets, flat, w, mode, cval)
            store(res, j, v, cast)
        for j in range(inner_hi, stop):
            v = window_output(src, r, j, base, True, shape, offsets, flat, w, mode, cval)
            store(res, j, v, cast)
        for j0 in range(inner_lo, inner_hi, CHUNK):
            m = min(CHUNK, inner_hi - j0)
            b = base + j0
            for jj in range(m):
                acc[jj] = 0.0
            t = 0
            while t + 4 <= ntaps:  # four taps per loop over the chunk, added in order
                x0, x1 = src[b + flat[t] : b + flat[t] + m], src[b + flat[t + 1] :]
                x2, x3 = src[b + flat[t + 2] :], src[b + flat[t + 3] :]
                w0, w1, w2, w3 = w[t], w[t + 1], w[t + 2], w[t + 3]
                for jj in range(m):
                    v = acc[jj] + w0 * x0[jj]
                    v += w1 * x1[jj]
                    v += w2 * x2[jj]
                    acc[jj] = v + w3 * x3[jj]
                t += 4
            while t < ntaps:
                x, wt = src[b + flat[t] : b + flat[t] + m], w[t]
                for jj in range(m):
                    acc[jj] += wt * x[jj]
                t += 1
            store_chunk(out[r, j0 : j0 + m], acc, m, cast)
        return
    for j0 in range(start, stop, CHUNK):
        m = min(CHUNK, stop - j0)
        for jj in range(m):
            acc[jj] = 0.0
        for t in range(ntaps):
            wt = w[t]
            kl = offsets[t, last]
            row = base + flat[t] - kl if rows_inside else tap_row(shape, offsets, t, r, mode)
            if row < 0:
                for jj in range(m):
                    acc[jj] += wt * cval
                continue
            k = j0 + kl  # the tap's position along the row for output j0
            a = min(max(0, -k), m)  # outputs a <= jj < b read inside the row
            b = max(min(m, length - k), a)
            for jj in range(a):
                q = map_index(k + jj, length, mode)
                acc[jj] += wt * (cval if q < 0 else np.float64(src[row + q]))
            x, v = src[row + k + a : row + k + b], acc[a:b]  # slices: LLVM knows >= 0
            for jj in range(b - a):
                v[jj] += wt * x[jj]
            for jj in range(b, m):
                q = map_index(k + jj, length, mode)
                acc[jj] += wt * (cval if q < 0 else np.float64(src[row + q]))
        store_chunk(out[r, j0 : j0 + m], acc, m, cast)


@jd.kernel(raises=False)
def laplace_flat(i, src, geometry, cval, cast, out):
    """``out[i]``: the sum over the axes of ``geometry`` of ``src``'s correlation with
    [1, -2, 1] along each, every term rounded to ``out``'s type before it is added, as
    SciPy's laplace adds its passes (`store`'s ACCUMULATE).

    ``src`` and ``out`` are flat views of C-ordered arrays of one shape; ``geometry``
    is (3, axes) int64: each filtered axis's length, its stride in elements, and its
    boundary mode. One launch and one read of the input for every axis (a GPU's path;
    the CPU runs one vectorised pass per axis). Each term is summed as the passes sum
    it: the centre tap first, then both neighbours together.
    """
    centre = np.float64(src[i])
    for k in range(geometry.shape[1]):
        n = geometry[0, k]
        step = geometry[1, k]
        mode = geometry[2, k]
        c = (i // step) % n  # the position along this axis
        if c >= 1:
            a = np.float64(src[i - step])
        else:
            q = map_index(c - 1, n, mode)
            a = cval if q < 0 else np.float64(src[i + (q - c) * step])
        if c + 1 < n:
            b = np.float64(src[i + step])
        else:
            q = map_index(c + 1, n, mode)
            b = cval if q < 0 else np.float64(src[i + (q - c) * step])
        acc = centre * -2.0
        acc += (a + b) * 1.0
        store(out, i, acc, (cast | ACCUMULATE) if k else cast)


@jd.kernel(raises=False)
def convert_into(i, src, dst, cast):
    """``dst[i] = src[i]`` through float64, converted as C converts SciPy's working
    doubles (`convert`): what the rank filters write into an output of another type."""
    convert(dst, i, np.float64(src[i]), cast)


@jd.kernel(raises=False)
def add_into(i, dst, src, sign):
    """``dst[i] += sign * src[i]`` in the arithmetic NumPy's ``+=`` / ``-=`` would use."""
    if sign > 0:
        dst[i] = dst[i] + src[i]
    else:
        dst[i] = dst[i] - src[i]


@jd.kernel(raises=False)
def square_into(i, dst):
    """``dst[i] *= dst[i]`` (integers wrap around, as in NumPy)."""
    dst[i] = dst[i] * dst[i]


@jd.kernel(raises=False)
def square_add_into(i, dst, src):
    """``dst[i] += src[i] * src[i]``, the square taken in ``src``'s type first."""
    sq = src[i] * src[i]
    src[i] = sq
    dst[i] = dst[i] + src[i]


@jd.kernel(raises=False)
def table_into(i, dst, table):
    """``dst[i] = table[dst[i]]`` for 1-byte ``dst``: a function of a byte, looked up."""
    dst[i] = table[dst[i]]


@jd.kernel(raises=False)
def complex_sqrt_into(i, dst):
    """``dst[i] = sqrt(dst[i])`` for complex ``dst``, computed in complex128: the
    principal root, as NumPy's, which it may differ from in the last bit."""
    dst[i] = cmath.sqrt(np.complex128(dst[i]))


@jd.kernel(raises=False)
def sqrt_into(i, dst):
    """``dst[i] = sqrt(dst[i])``, computed in float64 and cast back."""
    dst[i] = math.sqrt(np.float64(dst[i]))
