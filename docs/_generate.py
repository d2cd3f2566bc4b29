"""Pages generated from the code: the support matrix and the performance charts."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))


def support_page():
    import jitdispatch.ndimage  # noqa: F401  (registers its functions)
    from jitdispatch import _registry

    text = [
        "Support matrix",
        "==============",
        "",
        "Generated from jitdispatch's support registry, the same table that writes the",
        '"Supported inputs" section of every docstring, drives ``python -m jitdispatch',
        "support`` and parametrises the support tests. *native*: a jitdispatch kernel runs;",
        "*delegated*: the named library runs; *-*: not supported (an error lists the choices).",
        "",
        _registry.matrix_rst(),
        "",
    ]
    with open(os.path.join(HERE, "support.rst"), "w") as f:
        f.write("\n".join(text))


def main():
    support_page()
    import charts

    charts.main(os.path.join(HERE, "_static"))


if __name__ == "__main__":
    main()
