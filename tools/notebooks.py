"""The collection's table of contents and its navigation cells, generated from the notebooks.

Each lesson ``notebooks/NN_name.ipynb`` starts with a markdown cell whose first line is its
``# title``. This module writes, in place and never by hand:

- a navigation cell (``< previous | Contents | next >``) as the second and the last cell,
  tagged ``nav``;
- the contents list in ``00_start_here.ipynb`` (the cell tagged ``contents``);
- the lesson map in ``README.md`` between ``<!-- lessons:start -->`` and ``<!-- lessons:end -->``;
- in a lesson with exercises, a progress cell (code, tagged ``progress``) just before the last
  navigation cell, printing each exercise's verdict, and nbgrader's metadata on every answer and
  check cell (:mod:`tools.nbgrader_cells`);
- optional depth: a markdown cell that starts with a heading ending in "(optional)" is stored
  collapsed (JupyterLab's and Notebook 7's ``jp-MarkdownHeadingCollapsed``), and it and every cell
  up to the next heading of the same or a higher level carry the tag ``optional``
  (:func:`optional_sections`; ``python -m tools.word_counts`` counts core and optional prose).

``tests/test_notebooks_structure.py`` fails when any of them is stale or a link is broken.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from tools.nbgrader_cells import set_nbgrader_metadata

NAV_TAG = "nav"
OPTIONAL_TAG = "optional"
COLLAPSED = "jp-MarkdownHeadingCollapsed"  # JupyterLab's (and Notebook 7's) cell metadata key
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
OPTIONAL = re.compile(r"\(optional\)$", re.IGNORECASE)
PROGRESS_TAG = "progress"
CONTENTS_TAG = "contents"
CONTENTS_PAGE = "00_start_here.ipynb"
README_START, README_END = "<!-- lessons:start -->", "<!-- lessons:end -->"


def lesson_paths(folder: Path) -> list[Path]:
    """The notebooks ``NN_*.ipynb`` in ``folder``, in reading order."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb"))


def title_and_blurb(nb: nbformat.NotebookNode) -> tuple[str, str]:
    """The first cell's ``# title`` and the first sentence of the paragraph after it."""
    first = nb.cells[0] if nb.cells else None
    lines = first.source.splitlines() if first is not None and first.cell_type == "markdown" else []
    if not lines or not lines[0].startswith("# "):
        raise ValueError("a lesson's first cell must be markdown starting with '# Title'")
    paragraph = next((ln.strip() for ln in lines[1:] if ln.strip() and not ln.startswith("#")), "")
    blurb = re.split(r"(?<=[.!?])\s", paragraph, maxsplit=1)[0]
    return lines[0][2:].strip(), blurb


def nav_markdown(titles: list[str], names: list[str], index: int) -> str:
    """The ``< previous | Contents | next >`` line for lesson ``index``."""
    parts = []
    if index > 0:
        parts.append(f"[< {titles[index - 1]}]({names[index - 1]})")
    parts.append(f"[Contents]({CONTENTS_PAGE})")
    if index < len(names) - 1:
        parts.append(f"[{titles[index + 1]} >]({names[index + 1]})")
    return " | ".join(parts)


RELATIVE_LINK = re.compile(r"\]\((?![a-z]+:|#|/)")
"""The start of a Markdown link's relative target (not ``https:``, ``#anchor`` or ``/path``)."""


def contents_markdown(titles: list[str], names: list[str], blurbs: list[str], prefix: str = "") -> str:
    """A numbered list of the lessons, each linked, with its one-sentence blurb; ``prefix`` is the
    lessons' folder as seen from the page (``notebooks/`` in the README), put before every relative
    link, the blurbs' glossary links included."""
    return "\n".join(f"- [{t}]({prefix}{n}): {RELATIVE_LINK.sub('](' + prefix, b)}"
                     for t, n, b in zip(titles, names, blurbs, strict=True))


def _set_tagged(nb: nbformat.NotebookNode, tag: str, source: str, positions: list[int]) -> None:
    """Put markdown cells tagged ``tag`` holding ``source`` at ``positions`` (-1 = last)."""
    nb.cells = [c for c in nb.cells if tag not in c.get("metadata", {}).get("tags", [])]
    for pos in positions:
        cell = nbformat.v4.new_markdown_cell(source, metadata={"tags": [tag]})
        cell.pop("id", None)
        if pos == -1:
            nb.cells.append(cell)
        else:
            nb.cells.insert(pos, cell)


def progress_source(numbers: list[str]) -> str:
    """The progress cell's code: one line per exercise, done or not yet."""
    args = ", ".join(repr(n) for n in numbers)
    return ("# Your progress: run this cell after the exercises (generated; do not edit).\n"
            "from linreg_utils.exercises import show_progress\n\n"
            f"show_progress({args})")


def _set_progress(nb: nbformat.NotebookNode, numbers: list[str]) -> None:
    """Put the progress cell before the last cell (kept, outputs and all, when unchanged)."""
    old = [c for c in nb.cells if PROGRESS_TAG in c.get("metadata", {}).get("tags", [])]
    nb.cells = [c for c in nb.cells if c not in old]
    if not numbers:
        return
    source = progress_source(numbers)
    cell = next((c for c in old if c.source == source), None)
    if cell is None:
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": [PROGRESS_TAG]})
        cell.pop("id", None)
    nb.cells.insert(len(nb.cells) - 1, cell)


