"""Checks for lesson 02's exercises: predict a step count, derive a critical learning rate, and
explore the widget for the fastest learning rate from ``nn.Linear``'s start.

Each checker computes the truth itself (a step count by running ``torch.optim.SGD``), and when
the learner's number differs, compares it with the usual wrong routes — ρ instead of ρ², the
guarantee instead of the flat direction's share, forgetting the start, a missing factor 2 — to
say in words what went wrong.
"""

from __future__ import annotations

import math

import numpy as np

from ..data import linear_start, seed_data
from ..runs import line_runs
from ..theory import (
    REACH_TOL,
    critical_lr,
    eigen_errors,
    gap_shares,
    gd_factors,
    hessian_eigenvalues,
    optimal_lr,
    predicted_steps,
)
from ..trajectory import gd_trajectory
from . import as_number, fail, passed

PREDICT_LR = 0.01
"""Exercise 2.1's learning rate, from (0, 0) on the seed's points."""
EXPLORE_STEPS = 1_000
"""Exercise 2.3 runs the widget (and the check) for this many steps."""
FAST_ENOUGH = 1.1
"""Exercise 2.3 accepts a learning rate within this factor of the fewest steps any lr achieves."""


def _close(a: float, b: float, rel: float = 1e-4) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-15)


def measured_steps(lr: float = PREDICT_LR, budget: int = 2_300) -> int:
    """Steps ``torch.optim.SGD`` (float64) needs from (0, 0) on the seed to reach ``L* + 1e-6``."""
    x, y = seed_data()
    reached = line_runs(x, y, [lr], budget)[0].first_within(REACH_TOL)
    if reached is None:
        raise RuntimeError(f"lr = {lr} did not reach the tolerance in {budget} steps")
    return reached


def check_steps_prediction(prediction: object) -> None:
    """Exercise 2.1: predicted steps of GD at lr = 0.01 from (0, 0) to within 1e-6 of L*."""
    ex = "2.1"
    got = as_number(ex, prediction, "prediction")
    x, y = seed_data()
    measured = measured_steps()
    lam, c0 = eigen_errors(x, y)
    shares = gap_shares(lam, c0)
    flat, gap0 = shares[0], float(shares.sum())
    rho = abs(gd_factors(PREDICT_LR, lam[0]))

    def steps(rate: float, shrink: float) -> int:
        return math.ceil(math.log(shrink) / math.log(rate))

    if got == measured:
        passed(ex, f"you predicted {measured:,}, and torch.optim.SGD measured {measured:,}: the flat "
               f"share {flat:.4f} shrinks by ρ² = {rho ** 2:.6f} a step (the steep one is gone in a few).")
        return
    mistakes = [
        (steps(rho, REACH_TOL / flat), "you shrank the gap by ρ per step. The error shrinks by "
                                       "ρ = 1 − ηλmin, the gap (quadratic in the error) by ρ²."),
        (steps(rho**2, REACH_TOL / gap0), "that is the guarantee ρ^(2k)·(L0 − L*) ≤ 1e-6 with the whole "
                                          f"gap {gap0:.4f}: true, but pessimistic. Only the flat "
                                          f"direction's share {flat:.4f} decays slowly; the steep share "
                                          "is gone in a few steps."),
        (steps(rho**2, REACH_TOL), "you forgot the start: the flat share begins at "
                                   f"{flat:.4f}, not at 1, so it must shrink by 1e-6 / {flat:.4f}."),
        (steps(rho, REACH_TOL / gap0), "two slips: the gap shrinks by ρ², not ρ, and only the flat "
                                       f"share {flat:.4f} matters, not the whole gap {gap0:.4f}."),
        (steps(rho, REACH_TOL), "two slips: the gap shrinks by ρ² (not ρ), and it starts at the flat "
                                f"share {flat:.4f}, not at 1."),
        (measured - 1, "one step short: round up (math.ceil)."),
    ]
    for candidate, hint in mistakes:
        if got == candidate:
            fail(ex, hint)
    if abs(got - measured) <= 2:
        fail(ex, f"close: torch.optim.SGD measured {measured:,}. Solve ½λmin·c0²·ρ^(2k) ≤ 1e-6 for "
             "k and round up.")
    fail(ex, f"torch.optim.SGD measured {measured:,} steps, you predicted {got:,.0f}. Use ρ = 1 − ηλmin, "
         "the flat direction's share of the gap at (0, 0), and ρ² per step.")


