"""Test lanes: cpu, ptx (CUDA compiled to PTX, no GPU), cudasim (own process), gpu."""

import os

import pytest

SIMULATOR = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"


def _gpu_reason():
    if SIMULATOR:
        return "the CUDA simulator is on in this process"
    try:
        from numba import cuda
    except ImportError:
        return "numba-cuda is not installed"
    try:
        if not cuda.is_available():
            return "no CUDA GPU or driver on this machine"
    except Exception as exc:
        return f"CUDA unavailable: {exc}"
    return None


def pytest_collection_modifyitems(config, items):
    gpu_reason = None
    for item in items:
        if "cudasim" in item.keywords and not SIMULATOR:
            item.add_marker(
                pytest.mark.skip(
                    reason="simulator lane: run with NUMBA_ENABLE_CUDASIM=1 (make test-cudasim)"
                )
            )
        elif SIMULATOR and "cudasim" not in item.keywords:
            item.add_marker(
                pytest.mark.skip(
                    reason="NUMBA_ENABLE_CUDASIM=1 replaces numba.cuda: only the cudasim lane runs"
                )
            )
        elif "gpu" in item.keywords:
            if gpu_reason is None:
                gpu_reason = _gpu_reason() or ""
            if gpu_reason:
                item.add_marker(pytest.mark.skip(reason=f"gpu lane: {gpu_reason}"))


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """A private, empty disk cache for one test."""
    from jitdispatch import _cache

    monkeypatch.setenv("JITDISPATCH_CACHE_DIR", str(tmp_path / "cache"))
    _cache.reset()
    yield tmp_path / "cache"
    _cache.reset()
