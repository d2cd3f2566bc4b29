import pytest

import jitdispatch as jd

pytestmark = pytest.mark.cpu

PUBLIC = {
    "Backend",
    "BackendError",
    "backend",
    "patch",
    "per_target",
    "fmin",
    "fmax",
    "register_backend",
    "set_backend",
    "use_target",
    "CacheWarning",
    "DeviceMismatchError",
    "Explanation",
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
    "lanes",
    "local",
    "release_memory",
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


def test_lanes():
    import numpy as np

    assert jd.lanes(np.zeros(3)) == 64  # the CPU: a vector loop per index
    with jd.use_target("cpu"):
        assert jd.lanes(np.zeros((2, 2))) == 64
    with pytest.raises(TypeError, match=r"jitdispatch\.lanes: `like` must be an array"):
        jd.lanes([1.0, 2.0])



def test_public_functions_pickle_by_reference_as_scipys_do():
    # multiprocessing and concurrent.futures send a function by its module and name
    import pickle

    import scipy.ndimage as sndi

    import jitdispatch.ndimage as jndi

    for name in jndi.__all__:
        fn = getattr(jndi, name)
        assert pickle.loads(pickle.dumps(fn)) is fn, name
        assert fn.__module__ == "jitdispatch.ndimage", name
        assert pickle.loads(pickle.dumps(getattr(sndi, name))) is getattr(sndi, name)
