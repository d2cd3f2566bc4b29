"""Argument checks and normalisation shared by every ``jitdispatch.ndimage`` filter.

Everything here reproduces what ``scipy.ndimage`` 1.17 accepts and rejects: the same
exception types under the same conditions, in the same order where one call breaks
several rules. Nothing here reads an input array's data: only its ``shape``, ``ndim``
and ``dtype``, so the input may come from NumPy, CuPy or torch. Weights, footprints and
scalar parameters are small and are converted with NumPy.

Two layers:

* primitives here (``mode_code``, ``normalize_axes``, ``output_dtype_and_array``,
  ``gaussian_kernel1d``, ...), each one SciPy rule, and the `Plan` types;
* one ``check_*`` function per public filter in ``_checks.py``, which applies the
  primitives in SciPy's order and returns a `Plan` saying what the kernels compute.

A `Plan` never holds the input. ``plan.output`` says what to allocate (or which array
to write); ``plan.passes`` is a chain of 1-D passes, each reading the result of the one
before (an empty chain means: copy the input into the output); ``plan.window`` is one
N-D window spanning every input axis.
"""

from __future__ import annotations

import collections
import functools
import math
import numbers
import operator
import os
import sys
import threading
import warnings
import weakref
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np

import jitdispatch as jd
from jitdispatch import _config, _dispatch
from jitdispatch.errors import UnsupportedArgumentError
from jitdispatch.kernels.ndimage import correlate as _correlate
from jitdispatch.kernels.ndimage import layout as _layout

try:
    from numpy.exceptions import AxisError
except ImportError:  # NumPy < 1.25
    from numpy import AxisError

# On the CPU, a 1-D pass gives each index of its launch as many outputs as leave about
# this many indices: fewer, longer indices cost less, and enough remain for the threads
# to share (the correlation and the minimum/maximum kernels).
CPU_INDICES = 1024

# Boundary modes, as the kernels see them. SciPy's filters treat the 'grid-' names as
# plain aliases, so kernels only ever handle these five.
MODE_NEAREST = 0
MODE_WRAP = 1
MODE_REFLECT = 2
MODE_MIRROR = 3
MODE_CONSTANT = 4

MODES = {
    "nearest": MODE_NEAREST,
    "wrap": MODE_WRAP,
    "reflect": MODE_REFLECT,
    "mirror": MODE_MIRROR,
    "constant": MODE_CONSTANT,
    "grid-wrap": MODE_WRAP,
    "grid-mirror": MODE_REFLECT,
    "grid-constant": MODE_CONSTANT,
}

__all__ = [
    "MODES",
    "MODE_CONSTANT",
    "MODE_MIRROR",
    "MODE_NEAREST",
    "MODE_REFLECT",
    "MODE_WRAP",
    "DerivativePlan",
    "Kept",
    "Output",
    "Pass",
    "Plan",
    "VectorizedPlan",
    "Window",
    "as_numpy_dtype",
    "check_weights_origin",
    "check_window_origin",
    "complex_cval",
    "expand_footprint",
    "expand_to_ndim",
    "gaussian_kernel1d",
    "gaussian_radius",
    "kernel_dtype_supported",
    "mode_code",
    "needs_temporary",
    "normalize_axes",
    "normalize_axis",
    "normalize_modes",
    "normalize_origins",
    "normalize_sequence",
    "normalize_sizes",
    "origin_is_valid",
    "output_dtype_and_array",
    "rank_from",
    "real_cval",
    "uniform_weights",
]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Output(NamedTuple):
    """Where a filter writes: a NumPy ``dtype`` and the caller's array, if one was given.

    ``array is None`` means the caller allocates an array of ``dtype`` with the input's
    shape, in the input's array library.
    """

    dtype: np.dtype
    array: Any = None


class Pass(NamedTuple):
    """One 1-D pass of a separable filter."""

    axis: int  # non-negative
    size: int  # window length along ``axis``
    origin: int
    mode: int  # a MODE_* code
    weights: np.ndarray | None = None  # correlate: 1-D float64 or complex128, applied as-is


class Window(NamedTuple):
    """One N-D window spanning all ``ndim`` input axes.

    Note: SciPy's N-D correlation skips weights with ``abs(w) <= 2.2e-16`` (so a NaN or
    inf under a zero weight does not spread); its 1-D passes do not.
    """

    shape: tuple[int, ...]
    origins: tuple[int, ...]
    mode: int
    footprint: np.ndarray | None  # boolean, ``shape``; None when the whole box is used
    weights: np.ndarray | None  # correlate only: float64 or complex128, applied as-is
    count: int  # number of elements inside the footprint


class Plan(NamedTuple):
    """What one filter call must compute.

    Along an axis, a window of length ``n`` and origin ``o`` at output index ``i``
    covers ``x[i - n // 2 - o + j]`` for ``j`` in ``0..n-1``, ``x`` extended past its
    edges by ``mode`` (and ``cval``). By ``op``:

    * 'correlate': ``sum_j w[j] * x[...]``; the weights are final (already flipped and
      conjugated as SciPy does), the kernel applies them as they are;
    * 'uniform': the mean of the window; 'minimum' / 'maximum': its extremes;
    * 'rank': the value at position ``rank`` (0-based) of the sorted footprint values;
    * 'generic': ``extra = (function, extra_arguments, extra_keywords)``;
    * 'sum' (laplace): every pass reads the input; the result is the sum of the passes.

    Otherwise ``passes`` form a chain, each pass reading the previous result as stored
    in the output dtype. No passes and no window: copy the input into the output.
    ``cval`` is a float, or a complex number when ``complex``; SciPy's minimum,
    maximum and rank kernels cast it to the input dtype.
    """

    op: str
    output: Output
    cval: Any
    passes: tuple[Pass, ...] = ()
    window: Window | None = None
    rank: int | None = None
    complex: bool = False  # the arithmetic is complex (complex input or weights)
    extra: tuple = ()  # generic filters: (function, extra_arguments, extra_keywords)


