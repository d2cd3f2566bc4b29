"""The decorators of the public API."""

import sys as _sys

import numpy as _np

from . import _arrays, _dispatch
from ._elementwise import Elementwise
from ._kernel import Func, Kernel
from ._targets import cpu as _cpu


def kernel(fn=None, *, max_registers=None, raises=True):
    """Make an index-space kernel from a plain Python function.

    The function's leading parameters are indices, one per dimension of the launch range;
    the rest are the arguments. Calling the kernel runs the body once per index of
    ``ndrange``, compiled for where the arguments live::

        @jd.kernel
        def saxpy(i, a, x, y, out):
            out[i] = a * x[i] + y[i]

        saxpy(2.0, x, y, out, ndrange=x.shape)

    Keywords of the call: ``ndrange`` (required: an int or a tuple of ints),
    ``target`` (``"cpu"`` or ``"cuda"``: force a target; never copies), ``cost`` (the work
    of one index, default 1: the CPU runs a launch in parallel once indices x cost reach
    its threshold, so a kernel whose index computes a whole line says so), and on CUDA
    ``stream`` (any stream object or handle) and ``blocksize`` (threads per block).

    The body may call ``math`` functions, ``jd.func`` helpers, Numba-compiled functions and
    ``jd.local.array``. Writes to read-only arrays, unsupported dtypes and a wrong
    ``ndrange`` raise errors naming the kernel and the argument.

    The result is a plain function (cheap to call; pickled by reference, or by value
    where cloudpickle sends a function of ``__main__`` to a Dask worker, which then
    compiles the body itself) with the
    attributes ``py_func`` (the body) and ``compile_ptx(*args, cc=(9, 0))`` (the PTX of
    the CUDA wrapper for arguments like ``args``; no GPU needed).

    ``@jd.kernel(max_registers=n)`` asks the CUDA compiler to use at most ``n`` registers
    per thread (numba-cuda's option of that name): more threads then fit on each
    multiprocessor, which pays off for kernels that wait on memory, at the price of
    spilling values that no longer fit. The CPU ignores it.

    An exception the body raises (``raise``, or a Numba function's error) reaches the
    caller from every CPU launch: a parallel launch checks whether any thread raised and
    then runs the launch again serially, which raises it (the outputs are then
    unspecified: indices that ran may have run twice). ``@jd.kernel(raises=False)``
    declares that the body never raises and skips that check, which lets the compiler
    optimise the parallel loops as if no error could occur (up to about 10% faster); an
    exception raised anyway in a parallel launch is then lost, as in Numba's ``prange``.
    CUDA kernels report no exceptions (numba-cuda checks only kernels compiled for debugging).
    """
    if not isinstance(raises, bool):
        raise TypeError(f"raises must be True or False, got {raises!r}")
    if max_registers is not None and (
        isinstance(max_registers, bool)
        or not isinstance(max_registers, int)
        or not 16 <= max_registers <= 255
    ):
        raise ValueError(f"max_registers must be an int from 16 to 255, got {max_registers!r}")
    if fn is None:
        return lambda fn: Kernel(fn, max_registers=max_registers, raises=raises).entry()
    return Kernel(fn, max_registers=max_registers, raises=raises).entry()


def elementwise(fn):
    """Make a broadcasting, ufunc-like function from a scalar Python function.

    ``f(*arrays, out=None, target=None)`` broadcasts its operands, allocates the result in
    the inputs' library and on their device (CuPy in, CuPy out; torch in, torch out;
    Dask in, lazy Dask out), or writes into ``out``, to whose shape the operands
    broadcast as in a NumPy ufunc. Result dtypes follow NumPy's promotion of the inputs
    unless the function returns another kind of number. As with NumPy's ufuncs, NumPy
    scalars or 0-d arrays give a NumPy scalar (CuPy gives 0-d arrays, as CuPy does).

    The result is a plain function with the attributes ``nin``, ``py_func`` and
    ``compile_ptx(*operands, cc=(9, 0))``.
    """
    return Elementwise(fn).entry()


def func(fn):
    """Make a helper callable from kernel bodies, compiled for the calling kernel's target."""
    return Func(fn)


