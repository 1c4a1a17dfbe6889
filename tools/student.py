"""Write student copies of the lessons: solutions replaced by stubs, outputs cleared.

Usage (``make student``, ``make student FORCE=1``)::

    python -m tools.student notebooks/ student/ [--force]

Every code cell region between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (nbgrader's
markers) becomes a comment and ``raise NotImplementedError("Exercise N.M: ...")``, named after
the ``### Exercise N.M — title`` heading above it (numbered as nbgrader's grade ids are, by
:mod:`tools.nbgrader_cells`). Outputs and nbgrader's cell metadata are dropped: a student copy is
for working alone (the progress cell at the end shows what is done); for a graded class, use
nbgrader's own ``generate_assignment`` on the lessons (see the README). A file that already
exists in the target folder is never overwritten (it may hold a student's answers) unless
``--force`` is given; an existing copy identical to the new one is reported as up to date.
Sources are only read.

The copies work outside the repository: the glossary the lessons link to (``glossary.ipynb``) goes
along, and a link to a file of the package (``../linreg_utils/optimizers.py``) points to a copy of
that file in ``source/`` next to the lessons.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .nbgrader_cells import BEGIN, END, find_exercises
from .notebooks import lesson_paths

GLOSSARY = "glossary.ipynb"
PACKAGE_LINK = re.compile(r"\]\(\.\./(linreg_utils/[\w/]+\.py)\)")
"""A markdown link from a lesson to a file of the package, e.g. ``](../linreg_utils/optimizers.py)``."""
SOURCE = "source"
"""The folder of the student copies that holds the package files the lessons link to."""


@dataclass
class Outcome:
    """What :func:`write_student_copies` did with one notebook."""

    target: Path
    status: str  # "written", "up to date", "skipped (exists)", "overwritten"
    exercises: int


def stub_lines(indent: str, exercise: str, title: str) -> list[str]:
    """The lines that replace one solution: a comment saying what to write, and the raise."""
    task = f"Exercise {exercise}: {title}" if title else f"Exercise {exercise}"
    return [
        f"{indent}# Your code here: replace the line below with your answer (see the exercise text above).",
        f"{indent}raise NotImplementedError({task!r})",
    ]


def strip_solutions(source: str, exercise: str, title: str, where: str) -> str:
    """``source`` with every BEGIN/END SOLUTION region replaced by a stub."""
    out: list[str] = []
    inside = False
    for number, line in enumerate(source.splitlines(), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError(f"{where}, line {number}: '{BEGIN}' inside another solution")
            inside = True
            out.extend(stub_lines(line[: len(line) - len(line.lstrip())], exercise, title))
        elif marker == END:
            if not inside:
                raise ValueError(f"{where}, line {number}: '{END}' without '{BEGIN}'")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: '{BEGIN}' is never closed by '{END}'")
    return "\n".join(out)


def student_notebook(nb: nbformat.NotebookNode, name: str) -> tuple[nbformat.NotebookNode, int]:
    """A student copy of ``nb`` (solutions stubbed, outputs and nbgrader metadata cleared) and its
    exercise count."""
    copy = nbformat.from_dict(nb)
    copy.metadata.pop("widgets", None)
    lesson = int(name[:2]) if name[:2].isdigit() else 0
    exercises = {e.answer: e for e in find_exercises(copy, lesson)}
    for index, cell in enumerate(copy.cells):
        cell.metadata.pop("nbgrader", None)
        if cell.cell_type == "markdown":
            cell.source = PACKAGE_LINK.sub(rf"]({SOURCE}/\1)", cell.source)
        if index in exercises:
            ex = exercises[index]
            cell.source = strip_solutions(cell.source, ex.number, ex.title, f"{name}, cell {index + 1}")
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return copy, len(exercises)


def write_student_copies(source: Path, target: Path, force: bool = False) -> list[Outcome]:
    """Write a student copy of every lesson in ``source`` into ``target``; never overwrite
    an existing different file unless ``force``."""
    paths = lesson_paths(source) if source.is_dir() else [source]
    if not paths:
        raise ValueError(f"no lesson notebooks (NN_name.ipynb) found in {source}")
    target.mkdir(parents=True, exist_ok=True)
    outcomes, linked = [], set()
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
        linked.update(m for text in markdown for m in PACKAGE_LINK.findall(text))
        copy, count = student_notebook(nb, path.name)
        outcomes.append(_write(target / path.name, nbformat.writes(copy) + "\n", path, force, count))
    glossary = (source if source.is_dir() else source.parent) / GLOSSARY
    if glossary.exists():
        outcomes.append(_write(target / GLOSSARY, glossary.read_text(encoding="utf-8"), glossary, force, 0))
    root = Path(__file__).resolve().parents[1]
    for name in sorted(linked):
        outcomes.append(_write(target / SOURCE / name, (root / name).read_text(encoding="utf-8"), root / name,
                               force, 0))
    return outcomes


def _write(dest: Path, text: str, source: Path, force: bool, exercises: int) -> Outcome:
    """Write ``text`` to ``dest`` unless a different file is there already (and not ``force``)."""
    if dest.resolve() == source.resolve():
        raise ValueError(f"target {dest} is the source notebook itself: choose another folder")
    if dest.exists():
        if dest.read_text(encoding="utf-8") == text:
            return Outcome(dest, "up to date", exercises)
        if not force:
            return Outcome(dest, "skipped (exists)", exercises)
    status = "overwritten" if dest.exists() else "written"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8")
    return Outcome(dest, status, exercises)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m tools.student",
                                     description="Write student copies of the lessons.")
    parser.add_argument("source", type=Path, help="folder of lesson notebooks, or one notebook")
    parser.add_argument("target", type=Path, help="folder for the student copies")
    parser.add_argument("--force", action="store_true", help="overwrite copies that already exist")
    args = parser.parse_args(argv)
    if not args.source.exists():
        parser.error(f"source {args.source} does not exist")
    try:
        outcomes = write_student_copies(args.source, args.target, args.force)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for o in outcomes:
        what = f"  ({o.exercises} exercise{'s' * (o.exercises != 1)})" if o.target.suffix == ".ipynb" else ""
        print(f"{o.status:>16}: {o.target}{what}")
    skipped = [o for o in outcomes if o.status.startswith("skipped")]
    if skipped:
        print(f"{len(skipped)} file(s) already existed and were left untouched (they may hold a "
              "student's answers); to overwrite them: make student FORCE=1 (or python -m tools.student "
              "... --force).")
    elif all(o.status == "up to date" for o in outcomes):
        print("Nothing to do: every student copy is already up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
