"""Compilation targets. Each module here fulfils the contract in ``_base.py``."""

from . import cpu

_TARGETS = {"cpu": cpu}


def get(name):
    """The target module called ``name`` ('cpu' or 'cuda'); CUDA is imported on first use."""
    target = _TARGETS.get(name)
    if target is None:
        if name != "cuda":
            raise ValueError(f"unknown target {name!r}: choose 'cpu' or 'cuda'")
        from . import cuda as target

        _TARGETS["cuda"] = target
    return target
