"""The CUDA target: numba-cuda kernels on the device and stream of the caller's arrays.

Imported only when an argument lives on a GPU or ``target="cuda"`` is asked for.

* Device: the launch runs inside the context of the device that holds the arrays.
* Stream: the producer's current stream (CuPy's or torch's current stream, a ``stream``
  entry of ``__cuda_array_interface__``, or an explicit ``stream=`` of any kind), with no
  host synchronisation: arrays are imported with ``sync=False`` because the kernel is
  ordered on the very stream that produced them.
* Launch: a grid-stride loop over the flattened index space in 64-bit arithmetic, so index
  spaces of more than 2**31 elements are covered; the grid is capped at 32 blocks per SM.
"""

import contextlib
import ctypes
import math
import struct
import sys
import threading
import types

import numpy as np

from .. import _cache
from ..errors import DeviceMismatchError, TargetUnavailableError

name = "cuda"
lanes = 1  # one output per thread (see jd.lanes)
DEFAULT_BLOCKSIZE = 256
SIM_BLOCKSIZE = 32  # the simulator runs one Python thread per CUDA thread

_lock = threading.Lock()
_launch_lock = threading.RLock()  # first launches and numba-cuda's own call path
_sm_counts = {}


def _cuda():
    try:
        from numba import cuda
    except ImportError as exc:  # numba-cuda absent
        raise TargetUnavailableError(
            "CUDA arrays need numba-cuda, which is not installed: "
            "pip install 'jitdispatch[cuda13]' (CUDA 13 drivers) or 'jitdispatch[cuda12]'"
        ) from exc
    if not hasattr(cuda, "jit"):
        raise TargetUnavailableError(
            "numba.cuda is the stub shipped with numba; install numba-cuda: "
            "pip install 'jitdispatch[cuda13]'"
        )
    return cuda


def is_simulator():
    numba = sys.modules.get("numba")
    if numba is None:
        import numba
    return bool(numba.config.ENABLE_CUDASIM)


_available = []
_streams = {}


def check_available():
    if _available:
        return
    cuda = _cuda()
    if is_simulator():
        _available.append(True)
        return
    if cuda.is_available():
        _available.append(True)
    else:
        raise TargetUnavailableError(
            "CUDA arrays were given but no usable CUDA driver or GPU was found on this "
            "machine. Install an NVIDIA driver and numba-cuda "
            "(pip install 'jitdispatch[cuda13]'), or, for testing without a GPU, set "
            "NUMBA_ENABLE_CUDASIM=1 before importing numba."
        )


def compile_function(py_func, body=False):
    return _cuda().jit(device=True)(py_func)


_extremes = {}


def extreme(name, py_func):
    """``jd.fmin`` / ``jd.fmax`` for CUDA bodies: their Python rule as a device function."""
    if name not in _extremes:
        with _lock:
            if name not in _extremes:
                _extremes[name] = compile_function(py_func)
    return _extremes[name]


def _sim_local():
    module = types.ModuleType("jitdispatch_local_cudasim")
    module.array = lambda shape, dtype: np.empty(shape, dtype)
    return module


_registered = []


def uninitialised_array(shape, dtype):
    """Stands for ``jd.local.array`` in CUDA kernels (typed and lowered by numba-cuda)."""
    raise NotImplementedError("only callable inside a CUDA kernel")


def local():
    """The namespace behind ``jd.local`` in CUDA kernels: ``local.array(n, dtype)``.

    Like ``cuda.local.array``, but uninitialised. numba-cuda zero-fills a local array where
    it is declared, and a kernel body runs once per index: a 256-point window buffer cost
    256 stores per output (in the rank filters, ten times the work of the filter itself).
    Uninitialised is also what ``jd.local.array`` is on the CPU and from Python (NumPy's
    ``empty``). A plain module object, typeable as a global, so bodies may also write
    ``local.array`` after ``from jitdispatch import local``.
    """
    if is_simulator():
        return _sim_local()
    if not _registered:
        with _lock:
            if not _registered:
                _registered.append(_register_local())
    return _registered[0]


