"""The glossary notebook, generated from ``docs/glossary.md`` (never edited by hand).

Usage: python -m tools.glossary   (``make notebooks`` runs it too)

``docs/glossary.md`` holds one ``## Term`` section per term, with ``- id:``, ``- lesson:`` and
``- zh:`` lines and a definition. ``notebooks/glossary.ipynb`` gets one markdown cell per term whose
cell id is the term's id, so that a lesson's link ``glossary.ipynb#cell-id=ID`` opens the glossary
scrolled to the term in JupyterLab 4 and Notebook 7 (checked in JupyterLab 4.6: a fragment naming a
heading, or an HTML anchor, in *another* notebook opens it at the top; ``#cell-id=`` scrolls). The
cell also opens with an HTML anchor ``<a id="ID"></a>`` for renderers outside Jupyter (a website
maps ``#cell-id=ID`` to ``#ID``).
``tests/test_glossary.py`` fails when the notebook is stale or a lesson links an unknown term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools.notebooks import collection

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "docs" / "glossary.md"
NOTEBOOK = "glossary.ipynb"
FIELD = re.compile(r"^- (id|lesson|zh):\s*(.+?)\s*$")
GLOSSARY_LINK = re.compile(r"\]\(glossary\.ipynb#cell-id=([^)\s]+)\)")


@dataclass(frozen=True)
class Term:
    """One glossary entry."""

    name: str  # "Condition number κ"
    id: str  # "condition-number": the anchor lessons link to
    lesson: str  # "01": the lesson that introduces it
    zh: str  # the usual Chinese term
    definition: str  # markdown


def read_terms(source: Path = SOURCE) -> tuple[str, list[Term]]:
    """``(introduction, terms)`` parsed from the glossary's markdown source."""
    head, *sections = re.split(r"^## ", source.read_text(encoding="utf-8"), flags=re.MULTILINE)
    terms = []
    for section in sections:
        name, *lines = section.strip().splitlines()
        fields = {m.group(1): m.group(2) for m in map(FIELD.match, lines) if m}
        if set(fields) != {"id", "lesson", "zh"}:
            raise ValueError(f"glossary entry {name!r} needs '- id:', '- lesson:' and '- zh:' lines")
        body = "\n".join(ln for ln in lines if not FIELD.match(ln)).strip()
        terms.append(Term(name.strip(), fields["id"], fields["lesson"], fields["zh"], body))
    intro = "\n".join(ln for ln in head.strip().splitlines()[1:]).strip()
    return intro, terms


def expected_glossary(folder: Path, source: Path = SOURCE) -> nbformat.NotebookNode:
    """The glossary notebook for the lessons in ``folder``."""
    _, titles, names, _ = collection(folder)
    lessons = {name[:2]: (title, name) for title, name in zip(titles, names, strict=True)}
    intro, terms = read_terms(source)
    intro = re.sub(r"\s*<!--.*?-->", "", intro, flags=re.DOTALL)  # the maintainers' note stays in the source
    cells = [nbformat.v4.new_markdown_cell(f"# Glossary\n{intro}\n\n[Contents](00_start_here.ipynb)")]
    for term in terms:
        if term.lesson not in lessons:
            raise ValueError(f"glossary entry {term.name!r}: no lesson {term.lesson}")
        title, name = lessons[term.lesson]
        cells.append(nbformat.v4.new_markdown_cell(
            f'<a id="{term.id}"></a>\n\n### {term.name}\n中文：{term.zh}\n\n{term.definition}\n\n'
            f"*Introduced in* [{title}]({name})."))
    cells[0]["id"] = "glossary"
    for cell, term in zip(cells[1:], terms, strict=True):
        cell["id"] = term.id
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    return nb


def update_glossary(folder: Path) -> bool:
    """Rewrite ``folder``'s glossary notebook if it is stale; return whether it changed."""
    path = folder / NOTEBOOK
    new = nbformat.writes(expected_glossary(folder))
    if path.exists() and path.read_text(encoding="utf-8") == new:
        return False
    path.write_text(new, encoding="utf-8")
    return True


if __name__ == "__main__":
    changed = update_glossary(ROOT / "notebooks")
    print("glossary refreshed: notebooks/glossary.ipynb" if changed else "glossary up to date")
