"""Print jitdispatch-vs-reference ratios from the latest asv results of this machine."""

import glob
import json
import os


def latest_results():
    files = [f for f in glob.glob("../.asv/results/*/*.json") if not f.endswith("machine.json")]
    if not files:
        raise SystemExit("no asv results yet: run `make bench`")
    with open(max(files, key=os.path.getmtime)) as f:
        return json.load(f)


def value(entry):
    result = entry[0] if isinstance(entry, list) else entry
    if isinstance(result, list):
        result = result[0]
    return result


def main():
    data = latest_results()
    results = data["results"]
    pairs = [
        (
            "bench_engine.Overhead.time_elementwise_jitdispatch",
            "bench_engine.Overhead.time_elementwise_njit",
        ),
        ("bench_engine.Overhead.time_kernel_jitdispatch", "bench_engine.Overhead.time_kernel_njit"),
        (
            "bench_engine.CompileCost.time_compile_jitdispatch",
            "bench_engine.CompileCost.time_compile_njit",
        ),
    ]
    print(f"{'benchmark':60s} {'ours':>10s} {'reference':>10s} {'diff':>10s} {'ratio':>6s}")
    for ours, ref in pairs:
        if ours in results and ref in results:
            a, b = value(results[ours]), value(results[ref])
            if a is None or b is None:
                continue
            print(
                f"{ours.split('.', 1)[1]:60s} {a * 1e6:8.3f}us {b * 1e6:8.3f}us "
                f"{(a - b) * 1e6:8.3f}us {a / b:6.2f}"
            )
    for name in sorted(results):
        if ".track_" in name:
            print(f"{name.split('.', 1)[1]:60s} {value(results[name]):.4f} s")
    ndimage = sorted(n for n in results if n.startswith("bench_ndimage") and ".time_" in n)
    if ndimage:
        print("\nndimage (seconds, one value per parameter combination):")
        for name in ndimage:
            print(name, results[name][0])


if __name__ == "__main__":
    main()
