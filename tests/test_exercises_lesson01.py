"""Lesson 01's checkers accept the right answers and name each mistake they claim to recognise."""

import pytest
import torch

from linreg_utils.exercises import ExerciseFailed
from linreg_utils.exercises.lesson01 import check_mse_gradient, check_mse_hessian, check_newton_step


def design(x):
    return torch.cat([x, torch.ones_like(x)], dim=1)


def gradient(x, y, theta):
    a = design(x)
    return 2 / len(x) * a.T @ (a @ theta - y[:, 0])


def hessian(x):
    a = design(x)
    return 2 / len(x) * a.T @ a


def newton(x, y, theta):
    return theta - torch.linalg.solve(hessian(x), gradient(x, y, theta))


def stub(*args):
    raise NotImplementedError("Exercise 1.1: compute the gradient")


def test_right_answers_pass(capsys):
    check_mse_gradient(gradient)
    check_mse_hessian(hessian)
    check_newton_step(newton)
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split(":")[0] for ln in lines] == [f"✔ Exercise 1.{i} passed" for i in (1, 2, 3)]


@pytest.mark.parametrize("check", [check_mse_gradient, check_mse_hessian, check_newton_step])
def test_unfinished_exercise_says_not_done(check):
    with pytest.raises(NotImplementedError, match="not done yet"):
        check(stub)


GRADIENT_MISTAKES = {
    "sign": (lambda x, y, t: -gradient(x, y, t), "sign is wrong"),
    "sum": (lambda x, y, t: len(x) * gradient(x, y, t), "summed over the n points"),
    "no 2": (lambda x, y, t: gradient(x, y, t) / 2, "missing the factor 2"),
    "sum, no 2": (lambda x, y, t: len(x) * gradient(x, y, t) / 2, "summed instead of averaging, and"),
    "no bias in prediction": (lambda x, y, t: gradient(x, y, torch.stack([t[0], 0 * t[1]])),
                              "leaves out the bias"),
    "no bias column": (lambda x, y, t: 2 * torch.mean(x[:, 0] * (t[0] * x[:, 0] + t[1] - y[:, 0])),
                       "bias column"),
    "column": (lambda x, y, t: gradient(x, y, t).reshape(2, 1), r"shape is \(2, 1\)"),
    "broadcast": (lambda x, y, t: 2 / len(x) * design(x).T @ (design(x) @ t - y), "broadcast"),
    "per point": (lambda x, y, t: 2 * (t[0] * x + t[1] - y)[:, 0], "one number per data point"),
    "swapped": (lambda x, y, t: gradient(x, y, t).flip(0), "swapped"),
    "bad db": (lambda x, y, t: torch.stack([gradient(x, y, t)[0], torch.tensor(0.0)]), "∂L/∂w is right"),
    "bad dw": (lambda x, y, t: torch.stack([torch.tensor(0.0), gradient(x, y, t)[1]]), "∂L/∂b is right"),
    "numpy": (lambda x, y, t: gradient(x, y, t).numpy(), "torch tensor, got ndarray"),
    "no return": (lambda x, y, t: None, "forget the return"),
    "other": (lambda x, y, t: torch.ones(2, dtype=torch.float64), "should be"),
    "crash": (lambda x, y, t: x @ t, "raised RuntimeError"),
}


@pytest.mark.parametrize("name", GRADIENT_MISTAKES)
def test_gradient_mistakes_are_named(name):
    answer, words = GRADIENT_MISTAKES[name]
    with pytest.raises(ExerciseFailed, match=f"Exercise 1.1.*{words}"):
        check_mse_gradient(answer)


HESSIAN_MISTAKES = {
    "sign": (lambda x: -hessian(x), "sign is wrong"),
    "sum": (lambda x: len(x) * hessian(x), "summed over the n points"),
    "no 2": (lambda x: hessian(x) / 2, "missing the factor 2"),
    "sum, no 2": (lambda x: len(x) * hessian(x) / 2, "summed instead of averaging, and"),
    "A Aᵀ": (lambda x: 2 / len(x) * design(x) @ design(x).T, "that is A Aᵀ"),
    "no bias column": (lambda x: 2 / len(x) * x.T @ x, r"∂²L/∂w² alone\)\. Did you forget the bias column"),
    "ones first": (lambda x: hessian(x).flip(0, 1), r"order \[1, x\]"),
    "diagonal only": (lambda x: torch.diag(torch.diag(hessian(x))), "off-diagonal"),
    "flat": (lambda x: hessian(x).reshape(4), r"shape is \(4,\)"),
    "wrong size": (lambda x: torch.zeros(3, 3), r"shape \(2, 2\)"),
    "other": (lambda x: torch.eye(2, dtype=torch.float64), "should be"),
}


@pytest.mark.parametrize("name", HESSIAN_MISTAKES)
def test_hessian_mistakes_are_named(name):
    answer, words = HESSIAN_MISTAKES[name]
    with pytest.raises(ExerciseFailed, match=f"Exercise 1.2 .*{words}"):
        check_mse_hessian(answer)


def delta(x, y, t):
    return torch.linalg.solve(hessian(x), gradient(x, y, t))


def in_place(x, y, t):
    t -= delta(x, y, t)
    return t


def right_from_the_first_start_only(x, y, t):
    return newton(x, y, t) if t[0] == 0.7 else t - delta(x, y, t) / 2


NEWTON_MISTAKES = {
    "gradient step": (lambda x, y, t: t - 0.01 * gradient(x, y, t), "along the gradient"),
    "unit gradient step": (lambda x, y, t: t - gradient(x, y, t), "gradient-descent step"),
    "sign": (lambda x, y, t: t + delta(x, y, t), "sign is wrong"),
    "returned -step": (lambda x, y, t: -delta(x, y, t), "returned the step"),
    "returned step": (lambda x, y, t: delta(x, y, t), "returned H⁻¹∇L itself"),
    "times H": (lambda x, y, t: t - hessian(x) @ gradient(x, y, t), "multiplied the gradient by H"),
    "sum gradient": (lambda x, y, t: t - len(x) * delta(x, y, t), "gradient sums"),
    "sum Hessian": (lambda x, y, t: t - delta(x, y, t) / len(x), "Hessian sums"),
    "Hessian lacks 2": (lambda x, y, t: t - 2 * delta(x, y, t), "missing from your Hessian"),
    "gradient lacks 2": (lambda x, y, t: t - delta(x, y, t) / 2, "missing from your gradient"),
    "no move": (lambda x, y, t: t.clone(), "did not move"),
    "in place": (in_place, "in place"),
    "column": (lambda x, y, t: newton(x, y, t).reshape(2, 1), r"shape is \(2, 1\)"),
    "wrong size": (lambda x, y, t: torch.zeros(3), r"shape \(2,\)"),
    "other": (lambda x, y, t: t + torch.tensor([1.0, -2.0], dtype=torch.float64), "should land"),
    "one start only": (right_from_the_first_start_only, "should land there from any start"),
}


@pytest.mark.parametrize("name", NEWTON_MISTAKES)
def test_newton_mistakes_are_named(name):
    answer, words = NEWTON_MISTAKES[name]
    with pytest.raises(ExerciseFailed, match=f"Exercise 1.3 .*{words}"):
        check_newton_step(answer)
