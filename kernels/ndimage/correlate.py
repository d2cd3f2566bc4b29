"""Correlation kernel bodies: 1-D passes along an axis, N-D windows, elementwise steps.

Arithmetic follows scipy.ndimage's C code so that results agree to the last bit on the
CPU: every value is read as float64, sums run in SciPy's order, and the float64 result
is converted to the output type by an ordinary cast (truncation for integers).

1-D passes see the data either as 2-D ``(lines, n)`` when the filtered axis is the last
one, or as 3-D ``(outer, n, inner)`` with the filtered axis in the middle: one compiled
kernel per dtype pair serves every axis of every ndim. Each index computes a group of
eight neighbouring outputs along the contiguous axis, kept in eight scalar accumulators
(registers on a GPU): every output is still summed in SciPy's order, and on the CPU
the eight sums run side by side as vector instructions. Launches whose first dimension
would be short put a longer one first (``swap``), as that dimension runs in parallel.
"""

import math

import numpy as np

import jitdispatch as jd

from .boundary import map_index

GROUP = 8  # outputs per index along the contiguous axis (the code is unrolled for 8)
# In the unrolled code an element is read as float64 by arithmetic with a float64
# (``x * wt``, ``x * 1.0``: the same exact conversion as ``np.float64(x)``), because
# Numba types each ``np.float64`` call site slowly and there are dozens of them.


@jd.func
def read_line(src, o, k, n, mode, cval):
    """``src[o, k]`` as float64, ``k`` mapped into ``[0, n)`` by the boundary mode."""
    if k < 0 or k >= n:
        k = map_index(k, n, mode)
        if k < 0:
            return cval
    return np.float64(src[o, k])


# How a float64 result becomes the output type (`cast` argument of the kernels).
CAST_DIRECT = 0  # floats, and the integers whose direct conversion matches C's
CAST_BOOL = 1  # NumPy's bool is a byte: C stores the truncated value, nonzero is True
CAST_VIA_INT64 = 2  # small integer types: C truncates to a wide integer, then wraps


@jd.func
def store(out, i, value, cast):
    """Write a float64 result into ``out[i]`` (1-D) as C's cast would (x86-64)."""
    if cast == CAST_VIA_INT64:
        out[i] = np.int64(value)  # stored into a narrower type, it wraps around
    elif cast == CAST_BOOL:
        out[i] = np.int64(value) != 0
    else:
        out[i] = value


@jd.func
def store_group(d, cast, a0, a1, a2, a3, a4, a5, a6, a7):
    """`store` of eight results into ``d[0:8]``, for integer and bool outputs."""
    if cast == CAST_VIA_INT64:
        d[0], d[1], d[2], d[3] = np.int64(a0), np.int64(a1), np.int64(a2), np.int64(a3)
        d[4], d[5], d[6], d[7] = np.int64(a4), np.int64(a5), np.int64(a6), np.int64(a7)
    elif cast == CAST_BOOL:
        d[0], d[1] = np.int64(a0) != 0, np.int64(a1) != 0
        d[2], d[3] = np.int64(a2) != 0, np.int64(a3) != 0
        d[4], d[5] = np.int64(a4) != 0, np.int64(a5) != 0
        d[6], d[7] = np.int64(a6) != 0, np.int64(a7) != 0
    else:
        d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = a0, a1, a2, a3, a4, a5, a6, a7


