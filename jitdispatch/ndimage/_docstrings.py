"""Parameter descriptions shared by the ``jitdispatch.ndimage`` docstrings, written once.

A docstring names a shared entry with a placeholder alone on its line, indented as the
entry should be::

    Parameters
    ----------
    %(input)s
    %(mode_multiple)s

and `docfiller` replaces it with the entry's text, every line at that indentation.
"""

from __future__ import annotations

import re

__all__ = ["DOCS", "docfiller"]

_MODE_TABLE = """\
    'reflect' (``3 2 1 | 1 2 3 4 | 4 3 2``)
        Mirror the input about its outer edge, so the edge sample repeats
        (half-sample symmetric). Also called 'grid-mirror'.
    'constant' (``k k k | 1 2 3 4 | k k k``)
        Use the value ``cval`` everywhere outside. Also called 'grid-constant'.
    'nearest' (``1 1 1 | 1 2 3 4 | 4 4 4``)
        Repeat the edge sample.
    'mirror' (``4 3 2 | 1 2 3 4 | 3 2 1``)
        Mirror the input about the centre of its edge sample, which is not
        repeated (whole-sample symmetric).
    'wrap' (``2 3 4 | 1 2 3 4 | 1 2 3``)
        Continue periodically from the opposite edge. Also called 'grid-wrap'."""

DOCS = {
    "input": """\
input : array
    The array to filter: a NumPy, CuPy or Dask array, or a torch tensor. The
    filter runs where the data lives and returns the same kind of array. A
    NumPy masked array is refused, where SciPy drops its mask silently: pass
    ``x.filled(value)`` or ``x.data``.""",
    "axis": """\
axis : int, optional
    The axis of `input` along which the filter runs. Default is -1, the last.""",
    "output": """\
output : array or dtype, optional
    Either an array of the input's shape, in the same library and on the same
    device, that receives the result, or the dtype of a new result array.
    A NumPy subclass (``np.matrix``) is written in place and, as in SciPy, the
    result is a plain ndarray view of it; a masked array is refused (pass
    ``out.data``). By default the result has the dtype of `input`. Results are
    converted as SciPy's C code converts them on x86-64: integers truncate toward
    zero and wrap around (through int32 for 8- and 16-bit types and bool, int64
    for wider ones). Where C leaves a conversion undefined (a value outside even
    those ranges), GPUs saturate instead.""",
    "mode_reflect": f"""\
mode : str, optional
    How `input` is extended past its edges, where the window hangs over them.
    Default is 'reflect'. With the samples ``1 2 3 4``:

{_MODE_TABLE}""",
    "mode_multiple": f"""\
mode : str or sequence of str, optional
    How `input` is extended past its edges, where the window hangs over them:
    one mode for every axis, or a sequence with one mode per filtered axis.
    Default is 'reflect'. With the samples ``1 2 3 4``:

{_MODE_TABLE}""",
    "cval": """\
cval : scalar, optional
    The value outside the edges of `input` when `mode` is 'constant'.
    Default is 0.0.""",
    "origin": """\
origin : int, optional
    Moves the window relative to the output sample it produces. With 0 (the
    default) the window is centred on it (for an even length ``n``, sample
    ``n // 2`` of the window sits on it); a positive origin moves the window
    towards lower indices, a negative one towards higher indices. It must
    satisfy ``-(n // 2) <= origin <= (n - 1) // 2``.""",
    "origin_multiple": """\
origin : int or sequence of int, optional
    Moves the window relative to the output sample it produces: one value for
    every filtered axis, or a sequence with one value per filtered axis. With 0
    (the default) the window is centred on the sample (for an even length
    ``n``, its sample ``n // 2`` sits on it); a positive origin moves the window
    towards lower indices. Along an axis of window length ``n`` it must satisfy
    ``-(n // 2) <= origin <= (n - 1) // 2``.""",
    "size_foot": """\
size : int or sequence of int, optional
    The window shape: one length for every filtered axis, or one length per
    filtered axis. Ignored (with a warning) when `footprint` is given.
footprint : array of bool, optional
    The window as a mask: its shape is the window shape, and only the
    elements where it is True take part. ``size=(n, m)`` is the same as
    ``footprint=np.ones((n, m), bool)``. One of `size` and `footprint` must be
    given.""",
    "sigma_multiple": """\
sigma : scalar or sequence of scalars
    Standard deviation of the Gaussian kernel: one for every filtered axis, or
    one per axis in `axes`.""",
    "gaussian_kwargs": """\
**kwargs
    Further keywords passed to `gaussian_filter` (``truncate``, ``radius``).""",
    "truncate": """\
truncate : float, optional
    Where the Gaussian kernel is cut off, in standard deviations: the kernel
    radius is ``int(truncate * sigma + 0.5)``. Ignored when `radius` is given.
    Default is 4.0.""",
    "radius": """\
radius : None or int or sequence of int, optional
    The radius of the Gaussian kernel, which then has ``2 * radius + 1``
    samples along each filtered axis; one value for every axis or one per
    filtered axis. By default it follows from `truncate`.""",
    "axes": """\
axes : int or tuple of int, optional
    The axes the filter runs along; by default all of them. Any per-axis
    sequence given for the other parameters then has one entry per axis in
    `axes`, in the same order.""",
    "extra_arguments": """\
extra_arguments : sequence, optional
    Further positional arguments passed to `function` on every call.""",
    "extra_keywords": """\
extra_keywords : dict, optional
    Further keyword arguments passed to `function` on every call.""",
    "nan": """\
The result is undefined where the window holds NaN values; use
`vectorized_filter` with a NaN-aware function to control it.""",
    "far_reflect": """\
With mode 'reflect' or 'grid-mirror' and a window reaching four axis lengths or more
below the start of an axis, SciPy 1.17's N-D windows read memory outside the input
(at 4, 6, 8... lengths below; their results are undefined); here the reflection
repeats, as ``numpy.pad``'s 'symmetric' does.""",
    "wide_integers": """\
int64 and uint64 results come back through float64, as SciPy's C filters hold
values in doubles: rounded beyond 2**53. (SciPy's 1-D rank path keeps int64 whole, as
here, and compares uint64 values as int64, where here they compare as uint64.)""",
}

_PLACEHOLDER = re.compile(r"^([ \t]*)%\((\w+)\)s[ \t]*$", re.MULTILINE)


def _fill(text):
    def replace(match):
        indent, name = match.groups()
        entry = DOCS[name]  # an unknown name is a KeyError at import time
        return "\n".join(indent + line if line else line for line in entry.splitlines())

    return _PLACEHOLDER.sub(replace, text)


def docfiller(function):
    """Replace the ``%(name)s`` lines of ``function.__doc__`` with entries of `DOCS`."""
    if function.__doc__:
        function.__doc__ = _fill(function.__doc__)
    return function
