"""GPU check: launch overhead and throughput against CuPy on the same arrays.

Run by ``make gpu-check`` after the gpu test lane; prints a short table last.
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
    rows += ndimage_rows(cupy, sync)
    print()
    print(f"{'case':44s} {'jitdispatch':>12s} {'reference':>12s} {'ratio':>7s}  reference")
    for name, ours, ref, what in rows:
        print(f"{name:44s} {ours * 1e6:10.1f}us {ref * 1e6:10.1f}us {ours / ref:7.2f}  {what}")
    del jd


def ndimage_rows(cupy, sync):
    try:
        import cupyx.scipy.ndimage as cndi

        import jitdispatch.ndimage as jndi
    except ImportError:
        return []
    img = cupy.asarray(np.random.default_rng(0).random((2048, 2048), dtype=np.float32))
    cases = [
        ("gaussian_filter", lambda m: m.gaussian_filter(img, 2.0)),
        ("uniform_filter", lambda m: m.uniform_filter(img, 5)),
        ("sobel", lambda m: m.sobel(img)),
        ("correlate 5x5", lambda m: m.correlate(img, cupy.ones((5, 5), cupy.float32))),
        ("median_filter 3x3", lambda m: m.median_filter(img, size=3)),
        ("maximum_filter 7x7", lambda m: m.maximum_filter(img, size=7)),
    ]
    rows = []
    for name, call in cases:
        if not hasattr(jndi, name.split()[0]):
            continue
        try:
            got, want = call(jndi), call(cndi)
            err = float(cupy.max(cupy.abs(got - want)).get())
            rows.append(
                (
                    f"{name} 2048^2 f32 (err {err:.1e})",
                    best_of(lambda c=call: c(jndi), sync),
                    best_of(lambda c=call: c(cndi), sync),
                    "cupyx.scipy.ndimage",
                )
            )
        except Exception as exc:  # report, keep going: this is a check, not a test
            print(f"{name}: {type(exc).__name__}: {exc}")
    return rows


if __name__ == "__main__":
    main()
