"""Find the lessons' exercises and give their cells nbgrader's metadata (generated, never by hand).

An exercise is a code cell holding ``### BEGIN SOLUTION`` … ``### END SOLUTION`` (the answer),
followed by a code cell that calls a ``check_...`` function (the check). Its number ``N.M``
comes from the ``### Exercise N.M — title`` heading above it (or, without one, from the lesson
number and its place: the structure test then asks for the heading). nbgrader needs:

- the answer cell: a solution cell, ``grade_id`` ``"ex-N-M"``;
- the check cell: an autograded test worth :data:`POINTS`, locked, ``grade_id`` ``"check-N-M"``.

nbgrader looks for ``BEGIN SOLUTION`` / ``END SOLUTION`` in every cell, markdown included, and
stops ``generate_assignment`` when it finds them outside a solution cell:
:func:`markdown_naming_markers` lists such cells so a test can refuse them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import nbformat

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
MARKERS = ("BEGIN SOLUTION", "END SOLUTION")  # what nbgrader itself searches for, in any cell
EXERCISE_HEADING = re.compile(r"^#+\s*Exercise\s+(\d+\.\d+)\s*[—–:-]*\s*(.*)$", re.MULTILINE)
CHECK_CALL = re.compile(r"\bcheck_\w+\(")
POINTS = 1
SCHEMA_VERSION = 3


@dataclass(frozen=True)
class Exercise:
    """One exercise of a notebook: its number, title and the indices of its two cells."""

    number: str  # "2.1"
    title: str  # from the heading, "" without one
    answer: int  # index of the cell holding the solution markers
    check: int | None  # index of the check cell right after it, None when missing
    from_heading: bool = True  # False: numbered by place (no "### Exercise N.M" heading)

    @property
    def answer_id(self) -> str:
        """nbgrader's ``grade_id`` of the answer cell, e.g. ``"ex-2-1"``."""
        return "ex-" + self.number.replace(".", "-")

    @property
    def check_id(self) -> str:
        """nbgrader's ``grade_id`` of the check cell, e.g. ``"check-2-1"``."""
        return "check-" + self.number.replace(".", "-")


def is_check_cell(cell: nbformat.NotebookNode) -> bool:
    """Whether ``cell`` is a code cell that calls a ``check_...`` function."""
    return cell.cell_type == "code" and bool(CHECK_CALL.search(cell.source))


def find_exercises(nb: nbformat.NotebookNode, lesson: int = 0) -> list[Exercise]:
    """The exercises of ``nb`` in order; ``lesson`` numbers those that have no heading."""
    found: list[Exercise] = []
    heading: tuple[str, str] | None = None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            headings = EXERCISE_HEADING.findall(cell.source)
            if headings:
                heading = (headings[-1][0], headings[-1][1].strip().rstrip("."))
        elif cell.cell_type == "code" and BEGIN in cell.source:
            taken = {e.number for e in found}
            if heading is None or heading[0] in taken:
                number, title, named = f"{lesson}.{len(found) + 1}", "", False
            else:
                (number, title), named = heading, True
            nxt = nb.cells[index + 1] if index + 1 < len(nb.cells) else None
            check = index + 1 if nxt is not None and is_check_cell(nxt) else None
            found.append(Exercise(number, title, index, check, named))
            heading = None
    return found


def answer_metadata(exercise: Exercise) -> dict:
    """nbgrader's metadata for an answer cell: a solution, not graded by itself."""
    return {"grade": False, "grade_id": exercise.answer_id, "locked": False,
            "schema_version": SCHEMA_VERSION, "solution": True, "task": False}


def check_metadata(exercise: Exercise) -> dict:
    """nbgrader's metadata for a check cell: a locked autograder test worth POINTS."""
    return {"grade": True, "grade_id": exercise.check_id, "locked": True, "points": POINTS,
            "schema_version": SCHEMA_VERSION, "solution": False, "task": False}


def set_nbgrader_metadata(nb: nbformat.NotebookNode, lesson: int = 0) -> list[Exercise]:
    """Give every exercise's cells their nbgrader metadata, drop stale metadata elsewhere
    (in place); return the exercises."""
    exercises = find_exercises(nb, lesson)
    wanted = {e.answer: answer_metadata(e) for e in exercises}
    wanted.update({e.check: check_metadata(e) for e in exercises if e.check is not None})
    for index, cell in enumerate(nb.cells):
        if index in wanted:
            cell.metadata["nbgrader"] = wanted[index]
        else:
            cell.metadata.pop("nbgrader", None)
    return exercises


def markdown_naming_markers(nb: nbformat.NotebookNode) -> list[int]:
    """Indices of markdown cells that contain a marker nbgrader would try to clear."""
    return [i for i, c in enumerate(nb.cells)
            if c.cell_type != "code" and any(m in c.source for m in MARKERS)]