def _register_local():
    from llvmlite import ir
    from numba.cuda import cudadecl, cudaimpl

    try:
        from numba.cuda import types as cuda_types
    except ImportError:  # older numba-cuda shares numba's types
        from numba.core import types as cuda_types

    class LocalArray(cudadecl.Cuda_array_decl):
        key = uninitialised_array

        def generic(self):
            typer = super().generic()

            def constant_length(shape, dtype, alignment=None):
                if not isinstance(shape, cuda_types.IntegerLiteral):
                    from numba.core.errors import TypingError

                    raise TypingError(
                        "jd.local.array(n, dtype) on CUDA needs n to be one constant int "
                        f"(a literal or a module-level constant), got {shape}"
                    )
                return typer(shape, dtype)

            return constant_length

    def lower(context, builder, sig, args):
        length = sig.args[0].literal_value
        if length <= 0:
            raise ValueError("array length <= 0")
        aryty = sig.return_type
        lldtype = context.get_data_type(aryty.dtype)
        with builder.goto_entry_block():
            data = builder.alloca(ir.ArrayType(lldtype, length), name="_jd_local")
        itemsize = context.get_constant(cuda_types.intp, context.get_abi_sizeof(lldtype))
        ary = context.make_array(aryty)(context, builder)
        context.populate_array(
            ary,
            data=builder.bitcast(data, ary.data.type),
            shape=[context.get_constant(cuda_types.intp, length)],
            strides=[itemsize],
            itemsize=itemsize,
            meminfo=None,
        )
        return ary._getvalue()

    cudaimpl.registry.lower(uninitialised_array, cuda_types.IntegerLiteral, cuda_types.Any)(lower)
    cudadecl.registry.register_global(uninitialised_array, cuda_types.Function(LocalArray))
    namespace = types.ModuleType("jitdispatch_local_cuda")
    namespace.array = uninitialised_array
    cudadecl.registry.register_global(namespace, cuda_types.Module(namespace))
    return namespace


def wrapper_source(ndim, nargs):
    sizes = [f"n{d}" for d in range(ndim)]
    params = ", ".join(sizes + [f"a{k}" for k in range(nargs)])
    call = "body(" + ", ".join([f"i{d}" for d in range(ndim)] + [f"a{k}" for k in range(nargs)])
    call += ")"
    src = [
        f"# Generated by jitdispatch (codegen {_cache.CODEGEN_VERSION}): CUDA launch wrapper",
        f"# for a {ndim}-d index space and {nargs} arguments. The kernel body is the",
        "# global `body`, injected before this module runs.",
        "import numba",
        "from numba import cuda",
        "",
        f"def launch({params}):",
        "    tid = cuda.threadIdx.x + cuda.blockIdx.x * numba.int64(cuda.blockDim.x)",
    ]
    if ndim == 0:
        src += ["    if tid == 0:", "        " + call]
        return "\n".join(src) + "\n"
    src += [
        "    stride = numba.int64(cuda.blockDim.x) * cuda.gridDim.x",
        "    total = " + " * ".join(sizes),
        "    while tid < total:",
    ]
    # Unravel the flat index, last axis fastest (C order) so neighbouring threads touch
    # neighbouring elements of C-ordered arrays.
    ind = "        "
    if ndim == 1:
        src.append(ind + "i0 = tid")
    else:
        src.append(ind + "rest = tid")
        for d in range(ndim - 1, 0, -1):
            src.append(ind + f"q = rest // n{d}")
            src.append(ind + f"i{d} = rest - q * n{d}")
            src.append(ind + "rest = q")
        src.append(ind + "i0 = rest")
    src += [ind + call, ind + "tid += stride"]
    return "\n".join(src) + "\n"


