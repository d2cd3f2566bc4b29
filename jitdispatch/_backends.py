"""Implementations ("backends") of the public SciPy-like functions, and choosing one.

``jit`` (the default) runs jitdispatch's kernels; ``scipy`` runs SciPy itself (NumPy
inputs only); ``cupyx`` runs cupyx.scipy (CuPy inputs, when CuPy is installed). Third
parties add backends with :func:`register_backend` or the ``jitdispatch.backends`` entry
point group. The choice is context-local (thread- and task-safe): ``with jd.backend(...)``
sets it for a block, :func:`set_backend` sets the process default. A backend may decline a
call; the next one named is tried; when all decline, the error lists the choices.
"""

import contextlib
import contextvars
import functools
import importlib
import threading

import numpy as np

from . import _arrays, _registry
from .errors import JitDispatchError, UnsupportedArgumentError

_ndarray = np.ndarray
_lock = threading.Lock()
_backends = {}
_default = ("jit",)
_current = contextvars.ContextVar("jitdispatch_backend", default=None)
_entry_points_loaded = False


class BackendError(JitDispatchError, ValueError):
    """No backend can take this call, or an unknown backend was named."""


class Backend:
    """A set of implementations of public functions.

    Subclasses set ``name`` and implement :meth:`implementation`, returning a callable for
    ``module.name`` and these arguments, or None to decline the call.
    """

    name = None

    def implementation(self, module, name, args, kwargs):
        raise NotImplementedError

    def __repr__(self):
        return f"<jitdispatch backend {self.name!r}>"


def _array_kind(args, kwargs):
    """The array library of the first array argument ('numpy', 'cupy', ...), or None."""
    for value in list(args) + list(kwargs.values()):
        try:
            info = _arrays.describe(value)
        except UnsupportedArgumentError:
            continue
        if info is None or info is _arrays.SEQUENCE:
            continue
        if info.library in ("numpy", "cupy", "torch", "dask"):
            return info.library
        return "numpy" if info.device == "cpu" else "cuda_array_interface"
    return None


class JitBackend(Backend):
    """jitdispatch's own kernels (the registered public implementation)."""

    name = "jit"

    def __init__(self):
        self._impls = {}

    def add(self, module, name, fn):
        self._impls[(module, name)] = fn

    def implementation(self, module, name, args, kwargs):
        entry = _registry._entries.get(f"{module}.{name}")
        kind = _array_kind(args, kwargs)
        if (
            entry is not None
            and kind in _registry.ARRAY_TYPES
            and entry.status("jit", kind) == _registry.UNSUPPORTED
        ):
            return None
        return self._impls.get((module, name))


class ScipyBackend(Backend):
    """SciPy's own function, for NumPy inputs."""

    name = "scipy"

    def implementation(self, module, name, args, kwargs):
        if _array_kind(args, kwargs) not in ("numpy", None):
            return None
        try:
            function = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            return None
        from ._patch import original  # inside jd.patch, SciPy's own, not jitdispatch's

        return original(function)


class CupyxBackend(Backend):
    """cupyx.scipy's function, for CuPy inputs."""

    name = "cupyx"

    def implementation(self, module, name, args, kwargs):
        if _array_kind(args, kwargs) != "cupy":
            return None
        try:
            fn = getattr(importlib.import_module("cupyx." + module), name)
        except (ImportError, AttributeError):
            return None
        import cupy

        def host_parameters_to_device(*args, **kwargs):
            # SciPy accepts weights and footprints as lists or NumPy arrays; cupyx wants
            # CuPy arrays. These small parameters are the one copy made here.
            def conv(v):
                return cupy.asarray(v) if isinstance(v, (list, np.ndarray)) else v

            return fn(*map(conv, args), **{k: conv(v) for k, v in kwargs.items()})

        return host_parameters_to_device


_jit = JitBackend()
for _b in (_jit, ScipyBackend(), CupyxBackend()):
    _backends[_b.name] = _b


