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
    paired_tables(results)
    memory_table(results)
    patch_table(results)


# variant -> asv benchmark name
NDIMAGE = {
    "time_scipy": "bench_ndimage.FiltersScipy.time_scipy",
    "time_jitdispatch": "bench_ndimage.FiltersJit.time_jitdispatch",
    "time_scipy_into": "bench_ndimage.FiltersScipyInto.time_scipy_into",
    "time_jitdispatch_into": "bench_ndimage.FiltersJitInto.time_jitdispatch_into",
    "time_jitdispatch_dask": "bench_ndimage.FiltersDask.time_jitdispatch_dask",
}
DASK_UNCHANGED = "bench_ndimage.DaskUnchanged.time_dask_unchanged"


MEMORY = "bench_memory.Memory."


def memory_table(results):
    """Host memory per call (MiB): SciPy's, jitdispatch's first and later calls, a call
    on an array beyond the kept memory, and what jitdispatch keeps after freeing its
    results."""
    import itertools

    columns = [
        "peak_scipy",
        "peak_jitdispatch_first",
        "peak_jitdispatch_later",
        "peak_jitdispatch_beyond",
        "kept_jitdispatch",
    ]
    entries = {c: results.get(MEMORY + "track_" + c) for c in columns}
    if not all(entries.values()):
        return
    rows = {}
    for column, entry in entries.items():
        for key, v in zip(itertools.product(*entry[1]), entry[0], strict=True):
            rows.setdefault(key, {})[column] = value([v])
    print(
        f"\n{'memory per call (MiB)':28s} {'input':18s} {'scipy':>7s} {'jd 1st':>7s} "
        f"{'ratio':>6s} {'jd later':>8s} {'jd beyond':>9s} {'ratio':>6s} {'jd kept':>8s}"
    )
    for (name, spec), row in sorted(rows.items()):
        ref, first = row.get("peak_scipy"), row.get("peak_jitdispatch_first")
        later, kept = row.get("peak_jitdispatch_later"), row.get("kept_jitdispatch")
        beyond = row.get("peak_jitdispatch_beyond")
        if None in (ref, first, later, beyond, kept):
            continue
        print(
            f"{name.strip(chr(39)):28s} {spec.strip(chr(39)):18s} {ref:7.1f} {first:7.1f} "
            f"{first / ref:6.2f} {later:8.1f} {beyond:9.1f} {beyond / ref:6.2f} {kept:8.1f}"
        )
    print(
        "(jd later: a call after earlier results were freed; jd beyond: an array larger "
        "than the kept memory; jd kept: held after three calls)"
    )


PAIRED = [
    ("bench_ndimage.FiltersBeyondKept.", "time_jitdispatch_beyond", "beyond the kept memory"),
    ("bench_ndimage.FiltersFortranOrder.", "time_jitdispatch_fortran", "Fortran-ordered input"),
    ("bench_ndimage.FiltersSignal.", "time_jitdispatch_signal", "1-D signal"),
    ("bench_ndimage.FiltersLongWindows.", "time_jitdispatch_long", "long windows"),
    ("bench_ndimage.FiltersSmall.", "time_jitdispatch_small", "small arrays"),
]


def paired_tables(results):
    """Benchmark classes that time SciPy and one jitdispatch variant on the same calls
    (multi-pass filters beyond the kept memory, Fortran-ordered inputs, a 1-D signal,
    long windows, small arrays), from one run."""
    import itertools

    for base, variant, title in PAIRED:
        plain, ours = results.get(base + "time_scipy"), results.get(base + variant)
        if not plain or not ours:
            continue
        print(f"\n{title:28s} {'input':18s} {'scipy':>8s} {'jd':>8s} {'ratio':>6s}")
        keys = itertools.product(*plain[1])
        for (name, spec), a, b in zip(keys, plain[0], ours[0], strict=True):
            a, b = value([a]), value([b])
            if a and b:
                print(
                    f"{name.strip(chr(39)):28s} {spec.strip(chr(39)):18s} {_ms(a)} {_ms(b)} "
                    f"{b / a:6.3f}"
                )


def _ms(seconds):
    """A time in ms, to 0.1 ms, or to the microsecond below 1 ms."""
    return f"{seconds * 1e3:6.1f}ms" if seconds >= 1e-3 else f"{seconds * 1e3:6.3f}ms"


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
    """Per function and input, from one run: jitdispatch / SciPy returning new arrays and
    writing into given ones, and Dask / jitdispatch (with Dask's own time to compute the
    same chunked input unchanged)."""
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
    unchanged = {}
    if results.get(DASK_UNCHANGED):
        entry = results[DASK_UNCHANGED]
        unchanged = {
            spec.strip("'"): value([v]) for spec, v in zip(entry[1][0], entry[0], strict=True)
        }
    print(
        f"\n{'function':28s} {'input':18s} {'scipy':>8s} {'jd':>8s} {'ratio':>6s} "
        f"{'scipy=>':>8s} {'jd=>':>8s} {'ratio':>6s} {'dask':>8s} {'dask/jd':>7s}"
    )
    columns = {"new": [], "into": [], "dask": []}

    def cell(t):
        return f"{t * 1e3:6.1f}ms" if t else f"{'-':>8s}"

    for (name, spec), row in sorted(combos.items()):
        ref, ours = row.get("time_scipy"), row.get("time_jitdispatch")
        ref_in, ours_in = row.get("time_scipy_into"), row.get("time_jitdispatch_into")
        dask = row.get("time_jitdispatch_dask")
        if not ref or not ours:
            continue
        ratio = ours / ref
        columns["new"].append(ratio)
        ratio_in = ours_in / ref_in if ref_in and ours_in else None
        if ratio_in is not None:
            columns["into"].append(ratio_in)
        # Dask against the faster whole-array time: fresh memory makes the plain
        # variant slow in some processes, which would flatter Dask
        whole = min(ours, ours_in) if ours_in else ours
        if dask:
            columns["dask"].append(dask / whole)
        print(
            f"{name.strip(chr(39)):28s} {spec.strip(chr(39)):18s} {cell(ref)} {cell(ours)} "
            f"{ratio:6.3f} {cell(ref_in)} {cell(ours_in)} "
            + (f"{ratio_in:6.3f}" if ratio_in is not None else f"{'-':>6s}")
            + f" {cell(dask)} "
            + (f"{dask / whole:7.2f}" if dask else f"{'-':>7s}")
        )
    print(
        "\n(=>: into an output array made before timing; dask: two chunks per axis, "
        "dask/jd against the faster of jd and jd=>)"
    )
    for label, key in (("jd/scipy", "new"), ("jd/scipy into outputs", "into")):
        if columns[key]:
            r = columns[key]
            print(
                f"{label}: median over {len(r)} cases {statistics.median(r):.3f}, "
                f"worst {max(r):.3f}, at most 0.5 in {sum(x <= 0.5 for x in r)}"
            )
    if columns["dask"]:
        r = columns["dask"]
        print(f"dask/jd: at most 3 in {sum(x <= 3 for x in r)} of {len(r)} cases")
    for spec, t in sorted(unchanged.items()):
        if t:
            print(f"Dask computing the {spec} input unchanged: {t * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
