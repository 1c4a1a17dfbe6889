"""Checks for lesson 01's exercises: derive the best single GD step, predict damped Newton's step
count, and explore the largest learning rate that still converges on Rosenbrock's valley.

Each checker computes the truth itself (the step count by running the torch loop), compares the
learner's number with it and, when they differ, with the usual wrong routes (ρ instead of ρ²,
forgetting the start, a factor ½, the start's curvature instead of the minimum's...) to say in
words what went wrong.
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
from . import as_number, fail, passed

ROSENBROCK_START = (-1.2, 1.0)
ROSENBROCK_BUDGET = 40_000
"""Exercise 1.3 counts a learning rate as converging if GD gets within 1e-6 of (1, 1) in this many steps."""
DAMPING, NEWTON_TOL = 0.5, 1e-6


def _close(a: float, b: float, rel: float = 1e-6) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-15)


def check_line_search_lr(eta_star: object) -> None:
    """Exercise 1.1: the learning rate of the best single GD step from (0, 0) on the seed."""
    ex = "1.1"
    got = as_number(ex, eta_star, "eta_star")
    x, y = (t.double() for t in seed_data())
    g = mse_gradient(x, y, torch.zeros(2, dtype=torch.float64))
    gg, ghg, norm = (g @ g).item(), (g @ mse_hessian(x) @ g).item(), g.norm().item()
    right = gg / ghg
    if _close(got, right):
        lam_max = hessian_eigenvalues(x)[1]
        passed(ex, f"η* = gᵀg / gᵀHg = {right:.6f}: eleven times the seed's 1e-3, and almost exactly "
               f"1/λmax = {1 / lam_max:.6f}, because at (0, 0) the gradient points almost along the "
               "steep eigenvector.")
        return
    mistakes = [
        (2 * right, "that is twice η*: where the parabola climbs back to L0 (the right end of the "
                    "Taylor figure). Minimise slope·t + ½·curvature·t²: the ½ gives t* = −slope/curvature."),
        (-right, "the sign is wrong: a learning rate is positive; the step θ − η g already goes downhill."),
        (right * norm, "that is the distance t* along the unit direction d, not a learning rate: the "
                       "step θ − η g has length η‖g‖, so η* = t* / ‖g‖."),
        (right / norm, "you divided by ‖g‖ once too often: t* = ‖g‖ / dᵀHd, and η* = t* / ‖g‖ = gᵀg / gᵀHg."),
        (1.0 / hessian_eigenvalues(x)[1], "that is 1/λmax: close, because g is almost an eigenvector, "
                                          "but not the minimiser along g. Use gᵀg / gᵀHg."),
        (ghg / gg, "the fraction is upside down: η* = gᵀg / gᵀHg (the curvature goes in the denominator)."),
    ]
    for candidate, hint in mistakes:
        if _close(got, candidate):
            fail(ex, hint)
    fail(ex, f"expected about {right:.4f}, got {got:.4g}. Along θ0 − η g the loss is "
         "L0 − η gᵀg + ½ η² gᵀHg: set its derivative in η to zero.")


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


def check_damped_newton_prediction(prediction: object) -> None:
    """Exercise 1.2: predicted steps of damped Newton (α = 0.5) from (0, 0) to L* + 1e-6."""
    ex = "1.2"
    got = as_number(ex, prediction, "prediction")
    measured = damped_newton_steps()
    x, y = seed_data()
    lam, c0 = eigen_errors(x, y)
    gap0 = float(gap_shares(lam, c0).sum())
    factor = 1.0 - DAMPING

    def steps(rate: float, shrink: float) -> int:
        return math.ceil(math.log(shrink) / math.log(rate))

    if got == measured:
        passed(ex, f"you predicted {measured}, and the torch loop measured {measured}: each step leaves "
               f"(1 − α) = {factor} of the error in every direction, so the gap {gap0:.4f} shrinks by "
               f"{factor ** 2} a step.")
        return
    mistakes = [
        (steps(factor, NEWTON_TOL / gap0), "you shrank the gap by ρ = 1 − α per step. The error shrinks by "
                                           "ρ, but the gap is quadratic in the error: it shrinks by ρ²."),
        (steps(factor**2, NEWTON_TOL), f"you forgot the start: the gap begins at L0 − L* = {gap0:.4f}, "
                                       "not at 1, so it must shrink by 1e-6 / (L0 − L*)."),
        (steps(factor, NEWTON_TOL), "two slips: the gap shrinks by ρ² (not ρ), and it starts at "
                                    f"L0 − L* = {gap0:.4f}, not at 1."),
        (measured - 1, "one step short: round up (math.ceil), since after that many steps the gap is "
                       "still above 1e-6."),
        (1, "a full Newton step (α = 1) lands in one; with α = 0.5 each step only removes half of "
            "the remaining error."),
        (2, "two half steps do not add up to one full step: each removes half of what is left."),
    ]
    for candidate, hint in mistakes:
        if got == candidate:
            fail(ex, hint)
    fail(ex, f"the torch loop measured {measured} steps, you predicted {got:g}. After k steps the "
         f"error is (1 − α)^k of the start's, so the gap is {gap0:.4f} · (1 − α)^(2k).")


def check_largest_rosenbrock_lr(largest_lr: object) -> None:
    """Exercise 1.3: the largest lr (3 significant digits) for which GD from (-1.2, 1) reaches
    (1, 1) within 1e-6 in :data:`ROSENBROCK_BUDGET` steps."""
    ex = "1.3"
    lr = as_number(ex, largest_lr, "largest_lr")
    if not lr > 0:
        fail(ex, f"a learning rate must be positive, got {lr:g}.")
    start_cap = largest_stable_lr(np.linalg.eigvalsh(rosenbrock_hessian(ROSENBROCK_START))[1])
    lam_max = np.linalg.eigvalsh(rosenbrock_hessian(MINIMUM))[1]
    edge = largest_stable_lr(lam_max)
    path = rosenbrock_gd_path(ROSENBROCK_START, lr, max_steps=ROSENBROCK_BUDGET)
    if path.reached_at is None:
        where = "it overflowed" if path.diverged else "it never settled"
        fail(ex, f"at lr = {lr:g} GD does not reach (1, 1) in {ROSENBROCK_BUDGET:,} steps ({where}). "
             "Near the minimum the valley's steepest curvature decides: try a little less.")
    if lr <= 1.01 * start_cap:
        fail(ex, f"lr = {lr:g} converges, but it is no larger than 2/λmax at the start ({start_cap:.5f}). "
             "Try larger ones: does GD really blow up above it?")
    if lr < 0.95 * edge:
        fail(ex, f"lr = {lr:g} converges (in {path.reached_at:,} steps), but larger ones do too. "
             "Keep going up until GD stops settling.")
    passed(ex, f"lr = {lr:g} reaches (1, 1) in {path.reached_at:,} steps. The edge is 2/λmax at the "
           f"minimum, {edge:.6f} (λmax = {lam_max:.1f}): GD must settle there. The start's steeper "
           f"curvature (cap {start_cap:.5f}) only holds for its first steps, which GD survives.")
