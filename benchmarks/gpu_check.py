"""GPU check: launch overhead and throughput against CuPy on the same arrays.

Run by ``make gpu-check`` before the gpu test lane; prints a short table last.
"""

import time

import numpy as np


def best_of(fn, sync, repeat=20):
    fn()
    sync()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        sync()
        best = min(best, time.perf_counter() - t0)
    return best


_SPIN = []


def device_time(fn, repeat=3):
    """Time of ``fn``'s kernels on the GPU alone, without the host's launch overhead.

    A one-thread kernel first keeps the stream busy for about 25 ms while ``fn`` queues
    its work behind it; events around that work then time only its execution.
    """
    import cupy

    if not _SPIN:
        _SPIN.append(
            cupy.RawKernel(
                r"""extern "C" __global__ void spin(long long cycles) {
                    long long t0 = clock64();
                    while (clock64() - t0 < cycles) { }
                }""",
                "spin",
            )
        )
    best = float("inf")
    for _ in range(repeat):
        start, end = cupy.cuda.Event(), cupy.cuda.Event()
        _SPIN[0]((1,), (1,), (np.int64(50_000_000),))
        start.record()
        fn()
        end.record()
        end.synchronize()
        best = min(best, cupy.cuda.get_elapsed_time(start, end) / 1e3)
    return best


GPU_TIMES = {}  # row label -> (jitdispatch, reference) device-only times


def main():
    import cupy
    from jitdispatch.kernels import demo

    import jitdispatch as jd

    sync = cupy.cuda.get_current_stream().synchronize
    rows = []
    small = cupy.ones(16)
    rows.append(
        (
            "elementwise launch, 16 elements",
            best_of(lambda: demo.hypot(small, small), sync),
            best_of(lambda: cupy.hypot(small, small), sync),
            "cupy.hypot",
        )
    )
    out16 = cupy.empty(16)
    rows.append(
        (
            "kernel launch, 16 elements",
            best_of(lambda: demo.saxpy(2.0, small, small, out16, ndrange=16), sync),
            best_of(lambda: cupy.multiply(small, 2.0, out=out16), sync),
            "cupy.multiply",
        )
    )
    big = cupy.random.random(1 << 26)
    out = cupy.empty_like(big)
    rows.append(
        (
            "saxpy 2**26 float64",
            best_of(lambda: demo.saxpy(2.0, big, big, out, ndrange=big.size), sync),
            best_of(lambda: cupy.add(2.0 * big, big, out=out), sync),
            "cupy 2*x+y",
        )
    )
    rows.append(
        (
            "hypot 2**26 float64",
            best_of(lambda: demo.hypot(big, big), sync),
            best_of(lambda: cupy.hypot(big, big), sync),
            "cupy.hypot",
        )
    )
    filters = ndimage_rows(cupy, sync)
    rows += filters
    rows += bandwidth_rows(cupy, sync)
    print()
    print("wall: host call to finished result; gpu: kernels alone, queue pre-filled (us)")
    print(
        f"{'case':56s} {'jd wall':>9s} {'ref wall':>9s} {'ratio':>6s} "
        f"{'jd gpu':>8s} {'ref gpu':>8s} {'ratio':>6s}  reference"
    )
    for name, ours, ref, what in rows:
        gpu = ""
        if name in GPU_TIMES:
            g_ours, g_ref = GPU_TIMES[name]
            gpu = f"{g_ours * 1e6:8.1f} {g_ref * 1e6:8.1f} {g_ours / g_ref:6.2f}"
        else:
            gpu = f"{'-':>8s} {'-':>8s} {'-':>6s}"
        if ref is None:
            print(f"{name:56s} {ours * 1e6:9.1f} {'-':>9s} {'-':>6s} {gpu}  {what}")
            continue
        print(f"{name:56s} {ours * 1e6:9.1f} {ref * 1e6:9.1f} {ours / ref:6.2f} {gpu}  {what}")
    ratios = [ours / ref for _, ours, ref, what in filters if what == "cupyx.scipy.ndimage"]
    if ratios:
        print(
            f"filters 2048^2 f32 against cupyx: median ratio {np.median(ratios):.2f}, "
            f"{sum(r <= 1.0 for r in ratios)}/{len(ratios)} at or below cupyx's time"
        )
    del jd


class _Cupyx:
    """cupyx.scipy.ndimage taking the same (NumPy) parameter arrays as the benchmarks pass."""

    def __init__(self, cupy, module):
        self.cupy, self.module = cupy, module

    def __getattr__(self, name):
        fn = getattr(self.module, name)
        conv = self._conv

        def call(*args, **kwargs):
            return fn(*map(conv, args), **{k: conv(v) for k, v in kwargs.items()})

        return call

    def _conv(self, v):
        if isinstance(v, (np.ndarray, list)):
            return self.cupy.asarray(v)
        return v


