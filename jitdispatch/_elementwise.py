"""``jd.elementwise``: a scalar function becomes a broadcasting, ufunc-like function.

The scalar function is wrapped in a generated index-space kernel (one per number of
dimensions and pattern of array/scalar arguments), so everything a ``Kernel`` does
(target choice, caching, CUDA launch) applies unchanged.

Result dtype: NumPy's promotion of the inputs (``numpy.result_type``, Python scalars
weak), unless the function returns another kind of number (a comparison returns bool,
``math.sqrt`` of integers a float): then the function's own return type is used.
"""

import contextlib
import sys
import threading

import numpy as np

from . import _arrays, _cache, _config, _dispatch
from ._kernel import (
    _CO_VARARGS,
    _CO_VARKEYWORDS,
    _NOT_GIVEN,
    Func,
    Kernel,
    _bad_dtype,
    _fast_state_of,
    _trace,
    generate_entry,
    given_args,
    launch_options,
)
from .errors import UnsupportedArgumentError

_ndarray = np.ndarray
_lock = threading.RLock()
# bool < integer < floating < complex; signed and unsigned integers are one family.
_FAMILY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _index(ndim):
    return "()" if ndim == 0 else ", ".join(f"i{d}" for d in range(ndim))


def _make_body(name, ndim, pattern, func):
    idx = [f"i{d}" for d in range(ndim)]
    params = [f"a{k}" for k in range(len(pattern))]
    sub = "[" + _index(ndim) + "]"
    operands = ", ".join(
        p + sub if is_array else p for p, is_array in zip(params, pattern, strict=True)
    )
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in name)  # (a lambda's)
    source = f"def {name}({', '.join(idx + params + ['out'])}):\n    out{sub} = f({operands})\n"
    namespace = {"f": func}
    exec(compile(source, f"<jitdispatch elementwise {name}>", "exec"), namespace)
    return namespace[name]


class _Slow(Exception):
    """Raised inside a generated entry's fast path to take the full path."""


def _fast_key(args, array_class=_ndarray):
    """The fast path's key for ``args`` (arrays of ``array_class`` of one shape, NumPy's
    or CuPy's, and Python scalars): each array's dtype or scalar's type, then the
    number of dimensions; else None."""
    shape = None
    key = []
    for a in args:
        t = type(a)
        if t is array_class:
            if shape is None:
                shape = a.shape
            elif a.shape != shape:
                return None
            key.append(a.dtype)
        elif t is float or t is int or t is bool:
            key.append(t)
        else:
            return None
    if not shape:
        return None
    return (*key, len(shape))


def _entry_source(nin):
    """Source of the public function of an elementwise function of ``nin`` operands.

    Its fast path takes NumPy arrays of one shape and Python scalars whose types were
    seen before (``E.fast``, keyed as :func:`_fast_key` says; ``E`` is the
    `_ElementwiseFast` of the function): it allocates the result and
    calls the compiled serial wrapper directly, or the launcher for large arrays.
    Anything else, a first call, or argument types the wrapper has no code for
    (``NotCompiled``, a new layout, a Python int beyond its integer type: ``OverflowError``)
    take the full path, ``SLOW``.
    """
    params = [f"p{k}" for k in range(nin)]
    head = ", ".join([f"{p}=NA" for p in params] + (["/"] if params else []))
    sep = ", " if params else ""
    lines = [
        f"def entry({head}{sep}*extra, out=None, target=None, stream=None, blocksize=None):",
    ]
    if not params:
        lines.append("    return SLOW((), extra, out, target, stream, blocksize)")
        return "\n".join(lines) + "\n"
    lines += [
        "    if E.hot[0] and out is None and target is None and stream is None"
        " and blocksize is None and not extra:",
        "        try:",
    ]
    for k, p in enumerate(params):
        lines += [f"            t{k} = type({p})", f"            if t{k} is ndarray:"]
        if k == 0:
            lines += ["                shape = p0.shape"]
        else:
            lines += [
                "                if shape is None:",
                f"                    shape = {p}.shape",
                f"                elif {p}.shape != shape:",
                "                    raise Slow",
            ]
        lines += [
            f"                k{k} = {p}.dtype",
            f"            elif t{k} in SCALARS:",
            f"                k{k} = t{k}",
        ]
        if k == 0:
            lines += ["                shape = None"]
        lines += ["            else:", "                raise Slow"]
    keys = ", ".join([f"k{k}" for k in range(nin)] + ["len(shape)"])
    operands = ", ".join(params)
    lines += [
        "            if not shape:",  # no array, or 0-d ones: the result is a scalar
        "                raise Slow",
        f"            launcher, dtype = E.fast[({keys})]",
        "            res = empty(shape, dtype)",
        "            work = 1",
        "            for n in shape:",
        "                work *= n",
        "            if work < launcher.threshold:",
        f"                launcher.serial(*shape, {operands}{sep}res)",
        "            else:",
        f"                launcher(shape, ({operands}{sep}res))",
        "            return res",
        "        except (Slow, KeyError, OverflowError, NotCompiled):",
        "            pass",
        f"    return SLOW(({operands},), extra, out, target, stream, blocksize)",
    ]
    return "\n".join(lines) + "\n"


