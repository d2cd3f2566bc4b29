"""jd.patch("scipy.ndimage") on real third-party code (scikit-image)."""

import logging

import numpy as np
import pytest
import scipy.ndimage as sndi

import jitdispatch as jd
import jitdispatch.ndimage as jndi

pytestmark = pytest.mark.cpu


def test_functions_are_replaced_and_restored():
    original = sndi.gaussian_filter
    with jd.patch("scipy.ndimage"):
        assert sndi.gaussian_filter is not original
        with jd.patch("scipy.ndimage"):  # nesting keeps the patch
            assert sndi.gaussian_filter is not original
        assert sndi.gaussian_filter is not original
    assert sndi.gaussian_filter is original


def test_unknown_module_is_refused():
    with pytest.raises(ValueError, match=r"scipy\.ndimage"), jd.patch("scipy.signal"):
        pass


def test_calls_jitdispatch_cannot_serve_fall_back_to_scipy(monkeypatch):
    def refuse(*args, **kwargs):
        raise jd.UnsupportedArgumentError("not this one")

    monkeypatch.setattr(jndi, "median_filter", refuse)
    x = np.random.default_rng(0).random((10, 10))
    with jd.patch("scipy.ndimage"):
        got = sndi.median_filter(x, size=3)
    np.testing.assert_array_equal(got, sndi.median_filter(x, size=3))


def launches(fn, caplog):
    caplog.clear()
    jd.set_trace(True)
    try:
        with caplog.at_level(logging.INFO, logger="jitdispatch"):
            result = fn()
    finally:
        jd.set_trace(False)
    return result, len(caplog.records)


def test_scipy_backend_under_the_patch_runs_scipy_itself():
    # the scipy backend looks its function up in scipy.ndimage, which the patch has
    # replaced with jitdispatch's: that lookup once recursed without end
    x = np.random.default_rng(0).random((8, 9))
    expected = sndi.gaussian_filter(x, 1.0)
    with jd.patch("scipy.ndimage"), jd.backend("scipy"):
        np.testing.assert_array_equal(jndi.gaussian_filter(x, 1.0), expected)
        np.testing.assert_array_equal(sndi.gaussian_filter(x, 1.0), expected)


def test_dask_calls_jitdispatch_refuses_fall_back_to_scipy_under_the_patch():
    da = pytest.importorskip("dask.array")
    x = np.random.default_rng(1).random((20, 20))
    lazy = da.from_array(x, chunks=7)
    with jd.patch("scipy.ndimage"):
        # generic_gradient_magnitude takes no Dask arrays here (BackendError); a Dask
        # input with an output array is refused too (UnsupportedArgumentError)
        got = sndi.generic_gradient_magnitude(lazy, sndi.sobel)
        out = np.empty((20, 20))
        sndi.sobel(lazy, output=out)
    np.testing.assert_allclose(np.asarray(got), sndi.generic_gradient_magnitude(x, sndi.sobel))
    np.testing.assert_allclose(out, sndi.sobel(x))


@pytest.mark.parametrize(
    "name, call",
    [
        ("gaussian", lambda f, img: f.gaussian(img, sigma=2)),
        ("sobel", lambda f, img: f.sobel(img)),
        ("median", lambda f, img: f.median(img)),
        ("prewitt", lambda f, img: f.prewitt(img, axis=0)),
    ],
)
def test_scikit_image_gives_the_same_results_under_the_patch(name, call, caplog):
    filters = pytest.importorskip("skimage.filters", reason="scikit-image is not installed")
    img = np.random.default_rng(1).random((64, 48))
    if name == "median":
        img = (img * 255).astype(np.uint8)
    want, plain_launches = launches(lambda: call(filters, img), caplog)
    with jd.patch("scipy.ndimage"):
        got, patched_launches = launches(lambda: call(filters, img), caplog)
    assert plain_launches == 0
    assert patched_launches > 0, "scikit-image did not reach jitdispatch"
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
