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


def ratios(data):
    """{function: jitdispatch/SciPy time ratio} (geometric mean over the inputs)."""
    import itertools
    import math

    results = data["results"]
    ours = results.get("bench_ndimage.FiltersJit.time_jitdispatch")
    ref = results.get("bench_ndimage.FiltersScipy.time_scipy")
    if not ours or not ref:
        return {}
    per = {}
    keys = list(itertools.product(*ours[1]))
    for key, a, b in zip(keys, ours[0], ref[0], strict=True):
        if a and b:
            per.setdefault(key[0].strip("'"), []).append(a / b)
    return {k: math.exp(sum(map(math.log, v)) / len(v)) for k, v in per.items()}


def main(outdir):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(outdir, exist_ok=True)
    data = _results()
    values = ratios(data) if data else {}
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.3 * len(values) + 1)))
    if values:
        names = sorted(values, key=values.get)
        ax.barh(names, [values[n] for n in names], color="#3572a5")
        ax.axvline(1.0, color="k", lw=1)
        ax.axvline(0.5, color="#aa3333", lw=1, ls="--")
        ax.set_xscale("log")
        ax.set_xlabel("time relative to SciPy (lower is faster; dashed: 0.5 goal)")
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