class Elementwise:
    """A broadcasting function built from a scalar one; see :func:`jitdispatch.elementwise`."""

    def __init__(self, py_func):
        self.func = Func(py_func)
        code = py_func.__code__
        if (
            code.co_flags & (_CO_VARARGS | _CO_VARKEYWORDS)
            or code.co_kwonlyargcount
            or py_func.__defaults__
            or code.co_argcount == 0
        ):
            raise TypeError(
                f"elementwise {py_func.__qualname__}: use one or more plain positional "
                "parameters, one per operand; *args, **kwargs, defaults and keyword-only "
                "parameters are not supported"
            )
        self.py_func = py_func
        self.__name__ = py_func.__name__
        self.__qualname__ = py_func.__qualname__
        self.__doc__ = py_func.__doc__
        self.__module__ = py_func.__module__
        self.__wrapped__ = py_func
        self.nin = py_func.__code__.co_argcount
        self._kernels = {}  # (ndim, pattern) -> Kernel
        self._fast = {}  # (ndim, dtypes/types) -> (launcher, result dtype)
        self._fast_state = None  # what the public function's fast path reads
        self._cupy = {}  # the same for CuPy arrays: (CUDA launcher, result dtype)
        self._dtypes = {}

    def __repr__(self):
        return f"<jitdispatch.elementwise {self.__qualname__}>"

    def __reduce__(self):
        # Dask graphs hold this object (dask.distributed pickles them): rebuilt from the
        # Python function, compiled where it is unpickled
        return (_rebuilt, (self.py_func,))

    def _make_fast_state(self):
        return _ElementwiseFast(self)

    def kernel(self, ndim, pattern):
        key = (ndim, pattern)
        kern = self._kernels.get(key)
        if kern is None:
            with _lock:
                kern = self._kernels.get(key)
                if kern is None:
                    tag = "".join("a" if p else "s" for p in pattern)
                    body = _make_body(f"{self.__name__}_ew{ndim}{tag}", ndim, pattern, self.func)
                    kern = Kernel(body, written={"out"})
                    self._kernels[key] = kern
        return kern

    # -- result dtype
    def result_dtype(self, operands):
        """The dtype of ``self(*operands)`` for arrays and Python scalars in ``operands``."""
        key = tuple(_operand_key(op) for op in operands)
        dtype = self._dtypes.get(key)
        if dtype is None:
            dtype = self._infer(key, operands)
            self._dtypes[key] = dtype
        return dtype

    def _infer(self, key, operands):
        promoted = np.result_type(*[op if _is_scalar(op) else op.dtype for op in operands])
        table_key = "ew_" + self.func._jd_fingerprint()
        types_key = ",".join(map(str, key))
        known = _cache.dtype_table(table_key).get(types_key)
        if known is not None:
            return np.dtype(known)
        returned = self._returned_dtype(operands)
        if returned is None or _FAMILY.get(returned.kind) == _FAMILY.get(promoted.kind):
            dtype = promoted
        else:
            dtype = returned
        _cache.remember_dtype(table_key, types_key, dtype.str)
        return dtype

    def _returned_dtype(self, operands):
        import numba
        from numba.np.numpy_support import as_dtype

        from ._targets import cpu

        argtypes = []
        for op in operands:
            if _is_scalar(op):
                argtypes.append(numba.typeof(op))
            else:
                argtypes.append(numba.from_dtype(np.dtype(op.dtype)))
        dispatcher = self.func._jd_resolve(cpu)
        try:
            dispatcher.compile(tuple(argtypes))
            sig = next(s for s in dispatcher.nopython_signatures if s.args == tuple(argtypes))
            return as_dtype(sig.return_type)
        except Exception as exc:
            if _config.trace:
                _config.log("%s: return type not inferred on the CPU (%s)", self.__name__, exc)
            return None

    # -- calls
    def __call__(self, *args, out=None, target=None, **options):
        return self._call(args, out, target, options)

    def entry(self):
        """The public function: what ``jd.elementwise`` returns.

        A generated function rather than this object, because calling a function costs
        far less than calling an instance; see :func:`_entry_source` for its fast path.
        """
        from ._targets.cpu import NotCompiled

        namespace = {
            "NA": _NOT_GIVEN,
            "E": _fast_state_of(self),
            "ndarray": _ndarray,
            "SCALARS": frozenset({float, int, bool}),
            "empty": np.empty,
            "Slow": _Slow,
            "NotCompiled": NotCompiled,
            "SLOW": self._call_entry,
        }
        fn = generate_entry(_entry_source(self.nin), namespace, self, "elementwise")
        fn.nin = self.nin
        return fn

    def _call_entry(self, given, extra, out, target, stream, blocksize):
        args = given_args(given, extra)
        options = launch_options(stream=stream, blocksize=blocksize)
        fast_key = cupy_key = None
        if out is None and target is None and not options:
            fast_key = _fast_key(args)
            cupy = sys.modules.get("cupy")
            if fast_key is None and cupy is not None and _dispatch.HOT[0]:
                cupy_key = _fast_key(args, cupy.ndarray)
                if cupy_key is not None:
                    res = self._cupy_call(args, cupy_key, cupy)
                    if res is not None:
                        return res
        return self._call(args, out, target, options, fast_key=fast_key, cupy_key=cupy_key)

    def _cupy_call(self, args, key, cupy):
        """The result of a call with CuPy arrays of one shape and Python scalars whose
        classes launched before (``self._cupy``), or None for the full path."""
        from ._targets import cuda as cuda_target

        found = self._cupy.get(key)
        if found is None:
            return None
        launcher, dtype = found
        first = next(a for a in args if type(a) is cupy.ndarray)
        res = cuda_target.cupy_empty(first.shape, dtype, first.data.device_id)
        if launcher.launch_cupy(first.shape, (*args, res), cupy.ndarray):
            return res
        return None

    def _call(self, args, out, target, options, fast_key=None, cupy_key=None):
        if len(args) != self.nin:
            raise TypeError(
                f"{self.__name__}() takes {self.nin} arguments but {len(args)} were given"
            )
        names = [f"x{k + 1}" for k in range(len(args))] + ["out"]
        objs = list(args) + ([out] if out is not None else [])
        infos = [_arrays.describe(a) for a in objs]
        if any(i is not None and i is not _arrays.SEQUENCE and i.device == "dask" for i in infos):
            return self._dask(args, out, target, options)
        tgt, device_id, like = _dispatch.choose(
            f"elementwise {self.__qualname__}", names[: len(objs)], objs, infos, target
        )
        if tgt.name != "cpu":
            tgt.check_available()
            if out is not None:
                args = _device_apart_from(args, out, self.__name__)
                infos[: len(args)] = [_arrays.describe(a) for a in args]
        like_obj = objs[like] if like is not None else None
        like_info = infos[like] if like is not None else None
        operands = []
        for obj, info in zip(args, infos[: len(args)], strict=True):
            if info is _arrays.SEQUENCE:
                obj = tgt.asarray(obj, like_obj, like_info, device_id)
                info = _arrays.describe(obj)
            if info is not None or isinstance(obj, np.generic):
                bad = _bad_dtype(obj)
                if bad:
                    raise UnsupportedArgumentError(
                        f"elementwise {self.__qualname__}: an argument has dtype {obj.dtype} "
                        f"({bad}); "
                        "pass bool, integer, floating or complex arrays in native byte order"
                    )
            if info is not None:
                obj = tgt.prepare(obj, info)
            operands.append(obj)
        shape = _broadcast_shape([op.shape for op in operands if not _is_scalar(op)])
        python_ints = any(type(op) is int for op in operands)
        operands, dtype, cast = self._as_numpy_operands(operands)
        if cast or (
            python_ints
            and (dtype.kind in "iu" or any(type(op) is np.uint64 for op in operands))
        ):
            fast_key = None  # values a fast call would not check (see _python_ints_for)
        pattern = tuple(not _is_scalar(op) for op in operands)
        if out is None:
            res, public = tgt.empty(shape, dtype, like_obj, like_info, device_id)
        else:
            out_info = infos[-1]
            if out_info is None or out_info is _arrays.SEQUENCE:
                raise TypeError(f"{self.__name__}: out must be an array, got {type(out).__name__}")
            if tuple(out.shape) != shape:
                # NumPy's rule: the inputs broadcast to out's shape, which may be larger
                try:
                    wider = tuple(np.broadcast_shapes(shape, tuple(out.shape)))
                except ValueError:
                    wider = None
                if wider != tuple(out.shape):
                    raise ValueError(
                        f"{self.__name__}: out has shape {tuple(out.shape)} but the inputs "
                        f"broadcast to {shape}"
                    )
                shape = wider
            res = tgt.prepare(out, out_info)
            if not np.can_cast(dtype, res.dtype, "same_kind"):
                raise TypeError(
                    f"{self.__name__}: cannot cast the result from {dtype} to out's dtype "
                    f"{res.dtype} with casting rule 'same_kind'"
                )
            public = out
        operands = [op if _is_scalar(op) else tgt.broadcast(op, shape) for op in operands]
        if out is not None:
            operands = [_apart_from(op, res) for op in operands]
        kern = self.kernel(len(shape), pattern)
        if _config.trace:
            why = _dispatch.reason(names, objs, infos, tgt.name, target)
            _trace(self.__qualname__, tgt.name, why, device_id)
        launcher = kern.launcher(tgt, len(operands) + 1)
        if tgt.name != "cpu":
            options = tgt.resolve_options(objs, infos, device_id, options)
        elif options:
            raise TypeError(f"{self.__name__}: unexpected options {sorted(options)} for the CPU")
        try:
            launcher(shape, tuple(operands) + (res,), device_id, options)
        except Exception as exc:
            kern._diagnose(exc, tuple(operands) + (res,), len(operands) + 1)
            raise
        if fast_key is not None and tgt.name == "cpu":
            self._fast[fast_key] = (launcher, dtype)
        if cupy_key is not None and hasattr(launcher, "launch_cupy"):
            self._cupy[cupy_key] = (launcher, dtype)
        if not shape and out is None and type(public) is np.ndarray:
            return public[()]  # a NumPy scalar, as a ufunc gives for 0-d operands
        return public

    def _as_numpy_operands(self, operands):
        """``(operands, result dtype, cast)``: the operands as NumPy's ufunc rules take
        them (see `_as_numpy_would`, `_huge_ints_as_floats`, `_python_ints_for`); ``cast``
        says whether an array operand was converted."""
        operands, cast = _as_numpy_would(_huge_ints_as_floats(operands))
        dtype = self.result_dtype(
            [op if _is_scalar(op) else _DtypeOnly(op.dtype) for op in operands]
        )
        return _python_ints_for(operands, dtype), dtype, cast

    def _dask(self, args, out, target, options):
        target = target or _dispatch.forced_target()
        if out is not None:
            raise TypeError(f"{self.__name__}: out= is not supported with Dask arrays")
        from dask.array.core import elemwise

        args = [np.asarray(a) if _arrays.describe(a) is _arrays.SEQUENCE else a for a in args]
        metas = [a if _is_scalar(a) else _DtypeOnly(a.dtype) for a in args]
        dtype = self.result_dtype(metas)

        from ._targets.cpu import serial

        def block(*blocks):
            with serial():  # Dask's workers already keep every core busy
                return self(*blocks, target=target, **options)

        return elemwise(block, *args, dtype=dtype, name=f"jd-{self.__name__}")

    # -- ahead of time
    def compile_ptx(self, *args, cc=(9, 0)):
        """PTX of the CUDA kernel for operands like ``args`` (host examples; no GPU needed),
        converted as a call converts them (sequences, Python ints NumPy would widen)."""
        args = [a if _is_scalar(a) else np.asarray(a) for a in args]
        shape = _broadcast_shape([a.shape for a in args if not _is_scalar(a)])
        args, dtype, _cast = self._as_numpy_operands(args)
        pattern = tuple(not _is_scalar(a) for a in args)
        examples = [a if _is_scalar(a) else np.broadcast_to(a, shape) for a in args]
        return self.kernel(len(shape), pattern).compile_ptx(
            *examples, np.empty(shape, dtype), cc=cc
        )


