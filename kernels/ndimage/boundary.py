"""Index mapping at array edges for every ``scipy.ndimage`` filter mode.

One helper, `map_index`, shared by the correlation and the rank/min/max kernels. The
mode is a run-time int (the ``MODE_*`` codes of ``jitdispatch.ndimage._support``; the
``grid-*`` names are aliases there), so one compiled kernel serves every mode.
"""

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
