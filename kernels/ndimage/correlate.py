"""Correlation kernel bodies: 1-D passes along an axis, N-D windows, elementwise steps.

Arithmetic follows scipy.ndimage's C code so that results agree to the last bit on the
CPU: every value is read as float64, sums run in SciPy's order, and the float64 result
is converted to the output type by an ordinary cast (truncation for integers).

1-D passes see the data as a 3-D view ``(outer, n, inner)`` with the filtered axis in
the middle: one compiled kernel per dtype pair serves every axis of every ndim. Their
first two indices are ``(outer, position)``, or ``(position, outer)`` when ``swap`` is
set, so that the launch's first dimension (the one run in parallel) is a large one.
"""

import math

import numpy as np

import jitdispatch as jd

from .boundary import map_index


@jd.func
def read_line(src, o, k, j, n, mode, cval):
    """``src[o, k, j]`` as float64, ``k`` mapped into ``[0, n)`` by the boundary mode."""
    if k < 0 or k >= n:
        k = map_index(k, n, mode)
        if k < 0:
            return cval
    return np.float64(src[o, k, j])


# How a float64 result becomes the output type (`cast` argument of the kernels).
CAST_DIRECT = 0  # floats, and the integers whose direct conversion matches C's
CAST_BOOL = 1  # NumPy's bool is a byte: C stores the truncated value, nonzero is True
CAST_VIA_INT64 = 2  # small integer types: C truncates to a wide integer, then wraps


@jd.func
def store(out, o, i, j, value, cast):
    """Write a float64 result into ``out[o, i, j]`` as C's cast would (x86-64)."""
    if cast == CAST_VIA_INT64:
        out[o, i, j] = np.int64(value)  # stored into a narrower type, it wraps around
    elif cast == CAST_BOOL:
        out[o, i, j] = np.int64(value) != 0
    else:
        out[o, i, j] = value


@jd.kernel
def correlate1d(a, b, j, src, w, origin, sym, swap, mode, cval, cast, out):
    """``out[o, i, j] = sum_k w[k] * src[o, i + k - len(w) // 2 - origin, j]``.

    ``sym`` is 1 (symmetric weights), -1 (antisymmetric) or 0, as SciPy detects them; it
    picks SciPy's order of summation (pairs of taps around the centre, or left to right
    starting with the last tap).
    """
    a, b = np.int64(a), np.int64(b)  # parallel loop indices may come unsigned
    o = b if swap else a
    i = a if swap else b
    n = src.shape[1]
    nw = w.shape[0]
    left = nw // 2
    right = nw - left - 1
    c = i - origin  # input position under the centre tap
    if c - left >= 0 and c + right < n:  # every tap inside: no boundary mapping
        if sym != 0:
            acc = np.float64(src[o, c, j]) * w[left]
            for t in range(-left, 0):
                x = np.float64(src[o, c + t, j])
                y = np.float64(src[o, c - t, j])
                acc += (x + y if sym > 0 else x - y) * w[left + t]
        else:
            acc = np.float64(src[o, c + right, j]) * w[nw - 1]
            for t in range(-left, right):
                acc += np.float64(src[o, c + t, j]) * w[left + t]
    elif sym != 0:
        acc = read_line(src, o, c, j, n, mode, cval) * w[left]
        for t in range(-left, 0):
            x = read_line(src, o, c + t, j, n, mode, cval)
            y = read_line(src, o, c - t, j, n, mode, cval)
            acc += (x + y if sym > 0 else x - y) * w[left + t]
    else:
        acc = read_line(src, o, c + right, j, n, mode, cval) * w[nw - 1]
        for t in range(-left, right):
            acc += read_line(src, o, c + t, j, n, mode, cval) * w[left + t]
    store(out, o, i, j, acc, cast)


@jd.kernel
def uniform1d(a, b, src, size, origin, swap, mode, cval, cast, out):
    """Running mean of ``size`` along axis 1 of one line ``(o, :, j)``, as SciPy sums it.

    One index per line: the running sum is sequential, and its rounding is what SciPy's
    results carry (integer outputs depend on it).
    """
    a, b = np.int64(a), np.int64(b)
    o = b if swap else a
    j = a if swap else b
    n = src.shape[1]
    first = -(size // 2) - origin  # input position of the window's first element at i = 0
    acc = 0.0
    for t in range(size):
        acc += read_line(src, o, first + t, j, n, mode, cval)
    store(out, o, 0, j, acc / size, cast)
    for i in range(1, n):
        head = read_line(src, o, first + i + size - 1, j, n, mode, cval)
        tail = read_line(src, o, first + i - 1, j, n, mode, cval)
        acc += head - tail  # the sum is kept undivided; each output divides it
        store(out, o, i, j, acc / size, cast)


@jd.kernel
def correlate_nd(r, j, src, shape, offsets, flat, w, lo, hi, mode, cval, cast, out):
    """N-D correlation over a window given as a list of taps.

    ``src`` is the C-contiguous input, flattened; ``out`` its ``(rows, shape[-1])`` view.
    Tap ``t`` reads the input at ``position + offsets[t]`` (one offset per axis), that is
    ``flat[t]`` elements away when no axis leaves the array; ``lo[d]`` / ``hi[d]`` are
    how far the window reaches below / above a position along axis ``d``. Taps are in
    C order of the weights with zero weights left out, and summed from 0.0, as in SciPy.
    """
    r, j = np.int64(r), np.int64(j)
    last = shape.shape[0] - 1
    ntaps = w.shape[0]
    inside = j >= lo[last] and j < shape[last] - hi[last]
    q = r
    for d in range(last - 1, -1, -1):  # the position along the other axes, from r
        c = q
        if d > 0:
            c = q % shape[d]
            q //= shape[d]
        if c < lo[d] or c >= shape[d] - hi[d]:
            inside = False
    acc = 0.0
    if inside:
        base = r * shape[last] + j
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
    if cast == CAST_VIA_INT64:
        out[r, j] = np.int64(acc)
    elif cast == CAST_BOOL:
        out[r, j] = np.int64(acc) != 0
    else:
        out[r, j] = acc


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
