import pytest

import jitdispatch as jd

pytestmark = pytest.mark.cpu

PUBLIC = {
    "Backend",
    "BackendError",
    "backend",
    "patch",
    "register_backend",
    "set_backend",
    "use_target",
    "CacheWarning",
    "DeviceMismatchError",
    "JitDispatchError",
    "LaunchError",
    "TargetUnavailableError",
    "UnsupportedArgumentError",
    "__version__",
    "asarray",
    "elementwise",
    "empty",
    "explain",
    "func",
    "kernel",
    "local",
    "serial",
    "set_trace",
}


def test_public_names():
    assert set(jd.__all__) == PUBLIC
    for name in PUBLIC:
        assert hasattr(jd, name), name


def test_error_hierarchy():
    assert issubclass(jd.DeviceMismatchError, ValueError)
    assert issubclass(jd.UnsupportedArgumentError, TypeError)
    assert issubclass(jd.TargetUnavailableError, RuntimeError)
    for name in (
        "DeviceMismatchError",
        "LaunchError",
        "TargetUnavailableError",
        "UnsupportedArgumentError",
    ):
        assert issubclass(getattr(jd, name), jd.JitDispatchError)
