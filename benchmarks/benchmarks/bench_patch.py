"""scikit-image functions that call scipy.ndimage, with and without ``jd.patch``.

The same call on the same image in one run: plain (SciPy underneath) vs under
``jd.patch("scipy.ndimage")`` (jitdispatch kernels underneath). Kernels are compiled in
``setup``.
"""

import numpy as np

import jitdispatch as jd

CASES = {
    "gaussian": lambda f, img: f.gaussian(img, sigma=3),
    "sobel": lambda f, img: f.sobel(img),
    "prewitt": lambda f, img: f.prewitt(img),
    "median": lambda f, img: f.median(img),
}


class ScikitImage:
    params = (sorted(CASES),)
    param_names = ["function"]
    number = 1
    repeat = (1, 5, 30.0)
    warmup_time = 0
    timeout = 300

    def setup(self, name):
        try:
            import skimage.filters
        except ImportError as exc:
            raise NotImplementedError("scikit-image is not installed") from exc
        self.filters = skimage.filters
        img = np.random.default_rng(0).random((2048, 2048))
        self.img = (img * 255).astype(np.uint8) if name == "median" else img
        self.call = CASES[name]
        with jd.patch("scipy.ndimage"):
            self.call(self.filters, self.img)  # compile outside the timed region

    def time_scipy(self, name):
        self.call(self.filters, self.img)

    def time_patched(self, name):
        with jd.patch("scipy.ndimage"):
            self.call(self.filters, self.img)
