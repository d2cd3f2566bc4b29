"""scipy.LowLevelCallable in generic_filter / generic_filter1d, on the CPU."""

import ctypes

import numpy as np
import pytest
import scipy
import scipy.ndimage as sndi

import jitdispatch as jd
import jitdispatch.ndimage as jndi

pytestmark = pytest.mark.cpu

DOUBLE_P = ctypes.POINTER(ctypes.c_double)
WINDOW = ctypes.CFUNCTYPE(ctypes.c_int, DOUBLE_P, ctypes.c_ssize_t, DOUBLE_P, ctypes.c_void_p)
LINE = ctypes.CFUNCTYPE(
    ctypes.c_int, DOUBLE_P, ctypes.c_ssize_t, DOUBLE_P, ctypes.c_ssize_t, ctypes.c_void_p
)


def _weighted_sum(buf, n, result, user_data):
    scale = 1.0 if not user_data else ctypes.cast(user_data, DOUBLE_P)[0]
    result[0] = scale * sum(buf[k] * (k + 1) for k in range(n))
    return 1


def _diff(line_in, n_in, line_out, n_out, user_data):
    for k in range(n_out):
        line_out[k] = line_in[k + 2] - line_in[k]
    return 1


def _fail(buf, n, result, user_data):
    return 0


_callbacks = [WINDOW(_weighted_sum), LINE(_diff), WINDOW(_fail)]


@pytest.mark.parametrize("mode", ["reflect", "constant", "wrap"])
def test_generic_filter_low_level_callable(mode):
    llc = scipy.LowLevelCallable(_callbacks[0])
    x = np.random.default_rng(0).random((7, 6))
    got = jndi.generic_filter(x, llc, size=(3, 2), mode=mode)
    np.testing.assert_allclose(got, sndi.generic_filter(x, llc, size=(3, 2), mode=mode), rtol=1e-14)


def test_user_data_reaches_the_c_function():
    scale = ctypes.c_double(2.5)
    llc = scipy.LowLevelCallable(_callbacks[0], ctypes.cast(ctypes.pointer(scale), ctypes.c_void_p))
    x = np.arange(20.0).reshape(4, 5)
    np.testing.assert_allclose(
        jndi.generic_filter(x, llc, size=3), sndi.generic_filter(x, llc, size=3)
    )


def test_generic_filter1d_low_level_callable():
    llc = scipy.LowLevelCallable(_callbacks[1])
    x = np.random.default_rng(1).random((5, 9))
    np.testing.assert_allclose(
        jndi.generic_filter1d(x, llc, 3, axis=1), sndi.generic_filter1d(x, llc, 3, axis=1)
    )


def test_failure_status_raises():
    llc = scipy.LowLevelCallable(_callbacks[2])
    with pytest.raises(RuntimeError, match="LowLevelCallable"):
        jndi.generic_filter(np.ones((3, 3)), llc, size=2)


def test_wrong_signature_is_refused_like_scipy():
    llc = scipy.LowLevelCallable(_callbacks[1])  # a line function given to generic_filter
    x = np.ones((3, 3))
    with pytest.raises(ValueError):
        sndi.generic_filter(x, llc, size=2)
    with pytest.raises(ValueError, match="signature"):
        jndi.generic_filter(x, llc, size=2)


def test_device_arrays_are_refused_with_a_reason():
    class DeviceArray:
        shape, ndim, dtype = (4, 4), 2, np.dtype("float64")

        @property
        def __cuda_array_interface__(self):
            return {
                "shape": (4, 4),
                "typestr": "<f8",
                "data": (0, False),
                "version": 3,
                "strides": None,
            }

    llc = scipy.LowLevelCallable(_callbacks[0])
    with pytest.raises(jd.UnsupportedArgumentError, match="CPU code"):
        jndi.generic_filter(DeviceArray(), llc, size=2)
