"""The progress cell shows each exercise's latest verdict, as the checkers recorded it."""

import pytest

from linreg_utils import exercises
from linreg_utils.exercises import ExerciseFailed, call_answer, fail, passed, show_progress


@pytest.fixture(autouse=True)
def fresh_verdicts(monkeypatch):
    monkeypatch.setattr(exercises, "_VERDICTS", {})


def stub():
    raise NotImplementedError("Exercise 9.2: write it")


def test_progress_lists_done_failed_unanswered_and_unchecked_exercises(capsys):
    passed("9.1", "the gradient matches.")
    with pytest.raises(NotImplementedError):
        call_answer("9.2", stub)
    with pytest.raises(ExerciseFailed):
        fail("9.3", "the sign is wrong: the loss went up.")
    capsys.readouterr()
    show_progress("9.1", "9.2", "9.3", "9.4")
    assert capsys.readouterr().out.splitlines() == [
        "✔ done     Exercise 9.1: the gradient matches.",
        "· not yet  Exercise 9.2: not answered yet: the cell still raises NotImplementedError.",
        "· not yet  Exercise 9.3: the sign is wrong: the loss went up.",
        "· not yet  Exercise 9.4: not checked yet: run its check cell.",
        "1 of 4 exercises done.",
    ]


def test_a_later_verdict_replaces_an_earlier_one(capsys):
    with pytest.raises(ExerciseFailed):
        fail("9.1", "not yet.")
    passed("9.1", "now right.")
    with pytest.raises(ExerciseFailed):
        call_answer("9.2", lambda: 1 / 0)
    capsys.readouterr()
    show_progress("9.1", "9.2")
    out = capsys.readouterr().out
    assert "✔ done     Exercise 9.1: now right." in out
    assert "Exercise 9.2: your function raised ZeroDivisionError" in out


@pytest.mark.parametrize("bad", [(), (2.1,), (["2.1"],)])
def test_progress_needs_exercise_numbers_as_strings(bad):
    with pytest.raises(ValueError, match="exercises must be numbers like '2.1'"):
        show_progress(*bad)