class Launcher:
    """Runs one kernel body over an index space on a CUDA device.

    On a real GPU a launch skips numba-cuda's per-call machinery (argument typing, one
    numba array per argument, context checks): the argument types are read off the
    :class:`DeviceView` objects and scalars, the specialisation for them is compiled (or
    loaded from the disk cache) once per device under a lock, and later launches lay the
    arguments out as numba-cuda's kernel ABI does and call the driver directly
    (:class:`_Compiled`). Arguments of any other kind, and the simulator, take
    numba-cuda's own call path. :meth:`launch_cupy` is the shortest path of all, for
    calls whose arrays are CuPy arrays and whose specialisation already ran.
    """

    __slots__ = ("_by_class", "_fast", "_kernel", "_module", "_ndim")

    def __init__(self, module, on_disk, ndim, max_registers=None):
        cuda = _cuda()
        self._module = module
        self._ndim = ndim
        cache = on_disk and not is_simulator()
        options = {"cache": cache}
        if max_registers is not None and not is_simulator():
            options["max_registers"] = max_registers
        self._kernel = _cache.guard(cuda.jit(**options)(module.launch))
        self._fast = None if is_simulator() or _fast_api() is None else {}
        self._by_class = {}  # (argument classes, device) -> _Compiled; see launch_cupy

    def dispatchers(self):
        return [self._kernel]

    def __call__(self, shape, args, device_id=None, options=None):
        total = math.prod(shape)
        if total == 0:
            return
        options = options or {}
        threads, blocks = launch_config(total, device_id, options.get("blocksize"))
        stream = options.get("stream")
        if self._fast is not None and device_id is not None:
            packed = list(shape)
            key = _pack(args, packed)
            if key is not None:
                found = self._fast.get((key, device_id))
                if found is None:
                    found = self._specialise(key, len(shape), device_id)
                found.launch(device_id, blocks, threads, options.get("stream_handle"), packed)
                return
        args = [a.numba() if type(a) is DeviceView else a for a in args]
        # numba-cuda loads a kernel's module on its first launch without a lock; threads
        # (Dask's scheduler) launching the same new kernel at once would collide there.
        with _launch_lock, _device(device_id):
            if stream is None:
                self._kernel[blocks, threads](*shape, *args)
            else:
                self._kernel[blocks, threads, stream](*shape, *args)

    def launch_cupy(self, ndrange, args, cupy_array):
        """Launch at once if every array in ``args`` is a ``cupy_array`` on one device,
        every scalar a Python int, float or bool, ``ndrange`` well formed, and this
        combination of argument classes already launched on that device; else return
        False (the caller then takes the full path, which checks, converts, compiles
        and raises what a bad call deserves).

        The stream is CuPy's current stream on that device, as the full path takes it.
        """
        ndim = self._ndim
        if type(ndrange) is int:
            shape = (ndrange,)
        elif type(ndrange) is tuple:
            shape = ndrange
        else:
            return False
        if len(shape) != ndim:
            return False
        for n in shape:
            if type(n) is not int or n < 0:
                return False
        packed = list(shape)
        classes = []
        device = None
        for a in args:
            cls = type(a)
            if cls is cupy_array:
                memory = a.data
                if device is None:
                    device = memory.device_id
                elif memory.device_id != device:
                    return False  # the full path names the arguments and their devices
                dims = a.shape
                dtype = a.dtype
                classes.append((dtype, len(dims), a.flags.c_contiguous))
                packed += (0, 0, a.size, dtype.itemsize, memory.ptr, *dims, *a.strides)
            elif cls is float or cls is bool or (cls is int and -(2**63) <= a < 2**63):
                classes.append(cls)
                packed.append(a)
            else:
                return False
        if device is None:
            return False
        found = self._by_class.get((tuple(classes), device))
        if found is None:
            found = self._compiled_for_classes(tuple(classes), device)
            if found is None:
                return False
        total = math.prod(shape)
        if total:
            threads, blocks = launch_config(total, device)
            stream = sys.modules["cupy"].cuda.get_current_stream(device).ptr
            found.launch(device, blocks, threads, stream, packed)
        return True

    def _compiled_for_classes(self, classes, device):
        """The specialisation the full path made for these argument classes, or None."""
        if self._fast is None:
            return None
        key = []
        scalars = _scalar_types()
        for c in classes:
            if type(c) is tuple:
                dtype, ndim, c_order = c
                found = _array_types.get((dtype, ndim, "C" if c_order else "A"))
                if found is None:
                    return None
                key.append(found)
            else:
                key.append(scalars[c])
        found = self._fast.get((tuple(key), device))
        if found is not None:
            self._by_class[classes, device] = found
        return found

    def _specialise(self, key, ndim, device_id):
        """The loaded kernel for these argument types on this device (compiled once)."""
        with _launch_lock:
            found = self._fast.get((key, device_id))
            if found is None:
                argtypes = (_scalar_types()[int],) * ndim + key
                with _device(device_id):
                    overload = self._kernel.compile(argtypes)
                    cufunc = overload._codelibrary.get_cufunc()
                found = _Compiled(cufunc, _layout(argtypes))
                self._fast[key, device_id] = found
        return found


