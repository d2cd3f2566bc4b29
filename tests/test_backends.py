"""Choosing implementations: jd.backend, set_backend, register_backend, entry points."""

import threading

import numpy as np
import pytest
import scipy.ndimage as sndi

import jitdispatch as jd
import jitdispatch.ndimage as jndi
from jitdispatch import _backends

pytestmark = pytest.mark.cpu


@pytest.fixture
def x():
    return np.random.default_rng(0).random((16, 12))


@pytest.fixture(autouse=True)
def restore_defaults():
    saved = dict(_backends._backends), _backends._default
    yield
    _backends._backends.clear()
    _backends._backends.update(saved[0])
    _backends._default = saved[1]


def spy_backend(name, declines=False):
    calls = []

    class Spy(jd.Backend):
        def implementation(self, module, fname, args, kwargs):
            if declines:
                return None
            original = getattr(sndi, fname)

            def run(*a, **k):
                calls.append(fname)
                return original(*a, **k)

            return run

    Spy.name = name
    return Spy(), calls


def test_scipy_backend_runs_scipy(x, monkeypatch):
    called = []
    monkeypatch.setattr(sndi, "sobel", lambda *a, **k: called.append(1) or "scipy")
    with jd.backend("scipy"):
        assert jndi.sobel(x) == "scipy"
    assert called == [1]
    assert isinstance(jndi.sobel(x), np.ndarray)  # back to jit outside the block


def test_unknown_backend_lists_choices():
    with pytest.raises(jd.BackendError, match="available: cupyx, jit, scipy"), jd.backend("nope"):
        pass


def test_backend_that_cannot_take_the_arrays_lists_those_that_can(x):
    with jd.backend("cupyx"), pytest.raises(jd.BackendError) as info:
        jndi.gaussian_filter(x, 1.0)
    assert "cannot take numpy inputs" in str(info.value)
    assert "backends that can: jit, scipy" in str(info.value)


def test_registered_backend_and_declining(x):
    spy, calls = spy_backend("spy")
    jd.register_backend(spy)
    shy, _ = spy_backend("shy", declines=True)
    jd.register_backend(shy)
    with jd.backend("shy", "spy", "jit"):
        out = jndi.uniform_filter(x, 3)
    assert calls == ["uniform_filter"]
    np.testing.assert_allclose(out, sndi.uniform_filter(x, 3))
    with jd.backend("shy"), pytest.raises(jd.BackendError, match="backends that can"):
        jndi.uniform_filter(x, 3)


def test_set_backend_default_and_block_override(x):
    spy, calls = spy_backend("spy")
    jd.register_backend(spy)
    jd.set_backend("spy")
    jndi.laplace(x)
    with jd.backend("jit"):
        jndi.laplace(x)
    assert calls == ["laplace"]
    assert "spy" in jd.explain(jndi.laplace, x).backend


def test_selection_is_thread_local(x):
    spy, calls = spy_backend("spy")
    jd.register_backend(spy)
    seen = {}
    barrier = threading.Barrier(2)

    def worker(name):
        with jd.backend(name):
            barrier.wait()
            jndi.sobel(x)
            seen[name] = _backends.current_backends()

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("spy", "jit")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"spy": ("spy",), "jit": ("jit",)}
    assert calls == ["sobel"]


def test_entry_point_backends_are_loaded(monkeypatch, x):
    spy, calls = spy_backend("plugin")

    class EP:
        name = "plugin"

        def load(self):
            return spy

    import importlib.metadata

    monkeypatch.setattr(_backends, "_entry_points_loaded", False)
    monkeypatch.setattr(
        importlib.metadata,
        "entry_points",
        lambda group=None: [EP()] if group == "jitdispatch.backends" else [],
    )
    with jd.backend("plugin"):
        jndi.median_filter(x, size=3)
    assert calls == ["median_filter"]


def test_register_backend_rejects_non_backends():
    with pytest.raises(TypeError):
        jd.register_backend(object())
