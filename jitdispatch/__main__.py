"""``python -m jitdispatch info | demo | support``."""

import argparse
import platform
import sys


def info():
    """Versions, CUDA availability and devices, cache directory and size, threading layer."""
    import numba
    import numpy

    import jitdispatch
    from jitdispatch import _cache, _config
    from jitdispatch._targets import cpu

    rows = [
        ("jitdispatch", jitdispatch.__version__),
        ("python", platform.python_version()),
        ("numpy", numpy.__version__),
        ("numba", numba.__version__),
    ]
    for name in ("numba_cuda", "cupy", "torch", "dask", "scipy"):
        try:
            module = __import__(name)
            rows.append((name, getattr(module, "__version__", "installed")))
        except Exception:
            rows.append((name, "not installed"))
    rows.append(("cuda", _cuda_summary()))
    directory = _cache.directory()
    count, size = _cache.disk_usage()
    rows.append(("cache directory", directory or f"{_config.cache_dir()} (not usable: in memory)"))
    rows.append(("cache size", f"{count} files, {size / 2**20:.1f} MiB"))
    rows.append(("threading layer", cpu.threading_layer()))
    rows.append(("cpu threads", str(numba.config.NUMBA_NUM_THREADS)))
    rows.append(("parallel threshold", f"{_config.PARALLEL_THRESHOLD} indices"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


def _cuda_summary():
    try:
        from numba import cuda
    except ImportError:
        return "numba-cuda not installed (pip install 'jitdispatch[cuda13]')"
    if not hasattr(cuda, "is_available"):
        return "numba-cuda not installed (pip install 'jitdispatch[cuda13]')"
    import numba

    if numba.config.ENABLE_CUDASIM:
        return "simulator (NUMBA_ENABLE_CUDASIM=1)"
    if not cuda.is_available():
        return "no usable driver or GPU (kernels still compile to PTX)"
    names = []
    for dev in cuda.gpus:
        name = dev.name.decode() if isinstance(dev.name, bytes) else dev.name
        names.append(
            f"cuda:{dev.id} {name} cc {dev.compute_capability[0]}.{dev.compute_capability[1]}"
        )
    return "; ".join(names)


def support():
    """The support matrix: every public function x array type x backend."""
    import jitdispatch.ndimage  # noqa: F401  (registers its functions)
    from jitdispatch import _registry

    print(_registry.matrix_text())
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m jitdispatch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="versions, CUDA devices, cache and threading layer")
    sub.add_parser("support", help="what each function supports: array types x backends")
    demo = sub.add_parser("demo", help="run the demo kernels on every available target")
    demo.add_argument("--cudasim", action="store_true", help="also run under the CUDA simulator")
    demo.add_argument("--size", type=int, default=512, help="edge of the 2-d demo arrays")
    args = parser.parse_args(argv)
    if args.command == "info":
        return info()
    if args.command == "support":
        return support()
    from jitdispatch import _demo

    return _demo.main(cudasim=args.cudasim, size=args.size)


if __name__ == "__main__":
    sys.exit(main())