class _ElementwiseFast:
    """What an elementwise function's public function reads on its fast path (``E``):
    the dispatch's ``hot`` flag and the table ``fast`` of known argument types. One
    object, so that the public function pickled by value (see `_kernel._KernelFast`)
    unpickles with the fast path of the function rebuilt there."""

    __slots__ = ("fast", "hot", "owner")

    def __init__(self, owner):
        self.owner = owner
        self.hot = _dispatch.HOT
        self.fast = owner._fast

    def __reduce__(self):
        return (_fast_state_of, (self.owner,))


_REBUILT = {}  # fingerprint -> Elementwise, one per function in a process


def _rebuilt(py_func):
    """The Elementwise of an unpickled ``py_func``: one per distinct function (code and
    the values it refers to) in this process, so that the tasks of a graph share its
    compiled code."""
    from ._kernel import fingerprint_function, interned

    return interned(_REBUILT, fingerprint_function(py_func), lambda: Elementwise(py_func))


class _DtypeOnly:
    """Stands for an array when only its dtype matters."""

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = np.dtype(str(dtype)) if not isinstance(dtype, np.dtype) else dtype


def _is_scalar(obj):
    return isinstance(obj, (bool, int, float, complex, np.generic))


def _as_numpy_would(operands):
    """``(operands, cast)``: uint64 operands mixed with signed integers as float64, as
    NumPy's loops take them (its result is float64); Numba would add them as int64 and
    wrap at 2**63. ``cast`` says whether any operand changed."""
    python = (bool, int, float, complex)
    kinds = [np.dtype(op.dtype) for op in operands if not isinstance(op, python)]
    if not (any(k == np.uint64 for k in kinds) and any(k.kind == "i" for k in kinds)):
        return operands, False
    widened = []
    for op in operands:
        kind = None if isinstance(op, python) else np.dtype(op.dtype).kind
        if kind in ("i", "u"):
            op = np.float64(op) if isinstance(op, np.generic) else op.astype(np.float64)
        widened.append(op)
    return widened, True


