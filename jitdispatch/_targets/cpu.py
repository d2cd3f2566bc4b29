"""The CPU target: Numba ``njit``; parallel over the outer dimension for large launches.

Threading: a launch with at least ``PARALLEL_THRESHOLD`` units of work (indices, times
the launch's ``cost=`` per index when given) runs the ``prange`` wrapper, anything
smaller the serial one, so tiny calls pay no threading cost. Numba's
``workqueue`` layer aborts the process when two threads launch parallel code at once (as
Dask's threaded scheduler does); when that layer is the one in use, a launch that finds
another parallel launch running runs serially instead of waiting. The ``omp`` and ``tbb``
layers are thread-safe and need no such guard. :func:`serial` forces serial launches in a
block (Dask runs one chunk per thread and wants no nested parallelism).

Exceptions: Numba's ``prange`` loses an exception raised in a parallel thread (the
threads' status codes are dropped: the launch returns with some outputs unwritten). The
parallel wrapper therefore splits axis 0 into one span per thread and runs each span
through ``failed_call``, which calls the compiled serial loops and returns whether they
raised. A launch whose spans raised is run again serially, which raises the exception
itself. Checking costs a little speed (a loop that may exit early vectorises less), so
kernels declared ``jd.kernel(raises=False)`` use ``parallel_unchecked``, a plain
``prange`` over axis 0.
"""

import contextlib
import contextvars
import math
import threading
import types

import numpy as np

from .. import _arrays, _cache, _config
from ..errors import LaunchError

name = "cpu"
# Outputs one index should compute side by side (see jd.lanes): 64 float64 are 16 AVX2 or
# 8 AVX-512 vectors, enough for a vector loop to pay for the index's own cost.
lanes = 64

_serial_only = contextvars.ContextVar("jitdispatch_serial_only", default=False)
_workqueue_lock = threading.Lock()
_layer = {"name": None}


def _numba():
    import numba

    return numba


def check_available():
    """The CPU target is always available once Numba imports."""
    _numba()


@contextlib.contextmanager
def serial():
    """Run every CPU launch in this block (this thread or task) serially."""
    token = _serial_only.set(True)
    try:
        yield
    finally:
        _serial_only.reset(token)


def compile_function(py_func, body=False):
    """``body=True`` for a kernel body: inlined into its wrapper at Numba IR level, which
    lets LLVM optimise the index loops and the body together. Helpers are not inlined:
    inlining every call site of a helper multiplies compile time."""
    numba = _numba()
    inline = "always" if body else "never"
    return numba.njit(nogil=True, error_model="numpy", inline=inline)(py_func)


def _stack_array():
    """``jd.local.array(n, dtype)`` with a constant ``n``: scratch on the stack of the
    compiled function (one alloca in its entry block, so a loop reuses it), as CUDA's
    local arrays are per thread. A heap array would cost an allocation and a free per
    kernel index. Other shapes fall back to ``np.empty``."""
    from numba.core import cgutils
    from numba.core import types as nbtypes
    from numba.extending import intrinsic
    from numba.np.arrayobj import make_array, populate_array

    @intrinsic
    def stack_array(typingctx, shape, dtype):
        if isinstance(dtype, nbtypes.DType):
            element = dtype.dtype
        elif isinstance(dtype, nbtypes.NumberClass):
            element = dtype.instance_type
        else:
            return None
        if not isinstance(shape, nbtypes.IntegerLiteral) or shape.literal_value < 1:
            return None
        n = shape.literal_value
        array_type = nbtypes.Array(element, 1, "C")

        def codegen(context, builder, signature, args):
            intp = context.get_value_type(nbtypes.intp)
            data_type = context.get_data_type(element)
            itemsize = context.get_abi_sizeof(data_type)
            data = cgutils.alloca_once(builder, data_type, size=intp(n))
            array = make_array(array_type)(context, builder)
            populate_array(
                array,
                data=data,
                shape=[intp(n)],
                strides=[intp(itemsize)],
                itemsize=intp(itemsize),
                meminfo=None,
            )
            return array._getvalue()

        return array_type(shape, dtype), codegen

    return stack_array


def _make_local():
    _numba()
    from numba.extending import overload

    module = types.ModuleType("jitdispatch_local_cpu")
    stack_array = _stack_array()

    def array(shape, dtype):
        return np.empty(shape, dtype)

    @overload(array, jit_options={"nogil": True}, prefer_literal=True)
    def _array(shape, dtype):
        from numba.core import types as nbtypes

        if isinstance(shape, nbtypes.IntegerLiteral) and shape.literal_value >= 1:
            return lambda shape, dtype: stack_array(shape, dtype)
        return lambda shape, dtype: np.empty(shape, dtype)

    module.array = array
    return module