@jd.kernel
def correlate_lines(a, b, src, w, origin, sym, swap, span, mode, cval, cast, out):
    """``out[o, i] = sum_k w[k] * src[o, i + k - len(w) // 2 - origin]``.

    ``src`` and ``out`` are ``(lines, n)``: the filtered axis is the last one. The index
    ``(o, block)`` (``(block, o)`` when ``swap``) covers ``span`` groups of eight ``i``,
    each group summed side by side where all its taps are inside the line. ``sym``
    is 1 (symmetric weights), -1 (antisymmetric) or 0, as SciPy detects them; it picks
    SciPy's order of summation (pairs of taps around the centre, or left to right
    starting with the last tap).
    """
    a, b = np.int64(a), np.int64(b)  # parallel loop indices may come unsigned
    o = b if swap else a
    block = a if swap else b
    n = src.shape[1]
    nw = w.shape[0]
    left = nw // 2
    right = nw - left - 1
    for g in range(block * span, min(block * span + span, -(-n // GROUP))):
        i0 = GROUP * g
        c = i0 - origin  # input position under the centre tap of the first output
        if c - left >= 0 and c + GROUP - 1 + right < n and i0 + GROUP <= n:
            line = src[o]
            s = np.float64(sym)  # x + s * y is exactly x + y or x - y
            if sym != 0:
                x = line[c : c + GROUP]
                wt = w[left]
                a0 = x[0] * wt
                a1 = x[1] * wt
                a2 = x[2] * wt
                a3 = x[3] * wt
                a4 = x[4] * wt
                a5 = x[5] * wt
                a6 = x[6] * wt
                a7 = x[7] * wt
                for t in range(-left, 0):
                    x = line[c + t : c + t + GROUP]
                    y = line[c - t : c - t + GROUP]
                    wt = w[left + t]
                    a0 += (x[0] + s * y[0]) * wt
                    a1 += (x[1] + s * y[1]) * wt
                    a2 += (x[2] + s * y[2]) * wt
                    a3 += (x[3] + s * y[3]) * wt
                    a4 += (x[4] + s * y[4]) * wt
                    a5 += (x[5] + s * y[5]) * wt
                    a6 += (x[6] + s * y[6]) * wt
                    a7 += (x[7] + s * y[7]) * wt
            else:
                x = line[c + right : c + right + GROUP]
                wt = w[nw - 1]
                a0 = x[0] * wt
                a1 = x[1] * wt
                a2 = x[2] * wt
                a3 = x[3] * wt
                a4 = x[4] * wt
                a5 = x[5] * wt
                a6 = x[6] * wt
                a7 = x[7] * wt
                for t in range(-left, right):
                    x = line[c + t : c + t + GROUP]
                    wt = w[left + t]
                    a0 += x[0] * wt
                    a1 += x[1] * wt
                    a2 += x[2] * wt
                    a3 += x[3] * wt
                    a4 += x[4] * wt
                    a5 += x[5] * wt
                    a6 += x[6] * wt
                    a7 += x[7] * wt
            d = out[o, i0 : i0 + GROUP]
            if cast == CAST_DIRECT:
                d[0] = a0
                d[1] = a1
                d[2] = a2
                d[3] = a3
                d[4] = a4
                d[5] = a5
                d[6] = a6
                d[7] = a7
            else:
                store_group(d, cast, a0, a1, a2, a3, a4, a5, a6, a7)
            continue
        for i in range(i0, min(i0 + GROUP, n)):  # near an edge: one output at a time
            c = i - origin
            line = src[o]
            if sym != 0:
                k = c
                if k < 0 or k >= n:
                    k = map_index(k, n, mode)
                acc = (cval if k < 0 else np.float64(line[k])) * w[left]
                for t in range(-left, 0):
                    k = c + t
                    if k < 0 or k >= n:
                        k = map_index(k, n, mode)
                    xv = cval if k < 0 else np.float64(line[k])
                    k = c - t
                    if k < 0 or k >= n:
                        k = map_index(k, n, mode)
                    yv = cval if k < 0 else np.float64(line[k])
                    acc += (xv + yv if sym > 0 else xv - yv) * w[left + t]
            else:
                k = c + right
                if k < 0 or k >= n:
                    k = map_index(k, n, mode)
                acc = (cval if k < 0 else np.float64(line[k])) * w[nw - 1]
                for t in range(-left, right):
                    k = c + t
                    if k < 0 or k >= n:
                        k = map_index(k, n, mode)
                    acc += (cval if k < 0 else np.float64(line[k])) * w[left + t]
            store(out[o], i, acc, cast)


@jd.kernel
def correlate_rows(a, b, block, src, w, origin, sym, swap, span, mode, cval, cast, out):
    """``out[o, i, j] = sum_k w[k] * src[o, i + k - len(w) // 2 - origin, j]``.

    The filtered axis is not the last one, so the taps are rows along the contiguous
    axis ``j``. The index ``(o, i, block)`` (``(i, o, block)`` when ``swap``) covers
    ``span`` groups of eight ``j``, summed side by side when every tap row is inside
    the array. ``sym`` as in `correlate_lines`.
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
    interior = c - left >= 0 and c + right < n
    for g in range(block * span, min(block * span + span, -(-inner // GROUP))):
        j0 = GROUP * g
        if interior and j0 + GROUP <= inner:
            if sym != 0:
                s = np.float64(sym)  # x + s * y is exactly x + y or x - y
                x = src[o, c, j0 : j0 + GROUP]
                wt = w[left]
                a0 = x[0] * wt
                a1 = x[1] * wt
                a2 = x[2] * wt
                a3 = x[3] * wt
                a4 = x[4] * wt
                a5 = x[5] * wt
                a6 = x[6] * wt
                a7 = x[7] * wt
                for t in range(-left, 0):
                    x = src[o, c + t, j0 : j0 + GROUP]
                    y = src[o, c - t, j0 : j0 + GROUP]
                    wt = w[left + t]
                    a0 += (x[0] + s * y[0]) * wt
                    a1 += (x[1] + s * y[1]) * wt
                    a2 += (x[2] + s * y[2]) * wt
                    a3 += (x[3] + s * y[3]) * wt
                    a4 += (x[4] + s * y[4]) * wt
                    a5 += (x[5] + s * y[5]) * wt
                    a6 += (x[6] + s * y[6]) * wt
                    a7 += (x[7] + s * y[7]) * wt
            else:
                x = src[o, c + right, j0 : j0 + GROUP]
                wt = w[nw - 1]
                a0 = x[0] * wt
                a1 = x[1] * wt
                a2 = x[2] * wt
                a3 = x[3] * wt
                a4 = x[4] * wt
                a5 = x[5] * wt
                a6 = x[6] * wt
                a7 = x[7] * wt
                for t in range(-left, right):
                    x = src[o, c + t, j0 : j0 + GROUP]
                    wt = w[left + t]
                    a0 += x[0] * wt
                    a1 += x[1] * wt
                    a2 += x[2] * wt
                    a3 += x[3] * wt
                    a4 += x[4] * wt
                    a5 += x[5] * wt
                    a6 += x[6] * wt
                    a7 += x[7] * wt
            dst = out[o, i, j0 : j0 + GROUP]
            if cast == CAST_DIRECT:
                dst[0] = a0
                dst[1] = a1
                dst[2] = a2
                dst[3] = a3
                dst[4] = a4
                dst[5] = a5
                dst[6] = a6
                dst[7] = a7
            else:
                store_group(dst, cast, a0, a1, a2, a3, a4, a5, a6, a7)
            continue
        for j in range(j0, min(j0 + GROUP, inner)):  # near an edge: one at a time
            if sym != 0:
                k = c
                if k < 0 or k >= n:
                    k = map_index(k, n, mode)
                acc = (cval if k < 0 else np.float64(src[o, k, j])) * w[left]
                for t in range(-left, 0):
                    k = c + t
                    if k < 0 or k >= n:
                        k = map_index(k, n, mode)
                    x = cval if k < 0 else np.float64(src[o, k, j])
                    k = c - t
                    if k < 0 or k >= n:
                        k = map_index(k, n, mode)
                    y = cval if k < 0 else np.float64(src[o, k, j])
                    acc += (x + y if sym > 0 else x - y) * w[left + t]
            else:
                k = c + right
                if k < 0 or k >= n:
                    k = map_index(k, n, mode)
                acc = (cval if k < 0 else np.float64(src[o, k, j])) * w[nw - 1]
                for t in range(-left, right):
                    k = c + t
                    if k < 0 or k >= n:
                        k = map_index(k, n, mode)
                    acc += (cval if k < 0 else np.float64(src[o, k, j])) * w[left + t]
            store(out[o, i], j, acc, cast)


@jd.kernel
def uniform_lines(o, src, size, origin, mode, cval, cast, out):
    """Running mean of ``size`` along line ``o`` of ``src`` ``(lines, n)``, as SciPy sums it.

    One index per line: the running sum is sequential, and its rounding is what SciPy's
    results carry (integer outputs depend on it).
    """
    o = np.int64(o)
    n = src.shape[1]
    first = -(size // 2) - origin  # input position of the window's first element at i = 0
    line = src[o]
    dst = out[o]
    acc = 0.0
    for t in range(size):
        acc += read_line(src, o, first + t, n, mode, cval)
    store(dst, 0, acc / size, cast)
    for i in range(1, n):
        head = first + i + size - 1
        tail = first + i - 1
        if tail >= 0 and head < n:
            acc += np.float64(line[head]) - np.float64(line[tail])
        else:
            acc += read_line(src, o, head, n, mode, cval) - read_line(src, o, tail, n, mode, cval)
        value = acc / size  # the sum is kept undivided; each output divides it
        if cast == CAST_VIA_INT64:
            dst[i] = np.int64(value)
        elif cast == CAST_BOOL:
            dst[i] = np.int64(value) != 0
        else:
            dst[i] = value


@jd.kernel
def uniform_rows(a, b, src, size, origin, swap, mode, cval, cast, out):
    """Running means of ``size`` along axis 1 of ``src`` ``(outer, n, inner)``.

    For the eight lines ``(o, :, j)`` of group ``g``, side by side: each keeps its own
    sequential running sum, as in `uniform_lines`.
    """
    a, b = np.int64(a), np.int64(b)
    o = b if swap else a
    j0 = GROUP * (a if swap else b)
    n = src.shape[1]
    inner = src.shape[2]
    first = -(size // 2) - origin
    if j0 + GROUP > inner:  # the last columns: one line at a time
        for j in range(j0, inner):
            acc = 0.0
            for t in range(size):
                k = first + t
                if k < 0 or k >= n:
                    k = map_index(k, n, mode)
                acc += cval if k < 0 else np.float64(src[o, k, j])
            store(out[o, 0], j, acc / size, cast)
            for i in range(1, n):
                k = first + i + size - 1
                if k < 0 or k >= n:
                    k = map_index(k, n, mode)
                head = cval if k < 0 else np.float64(src[o, k, j])
                k = first + i - 1
                if k < 0 or k >= n:
                    k = map_index(k, n, mode)
                tail = cval if k < 0 else np.float64(src[o, k, j])
                acc += head - tail
                store(out[o, i], j, acc / size, cast)
        return
    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0.0
    for t in range(size):
        k = first + t
        if k < 0 or k >= n:
            k = map_index(k, n, mode)
        fill = k < 0
        x = src[o, 0 if fill else k, j0 : j0 + GROUP]
        a0 += cval if fill else x[0] * 1.0
        a1 += cval if fill else x[1] * 1.0
        a2 += cval if fill else x[2] * 1.0
        a3 += cval if fill else x[3] * 1.0
        a4 += cval if fill else x[4] * 1.0
        a5 += cval if fill else x[5] * 1.0
        a6 += cval if fill else x[6] * 1.0
        a7 += cval if fill else x[7] * 1.0
    for i in range(n):
        if i > 0:
            k = first + i + size - 1
            if k < 0 or k >= n:
                k = map_index(k, n, mode)
            fill = k < 0
            x = src[o, 0 if fill else k, j0 : j0 + GROUP]
            k = first + i - 1
            if k < 0 or k >= n:
                k = map_index(k, n, mode)
            yfill = k < 0
            y = src[o, 0 if yfill else k, j0 : j0 + GROUP]
            a0 += (cval if fill else x[0] * 1.0) - (cval if yfill else y[0] * 1.0)
            a1 += (cval if fill else x[1] * 1.0) - (cval if yfill else y[1] * 1.0)
            a2 += (cval if fill else x[2] * 1.0) - (cval if yfill else y[2] * 1.0)
            a3 += (cval if fill else x[3] * 1.0) - (cval if yfill else y[3] * 1.0)
            a4 += (cval if fill else x[4] * 1.0) - (cval if yfill else y[4] * 1.0)
            a5 += (cval if fill else x[5] * 1.0) - (cval if yfill else y[5] * 1.0)
            a6 += (cval if fill else x[6] * 1.0) - (cval if yfill else y[6] * 1.0)
            a7 += (cval if fill else x[7] * 1.0) - (cval if yfill else y[7] * 1.0)
        d = out[o, i, j0 : j0 + GROUP]
        if cast == CAST_DIRECT:
            d[0] = a0 / size
            d[1] = a1 / size
            d[2] = a2 / size
            d[3] = a3 / size
            d[4] = a4 / size
            d[5] = a5 / size
            d[6] = a6 / size
            d[7] = a7 / size
        else:
            store_group(
                d,
                cast,
                a0 / size,
                a1 / size,
                a2 / size,
                a3 / size,
                a4 / size,
                a5 / size,
                a6 / size,
                a7 / size,
            )


@jd.kernel
def correlate_nd(r, g, src, shape, offsets, flat, w, lo, hi, mode, cval, cast, out):
    """N-D correlation over a window given as a list of taps, for eight outputs.

    ``src`` is the C-contiguous input, flattened; ``out`` its ``(rows, shape[-1])`` view;
    the index is ``(row, group)``. Tap ``t`` reads the input at ``position +
    offsets[t]`` (one offset per axis), that is ``flat[t]`` elements away when no axis
    leaves the array; ``lo[d]`` / ``hi[d]`` are how far the window reaches below / above
    a position along axis ``d``. Taps are in C order of the weights with zero weights
    left out, and summed from 0.0, as in SciPy.
    """
    r, g = np.int64(r), np.int64(g)
    last = shape.shape[0] - 1
    ntaps = w.shape[0]
    length = shape[last]
    j0 = GROUP * g
    rows_inside = True
    q = r
    for d in range(last - 1, -1, -1):  # the position along the other axes, from r
        c = q
        if d > 0:
            c = q % shape[d]
            q //= shape[d]
        if c < lo[d] or c >= shape[d] - hi[d]:
            rows_inside = False
    if rows_inside and j0 >= lo[last] and j0 + GROUP <= length - hi[last]:
        base = r * length + j0
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0.0
        for t in range(ntaps):
            x = src[base + flat[t] : base + flat[t] + GROUP]
            wt = w[t]
            a0 += wt * x[0]
            a1 += wt * x[1]
            a2 += wt * x[2]
            a3 += wt * x[3]
            a4 += wt * x[4]
            a5 += wt * x[5]
            a6 += wt * x[6]
            a7 += wt * x[7]
        dst = out[r, j0 : j0 + GROUP]
        if cast == CAST_DIRECT:
            dst[0] = a0
            dst[1] = a1
            dst[2] = a2
            dst[3] = a3
            dst[4] = a4
            dst[5] = a5
            dst[6] = a6
            dst[7] = a7
        else:
            store_group(dst, cast, a0, a1, a2, a3, a4, a5, a6, a7)
        return
    for j in range(j0, min(j0 + GROUP, length)):  # near an edge: one output at a time
        acc = 0.0
        if rows_inside and j >= lo[last] and j < length - hi[last]:
            base = r * length + j
            for t in range(ntaps):
                acc += w[t] * np.float64(src[base + flat[t]])
        else:
            for t in range(ntaps):
                index = 0
                stride = 1
                q = r
                for d in range(last, -1, -1):
                    c = j
                    if d < last:
                        c = q
                        if d > 0:
                            c = q % shape[d]
                            q //= shape[d]
                    k = c + offsets[t, d]
                    if k < 0 or k >= shape[d]:
                        k = map_index(k, shape[d], mode)
                        if k < 0:
                            index = -1
                            break
                    index += k * stride
                    stride *= shape[d]
                if index < 0:
                    acc += w[t] * cval
                else:
                    acc += w[t] * np.float64(src[index])
        store(out[r], j, acc, cast)


@jd.kernel
def add_into(i, dst, src, sign):
    """``dst[i] += sign * src[i]`` in the arithmetic NumPy's ``+=`` / ``-=`` would use."""
    if sign > 0:
        dst[i] = dst[i] + src[i]
    else:
        dst[i] = dst[i] - src[i]


@jd.kernel
def square_into(i, dst):
    """``dst[i] *= dst[i]`` (integers wrap around, as in NumPy)."""
    dst[i] = dst[i] * dst[i]


@jd.kernel
def square_add_into(i, dst, src):
    """``dst[i] += src[i] * src[i]``, the square taken in ``src``'s type first."""
    sq = src[i] * src[i]
    src[i] = sq
    dst[i] = dst[i] + src[i]


@jd.kernel
def sqrt_into(i, dst):
    """``dst[i] = sqrt(dst[i])``, computed in float64 and cast back."""
    dst[i] = math.sqrt(np.float64(dst[i]))
