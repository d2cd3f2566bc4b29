"""Filters on Dask arrays: every chunk filtered with enough of its neighbours around it.

`map_filter` is the one entry point: it runs ``function(chunk, *args, **kwargs)`` on
every chunk, lazily, one task per output block, and the result equals the filter
applied to the whole array. How that is guaranteed:

* each chunk is extended by its neighbours' data on every side where the window reads
  (``depth``, below and above apart), and the extension is trimmed off the result;
* at the array's true edges nothing is added, so the chunk's filter applies the real
  boundary mode there; for 'wrap' axes the data of the opposite edge is added instead;
* axes are rechunked first so that every chunk is longer than the window's reach:
  then a reflection at a true edge never reaches past the chunk, and an axis too short
  for that becomes one chunk (its filter then sees the whole axis);
* each chunk runs with ``jitdispatch.serial()``: Dask already runs chunks in parallel.

``depth_from_plan`` turns a ``_checks`` plan into the ``depth`` and ``modes`` arguments.
Dask is imported only when a Dask array is filtered.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

import jitdispatch as jd

from ._support import MODE_WRAP, SPARES, assign, mode_code, reach

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
        lo, hi = reach(step.size, step.origin)
        below[step.axis] += lo
        above[step.axis] += hi
        modes.setdefault(step.axis, step.mode)
    if plan.window is not None:
        for ax in range(ndim):
            lo, hi = reach(plan.window.shape[ax], plan.window.origins[ax])
            below[ax] = max(below[ax], lo)
            above[ax] = max(above[ax], hi)
            modes[ax] = plan.window.mode
    depth = {ax: (below[ax], above[ax]) for ax in range(ndim)}
    return depth, modes


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


def _kept(obj):
    """``obj`` with every array in it copied (into tuples, lists and dicts): a lazy result
    must not change when the caller later writes to the weights or footprint it gave."""
    if isinstance(obj, (tuple, list)):
        return type(obj)(_kept(o) for o in obj)
    if isinstance(obj, dict):
        return {k: _kept(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray) or type(obj).__module__.startswith("cupy"):
        return obj.copy() if hasattr(obj, "copy") and hasattr(obj, "shape") else obj
    return obj


def _run_chunk(chunk, *, function, args, kwargs):
    with jd.serial():
        return function(chunk, *args, **kwargs)


def _filter_block(run, shape, copies, trim, *blocks):
    """One output block: its input block and the neighbours' edges it reads, filtered.

    ``copies`` pairs each of ``blocks`` with ``(source, destination)`` slices into a new
    array of ``shape`` (the block extended by its halo); ``trim`` cuts the block's own
    part out of the filtered result. A block that needs no halo is filtered as it is.
    """
    if copies is None:
        return run(blocks[0])
    with SPARES.lend() as take:  # the filter's result is new memory: this is not kept
        extended = take(shape, blocks[0].dtype, blocks[0])
        for block, (source, destination) in zip(blocks, copies, strict=True):
            assign(extended[destination], block[source])  # (in tiles from Fortran order)
        return run(extended)[trim]


def _axis_pieces(index, count, sizes, below, above, wraps):
    """How block ``index`` of an axis is extended: ``[(block, source, destination)]``
    along that axis, the extended length, and the slice of the block's own part."""
    size = sizes[index]
    lo = below if below and (index > 0 or wraps) else 0
    hi = above if above and (index < count - 1 or wraps) else 0
    pieces = [(index, slice(None), slice(lo, lo + size))]
    if lo:
        left = (index - 1) % count
        pieces.append((left, slice(sizes[left] - lo, sizes[left]), slice(0, lo)))
    if hi:
        right = (index + 1) % count
        pieces.append((right, slice(0, hi), slice(lo + size, lo + size + hi)))
    return pieces, lo + size + hi, slice(lo, lo + size)


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
        Lazy, chunked as ``input`` (after any rechunking); equal, once computed, to
        ``function`` applied to the whole array.

    Notes
    -----
    Each output block is one task that reads its input block and the neighbouring
    blocks whose edges it needs, copies them into one extended array and filters it.
    (``dask.array.map_overlap`` builds the same from separate slicing and concatenating
    tasks, which cost more than a fast filter on 2 cores.)
    """
    import dask.array as da
    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph

    args, kwargs = _kept(tuple(args)), _kept({} if kwargs is None else dict(kwargs))
    ndim = input.ndim
    if input.size == 0:  # nothing to read or write: each (empty) chunk on its own
        return input.map_blocks(_run_chunk, function=function, args=args, kwargs=kwargs,
                                dtype=dtype)
    if not isinstance(modes, dict):
        modes = dict.fromkeys(range(ndim), modes)
    depth = {ax: depth.get(ax, (0, 0)) for ax in range(ndim)}
    reach = {ax: max(depth[ax]) for ax in range(ndim)}
    chunks = tuple(
        _min_chunks(input.chunks[ax], input.shape[ax], reach[ax] + 1)
        if reach[ax]
        else input.chunks[ax]
        for ax in range(ndim)
    )
    if chunks != input.chunks:
        input = input.rechunk(chunks)
    wraps = []
    for ax in range(ndim):
        mode = modes.get(ax)
        code = mode if isinstance(mode, int) or mode is None else mode_code(mode)
        wraps.append(code == MODE_WRAP)
    dtype = np.dtype(dtype)
    run = functools.partial(_run_chunk, function=function, args=tuple(args), kwargs=kwargs)
    name = "jitdispatch-" + getattr(function, "__name__", "filter").replace("_", "-")
    name += "-" + tokenize(input, function, args, kwargs, depth, wraps, dtype)
    counts = input.numblocks
    graph = {}
    for index in np.ndindex(*counts):
        axes = [
            _axis_pieces(i, counts[ax], input.chunks[ax], *depth[ax], wraps[ax])
            if counts[ax] > 1
            else ([(i, slice(None), slice(None))], input.chunks[ax][i], slice(None))
            for ax, i in enumerate(index)
        ]
        shape = tuple(length for _, length, _ in axes)
        trim = tuple(own for _, _, own in axes)
        keys, copies = [], []
        for combination in itertools.product(*(pieces for pieces, _, _ in axes)):
            keys.append((input.name, *(block for block, _, _ in combination)))
            copies.append(
                (
                    tuple(source for _, source, _ in combination),
                    tuple(destination for _, _, destination in combination),
                )
            )
        if len(keys) == 1:
            task = (functools.partial(_filter_block, run, shape, None, None), *keys)
        else:
            task = (functools.partial(_filter_block, run, shape, tuple(copies), trim), *keys)
        graph[(name, *index)] = task
    layers = HighLevelGraph.from_collections(name, graph, dependencies=[input])
    meta = input._meta.astype(dtype) if hasattr(input._meta, "astype") else None
    return da.Array(layers, name, chunks=input.chunks, dtype=dtype, meta=meta)
