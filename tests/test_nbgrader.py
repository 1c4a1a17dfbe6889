"""The lessons work as an nbgrader assignment, end to end, with the real nbgrader (slow tier).

Every lesson (found automatically) goes into a temporary course's ``source/lessons/`` with its
generated cells and metadata (applied to copies, so this holds before and after ``make
notebooks``), next to the course's own ``nbgrader_config.py`` (no command-line override);
``nbgrader generate_assignment`` releases them all; three students hand in: the solutions (full
marks), an untouched release copy (0: every check says "not done yet", naming the answer, with
nbgrader's own ``raise NotImplementedError()`` stub in the answer cells) and the solutions with one
typical mistake (its point lost; the feedback and ``nbgrader validate`` show our diagnosis on the
first line, no traceback). ``nbgrader autograde``
executes every submitted lesson, so each student hands in only the lessons that
``tests/slow_tier.py`` gives nbgrader (``make test-all`` runs each lesson at most twice; nbval
has run them all already).
"""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.validator import Validator

from tests import slow_tier as tier
from tools.nbgrader_cells import BEGIN, find_exercises
from tools.nbgrader_course import ASSIGNMENT, CONFIG, build_course, grade, solution_answers, submit
from tools.notebooks import lesson_paths

ROOT = Path(__file__).resolve().parents[1]
LESSONS = lesson_paths(ROOT / "notebooks")
SOLVED = tier.lessons_for(tier.NBGRADER_SOLUTIONS)
UNTOUCHED = tier.lessons_for(tier.NBGRADER_UNTOUCHED)
MISTAKEN = tier.lessons_for(tier.NBGRADER_MISTAKE)

pytestmark = pytest.mark.slow

# Typical mistakes: (answer's grade_id, pattern in the solution, replacement). The first whose
# pattern is found in the lesson given to the mistake student is used; its feedback must show
# our checker's hint, which always reads "Exercise N.M is not right yet: ...".
MISTAKES = [
    ("ex-3-3", r"range_test_turn\(test\)\[1\] / 10", "range_test_turn(test)[1]"),  # the turn itself
    ("ex-2-1", r"rho\*\*2", "rho"),  # ρ instead of ρ²: the error's factor, not the loss's
    ("ex-6-2", r"b_z - w_z \* mean / std", "b_z + w_z * mean / std"),  # sign of the shift
    ("ex-4-4", r"theta - lr \* velocity", "theta - lr * grad"),  # momentum's velocity unused
]


