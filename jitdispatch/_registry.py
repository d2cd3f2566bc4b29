"""What each public SciPy-like function supports: one table for docs, CLI and tests.

For every function: array types (NumPy, CuPy, torch, Dask) x backends (``jit``,
``scipy``, ``cupyx``), each marked as a native kernel, delegated to another library, or
unsupported. The "Supported inputs" note of every docstring, the generated docs page,
``python -m jitdispatch support`` and the parametrisation of the support tests all read
this table, so nothing is declared that is not tested.
"""

NATIVE = "native"
DELEGATED = "delegated"
UNSUPPORTED = "-"

ARRAY_TYPES = ("numpy", "cupy", "torch", "dask")
TARGETS = {
    "numpy": "cpu",
    "cupy": "cuda",
    "torch": "cpu or cuda (the tensor's device)",
    "dask": "per chunk: cpu for NumPy chunks, cuda for CuPy chunks",
}
BACKENDS = ("jit", "scipy", "cupyx")

# Functions SciPy has that cupyx.scipy.ndimage does not.
_NOT_IN_CUPYX = {"vectorized_filter"}

_entries = {}


class Entry:
    """Support of one public function, as ``support[backend][array_type] -> status``."""

    def __init__(self, module, name, support, notes=""):
        self.module = module
        self.name = name
        self.support = support
        self.notes = notes

    @property
    def qualname(self):
        return f"{self.module}.{self.name}"

    def status(self, backend, array_type):
        return self.support.get(backend, {}).get(array_type, UNSUPPORTED)


def register(module, name, jit=None, notes=""):
    """Declare ``module.name`` (e.g. ``scipy.ndimage.sobel``) and what each backend takes.

    ``jit`` maps array types to statuses for jitdispatch's own kernels (default: every
    array type native). The ``scipy`` backend takes NumPy arrays; ``cupyx`` takes CuPy
    arrays where cupyx.scipy has the function.
    """
    jit = dict(jit) if jit is not None else dict.fromkeys(ARRAY_TYPES, NATIVE)
    support = {
        "jit": {t: jit.get(t, UNSUPPORTED) for t in ARRAY_TYPES},
        "scipy": {"numpy": DELEGATED},
        "cupyx": {} if name in _NOT_IN_CUPYX else {"cupy": DELEGATED},
    }
    entry = Entry(module, name, support, notes)
    _entries[entry.qualname] = entry
    return entry


def entries(module=None):
    return [e for e in _entries.values() if module is None or e.module == module]


def get(qualname):
    return _entries[qualname]


def docstring_note(entry):
    """The "Supported inputs" paragraph and table of ``entry``'s docstring (RST)."""
    lines = [
        "**Supported inputs** (generated from jitdispatch's support registry, see",
        "``python -m jitdispatch support``):",
        "",
    ]
    lines += _rst_table(entry)
    if entry.notes:
        lines += ["", entry.notes]
    return "\n".join(lines)


def _rst_table(entry):
    head = ("input", "target", *BACKENDS)
    rows = [head] + [
        (t, TARGETS[t].split(":")[0], *(entry.status(b, t) for b in BACKENDS)) for t in ARRAY_TYPES
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    rule = "  ".join("=" * w for w in widths)
    out = [rule, "  ".join(c.ljust(w) for c, w in zip(head, widths, strict=True)), rule]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows[1:]]
    return out + [rule]


def matrix_text(module=None):
    """The whole support matrix as plain text (``python -m jitdispatch support``)."""
    items = entries(module)
    cols = [f"{b}:{t}" for b in BACKENDS for t in ARRAY_TYPES]
    width = max([len(e.qualname) for e in items] + [8])
    lines = [
        "legend: native = jitdispatch kernel; delegated = runs the named library; "
        "- = not supported",
        "",
        f"{'function':<{width}}  " + "  ".join(f"{c:<15}" for c in cols),
    ]
    for e in items:
        cells = [e.status(b, t) for b in BACKENDS for t in ARRAY_TYPES]
        lines.append(f"{e.qualname:<{width}}  " + "  ".join(f"{c:<15}" for c in cells))
    return "\n".join(lines)


def matrix_rst(module=None):
    """The support matrix as an RST list-table, for the docs."""
    out = [
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - function",
        *[f"     - {b} / {t}" for b in BACKENDS for t in ARRAY_TYPES],
    ]
    for e in entries(module):
        out.append(f"   * - ``{e.qualname}``")
        out += [f"     - {e.status(b, t)}" for b in BACKENDS for t in ARRAY_TYPES]
    return "\n".join(out)