def _huge_ints_as_floats(operands):
    """Python ints beyond int64 and uint64 as floats next to floating operands (NumPy's
    float64 result); next to integers only, NumPy's OverflowError."""
    huge = [op for op in operands if type(op) is int and not -(2**63) <= op < 2**64]
    if not huge:
        return operands
    kinds = [np.dtype(op.dtype).kind for op in operands if hasattr(op, "dtype")]
    kinds += ["f" for op in operands if type(op) in (float, complex)]
    if not any(k in "fc" for k in kinds):
        raise OverflowError(f"Python integer {huge[0]} out of bounds for int64 and uint64")
    return [float(op) if type(op) is int and op in huge else op for op in operands]


def _python_ints_for(operands, dtype):
    """Python int operands checked against the result ``dtype`` as NumPy checks them
    (1000 with an int8 array is an OverflowError, not -24), and those beyond int64 made
    uint64 or float64 where that dtype holds them."""
    if not any(type(op) is int for op in operands):
        return operands
    # beside uint64 arrays, NumPy computes with such an int as a uint64; Numba would take
    # it as an int64, and mix the two through float64 (``//`` and ``%`` then go wrong)
    unsigned = any(
        not isinstance(op, (bool, int, float, complex)) and np.dtype(op.dtype) == np.uint64
        for op in operands
    )
    checked = []
    for op in operands:
        if type(op) is int and unsigned and 0 <= op < 2**64:
            op = np.uint64(op)
        elif type(op) is int:
            if dtype.kind in "iu":
                info = np.iinfo(dtype)
                if not info.min <= op <= info.max:
                    raise OverflowError(f"Python integer {op} out of bounds for {dtype}")
                if op > np.iinfo(np.int64).max:
                    op = np.uint64(op)
            elif dtype.kind in "fc" and not -(2**63) <= op < 2**63:
                op = float(op)
        checked.append(op)
    return checked