def pick_mistake(solutions):
    """The first mistake of :data:`MISTAKES` that applies to a lesson of :data:`MISTAKEN`:
    ``(lesson name, grade_id, pattern, replacement)``."""
    for grade_id, pattern, replacement in MISTAKES:
        for name in MISTAKEN:
            if re.search(pattern, solutions[name].get(grade_id, "")):
                return name, grade_id, pattern, replacement
    pytest.fail(f"no mistake of MISTAKES applies to {MISTAKEN}: add one for one of its exercises")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A graded course: ``(folder, scores by student, (lesson, grade_id, hint) of the mistake)``."""
    folder = tmp_path_factory.mktemp("course")
    build_course(ROOT / "notebooks", folder)
    solutions = solution_answers(folder / "source" / ASSIGNMENT)
    lesson, grade_id, pattern, replacement = pick_mistake(solutions)
    hint = f"Exercise {grade_id.removeprefix('ex-').replace('-', '.')} is not right yet:"

    def with_mistake(name, answer_id, answer):
        return re.sub(pattern, replacement, answer) if answer_id == grade_id else answer

    submit(folder, "solutions", lambda name, answer_id, answer: answer, only=SOLVED)
    submit(folder, "untouched", None, only=UNTOUCHED)
    submit(folder, "mistake", with_mistake, only=[lesson])
    return folder, grade(folder), (lesson, grade_id, hint)


def points(names=None):
    """Exercises (1 point each) in the lessons named, default all of them."""
    return sum(len(find_exercises(nbformat.read(p, as_version=4))) for p in LESSONS
               if names is None or p.name in names)


def total_exercises():
    return points()


def test_every_lesson_is_released_without_its_solutions(course):
    folder, _, _ = course
    released = lesson_paths(folder / "release" / ASSIGNMENT)
    assert [p.name for p in released] == [p.name for p in LESSONS]
    for path in released:
        text = path.read_text(encoding="utf-8")
        assert BEGIN not in text and "END SOLUTION" not in text, f"{path.name} leaks a solution"
    assert total_exercises() > 0


def test_solutions_score_full_marks(course):
    _, scores, _ = course
    assert points(SOLVED) > 0, f"{SOLVED} hold no exercise: give nbgrader's solutions a lesson with some"
    assert scores["solutions"] == (points(SOLVED), total_exercises())


def test_an_untouched_release_copy_scores_zero(course):
    _, scores, _ = course
    assert points(UNTOUCHED) > 0
    assert scores["untouched"] == (0, total_exercises())


def test_one_typical_mistake_scores_partial_and_the_feedback_shows_our_hint(course):
    folder, scores, (lesson, grade_id, hint) = course
    score, most = scores["mistake"]
    assert (score, most) == (points([lesson]) - 1, total_exercises()), f"mistake in {lesson}, {grade_id}"
    feedback = folder / "feedback" / "mistake" / ASSIGNMENT / lesson.replace(".ipynb", ".html")
    text = feedback.read_text(encoding="utf-8")
    assert hint in text, f"{feedback.name} lacks the hint {hint!r}"
    assert "most recent call last" not in text and "framework.py" not in text


def graded_check_cells(folder, student, lesson):
    """The autograded check cells of ``student``'s ``lesson``: ``[(grade_id, cell)]``."""
    nb = nbformat.read(folder / "autograded" / student / ASSIGNMENT / lesson, as_version=4)
    return [(c.metadata["nbgrader"]["grade_id"], c) for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]


def test_nbgrader_validate_shows_the_diagnosis_on_the_first_line(course):
    """What ``nbgrader validate`` prints for the failed check (its own formatting: indented, lines
    cut at 90 characters), read off the autograded notebook instead of executing it again."""
    folder, _, (lesson, grade_id, hint) = course
    failed = [cell for gid, cell in graded_check_cells(folder, "mistake", lesson)
              if gid == grade_id.replace("ex-", "check-")]
    validator = Validator()
    printed = validator._indent(validator._extract_error(failed[0])).splitlines()
    assert printed[0].strip().startswith(hint) and not printed[0].endswith("..."), printed
    assert not [line for line in printed if "Traceback" in line]


def test_untouched_checks_say_not_done_yet_naming_the_answer_without_a_traceback(course):
    folder, _, _ = course
    for lesson in UNTOUCHED:
        checks = graded_check_cells(folder, "untouched", lesson)
        assert checks
        for grade_id, cell in checks:
            (error,) = [o for o in cell.outputs if o.output_type == "error"]
            names = re.findall(r'"(\w+)"', cell.source.splitlines()[-1])
            number = grade_id.removeprefix("check-").replace("-", ".")
            assert error.ename == "ExerciseNotDone", (lesson, grade_id, error.ename)
            assert error.traceback[0].startswith(f"Exercise {number} is not done yet: "), error.traceback
            assert f"`{names[0]}`" in error.traceback[0]
            assert not [line for line in error.traceback if "Traceback" in line or "File " in line]


def test_the_course_runs_with_its_own_config_file(course):
    """The course folder holds the repository's ``nbgrader_config.py``, and nbgrader reads its
    execute timeout from it (nothing is passed on the command line)."""
    folder, _, _ = course
    assert (folder / CONFIG.name).read_text() == CONFIG.read_text()
    want = int(re.search(r"^c\.Execute\.timeout = (\d+)", CONFIG.read_text(), re.M).group(1))
    code = ("from nbgrader.apps.nbgraderapp import NbGraderApp\n"
            "app = NbGraderApp(); app.initialize([]); print(app.config.Execute.timeout)")
    got = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, check=True)
    assert int(got.stdout.split()[-1]) == want > 30
