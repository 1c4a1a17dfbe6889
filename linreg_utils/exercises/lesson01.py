"""Checks for lesson 01's exercises: derive the best single GD step, predict damped Newton's step
count, and explore the largest learning rate at which GD still settles in Rosenbrock's valley.

Each checker computes the truth itself (the step count by running the torch loop), compares the
learner's number with it and, when they differ, with the usual wrong routes (ρ instead of ρ²,
forgetting the start, a factor ½, the start's curvature instead of the minimum's...) to say in
words what went wrong, without the answer.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ..data import seed_data
from ..rosenbrock import MINIMUM, rosenbrock_gd_path, rosenbrock_hessian
from ..theory import (
    closed_form_fit,
    design_matrix,
    eigen_errors,
    gap_shares,
    hessian_eigenvalues,
    largest_stable_lr,
    mse,
    mse_gradient,
    mse_hessian,
)
from .framework import as_number, as_whole_number, checker, fail, passed, significant_digits

ROSENBROCK_START = (-1.2, 1.0)
ROSENBROCK_BUDGET = 40_000
"""Exercise 1.3: GD must get within ``ROSENBROCK_TOL`` of (1, 1) and stay there up to this step."""
ROSENBROCK_TOL = 1e-6
DAMPING, NEWTON_TOL = 0.5, 1e-6


def _close(a: float, b: float, rel: float = 1e-6) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-15)


@checker("1.1", value="eta_star", hints=(
    "Along the step θ0 − η g the loss is a parabola in η: L0, minus η times one number, plus ½η² times "
    "another. Its lowest point is where its slope in η is zero.",
    "Differentiate the text's expression for L(θ0 − η g) with respect to η (g and H are fixed), set the "
    "derivative to zero, and solve the linear equation for η.",
    "Both numbers in the parabola are dot products, of the gradient with itself and with the Hessian "
    "times the gradient: compute them from grad_formula and hess with @, then .item() for a float.",
))
def check_line_search_lr(eta_star: object) -> None:
    """Exercise 1.1: the learning rate of the best single GD step from (0, 0) on the seed."""
    ex = "1.1"
    got = as_number(ex, eta_star, "eta_star")
    x, y = (t.double() for t in seed_data())
    g = mse_gradient(x, y, torch.zeros(2, dtype=torch.float64))
    gg, ghg, norm = (g @ g).item(), (g @ mse_hessian(x) @ g).item(), g.norm().item()
    right, lam_max = gg / ghg, hessian_eigenvalues(x)[1]
    if _close(got, right):
        return passed(ex, f"η* = gᵀg / gᵀHg = {right:.6f}: eleven times the seed's 1e-3, and almost "
                      f"exactly 1/λmax = {1 / lam_max:.6f}, because at (0, 0) the gradient points almost "
                      "along the steep eigenvector.")
    mistakes = [
        (2 * right, "that is twice the best step",
         "It is where the parabola climbs back to L0 (the Taylor figure's right end); the bottom lies "
         "halfway. Mind the ½ in front of η² when you differentiate."),
        (-right, "a learning rate is positive",
         "The step θ0 − η g already goes downhill: check the signs when you solve for η."),
        (right * norm, "that is a distance along the unit direction",
         "The step θ0 − η g has length η‖g‖: turn the distance into a learning rate."),
        (right / norm, "you divided by ‖g‖ once too often",
         "Write the loss along θ0 − η g in η itself, as the text does, and differentiate in η."),
        (1.0 / lam_max, "that is 1/λmax, not the best step along g",
         "Close, because g points almost along the steep eigenvector; but the exercise asks for the "
         "bottom of the parabola along g itself: use g and H, not an eigenvalue."),
        (ghg / gg, "your fraction is upside down",
         "The curvature term belongs in the denominator: a more curved parabola has its bottom nearer."),
    ]
    for candidate, diagnosis, advice in mistakes:
        if _close(got, candidate):
            fail(ex, diagnosis, advice)
    if abs(got / right - 1) < 0.01:
        fail(ex, "close, but not to six significant digits",
             "Compute it with torch from grad_formula and hess rather than typing a rounded number.")
    fail(ex, "that is not the bottom of the parabola",
         "Differentiate L(θ0 − η g) in η, set the derivative to zero and solve for η; compute it from "
         "grad_formula and hess.")


def damped_newton_steps(alpha: float = DAMPING, tol: float = NEWTON_TOL, max_steps: int = 200) -> int:
    """Run damped Newton ``θ ← θ − α H⁻¹∇L`` in torch on the seed from (0, 0); the first step with
    ``L − L* ≤ tol`` (measured by the loop, float64)."""
    x, y = (t.double() for t in seed_data())
    a = design_matrix(x)
    theta, hess = torch.zeros(2, dtype=torch.float64), mse_hessian(x)
    loss_star = mse(x, y, *closed_form_fit(x, y))
    for k in range(max_steps + 1):
        if torch.mean((a @ theta - y[:, 0]) ** 2).item() - loss_star <= tol:
            return k
        theta = theta - alpha * torch.linalg.solve(hess, mse_gradient(x, y, theta))
    raise RuntimeError(f"damped Newton did not reach {tol} in {max_steps} steps")


@checker("1.2", value="prediction", hints=(
    "A full Newton step (α = 1) removes all of the error θ − θ*. What fraction of the error does a step "
    "with α = 0.5 leave behind, in every direction at once?",
    "The gap L − L* is quadratic in the error: when the error is multiplied by r, the gap is multiplied "
    "by r². The starting gap is printed at the top of the lesson.",
    "Ask for which whole k the starting gap, multiplied k times by the gap's factor per step, is at most "
    "1e-6: take logarithms (dividing by a negative log flips the inequality) and round up.",
))
def check_damped_newton_prediction(prediction: object) -> None:
    """Exercise 1.2: predicted steps of damped Newton (α = 0.5) from (0, 0) to L* + 1e-6."""
    ex = "1.2"
    got = as_whole_number(ex, prediction, "prediction")
    measured = damped_newton_steps()
    x, y = seed_data()
    lam, c0 = eigen_errors(x, y)
    gap0 = float(gap_shares(lam, c0).sum())
    factor = 1.0 - DAMPING

    def steps(rate: float, shrink: float) -> int:
        return math.ceil(math.log(shrink) / math.log(rate))

    if got == measured:
        return passed(ex, f"you predicted {measured}, and the torch loop measured {measured}: each step "
                      f"leaves (1 − α) = {factor} of the error in every direction, so the gap "
                      f"{gap0:.4f} shrinks by {factor ** 2} a step.")
    mistakes = [
        (steps(factor, NEWTON_TOL / gap0), "you shrank the gap by ρ = 1 − α per step",
         "The error shrinks by ρ each step, but the gap is quadratic in the error."),
        (steps(factor**2, NEWTON_TOL), "you forgot where the gap starts",
         "The gap begins at L0 − L*, printed at the top of the lesson, not at 1."),
        (steps(factor, NEWTON_TOL), "two slips: the factor per step and the start",
         "The gap is quadratic in the error, and it begins at L0 − L*, not at 1."),
        (measured - 1, "you rounded down",
         "After that many steps the gap is still above 1e-6: a count of steps rounds the other way."),
        (1, "that is a full Newton step",
         "With α = 1 one step lands on the optimum; with α = 0.5 each step removes only part of the error."),
        (2, "two half steps do not make one full step",
         "Each step removes half of what is left, not half of where you started."),
    ]
    for candidate, diagnosis, advice in mistakes:
        if got == candidate:
            fail(ex, diagnosis, advice)
    fail(ex, "not the count the torch loop measured",
         "Work out what one step multiplies the error by, then the gap, then how many steps bring the "
         "starting gap below 1e-6.")


def settles(lr: float, budget: int = ROSENBROCK_BUDGET,
            tol: float = ROSENBROCK_TOL) -> tuple[int | None, str]:
    """Whether GD at ``lr`` from :data:`ROSENBROCK_START` settles within ``tol`` of (1, 1) by step
    ``budget``: ``(the first step within tol, "")`` if it gets there and stays to the end, else
    ``(None or that step, what went wrong)``."""
    path = rosenbrock_gd_path(ROSENBROCK_START, lr, max_steps=budget, tol=tol)
    if path.reached_at is None:
        return None, "it overflowed" if path.diverged else f"it never got within {tol:g} of (1, 1)"
    rest = rosenbrock_gd_path(tuple(path.path[-1]), lr, max_steps=budget - path.reached_at, tol=1e-300)
    far = np.hypot(rest.path[:, 0] - MINIMUM[0], rest.path[:, 1] - MINIMUM[1]) > tol
    if rest.diverged or far.any():
        left = path.reached_at + int(np.argmax(far)) if far.any() else rest.diverged_at
        return path.reached_at, (f"it got within {tol:g} at step {path.reached_at:,} but left again at "
                                 f"step {left:,}")
    return path.reached_at, ""


@checker("1.3", value="largest_lr", hints=(
    "Try a few learning rates with rosenbrock_gd_path and look at .reached_at: find one that works and one "
    "that fails, then narrow the interval between them.",
    "At the end GD sits at (1, 1), so the curvature there decides whether it can stay; the start's steeper "
    "curvature only matters for the first steps, which GD survives. Look at rosenbrock_hessian((1.0, 1.0)).",
    "A learning rate counts only if GD gets within 1e-6 and stays there up to step 40,000. Compare a "
    "candidate with the next one up in its third significant digit (0.00123, then 0.00124).",
))
def check_largest_rosenbrock_lr(largest_lr: object) -> None:
    """Exercise 1.3: the largest lr written with three significant digits for which GD from
    (-1.2, 1) settles within 1e-6 of (1, 1) by step :data:`ROSENBROCK_BUDGET`."""
    ex = "1.3"
    lr = as_number(ex, largest_lr, "largest_lr")
    if not lr > 0:
        fail(ex, "a learning rate must be positive", f"largest_lr is {lr:g}.")
    digits = significant_digits(lr)
    if digits > 3:
        fail(ex, f"write it with three significant digits, not {digits}",
             f"{lr:g} has {digits}; the text asks for three, like 0.00123: the largest such number at "
             "which GD still settles.")
    start_cap = largest_stable_lr(np.linalg.eigvalsh(rosenbrock_hessian(ROSENBROCK_START))[1])
    lam_max = np.linalg.eigvalsh(rosenbrock_hessian(MINIMUM))[1]
    reached, trouble = settles(lr)
    if trouble:
        fail(ex, f"GD does not settle at lr = {lr:g}",
             f"Within {ROSENBROCK_BUDGET:,} steps {trouble}. Near the minimum the valley's steepest "
             "curvature decides: try a little less.")
    if lr <= 1.01 * start_cap:
        fail(ex, "GD settles, but larger learning rates do too",
             f"lr = {lr:g} is no larger than 2/λmax at the start ({start_cap:.5f}). Try larger ones: does "
             "GD really blow up above the start's limit?")
    step = 10.0 ** (math.floor(math.log10(lr)) - 2)
    if not settles(float(f"{lr + step:.3g}"))[1]:
        fail(ex, "GD settles, but larger learning rates do too",
             f"lr = {lr:g} settles (from step {reached:,}); keep going up in the third significant digit "
             "until GD no longer settles.")
    passed(ex, f"lr = {lr:g} settles within 1e-6 of (1, 1) from step {reached:,}; the next one up does "
           f"not. The edge is 2/λmax at the minimum, {largest_stable_lr(lam_max):.6f} (λmax = "
           f"{lam_max:.1f}): GD must settle there. The start's steeper curvature (cap {start_cap:.5f}) "
           "only holds for its first steps, which GD survives.")
