"""Kernel objects: Python source written once, compiled per target at call time.

``Func``
    A helper callable from kernel bodies, compiled for the caller's target.
``Kernel``
    An index-space kernel: ``body(i0, ..., i{d-1}, *args)`` runs once per index.
``Elementwise``
    A scalar function turned into a broadcasting, ufunc-like function.

Globals of a body that stand for target-specific things (``Func`` objects, ``jd.local``)
are replaced per target before compiling: that is what lets one body run on both.
"""

import contextlib
import operator
import sys
import threading
import types

import numpy as np

from . import _arrays, _cache, _config, _dispatch, _targets
from .errors import LaunchError, UnsupportedArgumentError

_ndarray = np.ndarray
_lock = threading.RLock()
_CO_VARARGS, _CO_VARKEYWORDS = 0x04, 0x08  # inspect.CO_VARARGS, inspect.CO_VARKEYWORDS
_BAD_KINDS = {
    "O": "object",
    "U": "string",
    "S": "bytes",
    "V": "void/structured",
    "M": "datetime64, which CUDA has no type for; pass its int64 view",
    "m": "timedelta64, which CUDA has no type for; pass its int64 view",
}


# --- per-target substitution and fingerprints ------------------------------------------


def _code_names(code, out=None):
    out = set() if out is None else out
    out.update(code.co_names)
    out.update(code.co_freevars)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _code_names(const, out)
    return out


def _code_parts(code):
    parts = [code.co_code, code.co_names, code.co_varnames, code.co_argcount]
    for const in code.co_consts:
        parts.append(_code_parts(const) if isinstance(const, types.CodeType) else repr(const))
    return tuple(parts)


def _closure_items(fn):
    if not fn.__closure__:
        return []
    return list(zip(fn.__code__.co_freevars, fn.__closure__, strict=True))


def substitute(fn, target):
    """``fn`` with globals and closure values that has ``_jd_resolve`` resolved for ``target``."""
    names = _code_names(fn.__code__)
    replaced = {}
    for name in names:
        value = fn.__globals__.get(name)
        if hasattr(type(value), "_jd_resolve"):
            replaced[name] = value._jd_resolve(target)
        elif isinstance(value, types.ModuleType):
            proxy = _module_proxy(value, names, target)
            if proxy is not None:
                replaced[name] = proxy
    cells = fn.__closure__
    new_cells = []
    changed = False
    for _name, cell in _closure_items(fn):
        try:
            value = cell.cell_contents
        except ValueError:  # empty cell
            new_cells.append(cell)
            continue
        if hasattr(type(value), "_jd_resolve"):
            new_cells.append(types.CellType(value._jd_resolve(target)))
            changed = True
        else:
            new_cells.append(cell)
    if not replaced and not changed:
        return fn
    new_globals = dict(fn.__globals__)
    new_globals.update(replaced)
    new = types.FunctionType(
        fn.__code__, new_globals, fn.__name__, fn.__defaults__, tuple(new_cells) if cells else None
    )
    new.__qualname__ = fn.__qualname__
    new.__module__ = fn.__module__
    new.__kwdefaults__ = fn.__kwdefaults__
    return new


def _module_proxy(module, names, target):
    """A stand-in for ``module`` whose attributes used as ``module.attr`` are resolved.

    Lets bodies write ``jd.local.array(...)`` or ``helpers.clamp(...)``; None when no
    attribute of ``module`` needs resolving.
    """
    resolved = {}
    for attr in names:
        value = getattr(module, attr, None)
        if hasattr(type(value), "_jd_resolve"):
            resolved[attr] = value._jd_resolve(target)
    if not resolved:
        return None
    proxy = types.ModuleType(module.__name__)
    proxy.__dict__.update(module.__dict__)
    proxy.__dict__.update(resolved)
    return proxy


