"""Lesson 08's checkers accept the right answers and name each mistake they claim to recognise."""

import pytest
import torch

from linreg_utils.exercises import ExerciseNotDone
from linreg_utils.exercises.lesson08 import (
    EXERCISE_POINT,
    cg_exercise_problem,
    cg_steps_needed,
    check_cg_steps,
    check_newton_slope,
    check_power_iteration,
)
from linreg_utils.nonconvex import gradient_and_hessian, make_tanh_data, two_weight_loss
from tests.exercise_answers import failure
from tests.lesson_numbers import L08_CG_EXERCISE_STEPS, L08_EXERCISE_SLOPE


def eigen_parts():
    """λ ascending, and the gradient's components c = Uᵀg, at Exercise 8.3's point."""
    loss = two_weight_loss(*make_tanh_data())
    g, h = gradient_and_hessian(loss, torch.tensor(EXERCISE_POINT, dtype=torch.float64))
    lam, u = torch.linalg.eigh(h)
    return lam, u.T @ g


LAMBDA, C = eigen_parts()
U_ROWS = (lambda g, h: torch.linalg.eigh(h)[1] @ g)(*gradient_and_hessian(
    two_weight_loss(*make_tanh_data()), torch.tensor(EXERCISE_POINT, dtype=torch.float64)))
SLOPE = -(C**2 / LAMBDA).sum().item()


def power(hv, v0, iters):
    v = v0 / v0.norm()
    for _ in range(iters):
        h = hv(v)
        v = h / h.norm()
    return (v @ hv(v)).item()


def stub(*args):
    raise NotImplementedError("Exercise 8.2: write power iteration")


def test_right_answers_pass(capsys):
    check_cg_steps(3)
    check_power_iteration(power)
    check_newton_slope(SLOPE, False)
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split(":")[0] for ln in lines] == [f"✔ Exercise 8.{i} passed" for i in (1, 2, 3)]


def test_cg_needs_one_step_per_distinct_eigenvalue_and_the_slope_is_pinned():
    h, g = cg_exercise_problem()
    distinct = len(torch.unique(torch.linalg.eigvalsh(h).round(decimals=6)))
    assert distinct == cg_steps_needed(h, g) == L08_CG_EXERCISE_STEPS
    assert LAMBDA[0] < 0 and SLOPE < 0 and f"{SLOPE:+.4f}" == L08_EXERCISE_SLOPE


def test_a_zero_dimensional_tensor_is_a_number(capsys):
    check_power_iteration(lambda hv, v0, iters: torch.tensor(power(hv, v0, iters)))
    assert "✔ Exercise 8.2 passed" in capsys.readouterr().out


def test_unfinished_exercise_says_not_done():
    with pytest.raises(ExerciseNotDone, match="not done yet"):
        check_power_iteration(stub)


CG_MISTAKES = {
    "the dimension": (6, "size of H"),
    "too few": (2, "too few"),
    "one": (1, "too few"),
    "too many": (4, "too many"),
    "beyond d": (7, "more steps than H has rows"),
    "a fraction": (2.5, "whole number"),
}


@pytest.mark.parametrize("name", CG_MISTAKES)
def test_cg_mistakes_are_named(name):
    answer, words = CG_MISTAKES[name]
    assert words in failure(check_cg_steps, answer)


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


def never_normalized_overflows(hv, v0, iters):
    v = v0
    for _ in range(iters):
        v = hv(v)
    return (v @ hv(v)).item()  # inf after 300 products


def norm_of_hv(hv, v0, iters):
    v = v0 / v0.norm()
    for _ in range(iters):
        h = hv(v)
        v = h / h.norm()
    return hv(v).norm()  # a 0-d tensor, ‖Hv‖: the "accepted as a tensor" case


GREW_WORDS = "‖v‖ grew without bound: rescale v each step"
POWER_MISTAKES = {
    "vector": (lambda hv, v0, it: v0 / v0.norm(), "returned a vector"),
    "sign": (lambda hv, v0, it: -power(hv, v0, it), "sign is flipped"),
    "squared": (lambda hv, v0, it: power(hv, v0, it) ** 2, "λ²"),
    "v0 length": (unnormalized, "9 times too big"),
    "one product": (lambda hv, v0, it: (v0 @ hv(v0) / (v0 @ v0)).item(), "along v0 alone"),
    "few iterations": (lambda hv, v0, it: power(hv, v0, 3), "not converged"),
    "never normalized": (never_normalized, GREW_WORDS),
    "never normalized, overflows": (never_normalized_overflows, GREW_WORDS),
    "‖Hv‖": (norm_of_hv, "‖Hv‖, which loses the sign"),
    "crash": (lambda hv, v0, it: hv(v0[:3]), "raised"),
    "other": (lambda hv, v0, it: 0.0, "not the largest eigenvalue"),
}


@pytest.mark.parametrize("name", POWER_MISTAKES)
def test_power_iteration_mistakes_are_named(name):
    answer, words = POWER_MISTAKES[name]
    assert words in failure(check_power_iteration, answer)


SLOPE_MISTAKES = {
    "λmin alone says uphill": ((SLOPE, True), "negative eigenvalue alone"),
    "sign": ((-SLOPE, True), "sign is flipped"),
    "negative term only": ((-(C[0] ** 2 / LAMBDA[0]).item(), True), "only the negative eigenvalue's term"),
    "times λ": ((-(C**2 * LAMBDA).sum().item(), False), "multiplied by the eigenvalues"),
    "no square": ((-(C / LAMBDA).sum().item(), False), "missing its square"),
    "|λ|": ((-(C**2 / LAMBDA.abs()).sum().item(), False), "|λ|"),
    "U @ g": ((-(U_ROWS**2 / LAMBDA).sum().item(), True), "U's rows"),
    "not a bool": ((SLOPE, "no"), "True or False"),
    "other": ((1.0, True), "not the slope along Newton's step"),
}


@pytest.mark.parametrize("name", SLOPE_MISTAKES)
def test_slope_mistakes_are_named(name):
    answer, words = SLOPE_MISTAKES[name]
    assert words in failure(check_newton_slope, *answer)
