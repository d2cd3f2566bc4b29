"""The engine on the CPU target, against NumPy."""

import logging
import math

import numpy as np
import pytest
from kernels_for_tests import (
    ADD,
    PER_INDEX,
    SCALE,
    add,
    add1,
    add2,
    chunked_scale,
    clip_kernel,
    compare_exchange,
    extremes,
    greater,
    hypot,
    report_target,
    saxpy,
    window_sum,
)

import jitdispatch as jd

pytestmark = pytest.mark.cpu

DTYPES = [
    np.bool_,
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint16,
    np.uint32,
    np.uint64,
    np.float32,
    np.float64,
    np.complex64,
    np.complex128,
]


def sample(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 50, size=shape)
    if np.dtype(dtype).kind == "c":
        return (data + 1j * rng.integers(0, 50, size=shape)).astype(dtype)
    if np.dtype(dtype).kind == "b":
        return data % 2 == 0
    return data.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_kernel_dtypes(dtype):
    x, y = sample(37, dtype, 1), sample(37, dtype, 2)
    out = np.empty(37, dtype)
    add1(x, y, out, ndrange=(37,))
    np.testing.assert_array_equal(out, (x + y).astype(dtype))


@pytest.mark.parametrize("ndim", range(5))
def test_kernel_ndim(ndim):
    shape = (3, 4, 2, 5)[:ndim]
    x, y = sample(shape, np.float64, 1), sample(shape, np.float64, 2)
    out = np.empty(shape)
    ADD[ndim](x, y, out, ndrange=shape)
    np.testing.assert_array_equal(out, x + y)


@pytest.mark.parametrize("shape", [(0,), (0, 4), (3, 0)])
def test_kernel_empty(shape):
    x = np.empty(shape)
    out = np.empty(shape)
    ADD[len(shape)](x, x, out, ndrange=shape)  # nothing to do, nothing may fail


@pytest.mark.parametrize("layout", ["strided", "negative", "fortran", "mixed"])
def test_kernel_layouts(layout):
    base = sample((8, 10), np.float64, 3)
    other = sample((8, 10), np.float64, 4)
    if layout == "strided":
        x, y = base[::2, ::3], other[1::2, ::3]
    elif layout == "negative":
        x, y = base[::-1, ::-2], other[::-1, ::-2]
    elif layout == "fortran":
        x, y = np.asfortranarray(base), np.asfortranarray(other)
    else:
        x, y = base, np.asfortranarray(other)
    out = np.empty(x.shape, order="F")[::1]
    add2(x, y, out, ndrange=x.shape)
    np.testing.assert_array_equal(out, x + y)


def test_kernel_writes_into_strided_output():
    x, y = sample(10, np.float64, 1), sample(10, np.float64, 2)
    backing = np.zeros(20)
    add1(x, y, backing[::2], ndrange=10)
    np.testing.assert_array_equal(backing[::2], x + y)
    assert not backing[1::2].any()


def test_python_ints_beyond_int64_after_a_fast_call():
    out = np.zeros(2, np.uint64)
    fill(out, 3, ndrange=2)  # the fast path knows the int64 code now
    fill(out, 2**63 + 5, ndrange=2)  # Numba's OverflowError there: the full path
    np.testing.assert_array_equal(out, [2**63 + 5] * 2)
    with pytest.raises(OverflowError, match="beyond int64 and uint64"):
        fill(out, 2**64, ndrange=2)


def test_scalars_by_value_and_large_parallel_launch():
    n = 200_000  # above the parallel threshold: runs the prange wrapper
    x, y = np.arange(n, dtype=np.float64), np.ones(n)
    out = np.empty(n)
    saxpy(2.5, x, y, out, ndrange=(n,))
    np.testing.assert_array_equal(out, 2.5 * x + 1)
    saxpy(3, x, y, out, ndrange=n)  # int scalar, int ndrange
    np.testing.assert_array_equal(out, 3 * x + 1)


@jd.kernel
def fill(i, out, value):
    out[i] = value


@jd.kernel
def checked_sqrt(i, x, out):
    if x[i] < 0:
        raise ValueError("negative input")
    out[i] = math.sqrt(x[i])


@jd.kernel(raises=False)
def unchecked_scale(i, x, out):
    out[i] = 2.0 * x[i]


