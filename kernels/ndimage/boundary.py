"""Index mapping at array edges for every ``scipy.ndimage`` filter mode.

Two helpers shared by the correlation and the rank/min/max kernels: `map_index` for one
position, `extend_line` for a stretch of a line, read a run at a time. The
mode is a run-time int (the ``MODE_*`` codes of ``jitdispatch.ndimage._support``; the
``grid-*`` names are aliases there), so one compiled kernel serves every mode.
"""

import numpy as np

import jitdispatch as jd

# Same values as jitdispatch.ndimage._support.MODE_* (a test checks they agree).
MODE_NEAREST = 0
MODE_WRAP = 1
MODE_REFLECT = 2
MODE_MIRROR = 3
MODE_CONSTANT = 4


@jd.func
def map_index(i, n, mode):
    """Source index for position ``i`` of an axis of length ``n`` (``n >= 1``).

    Returns ``i`` itself when ``0 <= i < n``. Outside, returns the index the mode reads
    from, or -1 when the mode uses ``cval`` there (constant / grid-constant): the
    caller tests ``j < 0`` as its "use cval" flag. Any distance from the edge works
    (windows larger than the axis).

    nearest ``a a a | a b c | c c c``; wrap ``b c | a b c | a b``;
    reflect ``b a | a b c | c b``; mirror ``c b | a b c | b a``.
    """
    if i >= 0 and i < n:
        return i
    if mode == MODE_CONSTANT:
        return -1
    if mode == MODE_NEAREST:
        return 0 if i < 0 else n - 1
    # Within one length of the edge (every window shorter than the axis) each mode is
    # one subtraction: an integer division costs tens of cycles, per tap at the edges.
    if mode == MODE_WRAP:
        if i >= -n and i < 2 * n:
            return i + n if i < 0 else i - n
        j = i % n
        return j + n if j < 0 else j
    if mode == MODE_REFLECT:
        if i >= -n and i < 2 * n:
            return -1 - i if i < 0 else 2 * n - 1 - i
        period = 2 * n
        j = i % period
        if j < 0:
            j += period
        return period - 1 - j if j >= n else j
    # mirror: period 2n - 2, and a single element maps to itself
    if n == 1:
        return 0
    if i > -n and i < 2 * n - 1:
        return -i if i < 0 else 2 * n - 2 - i
    period = 2 * n - 2
    j = i % period
    if j < 0:
        j += period
    return period - j if j >= n else j


@jd.func
def extend_line(ext, b, line, first, count, mode, cval):
    """``ext[b + q]`` for ``q`` in ``[0, count)``: the value at position ``first + q`` of
    ``line``, read through the boundary mode (``cval`` where it gives none), converted to
    ``ext``'s dtype by the store (``b`` unsigned).

    The positions go in runs that a loop copies (a vector loop where it reads forward):
    inside the line, the mapped index moves by one per position, up or down (reflect,
    mirror and wrap), until it reaches an end of the line; constant and nearest repeat one
    value to the line's edge, or to the end. One `map_index` a run, not one a value:
    mapping every value cost more than a running mean or a minimum of a short line
    itself.
    """
    n = line.shape[0]
    q = 0
    while q < count:
        p = first + q
        d = b + np.uint64(q)
        if p >= 0 and p < n:
            m = min(count - q, n - p)
            s = np.uint64(p)
            for t in range(m):
                ext[d + np.uint64(t)] = line[s + np.uint64(t)]
            q += m
            continue
        k = map_index(p, n, mode)
        if k < 0 or mode == MODE_NEAREST or n == 1:  # one value to the edge, or the end
            m = count - q if p >= n else min(count - q, -p)
            v = cval if k < 0 else line[np.uint64(k)]
            for t in range(m):
                ext[d + np.uint64(t)] = v
            q += m
            continue
        step = map_index(p + 1, n, mode) - k  # +1 or -1 within a run, else a turn
        if step == 1:
            m = min(count - q, n - k)
            s = np.uint64(k)
            for t in range(m):
                ext[d + np.uint64(t)] = line[s + np.uint64(t)]
        elif step == -1:
            m = min(count - q, k + 1)
            s = np.uint64(k)
            for t in range(m):
                ext[d + np.uint64(t)] = line[s - np.uint64(t)]
        else:
            m = 1
            ext[d] = line[np.uint64(k)]
        q += m
