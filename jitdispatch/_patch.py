"""``jd.patch("scipy.ndimage")``: existing SciPy-calling code runs jitdispatch's functions.

Inside the block every registered function of the module is replaced by a wrapper that
calls jitdispatch's implementation and, when that cannot serve the call (an input type or
argument it does not support), SciPy's own function. SciPy's functions come back on exit.

Only look-ups made while the block is active see the patch: code that did
``from scipy.ndimage import gaussian_filter`` at import time keeps SciPy's function;
code that calls ``ndimage.gaussian_filter(...)`` or ``ndi.gaussian_filter(...)`` (as
scikit-image does) is patched. The patch is process-wide; nested and concurrent blocks
are counted, and the originals are restored when the last one ends.
"""

import contextlib
import functools
import importlib
import threading

from . import _registry
from ._backends import BackendError
from .errors import UnsupportedArgumentError

_lock = threading.Lock()
_active = {}  # module name -> [depth, {name: original}]

# Modules jitdispatch can stand in for, and where its implementations live.
_PROVIDERS = {"scipy.ndimage": "jitdispatch.ndimage"}


def _fallback_wrapper(ours, original):
    @functools.wraps(original)
    def patched(*args, **kwargs):
        try:
            return ours(*args, **kwargs)
        except (UnsupportedArgumentError, NotImplementedError, BackendError):
            return original(*args, **kwargs)

    patched._jd_patched = True
    patched._jd_original = original  # what the scipy backend runs while patched
    return patched


def original(function):
    """``function``, or the module's own function it stands in for while patched."""
    return getattr(function, "_jd_original", function)


@contextlib.contextmanager
def patch(module="scipy.ndimage"):
    """Make calls to ``module``'s functions run jitdispatch's implementations in a block.

    Parameters
    ----------
    module : str
        The module to stand in for; ``"scipy.ndimage"`` is supported.

    Examples
    --------
    >>> import skimage.filters
    >>> with jd.patch("scipy.ndimage"):
    ...     smooth = skimage.filters.gaussian(image, sigma=2)   # runs jitdispatch kernels
    """
    if module not in _PROVIDERS:
        raise ValueError(f"jd.patch supports {sorted(_PROVIDERS)}, not {module!r}")
    target = importlib.import_module(module)
    provider = importlib.import_module(_PROVIDERS[module])
    with _lock:
        state = _active.get(module)
        if state is None:
            originals = {}
            for entry in _registry.entries(module):
                original = getattr(target, entry.name, None)
                ours = getattr(provider, entry.name, None)
                if original is None or ours is None:
                    continue
                originals[entry.name] = original
                setattr(target, entry.name, _fallback_wrapper(ours, original))
            state = _active[module] = [0, originals]
        state[0] += 1
    try:
        yield
    finally:
        with _lock:
            state[0] -= 1
            if state[0] == 0:
                for name, original in state[1].items():
                    setattr(target, name, original)
                del _active[module]
