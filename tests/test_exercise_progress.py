"""The progress cell shows each exercise's verdict, as the checkers recorded it; done stays done."""

import pytest

from linreg_utils.exercises import ExerciseFailed, framework, show_progress
from tests.test_exercise_framework import check_double, check_guess


@pytest.fixture(autouse=True)
def fresh_verdicts(monkeypatch):
    monkeypatch.setattr(framework, "_VERDICTS", {})


def double(x):
    raise NotImplementedError("Exercise 9.2: write it")


def test_progress_lists_done_failed_unanswered_and_unchecked_exercises(capsys):
    check_guess(42)
    with pytest.raises(ExerciseFailed):
        check_double(double)
    capsys.readouterr()
    show_progress("9.1", "9.2", "9.3")
    assert capsys.readouterr().out.splitlines() == [
        "✔ done     Exercise 9.1: the answer.",
        "· not yet  Exercise 9.2: not done yet: `double` still raises NotImplementedError.",
        "· not yet  Exercise 9.3: not checked yet: run its check cell.",
        "1 of 3 exercises done.",
    ]


def test_a_check_cell_that_ran_on_an_undefined_name_is_not_reported_unchecked(capsys):
    with pytest.raises(ExerciseFailed):
        exec("check('guess')", {"check": check_guess})
    show_progress("9.1")
    assert "Exercise 9.1: not done yet: set `guess`." in capsys.readouterr().out


def test_done_stays_done_when_a_later_check_fails_and_says_so(capsys):
    with pytest.raises(ExerciseFailed):
        check_guess(41)
    check_guess(42)
    with pytest.raises(ExerciseFailed):
        check_guess(40)
    capsys.readouterr()
    show_progress("9.1")
    out = capsys.readouterr().out
    assert ("✔ done     Exercise 9.1: passed earlier; your latest answer is not right yet: "
            "that is not the answer.") in out
    assert "1 of 1 exercises done." in out


@pytest.mark.parametrize("bad", [(), (2.1,), (["2.1"],)])
def test_progress_needs_exercise_numbers_as_strings(bad):
    with pytest.raises(ValueError, match="exercises must be numbers like '2.1'"):
        show_progress(*bad)
