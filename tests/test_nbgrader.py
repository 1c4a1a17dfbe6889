"""The lessons work as an nbgrader assignment, end to end, with the real nbgrader (slow tier).

Every lesson (found automatically) goes into a temporary course's ``source/lessons/`` with its
generated cells and metadata (applied to copies, so this holds before and after ``make
notebooks``); ``nbgrader generate_assignment`` releases them all; three students hand in: the
solutions (full marks), an untouched release copy (0) and the solutions with one typical
mistake (partial marks, and the feedback shows our checker's hint). ``nbgrader autograde``
executes every submitted lesson, so each student hands in only the lessons that
``tests/slow_tier.py`` gives nbgrader (``make test-all`` runs each lesson at most twice; nbval
has run them all already).
"""

import re
from pathlib import Path

import nbformat
import pytest

from tests import slow_tier as tier
from tools.nbgrader_cells import BEGIN, find_exercises
from tools.nbgrader_course import ASSIGNMENT, build_course, grade, solution_answers, submit
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
    ("ex-3-3", r"\n\s*optimizer\.zero_grad\(\)", ""),  # the bug the exercise is about
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
    assert hint in feedback.read_text(encoding="utf-8"), f"{feedback.name} lacks the hint {hint!r}"
