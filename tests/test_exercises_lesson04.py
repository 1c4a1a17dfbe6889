"""Lesson 04's checkers accept the right answers and name each mistake they claim to know."""

import cmath
import math

import pytest

from linreg_utils import condition_number, seed_data
from linreg_utils.exercises import ExerciseNotDone
from linreg_utils.exercises.lesson04 import (
    check_beat_polyak,
    check_best_beta,
    check_momentum_roots,
    check_momentum_step,
    steps_to_settle,
)
from linreg_utils.optimizers import sgd_momentum
from linreg_utils.theory import momentum_parameters, momentum_roots
from tests.exercise_answers import failure

KAPPA = condition_number(seed_data()[0])
ROOT = math.sqrt(KAPPA)


def test_right_best_beta_passes(capsys):
    check_best_beta(((ROOT - 1) / (ROOT + 1)) ** 2)
    assert capsys.readouterr().out.startswith("✔ Exercise 4.1 passed")


@pytest.mark.parametrize("answer, words", [
    ((ROOT - 1) / (ROOT + 1), "rate"),
    (((KAPPA - 1) / (KAPPA + 1)) ** 2, "used κ where"),
    ((KAPPA - 1) / (KAPPA + 1), "plain GD"),
    (0.9, "default"),
    (0.5, "closer to 1"),
    ("a number", "should be a number"),
])
def test_best_beta_mistakes_are_named(answer, words):
    assert words in failure(check_best_beta, answer)


def test_best_beta_of_any_numeric_type_passes(capsys):
    import numpy as np
    import torch

    beta = ((ROOT - 1) / (ROOT + 1)) ** 2
    for value in (np.float32(beta), np.float64(beta), torch.tensor(beta),
                  torch.tensor(beta, dtype=torch.float32)):
        check_best_beta(value)
    assert capsys.readouterr().out.count("✔") == 4


def test_right_roots_pass_and_say_why_beta_one_fails(capsys):
    check_momentum_roots(momentum_roots)
    assert "β = 1" in capsys.readouterr().out


def _roots(a, b):
    d = cmath.sqrt(a * a - 4 * b)
    return (a + d) / 2, (a - d) / 2


def _real_sqrt_roots(e, b):
    a = 1 + b - e
    d = math.sqrt(a * a - 4 * b)
    return (a + d) / 2, (a - d) / 2


@pytest.mark.parametrize("wrong, words", [
    (lambda e, b: momentum_roots(-e, b), "sign of ηλ"),
    (lambda e, b: tuple((1 + b - e) / 2 + s * cmath.sqrt((1 + b - e) ** 2 + 4 * b) / 2 for s in (1, -1)),
     "constant term"),
    (lambda e, b: tuple((1 - e) / 2 + s * cmath.sqrt((1 - e) ** 2 - 4 * b) / 2 for s in (1, -1)),
     "misses β"),
    (lambda e, b: tuple(complex(m.real) for m in momentum_roots(e, b)), "only the real parts"),
    (lambda e, b: 1 - e, "as a pair"),
    (lambda e, b: _roots(1 + b - 2 * e, b), "wrong roots at"),
    (_real_sqrt_roots, "math.sqrt cannot take a negative number"),
    (lambda e, b: 1 / 0, "ZeroDivisionError"),
])
def test_root_mistakes_are_named(wrong, words):
    assert words in failure(check_momentum_roots, wrong)


def test_a_crash_names_the_line_of_the_learners_code():
    def momentum_roots_with_typo(eta_lam, beta):
        a = 1 + beta - eta_lam
        return a / (beta - beta)

    assert "of your cell: return a / (beta - beta)" in failure(check_momentum_roots, momentum_roots_with_typo)


def test_polyak_settles_in_132_torch_steps_and_a_point_inside_the_band_beats_it(capsys):
    eta, beta, _ = momentum_parameters(seed_data()[0])
    assert steps_to_settle(eta, beta) == 132
    check_beat_polyak(0.038, 0.82)
    assert capsys.readouterr().out.startswith("✔ Exercise 4.3 passed")


@pytest.mark.parametrize("lr, beta, words", [
    (0.05, 0.5, "diverges"), (0.01, 0.5, "overdamped"), (0.02, 0.95, "oscillates too long"),
    (0.0402, 0.8141, "not before step 132"), (0.03, 1.2, "0 ≤ β < 1"),
])
def test_beat_polyak_mistakes_are_named(lr, beta, words):
    assert words in failure(check_beat_polyak, lr, beta)


def test_beat_polyak_says_what_the_widget_shows_at_its_nearest_stop(capsys):
    check_beat_polyak(0.038, 0.82)
    out = capsys.readouterr().out
    assert "from step 95 on" in out and "nearest stop, η = 0.03802, β = 0.82, settles from step 96" in out


def momentum_step(theta, grad, velocity, lr, beta):
    """The exercise's answer, written with the package's update."""
    state = {"v": velocity}
    return sgd_momentum(theta, grad, state, lr, beta), state["v"]


def test_right_momentum_passes(capsys):
    check_momentum_step(momentum_step)
    assert capsys.readouterr().out.startswith("✔ Exercise 4.4 passed")


@pytest.mark.parametrize("wrong, words", [
    (lambda t, g, v, lr, b: (t - lr * g, b * v + g), "plain gradient descent"),
    (lambda t, g, v, lr, b: (t - lr * (b * v + (1 - b) * g), b * v + (1 - b) * g), "dampening"),
    (lambda t, g, v, lr, b: (t - lr * v, b * v + g), "old velocity"),
    (lambda t, g, v, lr, b: (t + lr * (b * v + g), b * v + g), "uphill"),
    (lambda t, g, v, lr, b: (t - lr * (g + b * (b * v + g)), b * v + g), "Nesterov"),
    (lambda t, g, v, lr, b: (t - 2 * lr * (b * v + g), b * v + g), "Check both lines"),
    (lambda t, g, v, lr, b: t - lr * g, "tuple of two tensors"),
])
def test_momentum_mistakes_are_named(wrong, words):
    assert words in failure(check_momentum_step, wrong)


def test_unfinished_momentum_says_not_done():
    def momentum_step(theta, grad, velocity, lr, beta):
        raise NotImplementedError("Exercise 4.4: write the momentum update")

    with pytest.raises(ExerciseNotDone, match="Exercise 4.4 is not done yet: `momentum_step` still raises"):
        check_momentum_step(momentum_step)
