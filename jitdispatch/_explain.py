"""``jd.explain``: what a call would do, without running it.

Reports the target and why, the device, the stream, the launch configuration, the
compiled signature and whether the code is in memory, on disk or still to be compiled.
"""

from dataclasses import dataclass, fields

from . import _arrays, _cache, _dispatch
from ._elementwise import Elementwise, _broadcast_shape, _DtypeOnly, _is_scalar
from ._kernel import Kernel, signature


@dataclass
class Explanation:
    """The answer of :func:`jitdispatch.explain`; ``str()`` gives a printable report."""

    function: str
    backend: str
    target: str
    reason: str
    device: str
    stream: str
    launch: str
    signature: str
    cache: str

    def __str__(self):
        width = max(len(f.name) for f in fields(self))
        return "\n".join(f"{f.name:<{width}}  {getattr(self, f.name)}" for f in fields(self))


def explain(fn, *args, **kwargs):
    """Explain how ``fn(*args, **kwargs)`` would be dispatched; nothing is run or compiled.

    Parameters
    ----------
    fn : kernel or elementwise function
        A function made by :func:`jitdispatch.kernel` or :func:`jitdispatch.elementwise`.
    *args, **kwargs
        The arguments of the call, exactly as they would be passed (``ndrange=`` for a
        kernel, ``out=`` for an elementwise function, ``target=`` for either).

    Returns
    -------
    Explanation
        Printable; its fields are target, reason, device, stream, launch, signature and
        cache ("in memory", "on disk", or "compile on first call").
    """
    if hasattr(fn, "_jd_entry"):
        return _explain_public(fn, args, kwargs)
    fn = getattr(fn, "_jd_object", fn)  # the object behind a jd.kernel / jd.elementwise function
    target = kwargs.pop("target", None)
    if isinstance(fn, Kernel):
        ndrange = kwargs.pop("ndrange")
        names = fn.arg_names(len(args))
        objs = list(args)
        shape = fn.shape(ndrange, len(args))
        kern, nargs = fn, len(args)
    elif isinstance(fn, Elementwise):
        if any(_is_dask(a) for a in args):
            if kwargs.get("out") is not None:  # as the call says
                raise TypeError(f"{fn.__name__}: out= is not supported with Dask arrays")
            return _explain_dask(fn, args)
        out = kwargs.pop("out", None)
        names = [f"x{k + 1}" for k in range(len(args))] + (["out"] if out is not None else [])
        objs = list(args) + ([out] if out is not None else [])
        shape = _broadcast_shape([_shape(a) for a in args if not _is_scalar(a)])
        pattern = tuple(not _is_scalar(a) for a in args)
        kern, nargs = fn.kernel(len(shape), pattern), len(args) + 1
    else:
        raise TypeError(
            f"explain() takes a function made by jd.kernel or jd.elementwise, got {fn!r}"
        )
    infos = [_arrays.describe(a) for a in objs]
    tgt, device_id, _like = _dispatch.choose(fn.__qualname__, names, objs, infos, target)
    options = kwargs
    if tgt.name != "cpu":
        tgt.check_available()
        options = tgt.resolve_options(objs, infos, device_id, kwargs)
    launch = tgt.describe_launch(shape, infos, device_id, options)
    examples = _examples(fn, args, objs, infos, shape)
    sig = signature(examples, len(shape)) if tgt.name == "cpu" else None
    return Explanation(
        function=f"{type(fn).__name__.lower()} {fn.__qualname__}",
        backend="jit (a kernel runs as written)",
        target=tgt.name,
        reason=_dispatch.reason(names, objs, infos, tgt.name, target),
        device=launch["device"],
        stream=launch["stream"],
        launch=launch["launch"],
        signature=_format_sig(sig, examples, len(shape)),
        cache=_cache_state(kern, tgt, nargs, sig),
    )


def _is_dask(obj):
    info = _arrays.describe(obj)
    return info is not None and info is not _arrays.SEQUENCE and info.device == "dask"


