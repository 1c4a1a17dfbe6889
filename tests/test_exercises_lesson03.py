"""Lesson 03's checkers accept the right answers and name each mistake they claim to know."""

import pytest

from linreg_utils import critical_lr, seed_data
from linreg_utils.exercises import ExerciseNotDone
from linreg_utils.exercises.lesson03 import (
    _loop,
    check_critical_scale,
    check_rescue_step,
    check_train,
    first_stable_step,
    preconditioned_eigenvalues,
    reference_train,
)
from tests.exercise_answers import failure


def test_right_rescue_step_passes(capsys):
    check_rescue_step(first_stable_step())
    assert first_stable_step() == 3
    assert capsys.readouterr().out.startswith("✔ Exercise 3.1 passed")


@pytest.mark.parametrize("answer, words", [(2, "rounded down"), (4, "one step late"), (2.49, "whole number"),
                                           (7, "not the first step"), ("three", "should be a number")])
def test_rescue_step_mistakes_are_named(answer, words):
    assert words in failure(check_rescue_step, answer)


def test_right_loop_passes(capsys):
    check_train(reference_train)
    assert capsys.readouterr().out.startswith("✔ Exercise 3.3 passed")


@pytest.mark.parametrize("order, words", [("bs", "never call optimizer.zero_grad"), ("bzs", "never moved"),
                                          ("zb", "never moved")])
def test_loop_mistakes_are_named(order, words):
    assert words in failure(check_train, _loop(order))


def test_loop_returning_nothing_is_explained():
    assert "list of the 12 losses" in failure(check_train, lambda m, x, y, o, s: None)


def test_unfinished_loop_says_not_done():
    def train(model, x, y, optimizer, steps):
        raise NotImplementedError()

    with pytest.raises(ExerciseNotDone, match="`train` still raises NotImplementedError"):
        check_train(train)


LAM_MIN, LAM_MAX = preconditioned_eigenvalues()


def test_right_critical_scale_passes_and_torch_agrees(capsys):
    check_critical_scale(2 / LAM_MAX)
    out = capsys.readouterr().out
    assert out.startswith("✔ Exercise 3.2 passed") and "diverging" in out


@pytest.mark.parametrize("answer, words", [
    (critical_lr(seed_data()[0]), "raw Hessian's limit"), (2 / (LAM_MIN + LAM_MAX), "best worst-case"),
    (1 / LAM_MAX, "beyond ηλ = 1"), (2 / LAM_MIN, "flat direction"), (0.5, "still converges above your c"),
    (1.5, "the run diverges"), (float("nan"), "critical_scale is nan"),
])
def test_critical_scale_mistakes_are_named(answer, words):
    assert words in failure(check_critical_scale, answer)
