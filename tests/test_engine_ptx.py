"""PTX lane: every CUDA kernel and wrapper the engine generates compiles for cc 9.0.

Needs numba-cuda with its NVVM wheel, not a GPU.
"""

import numpy as np
import pytest
from kernels_for_tests import (
    ADD,
    chunked_scale,
    clip_kernel,
    compare_exchange,
    extremes,
    gather_reverse,
    hypot,
    report_target,
    saxpy,
    window_sum,
)

import jitdispatch as jd

pytestmark = pytest.mark.ptx
pytest.importorskip("numba.cuda", reason="numba-cuda is not installed")

CC = (9, 0)


def check_ptx(ptx):
    assert ".visible .entry" in ptx
    assert ".target sm_90" in ptx
    return ptx


@pytest.mark.parametrize("ndim", range(5))
def test_wrapper_for_every_rank(ndim):
    shape = (3, 4, 2, 5)[:ndim]
    x = np.ones(shape)
    ptx = check_ptx(ADD[ndim].compile_ptx(x, x, np.empty(shape), cc=CC))
    if ndim:
        # the grid-stride index is 64-bit: index spaces beyond 2**31 elements are covered
        assert "mul.lo.s64" in ptx or "mad.lo.s64" in ptx or "mul.wide" in ptx


@pytest.mark.parametrize(
    "dtype", [np.bool_, np.int8, np.uint16, np.int32, np.uint64, np.float32, np.complex128]
)
def test_dtypes(dtype):
    x = np.ones(4, dtype)
    check_ptx(ADD[1].compile_ptx(x, x, np.empty(4, dtype), cc=CC))


def test_helpers_overrides_and_local_memory():
    x = np.ones(8)
    check_ptx(clip_kernel.compile_ptx(x, 0.0, 1.0, np.empty(8), cc=CC))
    check_ptx(window_sum.compile_ptx(x, np.empty(8), cc=CC))
    ptx = check_ptx(report_target.compile_ptx(np.empty(8, np.int64), cc=CC))
    assert "mov.u64 \t%rd" in ptx or "st.global" in ptx


def test_per_target_scratch_is_sized_for_cuda():
    # CPU-sized scratch (8 float64) would be a 64-byte local-memory depot per thread;
    # the CUDA value (1) leaves a single value, which lives in a register
    ptx = check_ptx(chunked_scale.compile_ptx(np.ones(8), np.empty(8), cc=CC))
    assert "__local_depot" not in ptx


def test_local_arrays_are_not_zero_filled():
    # numba-cuda's cuda.local.array stores zeros over the whole array where it is declared,
    # which in a kernel body is once per index: jd.local.array is uninitialised, as on the
    # CPU, so the only local stores are the body's own, of the values read (float
    # registers), and no integer zeros.
    x = np.ones((4, 64), np.float32)
    ptx = check_ptx(gather_reverse.compile_ptx(x, 64, np.empty_like(x), cc=CC))
    stores = [line for line in ptx.splitlines() if "st.local" in line]
    assert stores and all("%f" in line for line in stores), stores
    assert "__local_depot" in ptx


def test_local_arrays_of_a_run_time_or_tuple_size_are_refused_by_name():
    # the CPU falls back to np.empty for them; CUDA reserves local memory at compile time
    @jd.kernel
    def sized(i, n, out):
        buf = jd.local.array(n, np.float64)
        buf[0] = 1.0
        out[i] = buf[0]

    @jd.kernel
    def shaped(i, out):
        buf = jd.local.array((2, 3), np.float64)
        buf[0, 0] = 1.0
        out[i] = buf[0, 0]

    for kernel, args in ((sized, (3, np.empty(3))), (shaped, (np.empty(3),))):
        with pytest.raises(Exception, match="needs n to be one constant int"):
            kernel.compile_ptx(*args, cc=CC)


def test_elementwise_broadcast_and_scalars():
    check_ptx(hypot.compile_ptx(np.ones((3, 4), np.float32), np.ones(4, np.float32), cc=CC))
    check_ptx(hypot.compile_ptx(np.ones(5), 2.0, cc=CC))
    # operands converted as a call converts them: a list, an int beyond int64
    check_ptx(hypot.compile_ptx([1.0, 2.0], 2.0, cc=CC))
    check_ptx(hypot.compile_ptx(np.ones(3, np.float32), 2**70, cc=CC))


