"""The support registry, tested cell by cell: every declared cell runs, every '-' refuses.

The parametrisation is read from the registry itself, so a function or an array type
cannot be declared supported without a test running it.
"""

import numpy as np
import pytest
import scipy.ndimage as sndi
from ndimage_samples import SAMPLES, sample_call

import jitdispatch as jd
import jitdispatch.ndimage as jndi
from jitdispatch import _registry

ENTRIES = _registry.entries("scipy.ndimage")
LANE_MARKS = {
    "numpy": [pytest.mark.cpu],
    "dask": [pytest.mark.cpu],
    "cupy": [pytest.mark.gpu],
    "torch": [pytest.mark.gpu],
}


def cells():
    for entry in ENTRIES:
        for backend in _registry.BACKENDS:
            for kind in _registry.ARRAY_TYPES:
                yield pytest.param(
                    entry,
                    backend,
                    kind,
                    id=f"{entry.name}-{backend}-{kind}",
                    marks=LANE_MARKS[kind],
                )


def make_input(kind, host):
    if kind == "numpy":
        return host
    if kind == "dask":
        da = pytest.importorskip("dask.array", reason="dask is not installed")
        return da.from_array(host, chunks=(9, 7))
    if kind == "cupy":
        cupy = pytest.importorskip("cupy", reason="CuPy is not installed")
        return cupy.asarray(host)
    torch = pytest.importorskip("torch", reason="torch is not installed")
    if not torch.cuda.is_available():
        pytest.skip("torch has no CUDA device")
    return torch.from_numpy(host).cuda()


def to_host(result):
    if hasattr(result, "compute"):
        result = result.compute()
    if hasattr(result, "get"):
        return result.get()
    if hasattr(result, "cpu"):
        return result.cpu().numpy()
    return np.asarray(result)


def test_every_public_function_is_registered_and_sampled():
    assert {e.name for e in ENTRIES} == set(jndi.__all__)
    assert set(SAMPLES) == set(jndi.__all__)
    for name in jndi.__all__:
        assert "Supported inputs" in getattr(jndi, name).__doc__


@pytest.mark.parametrize("entry, backend, kind", list(cells()))
def test_cell(entry, backend, kind):
    host = np.random.default_rng(5).random((20, 15))
    status = entry.status(backend, kind)
    x = make_input(kind, host)
    fn = getattr(jndi, entry.name)
    args, kwargs = sample_call(jndi, entry.name, x)
    if status == _registry.UNSUPPORTED:
        with jd.backend(backend), pytest.raises(jd.BackendError, match="backends that can"):
            fn(*args, **kwargs)
        return
    if backend == "cupyx" and entry.name in ("generic_filter", "generic_filter1d"):
        pytest.skip("cupyx's generic filters take CuPy kernels, not Python functions")
    ref_args, ref_kwargs = sample_call(sndi, entry.name, host)
    with jd.backend(backend):
        got = fn(*args, **kwargs)
    want = getattr(sndi, entry.name)(*ref_args, **ref_kwargs)
    assert type(to_host(got)) is np.ndarray
    np.testing.assert_allclose(to_host(got), want, rtol=1e-10, atol=1e-12)
