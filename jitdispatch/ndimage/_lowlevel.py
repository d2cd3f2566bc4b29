"""``scipy.LowLevelCallable`` for generic_filter / generic_filter1d, on the CPU.

The callable's C function is called from the compiled kernel through a ctypes function
pointer, with SciPy's calling convention:

* generic_filter:   ``int f(double *window, npy_intp n, double *result, void *user_data)``
* generic_filter1d: ``int f(double *in, npy_intp n_in, double *out, npy_intp n_out,
  void *user_data)``

A return value of 0 means failure and raises RuntimeError, as in SciPy.
"""

import ctypes
import re

import numpy as np

import jitdispatch as jd

# npy_intp and intptr_t are spelled in several ways in signatures (ctypes says "long").
_INTP = r"(?:npy_intp|intptr_t|ssize_t|Py_ssize_t|long|long long)"
_SIGNATURES = {
    "window": re.compile(rf"^int \(double \*, {_INTP}, double \*, void \*\)$"),
    "line": re.compile(rf"^int \(double \*, {_INTP}, double \*, {_INTP}, void \*\)$"),
}
_cache = {}


def is_low_level_callable(obj):
    t = type(obj)
    return t.__name__ == "LowLevelCallable" and t.__module__.startswith("scipy")


def require_host(input, who):
    """LowLevelCallables are host code: refuse device arrays (``jd.patch`` then falls
    back to SciPy, which cannot take them either)."""
    from .._arrays import describe

    info = describe(input)
    if info is not None and info != "sequence" and info.device != "cpu":
        raise jd.UnsupportedArgumentError(
            f"{who}: a scipy.LowLevelCallable is CPU code and cannot run on "
            f"{info.where()}; pass a Python function, which is compiled for the GPU"
        )


def check_signature(llc, kind):
    """ValueError, as SciPy, for a signature the filter cannot call."""
    if not _SIGNATURES[kind].match(llc.signature or ""):
        raise ValueError(f"Invalid scipy.LowLevelCallable signature {llc.signature!r}")


def _address(obj):
    if obj is None:
        return 0
    if isinstance(obj, int):
        return obj
    if type(obj).__name__ == "PyCapsule":
        get_name = ctypes.pythonapi.PyCapsule_GetName
        get_name.restype, get_name.argtypes = ctypes.c_char_p, [ctypes.py_object]
        get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
        get_pointer.restype = ctypes.c_void_p
        get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
        return get_pointer(obj, get_name(obj)) or 0
    if hasattr(obj, "value"):  # ctypes.c_void_p
        return obj.value or 0
    return ctypes.cast(obj, ctypes.c_void_p).value or 0


def function(llc, kind):
    """A ``jd.func`` calling ``llc`` with the window (``kind='window'``) or the lines."""
    key = (id(llc), kind)
    found = _cache.get(key)
    if found is not None and found[0] is llc:
        return found[1]
    check_signature(llc, kind)
    pointer, user_data = _address(llc.function), _address(llc.user_data)
    ssize = ctypes.c_ssize_t
    if kind == "window":
        proto = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ssize, ctypes.c_void_p, ssize)
        c_function = proto(pointer)

        def low_level_window(window):
            result = np.empty(1)
            if c_function(window.ctypes, window.shape[0], result.ctypes, user_data) == 0:
                raise RuntimeError("the LowLevelCallable reported an error")
            return result[0]

        made = jd.func(low_level_window)
    else:
        proto = ctypes.CFUNCTYPE(
            ctypes.c_int, ctypes.c_void_p, ssize, ctypes.c_void_p, ssize, ssize
        )
        c_function = proto(pointer)

        def low_level_line(line_in, line_out):
            status = c_function(
                line_in.ctypes, line_in.shape[0], line_out.ctypes, line_out.shape[0], user_data
            )
            if status == 0:
                raise RuntimeError("the LowLevelCallable reported an error")

        made = jd.func(low_level_line)
    _cache[key] = (llc, made, c_function)
    return made