def _apart_from(op, out):
    """``op``, or a copy where it overlaps ``out`` other than element for element, as
    NumPy's ufuncs copy (a[1:] = f(a[:-1]) must read the old values)."""
    if _is_scalar(op):
        return op
    if type(op).__name__ == "FakeCUDAArray" and type(out).__name__ == "FakeCUDAArray":
        # the CUDA simulator's device arrays, over host memory
        kept = _apart_from(op._ary, out._ary)
        return op if kept is op._ary else type(op)(kept)
    if type(op) is not np.ndarray or type(out) is not np.ndarray:
        return op
    if not np.may_share_memory(op, out):
        return op
    same = (
        op.__array_interface__["data"][0] == out.__array_interface__["data"][0]
        and op.strides == out.strides
        and op.dtype.itemsize == out.dtype.itemsize
    )
    return op if same else op.copy()


def _strides(cai):
    """The byte strides an array interface gives, or those of a C-contiguous array."""
    if cai.get("strides") is not None:
        return tuple(cai["strides"])
    strides, step = [], np.dtype(cai["typestr"]).itemsize
    for n in reversed(tuple(cai["shape"])):
        strides.append(step)
        step *= n
    return tuple(reversed(strides))


def _byte_span(cai):
    """``(first, end)`` bytes an array with this ``__cuda_array_interface__`` spans, or
    None when it is empty."""
    shape = tuple(cai["shape"])
    if 0 in shape:
        return None
    itemsize = np.dtype(cai["typestr"]).itemsize
    strides = _strides(cai)
    reach = [(n - 1) * s for n, s in zip(shape, strides, strict=True)]
    start = cai["data"][0]
    return start + sum(r for r in reach if r < 0), start + sum(r for r in reach if r > 0) + itemsize


