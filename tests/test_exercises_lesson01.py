"""Lesson 01's checkers accept the right answers and name each mistake they claim to recognise."""

import math

import pytest
import torch

from linreg_utils import eigen_errors, gap_shares, hessian_eigenvalues, mse_hessian, seed_data
from linreg_utils.exercises import ExerciseFailed
from linreg_utils.exercises.lesson01 import (
    check_damped_newton_prediction,
    check_largest_rosenbrock_lr,
    check_line_search_lr,
    damped_newton_steps,
)
from linreg_utils.theory import mse_gradient
from tests import lesson_numbers as numbers


def seed_gradient_and_hessian():
    x, y = (t.double() for t in seed_data())
    return mse_gradient(x, y, torch.zeros(2, dtype=torch.float64)), mse_hessian(x)


def line_search_lr():
    """``η* = gᵀg / gᵀHg`` at ``θ0 = (0, 0)`` on the seed: one GD step lands on the parabola's bottom."""
    g, h = seed_gradient_and_hessian()
    return (g @ g / (g @ h @ g)).item()


def test_right_answers_pass(capsys):
    g, h = seed_gradient_and_hessian()
    check_line_search_lr((g @ g / (g @ h @ g)).item())
    check_damped_newton_prediction(numbers.L01_DAMPED_NEWTON_STEPS)
    check_largest_rosenbrock_lr(numbers.L01_ROSENBROCK_LARGEST_LR)
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split(":")[0] for ln in lines] == [f"✔ Exercise 1.{i} passed" for i in (1, 2, 3)]


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
            "tensor": torch.tensor([1.0, 2.0]), "dots": ...}[kind]


LINE_SEARCH_MISTAKES = {
    "2x": "twice η",
    "sign": "sign is wrong",
    "distance": "distance t\\* along the unit direction",
    "over": "divided by ‖g‖ once too often",
    "1/λmax": "that is 1/λmax",
    "upside": "upside down",
    "other": "expected about 0.0111",
    "tensor": "should be one number, got a tensor",
    "dots": "leave the cell's `...`",
}


@pytest.mark.parametrize("kind", LINE_SEARCH_MISTAKES)
def test_line_search_mistakes_are_named(kind):
    with pytest.raises(ExerciseFailed, match=f"Exercise 1.1 .*{LINE_SEARCH_MISTAKES[kind]}"):
        check_line_search_lr(line_search_variant(kind))


NEWTON_MISTAKES = {
    23: "shrank the gap by ρ = 1 − α",
    10: "forgot the start",
    20: "two slips",
    11: "one step short",
    1: "full Newton step",
    2: "two half steps",
    7: "measured 12 steps, you predicted 7",
}


@pytest.mark.parametrize("prediction", NEWTON_MISTAKES)
def test_damped_newton_mistakes_are_named(prediction):
    with pytest.raises(ExerciseFailed, match=f"Exercise 1.2 .*{NEWTON_MISTAKES[prediction]}"):
        check_damped_newton_prediction(prediction)


ROSENBROCK_MISTAKES = {
    0.0021: "never settled",
    0.01: "overflowed",
    0.0013: "no larger than 2/λmax at the start",
    0.0015: "larger ones do too",
    -1.0: "must be positive",
}


@pytest.mark.parametrize("lr", ROSENBROCK_MISTAKES)
def test_rosenbrock_lr_mistakes_are_named(lr):
    with pytest.raises(ExerciseFailed, match=f"Exercise 1.3 .*{ROSENBROCK_MISTAKES[lr]}"):
        check_largest_rosenbrock_lr(lr)