def fingerprint_function(fn, _seen=None):
    """A digest of ``fn``'s code and of what it calls, to key generated code on disk.

    Covers the code itself, helpers (``Func`` objects and Numba dispatchers) it refers
    to, recursively, and simple global constants, which Numba freezes at compile time.
    """
    seen = set() if _seen is None else _seen
    if id(fn) in seen:
        return "recursive"
    seen.add(id(fn))
    parts = [fn.__module__, fn.__qualname__, _code_parts(fn.__code__)]
    values = [(n, fn.__globals__.get(n)) for n in sorted(_code_names(fn.__code__))]
    for name, cell in _closure_items(fn):
        with contextlib.suppress(ValueError):
            values.append((name, cell.cell_contents))
    # default values are frozen into the code as closures are (lambda v, a=a: ...)
    for k, value in enumerate(fn.__defaults__ or ()):
        values.append((f"<default {k}>", value))
    for name, value in sorted((fn.__kwdefaults__ or {}).items()):
        values.append((f"<default {name}>", value))
    names = _code_names(fn.__code__)
    for name, value in list(values):
        if isinstance(value, types.ModuleType):
            values += [(f"{name}.{a}", getattr(value, a, None)) for a in sorted(names)]
    for name, value in values:
        part = _value_part(value, seen)
        if part is not None:
            parts.append((name, part))
    return _cache.fingerprint(*parts)


def _value_part(value, seen):
    """What a value a function refers to adds to its fingerprint, or None for nothing
    (modules: their attributes count one by one). Tuples count element by element, so an
    array inside one counts by its contents, not by its abbreviated ``repr``."""
    if isinstance(value, types.ModuleType):
        return None
    if hasattr(type(value), "_jd_fingerprint"):
        return value._jd_fingerprint(seen)
    if isinstance(getattr(value, "py_func", None), types.FunctionType):
        return fingerprint_function(value.py_func, seen)
    if isinstance(value, types.FunctionType):
        return fingerprint_function(value, seen)
    if isinstance(value, tuple):
        return ("tuple", type(value).__qualname__, *(_value_part(v, seen) for v in value))
    if isinstance(value, (bool, int, float, complex, str, bytes, np.generic)):
        return repr(value)
    if isinstance(value, np.ndarray):  # frozen into the code as a constant
        return _array_digest(value)
    if callable(value):
        return _callable_identity(value)
    # anything else Numba freezes as a constant (an Enum member, a dtype): its repr
    return (type(value).__qualname__, repr(value))


def _array_digest(array):
    import hashlib

    data = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
    return ("ndarray", array.dtype.str, array.shape, data)


def _callable_identity(value):
    """A name that stands for ``value`` in every process (``numpy.max``), or, where its
    name does not lead back to it, its ``id``: never taken for another callable."""
    import importlib

    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    module = getattr(value, "__module__", None)
    if module is None and isinstance(value, np.ufunc):
        module = "numpy"
    if isinstance(name, str) and isinstance(module, str):
        found = sys.modules.get(module)
        with contextlib.suppress(ImportError, ValueError):
            found = found or importlib.import_module(module)
        for attr in name.split("."):
            found = getattr(found, attr, None)
        if found is value:
            return ("callable", module, name)
    return ("object", type(value).__qualname__, id(value))


def written_parameters(fn):
    """Names of parameters the body assigns into (``out[i] = ...``), or None if unknown."""
    import ast
    import inspect
    import textwrap

    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    params = set(inspect.signature(fn).parameters)
    written = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            base = node.value
            while isinstance(base, (ast.Subscript, ast.Attribute)):
                base = base.value
            if isinstance(base, ast.Name) and base.id in params:
                written.add(base.id)
    return written


class _Local:
    """``jd.local.array(shape, dtype)``: per-index scratch memory in a kernel body.

    Uninitialised, on every target. On CUDA it is thread-local memory (``shape`` must be
    a compile-time constant); on the CPU a small array. Called from Python it returns
    ``numpy.empty(shape, dtype)``. Write
    it as ``jd.local.array`` after ``import jitdispatch as jd``, or as ``local.array``
    after ``from jitdispatch import local``.
    """

    def _jd_resolve(self, target):
        return target.local()

    def _jd_fingerprint(self, seen=None):
        return "jd.local"

    @staticmethod
    def array(shape, dtype):
        return np.empty(shape, dtype)

    def __repr__(self):
        return "jitdispatch.local"


local = _Local()


def _fmin(a, b):
    if b != b:  # NaN
        return a
    if a != a:
        return b
    return b if b < a else a


def _fmax(a, b):
    if b != b:
        return a
    if a != a:
        return b
    return b if b > a else a