_launch_configs = {}


class _Layout:
    """How the arguments of one specialisation are laid out for the driver.

    Every value of numba-cuda's ABI (see `_pack`) gets an 8-byte slot of one buffer,
    written in one ``struct.pack_into``; the driver reads each parameter's own size from
    the start of its slot. Each thread has its own buffer and pointer array, reused:
    the driver copies the parameters before the launch call returns.
    """

    __slots__ = ("ctypes", "local", "struct", "values")

    def __init__(self, codes):
        self.values = len(codes)
        # little-endian, each value padded to 8 bytes
        self.struct = struct.Struct("<" + "".join(_SLOTS[c] for c in codes))
        # cuda.core's launch takes Python ints as 64-bit and floats as doubles; other
        # widths need ctypes values
        self.ctypes = tuple(_CTYPES.get(c) for c in codes)
        self.local = threading.local()

    def buffers(self):
        local = self.local
        try:
            return local.buffer, local.params
        except AttributeError:
            buffer = (ctypes.c_uint64 * max(self.values, 1))()
            base = ctypes.addressof(buffer)
            params = (ctypes.c_void_p * max(self.values, 1))(
                *[base + 8 * k for k in range(self.values)]
            )
            local.buffer, local.params = buffer, params
            return buffer, params

    def for_core(self, packed):
        return [v if c is None else c(v) for v, c in zip(packed, self.ctypes, strict=True)]


# struct codes of the ABI's values: q int64, Q pointers, U uint64 scalars, i/I 32-bit
# integers, d/f floats, ? bool; each padded to its 8-byte slot
_SLOTS = {"q": "q", "Q": "Q", "U": "Q", "i": "i4x", "I": "I4x", "d": "d", "f": "f4x", "?": "?7x"}
_CTYPES = {"U": ctypes.c_uint64, "i": ctypes.c_int32, "I": ctypes.c_uint32, "f": ctypes.c_float}
_layouts = {}


def _layout(argtypes):
    """The `_Layout` of a specialisation for numba types ``argtypes`` (shared, cached)."""
    found = _layouts.get(argtypes)
    if found is None:
        codes = []
        for t in argtypes:
            if isinstance(t, _fast_api().types.Array):
                codes += "qqqqQ" + "q" * (2 * t.ndim)
            else:
                codes += _SCALAR_CODES[str(t)]
        found = _layouts[argtypes] = _Layout(codes)
    return found


_SCALAR_CODES = {
    "int64": "q",
    "uint64": "U",
    "int32": "i",
    "uint32": "I",
    "float64": "d",
    "float32": "f",
    "bool": "?",
    "complex128": "dd",
}


class _Compiled:
    """One specialisation, loaded on one device, and how to launch it.

    The launch calls the driver's ``cuLaunchKernel`` through ctypes with the arguments
    packed by `_Layout`; where the driver library or the kernel's handle cannot be had
    that way, it takes cuda.core's ``launch`` (a few more microseconds per call).
    """

    __slots__ = ("handle", "kernel", "layout")

    def __init__(self, cufunc, layout):
        self.kernel = cufunc.kernel
        self.layout = layout
        self.handle = None
        if _driver_launch() is not None:
            try:
                self.handle = int(cufunc.handle)
            except (TypeError, ValueError):
                self.handle = None

    def launch(self, device_id, blocks, threads, stream_handle, packed):
        if _current_context() == _primary_context(device_id):
            self._launch(blocks, threads, stream_handle, packed)
        else:
            with _device(device_id):
                self._launch(blocks, threads, stream_handle, packed)

    def _launch(self, blocks, threads, stream_handle, packed):
        if self.handle is not None:
            layout = self.layout
            buffer, params = layout.buffers()
            layout.struct.pack_into(buffer, 0, *packed)
            err = _driver_launch()(
                self.handle, blocks, 1, 1, threads, 1, 1, 0, stream_handle or 0, params, None
            )
            if err:
                raise _driver_error(err)
            return
        api = _fast_api()
        config = _launch_configs.get((blocks, threads))
        if config is None:
            config = _launch_configs[blocks, threads] = api.LaunchConfig(
                grid=blocks, block=threads, shmem_size=0
            )
        api.launch(_core_stream(stream_handle), config, self.kernel, *self.layout.for_core(packed))


