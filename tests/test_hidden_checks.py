"""The hidden-style check (slow tier): every check cell of every student copy, run in a real Jupyter
kernel as nbgrader's autograder would run it, unanswered, with nbgrader's own stub, and after the
exercise's recorded typical mistake (``tests/exercise_answers.py``).

Unanswered, each check cell must end in one message, "Exercise N.M is not done yet", naming the
answer; after the mistake, in one message whose first line is the diagnosis: no traceback, and
neither the answer nor its formula. The cells run without the rest of their lesson (a namespace
reset before each), so no lesson is executed here: ``tests/slow_tier.py``'s plan still holds.
"""

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from linreg_utils.exercises.framework import FIRST_LINE, WIDTH
from tests.exercise_answers import ANSWERS, leaks
from tools.nbgrader_cells import find_exercises
from tools.notebooks import lesson_paths
from tools.student import write_student_copies

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
RESET = "%reset -f"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """``{(number, case): error output}`` for the cases "unanswered", "stub" (function exercises)
    and "mistake" of every exercise of the student copies, all run in one kernel."""
    folder = tmp_path_factory.mktemp("student")
    write_student_copies(ROOT / "notebooks", folder)
    cells, cases = [], []
    for path in lesson_paths(folder):
        nb = nbformat.read(path, as_version=4)  # the student copy: cell for cell like its source
        source = nbformat.read(ROOT / "notebooks" / path.name, as_version=4)
        for exercise in find_exercises(source, int(path.name[:2])):
            check = nb.cells[exercise.check].source
            names = re.findall(r'"(\w+)"', re.search(r"^check_\w+\((.*)\)$", check, re.M).group(1))
            steps = [("unanswered", "")]
            if f"def {names[0]}(" in ANSWERS[exercise.number].mistake:
                steps.append(("stub", f"def {names[0]}(*args, **kwargs):\n    raise NotImplementedError()"))
            steps.append(("mistake", ANSWERS[exercise.number].mistake))
            for case, answer in steps:
                cells += [RESET, answer or "pass", check]
                cases.append((exercise.number, case, names, len(cells) - 1))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    found = {}
    for number, case, names, index in cases:
        errors = [o for o in nb.cells[index].outputs if o.output_type == "error"]
        assert len(errors) == 1, f"Exercise {number} ({case}): the check cell must end in one error"
        found[number, case] = (errors[0], names)
    return found


def every(runs, case):
    found = [(number, error, names) for (number, c), (error, names) in runs.items() if c == case]
    assert found, f"no {case} run"
    return sorted(found, key=lambda item: item[0])


def plain(error):
    """The error output shows our lines only: no traceback frame, no ANSI-coloured source."""
    return not [line for line in error.traceback if "Traceback" in line or "File " in line or "\x1b[" in line]


def test_every_exercise_was_run(runs):
    numbers = {n for n, _ in runs}
    assert numbers == set(ANSWERS) and len(numbers) >= 23


def test_unanswered_every_check_says_not_done_yet_naming_the_answer(runs):
    for number, error, names in every(runs, "unanswered"):
        assert error.ename == "ExerciseNotDone", (number, error.ename, error.evalue)
        first = error.traceback[0]
        assert first.startswith(f"Exercise {number} is not done yet: ") and f"`{names[0]}`" in first, first
        assert plain(error), error.traceback


def test_with_nbgraders_own_stub_every_function_check_says_not_done_yet(runs):
    stubs = every(runs, "stub")
    assert stubs
    for number, error, names in stubs:
        want = f"Exercise {number} is not done yet: `{names[0]}` still raises NotImplementedError."
        assert error.traceback[0] == want
        assert plain(error), error.traceback


def test_the_recorded_mistake_gets_one_plain_message_without_the_answer(runs):
    for number, error, _ in every(runs, "mistake"):
        lines = error.traceback
        assert error.ename == "ExerciseFailed" and plain(error), lines
        assert lines[0].startswith(f"Exercise {number} is not right yet: "), lines
        assert ANSWERS[number].diagnosis in lines[0] and len(lines[0]) <= FIRST_LINE, lines
        assert all(len(line) <= WIDTH for line in lines[1:])
        assert lines[-1] == f'Stuck? Run hint("{number}") for a hint.'
        assert not leaks(number, "\n".join(lines)), (number, leaks(number, "\n".join(lines)))