class _Extreme:
    """``jd.fmin(a, b)`` / ``jd.fmax(a, b)``: the smaller / larger of two numbers.

    Which of ``-0.0`` and ``0.0`` they give for that pair is unspecified. On the CPU
    they are LLVM's ``minnum`` / ``maxnum`` for floats, one vector instruction in a
    vector loop. Python's ``min(x[i], y[i])`` stored back into ``x[i]`` lets LLVM store
    only where ``y[i]`` is smaller, and its masked vector stores are slow on many x86
    cores. Integers and booleans compare as ``min`` / ``max`` would. On CUDA and from
    Python they are plain functions with the same rule.
    """

    def __init__(self, name, py_func, doc):
        self.__name__ = name
        self._py_func = py_func
        self.__doc__ = doc + _Extreme.__doc__.split("\n\n", 1)[1]

    def __call__(self, a, b):
        return self._py_func(a, b)

    def _jd_resolve(self, target):
        return target.extreme(self.__name__, self._py_func)

    def _jd_fingerprint(self, seen=None):
        return f"jd.{self.__name__}/1"

    def __repr__(self):
        return f"jitdispatch.{self.__name__}"


fmin = _Extreme(
    "fmin",
    _fmin,
    "``jd.fmin(a, b)``: the smaller of two numbers of one type, in kernel bodies and from\n"
    "    Python; where one is NaN, the other (NumPy's ``fmin`` rule).\n\n",
)
fmax = _Extreme(
    "fmax",
    _fmax,
    "``jd.fmax(a, b)``: the larger of two numbers of one type, in kernel bodies and from\n"
    "    Python; where one is NaN, the other (NumPy's ``fmax`` rule).\n\n",
)


class per_target:
    """A constant whose value depends on the target a kernel body is compiled for.

    ``CHUNK = jd.per_target(cpu=64, cuda=1)`` at module level makes ``CHUNK`` in a body
    (or a ``jd.func`` helper) the integer or float given for the target being compiled,
    frozen into the code like any global constant: ``jd.local.array(CHUNK, ...)`` is
    then 64 elements of stack on the CPU and one of a GPU thread's local memory. Every
    target needs a value. Outside compiled code (on the host) the object stands for its
    CPU value: ``int(CHUNK)``, ``range(CHUNK)`` and ``CHUNK.value("cuda")`` work.
    """

    __slots__ = ("_values",)

    def __init__(self, **values):
        names = set(_dispatch.TARGET_NAMES)
        if set(values) != names:
            raise TypeError(
                f"jd.per_target needs one value for each target {sorted(names)}; "
                f"got {sorted(values)}"
            )
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"jd.per_target values must be ints or floats; {name}={value!r}")
        self._values = dict(values)

    def value(self, target):
        """The value for the target called ``target`` ('cpu' or 'cuda')."""
        if target not in self._values:
            raise ValueError(f"unknown target {target!r}; choose one of {sorted(self._values)}")
        return self._values[target]

    def _jd_resolve(self, target):
        return self._values[target.name]

    def _jd_fingerprint(self, seen=None):
        return repr(sorted(self._values.items()))

    def __index__(self):
        return operator.index(self._values["cpu"])

    def __int__(self):
        return int(self._values["cpu"])

    def __float__(self):
        return float(self._values["cpu"])

    def __eq__(self, other):
        return isinstance(other, per_target) and other._values == self._values

    def __hash__(self):
        return hash(tuple(sorted(self._values.items())))

    def __repr__(self):
        inner = ", ".join(f"{k}={v!r}" for k, v in sorted(self._values.items()))
        return f"jitdispatch.per_target({inner})"


def _named_by_fingerprint(fn, fingerprint):
    """A copy of ``fn`` whose qualified name carries ``fingerprint``.

    Compiled helpers are linked by name (Numba's: the qualified name and a counter that
    starts again in every process). Two helpers of one name but other code or closure
    values (two lambdas of one line, closing over np.mean and np.sum) could then, loaded
    from the disk cache into one process, both resolve to the code loaded first.
    """
    new = types.FunctionType(
        fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__
    )
    new.__qualname__ = f"{fn.__qualname__}.jd{fingerprint}"
    new.__module__ = fn.__module__
    new.__kwdefaults__ = fn.__kwdefaults__
    return new