_driver = {}


def _driver_launch():
    """ctypes' ``cuLaunchKernel`` of the driver library numba-cuda loaded, or None."""
    found = _driver.get("launch", False)
    if found is False:
        found = None
        try:
            lib = ctypes.CDLL("nvcuda.dll" if sys.platform == "win32" else "libcuda.so.1")
            found = lib.cuLaunchKernel
            u = ctypes.c_uint
            found.argtypes = [ctypes.c_void_p, u, u, u, u, u, u, u, ctypes.c_void_p]
            found.argtypes += [ctypes.c_void_p, ctypes.c_void_p]
            found.restype = ctypes.c_int
            names = lib.cuGetErrorName
            names.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
            names.restype = ctypes.c_int
            _driver["names"] = names
        except (OSError, AttributeError):
            found = None
        _driver["launch"] = found
    return found


def _driver_error(err):
    from ..errors import LaunchError

    name = ctypes.c_char_p()
    if _driver["names"](err, ctypes.byref(name)) == 0 and name.value:
        text = name.value.decode()
    else:
        text = "unknown error"
    return LaunchError(f"the CUDA driver refused the launch: {text} ({err})")


def _fast_api():
    """numba-cuda's launch entry points, or None where this numba-cuda lacks them."""
    api = _fast_api_cache.get("api", False)
    if api is False:
        from numba.cuda import dispatcher

        names = ("launch", "LaunchConfig", "types", "numpy_support")
        if all(hasattr(dispatcher, n) for n in names):
            api = types.SimpleNamespace(**{n: getattr(dispatcher, n) for n in names})
        else:
            api = None
        _fast_api_cache["api"] = api
    return api


def _core_stream(handle):
    """cuda.core's stream object for a raw handle (its launch deprecates other kinds)."""
    handle = handle or 0
    found = _core_streams.get(handle)
    if found is None:
        try:
            import cuda.core as core

            if handle in (0, 1):
                found = core.LEGACY_DEFAULT_STREAM
            elif handle == 2:
                found = core.PER_THREAD_DEFAULT_STREAM
            else:
                found = core.Stream.from_handle(handle)
        except Exception:  # no usable cuda.core: its launch takes numba's streams
            found = numba_stream(handle) or _cuda().default_stream()
        _core_streams[handle] = found
    return found


_core_streams = {}
_fast_api_cache = {}
_contexts = {}
_binding = {}


def _current_context():
    binding = _binding.get("driver")
    if binding is None:
        from numba.cuda.cudadrv.driver import binding

        _binding["driver"] = binding
    err, ctx = binding.cuCtxGetCurrent()
    return int(ctx) if not int(err) else None


def _primary_context(device_id):
    found = _contexts.get(device_id)
    if found is None:
        with _device(device_id):
            found = _contexts[device_id] = int(_current_context() or 0)
    return found


def make_launcher(module, on_disk, ndim, max_registers=None, raises=True):
    return Launcher(module, on_disk, ndim, max_registers)