def test_shipped_demo_kernels():
    from jitdispatch.kernels import demo

    x = np.ones(16)
    img = np.ones((4, 4))
    check_ptx(demo.saxpy.compile_ptx(2.0, x, x, np.empty(16), cc=CC))
    check_ptx(demo.hypot.compile_ptx(x, x, cc=CC))
    check_ptx(demo.laplace5.compile_ptx(img, np.empty((4, 4)), cc=CC))
    check_ptx(demo.mandelbrot.compile_ptx(img, img, cc=CC))
    check_ptx(saxpy.compile_ptx(2.0, x, x, np.empty(16), cc=CC))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.uint8, np.bool_])
def test_fmin_fmax(dtype):
    x = np.ones(4, dtype)
    check_ptx(extremes.compile_ptx(x, x, np.empty(4, dtype), np.empty(4, dtype), cc=CC))
    check_ptx(compare_exchange.compile_ptx(x, np.ones(4, dtype), cc=CC))


class _Cai:
    """Stands in for a GPU array: only its ``__cuda_array_interface__`` is read."""

    def __init__(self, shape, typestr, strides=None, ptr=4096):
        self.__cuda_array_interface__ = {
            "shape": shape,
            "typestr": typestr,
            "strides": strides,
            "data": (ptr, False),
            "version": 3,
        }


def test_device_views_are_typed_c_only_for_c_strides():
    # A launch compiles for the view's numba type; 'C' lets numba hard-code the strides,
    # so it must be given only where they are exactly C's. Everything else is 'A'.
    from jitdispatch._targets import cuda

    c = cuda.DeviceView.of(_Cai((4, 5), "<f4"))
    assert c.strides == (20, 4)
    assert str(c.numba_type) == "array(float32, 2d, C)"
    same = cuda.DeviceView.of(_Cai((4, 5), "<f4", strides=(20, 4)))
    assert same.numba_type is c.numba_type
    transposed = cuda.DeviceView.of(_Cai((5, 4), "<f8", strides=(8, 40)))
    assert str(transposed.numba_type) == "array(float64, 2d, A)"
    broadcast = cuda.broadcast(cuda.DeviceView.of(_Cai((1, 5), "<i2")), (3, 5))
    assert broadcast.strides == (0, 2)
    assert str(broadcast.numba_type) == "array(int16, 2d, A)"
    assert broadcast.owner is not None and broadcast.ptr == 4096


def test_launch_arguments_follow_numba_cudas_abi():
    # numba-cuda passes an array as (meminfo, parent, size, itemsize, data, *shape,
    # *strides) and a scalar as a value of its type, in its own parameter.
    import ctypes
    import struct

    from jitdispatch._targets import cuda

    view = cuda.DeviceView.of(_Cai((3, 7), "<f8", strides=(112, 16), ptr=8192))
    packed = [10, 20]
    args = (view, 2.5, 3, True, np.float32(1.5), np.int32(-4), np.uint64(2**64 - 1), 1 - 2j)
    key = cuda._pack(args, packed)
    assert [str(t) for t in key] == [
        "array(float64, 2d, A)",
        "float64",
        "int64",
        "bool",
        "float32",
        "int32",
        "uint64",
        "complex128",
    ]
    assert packed[:11] == [10, 20, 0, 0, 21, 8, 8192, 3, 7, 112, 16]
    assert packed[11:] == [2.5, 3, True, 1.5, -4, 2**64 - 1, 1.0, -2.0]
    assert all(type(v) in (int, float, bool) for v in packed)
    # Kinds the packer does not cover send the launch down numba-cuda's own path.
    assert cuda._pack((np.int8(1),), []) is None
    assert cuda._pack((2**64,), []) is None
    assert cuda._pack(("text",), []) is None

    # The driver reads each parameter's own size from the start of its 8-byte slot.
    import numba

    layout = cuda._layout((numba.int64, numba.int64) + key)
    buffer, params = layout.buffers()
    layout.struct.pack_into(buffer, 0, *packed)
    raw = bytes(buffer)
    slot = [raw[8 * k : 8 * k + 8] for k in range(len(packed))]
    assert [struct.unpack("<q", s)[0] for s in slot[:11]] == packed[:11]
    assert struct.unpack("<d", slot[11])[0] == 2.5
    assert struct.unpack("<q", slot[12])[0] == 3
    assert slot[13][0] == 1
    assert struct.unpack("<f", slot[14][:4])[0] == 1.5
    assert struct.unpack("<i", slot[15][:4])[0] == -4
    assert struct.unpack("<Q", slot[16])[0] == 2**64 - 1
    assert struct.unpack("<dd", slot[17] + slot[18]) == (1.0, -2.0)
    base = ctypes.addressof(buffer)
    assert [params[k] for k in range(len(packed))] == [base + 8 * k for k in range(len(packed))]
    # cuda.core's launch (the fallback) takes 64-bit ints and doubles as they are, and
    # ctypes values for the other widths.
    core = layout.for_core(packed)
    assert core[:14] == packed[:14]
    assert isinstance(core[14], ctypes.c_float) and core[14].value == 1.5
    assert isinstance(core[15], ctypes.c_int32) and core[15].value == -4
    assert isinstance(core[16], ctypes.c_uint64) and core[16].value == 2**64 - 1
    assert core[17:] == [1.0, -2.0]