class Func:
    """A helper for kernel bodies: plain Python, compiled for whichever target calls it.

    Called from Python it runs the Python function. ``override(target)`` registers a
    target-specific implementation (for example one using CUDA intrinsics).
    """

    def __init__(self, py_func):
        if not isinstance(py_func, types.FunctionType):
            raise TypeError(f"jd.func takes a Python function, got {type(py_func).__name__}")
        self.py_func = py_func
        self._compiled = {}
        self._overrides = {}
        self.__name__ = py_func.__name__
        self.__qualname__ = py_func.__qualname__
        self.__doc__ = py_func.__doc__
        self.__module__ = py_func.__module__
        self.__wrapped__ = py_func

    def __call__(self, *args, **kwargs):
        return self.py_func(*args, **kwargs)

    def __repr__(self):
        return f"<jitdispatch.func {self.__qualname__}>"

    def override(self, target):
        """Decorator: use the decorated function instead of this one on ``target``."""
        if target not in _dispatch.TARGET_NAMES:
            raise ValueError(f"unknown target {target!r}; choose one of {_dispatch.TARGET_NAMES}")

        def register(fn):
            self._overrides[target] = fn
            self._compiled.pop(target, None)
            return fn

        return register

    def _jd_resolve(self, target):
        compiled = self._compiled.get(target.name)
        if compiled is None:
            with _lock:
                compiled = self._compiled.get(target.name)
                if compiled is None:
                    fn = self._overrides.get(target.name, self.py_func)
                    fn = _named_by_fingerprint(substitute(fn, target), self._jd_fingerprint())
                    compiled = target.compile_function(fn)
                    self._compiled[target.name] = compiled
        return compiled

    def _jd_fingerprint(self, seen=None):
        seen = set() if seen is None else seen
        parts = [fingerprint_function(self.py_func, seen)]
        parts += [(t, fingerprint_function(f, seen)) for t, f in sorted(self._overrides.items())]
        return _cache.fingerprint(*parts)


# --- index-space kernels -----------------------------------------------------------------


_REBUILT = {}  # (fingerprint, options) -> Kernel, one per kernel in a process


def interned(table, key, make):
    """``table[key]``, made by ``make()`` the first time (once, under the lock): how an
    unpickled kernel or elementwise function is shared by the tasks of a graph."""
    found = table.get(key)
    if found is None:
        with _lock:
            found = table.get(key)
            if found is None:
                found = table[key] = make()
    return found


def _rebuilt_kernel(py_func, written, max_registers, raises):
    """The Kernel of an unpickled body: one per distinct body (code and the values it
    refers to) and options in this process, so that the tasks of a graph share it."""
    key = (fingerprint_function(py_func), written, max_registers, raises)
    return interned(
        _REBUILT,
        key,
        lambda: Kernel(py_func, written=written, max_registers=max_registers, raises=raises),
    )


class _NotGiven:
    """Default of the generated entry points' positional parameters."""

    __slots__ = ()

    def __repr__(self):
        return "<not given>"

    def __reduce__(self):
        return "_NOT_GIVEN"  # the one instance, which the entry points compare against


_NOT_GIVEN = _NotGiven()
_ENTRY_NDIM = 4  # index spaces of up to this many dimensions get a fast path


class _KernelFast:
    """What a kernel's public function reads on its fast path (``K``): the dispatch's
    ``hot`` flag, and per ``ndim`` the serial wrapper ``S{ndim}`` and its threshold
    ``T{ndim}`` (0: no fast path yet).

    An attribute of one object rather than globals of the public function, so that
    pickling the function by value (cloudpickle, for a kernel defined in ``__main__``
    and sent to a Dask worker) takes this object, which unpickles as the fast path of
    the kernel rebuilt there, empty until that kernel has compiled.
    """

    __slots__ = ("hot", "owner", *(f"S{n}" for n in range(1, _ENTRY_NDIM + 1)),
                 *(f"T{n}" for n in range(1, _ENTRY_NDIM + 1)))

    def __init__(self, owner):
        self.owner = owner
        self.hot = _dispatch.HOT
        for ndim in range(1, _ENTRY_NDIM + 1):
            setattr(self, f"S{ndim}", None)
            setattr(self, f"T{ndim}", 0)

    def __reduce__(self):
        return (_fast_state_of, (self.owner,))


def _fast_state_of(owner):
    """The fast-path state of ``owner`` (a Kernel or Elementwise), made on first use."""
    if owner._fast_state is None:
        owner._fast_state = owner._make_fast_state()
    return owner._fast_state