_local = {}
_extremes = {}


def _make_extreme(name):
    """An intrinsic for ``jd.fmin`` / ``jd.fmax``: LLVM's ``minnum`` / ``maxnum`` for
    floats (NaN operands give the other operand, as in NumPy's fmin / fmax); a compare
    and select for integers and booleans."""
    from llvmlite import ir
    from numba.core import cgutils
    from numba.core import types as nbtypes
    from numba.extending import intrinsic

    smaller = name == "fmin"

    @intrinsic
    def extreme(typingctx, a, b):
        ty = typingctx.unify_types(a, b)
        if not isinstance(ty, (nbtypes.Float, nbtypes.Integer, nbtypes.Boolean)):
            return None

        def codegen(context, builder, signature, args):
            x = context.cast(builder, args[0], a, ty)
            y = context.cast(builder, args[1], b, ty)
            if isinstance(ty, nbtypes.Float):
                llty = context.get_value_type(ty)
                fname = f"llvm.{'minnum' if smaller else 'maxnum'}.f{ty.bitwidth}"
                fn = cgutils.get_or_insert_function(
                    builder.module, ir.FunctionType(llty, [llty, llty]), fname
                )
                return builder.call(fn, [x, y])
            op = "<" if smaller else ">"
            if isinstance(ty, nbtypes.Integer) and ty.signed:
                pred = builder.icmp_signed(op, y, x)
            else:
                pred = builder.icmp_unsigned(op, y, x)
            return builder.select(pred, y, x)

        return ty(a, b), codegen

    return extreme


def extreme(name, py_func):
    """``jd.fmin`` / ``jd.fmax`` for CPU bodies (see `_make_extreme`)."""
    if name not in _extremes:
        _numba()
        _extremes[name] = _make_extreme(name)
    return _extremes[name]


def local():
    if "m" not in _local:
        _local["m"] = _make_local()
    return _local["m"]


def _loops(ndim, body_call, outer):
    lines = []
    for d in range(ndim):
        if d == 0 and outer != "range":
            # prange's index may be unsigned; bodies mixing it with signed ints would
            # get float64 indices, so hand them a signed one as range() does.
            lines.append(f"    for j0 in {outer}(n0):")
            lines.append("        i0 = numba.int64(j0)")
        else:
            lines.append("    " * (d + 1) + f"for i{d} in range(n{d}):")
    lines.append("    " * (ndim + 1) + body_call)
    return lines


def wrapper_source(ndim, nargs):
    """Source of a kernel's CPU wrappers: ``serial`` runs the whole index space;
    ``parallel`` shares axis 0 out between the threads, one span each, runs each span
    with ``span`` (the serial loops from ``lo`` to ``hi``) through ``failed_call`` and
    returns how many spans raised (see the module's docstring)."""
    sizes = [f"n{d}" for d in range(ndim)]
    args = [f"a{k}" for k in range(nargs)]
    params = ", ".join(sizes + args)
    call = "body(" + ", ".join([f"i{d}" for d in range(ndim)] + args) + ")"
    src = [
        f"# Generated by jitdispatch (codegen {_cache.CODEGEN_VERSION}): CPU launch wrappers",
        f"# for a {ndim}-d index space and {nargs} arguments. The kernel body is the",
        "# global `body`, injected before this module runs; `span` and `failed_call` are",
        "# set before `parallel` compiles.",
        "import numba",
        "",
        f"def serial({params}):",
    ]
    src += _loops(ndim, call, "range") if ndim else ["    " + call]
    # both parallel wrappers take ``parts``, the number of threads to share axis 0 out to
    # (numba.get_num_threads() called from compiled code would keep it out of the cache)
    if not ndim:
        src += ["", "", f"def parallel(parts, {params}):", "    " + call, "    return 0"]
        src += ["", "", f"def parallel_unchecked(parts, {params}):", "    " + call]
        src += ["    return 0"]
        return "\n".join(src) + "\n"
    # for bodies declared not to raise (jd.kernel(raises=False)): threads' errors unchecked
    src += ["", "", f"def parallel_unchecked(parts, {params}):"]
    src += _loops(ndim, call, "numba.prange") + ["    return 0"]
    span_args = ", ".join(["lo", "hi", *sizes, *args])
    src += ["", "", f"def span_loops(lo, hi, {params}):"]
    src += [line.replace("range(n0)", "range(lo, hi)") for line in _loops(ndim, call, "range")]
    src += [
        "",
        "",
        f"def parallel(parts, {params}):",
        "    failed = 0",
        "    for q in numba.prange(parts):",
        "        p = numba.int64(q)",
        "        lo = n0 * p // parts",
        "        hi = n0 * (p + 1) // parts",
        f"        failed += failed_call(span, ({span_args}))",
        "    return failed",
    ]
    return "\n".join(src) + "\n"


