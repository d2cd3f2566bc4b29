"""Small parameter arrays (weights, offsets, bounds) on the device of the input.

Every filter call hands its kernels a few small arrays computed on the host. On the CPU
``jd.asarray`` returns them as they are; on a GPU each would be a fresh allocation and a
host-to-device copy, per call. The kernels only read them, so a GPU copy is kept per
device and content and reused: repeated calls with the same parameters copy nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

import jitdispatch as jd
from jitdispatch import _arrays, _dispatch

_KEPT = 512  # parameter arrays kept per process (each a few hundred bytes)
_cache = OrderedDict()
_lock = threading.Lock()


def device_constant(host, like):
    """``jd.asarray(host, like=like)`` for an array the kernels never write."""
    if type(like) is np.ndarray and type(host) is np.ndarray and _dispatch.HOT[0]:
        return host  # the CPU, no use_target block: the parameters are used as they are
    info = _arrays.describe(like)
    if info is None or info is _arrays.SEQUENCE or info.device != "cuda":
        return jd.asarray(host, like=like)
    host = np.ascontiguousarray(host)
    key = (info.library, info.device_id, host.dtype.str, host.shape, host.tobytes())
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    found = jd.asarray(host, like=like)
    with _lock:
        _cache[key] = found
        while len(_cache) > _KEPT:
            _cache.popitem(last=False)
    return found


_by_identity = OrderedDict()  # (id, library, device) -> (kept tuple, its device arrays)


def device_constants(kept, like):
    """`device_constant` of each array of ``kept``: a tuple of arrays that no one
    changes once made (a value of a `_support.Kept` cache). Found again by the tuple's
    identity, without reading the arrays' bytes: a call with a window or a geometry
    met before finds its device arrays in one lookup."""
    if type(like) is np.ndarray and _dispatch.HOT[0]:
        return kept
    info = _arrays.describe(like)
    if info is None or info is _arrays.SEQUENCE or info.device != "cuda":
        return tuple(device_constant(a, like) for a in kept)
    key = (id(kept), info.library, info.device_id)
    found = _by_identity.get(key)
    if found is not None and found[0] is kept:  # (the entry holds `kept`: its id is its own)
        return found[1]
    arrays = tuple(device_constant(a, like) for a in kept)
    with _lock:
        _by_identity[key] = (kept, arrays)
        while len(_by_identity) > _KEPT:
            _by_identity.popitem(last=False)
    return arrays
