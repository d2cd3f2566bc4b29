"""GPU lane: CuPy, torch and numba device arrays on a real GPU (skipped without one)."""

import numpy as np
import pytest
from kernels_for_tests import add1, add2, clip_kernel, hypot, report_target, saxpy, window_sum

import jitdispatch as jd

pytestmark = pytest.mark.gpu


@pytest.fixture
def cupy():
    return pytest.importorskip("cupy", reason="CuPy is not installed")


@pytest.fixture
def torch():
    torch = pytest.importorskip("torch", reason="torch is not installed")
    if not torch.cuda.is_available():
        pytest.skip("torch has no CUDA device")
    return torch


def test_cupy_in_cupy_out(cupy):
    x = cupy.arange(1000, dtype=cupy.float32)
    res = hypot(x, 2.0)
    assert isinstance(res, cupy.ndarray) and res.dtype == cupy.float32
    np.testing.assert_allclose(
        res.get(), np.hypot(np.arange(1000, dtype=np.float32), 2.0), rtol=1e-6
    )
    out = cupy.empty(1000, dtype=cupy.float32)
    saxpy(2.0, x, x, out, ndrange=1000)
    np.testing.assert_array_equal(out.get(), 3 * np.arange(1000, dtype=np.float32))


def test_cupy_out_overlapping_an_input(cupy):
    # as CuPy's ufuncs (and NumPy's): an input overlapping out is read before out is written
    x = cupy.arange(10.0)
    hypot(x[:-1], 0.0, out=x[1:])
    want = np.arange(10.0)
    want[1:] = np.hypot(want[:-1], 0.0)
    np.testing.assert_array_equal(x.get(), want)


def test_cupy_layouts_helpers_and_local_memory(cupy):
    base = cupy.arange(48.0).reshape(6, 8)
    x = base[::-1, ::3]
    out = cupy.empty(x.shape)
    add2(x, x, out, ndrange=x.shape)
    np.testing.assert_array_equal(out.get(), 2 * x.get())
    v = cupy.linspace(-2, 2, 9)
    o = cupy.empty(9)
    clip_kernel(v, -1.0, 1.0, o, ndrange=9)
    np.testing.assert_array_equal(o.get(), np.clip(v.get(), -1, 1))
    window_sum(v, o, ndrange=9)
    p = np.pad(v.get(), 1, mode="edge")
    np.testing.assert_allclose(o.get(), p[:-2] + p[1:-1] + p[2:])
    flags = cupy.full(4, -1, dtype=cupy.int64)
    report_target(flags, ndrange=4)
    assert (flags.get() == 1).all()


def test_runs_on_the_producers_stream(cupy):
    stream = cupy.cuda.Stream(non_blocking=True)
    with stream:
        x = cupy.arange(1 << 20, dtype=cupy.float64)
        res = hypot(x, x)
        report = jd.explain(hypot, x, x)
        assert report.stream == hex(stream.ptr)
    stream.synchronize()
    np.testing.assert_allclose(res.get(), np.hypot(x.get(), x.get()))


def test_explicit_stream_argument(cupy):
    stream = cupy.cuda.Stream(non_blocking=True)
    x = cupy.ones(4096)
    out = cupy.empty(4096)
    add1(x, x, out, ndrange=4096, stream=stream)
    stream.synchronize()
    assert float(out.sum().get()) == 8192.0


def test_torch_cuda_tensors(torch):
    x = torch.arange(512, dtype=torch.float32, device="cuda")
    res = hypot(x, x)
    assert isinstance(res, torch.Tensor) and res.is_cuda and res.dtype == torch.float32
    np.testing.assert_allclose(
        res.cpu().numpy(), np.hypot(x.cpu().numpy(), x.cpu().numpy()), rtol=1e-6
    )
    s = torch.cuda.Stream()
    with torch.cuda.stream(s):
        out = torch.empty_like(x)
        add1(x, x, out, ndrange=512)
    s.synchronize()
    assert torch.equal(out, 2 * x)


def test_numba_device_arrays():
    from numba import cuda

    x = cuda.to_device(np.arange(10.0))
    res = hypot(x, 1.0)
    assert hasattr(res, "copy_to_host")
    np.testing.assert_allclose(res.copy_to_host(), np.hypot(np.arange(10.0), 1.0))


def test_mixed_devices_are_refused(cupy):
    with pytest.raises(jd.DeviceMismatchError, match=r"cupy\.ndarray on cuda:0"):
        hypot(cupy.ones(3), np.ones(3))


def test_large_index_space_beyond_int32(cupy):
    free, _total = cupy.cuda.runtime.memGetInfo()
    n = 2**31 + 1000
    if free < 2 * n + (1 << 30):
        pytest.skip("not enough free GPU memory for a 2**31-element test")
    x = cupy.ones(n, dtype=cupy.int8)
    out = cupy.zeros(n, dtype=cupy.int8)
    add1(x, x, out, ndrange=n)
    assert int(out[-1].get()) == 2 and int(out[2**31 + 5].get()) == 2
    del x, out


def test_torch_cpu_tensors_zero_copy(torch):
    # torch is not installed in CI; the GPU machine has it, so the CPU path is checked here.
    x = torch.arange(6, dtype=torch.float64)
    out = torch.empty(6, dtype=torch.float64)
    add1(x, x, out, ndrange=6)
    assert torch.equal(out, 2 * x)
    res = hypot(x, x)
    assert isinstance(res, torch.Tensor) and res.device.type == "cpu"
    np.testing.assert_allclose(res.numpy(), np.hypot(x.numpy(), x.numpy()))


def test_cuda_code_is_cached_on_disk_across_processes(tmp_path):
    import os
    import subprocess
    import sys

    code = (
        "import cupy, jitdispatch as jd\n"
        "@jd.elementwise\n"
        "def f(a):\n"
        "    return a * 3 + 1\n"
        "x = cupy.arange(10.0)\n"
        "assert (f(x).get() == cupy.arange(10.0).get() * 3 + 1).all()\n"
        "k = f._jd_object.kernel(1, (True,))\n"
        "from jitdispatch._targets import cuda\n"
        "disp = k.launcher(cuda, 2).dispatchers()[0]\n"
        "print(sum(disp.stats.cache_hits.values()), sum(disp.stats.cache_misses.values()))\n"
    )
    env = dict(os.environ, JITDISPATCH_CACHE_DIR=str(tmp_path))
    runs = [
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        for _ in range(2)
    ]
    for r in runs:
        assert r.returncode == 0, r.stderr[-2000:]
    assert runs[0].stdout.split() == ["0", "1"]
    assert runs[1].stdout.split() == ["1", "0"]
