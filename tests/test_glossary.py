"""The glossary notebook is current, every lesson's glossary link lands on a term, and every term
is linked from the lesson that introduces it once that lesson links the glossary at all."""

from pathlib import Path

import nbformat
import pytest

from tools.glossary import GLOSSARY_LINK, NOTEBOOK, expected_glossary, read_terms
from tools.notebooks import lesson_paths

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "notebooks"
_, TERMS = read_terms()


def links(path: Path) -> set[str]:
    nb = nbformat.read(path, as_version=4)
    return {m for c in nb.cells if c.cell_type == "markdown" for m in GLOSSARY_LINK.findall(c.source)}


def test_glossary_notebook_is_generated_from_its_source():
    stored = (FOLDER / NOTEBOOK).read_text(encoding="utf-8")
    assert stored == nbformat.writes(expected_glossary(FOLDER)), "stale glossary: run `make notebooks`"


def test_terms_are_unique_alphabetical_and_complete():
    ids = [t.id for t in TERMS]
    assert len(ids) == len(set(ids)), "two glossary entries share an id"
    names = [t.name.casefold() for t in TERMS]
    assert names == sorted(names), "keep docs/glossary.md in alphabetical order"
    assert all(t.definition and t.zh for t in TERMS)


@pytest.mark.parametrize("path", lesson_paths(FOLDER), ids=lambda p: p.name)
def test_every_glossary_link_lands_on_a_term(path):
    unknown = links(path) - {t.id for t in TERMS}
    assert not unknown, f"{path.name} links glossary terms that do not exist: {sorted(unknown)}"