def register_backend(backend):
    """Add a :class:`Backend` (or replace one of the same name)."""
    if not isinstance(backend, Backend) or not backend.name:
        raise TypeError("register_backend takes a jitdispatch Backend instance with a name")
    with _lock:
        _backends[backend.name] = backend
    return backend


def _load_entry_points():
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    from importlib.metadata import entry_points

    for ep in entry_points(group="jitdispatch.backends"):
        obj = ep.load()
        register_backend(obj() if isinstance(obj, type) else obj)


def available_backends():
    _load_entry_points()
    return sorted(_backends)


def _resolve_names(names):
    if len(names) == 1 and isinstance(names[0], (list, tuple)):
        names = tuple(names[0])
    if not names:
        raise BackendError("name at least one backend")
    for name in names:
        if name not in _backends:
            _load_entry_points()
        if name not in _backends:
            raise BackendError(
                f"unknown backend {name!r}; available: {', '.join(available_backends())}"
            )
    return tuple(names)


@contextlib.contextmanager
def backend(*names):
    """Use these backends, tried in order, for jitdispatch's SciPy-like calls in this block.

    >>> with jd.backend("scipy"):
    ...     y = jitdispatch.ndimage.gaussian_filter(x, 2)   # SciPy computes it
    """
    token = _current.set(_resolve_names(names))
    try:
        yield
    finally:
        _current.reset(token)


def set_backend(*names):
    """Set the default backends (tried in order) for every thread without a ``backend`` block."""
    global _default
    _default = _resolve_names(names)


def current_backends():
    return _current.get() or _default


def choose(module, name, args, kwargs):
    """(backend name, implementation) for this call, or BackendError listing the choices."""
    order = current_backends()
    for bname in order:
        impl = _backends[bname].implementation(module, name, args, kwargs)
        if impl is not None:
            return bname, impl
    kind = _array_kind(args, kwargs) or "no array"
    able = [
        b
        for b in available_backends()
        if _backends[b].implementation(module, name, args, kwargs) is not None
    ]
    raise BackendError(
        f"{module}.{name}: backend(s) {', '.join(order)} cannot take {kind} inputs; "
        f"backends that can: {', '.join(able) or 'none'} "
        f"(all backends: {', '.join(available_backends())})"
    )


def dispatchable(module, impl, jit=None, notes=""):
    """Public wrapper of ``impl`` (the ``jit`` implementation of ``module.<name>``).

    ``jit`` maps array types to support statuses of ``impl`` (default: all native); it is
    recorded in the support registry.

    The wrapper chooses a backend per call; its docstring's Notes gain the registry's
    "Supported inputs" table.
    """
    name = impl.__name__
    entry = _registry.register(module, name, jit=jit, notes=notes)
    _jit.add(module, name, impl)

    @functools.wraps(impl)
    def public(*args, **kwargs):
        order = _current.get() or _default
        if order == ("jit",) and args and type(args[0]) is _ndarray:
            return impl(*args, **kwargs)  # the common case, decided without the registry
        return choose(module, name, args, kwargs)[1](*args, **kwargs)

    public.__doc__ = _with_note(impl.__doc__ or "", _registry.docstring_note(entry))
    public._jd_entry = entry
    public._jd_impl = impl
    return public


def _with_note(doc, note):
    """Put ``note`` first in the "Notes" section of a numpydoc docstring (adding one if needed)."""
    lines = doc.expandtabs().splitlines()
    indent = min((len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()), default=0)
    pad = " " * indent
    block = [pad + line if line else "" for line in note.splitlines()] + [""]

    def heading(k, title):
        return (
            lines[k].strip() == title and k + 1 < len(lines) and set(lines[k + 1].strip()) == {"-"}
        )

    for k in range(len(lines)):
        if heading(k, "Notes"):
            return "\n".join(lines[: k + 2] + block + lines[k + 2 :]) + "\n"
    section = [pad + "Notes", pad + "-----", *block]
    for k in range(len(lines)):
        if heading(k, "References") or heading(k, "Examples"):
            return "\n".join(lines[:k] + section + lines[k:]) + "\n"
    return "\n".join([*lines, "", *section])
