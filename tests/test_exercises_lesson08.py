"""Lesson 08's checkers accept the right answers and name each mistake they claim to recognise."""

import pytest
import torch

from linreg_utils.curvature import flat_loss, mlp, power_iteration
from linreg_utils.exercises import ExerciseNotDone
from linreg_utils.exercises.lesson08 import (
    check_power_iteration,
    check_stable_lr,
    check_uphill_number,
    start_sharpness,
)
from linreg_utils.nonconvex import make_wave
from tests.exercise_answers import failure

LAM = start_sharpness()


def power(hv, v0, iters):
    v = v0 / v0.norm()
    for _ in range(iters):
        h = hv(v)
        v = h / h.norm()
    return (v @ hv(v)).item()


def hessian(x, y, theta):
    return torch.autograd.functional.hessian(
        lambda t: torch.mean((t[1] * torch.tanh(t[0] * x) - y) ** 2), theta)


def smallest(x, y, theta):
    return torch.linalg.eigvalsh(hessian(x, y, theta))[0].item()


def stub(*args):
    raise NotImplementedError("Exercise 8.2: write power iteration")


def test_the_checker_knows_the_lessons_start_sharpness():
    """``lam0`` of the lesson comes from 20 power iterations; the check's exact eigenvalue agrees well
    within its tolerance (0.1 %), so ``2 / lam0`` passes."""
    lam0, _ = power_iteration(*flat_loss(mlp(width=32, seed=0), *make_wave()))
    assert lam0 == pytest.approx(LAM, rel=3e-4)
    check_stable_lr(2 / lam0)


def test_right_answers_pass(capsys):
    check_stable_lr(2 / LAM)
    check_power_iteration(power)
    check_uphill_number(smallest)
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split(":")[0] for ln in lines] == [f"✔ Exercise 8.{i} passed" for i in (1, 2, 3)]


def test_a_zero_dimensional_tensor_is_a_number(capsys):
    check_power_iteration(lambda hv, v0, iters: torch.tensor(power(hv, v0, iters)))
    assert "✔ Exercise 8.2 passed" in capsys.readouterr().out


@pytest.mark.parametrize("check", [check_power_iteration, check_uphill_number])
def test_unfinished_exercise_says_not_done(check):
    with pytest.raises(ExerciseNotDone, match="not done yet"):
        check(stub)


LR_MISTAKES = {
    "1/λ": (1 / LAM, "ηλ = 1"),
    "2λ": (2 * LAM, "units of a curvature"),
    "λ/2": (LAM / 2, "upside down"),
    "2/λ²": (2 / LAM**2, "twice"),
    "other": (0.5, "not the quadratic's stability limit"),
    "None": (None, "forget the return"),
    "vector": (torch.ones(2), "shape"),
    "nan": (float("nan"), "predicted_lr is nan"),
}


@pytest.mark.parametrize("name", LR_MISTAKES)
def test_lr_mistakes_are_named(name):
    answer, words = LR_MISTAKES[name]
    assert words in failure(check_stable_lr, answer)


def unnormalized(hv, v0, iters):
    v = v0 / v0.norm()
    for _ in range(iters):
        h = hv(v)
        v = h / h.norm()
    v = v * v0.norm()
    return (v @ hv(v)).item()


def never_normalized(hv, v0, iters):
    v = v0
    for _ in range(20):
        v = hv(v)
    return (v @ hv(v)).item()


def norm_of_hv(hv, v0, iters):
    v = v0 / v0.norm()
    for _ in range(iters):
        h = hv(v)
        v = h / h.norm()
    return hv(v).norm()  # a 0-d tensor, ‖Hv‖: the "accepted as a tensor" case


POWER_MISTAKES = {
    "vector": (lambda hv, v0, it: v0 / v0.norm(), "returned a vector"),
    "sign": (lambda hv, v0, it: -power(hv, v0, it), "sign is flipped"),
    "squared": (lambda hv, v0, it: power(hv, v0, it) ** 2, "λ²"),
    "v0 length": (unnormalized, "9 times too big"),
    "one product": (lambda hv, v0, it: (v0 @ hv(v0) / (v0 @ v0)).item(), "along v0 alone"),
    "few iterations": (lambda hv, v0, it: power(hv, v0, 3), "not converged"),
    "never normalized": (never_normalized, "far too large"),
    "‖Hv‖": (norm_of_hv, "‖Hv‖, which loses the sign"),
    "crash": (lambda hv, v0, it: hv(v0[:3]), "raised"),
    "other": (lambda hv, v0, it: 0.0, "not the largest eigenvalue"),
}


@pytest.mark.parametrize("name", POWER_MISTAKES)
def test_power_iteration_mistakes_are_named(name):
    answer, words = POWER_MISTAKES[name]
    assert words in failure(check_power_iteration, answer)


UPHILL_MISTAKES = {
    "both": (lambda x, y, t: torch.linalg.eigvalsh(hessian(x, y, t)), "both eigenvalues"),
    "largest": (lambda x, y, t: torch.linalg.eigvalsh(hessian(x, y, t))[1].item(), "largest eigenvalue"),
    "sign": (lambda x, y, t: -smallest(x, y, t), "sign is flipped"),
    "sum": (lambda x, y, t: len(x) * smallest(x, y, t), "n times too big"),
    "saddle": (lambda x, y, t: smallest(x, y, torch.zeros(2, dtype=torch.float64)), "saddle"),
    "other": (lambda x, y, t: 1.0, "not the number that sends Newton uphill"),
}


@pytest.mark.parametrize("name", UPHILL_MISTAKES)
def test_uphill_mistakes_are_named(name):
    answer, words = UPHILL_MISTAKES[name]
    assert words in failure(check_uphill_number, answer)