def _same_elements(a, b):
    """Whether two arrays' interfaces name the same elements in the same order."""
    return (
        a["data"][0] == b["data"][0]
        and tuple(a["shape"]) == tuple(b["shape"])
        and np.dtype(a["typestr"]).itemsize == np.dtype(b["typestr"]).itemsize
        and _strides(a) == _strides(b)
    )


def _device_apart_from(args, out, name):
    """``args`` with a copy of each device array whose memory overlaps ``out`` other than
    element for element, as CuPy's ufuncs copy such inputs; the copy is made by the
    array's own library (CuPy's ``copy``, torch's ``clone``)."""
    out_cai = getattr(out, "__cuda_array_interface__", None)
    out_span = _byte_span(out_cai) if out_cai is not None else None
    if out_span is None:
        return args
    kept = []
    for k, arg in enumerate(args):
        cai = getattr(arg, "__cuda_array_interface__", None)
        span = _byte_span(cai) if cai is not None else None
        if (
            span is not None
            and span[0] < out_span[1]
            and out_span[0] < span[1]
            and not _same_elements(cai, out_cai)
        ):
            copy = getattr(arg, "clone", None) or getattr(arg, "copy", None)
            if copy is None:
                raise UnsupportedArgumentError(
                    f"{name}: argument `x{k + 1}` ({type(arg).__name__}) overlaps `out` "
                    "in memory; pass a copy of it"
                )
            arg = _copied_on_its_device(arg, copy)
        kept.append(arg)
    return tuple(kept)


def _copied_on_its_device(arg, copy):
    """``copy()`` made on ``arg``'s device (CuPy copies onto the current one) and
    finished before the launch, which may use another stream than the library's."""
    device = getattr(arg, "device", None)
    guard = device if hasattr(device, "__enter__") else contextlib.nullcontext()
    with guard:
        copied = copy()
    module = type(arg).__module__.split(".")[0]
    if module == "cupy":
        sys.modules["cupy"].cuda.get_current_stream().synchronize()
    elif module == "torch":
        sys.modules["torch"].cuda.current_stream(arg.device).synchronize()
    return copied


def _operand_key(op):
    return (
        type(op).__name__
        if _is_scalar(op) and not isinstance(op, np.generic)
        else np.dtype(op.dtype).str
    )


def _broadcast_shape(shapes):
    try:
        return tuple(np.broadcast_shapes(*[tuple(s) for s in shapes])) if shapes else ()
    except ValueError:
        raise ValueError(
            "operands could not be broadcast together with shapes "
            + " ".join(str(tuple(s)) for s in shapes)
        ) from None