def _make_failed_call():
    """``failed_call(fn, args)``: call the compiled function ``fn`` with the tuple
    ``args`` and return 1 if it raised, else 0, without propagating the exception."""
    _numba()
    from llvmlite import ir
    from numba.core import cgutils
    from numba.core import types as nbtypes
    from numba.extending import intrinsic

    @intrinsic
    def failed_call(typingctx, fn, args):
        inner = typingctx.resolve_function_type(fn, tuple(args.types), {})
        if inner is None:
            return None

        def codegen(context, builder, signature, llargs):
            result = fn.dispatcher.get_compile_result(inner)
            context.add_linking_libs([result.library])
            fndesc = result.fndesc
            callee = context.declare_function(builder.module, fndesc)
            values = cgutils.unpack_tuple(builder, llargs[1], len(args.types))
            values = [
                context.cast(builder, v, have, want)
                for v, have, want in zip(values, args.types, fndesc.argtypes, strict=True)
            ]
            status, _ = context.call_conv.call_function(
                builder, callee, fndesc.restype, fndesc.argtypes, values
            )
            return builder.zext(status.is_error, ir.IntType(64))

        return nbtypes.int64(fn, args), codegen

    return failed_call


_failed = {}


def failed_call():
    if "f" not in _failed:
        _failed["f"] = _make_failed_call()
    return _failed["f"]


class NotCompiled(Exception):
    """Raised by a serial wrapper called directly with argument types it has no code for."""


def _refuse_new_types(dispatcher):
    """Make ``dispatcher`` raise NotCompiled, instead of compiling, for new argument types.

    Hot paths call serial wrappers directly and let Numba's dispatcher check the argument
    types in C. Any argument Numba has no code for (a new dtype or layout, a list, a CuPy
    array, a torch tensor) then lands here, and the hot path hands the call to the full
    dispatch, which converts or rejects the argument and compiles with :func:`compile_for`.
    Compilation stays enabled, so Numba never converts a scalar to fit existing code.
    """

    def refuse(*args, **kwargs):
        raise NotCompiled

    dispatcher._compile_for_args = refuse
    return dispatcher


def compile_for(dispatcher, args):
    """Compile ``dispatcher`` for the types of ``args`` (what its call would compile)."""
    type(dispatcher)._compile_for_args(dispatcher, *args)