class _CupyStandIn:
    """What the CuPy launch path reads of a CuPy array, over host memory."""

    class Memory:
        def __init__(self, ptr, device_id):
            self.ptr, self.device_id = ptr, device_id

    def __init__(self, a, device_id=0):
        self._a = a
        self.data = self.Memory(a.ctypes.data, device_id)
        self.shape, self.strides, self.dtype = a.shape, a.strides, a.dtype
        self.size, self.flags = a.size, a.flags


def _install_cupy_stand_in(monkeypatch):
    """A stand-in ``cupy`` module for the CuPy paths: `_CupyStandIn` arrays, device 0
    current, current stream 0xABC. ``devices`` lists the devices switched to, ``made``
    the (shape, dtype, device) of each allocation."""
    import contextlib
    import sys
    import types

    fake = types.ModuleType("cupy")
    fake.devices, fake.made = [], []

    @contextlib.contextmanager
    def device(i):
        fake.devices.append(i)
        yield

    def empty(shape, dtype):
        on = fake.devices[-1] if fake.devices else 0
        fake.made.append((shape, np.dtype(dtype), on))
        return _CupyStandIn(np.empty(shape, dtype), on)

    fake.ndarray = _CupyStandIn
    fake.empty = empty
    fake.cuda = types.SimpleNamespace(
        get_current_stream=lambda device: types.SimpleNamespace(ptr=0xABC),
        runtime=types.SimpleNamespace(getDevice=lambda: 0),
        Device=device,
    )
    monkeypatch.setitem(sys.modules, "cupy", fake)
    return fake


def test_cupy_calls_launch_the_specialisation_made_before(monkeypatch):
    # A call whose arrays are CuPy arrays goes straight to the specialisation that the
    # full path compiled for the same argument classes; anything else is declined, and
    # the full path then checks, converts or raises.
    from jitdispatch import _targets
    from jitdispatch._targets import cuda

    _install_cupy_stand_in(monkeypatch)
    monkeypatch.setitem(cuda._sm_counts, 0, 2)
    monkeypatch.setitem(cuda._sm_counts, 1, 2)
    kern = saxpy._jd_object
    launcher = cuda.make_launcher(*kern._module(_targets.get("cuda"), 4), 1)

    launches = []

    class Recorder:
        def launch(self, device, blocks, threads, stream_handle, packed):
            launches.append((device, blocks, threads, stream_handle, packed))

    x = np.ones(300)
    f64c = cuda._array_types.setdefault((x.dtype, 1, "C"), numba_array(x.dtype, 1, "C"))
    key = (cuda._scalar_types()[float], f64c, f64c, f64c)
    launcher._fast[key, 1] = Recorder()
    a, b, out = (_CupyStandIn(np.ones(300), device_id=1) for _ in range(3))
    assert launcher.launch_cupy(300, (2.0, a, b, out), _CupyStandIn)
    device, blocks, threads, handle, packed = launches.pop()
    assert (device, threads, handle) == (1, cuda.DEFAULT_BLOCKSIZE, 0xABC)
    assert blocks == 2  # 300 indices, 256 threads a block
    assert packed[:2] == [300, 2.0]
    assert packed[2:9] == [0, 0, 300, 8, a.data.ptr, 300, 8]
    assert packed[-7:] == [0, 0, 300, 8, out.data.ptr, 300, 8]
    # through the kernel's own function, as the ndimage filters call it
    monkeypatch.setitem(kern._cuda, 4, launcher)
    saxpy(2.0, a, b, out, ndrange=300, cost=3)
    assert launches.pop()[4] == packed
    # declined: not compiled for these classes (the full path compiles), arrays on two
    # devices (the full path names them), ill-formed ndranges, other scalar kinds
    assert not launcher.launch_cupy(
        300, (2.0, a, b, _CupyStandIn(np.ones(300, np.float32), 1)), _CupyStandIn
    )
    assert not launcher.launch_cupy(300, (2.0, a, b, _CupyStandIn(np.ones(300), 0)), _CupyStandIn)
    assert not launcher.launch_cupy(300, (2, a, b, out), _CupyStandIn)
    assert not launcher.launch_cupy(300, (np.float64(2.0), a, b, out), _CupyStandIn)
    assert not launcher.launch_cupy((300, 1), (2.0, a, b, out), _CupyStandIn)
    assert not launcher.launch_cupy(-1, (2.0, a, b, out), _CupyStandIn)
    assert not launcher.launch_cupy(300.0, (2.0, a, b, out), _CupyStandIn)
    assert not launcher.launch_cupy(300, (2.0, np.ones(300), b, out), _CupyStandIn)
    assert not launches
    # an empty index space launches nothing, and is done
    assert launcher.launch_cupy(0, (2.0, a, b, out), _CupyStandIn)
    assert not launches


