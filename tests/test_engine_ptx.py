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


def test_elementwise_broadcast_and_scalars():
    check_ptx(hypot.compile_ptx(np.ones((3, 4), np.float32), np.ones(4, np.float32), cc=CC))
    check_ptx(hypot.compile_ptx(np.ones(5), 2.0, cc=CC))


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
    # *strides) and a scalar as a ctypes value of its type; a bool as it is.
    import ctypes

    from jitdispatch._targets import cuda

    view = cuda.DeviceView.of(_Cai((3, 7), "<f8", strides=(112, 16), ptr=8192))
    packed = [10, 20]
    key = cuda._pack((view, 2.5, 3, True, np.float32(1.5), np.int32(-4)), packed)
    assert [str(t) for t in key] == [
        "array(float64, 2d, A)",
        "float64",
        "int64",
        "bool",
        "float32",
        "int32",
    ]
    assert packed[:11] == [10, 20, 0, 0, 21, 8, 8192, 3, 7, 112, 16]
    scalars = packed[11:]
    assert isinstance(scalars[0], ctypes.c_double) and scalars[0].value == 2.5
    assert isinstance(scalars[1], ctypes.c_int64) and scalars[1].value == 3
    assert scalars[2] is True
    assert isinstance(scalars[3], ctypes.c_float) and scalars[3].value == 1.5
    assert isinstance(scalars[4], ctypes.c_int32) and scalars[4].value == -4
    # Kinds the packer does not cover send the launch down numba-cuda's own path.
    assert cuda._pack((np.int8(1),), []) is None
    assert cuda._pack((2**64,), []) is None
    assert cuda._pack(("text",), []) is None
