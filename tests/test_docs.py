"""The examples in the docs run, and their output is what the docs say."""

import doctest
import pathlib

import pytest

pytestmark = pytest.mark.cpu

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(p.name for p in DOCS.glob("*.rst") if p.name != "support.rst")


@pytest.mark.parametrize("page", PAGES)
def test_examples_in_docs(page):
    result = doctest.testfile(
        str(DOCS / page), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False
    )
    assert result.failed == 0, f"{result.failed} example(s) in docs/{page} failed"


def test_every_docs_page_is_checked_or_has_no_examples():
    assert "quickstart.rst" in PAGES and "dispatch.rst" in PAGES