@pytest.mark.parametrize("n", [1000, 200_000], ids=["serial", "parallel"])
def test_exceptions_raised_in_any_launch(n):
    # Numba's prange drops what a thread raises; the parallel wrapper must not
    x, out = np.linspace(0.0, 1.0, n), np.zeros(n)
    x[n * 3 // 4] = -1.0  # in the last thread's share of axis 0
    with pytest.raises(ValueError, match="negative input"):
        checked_sqrt(x, out, ndrange=n)
    x[n * 3 // 4] = 1.0
    checked_sqrt(x, out, ndrange=n)
    np.testing.assert_array_equal(out, np.sqrt(x))


def test_exceptions_from_elementwise_in_parallel_launches():
    @jd.elementwise
    def strict_log(v):
        if v <= 0:
            raise ValueError("not positive")
        return math.log(v)

    x = np.ones((600, 600))
    x[599, 3] = 0.0
    with pytest.raises(ValueError, match="not positive"):
        strict_log(x)


def test_a_bodys_typing_error_is_its_own_in_a_first_parallel_launch():
    @jd.kernel
    def adds_a_string(i, x, out):
        out[i] = x[i] + "a"

    n = 200_000
    with pytest.raises(Exception) as info:  # Numba's TypingError, about the body
        adds_a_string(np.ones(n), np.empty(n), ndrange=n)
    assert "failed_call" not in str(info.value)
    assert "unicode_type" in str(info.value) or "str" in str(info.value)


def test_exception_only_in_a_parallel_launch_is_a_launch_error(monkeypatch):
    from jitdispatch._targets import cpu

    n = 200_000
    x, out = np.ones(n), np.empty(n)
    checked_sqrt(x, out, ndrange=n)
    monkeypatch.setattr(cpu, "_run_parallel", lambda *args: 1)  # as if a thread raised
    with pytest.raises(jd.LaunchError, match="run serially did not raise"):
        checked_sqrt(x, out, ndrange=n)


def test_kernels_declared_not_to_raise():
    n = 200_000
    x, out = np.arange(n, dtype=np.float64), np.empty(n)
    unchecked_scale(x, out, ndrange=n)
    np.testing.assert_array_equal(out, 2.0 * x)
    with pytest.raises(TypeError, match="raises must be True or False"):
        jd.kernel(raises=1)


def test_sequences_become_arrays():
    out = np.empty(3)
    add1([1.0, 2.0, 3.0], np.ones(3), out, ndrange=3)
    np.testing.assert_array_equal(out, [2, 3, 4])


def test_func_helper_and_target_override():
    x = np.linspace(-2, 2, 9)
    out = np.empty(9)
    clip_kernel(x, -1.0, 1.0, out, ndrange=9)
    np.testing.assert_array_equal(out, np.clip(x, -1, 1))
    flags = np.full(4, -1, np.int64)
    report_target(flags, ndrange=4)
    assert (flags == 0).all()  # the CPU body, not the CUDA override


def test_local_array():
    x = np.arange(6, dtype=np.float64)
    out = np.empty(6)
    window_sum(x, out, ndrange=6)
    padded = np.pad(x, 1, mode="edge")
    np.testing.assert_array_equal(out, padded[:-2] + padded[1:-1] + padded[2:])


@jd.kernel
def _chunk_sums(i, x, width, out):
    """Each index fills its own 64-element scratch, then sums it (``width`` of it)."""
    buf = jd.local.array(64, x.dtype)
    for k in range(width):
        buf[k] = x[i * width + k]
    total = 0.0
    for k in range(width):
        total += buf[k]
    out[i] = total


@jd.kernel
def _sized_scratch(i, n, out):
    """Scratch whose size is a run-time value: not a stack array."""
    buf = jd.local.array(n, np.int64)
    for k in range(n):
        buf[k] = i * k
    out[i] = buf.sum()


@pytest.mark.parametrize("cost", [1, 10**6], ids=["serial", "parallel"])
def test_local_array_per_index_on_the_stack(cost):
    """Constant-size scratch is stack memory of the compiled code: every index sees its
    own, in serial and in parallel launches, and nothing is allocated per index."""
    from jitdispatch._targets import cpu

    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.int32):
        x = rng.integers(-50, 50, size=4096).astype(dtype)
        out = np.empty(64)
        _chunk_sums(x, 64, out, ndrange=64, cost=cost)
        np.testing.assert_array_equal(out, x.reshape(64, 64).sum(axis=1))
    # no allocation in the compiled code (a fresh compilation: cached code has no IR)
    import numba

    array = cpu.local().array

    @numba.njit
    def scratch_sum(x):
        buf = array(64, x.dtype)
        for k in range(64):
            buf[k] = x[k]
        return buf.sum()

    assert scratch_sum(np.arange(64.0)) == 2016.0
    assert "NRT_MemInfo_alloc" not in scratch_sum.inspect_llvm(scratch_sum.signatures[0])
    out = np.empty(5, np.int64)
    _sized_scratch(7, out, ndrange=5)
    np.testing.assert_array_equal(out, np.arange(5) * 21)


def test_per_target_constants():
    # in a body: the CPU's values (8-element stack scratch, factor 2)
    x = np.arange(21.0)
    out = np.full(21, -1.0)
    chunked_scale(x, out, ndrange=-(-21 // int(PER_INDEX)))
    np.testing.assert_array_equal(out, 2.0 * x)
    # on the host: the CPU's value, and each target's on request
    assert int(PER_INDEX) == 8 and list(range(PER_INDEX)) == list(range(8))
    assert float(SCALE) == 2.0 and SCALE.value("cuda") == 3.0
    assert repr(PER_INDEX) == "jitdispatch.per_target(cpu=8, cuda=1)"
    with pytest.raises(TypeError, match="one value for each target"):
        jd.per_target(cpu=4)
    with pytest.raises(TypeError, match="ints or floats"):
        jd.per_target(cpu=4, cuda="1")
    with pytest.raises(ValueError, match="unknown target"):
        PER_INDEX.value("tpu")
    # the values are part of the compiled code's key on disk
    from jitdispatch._kernel import fingerprint_function

    def body(i, out):
        out[i] = CONSTANT  # noqa: F821 (set in the module's globals below)

    keys = set()
    for cuda in (1, 2):
        globals()["CONSTANT"] = jd.per_target(cpu=8, cuda=cuda)
        keys.add(fingerprint_function(body))
    del globals()["CONSTANT"]
    assert len(keys) == 2


def test_fingerprints_tell_referenced_callables_and_arrays_apart():
    # what a body calls or freezes is part of its key on disk: closures over np.max and
    # np.min once shared one, and the cache served one's code for the other
    from jitdispatch._kernel import fingerprint_function

    def calling(f):
        return lambda w: f(w)

    def freezing(table):
        return lambda i: table[i]

    scaled = [lambda v, a=a: v * a for a in (1.0, 5.0)]  # defaults frozen as closures are
    assert fingerprint_function(scaled[0]) != fingerprint_function(scaled[1])
    keys = [fingerprint_function(calling(f)) for f in (np.max, np.min, np.sin, np.cos, len)]
    assert len(set(keys)) == 5
    # a name that leads back to the callable is the same key in every process
    assert fingerprint_function(calling(np.max)) == keys[0]
    assert fingerprint_function(freezing(np.arange(3))) != fingerprint_function(
        freezing(np.arange(1, 4))
    )

    class Scale:
        def __call__(self, w):
            return 2.0 * w

    one, two = Scale(), Scale()  # no name leads back to them: never one key for both
    assert fingerprint_function(calling(one)) != fingerprint_function(calling(two))
    # arrays inside tuples count by their contents, not by their rounded, cut repr
    tables = [(np.array([1.0 + eps, 2.0]), np.zeros(3000)) for eps in (0.0, 1e-12)]
    tables.append((tables[0][0], np.r_[np.zeros(2999), 1.0]))
    keys = {fingerprint_function(freezing(table)) for table in tables}
    assert len(keys) == 3
    # and other constants Numba freezes (Enum members, dtypes) by their repr
    import enum

    class Mode(enum.Enum):
        A = 1
        B = 2

    for pair in ((Mode.A, Mode.B), (np.dtype(np.float32), np.dtype(np.float64))):
        keys = {fingerprint_function(freezing((value,))) for value in pair}
        keys |= {fingerprint_function(freezing(value)) for value in pair}
        assert len(keys) == 4


def test_kernels_pickle_without_their_source_and_are_shared_when_unpickled():
    cloudpickle = pytest.importorskip("cloudpickle", reason="cloudpickle is not installed")
    namespace = {"np": np}
    exec("def triple(i, x, out):\n    out[i] = 3 * x[i]\n", namespace)  # no source file
    kernel = jd.kernel(namespace["triple"])
    out = np.empty(3)
    kernel([1.0, 2.0, 3.0], out, ndrange=3)  # a list argument: reads `written`
    obj = kernel._jd_object
    first, second = (cloudpickle.loads(cloudpickle.dumps(obj)) for _ in range(2))
    assert first is second and first is not obj
    first(np.arange(3.0), out, ndrange=3)
    np.testing.assert_array_equal(out, [0.0, 3.0, 6.0])


class DLPackOnly:
    """A host array known only through the DLPack protocol."""

    def __init__(self, arr):
        self._arr = arr
        self.shape, self.dtype = arr.shape, arr.dtype

    def __dlpack__(self, **kwargs):
        return self._arr.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._arr.__dlpack_device__()


def test_dlpack_host_objects_are_zero_copy():
    out_backing = np.zeros(5)
    out = DLPackOnly(out_backing)
    add1(DLPackOnly(np.arange(5.0)), np.ones(5), out, ndrange=5)
    np.testing.assert_array_equal(out_backing, np.arange(5.0) + 1)


def test_torch_cpu_tensors_zero_copy_and_torch_out():
    torch = pytest.importorskip("torch", reason="torch is not installed in this environment")
    x = torch.arange(6, dtype=torch.float64)
    out = torch.empty(6, dtype=torch.float64)
    add1(x, x, out, ndrange=6)
    assert torch.equal(out, 2 * x)
    res = hypot(x, x)
    assert isinstance(res, torch.Tensor)
    np.testing.assert_allclose(res.numpy(), np.hypot(x.numpy(), x.numpy()))


# --- elementwise ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [d for d in DTYPES if d is not np.bool_])
def test_elementwise_dtypes(dtype):
    x, y = sample((4, 5), dtype, 1), sample((4, 5), dtype, 2)
    got = add(x, y)
    want = x + y
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_elementwise_bool_follows_the_function():
    # Python's True + True is 2: the function returns integers, so the result is int64.
    x = np.array([True, True, False])
    assert add(x, x).dtype == np.int64
    assert greater(np.arange(3.0), 1.0).dtype == np.bool_


def test_elementwise_promotion():
    f32, f64 = np.ones(3, np.float32), np.ones(3, np.float64)
    assert hypot(f32, f32).dtype == np.float32
    assert hypot(f32, f64).dtype == np.float64
    assert hypot(f32, 2.0).dtype == np.float32  # Python scalars are weak
    assert hypot(np.arange(3), np.arange(3)).dtype == np.float64  # sqrt of ints is float
    assert add(np.arange(3, dtype=np.int8), np.arange(3, dtype=np.uint8)).dtype == np.int16


@pytest.mark.parametrize("ndim", range(5))
def test_elementwise_ndim_and_broadcasting(ndim):
    shape = (2, 3, 4, 5)[:ndim]
    x = sample(shape, np.float64, 1)
    y = sample(shape[1:] if ndim else (), np.float64, 2)
    np.testing.assert_allclose(hypot(x, y), np.hypot(x, y), rtol=1e-15)
    np.testing.assert_array_equal(add(x, 1.5), x + 1.5)


def test_elementwise_layouts_and_empty():
    base = sample((6, 8), np.float64, 1)
    for x in (base[::2, ::-3], np.asfortranarray(base), base.T):
        np.testing.assert_allclose(hypot(x, x), np.hypot(x, x), rtol=1e-15)
    assert hypot(np.empty((0, 3)), np.empty((0, 3))).shape == (0, 3)


def test_elementwise_out():
    x = np.arange(4.0)
    out = np.empty(4)
    assert hypot(x, x, out=out) is out
    np.testing.assert_allclose(out, np.hypot(x, x))
    with pytest.raises(ValueError, match="shape"):
        hypot(x, x, out=np.empty(5))
    with pytest.raises(TypeError, match="same_kind"):
        hypot(x, x, out=np.empty(4, np.int64))
    with pytest.raises(ValueError, match="broadcast"):
        hypot(np.ones(3), np.ones(4))


def test_elementwise_out_sets_the_shape_as_numpy_does():
    # the inputs broadcast to a larger out, and one that overlaps out is read first
    out = np.zeros((2, 3))
    assert add(np.arange(3.0), 1.0, out=out) is out
    np.testing.assert_array_equal(out, np.add(np.arange(3.0), 1.0, out=np.zeros((2, 3))))
    mine, numpys = np.arange(12.0).reshape(2, 6), np.arange(12.0).reshape(2, 6)
    add(mine[:1], 1.0, out=mine)
    np.add(numpys[:1], 1.0, out=numpys)
    np.testing.assert_array_equal(mine, numpys)
    with pytest.raises(ValueError, match=r"out has shape \(2,\)"):
        add(np.ones(3), 1.0, out=np.empty(2))


def test_elementwise_scalars_and_0d_arrays_give_numpy_scalars():
    for args in ((np.array(1.5), np.array(2.0)), (np.float32(1.5), 2.0), (3, 4)):
        mine, numpys = add(*args), np.add(*args)
        assert type(mine) is type(numpys)
        assert mine == numpys
    add(np.array(1.0), np.array(2.0))  # the second call of a signature, too
    assert type(add(np.array(1.0), np.array(2.0))) is np.float64
    out = np.empty(())
    assert add(np.array(1.0), 2.0, out=out) is out  # an out= is returned as given


def test_elementwise_wrong_arity():
    with pytest.raises(TypeError, match="takes 2 arguments"):
        hypot(np.ones(3))


def test_elementwise_on_dask_is_lazy_and_right():
    da = pytest.importorskip("dask.array", reason="dask is not installed")
    x = da.from_array(np.arange(20.0).reshape(4, 5), chunks=(2, 3))
    res = hypot(x, 1.0)
    assert isinstance(res, da.Array)
    assert res.dtype == np.float64
    np.testing.assert_allclose(res.compute(), np.hypot(np.arange(20.0).reshape(4, 5), 1.0))
    report = jd.explain(hypot, x, 1.0)
    assert report.target == "per chunk (cpu)"
    assert "lazy" in report.reason
    with pytest.raises(TypeError, match="out= is not supported with Dask"):
        jd.explain(hypot, x, 1.0, out=np.empty((4, 5)))


def test_elementwise_on_dask_runs_serial_kernels_per_chunk(monkeypatch):
    da = pytest.importorskip("dask.array", reason="dask is not installed")
    from jitdispatch import _config
    from jitdispatch._targets import cpu

    def parallel(*args):
        raise AssertionError("a chunk launched a parallel kernel")

    big = np.arange(2.0 * _config.PARALLEL_THRESHOLD)
    monkeypatch.setattr(cpu, "_run_parallel", parallel)
    got = hypot(da.from_array(big, chunks=big.size // 2), 1.0).compute(scheduler="threads")
    np.testing.assert_allclose(got, np.hypot(big, 1.0))


# --- errors --------------------------------------------------------------------------------


class FakeDeviceArray:
    """Looks like a CUDA array to dispatch; never dereferenced."""

    def __init__(self, shape=(4,), dtype=np.float64):
        self.shape, self.dtype, self.ndim = shape, np.dtype(dtype), len(shape)
        self.__cuda_array_interface__ = {
            "shape": shape,
            "typestr": self.dtype.str,
            "data": (0, False),
            "version": 3,
            "strides": None,
        }


class OverlapStandIn:
    """A device array's interface over ``base``'s host memory (only its addresses are
    read), with CuPy's ``copy``; a copy lives elsewhere."""

    def __init__(self, view, copyable=True):
        self.view = view
        face = view.__array_interface__
        self.__cuda_array_interface__ = dict(face, strides=face["strides"], version=3)
        if copyable:
            self.copy = lambda: OverlapStandIn(view.copy())


def test_elementwise_device_operands_overlapping_out_are_copied_as_cupy_does():
    from jitdispatch._elementwise import _device_apart_from

    base = np.zeros(12)
    out = OverlapStandIn(base[2:8])
    same, shifted = OverlapStandIn(base[2:8]), OverlapStandIn(base[1:7])
    reversed_, apart = OverlapStandIn(base[7:1:-1]), OverlapStandIn(base[8:])
    touching = OverlapStandIn(base[:2])
    given = (same, shifted, reversed_, apart, touching)
    kept = _device_apart_from(given, out, "f")
    assert [k is a for k, a in zip(kept, given, strict=True)] == [True, False, False, True, True]
    assert not np.shares_memory(kept[1].view, base)
    with pytest.raises(jd.UnsupportedArgumentError, match=r"`x1`.*overlaps `out`"):
        _device_apart_from((OverlapStandIn(base[3:9], copyable=False),), out, "f")


def test_mixed_devices_name_each_argument():
    out = np.empty(4)
    with pytest.raises(jd.DeviceMismatchError) as info:
        add1(np.ones(4), FakeDeviceArray(), out, ndrange=4)
    message = str(info.value)
    assert "add1" in message
    assert "`x` is a numpy.ndarray on cpu" in message
    assert "`y` is a" in message and "on cuda" in message


def test_forced_target_refuses_copies():
    with pytest.raises(jd.DeviceMismatchError, match="target='cpu'"):
        add1(FakeDeviceArray(), FakeDeviceArray(), FakeDeviceArray(), ndrange=4, target="cpu")
    with pytest.raises(jd.DeviceMismatchError, match="target='cuda'"):
        add1(np.ones(4), np.ones(4), np.empty(4), ndrange=4, target="cuda")
    with pytest.raises(ValueError, match="unknown target"):
        add1(np.ones(4), np.ones(4), np.empty(4), ndrange=4, target="tpu")


def test_cuda_arrays_without_a_driver_say_what_to_install():
    pytest.importorskip("numba.cuda", reason="numba-cuda is not installed")
    from numba import cuda

    if cuda.is_available():
        pytest.skip("a CUDA driver is present: the error cannot happen here")
    arrays = [FakeDeviceArray() for _ in range(3)]
    with pytest.raises(jd.TargetUnavailableError, match="driver"):
        add1(*arrays, ndrange=4)


def test_read_only_output_is_named():
    out = np.empty(5)
    out.flags.writeable = False
    with pytest.raises(jd.LaunchError, match="add1 writes to argument `out`"):
        add1(np.ones(5), np.ones(5), out, ndrange=5)


@pytest.mark.parametrize("ndrange", [(2, 2), (-1,), (1.5,), "3", None])
def test_wrong_ndrange(ndrange):
    x = np.ones(4)
    with pytest.raises(jd.LaunchError, match="add1"):
        add1(x, x, np.empty(4), ndrange=ndrange)


@pytest.mark.parametrize("bad", [np.array(["a", "b"]), np.array([object(), None])])
def test_unsupported_dtypes_are_named(bad):
    with pytest.raises(jd.UnsupportedArgumentError, match="argument `y` has dtype"):
        add1(np.ones(2), bad, np.empty(2), ndrange=2)
    with pytest.raises(jd.UnsupportedArgumentError):
        hypot(bad, bad)



def test_byte_swapped_arrays_are_refused_by_name():
    # Numba's dispatcher keys arrays that are not C/F "behaved" (strided, unaligned,
    # read-only, byte-swapped) by ndim and dtype number alone: a byte-swapped array
    # compiled for first left it refusing an unaligned one later in the process (found
    # by fuzzing). A kernel with no code for such an array yet refuses it by name.
    @jd.kernel
    def twice(i, x, out):
        out[i] = 2.0 * x[i]

    swapped = np.arange(3.0).astype(">f8")
    with pytest.raises(jd.UnsupportedArgumentError, match="byte order"):
        twice(swapped, np.empty(3), ndrange=3)
    raw = np.zeros(25, np.uint8)
    unaligned = raw[1:].view(np.float64)
    unaligned[:] = [3.0, 4.0, 5.0]
    out = np.empty(3)
    twice(unaligned, out, ndrange=3)
    np.testing.assert_array_equal(out, [6.0, 8.0, 10.0])
    # and now that it has code for such an array (which Numba would take a byte-swapped
    # one for, bytes unswapped), its fast path checks the byte order
    with pytest.raises(jd.UnsupportedArgumentError, match="byte order"):
        twice(swapped, out, ndrange=3)
    twice(np.arange(6.0)[::2], out, ndrange=3)  # strided: the same table entry
    with pytest.raises(jd.UnsupportedArgumentError, match="byte order"):
        twice(swapped, out, ndrange=3)
    np.testing.assert_array_equal(out, [0.0, 4.0, 8.0])


def test_unsupported_argument_types():
    with pytest.raises(jd.UnsupportedArgumentError, match="cannot pass a"):
        add1(np.ones(2), {"a": 1}, np.empty(2), ndrange=2)
    with pytest.raises(TypeError, match="takes 4 parameters"):
        add1(np.ones(2), np.ones(2), np.ones(2), np.ones(2), np.ones(2), ndrange=())


# --- the generated entry points' fast path hands over what it cannot take ----------------


def test_kernel_fast_path_hands_over_new_kinds_of_argument():
    x = np.arange(6.0)
    out = np.empty(6)
    add1(x, x, out, ndrange=6)  # compiled: later calls take the fast path
    add1([1.0] * 6, x, out, ndrange=(6,))  # a list becomes an array
    np.testing.assert_array_equal(out, x + 1.0)
    add1(x.astype(np.float32), x, out, ndrange=(6,))  # a new dtype compiles
    np.testing.assert_array_equal(out, x + x)
    strided = np.empty(12)[::2]
    add1(x[::-1], x, strided, ndrange=(6,))  # a new layout compiles
    np.testing.assert_array_equal(strided, x[::-1] + x)
    add1(x, x, out, ndrange=(np.int32(6),))  # a NumPy integer extent
    np.testing.assert_array_equal(out, 2 * x)


def test_kernel_fast_path_checks_extents():
    x = np.ones((2, 3))
    add2(x, x, np.empty((2, 3)), ndrange=(2, 3))
    with pytest.raises(jd.LaunchError, match="negative"):
        add2(x, x, np.empty((2, 3)), ndrange=(-2, -3))  # positive product, still wrong
    with pytest.raises(jd.LaunchError, match="ndrange"):
        add2(x, x, np.empty((2, 3)), ndrange=(2.0, 3))


def test_kernel_scalars_are_never_converted_to_fit_compiled_code():
    x = np.zeros(3)
    out = np.empty(3)
    saxpy(np.float32(0.1), x, x, out, ndrange=3)
    np.testing.assert_array_equal(out, np.float32(0.1) * x + x)
    saxpy(0.1, x + 1.0, x, out, ndrange=3)  # float64, not rounded to float32
    np.testing.assert_array_equal(out, 0.1 * (x + 1.0))


def test_kernel_keyword_errors_name_the_kernel():
    x = np.ones(2)
    with pytest.raises(TypeError, match=r"add1\(\) got an unexpected keyword argument 'strean'"):
        add1(x, x, np.empty(2), ndrange=2, strean=1)
    with pytest.raises(TypeError, match="unexpected options"):
        add1(x, x, np.empty(2), ndrange=2, blocksize=64)  # a CUDA option on the CPU


def test_cost_runs_few_long_indices_in_parallel():
    x = np.ones(64)
    out = np.empty(64)
    assert jd.explain(add1, x, x, out, ndrange=64).launch.startswith("serial")
    assert "parallel" in jd.explain(add1, x, x, out, ndrange=64, cost=4096).launch
    add1(x, x, out, ndrange=64, cost=4096)
    np.testing.assert_array_equal(out, 2.0)
    with pytest.raises(jd.LaunchError, match="cost must be a positive number"):
        add1(x, x, out, ndrange=64, cost=0)


def test_elementwise_fast_path_hands_over_new_layouts():
    x = np.arange(8.0)
    np.testing.assert_array_equal(add(x, x), 2 * x)
    np.testing.assert_array_equal(add(x[::-2], x[::2]), x[::-2] + x[::2])


def test_kernels_pickle_by_reference():
    import pickle

    assert pickle.loads(pickle.dumps(add1)) is add1
    assert pickle.loads(pickle.dumps(hypot)) is hypot


def test_decorators_reject_non_functions():
    with pytest.raises(TypeError):
        jd.kernel(len)
    with pytest.raises(TypeError, match="positional"):
        jd.kernel(lambda i, *args: None)


# --- visibility ----------------------------------------------------------------------------


def test_explain_reports_target_reason_and_cache_state():
    x = np.ones(8)
    report = jd.explain(add1, x, x, np.empty(8), ndrange=8)
    assert report.target == "cpu"
    assert "`x` is a numpy.ndarray on cpu" in report.reason
    assert "array(float64, 1d, C)" in report.signature
    add1(x, x, np.empty(8), ndrange=8)
    assert "in memory" in jd.explain(add1, x, x, np.empty(8), ndrange=8).cache
    text = str(jd.explain(hypot, x, 2.0))
    for field in ("target", "reason", "device", "stream", "signature", "cache"):
        assert field in text


def test_trace_logs_every_decision(caplog):
    x = np.ones(3)
    jd.set_trace(True)
    try:
        with caplog.at_level(logging.INFO, logger="jitdispatch"):
            add1(x, x, np.empty(3), ndrange=(3,))
            hypot(x, x)
    finally:
        jd.set_trace(False)
    messages = [r.getMessage() for r in caplog.records]
    assert any("add1 -> cpu" in m for m in messages)
    assert any("hypot -> cpu" in m for m in messages)


def test_empty_and_asarray_follow_like():
    x = np.ones(3)
    e = jd.empty((2, 2), np.float32, like=x)
    assert isinstance(e, np.ndarray) and e.dtype == np.float32 and e.shape == (2, 2)
    assert jd.asarray(x, like=x) is x
    np.testing.assert_array_equal(jd.asarray([1, 2], like=x, dtype=np.int16), [1, 2])
    assert jd.asarray([1, 2], like=x, dtype=np.int16).dtype == np.int16
    with pytest.raises(jd.DeviceMismatchError, match="never copies from a device"):
        jd.asarray(FakeDeviceArray(), like=x)
    with pytest.raises(TypeError, match="must be an array"):
        jd.empty(3, np.float64, like=[1, 2])


def _extreme_operands(dtype, n=64):
    rng = np.random.default_rng(3)
    if dtype == np.bool_:
        return rng.random(n) < 0.5, rng.random(n) < 0.5
    if np.dtype(dtype).kind == "f":
        x, y = rng.standard_normal(n).astype(dtype), rng.standard_normal(n).astype(dtype)
        x[:6] = [np.nan, 1.0, np.nan, -np.inf, np.inf, 2.0]
        y[:6] = [1.0, np.nan, np.nan, 3.0, -1.0, 2.0]
        return x, y
    info = np.iinfo(dtype)
    return tuple(rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True) for _ in "xy")


@pytest.mark.parametrize(
    "dtype", [np.float32, np.float64, np.int8, np.uint8, np.int64, np.uint64, np.bool_]
)
def test_fmin_fmax_follow_numpy(dtype):
    x, y = _extreme_operands(dtype)
    lo, hi = np.empty_like(x), np.empty_like(x)
    extremes(x, y, lo, hi, ndrange=len(x))
    np.testing.assert_array_equal(lo, np.fmin(x, y))
    np.testing.assert_array_equal(hi, np.fmax(x, y))
    a, b = x.copy(), y.copy()  # in place, as a comparator of a network
    compare_exchange(a, b, ndrange=len(a))
    np.testing.assert_array_equal(a, np.fmin(x, y))
    np.testing.assert_array_equal(b, np.fmax(x, y))
    for u, v in zip(x[:8], y[:8], strict=True):  # from Python, on NumPy scalars
        np.testing.assert_array_equal(jd.fmin(u, v), np.fmin(u, v))
        np.testing.assert_array_equal(jd.fmax(u, v), np.fmax(u, v))
    assert repr(jd.fmin) == "jitdispatch.fmin"


def test_fmin_fmax_vectorise_without_masked_stores():
    """``x[i] = min(x[i], y[i])`` lets LLVM store only where ``y[i]`` is smaller: a masked
    vector store, slow on x86. ``jd.fmin`` is a vector min and a plain store."""
    import re

    import numba

    from jitdispatch._kernel import substitute
    from jitdispatch._targets import cpu

    def builtin(a, b):
        for i in range(a.shape[0]):
            u = a[i]
            v = b[i]
            a[i] = min(u, v)
            b[i] = max(u, v)

    def extreme(a, b):
        for i in range(a.shape[0]):
            u = a[i]
            v = b[i]
            a[i] = jd.fmin(u, v)
            b[i] = jd.fmax(u, v)

    def assembly(fn):
        dispatcher = numba.njit("void(float32[::1], float32[::1])")(fn)
        return dispatcher.inspect_asm(dispatcher.signatures[0])

    if "vmaskmov" not in assembly(builtin):
        pytest.skip("no masked store in this CPU's code for min() stored in place")
    asm = assembly(substitute(extreme, cpu))
    assert "vmaskmov" not in asm
    assert re.search(r"vminps\s+%ymm", asm) and re.search(r"vmaxps\s+%ymm", asm)


# --- NumPy's ufunc rules where a scalar function alone would differ ----------------------


@jd.elementwise
def _plus(a, b):
    return a + b


def test_elementwise_follows_numpy_where_numba_arithmetic_would_not():
    # (found by fuzzing the engine against NumPy)
    big = np.array([2**63], np.uint64)
    for other in (np.int64(1), np.array([1]), 1):  # uint64 with signed: float64 in NumPy
        got, want = _plus(big, other), big + other
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    small = np.array([1, 100], np.int8)
    with pytest.raises(OverflowError):  # NumPy refuses the weak Python int, never wraps
        _plus(small, 1000)
    for _ in range(2):  # the second call may take the fast path: checked there too
        with pytest.raises(OverflowError):
            _plus(small, 1000)
    np.testing.assert_array_equal(_plus(small, 5), small + 5)
    np.testing.assert_array_equal(_plus(np.array([1.0]), 2**70), np.array([1.0]) + 2**70)
    np.testing.assert_array_equal(_plus(np.array([1], np.uint64), 2**63), [2**63 + 1])
    # a Python int beside uint64 is a uint64 in NumPy; Numba's int64 went through float64
    unsigned = np.array([2**64 - 1, 2**63, 7], np.uint64)
    for _ in range(2):  # and again, where a fast path could take the int as it is
        got = jd.elementwise(lambda a, b: a // b)(unsigned, 3)
        np.testing.assert_array_equal(got, unsigned // 3)
        assert got.dtype == np.uint64
    # Python ints beyond an integer argument's type, after calls that made a fast path
    for big in (2**63 + 5, 2**70, -(2**63) - 1):
        np.testing.assert_array_equal(_plus(np.array([1.0]), big), np.array([1.0]) + big)
    # an out= overlapping an input reads the old values, as a ufunc's would
    a, b = np.arange(0.0, 60.0, 10.0), np.arange(0.0, 60.0, 10.0)
    _plus(a[:-1], 1.0, out=a[1:])
    np.add(b[:-1], 1.0, out=b[1:])
    np.testing.assert_array_equal(a, b)
    a = np.arange(9.0).reshape(3, 3)
    expected = a.T.copy()
    _plus(a.T, 0.0, out=a)
    np.testing.assert_array_equal(a, expected)


def test_elementwise_takes_lambdas_and_lists_beside_dask():
    np.testing.assert_array_equal(jd.elementwise(lambda x: x + 1)(np.ones(2)), [2.0, 2.0])
    da = pytest.importorskip("dask.array")
    lazy = _plus(da.from_array(np.arange(4.0), chunks=2), [1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(lazy.compute(), [1.0, 3.0, 5.0, 7.0])


def test_kernel_scalars_lists_and_costs_numpy_would_take():
    @jd.kernel
    def put(i, v, out):
        out[i] = v

    out = np.zeros(2, np.uint64)
    put(2**63, out, ndrange=2)  # a Python int past int64 is a uint64, not an internal error
    np.testing.assert_array_equal(out, [2**63, 2**63])
    with pytest.raises(OverflowError, match="argument `v`"):
        put(2**64, out, ndrange=2)
    with pytest.raises(jd.LaunchError, match="writes to argument `out`, a list"):
        put(1.0, [0.0, 0.0], ndrange=2)  # its copy would be written and thrown away
    floats = np.zeros(2)
    put(3.0, floats, ndrange=2, cost=np.int64(4))  # a NumPy integer is a number too
    np.testing.assert_array_equal(floats, [3.0, 3.0])
    with pytest.raises(jd.LaunchError, match="cost"):
        put(3.0, floats, ndrange=2, cost=True)


def test_elementwise_signatures_and_float16_refused_up_front():
    # found by fuzzing: these failed only when called, with messages naming nothing
    def varargs(*xs):
        return 1.0

    def defaults(a, b=1.0):
        return a + b

    def nothing():
        return 1.5

    for function in (varargs, defaults, nothing):
        with pytest.raises(TypeError, match="plain positional parameters"):
            jd.elementwise(function)
    with pytest.raises(jd.UnsupportedArgumentError, match="float16"):
        _plus(np.ones(2, np.float16), 1.0)
    with pytest.raises(jd.UnsupportedArgumentError, match="float16"):
        add1(np.ones(2, np.float16), np.ones(2), np.empty(2), ndrange=2)
    # dtypes CUDA or Numba have no type for, as arrays and as NumPy scalars
    dates = np.arange(3).astype("datetime64[D]")
    with pytest.raises(jd.UnsupportedArgumentError, match=r"datetime64.*int64 view"):
        _plus(dates, 1)
    with pytest.raises(jd.UnsupportedArgumentError, match="timedelta64"):
        add1(np.ones(3), dates - dates, np.empty(3), ndrange=3)
    if np.dtype(np.longdouble).itemsize > 8:  # (long double is double on some platforms)
        with pytest.raises(jd.UnsupportedArgumentError, match="long double"):
            _plus(np.ones(2), np.longdouble(1))
        with pytest.raises(jd.UnsupportedArgumentError, match=r"argument `value`.*long double"):
            fill(np.empty(2), np.longdouble(1), ndrange=2)


def test_wrong_argument_counts_say_what_the_kernel_takes():
    out = np.zeros(4)
    with pytest.raises(jd.LaunchError, match=r"takes 3 argument\(s\) \('x', 'y', 'out'\), got 2"):
        add1(np.ones(4), out, ndrange=4)
    with pytest.raises(jd.LaunchError, match="got 4; with 4 argument"):
        add1(np.ones(4), np.ones(4), out, out, ndrange=4)