def _entry_source(nparams):
    """Source of a kernel's public function for a body of ``nparams`` parameters.

    A call passes ``nparams - ndim`` arguments for an ``ndim``-dimensional ``ndrange``;
    there is one branch per ``ndim``, selected by which parameters were given. A branch
    calls ``K.S{ndim}`` (the compiled serial wrapper; see `_KernelFast`) when the launch's
    work (its indices times ``cost``, a positive number, 1 when not given) is below
    ``K.T{ndim}``. An extent
    that is not a non-negative int, or an argument the wrapper has no code for
    (``TypeError``, ``NotCompiled``, or ``OverflowError`` for a Python int its integer
    type cannot hold), falls through to ``SLOW``,
    which validates, converts, compiles or raises errors that name the argument. (A
    ``TypeError``, ``ValueError`` or ``OverflowError`` raised by the body itself also falls
    through; the body then runs again there and raises it again.)
    """
    params = [f"p{k}" for k in range(nparams)]
    head = ", ".join([f"{p}=NA" for p in params] + (["/"] if params else []))
    lines = [
        f"def entry({head}{', ' if params else ''}*extra, ndrange, target=None, stream=None,"
        " blocksize=None, cost=None):",
        "    if K.hot[0] and target is None and stream is None and blocksize is None and ("
        "cost is None or (type(cost) in NUMBERS and cost > 0)):",
        "        c = 1 if cost is None else cost",
        "        try:",
    ]
    for ndim in range(1, min(nparams, _ENTRY_NDIM) + 1):
        nargs = nparams - ndim
        given = f"p{nargs} is NA" + (f" and p{nargs - 1} is not NA" if nargs else "")
        sizes = [f"n{d}" for d in range(ndim)]
        if ndim == 1:
            fits = "0 <= n0 and n0 * c < K.T1"
        else:
            fits = " and ".join(f"{n} >= 0" for n in sizes)
            fits += f" and {' * '.join(sizes)} * c < K.T{ndim}"
        # a 1-d ndrange may be a bare int
        if ndim == 1:
            unpack = "(n0,) = (ndrange,) if type(ndrange) is int else ndrange"
        else:
            unpack = f"{', '.join(sizes)}, = ndrange"
        lines += [
            f"            {'if' if ndim == 1 else 'elif'} {given}:",
            f"                {unpack}",
            f"                if {fits}:",
            f"                    return K.S{ndim}({', '.join(sizes + params[:nargs])})",
        ]
    lines += [
        "        except (TypeError, ValueError, OverflowError, NotCompiled):",
        "            pass",
    ]
    given = ", ".join(params) + ("," if params else "")
    lines.append(f"    return SLOW(({given}), extra, ndrange, target, stream, blocksize, cost)")
    return "\n".join(lines) + "\n"


def generate_entry(source, namespace, obj, kind):
    """Run ``source`` (defining ``entry``) in ``namespace``; return ``entry`` dressed as
    the public function of ``obj`` (a Kernel or Elementwise)."""
    exec(compile(source, f"<jitdispatch {kind} {obj.__qualname__}>", "exec"), namespace)
    fn = namespace.pop("entry")
    # Python's own argument errors then name the function
    fn.__code__ = fn.__code__.replace(co_name=obj.__name__, co_qualname=obj.__qualname__)
    return dress_entry(fn, obj)


def given_args(given, extra):
    """The positional arguments of an entry call: those given, then any extra ones."""
    nargs = next((k for k, a in enumerate(given) if a is _NOT_GIVEN), len(given))
    return given[:nargs] + extra


def launch_options(**values):
    """The launch keywords that were given (not None)."""
    return {key: value for key, value in values.items() if value is not None}


def dress_entry(fn, obj):
    """Give the public function ``fn`` of ``obj`` (a Kernel or Elementwise) its identity."""
    fn.__name__ = obj.__name__
    fn.__qualname__ = obj.__qualname__
    fn.__module__ = obj.__module__  # pickled by reference, like the decorated function
    fn.__doc__ = obj.__doc__
    fn.py_func = obj.py_func
    fn.compile_ptx = obj.compile_ptx
    fn._jd_object = obj
    return fn


def _entry_signature():
    import inspect

    P = inspect.Parameter
    return inspect.Signature(
        [
            P("args", P.VAR_POSITIONAL),
            P("ndrange", P.KEYWORD_ONLY),
            P("target", P.KEYWORD_ONLY, default=None),
            P("stream", P.KEYWORD_ONLY, default=None),
            P("blocksize", P.KEYWORD_ONLY, default=None),
            P("cost", P.KEYWORD_ONLY, default=None),
        ]
    )


_ENTRY_SIGNATURE = _entry_signature()