def explain(fn, *args, **kwargs):
    """Explain how ``fn(*args, **kwargs)`` would be dispatched; nothing is run.

    Returns a printable :class:`~jitdispatch.Explanation`: the target and why, the device,
    the stream, the launch configuration, the compiled signature and the cache state
    ("in memory", "on disk" or "compile on first call"). ``fn`` is a function made by
    :func:`kernel` or :func:`elementwise`; the arguments are those of the call.
    """
    from ._explain import explain as _explain

    return _explain(fn, *args, **kwargs)


def _where(like, who):
    info = _arrays.describe(like)
    if info is None or info is _arrays.SEQUENCE:
        raise TypeError(f"{who}: `like` must be an array, got {type(like).__name__}")
    target, device_id, _ = _dispatch.choose(who, ["like"], [like], [info])
    return info, target, device_id


def empty(shape, dtype, like):
    """An uninitialised array of ``shape`` and ``dtype`` in ``like``'s library and device.

    NumPy in, NumPy out; CuPy in, CuPy out on the same GPU; torch in, torch out on the
    same device; numba device arrays in, numba device arrays out.
    """
    if type(like) is _np.ndarray and _dispatch.HOT[0]:  # no use_target block: the CPU
        return _np.empty(shape, dtype)
    cupy = _sys.modules.get("cupy")
    if cupy is not None and type(like) is cupy.ndarray and _dispatch.HOT[0]:
        from ._targets import cuda

        return cuda.cupy_empty(shape, dtype, like.data.device_id)
    info, target, device_id = _where(like, "jitdispatch.empty")
    if info.device == "dask":
        raise TypeError("jitdispatch.empty: `like` is a Dask array; allocate per chunk instead")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return target.empty(shape, _np.dtype(dtype), like, info, device_id)[1]


def lanes(like):
    """How many neighbouring outputs along a contiguous axis one kernel index should compute
    when a kernel is launched on ``like``'s target.

    A CPU core runs the indices of a launch one after the other, so an index should do
    enough work to pay for itself, ideally as a vector loop over ``lanes`` or more
    outputs side by side (``jd.local.array`` scratch of that size). A GPU runs every
    index as its own thread, and wants one output per index. Kernels written once can
    take the number of outputs per index as an argument, and the caller sizes the
    launch from this value::

        width = jd.lanes(x)  # 64 for NumPy arrays, 1 for CuPy arrays
        smooth(x, out, width, ndrange=(rows, -(-cols // width)))

    Returns 1 on CUDA and a multiple of the CPU's vector width on the CPU.
    """
    if type(like) is _np.ndarray and _dispatch.HOT[0]:  # no use_target block: the CPU
        return _cpu.lanes
    cupy = _sys.modules.get("cupy")
    if cupy is not None and type(like) is cupy.ndarray and _dispatch.HOT[0]:
        return 1  # the CUDA target's
    _, target, _ = _where(like, "jitdispatch.lanes")
    return target.lanes


def asarray(obj, like, dtype=None):
    """``obj`` as an array of ``like``'s library and device.

    Arrays already there are returned unchanged (no copy unless ``dtype`` differs). Host
    data (sequences, NumPy arrays) given for a device ``like`` is copied to the device:
    that is the one copy this function exists to make, for small parameters such as
    weights. Device data for a host ``like`` raises DeviceMismatchError: jitdispatch
    never copies from a device to the host on its own.
    """
    from .errors import DeviceMismatchError

    np = _np
    info, target, device_id = _where(like, "jitdispatch.asarray")
    here = _arrays.describe(obj)
    if here is not None and here is not _arrays.SEQUENCE and here.device == info.device:
        if dtype is None or np.dtype(str(obj.dtype).replace("torch.", "")) == np.dtype(dtype):
            return obj
        return obj.astype(dtype) if hasattr(obj, "astype") else obj.to(empty(0, dtype, like).dtype)
    if here is not None and here is not _arrays.SEQUENCE and here.device != "cpu":
        raise DeviceMismatchError(
            f"jitdispatch.asarray: the data is {here.describe(obj)} but `like` is "
            f"{info.describe(like)}; jitdispatch never copies from a device to the host on "
            "its own: call .get() / .cpu() yourself"
        )
    host = np.asarray(_arrays.host_view(obj, here) if here not in (None, _arrays.SEQUENCE) else obj)
    if dtype is not None:
        host = host.astype(dtype, copy=False)
    if info.device == "cpu":
        return _arrays.host_result(host, info)
    return target.asarray(host, like, info, device_id)
