"""Checks for lesson 02's exercises: predict a step count, derive a critical learning rate, and
explore the widget for the fastest learning rate from ``nn.Linear``'s start.

Each checker computes the truth itself (a step count by running ``torch.optim.SGD``), and when
the learner's number differs, compares it with the usual wrong routes — ρ instead of ρ², the
guarantee instead of the flat direction's share, forgetting the start, a missing factor 2 — to
say in words what went wrong.
"""

from __future__ import annotations

import math
from functools import lru_cache

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
from .framework import as_number, as_whole_number, checker, fail, passed

PREDICT_LR = 0.01
"""Exercise 2.1's learning rate, from (0, 0) on the seed's points."""
EXPLORE_STEPS = 1_000
"""Exercise 2.3 runs the widget (and the check) for this many steps."""
FAST_ENOUGH = 1.1
"""Exercise 2.3 accepts a learning rate within this factor of the fewest steps any lr achieves."""


def _close(a: float, b: float, rel: float = 1e-4) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-15)


@lru_cache(maxsize=8)
def measured_steps(lr: float = PREDICT_LR, budget: int = 2_300) -> int:
    """Steps ``torch.optim.SGD`` (float64) needs from (0, 0) on the seed to reach ``L* + 1e-6``."""
    x, y = seed_data()
    reached = line_runs(x, y, [lr], budget)[0].first_within(REACH_TOL)
    if reached is None:
        raise RuntimeError(f"lr = {lr} did not reach the tolerance in {budget} steps")
    return reached



@checker("2.1", value="prediction", hints=(
    "Two directions, two factors per step: at η = 0.01 the steep direction's error is gone within a few "
    "steps, so the count is set by the flat direction, with the smallest eigenvalue.",
    "Only the flat direction's share of the gap matters (flat0 = 0.04004 at (0, 0), printed above), and "
    "that share is quadratic in its error: one step multiplies it by the square of that direction's factor.",
    "Find the smallest whole k for which the flat share, multiplied k times by its factor per step, is at "
    "most 1e-6: take logarithms (a negative log flips the inequality) and round up.",
))
def check_steps_prediction(prediction: object) -> None:
    """Exercise 2.1: predicted steps of GD at lr = 0.01 from (0, 0) to within 1e-6 of L*."""
    ex = "2.1"
    got = as_whole_number(ex, prediction, "prediction")
    x, y = seed_data()
    measured = measured_steps()
    lam, c0 = eigen_errors(x, y)
    shares = gap_shares(lam, c0)
    flat, gap0 = shares[0], float(shares.sum())
    rho = abs(gd_factors(PREDICT_LR, lam[0]))

    def steps(rate: float, shrink: float) -> int:
        return math.ceil(math.log(shrink) / math.log(rate))

    # The right route from the inputs a learner may have used: full precision or the printed digits.
    routes = [(lam_min, share) for lam_min in (lam[0], round(lam[0], 4))
              for share in (flat, round(flat, 4), round(flat, 5))]
    exact_k = [math.log(REACH_TOL / share) / math.log(gd_factors(PREDICT_LR, lam_min) ** 2)
               for lam_min, share in routes]
    if got == measured or got in {math.ceil(k) for k in exact_k}:
        rounded = "" if got == measured else (
            f" (yours is the right route with the printed, rounded share or λmin; at full precision k = "
            f"{exact_k[0]:.2f}, which rounds up to {measured:,})")
        return passed(ex, f"you predicted {got:,}, and torch.optim.SGD measured {measured:,}{rounded}: "
                      f"the flat share {flat:.5f} shrinks by ρ² = {rho ** 2:.6f} a step (the steep one "
                      "is gone in a few).")
    mistakes = [
        (steps(rho, REACH_TOL / flat), "you shrank the gap by ρ per step",
         "The error shrinks by ρ = 1 − ηλmin a step, but the gap is quadratic in the error."),
        (steps(rho**2, REACH_TOL / gap0), "that is the guarantee for the whole gap",
         f"True, but pessimistic: only the flat direction's share {flat:.4f} decays slowly; the steep "
         "share is gone in a few steps."),
        (steps(rho**2, REACH_TOL), "you forgot where the flat share starts",
         f"It begins at {flat:.4f}, not at 1."),
        (steps(rho, REACH_TOL / gap0), "two slips: the factor per step and the start",
         "The gap is quadratic in the error, and only the flat direction's share counts, not the "
         "whole gap."),
        (steps(rho, REACH_TOL), "two slips: the factor per step and the start",
         f"The gap is quadratic in the error, and the flat share starts at {flat:.4f}, not at 1."),
    ]
    mistakes += [(math.floor(k), "you rounded down",
                  "After that many steps the gap is still above 1e-6: a count of steps rounds the other way.")
                 for k in exact_k]
    for candidate, diagnosis, advice in mistakes:
        if got == candidate:
            fail(ex, diagnosis, advice)
    if abs(got - measured) <= 2:
        fail(ex, "close, but not exact",
             "Keep every digit of the intermediate numbers (the printed ones are rounded), solve for k "
             "and round only at the end.")
    fail(ex, "not the count torch.optim.SGD measured",
         "Which direction decays slowest at η = 0.01, how large is its share of the gap at (0, 0), and "
         "what does one step multiply that share by?")


