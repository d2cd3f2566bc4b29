"""The main job: real kernels and SciPy-like calls on every available target.

Each row runs one written-once kernel or function on one target and compares the result
with the reference (NumPy for the engine's kernels, SciPy for jitdispatch.ndimage).
"""

import os
import subprocess
import sys
import time

import numpy as np


def _timed(fn, sync=lambda: None, repeat=5):
    fn()  # compile (or load from the disk cache) and warm up
    sync()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        sync()
        best = min(best, time.perf_counter() - t0)
    return best


def _cases(xp, n):
    """(name, run, reference) for the shipped demo kernels, arrays made by ``xp``."""
    from jitdispatch.kernels import demo

    rng = np.random.default_rng(0)
    x_h, y_h = rng.random(n * n), rng.random(n * n)
    img_h = rng.random((n, n))
    cr_h, ci_h = np.meshgrid(np.linspace(-2, 1, n), np.linspace(-1.5, 1.5, n))
    x, y, img, cr, ci = (xp.asarray(a) for a in (x_h, y_h, img_h, cr_h, ci_h))
    out = xp.empty_like(x)
    lap = xp.empty_like(img)

    def lap_ref():
        p = np.pad(img_h, 1, mode="edge")
        return p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4 * img_h

    def mandel_ref():
        return np.vectorize(demo.mandelbrot.py_func)(cr_h, ci_h)

    return [
        (
            "saxpy (kernel)",
            (n * n,),
            lambda: demo.saxpy(2.0, x, y, out, ndrange=(n * n,)) or out,
            lambda: 2.0 * x_h + y_h,
        ),
        ("hypot (elementwise)", (n * n,), lambda: demo.hypot(x, y), lambda: np.hypot(x_h, y_h)),
        (
            "laplace5 (kernel+func)",
            (n, n),
            lambda: demo.laplace5(img, lap, ndrange=(n, n)) or lap,
            lap_ref,
        ),
        ("mandelbrot (elementwise)", (n, n), lambda: demo.mandelbrot(cr, ci), mandel_ref),
    ]


def _ndimage_cases(xp, n):
    """SciPy-like calls, when jitdispatch.ndimage provides them."""
    try:
        import scipy.ndimage as sndi

        import jitdispatch.ndimage as jndi
    except ImportError:
        return []
    rng = np.random.default_rng(1)
    img_h = rng.random((n, n)).astype(np.float32)
    img = xp.asarray(img_h)
    wanted = [
        ("gaussian_filter", lambda f, a: f(a, 2.0)),
        ("uniform_filter", lambda f, a: f(a, 5, mode="wrap")),
        ("sobel", lambda f, a: f(a, axis=0)),
        ("median_filter", lambda f, a: f(a, size=3, mode="mirror")),
        ("maximum_filter", lambda f, a: f(a, size=(3, 7))),
    ]
    cases = []
    for name, call in wanted:
        if not hasattr(jndi, name):
            continue
        ours, ref = getattr(jndi, name), getattr(sndi, name)
        cases.append(
            (
                f"ndimage.{name}",
                (n, n),
                (lambda o=ours, c=call: c(o, img)),
                (lambda r=ref, c=call: c(r, img_h)),
            )
        )
    return cases


def _to_host(a):
    if hasattr(a, "get"):
        return a.get()
    if hasattr(a, "cpu"):
        return a.cpu().numpy()
    return np.asarray(a)


def _max_error(got, want):
    got, want = _to_host(got).astype(np.float64), np.asarray(want, dtype=np.float64)
    scale = max(1.0, float(np.max(np.abs(want))) if want.size else 1.0)
    return float(np.max(np.abs(got - want))) / scale if want.size else 0.0


def run_target(label, xp, n, sync=lambda: None):
    rows = []
    for name, shape, run, ref in _cases(xp, n) + _ndimage_cases(xp, n):
        seconds = _timed(run, sync)
        err = _max_error(run(), ref())
        rows.append((name, label, "x".join(map(str, shape)), seconds, err))
    return rows


def _gpu_available():
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def main(cudasim=False, size=512):
    rows = run_target("cpu", np, size)
    if _gpu_available():
        import cupy

        rows += run_target("cuda (cupy)", cupy, size, cupy.cuda.get_current_stream().synchronize)
    if cudasim:
        rows += _simulator_rows()
    _print(rows)
    worst = max(r[4] for r in rows)
    ok = worst < 1e-5
    print(f"\nmax relative error {worst:.2e}: {'OK' if ok else 'MISMATCH'}")
    if not _gpu_available():
        print("cuda: no GPU here (run `python -m jitdispatch demo --cudasim` for the simulator)")
    return 0 if ok else 1


def _simulator_rows():
    """Run the demo kernels under NUMBA_ENABLE_CUDASIM=1 in a child process (tiny shapes)."""
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    code = (
        "import json, jitdispatch._demo as d\nrows = d.run_simulated(8)\nprint(json.dumps(rows))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    import json

    return [tuple(r) for r in json.loads(out.stdout.strip().splitlines()[-1])]


def run_simulated(n):
    """Demo kernels forced onto the CUDA simulator (host arrays are device memory there)."""
    from jitdispatch.kernels import demo

    rng = np.random.default_rng(0)
    x, y = rng.random(n * n), rng.random(n * n)
    out = np.empty_like(x)
    rows = []
    t0 = time.perf_counter()
    demo.saxpy(2.0, x, y, out, ndrange=(n * n,), target="cuda")
    rows.append(
        (
            "saxpy (kernel)",
            "cudasim",
            f"{n * n}",
            time.perf_counter() - t0,
            _max_error(out, 2.0 * x + y),
        )
    )
    t0 = time.perf_counter()
    h = demo.hypot(x, y, target="cuda")
    rows.append(
        (
            "hypot (elementwise)",
            "cudasim",
            f"{n * n}",
            time.perf_counter() - t0,
            _max_error(h, np.hypot(x, y)),
        )
    )
    return rows


def _print(rows):
    head = ("kernel / function", "target", "shape", "time", "max rel. error")
    table = [head] + [(a, b, c, f"{t * 1e3:.3f} ms", f"{e:.1e}") for a, b, c, t, e in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for k, r in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)))
        if k == 0:
            print("  ".join("-" * w for w in widths))