def ndimage_rows(cupy, sync):
    """Every filter on a 2048x2048 float32 CuPy array: time vs cupyx, max error vs SciPy."""
    import os
    import sys

    try:
        import cupyx.scipy.ndimage as cndi
        import scipy.ndimage as sndi

        import jitdispatch.ndimage as jndi
    except ImportError as exc:
        print(f"ndimage rows skipped: {exc}")
        return []
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "benchmarks"))
    from bench_ndimage import CALLS

    host = np.random.default_rng(0).random((2048, 2048), dtype=np.float32)
    img = cupy.asarray(host)
    ref = _Cupyx(cupy, cndi)
    rows = []
    copy = best_of(lambda: img.copy(), sync)
    rows.append(("device-to-device copy 2048^2 f32", copy, copy, "itself"))
    for name, call in sorted(CALLS.items()):
        if name == "vectorized_filter":
            continue  # not in cupyx; it runs the user's vectorised CuPy code anyway
        try:
            ours = best_of(lambda c=call: c(jndi, img), sync, repeat=5)
            got = call(jndi, img)
            if name in ("generic_filter", "generic_filter1d"):
                small = host[:256, :256]
                err = float(
                    np.max(np.abs(call(jndi, cupy.asarray(small)).get() - call(sndi, small)))
                )
                theirs, what = None, "SciPy (cupyx takes no Python functions)"
            else:
                want_host = call(sndi, host)
                err = float(np.max(np.abs(got.get() - want_host)))
                theirs = best_of(lambda c=call: c(ref, img), sync, repeat=5)
                what = "cupyx.scipy.ndimage"
                gpu = (
                    device_time(lambda c=call: c(jndi, img)),
                    device_time(lambda c=call: c(ref, img)),
                )
        except Exception as exc:  # report and go on: this is a check, not a test
            print(f"{name}: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        label = f"{name} (err {err:.0e})"
        if name in SEPARABLE:
            label += f" {100 * SEPARABLE[name] * copy / ours:.0f}% of copy bw"
        if theirs is not None:
            GPU_TIMES[label] = gpu
        rows.append((label, ours, theirs, what))
    return rows


# Separable filters and how many passes over the array each makes on a 2-d input.
SEPARABLE = {
    "gaussian_filter": 2,
    "uniform_filter": 2,
    "gaussian_filter1d": 1,
    "uniform_filter1d": 1,
    "correlate1d": 1,
    "convolve1d": 1,
}


def bandwidth_rows(cupy, sync):
    """Separable filters on an 8192x8192 float32 array (256 MiB, far beyond L2).

    A pass reads and writes the array once, like a copy, so a filter making ``p`` passes
    in time ``t`` moves memory at ``p * copy / t`` of the copy's bandwidth.
    """
    try:
        import cupyx.scipy.ndimage as cndi

        import jitdispatch.ndimage as jndi
    except ImportError:
        return []
    import os
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "benchmarks"))
    from bench_ndimage import CALLS

    img = cupy.random.default_rng(0).random((8192, 8192), dtype=cupy.float32)
    copy = best_of(lambda: img.copy(), sync)
    rows = [("device-to-device copy 8192^2 f32", copy, copy, "itself")]
    ref = _Cupyx(cupy, cndi)
    for name, passes in SEPARABLE.items():
        call = CALLS[name]
        try:
            ours = best_of(lambda c=call: c(jndi, img), sync, repeat=5)
            theirs = best_of(lambda c=call: c(ref, img), sync, repeat=5)
            gpu = (
                device_time(lambda c=call: c(jndi, img)),
                device_time(lambda c=call: c(ref, img)),
            )
        except Exception as exc:  # report and go on: this is a check, not a test
            print(f"{name} 8192^2: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        label = f"{name} 8192^2 f32: {100 * passes * copy / ours:.0f}% of copy bw"
        GPU_TIMES[label] = gpu
        rows.append((label, ours, theirs, "cupyx.scipy.ndimage"))
    return rows


def profile_launches():
    """Where the time of a small launch goes (printed for follow-up work)."""
    import cProfile
    import pstats

    import cupy
    from jitdispatch.kernels import demo

    import jitdispatch.ndimage as jndi

    small = cupy.ones(16)
    img = cupy.ones((2048, 2048), dtype=cupy.float32)
    weights = np.arange(1.0, 10.0).reshape(3, 3) / 45.0
    demo.hypot(small, small)
    jndi.correlate(img, weights)
    jndi.median_filter(img, size=3)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(200):
        demo.hypot(small, small)
    for _ in range(50):
        jndi.correlate(img, weights)
        jndi.median_filter(img, size=3)
    cupy.cuda.get_current_stream().synchronize()
    prof.disable()
    print("\nprofile: 200 elementwise launches + 50 correlate and median calls on 2048^2")
    stats = pstats.Stats(prof)
    stats.sort_stats("tottime").print_stats(14)
    stats.sort_stats("cumulative").print_stats(24)


if __name__ == "__main__":
    profile_launches()
    main()