def launch_config(total, device_id, blocksize=None):
    if blocksize is not None:
        threads = int(blocksize)
        if not 1 <= threads <= 1024:
            raise ValueError(f"blocksize must be between 1 and 1024, got {blocksize}")
    else:
        threads = SIM_BLOCKSIZE if is_simulator() else DEFAULT_BLOCKSIZE
    cap = 4 if is_simulator() else 32 * _sm_count(device_id)
    return threads, max(1, min(-(-total // threads), cap))


def _sm_count(device_id):
    count = _sm_counts.get(device_id)
    if count is None:
        cuda = _cuda()
        with _device(device_id):
            count = cuda.get_current_device().MULTIPROCESSOR_COUNT
        _sm_counts[device_id] = count
    return count


@contextlib.contextmanager
def _device(device_id):
    if device_id is None or is_simulator():
        yield
        return
    with _cuda().gpus[device_id]:
        yield


# --- arguments ---------------------------------------------------------------------------


def prepare(obj, info):
    """A :class:`DeviceView` of ``obj``'s memory (no copy, no synchronisation)."""
    if info.device == "cpu":
        if is_simulator():
            from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray

            from .._arrays import host_view

            # Host memory is device memory in the simulator: wrap, never transfer.
            return FakeCUDAArray(host_view(obj, info))
        raise DeviceMismatchError(
            f"a {info.library} array in host memory cannot be passed to a CUDA kernel; "
            "copy it to the device first (jitdispatch never copies silently)"
        )
    if info.library == "numba" and is_simulator():
        return obj
    if info.library == "torch" and obj.requires_grad:
        obj = obj.detach()
    if info.library == "dlpack":
        obj = _from_dlpack(obj)
    if info.library == "cupy":
        return DeviceView.of_cupy(obj)
    return DeviceView.of(obj)


def _from_dlpack(obj):
    cupy = sys.modules.get("cupy")
    if cupy is None:
        try:
            import cupy
        except ImportError as exc:
            raise TargetUnavailableError(
                "CUDA arrays passed through __dlpack__ without __cuda_array_interface__ "
                "need CuPy to import: pip install 'jitdispatch[cuda13]'"
            ) from exc
    return cupy.from_dlpack(obj)


def asarray(seq, like_obj, like_info, device_id):
    arr = np.asarray(seq)
    if like_info is None or like_info.device == "cpu":
        if is_simulator():
            return arr
        raise DeviceMismatchError("a sequence needs a device array beside it to run on CUDA")
    with _device(like_info.device_id):
        if like_info.library == "cupy":
            return sys.modules["cupy"].asarray(arr)
        if like_info.library == "torch":
            return sys.modules["torch"].as_tensor(arr, device=like_obj.device)
        return _cuda().to_device(arr)


def broadcast(arr, shape):
    shape = tuple(shape)
    if arr.shape == shape:
        return arr
    if is_simulator():
        from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray

        return FakeCUDAArray(np.broadcast_to(arr._ary, shape))
    pad = len(shape) - arr.ndim
    strides = [0] * pad + [
        0 if (n == 1 and m != 1) else s
        for n, m, s in zip(arr.shape, shape[pad:], arr.strides, strict=True)
    ]
    return DeviceView(arr.ptr, shape, tuple(strides), arr.dtype, arr.readonly, arr.owner)


def _c_strides(shape, itemsize):
    strides, step = [], itemsize
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def empty(shape, dtype, like_obj, like_info, device_id):
    if like_info is None or like_info.device == "cpu":  # simulator: host memory is device memory
        from numba.cuda.simulator.cudadrv.devicearray import FakeCUDAArray

        from .._arrays import host_result

        arr = np.empty(shape, dtype)
        public = host_result(arr, like_info) if like_info is not None else arr
        return FakeCUDAArray(arr), public
    # CuPy and torch are told the device themselves (numba's context switch costs tens of
    # microseconds per allocation, and they do not use it).
    if like_info.library == "cupy":
        public = cupy_empty(shape, dtype, device_id)
    elif like_info.library == "torch":
        torch = sys.modules["torch"]
        tdtype = _torch_dtypes.get(dtype)
        if tdtype is None:
            tdtype = _torch_dtypes[dtype] = torch.from_numpy(np.empty(0, dtype)).dtype
        public = torch.empty(shape, dtype=tdtype, device=like_obj.device)
    else:
        with _device(device_id):
            public = _cuda().device_array(shape, dtype)
    return prepare(public, like_info), public


_torch_dtypes = {}


def cupy_empty(shape, dtype, device_id):
    """``cupy.empty`` on device ``device_id``, switching devices only when needed."""
    cupy = sys.modules["cupy"]
    if cupy.cuda.runtime.getDevice() == device_id:
        return cupy.empty(shape, dtype)
    with cupy.cuda.Device(device_id):
        return cupy.empty(shape, dtype)


# --- device arrays and launch arguments ----------------------------------------------------


class DeviceView:
    """A CUDA array as a launch needs it: pointer, shape, byte strides, dtype.

    Read from ``__cuda_array_interface__`` without building a numba device array, which
    costs a context check and several driver calls per argument. ``owner`` keeps the
    memory's owner alive; ``numba()`` gives numba-cuda's array for its own call path.
    """

    __slots__ = ("dtype", "numba_type", "owner", "ptr", "readonly", "shape", "strides")

    def __init__(self, ptr, shape, strides, dtype, readonly, owner, c_order=None):
        self.ptr, self.shape, self.strides = ptr, shape, strides
        self.dtype, self.readonly, self.owner = dtype, readonly, owner
        # 'C' only where the strides are exactly C's (numba then hard-codes them); any
        # other view is typed 'A' and its strides are passed in, so it is always right.
        if c_order is None:
            c_order = strides == _c_strides(shape, dtype.itemsize)
        layout = "C" if c_order else "A"
        key = (dtype, len(shape), layout)
        found = _array_types.get(key)
        if found is None:
            api = _fast_api()
            if api is None:  # no fast path: the type is never asked for
                found = None
            else:
                found = api.types.Array(api.numpy_support.from_dtype(dtype), len(shape), layout)
                _array_types[key] = found
        self.numba_type = found

    @classmethod
    def of(cls, obj):
        cai = obj.__cuda_array_interface__
        if cai.get("mask") is not None:
            raise TypeError("CUDA arrays with a mask cannot be passed to a kernel")
        shape = tuple(map(int, cai["shape"]))
        typestr = cai["typestr"]
        dtype = _dtypes.get(typestr)
        if dtype is None:
            dtype = _dtypes[typestr] = np.dtype(typestr)
        strides = cai.get("strides")
        ptr, readonly = cai["data"]
        if strides is None:  # C order, by the interface's definition
            strides = _c_strides(shape, dtype.itemsize)
            return cls(int(ptr or 0), shape, strides, dtype, bool(readonly), obj, True)
        return cls(int(ptr or 0), shape, tuple(strides), dtype, bool(readonly), obj)

    @classmethod
    def of_cupy(cls, obj):
        """`of` for a CuPy array, read from its attributes: its interface dict costs
        microseconds per call to build (it asks for the current stream)."""
        # CuPy's C-contiguous flag ignores the strides of unit axes, as numba's 'C'
        # indexing does (the index there is always 0)
        c_order = obj.flags.c_contiguous
        return cls(obj.data.ptr, obj.shape, obj.strides, obj.dtype, False, obj, c_order)

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return math.prod(self.shape)

    @property
    def flags(self):
        return {"WRITEABLE": not self.readonly}

    @property
    def __cuda_array_interface__(self):
        return {
            "shape": self.shape,
            "strides": self.strides,
            "typestr": self.dtype.str,
            "data": (self.ptr, self.readonly),
            "version": 3,
        }

    def numba(self):
        return _cuda().from_cuda_array_interface(
            self.__cuda_array_interface__, owner=self.owner, sync=False
        )


_array_types = {}
_scalars = {}
_dtypes = {}


def _scalar_types():
    if not _scalars:
        t = _fast_api().types
        _scalars.update({int: t.int64, float: t.float64, complex: t.complex128, bool: t.boolean})
    return _scalars


def _pack(args, packed):
    """Append ``args`` in numba-cuda's kernel ABI to ``packed``; their numba types.

    An array is (meminfo, parent, size, itemsize, data, *shape, *strides); a scalar is
    its value as a Python int, float or bool (a complex number is its real and imaginary
    parts), laid out in its type's width by `_Layout`. None where an argument is of a
    kind this does not cover; the caller then takes numba-cuda's own call path.
    """
    key = []
    for a in args:
        cls = type(a)
        if cls is DeviceView:
            key.append(a.numba_type)
            packed += (0, 0, math.prod(a.shape), a.dtype.itemsize, a.ptr, *a.shape, *a.strides)
        elif cls is float:
            key.append(_scalar_types()[float])
            packed.append(a)
        elif cls is int:
            if not -(2**63) <= a < 2**63:
                return None
            key.append(_scalar_types()[int])
            packed.append(a)
        elif cls is bool or cls is np.bool_:
            key.append(_scalar_types()[bool])
            packed.append(bool(a))
        elif cls is complex:
            key.append(_scalar_types()[complex])
            packed += (a.real, a.imag)
        elif isinstance(a, np.generic) and a.dtype.kind in "iuf" and a.dtype.itemsize >= 4:
            key.append(_fast_api().numpy_support.from_dtype(a.dtype))
            packed.append(a.item())
        else:
            return None
    return tuple(key)


# --- streams -------------------------------------------------------------------------------


def stream_handle(obj):
    """The raw handle of a stream given in any of the common forms, or None."""
    if obj is None:
        return None
    if isinstance(obj, int):
        return obj
    if hasattr(obj, "__cuda_stream__"):
        return int(obj.__cuda_stream__()[1])
    for attr in ("cuda_stream", "ptr", "handle"):
        value = getattr(obj, attr, None)
        if value is not None:
            value = getattr(value, "value", value)  # ctypes handles
            return int(value or 0)
    raise TypeError(
        f"cannot use {type(obj).__name__} as a CUDA stream: pass an int handle, a CuPy, "
        "torch or numba stream, or an object with __cuda_stream__"
    )


def producer_stream(obj, info):
    """The handle of the stream ``obj``'s library is currently using, or None."""
    if info.library == "cupy":
        return sys.modules["cupy"].cuda.get_current_stream(info.device_id).ptr
    if info.library == "torch":
        return sys.modules["torch"].cuda.current_stream(obj.device).cuda_stream
    if info.library == "numba":
        return stream_handle(getattr(obj, "stream", 0)) or None
    cai = getattr(obj, "__cuda_array_interface__", None)
    if isinstance(cai, dict) and cai.get("stream") is not None:
        return int(cai["stream"])
    return None


def numba_stream(handle):
    if handle is None or is_simulator():
        return None
    found = _streams.get(handle)
    if found is not None:
        return found
    found = _streams[handle] = _make_stream(handle)
    return found


def _make_stream(handle):
    """A numba stream object for a raw handle; it wraps the handle and owns nothing."""
    cuda = _cuda()
    if handle == 0:
        return cuda.default_stream()
    if handle == 1:
        return cuda.legacy_default_stream()
    if handle == 2:
        return cuda.per_thread_default_stream()
    return cuda.external_stream(handle)


def resolve_options(objs, infos, device_id, options):
    """Fill in the stream: explicit ``stream=``, else the first array's producer stream."""
    resolved = dict(options)
    handle = stream_handle(options.get("stream"))
    if handle is None:
        for obj, info in zip(objs, infos, strict=True):
            if info is not None and not isinstance(info, str) and info.device == "cuda":
                handle = producer_stream(obj, info)
                if handle is not None:
                    break
    resolved["stream_handle"] = handle
    resolved["stream"] = numba_stream(handle)
    return resolved


def describe_launch(shape, infos, device_id, options):
    total = math.prod(shape)
    if is_simulator():
        device = "CUDA simulator (host memory)"
    else:
        with _device(device_id):
            dev = _cuda().get_current_device()
            device = (
                f"cuda:{dev.id} {dev.name.decode() if isinstance(dev.name, bytes) else dev.name}"
            )
            device += f" (cc {dev.compute_capability[0]}.{dev.compute_capability[1]})"
    handle = options.get("stream_handle")
    if total:
        threads, blocks = launch_config(total, device_id, options.get("blocksize"))
        launch = f"{blocks} blocks x {threads} threads, grid-stride over {total} indices"
    else:
        launch = "nothing to launch (empty index space)"
    return {
        "device": device,
        "stream": "default stream" if handle in (None, 0) else hex(handle),
        "launch": launch,
    }


def synchronize(device_id=None):
    with _device(device_id):
        _cuda().synchronize()


# --- ahead-of-time compilation (no GPU needed) ------------------------------------------


class _NoDevice:
    """Stands in for the current device while compiling PTX on a machine without one."""

    def __init__(self, cc):
        self.compute_capability = cc


def compile_ptx(py_func, argtypes, cc=(9, 0)):
    """PTX for a generated wrapper; works without a GPU or driver.

    numba-cuda compiles the device functions a kernel calls for the *current* device's
    compute capability; with no device present that lookup is pointed at ``cc``.
    """
    cuda = _cuda()
    from numba.cuda import dispatcher as cuda_dispatcher

    with _lock:
        original = cuda_dispatcher.get_current_device
        try:
            if not cuda.is_available():
                cuda_dispatcher.get_current_device = lambda: _NoDevice(cc)
            ptx, _ = cuda.compile_ptx(py_func, argtypes, cc=cc)
        finally:
            cuda_dispatcher.get_current_device = original
    return ptx
