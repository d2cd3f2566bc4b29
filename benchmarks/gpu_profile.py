"""Where a filter's GPU time goes: every kernel and copy one call queues, with its time.

Run on a machine with a GPU (``python benchmarks/gpu_profile.py [--plain] [NAME ...]``),
after ``make gpu-check`` has shown which filters to look at. For each filter of the
benchmarks (or each NAME) on a 2048x2048 float32 CuPy array, and for the separable ones
(every NAME given) on an 8192x8192 one, one call of jitdispatch and one of
``cupyx.scipy.ndimage`` are recorded by torch's profiler (CUPTI sees the kernels of every
library in the process), and each activity is printed with its duration in
microseconds. ``--plain`` only makes the same calls, for Nsight Compute (which cannot
share CUPTI with torch's profiler). A call of ours that queues more than its kernels
(copies of parameters, conversions, temporaries) shows here; so does a kernel slower than
cupyx's.
"""

import os
import sys
from collections import defaultdict


def _activities(prof):
    """``[(name, microseconds)]`` of the GPU activities ``prof`` recorded, in order."""
    found = []
    for event in prof.events():
        if str(getattr(event, "device_type", "")).endswith("CUDA"):
            name = event.name
            if len(name) > 60:  # mangled numba names: keep the function's part
                for part in ("_jitdispatch_gen_", "cupy_", "cupyx_"):
                    if part in name:
                        name = name[name.index(part) :]
                name = name[:60]
            found.append((name, event.time_range.elapsed_us()))
    return found


def profile_call(fn, sync):
    from torch.profiler import ProfilerActivity, profile

    fn()  # compiled, allocated and cached before the recording
    sync()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        fn()
        sync()
    return _activities(prof)


def _summary(found):
    total = defaultdict(float)
    for name, us in found:
        total[name] += us
    return sum(total.values()), sorted(total.items(), key=lambda item: -item[1])


def main(names, plain=False):
    import cupy
    import cupyx.scipy.ndimage as cndi

    import jitdispatch.ndimage as jndi

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "benchmarks"))
    from bench_ndimage import CALLS
    from gpu_check import SEPARABLE, _Cupyx

    sync = cupy.cuda.get_current_stream().synchronize
    ref = _Cupyx(cupy, cndi)
    shapes = {"2048^2": (2048, 2048), "8192^2": (8192, 8192)}
    if plain:  # the two sizes of the GPU check
        shapes = {"2048^2": (2048, 2048), "8192^2": (8192, 8192)}
    for label, shape in shapes.items():
        img = cupy.random.default_rng(0).random(shape, dtype=cupy.float32)
        for name, call in sorted(CALLS.items()):
            if names and name not in names:
                continue
            if name in ("vectorized_filter", "generic_filter", "generic_filter1d"):
                continue
            if label == "8192^2" and name not in SEPARABLE and not names:
                continue
            if plain:  # under Nsight Compute, which cannot share CUPTI with torch
                call(jndi, img)
                call(ref, img)
                sync()
                continue
            try:
                ours = _summary(profile_call(lambda c=call, x=img: c(jndi, x), sync))
                theirs = _summary(profile_call(lambda c=call, x=img: c(ref, x), sync))
            except Exception as exc:  # a diagnostic: report and go on
                print(f"{name} {label}: {type(exc).__name__}: {str(exc)[:200]}")
                continue
            print(f"{name} {label}: jd {ours[0]:.1f} us, cupyx {theirs[0]:.1f} us")
            for who, (_, parts) in (("  jd   ", ours), ("  cupyx", theirs)):
                for part, us in parts:
                    print(f"{who} {us:8.1f}  {part}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main([a for a in args if a != "--plain"], plain="--plain" in args)