def numba_array(dtype, ndim, layout):
    from numba.core import types
    from numba.np import numpy_support

    return types.Array(numpy_support.from_dtype(dtype), ndim, layout)


def test_elementwise_cupy_calls_take_the_launch_made_before(monkeypatch):
    # CuPy arrays of one shape and Python scalars, in classes the full path launched
    # before: the result is allocated on the arrays' device and the launch goes
    # straight to the driver. Other calls are left to the full path.
    from jitdispatch import _elementwise, _targets
    from jitdispatch._targets import cuda

    fake = _install_cupy_stand_in(monkeypatch)
    monkeypatch.setitem(cuda._sm_counts, 1, 2)
    ew = hypot._jd_object
    kern = ew.kernel(1, (True, True))
    launcher = cuda.make_launcher(*kern._module(_targets.get("cuda"), 3), 1)
    launches = []

    class Recorder:
        def launch(self, device, blocks, threads, stream_handle, packed):
            launches.append((device, packed))

    f64 = np.dtype(np.float64)
    f64c = cuda._array_types.setdefault((f64, 1, "C"), numba_array(f64, 1, "C"))
    launcher._fast[(f64c, f64c, f64c), 1] = Recorder()
    monkeypatch.setitem(ew._cupy, (f64, f64, 1), (launcher, f64))
    a, b = _CupyStandIn(np.ones(5), 1), _CupyStandIn(np.full(5, 2.0), 1)
    res = hypot(a, b)
    assert type(res) is _CupyStandIn and res.dtype == f64 and res.shape == (5,)
    assert fake.devices == [1]  # allocated under the arrays' device, not the current one
    device, packed = launches.pop()
    assert device == 1 and packed[0] == 5
    assert [packed[5], packed[12], packed[19]] == [a.data.ptr, b.data.ptr, res.data.ptr]
    # what the full path would take instead
    assert _elementwise._fast_key((a, _CupyStandIn(np.ones(4), 1)), _CupyStandIn) is None
    assert _elementwise._fast_key((a, np.ones(5)), _CupyStandIn) is None
    assert _elementwise._fast_key((1.0, 2), _CupyStandIn) is None
    assert _elementwise._fast_key((a, 2.0), _CupyStandIn) == (f64, float, 1)


def test_a_kernels_register_limit_reaches_the_cuda_compiler():
    from jitdispatch.kernels.ndimage import rank

    import jitdispatch as jd
    from jitdispatch import _targets
    from jitdispatch._targets import cuda

    kern = rank.window_filter._jd_object
    assert kern.max_registers == rank.MAX_REGISTERS == 64
    module, on_disk = kern._module(_targets.get("cuda"), 12)
    assert module.__name__.endswith("r64")  # cached apart from an unbounded build
    launcher = cuda.make_launcher(module, on_disk, 2, kern.max_registers)
    assert launcher.dispatchers()[0].targetoptions["max_registers"] == 64
    plain = cuda.make_launcher(*saxpy._jd_object._module(_targets.get("cuda"), 4), 1)
    assert "max_registers" not in plain.dispatchers()[0].targetoptions
    for bad in (8, 256, 64.0, True, "64"):
        with pytest.raises(ValueError, match="max_registers"):
            jd.kernel(max_registers=bad)


def test_empty_and_lanes_take_cupy_arrays_directly(monkeypatch):
    # jd.empty and jd.lanes answer a CuPy `like` without describing or dispatching it:
    # CuPy's empty on the array's device (switching only when it is not the current
    # one), and one output per index.
    import jitdispatch as jd

    fake = _install_cupy_stand_in(monkeypatch)
    on0, on1 = _CupyStandIn(np.ones(3), 0), _CupyStandIn(np.ones(3), 1)
    assert type(jd.empty((2, 5), np.float32, like=on0)) is _CupyStandIn
    assert fake.made.pop() == ((2, 5), np.dtype(np.float32), 0) and fake.devices == []
    jd.empty(7, "int16", like=on1)
    assert fake.made.pop() == (7, np.dtype(np.int16), 1) and fake.devices == [1]
    assert jd.lanes(on0) == 1
