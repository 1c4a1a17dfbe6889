"""The shared exercise tools phrase every outcome the same way."""

import pytest

from linreg_utils.exercises import ExerciseFailed, call_answer, fail, passed


def test_passed_prints_one_line(capsys):
    passed("1.1", "the gradient matches autograd")
    assert capsys.readouterr().out == "✔ Exercise 1.1 passed: the gradient matches autograd\n"


def test_fail_raises_with_the_hint():
    with pytest.raises(ExerciseFailed, match=r"Exercise 2\.3 is not right yet: the sign is wrong"):
        fail("2.3", "the sign is wrong")


def test_unfinished_exercise_says_what_to_do():
    def stub():
        raise NotImplementedError("Exercise 1.1: compute the gradient")

    with pytest.raises(NotImplementedError, match=r"Exercise 1\.1 is not done yet"):
        call_answer("1.1", stub)


def test_crashing_answer_is_reported_with_its_error():
    with pytest.raises(ExerciseFailed, match="ZeroDivisionError"):
        call_answer("1.1", lambda: 1 / 0)


def test_non_callable_answer_is_refused():
    with pytest.raises(ExerciseFailed, match="function"):
        call_answer("1.1", 42)
