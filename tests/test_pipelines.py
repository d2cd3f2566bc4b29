"""Realistic user code run end to end on NumPy, Dask and the CUDA simulator (CuPy on a GPU).

The pipeline mixes pure Python, array-API calls through array_api_compat, several
jitdispatch.ndimage calls, a user ``@jd.elementwise`` and a user ``@jd.kernel``.
"""

import numpy as np
import pytest

import jitdispatch as jd
import jitdispatch.ndimage as jndi


@jd.elementwise
def soft_threshold(v, t):
    return v - t if v > t else (v + t if v < -t else 0.0)


@jd.kernel
def count_neighbours(i, j, mask, out):
    n0, n1 = mask.shape
    total = 0
    for di in range(-1, 2):
        for dj in range(-1, 2):
            a, b = i + di, j + dj
            if 0 <= a < n0 and 0 <= b < n1 and mask[a, b]:
                total += 1
    out[i, j] = total


def run_kernel_per_block(mask):
    """The user's kernel applied to one in-memory block."""
    out = jd.empty(mask.shape, np.int64, like=mask)
    count_neighbours(mask, out, ndrange=tuple(mask.shape))
    return out


def pipeline(image):
    from array_api_compat import array_namespace

    xp = array_namespace(image)
    settings = {"sigma": 1.5, "threshold": 0.05}  # plain Python configuration
    norm = (image - xp.mean(image)) / xp.std(image)
    smooth = jndi.gaussian_filter(norm, settings["sigma"])
    edges = jndi.sobel(smooth, axis=0) ** 2 + jndi.sobel(smooth, axis=1) ** 2
    edges = jndi.median_filter(edges, size=3)
    shrunk = soft_threshold(edges, settings["threshold"])
    mask = shrunk > 0
    if hasattr(mask, "map_blocks"):  # Dask: run the kernel block by block, with overlap
        neighbours = mask.map_overlap(run_kernel_per_block, depth=1, boundary=False, dtype=np.int64)
    else:
        neighbours = run_kernel_per_block(mask)
    return shrunk, neighbours


def reference():
    image = np.random.default_rng(3).random((24, 20))
    return image, pipeline(image)


def to_host(a):
    if hasattr(a, "compute"):
        a = a.compute()
    if hasattr(a, "get"):
        return a.get()
    return np.asarray(a)


def check(result, want, expected_type):
    for got, ref in zip(result, want, strict=True):
        assert isinstance(got, expected_type)
        np.testing.assert_allclose(to_host(got), ref, rtol=1e-9, atol=1e-12)


@pytest.mark.cpu
def test_numpy():
    pytest.importorskip("array_api_compat", reason="array_api_compat is not installed")
    image, want = reference()
    assert want[1].max() > 0  # the pipeline does find edges
    check(pipeline(image), want, np.ndarray)


@pytest.mark.cpu
def test_dask_stays_lazy_and_matches():
    pytest.importorskip("array_api_compat", reason="array_api_compat is not installed")
    da = pytest.importorskip("dask.array", reason="dask is not installed")
    image, want = reference()
    result = pipeline(da.from_array(image, chunks=(10, 9)))
    check(result, want, da.Array)


@pytest.mark.cudasim
def test_cuda_simulator():
    pytest.importorskip("array_api_compat", reason="array_api_compat is not installed")
    image, want = reference()
    with jd.use_target("cuda"):
        result = pipeline(image)
    check(result, want, np.ndarray)


@pytest.mark.gpu
def test_cupy():
    pytest.importorskip("array_api_compat", reason="array_api_compat is not installed")
    cupy = pytest.importorskip("cupy", reason="CuPy is not installed")
    image, want = reference()
    check(pipeline(cupy.asarray(image)), want, cupy.ndarray)
