"""Bodies of generic_filter and generic_filter1d, which call a user's function.

Functions are not run-time arguments of compiled code, so each user function gets its
own kernels: `window_kernel` and `line_kernel` build them from the templates below,
with the global ``user_function`` bound to ``jd.func(function)`` (compiled for the
calling target: an njit function on the CPU, a device function on CUDA). Extra
positional and keyword arguments become run-time kernel arguments.

As in SciPy, the function sees float64 values: the window (``generic_filter``) or the
extended line and an output line (``generic_filter1d``, zeros until the function writes
it), and its results become the output type as C's casts make them (``cast``, see
`jitdispatch.kernels.ndimage.correlate.convert`).
"""

import numpy as np
from jitdispatch.kernels.ndimage.boundary import map_index
from jitdispatch.kernels.ndimage.correlate import convert
from jitdispatch.kernels.ndimage.rank import MAX_LOCAL, gather

import jitdispatch as jd

# Template of a generic_filter kernel: ``block`` outputs of one row per index.
_WINDOW = """
def generic_window(row, blk, src, out, shape, offs, foff, lo, hi, mode, cv, cast, block{params}):
    row = np.int64(row)
    buf = jd.local.array(MAX_LOCAL, np.float64)
    count = foff.shape[0]
    start = blk * block
    stop = min(start + block, out.shape[1])
    res = out[row]
    for col in range(start, stop):
        gather(row, col, src, buf, shape, offs, foff, lo, hi, mode, cv)
        convert(res, col, np.float64(user_function(buf[:count]{call})), cast)
"""

# Windows of more than MAX_LOCAL points: one row per index, ``scratch[r]`` as buffer.
_WINDOW_SCRATCH = """
def generic_window_scratch(
    r, row0, src, out, scratch, shape, offs, foff, lo, hi, mode, cv, cast{params}
):
    row = np.int64(row0 + r)
    buf = scratch[r]
    res = out[row]
    for col in range(out.shape[1]):
        gather(row, col, src, buf, shape, offs, foff, lo, hi, mode, cv)
        convert(res, col, np.float64(user_function(buf{call})), cast)
"""

# generic_filter1d: one line ``src[i, :, k]`` per index, extended by the mode into
# ``inbuf[line]``; the function fills ``outbuf[line]``.
_LINE = """
def generic_line(i, k, src, out, inbuf, outbuf, size, origin, mode, cv, cast{params}):
    n = src.shape[1]
    line = np.int64(i) * src.shape[2] + k
    ib = inbuf[line]
    ob = outbuf[line]
    start = -(size // 2) - origin
    for t in range(n + size - 1):
        s = map_index(start + t, n, mode)
        ib[t] = cv[0] if s < 0 else src[i, s, k]
    for t in range(n):
        ob[t] = 0.0
    user_function(ib, ob{call})
    res = out[i, :, k]
    for t in range(n):
        convert(res, t, ob[t], cast)
"""


def _build(template, name, function, nargs, keywords):
    params = "".join(f", x{a}" for a in range(nargs)) + "".join(
        f", k{a}" for a in range(len(keywords))
    )
    call = "".join(f", x{a}" for a in range(nargs)) + "".join(
        f", {key}=k{a}" for a, key in enumerate(keywords)
    )
    source = template.format(params=params, call=call)
    namespace = {
        "jd": jd,
        "np": np,
        "MAX_LOCAL": MAX_LOCAL,
        "gather": gather,
        "map_index": map_index,
        "convert": convert,
        "user_function": function,
        "__name__": __name__,
    }
    code = compile(source, f"<jitdispatch {name} for {function.__qualname__}>", "exec")
    exec(code, namespace)
    body = namespace[name]
    body.__qualname__ = f"{name}[{function.__qualname__}]"
    return jd.kernel(body)


def window_kernel(function, nargs, keywords, scratch=False):
    """A generic_filter kernel calling ``function`` (a ``jd.func``) with ``nargs`` extra
    positional and the ``keywords`` extra keyword arguments (run-time values)."""
    if scratch:
        return _build(_WINDOW_SCRATCH, "generic_window_scratch", function, nargs, keywords)
    return _build(_WINDOW, "generic_window", function, nargs, keywords)


def line_kernel(function, nargs, keywords):
    """A generic_filter1d kernel calling ``function(inline, outline, *extra, **kw)``."""
    return _build(_LINE, "generic_line", function, nargs, keywords)
