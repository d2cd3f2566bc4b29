"""Compiled code kept in memory and on disk.

Numba caches compiled code next to a function's source file, so every wrapper the engine
generates is written to a real file under the cache directory, named by a fingerprint of
the kernel's code, and imported from there: a second process finds both the file and
Numba's cache beside it and compiles nothing.

The cache can never fail a call: an unwritable directory or a corrupt file gives one
:class:`~jitdispatch.errors.CacheWarning` and the code is compiled in memory instead.
"""

import contextlib
import os
import sys
import threading
import types
import warnings

from . import _config
from .errors import CacheWarning

# Bump when the generated code changes shape, so old files are never reused.
CODEGEN_VERSION = "8"  # 7: parallel wrappers report exceptions raised in threads; 8: `parts`

_lock = threading.RLock()
_warned = set()
_state = {"dir": None, "checked": False}


def warn_once(key, message):
    with _lock:
        if key in _warned:
            return
        _warned.add(key)
    warnings.warn(message, CacheWarning, stacklevel=3)


def directory():
    """The usable cache directory, or None when caching on disk is off or impossible."""
    if _state["checked"]:
        return _state["dir"]
    with _lock:
        if _state["checked"]:
            return _state["dir"]
        path = None
        if not _config.cache_disabled():
            candidate = _config.cache_dir()
            try:
                import tempfile

                os.makedirs(os.path.join(candidate, "gen"), exist_ok=True)
                fd, probe = tempfile.mkstemp(dir=os.path.join(candidate, "gen"))
                os.close(fd)
                os.remove(probe)
                path = candidate
            except OSError as exc:
                warn_once(
                    "unwritable",
                    f"jitdispatch cannot use the cache directory {candidate!r} ({exc}); "
                    "compiled code is kept in memory only. Set JITDISPATCH_CACHE_DIR to a "
                    "writable directory to cache across processes.",
                )
        _state["dir"] = path
        _state["checked"] = True
        return path


def reset():
    """Forget the cache-directory decision (tests change the environment)."""
    with _lock:
        _state["checked"] = False
        _state["dir"] = None
        _warned.clear()
        _dtype_tables.clear()


def fingerprint(*parts):
    import hashlib

    h = hashlib.sha256()
    for part in (CODEGEN_VERSION, *parts):
        h.update(repr(part).encode())
        h.update(b"\0")
    return h.hexdigest()[:20]


def load_module(stem, source, inject):
    """Import generated ``source`` as a module with ``inject`` in its globals.

    Returns ``(module, on_disk)``; ``on_disk`` says whether Numba may cache beside it.
    """
    root = directory()
    if root is not None:
        import importlib.util

        path = os.path.join(root, "gen", stem + ".py")
        try:
            _write_if_changed(path, source)
            spec = importlib.util.spec_from_file_location(_module_name(stem), path)
            module = importlib.util.module_from_spec(spec)
            module.__dict__.update(inject)
            spec.loader.exec_module(module)
            # Numba's cache re-imports a function's module by name when it loads code.
            sys.modules[module.__name__] = module
            return module, True
        except (OSError, SyntaxError, ValueError) as exc:
            warn_once(
                ("gen", stem),
                f"jitdispatch could not use the cached wrapper {path!r} ({exc}); "
                "compiling it in memory instead.",
            )
    module = types.ModuleType(_module_name(stem))
    module.__dict__.update(inject)
    exec(compile(source, f"<jitdispatch {stem}>", "exec"), module.__dict__)
    sys.modules[module.__name__] = module
    return module, False


def _module_name(stem):
    return "_jitdispatch_gen_" + stem


def _write_if_changed(path, source):
    import tempfile

    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == source:
                return
    except (OSError, UnicodeDecodeError):
        pass
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(source)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def guard(dispatcher):
    """Make a Numba dispatcher's disk cache unable to fail a call.

    A load that raises (a corrupt index or data file) warns once, removes the bad index
    and compiles; a save that raises warns once and keeps the code in memory.
    """
    cache = getattr(dispatcher, "_cache", None)
    if cache is None or getattr(cache, "_jd_guarded", False):
        return dispatcher
    load, save = cache.load_overload, cache.save_overload

    def load_overload(sig, target_context):
        try:
            return load(sig, target_context)
        except Exception as exc:
            index = getattr(getattr(cache, "_cache_file", None), "_index_path", None)
            warn_once(
                ("load", index),
                f"jitdispatch ignored a corrupt cache entry {index!r} ({type(exc).__name__}: "
                f"{exc}); compiling instead.",
            )
            if index:
                with contextlib.suppress(OSError):
                    os.remove(index)
            return None

    def save_overload(sig, data):
        library = getattr(data, "library", None)
        if getattr(library, "has_dynamic_globals", False):
            # Code holding raw pointers (a LowLevelCallable's C function) is valid in
            # this process only: keep it in memory, as designed, without a warning.
            return None
        try:
            return save(sig, data)
        except Exception as exc:
            warn_once(
                ("save", id(cache)),
                f"jitdispatch could not write compiled code to the disk cache "
                f"({type(exc).__name__}: {exc}); it is kept in memory for this process.",
            )

    cache.load_overload = load_overload
    cache.save_overload = save_overload
    cache._jd_guarded = True
    return dispatcher


def is_cached_on_disk(dispatcher, argtypes):
    """Whether Numba's disk cache holds code for ``argtypes`` (best effort, never raises)."""
    cache = getattr(dispatcher, "_cache", None)
    try:
        impl = cache._cache_file
        index = impl._load_index()
        return any(key[0] == argtypes or key[0][0] == argtypes for key in index)
    except Exception:
        return False


# Result dtypes of elementwise functions, per fingerprint, kept beside the wrappers so a
# second process need not compile just to learn a result type.
_dtype_tables = {}


def dtype_table(key):
    with _lock:
        table = _dtype_tables.get(key)
        if table is not None:
            return table
        table = {}
        root = directory()
        if root is not None:
            import json

            try:
                with open(os.path.join(root, "gen", key + ".dtypes.json"), encoding="utf-8") as f:
                    table = {k: v for k, v in json.load(f).items() if isinstance(v, str)}
            except (OSError, ValueError, AttributeError):
                table = {}
        _dtype_tables[key] = table
        return table


def remember_dtype(key, types_key, dtype_str):
    with _lock:
        table = dtype_table(key)
        table[types_key] = dtype_str
        root = directory()
        if root is None:
            return
        import json

        path = os.path.join(root, "gen", key + ".dtypes.json")
        try:
            _write_if_changed(path, json.dumps(table, sort_keys=True))
        except OSError as exc:
            warn_once(("dtypes", key), f"jitdispatch could not write {path!r} ({exc}).")


def disk_usage():
    """(number of files, bytes) under the cache directory."""
    root = directory() or _config.cache_dir()
    count = size = 0
    for base, _dirs, files in os.walk(root):
        for name in files:
            try:
                size += os.path.getsize(os.path.join(base, name))
                count += 1
            except OSError:
                pass
    return count, size