@checker("2.2", value="critical_centred", hints=(
    "After centring, Σz = 0: write the Hessian 2/n·[[Σz², Σz], [Σz, n]] for z and see which entries vanish.",
    "With the off-diagonal entries zero, the eigenvalues are the two diagonal entries. Which is larger "
    "for these data: 2 or the one built from the mean of z²?",
    "The critical learning rate is 2 divided by the larger eigenvalue; compute the mean of z² with torch "
    "from x64 (the mean over the n points, not the unbiased variance) and simplify.",
))
def check_centred_critical_lr(critical_centred: object) -> None:
    """Exercise 2.2: the critical learning rate after centring x (x − mean, not scaled)."""
    ex = "2.2"
    got = as_number(ex, critical_centred, "critical_centred")
    x = seed_data()[0].double()
    xc = x - x.mean()
    var = xc.pow(2).mean().item()
    right = critical_lr(xc)
    if _close(got, right):
        return passed(ex, f"2/λmax = 2/(2·var(x)) = 1/var(x) = {right:.5f}; λ = 2 and 2·var(x) = "
                      f"{2 * var:.3f}, so κ = var(x) = {var:.2f}: centring removes the coupling of w and "
                      "b, and only scaling x removes the spread.")
    mistakes = [
        (2.0 / var, "the factor 2 of the Hessian is missing",
         "H = 2/n·AᵀA: both of its diagonal entries carry that 2."),
        (1.0 / (2 * var), "that is 1/λmax, not the critical lr",
         "GD on a quadratic converges for ηλ < 2, not ηλ < 1."),
        (1.0 / (var * len(x) / (len(x) - 1)), "you used the unbiased variance (n − 1)",
         "The Hessian's entry is 2/n·Σz², a mean over the n points."),
        (critical_lr(x), "that is the raw x's critical lr",
         "Centre x first (z = x − mean), then look at the Hessian again."),
        (1.0 / math.sqrt(var), "you used the standard deviation",
         "The Hessian holds the mean of z², not its square root."),
        (1.0, "that is 2/λ for the b-direction's λ = 2",
         "It is also the standardized problem's answer (mean 0 and mean square 1). Centring alone keeps "
         "x's spread: which diagonal entry of H is larger here?"),
    ]
    for candidate, diagnosis, advice in mistakes:
        if _close(got, candidate):
            fail(ex, diagnosis, advice)
    if abs(got / right - 1) < 0.01:
        fail(ex, "close, but rounded",
             "Compute it from x64 in one line of torch instead of typing the digits.")
    fail(ex, "not the critical lr of the centred data",
         "Write H for z = x − mean: what is Σz? Read the two eigenvalues off the diagonal and think about "
         "which one limits the learning rate.")


@lru_cache(maxsize=8)
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


@checker("2.3", value="best_lr", hints=(
    "Move the slider and watch the readout's step count: it falls as η grows, until the steep direction "
    "stops decaying quickly.",
    "From nn.Linear's start the steep direction holds only a tiny share of the gap, so the flat direction "
    "decides almost alone: push η up toward the red mark.",
    "Close to the red mark the steep factor 1 − ηλmax nears −1 and its share decays slowly again: step "
    "back one slider stop at a time and keep the η with the fewest steps.",
))
def check_fastest_lr(best_lr: object) -> None:
    """Exercise 2.3: a learning rate that reaches L* + 1e-6 from nn.Linear's start in about the
    fewest steps any learning rate needs (within :data:`FAST_ENOUGH`)."""
    ex = "2.3"
    lr = as_number(ex, best_lr, "best_lr")
    x, y = seed_data()
    if not lr > 0:
        fail(ex, "a learning rate must be positive", f"best_lr is {lr:g}.")
    start = linear_start()
    crit, opt = critical_lr(x), optimal_lr(x)
    run = gd_trajectory(x, y, lr, EXPLORE_STEPS, *start)
    need, (fast_lr, fewest) = run.first_within(REACH_TOL), fewest_steps(start)
    if run.diverged or lr >= crit:
        fail(ex, f"lr = {lr:.4g} diverges", "It is above 2/λmax, the red mark: stay left of it.")
    if _close(lr, opt, 1e-3):
        fail(ex, "that is 2/(λmin+λmax), the best worst-case lr",
             f"It is best for every start at once; from this start it needs at least "
             f"{math.ceil(predicted_steps(x, y, lr, REACH_TOL, *start)):,} steps, because its steep factor "
             f"{gd_factors(lr, hessian_eigenvalues(x)[1]):+.3f} barely decays. Try a little lower.")
    if need is None or need > FAST_ENOUGH * fewest:
        took = f"{need:,} steps" if need is not None else f"more than {EXPLORE_STEPS:,} steps"
        if lr > fast_lr:
            fail(ex, "the steep error barely decays this close to 2/λmax",
                 f"lr = {lr:.4g} takes {took}; some learning rate needs only {fewest:,}: go a little lower.")
        fail(ex, "the flat direction still crawls",
             f"lr = {lr:.4g} takes {took}; some learning rate needs only {fewest:,}: go higher, toward "
             "the red mark.")
    passed(ex, f"lr = {lr:.4g} reaches L* + 1e-6 in {need:,} steps from nn.Linear's start (the fewest "
           f"on a fine grid: {fewest:,} at {fast_lr / crit:.3f} × 2/λmax; 2/(λmin+λmax) needs at least "
           f"{math.ceil(predicted_steps(x, y, opt, REACH_TOL, *start)):,}).")
