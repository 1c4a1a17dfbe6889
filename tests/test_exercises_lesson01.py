"""Lesson 01's checkers accept the right answers and name each mistake they claim to recognise."""

import math

import numpy as np
import pytest
import torch

from linreg_utils import eigen_errors, gap_shares, hessian_eigenvalues, mse_hessian, seed_data
from linreg_utils.exercises.lesson01 import (
    check_damped_newton_prediction,
    check_largest_rosenbrock_lr,
    check_line_search_lr,
    damped_newton_steps,
    settles,
)
from linreg_utils.theory import mse_gradient
from tests import lesson_numbers as numbers
from tests.exercise_answers import failure


def seed_gradient_and_hessian():
    x, y = (t.double() for t in seed_data())
    return mse_gradient(x, y, torch.zeros(2, dtype=torch.float64)), mse_hessian(x)


def line_search_lr():
    """``η* = gᵀg / gᵀHg`` at ``θ0 = (0, 0)`` on the seed: one GD step lands on the parabola's bottom."""
    g, h = seed_gradient_and_hessian()
    return (g @ g / (g @ h @ g)).item()


def test_right_answers_pass(capsys):
    check_line_search_lr(line_search_lr())
    check_damped_newton_prediction(numbers.L01_DAMPED_NEWTON_STEPS)
    check_largest_rosenbrock_lr(numbers.L01_ROSENBROCK_LARGEST_LR)
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split(":")[0] for ln in lines] == [f"✔ Exercise 1.{i} passed" for i in (1, 2, 3)]


@pytest.mark.parametrize("kind", [float, np.float32, np.float64, torch.tensor, lambda v: torch.tensor([v])])
def test_a_right_answer_passes_whatever_its_numeric_type(kind, capsys):
    check_line_search_lr(kind(line_search_lr()))
    check_damped_newton_prediction(kind(numbers.L01_DAMPED_NEWTON_STEPS))
    assert capsys.readouterr().out.count("✔") == 2


def test_line_search_lr_is_the_number_the_lesson_states():
    assert f"{line_search_lr():.6f}" == numbers.L01_LINE_SEARCH_LR
    assert line_search_lr() == pytest.approx(1 / hessian_eigenvalues(seed_data()[0])[1], rel=1e-4)


def test_damped_newton_step_count_is_measured_and_matches_the_rho_squared_recipe():
    x, y = seed_data()
    lam, c0 = eigen_errors(x, y)
    gap0 = gap_shares(lam, c0).sum()
    assert damped_newton_steps() == numbers.L01_DAMPED_NEWTON_STEPS
    assert math.ceil(math.log(1e-6 / gap0) / math.log(0.25)) == numbers.L01_DAMPED_NEWTON_STEPS
    assert damped_newton_steps(alpha=1.0) == 1


def line_search_variant(kind):
    g, h = seed_gradient_and_hessian()
    eta = (g @ g / (g @ h @ g)).item()
    return {"2x": 2 * eta, "sign": -eta, "distance": eta * g.norm().item(), "over": eta / g.norm().item(),
            "1/λmax": 1 / torch.linalg.eigvalsh(h)[-1].item(), "upside": 1 / eta, "other": 0.5,
            "rounded": 0.0111, "tensor": torch.tensor([1.0, 2.0]), "dots": ..., "nan": math.nan,
            "inf": math.inf, "text": "about 0.01", "bool": True}[kind]


LINE_SEARCH_MISTAKES = {
    "2x": "twice the best step",
    "sign": "a learning rate is positive",
    "distance": "a distance along the unit direction",
    "over": "divided by ‖g‖ once too often",
    "1/λmax": "that is 1/λmax",
    "upside": "upside down",
    "rounded": "close, but not to six significant digits",  # what the check used to print back
    "other": "not the bottom of the parabola",
    "tensor": "should be one number",
    "nan": "eta_star is nan",
    "inf": "eta_star is inf",
    "text": "write the number itself, not text",
    "bool": "should be a number",
}


@pytest.mark.parametrize("kind", LINE_SEARCH_MISTAKES)
def test_line_search_mistakes_are_named(kind):
    assert LINE_SEARCH_MISTAKES[kind] in failure(check_line_search_lr, line_search_variant(kind))


def test_the_ellipsis_left_in_place_is_not_done_yet():
    from linreg_utils.exercises import ExerciseNotDone

    namespace = {"eta_star": ..., "check": check_line_search_lr}
    with pytest.raises(ExerciseNotDone, match="set `eta_star`"):
        exec("check('eta_star')", namespace)


NEWTON_MISTAKES = {
    23: "shrank the gap by ρ = 1 − α",
    10: "forgot where the gap starts",
    20: "two slips",
    11: "rounded down",
    1: "full Newton step",
    2: "two half steps",
    7: "not the count the torch loop measured",
    11.5: "should be a whole number",
}


@pytest.mark.parametrize("prediction", NEWTON_MISTAKES)
def test_damped_newton_mistakes_are_named(prediction):
    assert NEWTON_MISTAKES[prediction] in failure(check_damped_newton_prediction, prediction)


ROSENBROCK_MISTAKES = {
    0.0021: "GD does not settle",
    0.01: "it overflowed",
    0.0019991: "three significant digits, not 5",  # above the edge: it got there and left again
    0.002: "never got within",
    0.0013: "no larger than 2/λmax at the start",
    0.0019: "larger learning rates do too",  # two significant digits (0.00190): not the largest
    0.00198: "larger learning rates do too",
    -1.0: "must be positive",
}


@pytest.mark.parametrize("lr", ROSENBROCK_MISTAKES)
def test_rosenbrock_lr_mistakes_are_named(lr):
    assert ROSENBROCK_MISTAKES[lr] in failure(check_largest_rosenbrock_lr, lr)


def test_largest_lr_means_settles_not_reaches_once():
    reached, trouble = settles(0.0019991)
    assert reached is not None and "left again" in trouble
    assert settles(numbers.L01_ROSENBROCK_LARGEST_LR)[1] == ""
