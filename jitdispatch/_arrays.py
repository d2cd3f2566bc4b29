"""What an argument is: its library, its device and its producer's stream.

Array libraries are recognised by type and protocol without importing them: a CuPy or
torch object can only exist if its library is already in ``sys.modules``.
"""

import sys

import numpy as np

from .errors import UnsupportedArgumentError

_SCALAR_TYPES = (bool, int, float, complex, np.generic)
# DLPack device types (dlpack.h): CPU, CUDA, CUDA pinned host memory.
_DL_CPU, _DL_CUDA, _DL_CUDA_HOST = 1, 2, 3


class ArgInfo:
    """An array argument: ``library`` made it, it lives on ``device`` ('cpu' or 'cuda')."""

    __slots__ = ("device", "device_id", "library")

    def __init__(self, library, device, device_id=None):
        self.library = library
        self.device = device
        self.device_id = device_id

    def __eq__(self, other):
        return isinstance(other, ArgInfo) and (self.library, self.device, self.device_id) == (
            other.library,
            other.device,
            other.device_id,
        )

    def __hash__(self):
        return hash((self.library, self.device, self.device_id))

    def __repr__(self):
        return f"ArgInfo({self.library!r}, {self.device!r}, {self.device_id!r})"

    def where(self):
        if self.device == "cpu":
            return "cpu"
        return "cuda" if self.device_id is None else f"cuda:{self.device_id}"

    def describe(self, obj):
        return f"a {_type_name(obj)} on {self.where()}"


NUMPY = ArgInfo("numpy", "cpu")
# device id -> the ArgInfo of CuPy arrays there (one object: `choose` compares by
# identity first)
_CUPY = {}
SCALAR = None  # scalars are passed by value and take no part in the choice of target
SEQUENCE = "sequence"


def _type_name(obj):
    t = type(obj)
    mod = t.__module__
    return t.__qualname__ if mod == "builtins" else f"{mod.partition('.')[0]}.{t.__qualname__}"


def type_name(obj):
    return _type_name(obj)


def is_scalar(obj):
    return isinstance(obj, _SCALAR_TYPES)


def _torch_tensor(obj):
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.Tensor)


def describe(obj):
    """Classify one argument: ``SCALAR``, ``SEQUENCE`` or an :class:`ArgInfo`.

    Raises UnsupportedArgumentError for anything a kernel cannot take.
    """
    if type(obj) is np.ndarray:
        return NUMPY
    if isinstance(obj, _SCALAR_TYPES):
        return SCALAR
    root = type(obj).__module__.partition(".")[0]
    if root == "torch" and _torch_tensor(obj):
        kind = obj.device.type
        if kind == "cpu":
            return ArgInfo("torch", "cpu")
        if kind == "cuda":
            return ArgInfo("torch", "cuda", obj.device.index)
        raise UnsupportedArgumentError(
            f"torch tensors on device {obj.device} are not supported; use a CPU or CUDA tensor"
        )
    if root == "cupy" and hasattr(type(obj), "__cuda_array_interface__"):
        # (asked of the class: on an array the property builds its whole dict)
        device_id = obj.device.id
        info = _CUPY.get(device_id)
        if info is None:
            info = _CUPY[device_id] = ArgInfo("cupy", "cuda", device_id)
        return info
    if root == "dask":
        return ArgInfo("dask", "dask")
    if hasattr(obj, "__cuda_array_interface__"):
        library = "numba" if root in ("numba", "numba_cuda") else "cuda_array_interface"
        return ArgInfo(library, "cuda", None)
    if isinstance(obj, np.ndarray):
        if isinstance(obj, np.ma.MaskedArray):
            raise UnsupportedArgumentError(
                "masked arrays are not supported: pass `x.filled(value)` or `x.data`"
            )
        return NUMPY
    if hasattr(obj, "__dlpack_device__"):
        dev_type, dev_id = obj.__dlpack_device__()
        if dev_type in (_DL_CPU, _DL_CUDA_HOST):
            return ArgInfo("dlpack", "cpu")
        if dev_type == _DL_CUDA:
            return ArgInfo("dlpack", "cuda", int(dev_id))
        raise UnsupportedArgumentError(
            f"{_type_name(obj)} lives on DLPack device type {dev_type}; only CPU and CUDA "
            "memory are supported"
        )
    if isinstance(obj, (list, tuple)):
        return SEQUENCE
    raise UnsupportedArgumentError(
        f"cannot pass a {_type_name(obj)} to a kernel: use a NumPy, CuPy or torch array, "
        "an object with __cuda_array_interface__ or __dlpack__, a sequence or a scalar"
    )


def host_view(obj, info):
    """A zero-copy NumPy view of a host array argument."""
    if info is NUMPY:
        return obj
    if info.library == "torch":
        return obj.detach().numpy()
    if info.library == "dlpack":
        return np.from_dlpack(obj)
    raise AssertionError(f"not a host array: {info}")


def host_result(arr, info):
    """Give a NumPy result back in the caller's host library (torch in, torch out)."""
    if info is NUMPY or info.library != "torch":
        return arr
    return sys.modules["torch"].from_numpy(arr)