def check_centred_critical_lr(value: object) -> None:
    """Exercise 2.2: the critical learning rate after centring x (x − mean, not scaled)."""
    ex = "2.2"
    got = as_number(ex, value, "critical_centred")
    x = seed_data()[0].double()
    xc = x - x.mean()
    var = xc.pow(2).mean().item()
    right = critical_lr(xc)
    if _close(got, right):
        passed(ex, f"2/λmax = 2/(2·var(x)) = 1/var(x) = {right:.5f}; λ = 2 and 2·var(x) = {2 * var:.3f}, "
               f"so κ = var(x) = {var:.2f}: centring removes the coupling of w and b, and only "
               "scaling x removes the spread.")
        return
    mistakes = [
        (2.0 / var, "the factor 2 of the Hessian is missing: H = 2/n·AᵀA has 2·var(x) on its diagonal."),
        (1.0 / (2 * var), "that is 1/λmax: the critical lr is 2/λmax."),
        (1.0 / (var * len(x) / (len(x) - 1)), "you used the unbiased variance (divides by n − 1); the "
                                              "Hessian's entry is 2/n·Σz², a mean over the n points."),
        (critical_lr(x), "that is the raw x's critical lr: centre x first (z = x − mean)."),
        (1.0 / math.sqrt(var), "you used the standard deviation; the Hessian holds the mean of z², "
                               "the variance."),
        (1.0, "that is 2/λ for λ = 2, the b-direction's eigenvalue, and also the standardized "
              "problem's answer (mean 0 *and* mean square 1). Centring alone keeps x's spread: the "
              "w-entry of H is 2·mean(z²) = 2·var(x), the larger eigenvalue here since var(x) > 1."),
    ]
    for candidate, hint in mistakes:
        if _close(got, candidate):
            fail(ex, hint)
    fail(ex, f"expected about {right:.4f}, got {got:.4g}. With z = x − mean, H = 2/n·[[Σz², Σz], [Σz, n]]: "
         "what is Σz, and what are then the eigenvalues?")


def fewest_steps(start: tuple[float, float], steps: int = EXPLORE_STEPS) -> tuple[float, int]:
    """``(lr, k)``: the learning rate below 2/λmax whose gap ``Σᵢ ½λᵢc0ᵢ²(1 − ηλᵢ)^{2k}`` first
    reaches ``REACH_TOL`` soonest from ``start``, on a fine grid (exact, vectorised)."""
    x, y = seed_data()
    lam, c0 = eigen_errors(x, y, *start)
    grid = np.linspace(0.5, 0.9999, 2_000) * critical_lr(x)  # (g,)
    k = np.arange(steps + 1)  # (K,)
    reached = np.empty(grid.size, dtype=int)
    for rows in np.array_split(np.arange(grid.size), 10):  # +9 MB at a time, not +60 MB at once
        errors = c0 * gd_factors(grid[rows, None, None], lam) ** k[None, :, None]  # (rows, K, 2)
        hit = gap_shares(lam, errors).sum(axis=2) <= REACH_TOL  # (rows, K)
        reached[rows] = np.where(hit.any(axis=1), hit.argmax(axis=1), steps + 1)
    best = int(np.argmin(reached))
    return float(grid[best]), int(reached[best])


def check_fastest_lr(best_lr: object) -> None:
    """Exercise 2.3: a learning rate that reaches L* + 1e-6 from nn.Linear's start in about the
    fewest steps any learning rate needs (within :data:`FAST_ENOUGH`)."""
    ex = "2.3"
    lr = as_number(ex, best_lr, "best_lr")
    x, y = seed_data()
    if not lr > 0:
        fail(ex, f"a learning rate must be positive, got {lr:g}.")
    start = linear_start()
    crit, opt = critical_lr(x), optimal_lr(x)
    run = gd_trajectory(x, y, lr, EXPLORE_STEPS, *start)
    need, (fast_lr, fewest) = run.first_within(REACH_TOL), fewest_steps(start)
    if run.diverged or lr >= crit:
        fail(ex, f"lr = {lr:.4g} is above 2/λmax = {crit:.5f}: GD diverges. Stay left of the red mark.")
    if _close(lr, opt, 1e-3):
        fail(ex, f"that is 2/(λmin+λmax) = {opt:.5f}, the best guarantee for every start at once; from "
             f"this start it needs {math.ceil(predicted_steps(x, y, lr, REACH_TOL, *start)):,} steps, "
             f"because its steep factor {gd_factors(lr, hessian_eigenvalues(x)[1]):+.3f} barely decays. "
             "Try a little lower.")
    if need is None or need > FAST_ENOUGH * fewest:
        where = ("the steep error barely decays this close to 2/λmax: go a little lower" if lr > fast_lr
                 else "the flat direction still crawls: go higher, toward the red mark")
        took = f"{need:,} steps" if need is not None else f"more than {EXPLORE_STEPS:,} steps"
        fail(ex, f"lr = {lr:.4g} takes {took}; some learning rate needs only {fewest:,}: {where}.")
    passed(ex, f"lr = {lr:.4g} reaches L* + 1e-6 in {need:,} steps from nn.Linear's start (the fewest "
           f"on a fine grid: {fewest:,} at {fast_lr / crit:.3f} × 2/λmax; 2/(λmin+λmax) needs "
           f"{math.ceil(predicted_steps(x, y, opt, REACH_TOL, *start)):,}).")