def first_heading(cell: nbformat.NotebookNode) -> tuple[int, str] | None:
    """``(level, text)`` of the heading on a markdown cell's first line, or None."""
    if cell.cell_type != "markdown" or not cell.source.strip():
        return None
    match = HEADING.match(cell.source.lstrip().splitlines()[0])
    return (len(match.group(1)), match.group(2)) if match else None


def optional_sections(nb: nbformat.NotebookNode) -> list[range]:
    """The cell ranges of the sections whose heading (a cell's first line) ends in "(optional)":
    from that cell up to, not including, the next cell opening with a heading of the same or a
    higher level (fewer #)."""
    sections, start, level = [], None, 0
    for i, cell in enumerate(nb.cells):
        heading = first_heading(cell)
        if heading is None:
            continue
        if start is not None and heading[0] <= level:
            sections.append(range(start, i))
            start = None
        if start is None and OPTIONAL.search(heading[1]):
            start, level = i, heading[0]
    if start is not None:
        end = next((i for i in range(len(nb.cells) - 1, start, -1)
                    if NAV_TAG not in nb.cells[i].metadata.get("tags", [])
                    and PROGRESS_TAG not in nb.cells[i].metadata.get("tags", [])), start) + 1
        sections.append(range(start, end))
    return sections


def _set_optional(nb: nbformat.NotebookNode) -> None:
    """Tag the cells of optional sections ``optional``; store their heading cells collapsed."""
    inside = {i: section.start == i for section in optional_sections(nb) for i in section}
    for i, cell in enumerate(nb.cells):
        tags = [t for t in cell.metadata.get("tags", []) if t != OPTIONAL_TAG]
        if i in inside:
            tags.append(OPTIONAL_TAG)
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
        if inside.get(i):
            cell.metadata[COLLAPSED] = True
        else:
            cell.metadata.pop(COLLAPSED, None)


def _with_ids(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Give cells without an id a stable one from their tag and position, unlike any other id
    in the notebook (a duplicate would be replaced by a random id on every write)."""
    taken = {cell.get("id") for cell in nb.cells if cell.get("id")}
    for i, cell in enumerate(nb.cells):
        if not cell.get("id"):
            tags = cell.get("metadata", {}).get("tags", [])
            base = f"{tags[0] if tags else 'cell'}-{i:03d}"
            new, k = base, 1
            while new in taken:
                new, k = f"{base}-{k}", k + 1
            cell["id"] = new
            taken.add(new)
    return nb


def expected_notebook(path: Path, titles: list[str], names: list[str],
                      blurbs: list[str]) -> nbformat.NotebookNode:
    """``path``'s notebook with its navigation, contents, progress and nbgrader metadata regenerated."""
    nb = nbformat.read(path, as_version=4)
    index = names.index(path.name)
    _set_tagged(nb, NAV_TAG, nav_markdown(titles, names, index), [1, -1])
    exercises = set_nbgrader_metadata(nb, lesson=int(path.name[:2]))
    _set_progress(nb, [e.number for e in exercises])
    _set_optional(nb)
    if path.name == CONTENTS_PAGE:
        body = ("## Contents\n\n" + contents_markdown(titles, names, blurbs)
                + "\n\nEvery term the lessons use, with its Chinese name: the [glossary](glossary.ipynb).")
        pos = next((i for i, c in enumerate(nb.cells)
                    if CONTENTS_TAG in c.get("metadata", {}).get("tags", [])), 2)
        _set_tagged(nb, CONTENTS_TAG, body, [pos])
    return _with_ids(nb)


def expected_readme(readme: str, titles: list[str], names: list[str], blurbs: list[str]) -> str:
    """``readme`` with the lesson map between its markers regenerated."""
    start, end = readme.index(README_START) + len(README_START), readme.index(README_END)
    table = contents_markdown(titles, names, blurbs, prefix="notebooks/")
    return readme[:start] + "\n" + table + "\n" + readme[end:]


def collection(folder: Path) -> tuple[list[Path], list[str], list[str], list[str]]:
    """``(paths, titles, names, blurbs)`` of every lesson in ``folder``."""
    paths = lesson_paths(folder)
    pairs = [title_and_blurb(nbformat.read(p, as_version=4)) for p in paths]
    return paths, [t for t, _ in pairs], [p.name for p in paths], [b for _, b in pairs]


def update_navigation(folder: Path, readme: Path | None = None) -> list[Path]:
    """Rewrite stale generated cells and metadata (and README's lesson map); return what changed."""
    paths, titles, names, blurbs = collection(folder)
    changed = []
    for path in paths:
        nb = expected_notebook(path, titles, names, blurbs)
        if nbformat.writes(nb) != nbformat.writes(nbformat.read(path, as_version=4)):
            nbformat.write(nb, path)
            changed.append(path)
    if readme is not None:
        text = readme.read_text(encoding="utf-8")
        new = expected_readme(text, titles, names, blurbs)
        if new != text:
            readme.write_text(new, encoding="utf-8")
            changed.append(readme)
    return changed
