"""Simulator lane: every jitdispatch.ndimage function, run as CUDA kernels in Numba's
simulator on small arrays, equals SciPy."""

import numpy as np
import pytest
import scipy.ndimage as sndi
from ndimage_samples import SAMPLES, sample_call

import jitdispatch as jd
import jitdispatch.ndimage as jndi

pytestmark = pytest.mark.cudasim

# vectorized_filter calls the user's vectorised NumPy function: no kernel to simulate.
SIMULATED = sorted(n for n in SAMPLES if n != "vectorized_filter")


@pytest.mark.parametrize("name", SIMULATED)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_scipy_in_the_simulator(name, dtype):
    host = np.random.default_rng(7).random((7, 6)).astype(dtype)
    args, kwargs = sample_call(jndi, name, host.copy())
    with jd.use_target("cuda"):
        got = getattr(jndi, name)(*args, **kwargs)
    ref_args, ref_kwargs = sample_call(sndi, name, host)
    want = getattr(sndi, name)(*ref_args, **ref_kwargs)
    assert got.dtype == want.dtype
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got, want, **tol)


def test_integer_rounding_matches_scipy_in_the_simulator():
    host = (np.random.default_rng(8).random((6, 5)) * 200).astype(np.uint8)
    with jd.use_target("cuda"):
        got = jndi.gaussian_filter(host, 1.0)
        med = jndi.median_filter(host, size=3, mode="wrap")
    np.testing.assert_array_equal(got, sndi.gaussian_filter(host, 1.0))
    np.testing.assert_array_equal(med, sndi.median_filter(host, size=3, mode="wrap"))


# The simulator adds NumPy integer scalars, which warn where compiled code silently
# wraps around (as NumPy's own in-place array steps do): the wrap is what is tested.
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_derivative_sums_fold_into_the_stores_in_the_simulator():
    # one output per thread: each derivative is squared and added in the store of its
    # last pass, in the output's type (integers wrap as NumPy's in-place steps do)
    host = (np.random.default_rng(9).random((6, 7)) * 100).astype(np.int16)
    for output in (np.int16, np.uint8, np.float32):
        with jd.use_target("cuda"):
            lap = jndi.laplace(host, output=output, mode="wrap")
            glap = jndi.gaussian_laplace(host, 0.8, output=output)
            ggm = jndi.gaussian_gradient_magnitude(host, 0.8, output=output, mode="nearest")
        np.testing.assert_array_equal(lap, sndi.laplace(host, output=output, mode="wrap"))
        np.testing.assert_array_equal(glap, sndi.gaussian_laplace(host, 0.8, output=output))
        want = sndi.gaussian_gradient_magnitude(host, 0.8, output=output, mode="nearest")
        if output == np.float32:
            np.testing.assert_allclose(ggm, want, rtol=1e-5, atol=1e-5)
        else:
            np.testing.assert_array_equal(ggm, want)


MODES = ["reflect", "constant", "nearest", "mirror", "wrap", "grid-wrap"]


@pytest.mark.parametrize("mode", MODES)
def test_uniform_filter1d_on_cuda_matches_scipy_in_the_simulator(mode):
    # On a GPU a float result is a per-output weighted window, an integer result a running
    # sum per line (SciPy's rounding, exactly): both, along both axes, sizes and origins.
    host = np.random.default_rng(9).random((9, 8))
    ints = (host * 1000).astype(np.int16)
    for size, origin in ((1, 0), (2, -1), (4, 1), (5, 0), (12, 2)):
        for axis in (0, 1):
            kw = dict(size=size, axis=axis, mode=mode, cval=0.5, origin=origin)
            with jd.use_target("cuda"):
                got = jndi.uniform_filter1d(host, **kw)
                got32 = jndi.uniform_filter1d(host.astype(np.float32), **kw)
                got_int = jndi.uniform_filter1d(ints, **kw)
            np.testing.assert_allclose(got, sndi.uniform_filter1d(host, **kw), rtol=1e-12)
            want32 = sndi.uniform_filter1d(host.astype(np.float32), **kw)
            np.testing.assert_allclose(got32, want32, rtol=1e-5, atol=1e-6)
            np.testing.assert_array_equal(got_int, sndi.uniform_filter1d(ints, **kw))