def _explain_dask(fn, args):
    """An elementwise call on Dask arrays: a lazy result, each block a call of its own."""
    kinds = sorted(
        {type(a._meta).__module__.split(".")[0] for a in args if _is_dask(a)}
    )
    where = {"numpy": "cpu", "cupy": "cuda"}
    target = ", ".join(where.get(k, k) for k in kinds)
    return Explanation(
        function=f"elementwise {fn.__qualname__}",
        backend="jit (a kernel runs as written)",
        target=f"per chunk ({target})",
        reason=f"a Dask array ({', '.join(kinds)} chunks): the result is lazy, and each "
        "block is one call, dispatched as its chunks are when computed",
        device="the chunks' devices",
        stream="each chunk's current stream" if "cupy" in kinds else "none (synchronous)",
        launch="one call per output block (explain one chunk for its launch)",
        signature="per chunk",
        cache="per chunk signature, in memory and on disk",
    )


def _shape(a):
    return tuple(a.shape) if hasattr(a, "shape") else (len(a),)


def _examples(fn, args, objs, infos, shape):
    """Host stand-ins with the dtypes and layouts the compiled code would see."""
    import numpy as np

    out = []
    for obj, info in zip(objs, infos, strict=True):
        if info is None:
            out.append(obj)
        elif info is _arrays.SEQUENCE:
            out.append(np.asarray(obj))
        elif info.device == "cpu":
            out.append(_arrays.host_view(obj, info))
        else:
            out.append(np.empty(_shape(obj), np.dtype(str(obj.dtype).replace("torch.", ""))))
    if isinstance(fn, Elementwise):
        out = [
            a if _is_scalar(a) or a.shape == shape else np.broadcast_to(a, shape)
            for a in out[: len(args)]
        ]
        dtype = fn.result_dtype([a if _is_scalar(a) else _DtypeOnly(a.dtype) for a in out])
        out.append(np.empty(shape, dtype))
    return out


def _format_sig(sig, examples, ndim):
    if sig is None:
        sig = signature(examples, ndim)
    return "(" + ", ".join(str(t) for t in sig) + ")"


def _cache_state(kern, tgt, nargs, sig):
    launcher = kern._launchers.get((tgt.name, nargs))
    if launcher is not None and sig is not None:
        for disp in launcher.dispatchers():
            if sig in disp.overloads:
                return "in memory (compiled in this process)"
    if sig is not None:
        module, on_disk = kern._module(tgt, nargs)
        if on_disk:
            import numba

            probe = numba.njit(cache=True)(module.serial)
            if _cache.is_cached_on_disk(probe, sig):
                return "on disk (loads without compiling)"
        return "compile on first call"
    return "compiled per device on first call (see the disk cache for earlier runs)"


def _explain_public(fn, args, kwargs):
    """A SciPy-like public function: which backend, and where its kernels would run."""
    from . import _backends

    entry = fn._jd_entry
    bname, _impl = _backends.choose(entry.module, entry.name, args, kwargs)
    arrays = [(f"arg{k}", a) for k, a in enumerate(args)] + list(kwargs.items())
    names, objs, infos = [], [], []
    for name, obj in arrays:
        try:
            info = _arrays.describe(obj)
        except Exception:
            continue
        if info is not None and info is not _arrays.SEQUENCE:
            names.append(name)
            objs.append(obj)
            infos.append(info)
    kind = infos[0].library if infos else "none"
    if infos and infos[0].device == "dask":
        target, device, reason = "per chunk", "the chunks' devices", "input is a Dask array"
    else:
        tgt, device_id, _ = _dispatch.choose(entry.qualname, names, objs, infos)
        target = tgt.name
        device = "cpu" if target == "cpu" else f"cuda:{device_id if device_id is not None else 0}"
        reason = _dispatch.reason(names, objs, infos, target, None)
    status = entry.status(bname, kind) if kind in _registry_types() else "n/a"
    return Explanation(
        function=entry.qualname.replace("scipy.", "jitdispatch."),
        backend=(
            f"{bname} ({status} for {kind} inputs; order {', '.join(_backends.current_backends())})"
        ),
        target=target if bname == "jit" else f"{bname} decides",
        reason=reason,
        device=device,
        stream="the input's current stream" if target == "cuda" else "none (synchronous)",
        launch="one or more kernels per call (explain a kernel for its launch)",
        signature="per kernel",
        cache="per kernel, in memory and on disk",
    )


def _registry_types():
    from . import _registry

    return _registry.ARRAY_TYPES
