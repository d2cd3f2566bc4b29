"""Performance charts (PNG) from the latest asv results: jitdispatch vs SciPy per function.

Run by the docs build; with no results yet it draws a placeholder saying so.
"""

import glob
import json
import os


def _results():
    root = os.path.join(os.path.dirname(__file__), "..", ".asv", "results")
    files = [
        f for f in glob.glob(os.path.join(root, "*", "*.json")) if not f.endswith("machine.json")
    ]
    if not files:
        return None
    with open(max(files, key=os.path.getmtime)) as f:
        return json.load(f)


VARIANTS = {  # label -> (jitdispatch benchmark, SciPy benchmark)
    "new result array": (
        "bench_ndimage.FiltersJit.time_jitdispatch",
        "bench_ndimage.FiltersScipy.time_scipy",
    ),
    "into output=": (
        "bench_ndimage.FiltersJitInto.time_jitdispatch_into",
        "bench_ndimage.FiltersScipyInto.time_scipy_into",
    ),
}


def ratios(data, ours_name, ref_name):
    """{function: jitdispatch/SciPy time ratio} (geometric mean over the inputs)."""
    import itertools
    import math

    results = data["results"]
    ours, ref = results.get(ours_name), results.get(ref_name)
    if not ours or not ref:
        return {}
    per = {}
    keys = list(itertools.product(*ours[1]))
    for key, a, b in zip(keys, ours[0], ref[0], strict=True):
        if a and b and a == a and b == b:  # asv stores a case that did not run as NaN
            per.setdefault(key[0].strip("'"), []).append(a / b)
    return {k: math.exp(sum(map(math.log, v)) / len(v)) for k, v in per.items()}


def main(outdir):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(outdir, exist_ok=True)
    data = _results()
    series = {label: ratios(data, *names) for label, names in VARIANTS.items()} if data else {}
    series = {label: values for label, values in series.items() if values}
    first = next(iter(series.values()), {})
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.4 * len(first) + 1)))
    if first:
        names = sorted(first, key=first.get)
        height = 0.8 / len(series)
        for k, (label, values) in enumerate(series.items()):
            ax.barh(
                [i + k * height for i in range(len(names))],
                [values.get(n, float("nan")) for n in names],
                height=height,
                label=label,
            )
        ax.set_yticks([i + 0.4 - height / 2 for i in range(len(names))], names)
        ax.axvline(1.0, color="k", lw=1)
        ax.axvline(0.5, color="#aa3333", lw=1, ls="--")
        ax.set_xscale("log")
        ax.set_xlabel("time relative to SciPy (lower is faster; dashed: 0.5 goal)")
        ax.legend(loc="lower right")
    else:
        ax.text(
            0.5,
            0.5,
            "no asv results on this machine yet: run `make bench`",
            ha="center",
            va="center",
        )
        ax.set_axis_off()
    ax.set_title("jitdispatch.ndimage on the CPU vs scipy.ndimage")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "ndimage_vs_scipy.png"), dpi=100)
    plt.close(fig)
