"""GPU lane for jitdispatch.ndimage: every function on CuPy arrays equals SciPy on the host."""

import numpy as np
import pytest

pytestmark = pytest.mark.gpu

F32 = dict(rtol=1e-4, atol=1e-5)


def _weights():
    return np.arange(1.0, 10.0).reshape(3, 3) / 45.0


CASES = [
    ("correlate", lambda x: ((x, _weights()), {"mode": "reflect"})),
    ("convolve", lambda x: ((x, _weights()), {"mode": "constant", "cval": 1.0})),
    ("correlate1d", lambda x: ((x, [1.0, 2.0, -1.0]), {"axis": 0, "mode": "wrap"})),
    ("convolve1d", lambda x: ((x, [1.0, 2.0, -1.0]), {"axis": -1, "mode": "mirror"})),
    ("gaussian_filter", lambda x: ((x, 2.0), {})),
    ("gaussian_filter1d", lambda x: ((x, 1.5), {"order": 1})),
    ("uniform_filter", lambda x: ((x, 5), {"mode": "nearest"})),
    ("uniform_filter1d", lambda x: ((x, 4), {"origin": 1})),
    ("minimum_filter", lambda x: ((x,), {"size": (3, 5)})),
    ("maximum_filter", lambda x: ((x,), {"footprint": np.eye(3, dtype=bool)})),
    ("minimum_filter1d", lambda x: ((x, 4), {})),
    ("maximum_filter1d", lambda x: ((x, 3), {"mode": "constant"})),
    ("median_filter", lambda x: ((x,), {"size": 3})),
    ("rank_filter", lambda x: ((x, 2), {"size": 3})),
    ("percentile_filter", lambda x: ((x, 75), {"size": (3, 3)})),
    ("prewitt", lambda x: ((x,), {"axis": 0})),
    ("sobel", lambda x: ((x,), {"axis": 1})),
    ("laplace", lambda x: ((x,), {})),
    ("gaussian_laplace", lambda x: ((x, 1.0), {})),
    ("gaussian_gradient_magnitude", lambda x: ((x, 1.0), {})),
]


@pytest.mark.parametrize("name, make", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
# rows longer than 128 outputs: threads of the correlations compute four outputs each
@pytest.mark.parametrize("shape", [(67, 45), (21, 300)], ids=["short-rows", "long-rows"])
def test_cupy_matches_scipy(name, make, dtype, shape):
    cupy = pytest.importorskip("cupy", reason="CuPy is not installed")
    import scipy.ndimage as sndi

    import jitdispatch.ndimage as jndi

    if not hasattr(jndi, name):
        pytest.fail(f"jitdispatch.ndimage.{name} is missing")
    host = np.random.default_rng(0).random(shape).astype(dtype)
    args, kwargs = make(host)
    dev_args = tuple(
        cupy.asarray(a)
        if isinstance(a, np.ndarray) and a.ndim == 2 and a.shape == host.shape
        else a
        for a in args
    )
    got = getattr(jndi, name)(*dev_args, **kwargs)
    want = getattr(sndi, name)(*args, **kwargs)
    assert isinstance(got, cupy.ndarray)
    assert got.dtype == want.dtype
    tol = F32 if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got.get(), want, **tol)


def test_generic_filter_runs_python_function_on_gpu():
    cupy = pytest.importorskip("cupy", reason="CuPy is not installed")
    import scipy.ndimage as sndi

    import jitdispatch.ndimage as jndi

    def spread(values):
        lo = hi = values[0]
        for v in values:
            lo = min(lo, v)
            hi = max(hi, v)
        return hi - lo

    host = np.random.default_rng(1).random((40, 30))
    got = jndi.generic_filter(cupy.asarray(host), spread, size=3)
    np.testing.assert_allclose(got.get(), sndi.generic_filter(host, spread, size=3))


def test_torch_cuda_tensor_in_torch_out():
    torch = pytest.importorskip("torch", reason="torch is not installed")
    if not torch.cuda.is_available():
        pytest.skip("torch has no CUDA device")
    import scipy.ndimage as sndi

    import jitdispatch.ndimage as jndi

    host = np.random.default_rng(2).random((33, 21)).astype(np.float32)
    got = jndi.gaussian_filter(torch.from_numpy(host).cuda(), 1.0)
    assert isinstance(got, torch.Tensor) and got.is_cuda
    np.testing.assert_allclose(got.cpu().numpy(), sndi.gaussian_filter(host, 1.0), **F32)
    # a bool mask: the kernels write SciPy's bytes through a torch uint8 view
    mask = host > 0.5
    got = jndi.sobel(torch.from_numpy(mask).cuda())
    assert isinstance(got, torch.Tensor) and got.dtype == torch.bool
    want = sndi.sobel(mask)
    np.testing.assert_array_equal(got.cpu().numpy().view(np.uint8), want.view(np.uint8))


DASK_CASES = CASES[:4] + CASES[10:13]


@pytest.mark.parametrize("name, make", DASK_CASES, ids=[c[0] for c in DASK_CASES])
def test_dask_with_cupy_chunks(name, make):
    # Dask arrays of CuPy chunks: each block and its halo are assembled on the device
    # and filtered there; the computed result is a CuPy array equal to SciPy's.
    cupy = pytest.importorskip("cupy", reason="CuPy is not installed")
    da = pytest.importorskip("dask.array", reason="dask is not installed")
    import scipy.ndimage as sndi

    import jitdispatch.ndimage as jndi

    host = np.random.default_rng(1).random((67, 45))
    args, kwargs = make(host)
    lazy = da.from_array(cupy.asarray(host), chunks=(20, 16), asarray=False)
    got = getattr(jndi, name)(lazy, *args[1:], **kwargs)
    assert isinstance(got, da.Array)
    got = got.compute()
    assert isinstance(got, cupy.ndarray)
    want = getattr(sndi, name)(*args, **kwargs)
    np.testing.assert_allclose(cupy.asnumpy(got), want, rtol=1e-12, atol=1e-12)