def _bad_dtype(arr):
    dtype = getattr(arr, "dtype", None)
    kind = getattr(dtype, "kind", None)
    if isinstance(dtype, np.dtype) and dtype == np.float16:
        return "float16, which Numba has no arithmetic for; use float32"
    if kind in ("f", "c") and dtype.itemsize > (8 if kind == "f" else 16):
        return "extended precision (long double), which Numba has no type for; use float64"
    if kind not in _BAD_KINDS and isinstance(dtype, np.dtype) and not dtype.isnative:
        # Numba has no type for it (a failed compile there also left the dispatcher
        # refusing other new types); a native copy is `.astype(dtype.newbyteorder("="))`
        return "the other byte order"
    return _BAD_KINDS.get(kind)


class Kernel:
    """An index-space kernel; see :func:`jitdispatch.kernel`."""

    def __init__(self, py_func, *, written=None, max_registers=None, raises=True):
        if not isinstance(py_func, types.FunctionType):
            raise TypeError(f"jd.kernel takes a Python function, got {type(py_func).__name__}")
        code = py_func.__code__
        if code.co_flags & (_CO_VARARGS | _CO_VARKEYWORDS) or code.co_kwonlyargcount:
            raise TypeError(
                f"kernel {py_func.__qualname__}: use plain positional parameters "
                "(index parameters first, then the arguments); *args, **kwargs and "
                "keyword-only parameters are not supported"
            )
        self.py_func = py_func
        self.__name__ = py_func.__name__
        self.__qualname__ = py_func.__qualname__
        self.__doc__ = py_func.__doc__
        self.__module__ = py_func.__module__
        self.__wrapped__ = py_func
        self.params = code.co_varnames[: code.co_argcount]
        self.max_registers = max_registers  # CUDA: registers per thread, at most
        self.raises = raises  # CPU: whether parallel launches check their threads for errors
        self._written = written
        self._written_known = written is not None
        self._fp = None
        self._fast_state = None  # what the public function's fast path reads
        self._launchers = {}  # (target name, nargs) -> launcher
        self._cuda = {}  # nargs -> CUDA launcher, for calls with CuPy arrays (see _call)
        self._modules = {}  # (target name, nargs) -> (module, on_disk)

    def __repr__(self):
        return f"<jitdispatch.kernel {self.__qualname__}>"

    def __reduce__(self):
        # rebuilt from the body where it is unpickled (a Dask worker), compiled there
        written = frozenset(self._written) if self._written is not None else None
        return (_rebuilt_kernel, (self.py_func, written, self.max_registers, self.raises))

    # -- metadata
    @property
    def written(self):
        if not self._written_known:
            self._written = written_parameters(self.py_func)
            self._written_known = True
        return self._written

    def fingerprint(self):
        if self._fp is None:
            self._fp = fingerprint_function(self.py_func)
        return self._fp

    def _jd_fingerprint(self, seen=None):
        return self.fingerprint()

    def arg_names(self, nargs):
        return self.params[len(self.params) - nargs :]

    # -- compilation
    def _module(self, target, nargs):
        key = (target.name, nargs)
        found = self._modules.get(key)
        if found is None:
            with _lock:
                found = self._modules.get(key)
                if found is None:
                    ndim = self._ndim(nargs)
                    body = target.compile_function(substitute(self.py_func, target), body=True)
                    stem = f"{self.__name__}_{self.fingerprint()}_{target.name}_{ndim}d{nargs}"
                    if self.max_registers is not None and target.name == "cuda":
                        stem += f"r{self.max_registers}"  # its own cache entries
                    source = target.wrapper_source(ndim, nargs)
                    found = _cache.load_module(stem, source, {"body": body})
                    self._modules[key] = found
        return found

    def launcher(self, target, nargs):
        key = (target.name, nargs)
        launcher = self._launchers.get(key)
        if launcher is None:
            with _lock:
                launcher = self._launchers.get(key)
                if launcher is None:
                    target.check_available()
                    module, on_disk = self._module(target, nargs)
                    launcher = target.make_launcher(
                        module, on_disk, self._ndim(nargs), self.max_registers, self.raises
                    )
                    self._launchers[key] = launcher
                    self._publish(target.name, nargs, launcher)
                    if hasattr(launcher, "launch_cupy"):
                        self._cuda[nargs] = launcher
        return launcher

    def _publish(self, target_name, nargs, launcher):
        """Hand a CPU launcher's serial wrapper to the entry's fast path."""
        ndim = self._ndim(nargs)
        fast = self._fast_state
        if target_name == "cpu" and fast is not None and 1 <= ndim <= _ENTRY_NDIM:
            setattr(fast, f"S{ndim}", launcher.fast_serial())
            setattr(fast, f"T{ndim}", launcher.threshold)

    def _make_fast_state(self):
        fast = _KernelFast(self)
        self._fast_state = fast
        for (tname, nargs), launcher in list(self._launchers.items()):
            self._publish(tname, nargs, launcher)
        return fast

    def _ndim(self, nargs):
        ndim = len(self.params) - nargs
        if ndim < 0:
            raise TypeError(
                f"kernel {self.__qualname__} takes {len(self.params)} parameters "
                f"{self.params} but was called with {nargs} arguments"
            )
        return ndim

    def shape(self, ndrange, nargs):
        """Validate ``ndrange`` against the kernel's index parameters; return a tuple."""
        ndim = self._ndim(nargs)
        if isinstance(ndrange, (tuple, list)):
            dims = tuple(ndrange)
        else:
            dims = (ndrange,)
        try:
            shape = tuple(operator.index(n) for n in dims)
        except TypeError:
            raise LaunchError(
                f"kernel {self.__qualname__}: ndrange must be an int or a tuple of ints, "
                f"got {ndrange!r}"
            ) from None
        if len(shape) != ndim:
            wanted = self.params[len(shape) :]
            if len(shape) <= len(self.params):  # most likely an argument missing or extra
                raise LaunchError(
                    f"kernel {self.__qualname__}: with a {len(shape)}-d ndrange={ndrange!r} "
                    f"it takes {len(wanted)} argument(s) {wanted}, got {nargs}; with {nargs} "
                    f"argument(s), ndrange has {ndim} dimension(s) {self.params[:ndim]}"
                )
            raise LaunchError(
                f"kernel {self.__qualname__}: ndrange={ndrange!r} has {len(shape)} dimension(s) "
                f"but the kernel has {len(self.params)} parameter(s) {self.params}"
            )
        if any(n < 0 for n in shape):
            raise LaunchError(
                f"kernel {self.__qualname__}: ndrange={ndrange!r} has a negative extent"
            )
        return shape

    # -- calls
    def __call__(self, *args, ndrange, target=None, **options):
        return self._call(args, ndrange, target, options)

    def entry(self):
        """The public function of this kernel: what ``jd.kernel`` returns.

        A generated Python function rather than this object, because calling a function
        costs far less than calling an instance: its fast path (NumPy arrays and scalars,
        a small launch, code already compiled) only checks the keywords and the extents,
        then calls the compiled serial wrapper, whose Numba dispatcher checks the
        argument types in C. Everything else goes through :meth:`_call`.
        """
        from ._targets.cpu import NotCompiled

        nparams = len(self.params)
        namespace = {
            "NA": _NOT_GIVEN,
            "NUMBERS": (int, float),
            "K": _fast_state_of(self),
            "NotCompiled": NotCompiled,
            "SLOW": self._call_entry,
        }
        fn = generate_entry(_entry_source(nparams), namespace, self, "kernel")
        fn.__signature__ = _ENTRY_SIGNATURE
        return fn

    def _call_entry(self, given, extra, ndrange, target, stream, blocksize, cost):
        options = launch_options(stream=stream, blocksize=blocksize, cost=cost)
        return self._call(given_args(given, extra), ndrange, target, options)

    def _call(self, args, ndrange, target, options):
        nargs = len(args)
        cuda = self._cuda.get(nargs)
        if cuda is not None and target is None and _dispatch.HOT[0]:
            # CuPy arrays and plain scalars, in a combination launched before: straight
            # to the driver (the launcher checks the rest and declines anything else)
            cupy = sys.modules.get("cupy")
            cost = options.get("cost", 1)
            if (
                cupy is not None
                and options.keys() <= {"cost"}
                and type(cost) in (int, float)
                and cost > 0
                and cuda.launch_cupy(ndrange, args, cupy.ndarray)
            ):
                return
        shape = self.shape(ndrange, nargs)
        names = self.arg_names(nargs)
        infos = [_arrays.describe(a) for a in args]
        tgt, device_id, like = _dispatch.choose(
            f"kernel {self.__qualname__}", names, args, infos, target
        )
        if tgt.name != "cpu":
            tgt.check_available()
        prepared = self._prepare(tgt, args, infos, like, device_id)
        if _config.trace:
            why = _dispatch.reason(names, args, infos, tgt.name, target)
            _trace(self.__qualname__, tgt.name, why, device_id)
        launcher = self.launcher(tgt, nargs)
        cost = options.get("cost")
        if isinstance(cost, np.number) and not isinstance(cost, np.complexfloating):
            options = dict(options, cost=cost.item())  # a NumPy number: its Python value
            cost = options["cost"]
        if cost is not None and not (
            isinstance(cost, (int, float)) and not isinstance(cost, bool) and cost > 0
        ):
            raise LaunchError(
                f"kernel {self.__qualname__}: cost must be a positive number (the work per "
                f"index), got {cost!r}"
            )
        if tgt.name != "cpu":
            options = tgt.resolve_options(args, infos, device_id, options)
        elif set(options) - {"cost"}:
            unexpected = sorted(set(options) - {"cost"})
            raise TypeError(
                f"kernel {self.__qualname__}: unexpected options {unexpected} for the CPU"
            )
        loose = getattr(launcher, "loose", None)
        try:
            launcher(shape, prepared, device_id, options)
        except Exception as exc:
            self._diagnose(exc, prepared, nargs)
            raise
        if loose is False and launcher.loose:  # the fast path checks byte order now
            self._publish(tgt.name, nargs, launcher)

    def _prepare(self, tgt, args, infos, like, device_id):
        names = self.arg_names(len(args))
        prepared = []
        for name, obj, info in zip(names, args, infos, strict=True):
            if info is None:
                if type(obj) is int and not -(2**63) <= obj < 2**63:
                    if not 0 <= obj < 2**64:
                        raise OverflowError(
                            f"kernel {self.__qualname__}: argument `{name}` is {obj}, "
                            "beyond int64 and uint64"
                        )
                    obj = np.uint64(obj)  # (Numba's type for it) as a NumPy scalar
                prepared.append(obj)
                continue
            if info is _arrays.SEQUENCE:
                if self.written and name in self.written:
                    raise LaunchError(
                        f"kernel {self.__qualname__} writes to argument `{name}`, a "
                        f"{type(obj).__name__}: pass an array (a copy of it would be written "
                        "and thrown away)"
                    )
                like_obj = args[like] if like is not None else None
                like_info = infos[like] if like is not None else None
                obj = tgt.asarray(obj, like_obj, like_info, device_id)
                info = _arrays.describe(obj)
            kind = _bad_dtype(obj)
            if kind is not None:
                raise UnsupportedArgumentError(
                    f"kernel {self.__qualname__}: argument `{name}` has dtype {obj.dtype} "
                    f"({kind}), which compiled code cannot take; pass a bool, integer, "
                    "floating or complex array in native byte order"
                )
            prepared.append(tgt.prepare(obj, info))
        return prepared

    def _diagnose(self, exc, args, nargs):
        """Turn a Numba failure caused by a bad argument into an error that names it."""
        names = self.arg_names(nargs)
        for name, arg in zip(names, args, strict=True):
            kind = _bad_dtype(arg)
            if kind is not None:
                raise UnsupportedArgumentError(
                    f"kernel {self.__qualname__}: argument `{name}` has dtype {arg.dtype} "
                    f"({kind}), which compiled code cannot take; pass a bool, integer, "
                    "floating or complex array in native byte order"
                ) from exc
        written = self.written or set()
        for name, arg in zip(names, args, strict=True):
            flags = getattr(arg, "flags", None)
            if isinstance(flags, dict):  # numba device arrays
                writeable = flags.get("WRITEABLE", True)
            else:
                writeable = getattr(flags, "writeable", True)
            if name in written and not writeable:
                raise LaunchError(
                    f"kernel {self.__qualname__} writes to argument `{name}`, which is a "
                    "read-only array; pass a writeable array (for example a copy)"
                ) from exc

    # -- ahead of time
    def compile_ptx(self, *args, cc=(9, 0)):
        """PTX of this kernel's CUDA wrapper for arguments like ``args`` (no GPU needed).

        ``args`` are host examples (NumPy arrays, scalars) standing for device arrays of
        the same dtype, dimensions and layout.
        """
        target = _targets.get("cuda")
        module, _ = self._module(target, len(args))
        return target.compile_ptx(module.launch, signature(args, len(self.params) - len(args)), cc)


def signature(args, ndim):
    """Numba argument types of a launch: ``ndim`` int64 extents, then the arguments."""
    import numba

    from_host = [a if not isinstance(a, (list, tuple)) else np.asarray(a) for a in args]
    return (numba.int64,) * ndim + tuple(numba.typeof(a) for a in from_host)


def _trace(who, target, why, device_id=None):
    where = target if device_id is None else f"{target}:{device_id}"
    _config.log("%s -> %s (%s)", who, where, why)