class DerivativePlan(NamedTuple):
    """What generic_laplace / generic_gradient_magnitude pass to the derivative callback.

    The filter calls ``derivative(input, axes[i], out, modes[i], cval, *extra_arguments,
    **extra_keywords)`` for each ``i``; ``modes`` are the caller's mode values, unchecked.
    No axes means: copy the input into the output.
    """

    output: Output
    axes: tuple[int, ...]
    modes: tuple
    extra_arguments: tuple
    extra_keywords: dict


class VectorizedPlan(NamedTuple):
    """The checked arguments of ``vectorized_filter``."""

    axes: tuple[int, ...]  # non-negative input axes, in window order
    size: tuple[int, ...]  # window shape
    footprint: np.ndarray | None  # boolean, shape ``size``; None with a size
    origins: tuple[int, ...]
    pad_mode: str  # an ``np.pad`` mode, or 'valid' (no padding, smaller output)
    cval: Any  # padding value for pad_mode 'constant'


class _Like(NamedTuple):
    """Stand-in for an array whose metadata only is known (the input or a result)."""

    shape: tuple[int, ...]
    dtype: np.dtype


# --- small helpers ------------------------------------------------------------------


WARNED = [0]  # warnings `_warn` has given: a plan made with one is not kept


def _warn(message):
    """Warn with the frame of the first caller outside jitdispatch as the location."""
    WARNED[0] += 1
    level, frame = 2, sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)


def as_input(input):
    """The filters' ``input`` as they take it: arrays of every library as they are;
    NumPy's subclasses (``np.matrix``, ``np.memmap``) as plain ndarray views, as SciPy
    reads them (a matrix's indexing keeps two axes, which the kernels cannot type); lists,
    scalars and NumPy scalars as NumPy arrays. Masked arrays pass, to be refused by name
    where a kernel takes them: dropping the mask would lose what it hides. A Dask array
    whose chunk sizes are unknown raises ValueError."""
    if type(input) is np.ndarray:
        return input
    if isinstance(input, np.ndarray):
        return input if isinstance(input, np.ma.MaskedArray) else input.view(np.ndarray)
    if isinstance(input, np.generic) or not (hasattr(input, "shape") and hasattr(input, "dtype")):
        return np.asarray(input)
    unknown = [axis for axis, n in enumerate(input.shape) if n != n]  # NaN: Dask's unknown
    if unknown:
        raise ValueError(
            f"the Dask array's chunk sizes are unknown along axis {unknown[0]} (as after "
            "boolean indexing), so the neighbours each chunk reads are unknown too: call "
            "`x.compute_chunk_sizes()` first"
        )
    return input


def _like(input):
    return _Like(tuple(int(n) for n in input.shape), as_numpy_dtype(input.dtype))


def _is_sequence(value):
    """True for a per-axis sequence: any iterable except a string."""
    return not isinstance(value, str) and isinstance(value, Iterable)


def _c_int(value):
    """An integer argument of SciPy's C layer (bools pass, floats raise TypeError)."""
    return operator.index(value)


def _c_intp_sequence(values):
    """An origin sequence of SciPy's N-D C layer, which also refuses bools."""
    for value in values:
        if isinstance(value, (bool, np.bool_)):
            raise TypeError(f"origin must hold integers, got {value!r}")
    return tuple(operator.index(value) for value in values)


def _shape_int(value):
    """An integer as NumPy takes it for an array shape (bools and floats refused)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"expected an integer, got {value!r}")
    return operator.index(value)


def _c_double(value):
    """A real scalar, converted as SciPy's C layer converts ``cval``."""
    kind = type(value)
    if not (hasattr(kind, "__float__") or hasattr(kind, "__index__")):
        raise TypeError(f"cval must be a real number, not {kind.__name__}")
    return float(value)


def _real_dtype(dtype):
    """The dtype of ``x.real`` for an array ``x`` of ``dtype``."""
    return np.empty(0, dtype).real.dtype


def _size(shape):
    return math.prod(shape)


# --- modes, sequences, axes, origins --------------------------------------------------


def mode_code(mode):
    """Map a boundary mode name to its MODE_* code; RuntimeError for anything else."""
    if isinstance(mode, np.ndarray) and mode.ndim == 0:
        mode = mode.item()
    if isinstance(mode, str) and mode in MODES:
        return MODES[mode]
    raise RuntimeError(
        f"boundary mode not supported: {mode!r}; use one of {', '.join(map(repr, MODES))}"
    )


def normalize_sequence(value, n):
    """Repeat a scalar (or string) ``n`` times, or check a sequence has length ``n``.

    Returns a list. A wrong length raises RuntimeError, as SciPy does.
    """
    if not isinstance(value, str) and np.iterable(value):
        values = list(value)
        if len(values) != n:
            raise RuntimeError(
                "sequence argument must have length equal to input rank "
                f"(the number of filtered axes, {n}); got {len(values)} values"
            )
        return values
    return [value] * n


def normalize_modes(mode, n):
    """One MODE_* code per axis from a mode name or a per-axis sequence of names.

    ``n`` is the number of filtered axes, or the sequence of those axes.
    """
    if not isinstance(n, numbers.Integral):
        n = len(n)
    return tuple(mode_code(m) for m in normalize_sequence(mode, n))


def _wrap_axis(axis, ndim):
    """SciPy's ``normalize_axis_index``: range check and wrap, no integer conversion."""
    if axis < -ndim or axis >= ndim:
        raise AxisError(f"axis {axis} is out of bounds for an input with {ndim} dimensions")
    return axis + ndim if axis < 0 else axis


def normalize_axis(axis, ndim):
    """A single ``axis`` argument as a non-negative int (AxisError when out of range)."""
    return _c_int(_wrap_axis(axis, ndim))


def normalize_axes(axes, ndim):
    """The ``axes`` argument of the N-D filters, exactly as SciPy's ``_check_axes``.

    None means every axis. A sequence is range-checked and wrapped to non-negative
    values. A scalar is returned as ``(axes,)`` *without* range check or wrapping, as
    in SciPy (what happens next depends on the filter). Repeated axes raise ValueError.
    """
    if axes is None:
        return tuple(range(ndim))
    if np.isscalar(axes):
        axes = (operator.index(axes),)
    elif isinstance(axes, Iterable):
        axes = tuple(operator.index(ax) for ax in axes)
        for ax in axes:
            if ax < -ndim or ax > ndim - 1:
                raise ValueError(f"specified axis: {ax} is out of range for {ndim} dimensions")
        axes = tuple(ax % ndim if ax < 0 else ax for ax in axes)
    else:
        raise ValueError(f"axes must be an integer, iterable of integers, or None; got {axes!r}")
    if len(set(axes)) != len(axes):
        raise ValueError(f"axes must be unique; got {axes}")
    return axes


