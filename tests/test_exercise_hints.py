"""Every exercise: a ladder of hints, a recorded typical mistake that its check cell diagnoses in one
plain message, a "not done yet" naming the answer when it is missing, and neither the answer nor its
formula in any message or hint (``tests/exercise_answers.py`` holds what may not appear).

The check cells are the lessons' own, run here in a fresh namespace as nbgrader's hidden tests
would run them: unanswered, with nbgrader's ``raise NotImplementedError()`` stub, and after the
recorded mistake. ``tests/test_hidden_checks.py`` does the same in a real kernel, with the student
copies' cells (slow tier).
"""

import re
from pathlib import Path

import nbformat
import pytest

from linreg_utils.exercises import ExerciseFailed, ExerciseNotDone, hints
from linreg_utils.exercises.framework import FIRST_LINE, WIDTH
from tests.exercise_answers import ANSWERS, leaks
from tools.nbgrader_cells import find_exercises
from tools.notebooks import lesson_paths

ROOT = Path(__file__).resolve().parents[1]


def exercises():
    """``{number: (check cell source, notebook name)}`` of every exercise in the lessons."""
    found = {}
    for path in lesson_paths(ROOT / "notebooks"):
        nb = nbformat.read(path, as_version=4)
        for e in find_exercises(nb, int(path.name[:2])):
            found[e.number] = (nb.cells[e.check].source, path.name)
    return found


EXERCISES = exercises()
NUMBERS = sorted(EXERCISES, key=lambda n: tuple(map(int, n.split("."))))


def checker_of(number):
    """The checker a check cell calls, and the answer names it passes (``check_x("name", ...)``)."""
    source = EXERCISES[number][0]
    call = re.search(r"^(check_\w+)\((.*)\)$", source, re.M)
    assert call, f"Exercise {number}'s check cell must call its checker on a line of its own"
    import linreg_utils.exercises as package

    return getattr(package, call.group(1)), re.findall(r'"(\w+)"', call.group(2))


def run_check_cell(number, answer_source=""):
    """Run ``answer_source`` then the check cell in a fresh namespace; the exception it ends in."""
    namespace = {}
    exec(compile(answer_source, f"<answer {number}>", "exec"), namespace)
    with pytest.raises(ExerciseFailed) as info:
        exec(compile(EXERCISES[number][0], f"<check {number}>", "exec"), namespace)
    return info.value


def test_every_exercise_has_a_recorded_mistake_and_every_recorded_mistake_an_exercise():
    assert sorted(ANSWERS) == sorted(EXERCISES)


@pytest.mark.parametrize("number", NUMBERS)
def test_each_check_cell_imports_its_own_checker_and_passes_the_answers_name(number):
    source = EXERCISES[number][0]
    check, names = checker_of(number)
    imported = re.search(r"^from linreg_utils\.exercises import (.+)$", source, re.M)
    assert imported and {n.strip() for n in imported.group(1).split(",")} == {check.__name__, "hint"}
    assert check.exercise == number and tuple(names) == check.answers


@pytest.mark.parametrize("number", NUMBERS)
def test_the_hint_ladder_has_three_rungs_or_more_and_gives_nothing_away(number):
    ladder = hints(number)
    assert len(ladder) >= 3, f"Exercise {number}: write at least three rungs"
    for rung in ladder:
        assert not leaks(number, rung), f"a hint of {number} gives away {leaks(number, rung)}: {rung}"


@pytest.mark.parametrize("number", NUMBERS)
def test_unanswered_the_check_cell_says_not_done_yet_naming_the_answer(number):
    error = run_check_cell(number)
    _, names = checker_of(number)
    assert isinstance(error, ExerciseNotDone)
    assert error._render_traceback_()[0] == f"Exercise {number} is not done yet: " + (
        f"set `{names[0]}`." if check_kind(number) == "value" else f"write the function `{names[0]}`.")


def check_kind(number):
    return checker_of(number)[0].kind


@pytest.mark.parametrize("number", [n for n in NUMBERS if check_kind(n) == "function"])
def test_nbgraders_own_stub_says_not_done_yet_naming_the_function(number):
    _, names = checker_of(number)
    error = run_check_cell(number, f"def {names[0]}(*args, **kwargs):\n    raise NotImplementedError()")
    assert isinstance(error, ExerciseNotDone)
    assert error._render_traceback_()[0] == (
        f"Exercise {number} is not done yet: `{names[0]}` still raises NotImplementedError.")


@pytest.mark.parametrize("number", NUMBERS)
def test_the_recorded_mistake_gets_its_diagnosis_in_one_plain_message(number):
    recorded = ANSWERS[number]
    error = run_check_cell(number, recorded.mistake)
    assert not isinstance(error, ExerciseNotDone)
    lines = error._render_traceback_()
    text = "\n".join(lines)
    assert lines[0].startswith(f"Exercise {number} is not right yet: "), text
    assert recorded.diagnosis in lines[0], text
    assert len(lines[0]) <= FIRST_LINE and all(len(line) <= WIDTH for line in lines[1:]), text
    assert lines[-1] == f'Stuck? Run hint("{number}") for a hint.'
    assert not leaks(number, text), f"{number} gives away {leaks(number, text)}: {text}"


@pytest.mark.parametrize("number", NUMBERS)
def test_no_lesson_cell_before_the_exercise_sets_its_answer(number):
    """Otherwise an unanswered exercise would read the lesson's own variable instead of saying
    "not done yet" (the check reads the answer by name)."""
    _, names = checker_of(number)
    path = ROOT / "notebooks" / EXERCISES[number][1]
    nb = nbformat.read(path, as_version=4)
    exercise = next(e for e in find_exercises(nb, int(path.name[:2])) if e.number == number)
    for cell in nb.cells[:exercise.answer]:
        if cell.cell_type == "code":
            for name in names:
                assert not re.search(rf"(^|[\s,(]){name}\s*(=[^=]|,.*=)|def {name}\(|import.*\b{name}\b",
                                     cell.source, re.M), f"an earlier cell of {path.name} sets `{name}`"
