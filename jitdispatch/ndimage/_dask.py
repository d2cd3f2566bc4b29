"""Filters on Dask arrays: every chunk filtered with enough of its neighbours around it.

`map_filter` is the one entry point: it runs ``function(chunk, *args, **kwargs)`` on
every chunk through ``dask.array.map_overlap``, lazily, and the result equals the filter
applied to the whole array. How that is guaranteed:

* each chunk is extended by its neighbours' data on every side where the window reads
  (``depth``), and the extension is trimmed off the result;
* at the array's true edges nothing is added (``boundary='none'``), so the chunk's
  filter applies the real boundary mode there; for 'wrap' axes the data of the
  opposite edge is added instead (``boundary='periodic'``);
* axes are rechunked first so that every chunk is longer than the window's reach:
  then a reflection at a true edge never reaches past the chunk, and an axis too short
  for that becomes one chunk (its filter then sees the whole axis);
* each chunk runs with ``jitdispatch.serial()``: Dask already runs chunks in parallel.

``depth_from_plan`` turns a ``_checks`` plan into the ``depth`` and ``modes`` arguments.
Dask is imported only when a Dask array is filtered.
"""

from __future__ import annotations

import functools

import numpy as np

import jitdispatch as jd

from ._support import MODE_WRAP, mode_code

__all__ = ["depth_from_plan", "is_dask_array", "map_filter"]


def is_dask_array(obj):
    """True for a ``dask.array.Array`` (checked without importing Dask)."""
    return type(obj).__module__.startswith("dask.") and hasattr(obj, "map_overlap")


def depth_from_plan(plan, ndim):
    """``(depth, modes)`` for `map_filter` from a plan of ``_checks``.

    Chained 1-D passes add their reaches along an axis (each pass reads the result of
    the one before); an N-D window reaches its own extent.
    """
    below, above = [0] * ndim, [0] * ndim
    modes = {}
    for step in plan.passes:
        lo, hi = _reach(step.size, step.origin)
        below[step.axis] += lo
        above[step.axis] += hi
        modes.setdefault(step.axis, step.mode)
    if plan.window is not None:
        for ax in range(ndim):
            lo, hi = _reach(plan.window.shape[ax], plan.window.origins[ax])
            below[ax] = max(below[ax], lo)
            above[ax] = max(above[ax], hi)
            modes[ax] = plan.window.mode
    depth = {ax: (below[ax], above[ax]) for ax in range(ndim)}
    return depth, modes


def _reach(length, origin):
    """How far a window of ``length`` at ``origin`` reads below and above a point."""
    lo = length // 2 + origin
    hi = length - 1 - length // 2 - origin
    return max(lo, 0), max(hi, 0)


def _min_chunks(chunks, n, least):
    """Chunks of an axis of length ``n`` rebuilt so that none is shorter than ``least``."""
    if all(c >= least for c in chunks):
        return tuple(chunks)
    if n <= least:
        return (n,)
    size = max(least, max(chunks))
    count = max(n // size, 1)
    out = [size] * count
    out[-1] += n - size * count
    return tuple(out)


def _run_chunk(chunk, *, function, args, kwargs):
    with jd.serial():
        return function(chunk, *args, **kwargs)


def map_filter(function, input, args=(), kwargs=None, *, depth, modes, dtype):
    """Lazily apply ``function(chunk, *args, **kwargs)`` to a Dask array, chunk by chunk.

    Parameters
    ----------
    function : callable
        A jitdispatch filter taking a chunk (a NumPy or CuPy array) first.
    input : dask.array.Array
    args, kwargs
        The other arguments of ``function``. They must not hold an output array.
    depth : dict
        ``{axis: (below, above)}``: how many samples the filter reads below and above a
        point along each axis (axes left out read none).
    modes : int, str or dict
        The boundary mode (a name or MODE_* code) of every axis, or ``{axis: mode}``;
        only whether an axis wraps matters here.
    dtype : dtype
        The result's dtype.

    Returns
    -------
    dask.array.Array
        Lazy; equal, once computed, to ``function`` applied to the whole array.
    """
    import dask.array as da

    kwargs = {} if kwargs is None else dict(kwargs)
    ndim = input.ndim
    if not isinstance(modes, dict):
        modes = dict.fromkeys(range(ndim), modes)
    reach = {ax: max(depth.get(ax, (0, 0))) for ax in range(ndim)}
    chunks = tuple(
        _min_chunks(input.chunks[ax], input.shape[ax], reach[ax] + 1)
        if reach[ax]
        else input.chunks[ax]
        for ax in range(ndim)
    )
    if chunks != input.chunks:
        input = input.rechunk(chunks)
    overlap, boundary = {}, {}
    for ax in range(ndim):
        single = len(input.chunks[ax]) == 1
        overlap[ax] = 0 if single else reach[ax]
        mode = modes.get(ax)
        code = mode if isinstance(mode, int) or mode is None else mode_code(mode)
        wraps = code == MODE_WRAP
        boundary[ax] = "periodic" if wraps and not single else "none"
    dtype = np.dtype(dtype)
    meta = input._meta.astype(dtype) if hasattr(input._meta, "astype") else None
    run = functools.partial(_run_chunk, function=function, args=tuple(args), kwargs=kwargs)
    return da.map_overlap(
        run, input, depth=overlap, boundary=boundary, trim=True, dtype=dtype, meta=meta
    )
