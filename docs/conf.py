"""Sphinx configuration: builds offline, warnings are errors (``make docs``)."""

import os
import sys

sys.path.insert(0, os.path.abspath("."))

import _generate

project = "jitdispatch"
author = "the jitdispatch developers"
copyright = "2026, the jitdispatch developers"
release = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
]
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_validation_checks = set()
html_theme = "pydata_sphinx_theme"
html_theme_options = {"navigation_with_keys": False}
html_static_path = ["_static"]
exclude_patterns = ["_build"]
nitpicky = False
suppress_warnings = ["config.cache"]

_generate.main()
