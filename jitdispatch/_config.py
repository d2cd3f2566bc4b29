"""Settings read from the environment, and the dispatch trace.

``JITDISPATCH_CACHE_DIR``
    Where generated wrappers and Numba's compiled code are kept (default:
    ``$XDG_CACHE_HOME/jitdispatch`` or ``~/.cache/jitdispatch``).
``JITDISPATCH_DISABLE_CACHE=1``
    Compile in memory only.
``JITDISPATCH_TRACE=1``
    Log every dispatch decision to the ``jitdispatch`` logger at INFO level (and attach a
    stderr handler if the logger has none).
``JITDISPATCH_PARALLEL_THRESHOLD``
    Index-space launches on the CPU with fewer indices than this run serially (default
    32768), so that tiny calls pay no threading cost.
``JITDISPATCH_SPARE_BYTES``
    How much host memory the ndimage filters keep between calls: the spare arrays of
    their passes, and the memory of results that were freed (default 256 MiB; 0 keeps
    none, and the filters then return NumPy's own arrays). On arrays larger than this,
    multi-pass filters run their later passes in place, a band at a time, and need
    SciPy's memory plus a few buffers of 8 MiB.
"""

import os
import sys


def _flag(name):
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def cache_dir():
    """The directory of the on-disk cache (not created here)."""
    explicit = os.environ.get("JITDISPATCH_CACHE_DIR")
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "jitdispatch")


def cache_disabled():
    return _flag("JITDISPATCH_DISABLE_CACHE")


PARALLEL_THRESHOLD = int(os.environ.get("JITDISPATCH_PARALLEL_THRESHOLD", "32768"))
SPARE_BYTES = int(os.environ.get("JITDISPATCH_SPARE_BYTES", str(256 << 20)))

# Module-level flag read on the hot path; ``set_trace`` flips it.
trace = False


def logger():
    import logging

    return logging.getLogger("jitdispatch")


def log(message, *args):
    logger().info(message, *args)


def set_trace(enabled=True):
    """Log every dispatch decision (target, reason, device, stream) to ``jitdispatch``."""
    global trace
    trace = bool(enabled)
    from . import _dispatch

    _dispatch.refresh_hot()
    _prepare_logger()


def release_memory():
    """Give back the host memory jitdispatch keeps between calls; return its size in bytes.

    The ndimage filters keep the memory of their spare arrays and of freed results for
    the next call, up to ``JITDISPATCH_SPARE_BYTES``. This drops all of it: a buffer
    is freed once nothing else refers to it (a view of an old result keeps its own).
    Device memory is not touched: CuPy's pool has ``free_all_blocks``.
    """
    support = sys.modules.get("jitdispatch.ndimage._support")
    if support is None:  # no filter has run: nothing is kept
        return 0
    return support.SPARES.clear()


def _prepare_logger():
    import logging

    logger = logging.getLogger("jitdispatch")
    if trace and not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("jitdispatch: %(message)s"))
        logger.addHandler(handler)
    if trace and logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)


if _flag("JITDISPATCH_TRACE"):  # (_dispatch reads ``trace`` when it is imported)
    trace = True
    _prepare_logger()