class Launcher:
    """Runs one kernel body over an index space on the CPU.

    ``serial`` is the compiled serial wrapper itself: callers on a hot path may call it
    directly, with the extents then the arguments, when the launch is below
    ``threshold`` indices. It compiles nothing: argument types it has no code for raise
    :class:`NotCompiled`, and the caller then goes through this launcher.
    """

    __slots__ = ("_module", "_on_disk", "_parallel", "_raises", "loose", "serial", "threshold")

    def __init__(self, module, on_disk, raises=True):
        numba = _numba()
        self._module = module
        self._on_disk = on_disk
        self._raises = raises
        self.serial = _refuse_new_types(
            _cache.guard(numba.njit(nogil=True, cache=on_disk, error_model="numpy")(module.serial))
        )
        self._parallel = None
        self.threshold = _config.PARALLEL_THRESHOLD
        self.loose = False  # compiled for an array Numba's dispatcher keys loosely

    def fast_serial(self):
        """What a hot path may call: ``serial``, or once it has code for an array that
        Numba's dispatcher keys by ndim and dtype number alone (strided, unaligned or
        read-only), ``serial`` behind a check that no argument is byte-swapped, since
        Numba would take such an array for that one and read its bytes unswapped."""
        if not self.loose:
            return self.serial
        serial = self.serial

        def native_only(*args):
            for arg in args:
                if type(arg) is np.ndarray and not arg.dtype.isnative:
                    raise NotCompiled  # the full dispatch names the argument
            return serial(*args)

        return native_only

    def _parallel_dispatcher(self):
        if self._parallel is None:
            numba = _numba()
            module = self._module
            wrapper = module.parallel if self._raises else module.parallel_unchecked
            if self._raises and hasattr(module, "span_loops"):
                module.failed_call = failed_call()
                module.span = _cache.guard(
                    numba.njit(nogil=True, cache=self._on_disk, error_model="numpy")(
                        module.span_loops
                    )
                )
            self._parallel = _cache.guard(
                numba.njit(parallel=True, nogil=True, cache=self._on_disk, error_model="numpy")(
                    wrapper
                )
            )
        return self._parallel

    def dispatchers(self):
        return [d for d in (self.serial, self._parallel) if d is not None]

    def wants_parallel(self, shape, cost=1):
        return _wants_parallel(shape, cost, self.threshold)

    def __call__(self, shape, args, device_id=None, options=None):
        if self.wants_parallel(shape, options.get("cost", 1) if options else 1):
            try:
                failed = _run_parallel(self._parallel_dispatcher(), shape, args, self._serial)
            except Exception as exc:
                if type(exc).__name__ == "TypingError":
                    # the body's own typing error, not the parallel wrapper's account of it
                    compile_for(self.serial, (*shape, *args))
                raise
            if failed:
                # raises what a thread raised; the outputs are then unspecified, as after
                # any exception in a launch (indices that ran may run again here)
                self._serial(*shape, *args)
                raise LaunchError(
                    "a thread of a parallel launch raised an exception, which the same "
                    "launch run serially did not raise"
                )
            return None
        return self._serial(*shape, *args)

    def _serial(self, *args):
        try:
            return self.serial(*args)
        except NotCompiled:
            compile_for(self.serial, args)
            if not self.loose:
                self.loose = any(
                    type(a) is np.ndarray and not (a.flags.carray or a.flags.farray)
                    for a in args
                )
            return self.serial(*args)


def _run_parallel(parallel, shape, args, serial):
    """Run the parallel wrapper; returns how many of its spans raised (0 if run serially,
    where an exception propagates)."""
    parts = max(1, min(shape[0], _numba().get_num_threads()))
    layer = _layer["name"]
    if layer is not None and layer != "workqueue":
        return parallel(parts, *shape, *args)
    # workqueue is not thread-safe, and until the first launch has chosen a layer it may
    # be the one: let a single thread in; the others run serially instead of waiting.
    if _workqueue_lock.acquire(blocking=False):
        try:
            failed = parallel(parts, *shape, *args)
            if layer is None:
                _layer["name"] = _numba().threading_layer()
        finally:
            _workqueue_lock.release()
        return failed
    serial(*shape, *args)
    return 0


def make_launcher(module, on_disk, ndim, max_registers=None, raises=True):
    return Launcher(module, on_disk, raises)  # (its wrapper knows ndim; registers are CUDA's)


def threading_layer():
    """The Numba threading layer in use, or what would be chosen ('not started yet')."""
    if _layer["name"] is not None:
        return _layer["name"]
    numba = _numba()
    return f"not started yet (configured: {numba.config.THREADING_LAYER})"


def prepare(obj, info):
    return obj if info is _arrays.NUMPY else _arrays.host_view(obj, info)


def asarray(seq, like_obj, like_info, device_id):
    return np.asarray(seq)


def broadcast(arr, shape):
    return arr if arr.shape == shape else np.broadcast_to(arr, shape)


def empty(shape, dtype, like_obj, like_info, device_id):
    arr = np.empty(shape, dtype)
    return arr, (_arrays.host_result(arr, like_info) if like_info is not None else arr)


def _wants_parallel(shape, cost, threshold):
    """Parallel when the launch's work (indices x ``cost`` per index) reaches ``threshold``
    and axis 0 has at least two indices to share out."""
    if not shape or shape[0] < 2 or math.prod(shape) * cost < threshold:
        return False
    return not _serial_only.get()


def describe_launch(shape, infos, device_id, options):
    mode = "serial"
    cost = options.get("cost", 1) if options else 1
    if _wants_parallel(shape, cost, _config.PARALLEL_THRESHOLD):
        mode = "parallel over axis 0"
    elif shape and shape[0] >= 2 and math.prod(shape) * cost >= _config.PARALLEL_THRESHOLD:
        mode = "serial (jd serial block)"
    return {
        "device": "cpu",
        "stream": "none (synchronous)",
        "launch": f"{mode}; {_numba().config.NUMBA_NUM_THREADS} threads available",
    }


def synchronize(device_id=None):
    """CPU launches are synchronous."""


def is_simulator():
    return False
