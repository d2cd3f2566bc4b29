"""Print jitdispatch-vs-reference ratios from the latest asv results of this machine."""

import glob
import json
import os

OVERHEAD_CALLS = 1000  # bench_engine.CALLS


def latest_results():
    files = [f for f in glob.glob("../.asv/results/*/*.json") if not f.endswith("machine.json")]
    if not files:
        raise SystemExit("no asv results yet: run `make bench`")
    with open(max(files, key=os.path.getmtime)) as f:
        return json.load(f)


def value(entry):
    """The result of an asv entry, None when it did not run (asv stores NaN or null)."""
    result = entry[0] if isinstance(entry, list) else entry
    if isinstance(result, list):
        result = result[0]
    if result is None or result != result:
        return None
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
            if ".Overhead." in ours:  # each sample timed CALLS calls
                a, b = a / OVERHEAD_CALLS, b / OVERHEAD_CALLS
            print(
                f"{ours.split('.', 1)[1]:60s} {a * 1e6:8.3f}us {b * 1e6:8.3f}us "
                f"{(a - b) * 1e6:8.3f}us {a / b:6.2f}"
            )
    for name in sorted(results):
        if ".track_" in name:
            print(f"{name.split('.', 1)[1]:60s} {value(results[name]):.4f} s")
    cold = "bench_engine.ColdStart.track_"
    for what in ("first_call_with_import", "each_further_cached_kernel"):
        ours, ref = results.get(cold + what), results.get(cold + what + "_plain_numba")
        if ours and ref and value(ours) is not None and value(ref) is not None:
            added = (value(ours) - value(ref)) * 1e3
            print(f"{what}: jitdispatch adds {added:.1f} ms to plain Numba's cached start-up")
    ndimage_table(results)
    patch_table(results)


# variant -> asv benchmark name
NDIMAGE = {
    "time_scipy": "bench_ndimage.FiltersScipy.time_scipy",
    "time_jitdispatch": "bench_ndimage.FiltersJit.time_jitdispatch",
    "time_jitdispatch_dask": "bench_ndimage.FiltersDask.time_jitdispatch_dask",
}


def patch_table(results):
    """scikit-image with and without jd.patch, from one run."""
    base = "bench_patch.ScikitImage."
    plain, patched = results.get(base + "time_scipy"), results.get(base + "time_patched")
    if not plain or not patched:
        return
    print(f"\n{'scikit-image call':20s} {'scipy':>10s} {'patched':>10s} {'ratio':>7s}")
    for name, a, b in zip(plain[1][0], plain[0], patched[0], strict=True):
        if a and b:
            print(f"{name.strip(chr(39)):20s} {a * 1e3:8.1f}ms {b * 1e3:8.1f}ms {b / a:7.3f}")


def ndimage_table(results):
    """Per function and input: jitdispatch / SciPy and Dask / jitdispatch, from one run."""
    import itertools
    import statistics

    if NDIMAGE["time_scipy"] not in results:
        return
    combos = {}
    for variant, full_name in NDIMAGE.items():
        entry = results.get(full_name)
        if not entry:
            continue
        values, params = entry[0], entry[1]
        for key, v in zip(itertools.product(*params), values, strict=True):
            combos.setdefault(key, {})[variant] = value([v])
    print(
        f"\n{'function':30s} {'input':20s} {'scipy':>9s} {'jd':>9s} {'jd/scipy':>9s} "
        f"{'dask/jd':>8s}"
    )
    ratios = []
    for (name, spec), row in sorted(combos.items()):
        ref, ours, dask = (
            row.get(k) for k in ("time_scipy", "time_jitdispatch", "time_jitdispatch_dask")
        )
        if not ref or not ours:
            continue
        ratio = ours / ref
        ratios.append(ratio)
        dask_ratio = f"{dask / ours:8.2f}" if dask else f"{'-':>8s}"
        print(
            f"{name.strip(chr(39)):30s} {spec.strip(chr(39)):20s} {ref * 1e3:7.1f}ms "
            f"{ours * 1e3:7.1f}ms {ratio:9.3f} {dask_ratio}"
        )
    if ratios:
        print(
            f"\nmedian jd/scipy over {len(ratios)} cases: {statistics.median(ratios):.3f}; "
            f"worst {max(ratios):.3f}"
        )


if __name__ == "__main__":
    main()
