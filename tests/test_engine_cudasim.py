"""Simulator lane: CUDA kernels run in Numba's CUDA simulator equal the CPU lane.

Runs only in a process started with NUMBA_ENABLE_CUDASIM=1 (``make test-cudasim``); host
arrays are device memory there, so ``target="cuda"`` is used with NumPy arrays.
"""

import numpy as np
import pytest
from kernels_for_tests import (
    ADD,
    add,
    chunked_scale,
    clip_kernel,
    compare_exchange,
    extremes,
    hypot,
    report_target,
    saxpy,
    window_sum,
)

import jitdispatch as jd

pytestmark = pytest.mark.cudasim


def both(fn, *args, **kwargs):
    """Run on the CPU and on the simulated GPU; return both results."""
    return fn(*args, **kwargs), fn(*args, target="cuda", **kwargs)


@pytest.mark.parametrize("ndim", range(4))
def test_kernel_ranks_match_cpu(ndim):
    shape = (3, 4, 2)[:ndim]
    rng = np.random.default_rng(ndim)
    x, y = rng.random(shape), rng.random(shape)
    cpu, sim = np.empty(shape), np.empty(shape)
    ADD[ndim](x, y, cpu, ndrange=shape)
    ADD[ndim](x, y, sim, ndrange=shape, target="cuda")
    np.testing.assert_array_equal(sim, cpu)


@pytest.mark.parametrize("shape", [(3, 5, 7), (2, 3, 4, 5), (7, 1, 3), (1, 40)])
@pytest.mark.parametrize("blocksize", [1, 3, 16])
def test_grid_stride_steps_cover_every_index_once(shape, blocksize):
    # a grid of 4 blocks in the simulator: each thread steps by a stride whose digits
    # carry across axes (e.g. 12 threads over (3, 5, 7): 1 row and 5 elements a step)
    rng = np.random.default_rng(blocksize)
    x, y = rng.random(shape), rng.random(shape)
    out = np.full(shape, np.nan)
    ADD[len(shape)](x, y, out, ndrange=shape, target="cuda", blocksize=blocksize)
    np.testing.assert_array_equal(out, x + y)


@pytest.mark.parametrize("dtype", [np.int8, np.uint32, np.float32, np.complex64])
def test_dtypes_match_cpu(dtype):
    x = (np.arange(10) % 7).astype(dtype)
    cpu, sim = both(add, x, x)
    assert sim.dtype == cpu.dtype
    np.testing.assert_array_equal(sim, cpu)


def test_elementwise_broadcasting_and_layouts():
    x = np.arange(12.0).reshape(3, 4)[:, ::-2]
    cpu, sim = both(hypot, x, 1.5)
    np.testing.assert_array_equal(sim, cpu)
    cpu, sim = both(hypot, np.asfortranarray(x), x[0])
    np.testing.assert_array_equal(sim, cpu)
    cpu, sim = np.empty((3, 2)), np.empty((3, 2))  # the operands broadcast to out's shape
    hypot(x[0], 1.5, out=cpu)
    hypot(x[0], 1.5, out=sim, target="cuda")
    np.testing.assert_array_equal(sim, cpu)
    cpu, sim = np.arange(6.0), np.arange(6.0)  # an out= overlapping an input: read first
    add(cpu[:-1], cpu[:-1], out=cpu[1:])
    add(sim[:-1], sim[:-1], out=sim[1:], target="cuda")
    np.testing.assert_array_equal(sim, cpu)


def test_helpers_scalars_local_memory_and_overrides():
    x = np.linspace(-2, 2, 9)
    out_cpu, out_sim = np.empty(9), np.empty(9)
    clip_kernel(x, -1.0, 1.0, out_cpu, ndrange=9)
    clip_kernel(x, -1.0, 1.0, out_sim, ndrange=9, target="cuda")
    np.testing.assert_array_equal(out_sim, out_cpu)
    window_sum(x, out_cpu, ndrange=9)
    window_sum(x, out_sim, ndrange=9, target="cuda")
    np.testing.assert_array_equal(out_sim, out_cpu)
    out = np.empty(5)
    saxpy(2.0, x[:5], x[:5], out, ndrange=5, target="cuda")
    np.testing.assert_array_equal(out, 3 * x[:5])
    flags = np.full(3, -1, np.int64)
    report_target(flags, ndrange=3, target="cuda")
    assert (flags == 1).all()  # the CUDA override ran


def test_per_target_constants_take_the_cuda_values():
    # on CUDA the body sees cuda=1 (one value per index) and the factor 3
    x = np.arange(5.0)
    out = np.full(5, -1.0)
    chunked_scale(x, out, ndrange=5, target="cuda")
    np.testing.assert_array_equal(out, 3.0 * x)


def test_launch_options_and_explain():
    x = np.ones(70)
    out = np.empty(70)
    ADD[1](x, x, out, ndrange=70, target="cuda", blocksize=16)
    np.testing.assert_array_equal(out, 2.0)
    report = jd.explain(ADD[1], x, x, out, ndrange=70, target="cuda")
    assert report.target == "cuda"
    assert "simulator" in report.device
    assert "target='cuda'" in report.reason
    with pytest.raises(ValueError, match="blocksize"):
        ADD[1](x, x, out, ndrange=70, target="cuda", blocksize=4096)


def test_lanes_one_output_per_thread():
    assert jd.lanes(np.zeros(3)) == 64  # NumPy arrays: the CPU
    with jd.use_target("cuda"):
        assert jd.lanes(np.zeros(3)) == 1


@pytest.mark.parametrize("dtype", [np.float32, np.int16])
def test_fmin_fmax_follow_numpy(dtype):
    if dtype == np.float32:
        x = np.array([np.nan, 1, np.nan, -np.inf, 4, 2, -3], dtype)
        y = np.array([1, np.nan, np.nan, 3, -1, 2, 7], dtype)
    else:
        x = np.array([-32768, 1, 0, -5, 4, 2, 32767], dtype)
        y = np.array([1, -2, 0, 3, -1, 2, 7], dtype)
    lo, hi = np.empty_like(x), np.empty_like(x)
    extremes(x, y, lo, hi, ndrange=len(x), target="cuda")
    np.testing.assert_array_equal(lo, np.fmin(x, y))
    np.testing.assert_array_equal(hi, np.fmax(x, y))
    a, b = x.copy(), y.copy()
    compare_exchange(a, b, ndrange=len(a), target="cuda")
    np.testing.assert_array_equal(a, np.fmin(x, y))
    np.testing.assert_array_equal(b, np.fmax(x, y))