def normalize_origins(origin, n):
    """One integer origin per filtered axis (RuntimeError for a wrong-length sequence)."""
    return [_c_int(o) for o in normalize_sequence(origin, n)]


def normalize_sizes(size, n):
    """One window length per filtered axis (RuntimeError for a wrong-length sequence)."""
    return normalize_sequence(size, n)


def origin_is_valid(origin, length):
    """SciPy's bound on an origin for a window of ``length``.

    ``-(length // 2) <= origin <= (length - 1) // 2``. Written as SciPy writes it for
    weights; see `check_window_origin` for the (float-sensitive) form used by sizes.
    """
    return not (origin < -(length // 2) or origin > (length - 1) // 2)


def check_weights_origin(origin, length):
    """Raise ValueError unless ``origin`` fits a weights array of ``length``."""
    if not origin_is_valid(origin, length):
        raise ValueError(
            f"Invalid origin {origin!r} for weights of length {length}; origin must satisfy "
            "-(len(weights) // 2) <= origin <= (len(weights) - 1) // 2"
        )


def check_window_origin(origin, length):
    """Raise ValueError unless ``origin`` fits a size/footprint window of ``length``."""
    if length // 2 + origin < 0 or length // 2 + origin >= length:
        raise ValueError(
            f"invalid origin {origin!r} for a window of length {length}; it must satisfy "
            "-(length // 2) <= origin <= (length - 1) // 2"
        )


def expand_to_ndim(values, axes, ndim, fill):
    """Per-filtered-axis values as a list over all ``ndim`` axes, ``fill`` elsewhere."""
    if len(axes) >= ndim:
        return list(values)
    full = [fill] * ndim
    for value, ax in zip(values, axes, strict=False):
        full[ax] = value
    return full


def _expand_origin(ndim, axes, origin):
    return expand_to_ndim(normalize_sequence(origin, len(axes)), axes, ndim, 0)


def _expand_mode(ndim, axes, mode):
    if _is_sequence(mode):
        # indexed by axis even when every axis is filtered, as SciPy's: a scalar axis
        # past the end (which SciPy's rank filters do not check) is an IndexError here
        full = ["constant"] * ndim
        for m, ax in zip(normalize_sequence(mode, len(axes)), axes, strict=False):
            full[ax] = m
        return full
    return mode


def expand_footprint(ndim, axes, footprint, name="footprint"):
    """Give a footprint (or weights) over the filtered axes length-1 dims elsewhere."""
    if len(axes) < ndim:
        if footprint.ndim != len(axes):
            raise RuntimeError(f"{name}.ndim ({footprint.ndim}) must match len(axes) ({len(axes)})")
        missing = tuple(ax for ax in range(ndim) if ax not in axes)
        footprint = np.expand_dims(footprint, missing)
    return footprint


def _check_full_shape(shape, ndim, naxes, name, shown_ndim):
    """SciPy's check that a window has ``ndim`` non-empty dimensions."""
    if len([n for n in shape if n > 0]) != ndim:
        raise RuntimeError(
            f"{name}.ndim ({shown_ndim}) must match len(axes) ({naxes}); "
            f"a {name} of shape {tuple(shape)} does not fit an input with {ndim} dimensions"
        )


# --- dtypes, outputs, aliasing --------------------------------------------------------


def as_numpy_dtype(dtype):
    """A NumPy dtype for a NumPy/CuPy dtype, a type, a string or a torch dtype."""
    if isinstance(dtype, np.dtype):
        return dtype
    if _is_foreign_dtype(dtype):
        name = str(dtype).removeprefix("torch.")
        try:
            return np.dtype(name)
        except TypeError:
            raise TypeError(f"torch dtype {dtype} has no NumPy equivalent") from None
    return np.dtype(dtype)


def _is_foreign_dtype(value):
    """Whether ``value`` is a torch dtype (without importing torch)."""
    return type(value).__module__ == "torch" and type(value).__name__ == "dtype"


def output_dtype_and_array(input_shape, input_dtype, output, complex_output=False):
    """Resolve the ``output`` argument as SciPy's ``_get_output`` does.

    ``output`` may be None (input dtype, promoted to complex when ``complex_output``), a
    dtype or scalar type (promoted to complex with a UserWarning when needed), a dtype
    string (RuntimeError if not numeric, or not complex when ``complex_output``), or an
    array (RuntimeError on a shape mismatch or a real dtype when ``complex_output``).
    Returns an `Output`; ``array`` is set only for an array argument (a plain ndarray
    view of a NumPy subclass such as ``np.matrix``: the result SciPy returns).
    """
    if isinstance(output, Output):  # already resolved: an array of this dtype exists
        if complex_output and output.dtype.kind != "c":
            raise RuntimeError(f"output must have complex dtype, not {output.dtype}")
        return output
    shape = tuple(input_shape)
    input_dtype = as_numpy_dtype(input_dtype)
    if output is None:
        if complex_output:
            return Output(np.promote_types(input_dtype, np.complex64))
        return Output(np.dtype(input_dtype.name))
    if isinstance(output, (type, np.dtype)) or _is_foreign_dtype(output):
        dtype = as_numpy_dtype(output)
        if complex_output and dtype.kind != "c":
            _warn("promoting specified output dtype to complex")
            dtype = np.promote_types(dtype, np.complex64)
        return Output(dtype)
    if isinstance(output, str):
        dtype = np.dtype(output)
        if complex_output and dtype.kind != "c":
            raise RuntimeError(f"output must have complex dtype, not {output!r}")
        if not issubclass(dtype.type, np.number):
            raise RuntimeError(f"output must have numeric dtype, not {output!r}")
        return Output(dtype)
    if isinstance(output, np.generic) or not (
        hasattr(output, "shape") and hasattr(output, "dtype")
    ):
        output = np.asarray(output)
    elif isinstance(output, np.ma.MaskedArray):
        raise UnsupportedArgumentError(
            "masked arrays are not supported as `output`: pass `out.data` (the mask is "
            "left as it is)"
        )
    elif isinstance(output, np.ndarray) and type(output) is not np.ndarray:
        output = output.view(np.ndarray)  # a subclass's memory, as SciPy writes and returns it
    if tuple(output.shape) != shape:
        raise RuntimeError(
            f"output shape not correct: got {tuple(output.shape)}, the input has {shape}"
        )
    dtype = as_numpy_dtype(output.dtype)
    if complex_output and dtype.kind != "c":
        raise RuntimeError(f"output must have complex dtype, not {dtype}")
    return Output(dtype, output)


def kernel_dtype_supported(dtype):
    """Whether SciPy's compiled filters accept ``dtype`` (bool, ints, float32/64)."""
    dtype = as_numpy_dtype(dtype)
    return dtype.kind in "biu" or (dtype.kind == "f" and dtype.itemsize in (4, 8))


def _check_kernel_dtypes(shape, dtypes, line):
    """RuntimeError for dtypes SciPy's C layer refuses.

    Line (1-D pass) kernels refuse at once; the N-D kernels only when there is at least
    one element to compute.
    """
    if not line and _size(shape) == 0:
        return
    for dtype in dtypes:
        if not kernel_dtype_supported(dtype):
            raise RuntimeError(
                f"array type {dtype} not supported; use bool, an integer type, float32 or float64"
            )


def _check_writeable(output):
    flags = getattr(output.array, "flags", None)
    if flags is not None and getattr(flags, "writeable", True) is False:
        raise ValueError("output array is read-only.")


def _extent(array):
    """(first, last + 1) byte addresses of an array, or None when unknown."""
    info = getattr(array, "__array_interface__", None)
    if info is None:
        info = getattr(array, "__cuda_array_interface__", None)
    if info is not None:
        start = info["data"][0]
        itemsize = np.dtype(info["typestr"]).itemsize
        shape, strides = info["shape"], info.get("strides")
        if strides is None:
            strides = tuple(itemsize * math.prod(shape[i + 1 :]) for i in range(len(shape)))
    elif callable(getattr(array, "data_ptr", None)):  # torch
        start, itemsize = array.data_ptr(), array.element_size()
        shape = tuple(array.shape)
        strides = tuple(s * itemsize for s in array.stride())
    else:
        return None
    if _size(shape) == 0:
        return (start, start)
    low = start + sum(s * (n - 1) for s, n in zip(strides, shape, strict=True) if s < 0)
    high = start + sum(s * (n - 1) for s, n in zip(strides, shape, strict=True) if s > 0)
    return (low, high + itemsize)


def is_same_array(input, output):
    """Whether ``output`` is exactly ``input``'s memory: NumPy arrays of the same
    address, shape, strides and dtype (a filter may then run in place on it)."""
    if not (isinstance(input, np.ndarray) and isinstance(output, np.ndarray)):
        return False
    a, b = input.__array_interface__, output.__array_interface__
    return (
        a["data"][0] == b["data"][0]
        and input.shape == output.shape
        and input.strides == output.strides
        and input.dtype == output.dtype
    )


def needs_temporary(input, output):
    """Whether ``output`` may overlap ``input``, so a filter must write a temporary.

    NumPy arrays use ``np.may_share_memory``; others compare byte extents from the
    array interfaces (or torch's ``data_ptr``). Unknown arrays count as overlapping
    only when they are the same object.
    """
    if output is None:
        return False
    if isinstance(input, np.ndarray) and isinstance(output, np.ndarray):
        return bool(np.may_share_memory(input, output))
    a, b = _extent(input), _extent(output)
    if a is None or b is None:
        return input is output
    return a[0] < b[1] and b[0] < a[1]


# --- Gaussian kernels ------------------------------------------------------------------


def gaussian_radius(sigma, truncate=4.0, radius=None):
    """Kernel half-width: ``radius`` if given, else ``int(truncate * sigma + 0.5)``.

    ValueError unless the result is a non-negative integer (a float ``radius`` counts
    as invalid, as in SciPy).
    """
    width = int(truncate * float(sigma) + 0.5)
    if radius is not None:
        width = radius
    if not isinstance(width, numbers.Integral) or width < 0:
        raise ValueError(f"Radius must be a nonnegative integer; got {width!r}")
    return width


class Kept:
    """Values kept for repeated calls with equal keys, at most ``limit`` of them (the
    oldest is dropped first). Each is computed from the call's arguments alone and only
    read afterwards; a GPU call would otherwise wait on recomputing it every time."""

    def __init__(self, limit):
        self._values = {}
        self._limit = limit
        self._lock = threading.Lock()

    def get(self, key):
        """The value kept for ``key``, or None (``TypeError`` for an unhashable key)."""
        return self._values.get(key)

    def put(self, key, value):
        """Keep ``value`` for ``key``; return it."""
        with self._lock:
            if len(self._values) >= self._limit:
                self._values.pop(next(iter(self._values)), None)
            self._values[key] = value
        return value


def _shaped(buffer, shape, dtype, nbytes):
    """The first ``nbytes`` of a uint8 ``buffer`` as a C-contiguous array."""
    return buffer[:nbytes].view(dtype).reshape(shape)


class Spares:
    """Host memory kept between calls: for the passes between a filter's input and its
    output, and for the results the filters return.

    Fresh memory costs more than the pass that writes it: the operating system maps and
    zeroes every page on first touch (32 MiB took 4-50 ms on the 2-core CI machines,
    virtual machines that hand freed memory back to their host, when two threads touch
    it at once), where SciPy, which filters its lines through one small buffer, touches
    only its output. Memory given back is kept for the next call, up to ``limit`` bytes
    in all (``JITDISPATCH_SPARE_BYTES``, default 256 MiB; 0 keeps none); arrays under
    1 MiB come from NumPy as usual. Only NumPy arrays are kept: CuPy keeps freed device
    memory in its own pool.

    Two ways to use it:

    - ``with SPARES.lend() as take: tmp = take(shape, dtype, like)``: everything taken
      goes back when the block ends, so nothing lent may outlive it.
    - ``SPARES.result(shape, dtype)``: an array for a filter to return. Its memory comes
      back when the array is freed (a ``weakref.finalize``), and is lent again only once
      nothing else refers to it: a view of the result that outlived it keeps its memory
      out of use (``_unused``).

    A buffer lent for a loan serves a request of at least half its size, one for a
    result a request of at least 8/9 of it (a result may be kept for long); two requests
    never share memory, so calls from several threads each get their own.
    """

    SMALL = 1 << 20

    def __init__(self, limit):
        self._free = []  # 1-d uint8 arrays, oldest first
        self._limit = limit
        self._lock = threading.Lock()
        # buffers of freed results, appended by their finalizers: those may run inside
        # any allocation (a garbage collection), even one made while ``_lock`` is held,
        # so they only append here (atomic) and ``_keep`` moves them on (``_drain``)
        self._returned = collections.deque()

    @property
    def limit(self):
        """How many bytes may be kept."""
        return self._limit

    def clear(self):
        """Give every kept buffer back to NumPy (freed once nothing else holds it);
        return how many bytes were kept."""
        with self._lock:
            kept = self._kept()
            self._free.clear()
            self._returned.clear()
        return kept

    def kept_bytes(self):
        """How many bytes are kept for later calls (buffers still in use included)."""
        with self._lock:
            return self._kept()

    def _kept(self):
        return sum(b.nbytes for b in self._free) + sum(b.nbytes for b in self._returned)

    def _after_fork(self):
        self._lock = threading.Lock()

    @staticmethod
    def _references(free, k):
        return sys.getrefcount(free[k])

    def _unused(self, free, k):
        """Whether nothing but the list ``free`` refers to ``free[k]`` (no view of a
        result that was freed before its views)."""
        return self._references(free, k) <= self._ALONE

    # what `_references` counts for an array only a list refers to (the interpreter's
    # own temporary references differ between Python versions)
    _ALONE = _references([np.empty(1, np.uint8)], 0)

    def _keep(self, buffers):
        """Add ``buffers`` and the buffers of freed results to the free list, then drop
        the oldest over the limit (with ``_lock`` held). A buffer larger than the limit
        is not kept, rather than pushing out all the others, nor is one a caller made
        read-only through a result's ``base``."""
        free, returned, limit = self._free, self._returned, self._limit
        while returned:
            buffers.append(returned.popleft())
        free.extend(b for b in buffers if b.nbytes <= limit and b.flags.writeable)
        total = sum(b.nbytes for b in free)
        while free and total > limit:
            total -= free.pop(0).nbytes

    def _drain(self):
        """Keep the buffers freed while ``_lock`` was held: their finalizers could not
        take it (call after releasing it)."""
        while self._returned and self._lock.acquire(blocking=False):
            try:
                self._keep([])
            finally:
                self._lock.release()

    def _result_freed(self, buffer):
        """A result's finalizer: keep its buffer (within the limit) for a later call."""
        self._returned.append(buffer)
        self._drain()  # if the lock is held, its holder drains after releasing it

    def _take(self, nbytes, most):
        """A buffer of ``nbytes`` to ``most`` bytes that nobody uses, or a new one."""
        with self._lock:
            self._keep([])
            free = self._free
            fits = [
                k
                for k in range(len(free))
                if nbytes <= free[k].nbytes <= most and self._unused(free, k)
            ]
            found = free.pop(min(fits, key=lambda k: free[k].nbytes)) if fits else None
        self._drain()
        return np.empty(nbytes, np.uint8) if found is None else found

    def _give(self, buffers):
        with self._lock:
            self._keep(list(buffers))
        self._drain()

    def result(self, shape, dtype):
        """A new C-contiguous NumPy array of ``shape`` and ``dtype`` whose memory, when
        the array is freed, is kept for a later call."""
        dtype = np.dtype(dtype)
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes < self.SMALL or self._limit <= 0:
            return np.empty(shape, dtype)
        # a result may be kept for long: little memory beyond its own
        buffer = self._take(nbytes, nbytes + nbytes // 8)
        array = _shaped(buffer, shape, dtype, nbytes)
        weakref.finalize(array, self._result_freed, buffer).atexit = False
        return array

    def lend(self):
        """``with SPARES.lend() as take:``, see the class's docstring."""
        return _Loan(self)


class _Loan:
    """One ``with SPARES.lend() as take:`` block: its ``take`` lends memory, and the end
    of the block gives it back. A class rather than a generator's context manager: every
    filter call opens one, and this costs a fifth as much."""

    __slots__ = ("_spares", "_taken")

    def __init__(self, spares):
        self._spares = spares
        self._taken = []

    def __enter__(self):
        return self.take

    def __exit__(self, *exc):
        taken = self._taken
        if taken:
            self._spares._give(taken)
            taken.clear()  # `take` may outlive the block: no reference left behind
        return False

    def take(self, shape, dtype, like):
        dtype = np.dtype(dtype)
        nbytes = math.prod(shape) * dtype.itemsize
        spares = self._spares
        if type(like) is not np.ndarray or not _dispatch.HOT[0] or nbytes < spares.SMALL:
            return jd.empty(tuple(shape), dtype, like=like)
        buffer = spares._take(nbytes, 2 * nbytes)
        self._taken.append(buffer)
        return _shaped(buffer, shape, dtype, nbytes)


SPARES = Spares(_config.SPARE_BYTES)
if hasattr(os, "register_at_fork"):  # a child forked while a thread held the lock
    os.register_at_fork(after_in_child=SPARES._after_fork)


def new_array(shape, dtype, like):
    """An uninitialised array of ``shape`` and ``dtype`` where ``like`` is (as
    `jitdispatch.empty`); on the CPU its memory comes from, and goes back to, `SPARES`."""
    if type(like) is np.ndarray and _dispatch.HOT[0]:
        return SPARES.result(shape if type(shape) is tuple else tuple(map(int, shape)), dtype)
    shape = tuple(int(n) for n in shape)
    return jd.empty(shape, dtype, like=like)


def is_torch(array):
    """Whether ``array`` is a torch tensor (without importing torch)."""
    return type(array).__module__.split(".")[0] == "torch"


def cast_code(dtype):
    """How the kernels convert float64 results to ``dtype`` (see the kernels' CAST_*)."""
    if dtype == np.bool_:
        return _correlate.CAST_BOOL
    if (dtype.kind in "iu" and dtype.itemsize <= 2) or dtype == np.int32:
        # C converts through int32 (then wraps): out of its range, -2**31
        return _correlate.CAST_VIA_INT32
    if dtype == np.uint32:
        return _correlate.CAST_VIA_INT64
    if dtype == np.uint64:
        return _correlate.CAST_UINT64
    return _correlate.CAST_DIRECT


def kernel_view(array):
    """``array``, or the uint8 view of its bytes if it is boolean: what the kernels read
    and write in place of a bool array. SciPy stores the low byte of a truncated result
    in a bool output (``(npy_bool)value``: 256 gives False, -1 a byte of 255), and a
    later pass that reads that array reads the byte, as the kernels do here."""
    if as_numpy_dtype(array.dtype) != np.bool_:
        return array
    if is_torch(array):  # its view takes a torch dtype (torch is loaded)
        return array.view(sys.modules["torch"].uint8)
    return array.view(np.uint8)


def is_c_contiguous(array):
    """Whether ``array`` (NumPy, CuPy, torch, numba device array) is C-contiguous,
    without importing its library."""
    if type(array) is np.ndarray:
        return array.flags.c_contiguous
    flags = getattr(array, "flags", None)
    if flags is not None and hasattr(flags, "c_contiguous"):
        return bool(flags.c_contiguous)
    if isinstance(flags, dict):  # numba device arrays
        return bool(flags.get("C_CONTIGUOUS"))
    is_contiguous = getattr(array, "is_contiguous", None)  # torch
    return bool(is_contiguous()) if callable(is_contiguous) else False


def destination(input, output):
    """The array a filter computes into: the caller's ``output.array`` when it is
    C-contiguous and shares no memory with ``input``, else a new one of the output
    dtype (the caller then copies the result into the given array at the end)."""
    given = output.array
    if given is not None and is_c_contiguous(given) and not needs_temporary(input, given):
        return given
    return new_array(input.shape, output.dtype, input)


def reach(length, origin):
    """How far a window of ``length`` at ``origin`` reads below and above a point."""
    lo = length // 2 + origin
    hi = length - 1 - length // 2 - origin
    return max(lo, 0), max(hi, 0)


# In-place passes (`pass_in_place`) copy this many bytes of their array aside at a time.
BAND_BYTES = 8 << 20


def runs_in_place(array):
    """Whether 1-D passes whose result is ``array`` should run in place on it
    (`pass_in_place`) rather than alternate with a spare array of its size: a
    C-contiguous NumPy array too large for the kept memory (so its spare would be new
    memory on every call: twice SciPy's peak, which filters through line buffers) and
    larger than a band."""
    if type(array) is not np.ndarray or not array.flags.c_contiguous:
        return False
    return array.nbytes > SPARES.limit and array.nbytes > BAND_BYTES


def pass_in_place(array, step, run, running=False):
    """Apply ``run(src, dst, step, take)``, the 1-D pass ``step`` (a `Pass`) from
    ``src`` into ``dst`` of the same shape (``take`` lends its scratch), to the
    C-contiguous NumPy ``array`` in place, a band of about `BAND_BYTES` at a time.

    The array is seen as ``(outer, n, inner)`` around the pass's axis (``n`` long), and
    the pass as one along the middle axis. Where a slab ``(n, inner)`` fits a band, the
    bands are ranges of ``outer``: each is copied aside and filtered from there straight
    back into the array. Larger slabs are cut on their own, along ``n``: each band's rows
    and those the window reaches around it are copied into a buffer (the rows above kept
    from before they were overwritten; with 'wrap', the other end's rows at the ends),
    filtered into a second buffer, and the band's own rows copied back. A ``running``
    sum (it would restart with each band) or a reach longer than a band cuts across
    ``inner`` instead, through strided copies. The buffers go back to `SPARES` after the
    pass, the kernels' scratch after each band; bands differ only in shape, a run-time
    value of the kernels, so nothing new is compiled.
    """
    shape = tuple(array.shape)
    if math.prod(shape) == 0:
        return
    axis = step.axis
    outer, n, inner = math.prod(shape[:axis]), shape[axis], math.prod(shape[axis + 1 :])
    view = array.reshape(outer, n, inner)
    middle = step._replace(axis=1)

    def band_run(src, dst):
        with SPARES.lend() as scratch:
            run(src, dst, middle, scratch)

    slab = n * inner * array.itemsize
    if slab <= BAND_BYTES:
        with SPARES.lend() as take:
            _independent_bands(view, 0, BAND_BYTES // slab, band_run, take)
        return
    for o in range(outer):
        with SPARES.lend() as take:  # each slab's buffers back before the next's
            _slab_in_place(view[o : o + 1], step, band_run, take, running)


def _slab_in_place(view, step, run, take, running):
    """`pass_in_place` on a ``(1, n, inner)`` slab larger than a band."""
    n, inner = view.shape[1], view.shape[2]
    row = inner * view.itemsize
    lo, hi = reach(step.size, step.origin)
    rows = max(1, BAND_BYTES // row)
    count = min(-(-n // rows), n // (max(lo, hi) + 1))  # bands, each longer than the reach
    band = (lo + n // max(count, 1) + 1 + hi) * row  # one band's input
    if count > 1 and not running and band <= 4 * BAND_BYTES:
        _rolling_bands(view, lo, hi, count, step.mode == MODE_WRAP, run, take)
    else:
        _independent_bands(view, 2, max(1, BAND_BYTES // (n * view.itemsize)), run, take)


def _independent_bands(view, axis, step, run, take):
    """`pass_in_place` for a pass along axis 1 of the ``(outer, n, inner)`` ``view``:
    ``step`` indices of ``axis`` (0 or 2) at a time, copied into a buffer and filtered
    back (through a second buffer across ``inner``, whose bands are strided)."""
    shape = list(view.shape)
    band = list(shape)
    band[axis] = min(step, shape[axis])
    src_buffer = take((math.prod(band),), view.dtype, view)
    dst_buffer = take((math.prod(band),), view.dtype, view) if axis else None
    for start in range(0, shape[axis], step):
        stop = min(start + step, shape[axis])
        part = view[start:stop] if axis == 0 else view[:, :, start:stop]
        band[axis] = stop - start
        src = src_buffer[: math.prod(band)].reshape(band)
        src[...] = part
        if dst_buffer is None:
            run(src, part)
        else:
            dst = dst_buffer[: math.prod(band)].reshape(band)
            run(src, dst)
            part[...] = dst


def _rolling_bands(view, lo, hi, count, wrap, run, take):
    """`pass_in_place` for a pass along axis 1 of a ``(1, n, inner)`` ``view`` reaching
    ``lo`` rows before and ``hi`` after each output, in ``count`` bands of rows each
    longer than either reach.

    A band's input is its rows and the reach around them, so that an output reads only
    rows within its band's input. At the slab's own ends the first and last bands stop,
    and the mode applies there as in the whole slab (a band longer than the reach keeps
    its reads near the end); with ``wrap`` they read the other end instead: the last
    rows, not yet overwritten when the first band runs, and the first rows, kept aside
    before it.
    """
    rows = view[0]
    n = rows.shape[0]
    size, extra = divmod(n, count)  # bands of `size` or `size + 1` rows
    length = lo + size + 1 + hi
    inner = rows.shape[1]
    src_buffer = take((length, inner), rows.dtype, rows)
    dst_buffer = take((length, inner), rows.dtype, rows)
    head = None
    if wrap and hi:
        head = take((hi, inner), rows.dtype, rows)
        head[...] = rows[:hi]
    start = 0
    for k in range(count):
        stop = start + size + (k < extra)
        if wrap:
            top, bottom = lo, hi
            if start == 0 and lo:
                src_buffer[:lo] = rows[n - lo :]
        else:
            top, bottom = min(lo, start), min(hi, n - stop)
        src = src_buffer[: top + stop - start + bottom]
        # src[:top] already holds rows [start - top, start) as they were before the band
        # above overwrote them (moved there below); the rest is not yet overwritten
        tail = min(stop + bottom, n)
        src[top : top + tail - start] = rows[start:tail]
        if tail - start < stop - start + bottom:  # wrap: the first rows, kept aside
            src[top + tail - start :] = head[: stop + bottom - tail]
        dst = dst_buffer[: len(src)]
        run(src[None], dst[None])
        if stop < n:  # the next band's rows above it, as they are now, before the copy
            keep = min(lo, stop)
            src_buffer[:keep] = src[top + stop - start - keep : top + stop - start]
        rows[start:stop] = dst[top : top + stop - start]
        start = stop


def c_contiguous(input, take):
    """``input``, or a C-contiguous copy of it in memory from ``take`` (a `Spares`
    loan). The line kernels run on any layout, but on a strided view Numba compiles
    them for unknown strides, without vector loops: about half as fast as on a copy."""
    if is_c_contiguous(input):
        return input
    copy = take(input.shape, as_numpy_dtype(input.dtype), input)
    assign(copy, input)
    return copy


# Below this many bytes NumPy's copy between layouts is as fast as the tiled kernel's
_TILED_BYTES = 1 << 18
_TILE = 32  # tiles of 32 x 32 elements (128 bytes across and more) ...
_TILE_BYTES = 128  # ... or, for 1- and 2-byte types, of 128 bytes across


def assign(dst, src):
    """``dst[...] = src``. Between NumPy arrays of one shape and dtype that are
    contiguous along different axes (a Fortran-ordered or transposed array and a
    C-ordered one), the copy runs in tiles, in parallel (`copy_tiles`): NumPy's reads one
    of the two a row apart at every element, 4 to 8 times slower on 2 cores."""
    if not _copy_in_tiles(dst, src):
        dst[...] = src


def _inner_axis(array):
    """The axis along which ``array``'s elements lie closest (axes of length 1 aside)."""
    return min(
        (abs(stride), axis)
        for axis, (stride, n) in enumerate(zip(array.strides, array.shape, strict=True))
        if n > 1
    )[1]


def _copy_in_tiles(dst, src):
    """`assign` through `copy_tiles` where it is faster; False where it does not apply."""
    if not (
        type(dst) is np.ndarray
        and type(src) is np.ndarray
        and dst.dtype == src.dtype
        and dst.shape == src.shape
        and dst.ndim >= 2
        and dst.nbytes >= _TILED_BYTES
        and dst.flags.writeable
        and dst.dtype.isnative
        and dst.dtype.kind in "biufc"
    ):
        return False
    along_dst, along_src = _inner_axis(dst), _inner_axis(src)
    if along_dst == along_src or np.may_share_memory(dst, src):
        return False
    order = [ax for ax in range(dst.ndim) if ax not in (along_src, along_dst)]
    order += [along_src, along_dst]
    dst, src = kernel_view(dst.transpose(order)), kernel_view(src.transpose(order))
    while dst.ndim < 4:
        dst, src = dst[None], src[None]
    tile = _TILE_BYTES // dst.itemsize if dst.itemsize < 4 else _TILE
    tiles = -(-dst.shape[-2] // tile) * -(-dst.shape[-1] // tile)
    for plane in np.ndindex(*dst.shape[:-4]):  # more than four axes: a launch each
        d, s = dst[plane], src[plane]
        count = d.shape[0] * d.shape[1] * tiles
        _layout.copy_tiles(s, d, tile, ndrange=count, cost=tile * tile)
    return True


_kernels = Kept(256)  # Gaussian kernels


def gaussian_kernel1d(sigma, order, radius):
    """`_gaussian_kernel1d`, kept for repeated calls (a read-only array).

    A GPU call would otherwise wait on this NumPy work every time. The key has the
    arguments' types, so that a float and a NumPy float fail or round alike.
    """
    key = (type(sigma), sigma, type(order), order, type(radius), radius)
    try:
        found = _kernels.get(key)
    except TypeError:  # unhashable arguments: computed (and refused) as they are
        return _gaussian_kernel1d(sigma, order, radius)
    if found is None:
        found = _gaussian_kernel1d(sigma, order, radius)
        found.setflags(write=False)
        _kernels.put(key, found)
    return found


def _gaussian_kernel1d(sigma, order, radius):
    """The Gaussian (``order`` 0) or its ``order``-th derivative on ``-radius..radius``.

    The same values as SciPy's private ``_gaussian_kernel1d``, to the last bit, in
    convolution orientation (reverse it to correlate): the same NumPy operations on the
    same types (a NumPy float32 ``sigma`` stays one). The derivative of ``exp(p(x))`` is
    ``q(x) exp(p(x))`` for a polynomial ``q``; each derivative maps the coefficients of
    ``q`` to those of ``q' + q * p'`` (``p' = -x / sigma**2``) by one matrix product, and
    ``q`` is evaluated by a product with the powers of ``x``.
    """
    if order < 0:
        raise ValueError(f"order must be non-negative; got {order!r}")
    variance = sigma * sigma  # a Python float sigma of 0 raises ZeroDivisionError below
    x = np.arange(-radius, radius + 1)
    phi = np.exp(-0.5 / variance * x**2)
    phi = phi / phi.sum()
    if order == 0:
        return phi
    order = _shape_int(order)
    powers = np.arange(order + 1)
    # coefficients of q' (a shift up, times the power) plus q * p' (a shift down)
    step = np.diag(powers[1:], 1) + np.diag(np.ones(order) / -variance, -1)
    coef = np.zeros(order + 1)
    coef[0] = 1
    for _ in range(order):
        coef = step.dot(coef)
    return (x[:, None] ** powers).dot(coef) * phi


def uniform_weights(size):
    """Correlation weights of a uniform filter of ``size`` (float64, summing to 1)."""
    return np.full(operator.index(size), 1.0 / size)


# --- cval, footprints, ranks ---------------------------------------------------------


def real_cval(cval):
    """``cval`` as a float, as SciPy's C layer converts it (TypeError otherwise)."""
    return _c_double(cval)


def complex_cval(cval):
    """``cval`` for complex arithmetic: its real and imaginary parts, each as a float."""
    return complex(_c_double(np.real(cval)), _c_double(np.imag(cval)))


def _rank_style_footprint(size, footprint, axes, ndim):
    """Footprint of the rank and generic filters (``np.ones(size)`` when only a size)."""
    if footprint is None:
        if size is None:
            raise RuntimeError("no footprint or filter size provided; pass size or footprint")
        sizes = normalize_sequence(size, len(axes))
        footprint = np.ones(sizes, dtype=bool)
    else:
        footprint = np.asarray(footprint, dtype=bool)
    return expand_footprint(ndim, axes, footprint)


def _check_footprint_origins(footprint, origins, ndim, naxes):
    _check_full_shape(footprint.shape, ndim, naxes, "footprint", footprint.ndim)
    lengths = [n for n in footprint.shape if n > 0]
    for origin, length in zip(origins, lengths, strict=False):
        check_window_origin(origin, length)
    return origins[-1] if origins else None


def _window(footprint, origins, mode, weights=None):
    footprint = np.ascontiguousarray(footprint)
    count = int(np.count_nonzero(footprint))
    mask = None if count == footprint.size else footprint
    return Window(footprint.shape, _c_intp_sequence(origins), mode, mask, weights, count)


def rank_from(operation, value, count):
    """The 0-based rank a rank/median/percentile filter selects among ``count`` values.

    ``operation`` is 'rank' (``value`` may be negative, -1 is the largest), 'median'
    (``value`` ignored) or 'percentile' (``value`` in [-100, 100], negative counted from
    100). RuntimeError for a percentile out of range or a rank outside the footprint.
    """
    rank = value
    if operation == "median":
        rank = count // 2
    elif operation == "percentile":
        percentile = value
        if percentile < 0.0:
            percentile += 100.0
        if percentile < 0 or percentile > 100:
            raise RuntimeError(f"invalid percentile {value!r}; use a value in [-100, 100]")
        if percentile == 100.0:
            rank = count - 1
        else:
            rank = int(float(count) * percentile / 100.0)
    if rank < 0:
        if rank < -(2**63):  # SciPy adds a NumPy int64 count to the Python int
            raise OverflowError("Python int too large to convert to C long")
        rank += count
    if rank < 0 or rank >= count:
        raise RuntimeError(
            f"rank not within filter footprint size: rank {value!r} among {count} elements"
        )
    return rank


def _check_extra(function, extra_arguments, extra_keywords):
    if not isinstance(extra_arguments, tuple):
        raise RuntimeError(f"extra_arguments must be a tuple, not {type(extra_arguments).__name__}")
    if not isinstance(extra_keywords, dict):
        raise RuntimeError(
            f"extra_keywords must be a dictionary, not {type(extra_keywords).__name__}"
        )
    low_level = type(function).__name__ == "LowLevelCallable"  # scipy.LowLevelCallable
    if not callable(function) and not low_level:
        raise ValueError(f"invalid callable given: {function!r}")
    if isinstance(function, functools.partial):
        if function.args:
            raise TypeError(
                "generic filters compile `function`: a functools.partial is compiled only "
                "with keyword arguments (partial(f, k=v)), since its positional ones would "
                "come before the window; pass f and give them as extra_keywords"
            )
        extra_keywords = {**function.keywords, **extra_keywords}
        function = function.func
    return (function, extra_arguments, extra_keywords)


def check_compilable_signature(function):
    """Refuse, by name, a Python ``function`` whose parameters Numba cannot compile
    (``**kwargs``, keyword-only ones); SciPy calls such functions from Python."""
    py = getattr(function, "py_func", function)
    code = getattr(py, "__code__", None)
    if code is not None and (code.co_flags & 0x08 or code.co_kwonlyargcount):
        raise TypeError(
            f"generic filters compile `function` with Numba, which takes neither **kwargs "
            f"nor keyword-only parameters: give {py.__qualname__} plain parameters (with "
            "defaults where needed); extra_keywords fill them by name"
        )
