"""All array arguments -> one target and device, or DeviceMismatchError.

Rules (``docs/dispatch.rst`` explains them to users):

* host arrays (NumPy, torch CPU tensors, CPU DLPack objects) -> ``cpu``;
* device arrays (CuPy, torch CUDA tensors, numba device arrays, anything with
  ``__cuda_array_interface__``, CUDA DLPack objects) -> ``cuda`` on the device holding them;
* scalars and sequences take no part in the choice;
* arguments in different places are an error naming each one: nothing is copied;
* ``target=`` forces a target but still refuses arrays in the wrong memory (the CUDA
  simulator, whose device memory is host memory, is the one exception).
"""

import contextlib
import contextvars
import threading

from . import _arrays, _targets
from .errors import DeviceMismatchError, UnsupportedArgumentError

TARGET_NAMES = ("cpu", "cuda")

_forced = contextvars.ContextVar("jitdispatch_target", default=None)
_forcing_lock = threading.Lock()
# Number of active ``use_target`` blocks in any thread.
forcing = 0
# HOT[0]: no ``use_target`` block is active and tracing is off, so the generated entry
# points may take their fast path. One list read there is all the hot path pays.
HOT = [True]


def refresh_hot():
    from . import _config

    HOT[0] = not forcing and not _config.trace


refresh_hot()  # off when JITDISPATCH_TRACE is set

@contextlib.contextmanager
def use_target(name):
    """Force ``target=name`` for every launch in this block (this thread or task).

    For running whole functions, SciPy-like ones included, on the CUDA simulator in
    tests. It refuses silent copies exactly as ``target=`` does.
    """
    global forcing
    if name not in TARGET_NAMES:
        raise ValueError(f"unknown target {name!r}; choose one of {TARGET_NAMES}")
    token = _forced.set(name)
    with _forcing_lock:
        forcing += 1
        refresh_hot()
    try:
        yield
    finally:
        _forced.reset(token)
        with _forcing_lock:
            forcing -= 1
            refresh_hot()


def forced_target():
    return _forced.get() if forcing else None


def _place(info):
    return "cpu" if info.device == "cpu" else "cuda"


def choose(who, names, objs, infos, target=None):
    """Return ``(target_module, device_id, like)``; ``like`` is the first array's index."""
    if target is None and not forcing:
        # The common call: every array in one place, no target asked for.
        first = like = None
        for k, info in enumerate(infos):
            if info is None or info is _arrays.SEQUENCE:
                continue
            if first is None:
                first, like = info, k
            elif info is not first and info != first:
                break
        else:
            if first is None:
                return _targets.get("cpu"), None, None
            if first.device != "dask":
                return _targets.get(_place(first)), first.device_id, like
    if target is None and forcing:
        target = _forced.get()
    if target is not None and target not in TARGET_NAMES:
        raise ValueError(f"{who}: unknown target {target!r}; choose one of {TARGET_NAMES}")
    found = []
    for name, obj, info in zip(names, objs, infos, strict=True):
        if info is None or info is _arrays.SEQUENCE:
            continue
        if info.device == "dask":
            raise UnsupportedArgumentError(
                f"{who}: argument `{name}` is a Dask array; a kernel takes in-memory arrays. "
                "Run it per chunk with dask.array.map_blocks, or use a jitdispatch function "
                "that accepts Dask arrays (jd.elementwise functions and jitdispatch.ndimage do)."
            )
        found.append((name, obj, info))
    if not found:
        return _targets.get(target or "cpu"), None, None
    places = {_place(info) for _, _, info in found}
    devices = {info.device_id for _, _, info in found if info.device == "cuda"}
    devices.discard(None)
    if len(places) > 1 or len(devices) > 1:
        listing = "; ".join(f"`{n}` is {i.describe(o)}" for n, o, i in found)
        raise DeviceMismatchError(
            f"{who}: arguments are on different devices: {listing}. jitdispatch never copies "
            "between devices; move them to one device first (for example cupy.asarray(x) "
            "to go to the GPU, or x.get() / tensor.cpu() to come back)."
        )
    place = places.pop()
    device_id = devices.pop() if devices else None
    like = next(
        k for k, info in enumerate(infos) if info is not None and info is not _arrays.SEQUENCE
    )
    if target is None or target == place:
        chosen = place
    elif target == "cuda" and _targets.get("cuda").is_simulator():
        chosen = "cuda"  # the simulator's device memory is host memory
    else:
        listing = "; ".join(f"`{n}` is {i.describe(o)}" for n, o, i in found)
        raise DeviceMismatchError(
            f"{who}: target={target!r} was asked for, but {listing}. jitdispatch never copies "
            f"between host and device; pass arrays that live where the {target} target runs."
        )
    return _targets.get(chosen), device_id, like


def reason(names, objs, infos, target, forced):
    """One line saying why this target was chosen."""
    if forced:
        return f"target={forced!r} was asked for"
    for name, obj, info in zip(names, objs, infos, strict=True):
        if info is not None and info is not _arrays.SEQUENCE:
            return f"argument `{name}` is {info.describe(obj)}"
    return "no array arguments: the CPU runs scalar-only launches"
