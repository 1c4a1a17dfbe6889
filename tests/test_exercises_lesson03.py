"""Lesson 03's checkers accept the right answers and name each mistake they claim to know."""

import pytest
import torch

from linreg_utils import critical_lr, line_loss, lr_range_test, range_test_turn, seed_data
from linreg_utils.exercises.lesson03 import (
    check_critical_scale,
    check_picked_lr,
    check_standardized_edge,
    pick_problem,
    preconditioned_eigenvalues,
    standardized_range_test,
)
from tests.exercise_answers import failure


def test_right_standardized_edge_passes(capsys):
    check_standardized_edge(1.0)
    out = capsys.readouterr().out
    assert out.startswith("✔ Exercise 3.1 passed") and "turned up at η = 5.96" in out


EDGE, _, TURN = standardized_range_test()


@pytest.mark.parametrize("answer, words", [
    (2.0, "factor 2 of the Hessian is missing"), (0.5, "beyond ηλ = 1"),
    (critical_lr(seed_data()[0]), "raw data's limit"), (TURN, "where the range test blew up"),
    (0.3, "not at η = 0.3"), ("one", "should be a number"),
])
def test_standardized_edge_mistakes_are_named(answer, words):
    assert words in failure(check_standardized_edge, answer)


X3, Y3 = pick_problem()
LOWEST, TURN3 = range_test_turn(lr_range_test(line_loss(X3, Y3), torch.zeros(2, dtype=torch.float64)))
CRIT3 = critical_lr(X3)


def test_a_tenth_of_the_turn_passes(capsys):
    check_picked_lr(TURN3 / 10)
    assert capsys.readouterr().out.startswith("✔ Exercise 3.3 passed")


@pytest.mark.parametrize("answer, words", [
    (LOWEST, "you picked the curve's lowest point"), (TURN3, "you picked the turn itself"),
    (1.3 * CRIT3, "you picked an lr past the edge"), (0.05 * CRIT3, "slower than it need be"),
    (-0.01, "a learning rate is positive"), ("fast", "should be a number"),
])
def test_picked_lr_mistakes_are_named(answer, words):
    assert words in failure(check_picked_lr, answer)


LAM_MIN, LAM_MAX = preconditioned_eigenvalues()


def test_right_critical_scale_passes_and_torch_agrees(capsys):
    check_critical_scale(2 / LAM_MAX)
    out = capsys.readouterr().out
    assert out.startswith("✔ Exercise 3.2 passed") and "diverging" in out


@pytest.mark.parametrize("answer, words", [
    (critical_lr(seed_data()[0]), "raw Hessian's limit"), (2 / (LAM_MIN + LAM_MAX), "best worst-case"),
    (1 / LAM_MAX, "beyond c·λ = 1"), (2 / LAM_MIN, "flat direction"), (0.5, "still converges above your c"),
    (1.5, "the run diverges"), (float("nan"), "critical_scale is nan"),
])
def test_critical_scale_mistakes_are_named(answer, words):
    assert words in failure(check_critical_scale, answer)
