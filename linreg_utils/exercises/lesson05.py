"""Checks for lesson 05 (adaptive methods and quasi-Newton): predict the edge of averaged momentum
and verify it in torch, derive the gap at which RMSprop cycles, and predict the closure calls of one
L-BFGS ``step()`` on the standardized (perfectly conditioned) problem.

Each checker measures the truth with ``torch.optim`` itself (a run just inside and just outside the
predicted edge, an RMSprop run until it cycles, a closure that counts its calls), and compares a
wrong answer with the usual wrong routes to say in words what went wrong.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch

from ..data import START, seed_data, standardize
from ..runs import optimize
from ..theory import (
    adam_stability_edge,
    closed_form_fit,
    hessian_eigenvalues,
    largest_stable_lr,
    line_loss,
    mse_hessian,
    quadratic_gap,
)
from .framework import as_number, as_whole_number, checker, fail, passed
from .lesson04 import edge_check_run

EDGE_BETA = 0.8
"""Exercise 5.1: the momentum (and dampening) of the averaged-momentum SGD whose edge is predicted."""
EDGE_STEPS = 300
"""Exercise 5.1 runs torch this many steps at 0.97 and 1.03 times the predicted learning rate."""
CYCLE_LR = 0.004
"""Exercise 5.2: the learning rate of the RMSprop run whose cycle's gap is derived."""
CYCLE_STEPS = 3_000
"""Exercise 5.2's RMSprop run has cycled by then; the gap is averaged over its last 100 steps."""


def _start() -> torch.Tensor:
    return torch.tensor(START, dtype=torch.float64)


def _close(a: float, b: float, rel: float) -> bool:
    return math.isclose(a, b, rel_tol=rel)


# ----------------------------------------------------------------------------- 5.1 the edge


def averaged_momentum_run(lr: float, beta: float = EDGE_BETA,
                          steps: int = EDGE_STEPS) -> tuple[bool, float, int]:
    """``torch.optim.SGD(lr, momentum=β, dampening=β)`` from ``START`` on the raw seed problem:
    ``(diverged, gap at the end, step it diverged at or the steps run)`` (lesson 04's edge run)."""
    return edge_check_run(lr, beta, steps, dampening=beta)


@checker("5.1", value="ema_edge_lr", hints=(
    "With dampening equal to momentum the buffer is an average of gradients, not a sum: write it as "
    "lesson 04's heavy ball. What are that heavy ball's momentum and its learning rate?",
    "The lesson turned the heavy ball's edge into a bound on η·λ for Adam with P frozen; with P = I "
    "the same bound holds here, with this exercise's β in place of 0.9.",
    "That bound limits η times the steepest curvature of the raw problem: divide it by `lam_max` "
    "(set in the lesson's first code cell), and keep three significant figures.",
))
def check_ema_edge_lr(ema_edge_lr: object) -> None:
    """Exercise 5.1: the largest lr of ``SGD(momentum=0.8, dampening=0.8)`` on the raw seed problem."""
    ex = "5.1"
    lr = as_number(ex, ema_edge_lr, "ema_edge_lr")
    lam_min, lam_max = hessian_eigenvalues(seed_data()[0])
    beta, edge = EDGE_BETA, float(adam_stability_edge(EDGE_BETA))
    truth, averaging = edge / lam_max, 1.0 - EDGE_BETA  # the buffer's weight on each new gradient
    if _close(lr, truth, 2e-3):
        below, above = averaged_momentum_run(0.97 * lr), averaged_momentum_run(1.03 * lr)
        if below[0] or not above[0]:  # the truth is measured, not assumed
            raise RuntimeError(f"torch does not confirm the edge {truth}: {below}, {above}")
        return passed(ex, f"torch agrees: at 0.97 × {lr:.4g} the gap is {below[1]:.0e} after {below[2]} "
                      f"steps, at 1.03 × it diverged at step {above[2]} (ηλmax < {edge:.0f} for β = {beta})")
    mistakes = [
        (largest_stable_lr(lam_max), "that is plain gradient descent's edge",
         "The buffer adds momentum, and momentum moves the edge."),
        (largest_stable_lr(lam_max, beta), "that is the edge of momentum that sums gradients",
         "Here the buffer averages them (dampening = momentum), so its steps are shorter than a summing "
         "buffer's at the same η: the edge sits at a larger η."),
        (float(adam_stability_edge(0.9)) / lam_max, "that is the edge for β = 0.9, not for β = 0.8",
         "Redo the lesson's computation with this exercise's β."),
        (largest_stable_lr(lam_max) / averaging, "you lost the 1 + β of the heavy ball's edge",
         "Lesson 04's edge grows with β: start from it, not from plain GD's."),
        (truth / 2, "you lost a factor 2 of the heavy ball's edge",
         "Start from lesson 04's edge as it is, then rewrite it for the averaged buffer."),
        (largest_stable_lr(lam_max, beta) * averaging, "you multiplied by 1 − β instead of dividing",
         "The averaged buffer is smaller than the summed one, so the largest stable η is larger."),
        (edge, "that bounds η·λmax, not η", "Divide by the steepest curvature of the raw problem."),
        (edge / lam_min, "that uses the flattest curvature",
         "The steepest direction is the one that diverges first."),
    ]
    for value, diagnosis, advice in mistakes:
        if _close(lr, value, 2e-3):
            fail(ex, diagnosis, advice)
    if _close(lr, truth, 0.05):
        fail(ex, "close, but not to three significant figures",
             "Keep every digit of lam_max until the end, then round to three significant figures.")
    fail(ex, "not the edge torch measures",
         "Rewrite the averaged buffer as lesson 04's heavy ball, use its edge, then the steepest curvature.")


# ----------------------------------------------------------------------------- 5.2 RMSprop's cycle


@functools.cache  # a fixed run: a second check (or a second wrong try) answers at once
def rmsprop_cycle_gap(lr: float = CYCLE_LR, steps: int = CYCLE_STEPS) -> float:
    """The gap ``½ dᵀHd`` of ``torch.optim.RMSprop(lr)`` from ``START`` on the raw seed problem,
    averaged over the last 100 of ``steps`` steps (its period-2 cycle by then)."""
    x, y = seed_data()
    run = optimize(lambda p: torch.optim.RMSprop(p, lr=lr), line_loss(x, y), _start(), steps)
    d = run.path[-100:] - np.array(closed_form_fit(x, y))
    return float(quadratic_gap(d, mse_hessian(x).numpy()).mean())


@checker("5.2", value="rmsprop_gap", hints=(
    "The gap of a point is ½ dᵀHd, with d its offset from θ*. Where, relative to θ*, are the two "
    "points that the cycle jumps between?",
    "The cycle is symmetric about θ* and one step takes it from one point to the other, so each point "
    "is half a step away from θ*. Read the step's direction off the printed Δw and Δb.",
    "Build d as an array of two numbers from η and that direction, then evaluate ½ dᵀHd with the "
    "lesson's `H`; keep two significant figures.",
))
def check_rmsprop_gap(rmsprop_gap: object) -> None:
    """Exercise 5.2: the gap at which ``RMSprop(lr=0.004)`` cycles on the raw seed problem."""
    ex = "5.2"
    got = as_number(ex, rmsprop_gap, "rmsprop_gap")
    truth = rmsprop_cycle_gap()
    if _close(got, truth, 0.02):
        return passed(ex, f"torch.optim.RMSprop(lr={CYCLE_LR}) cycles at a gap of {truth:.3e}: each point "
                      "is half a step from θ*, the step ±η in both coordinates")
    h, half = mse_hessian(seed_data()[0]).numpy(), CYCLE_LR / 2
    lam_max = float(np.linalg.eigvalsh(h)[-1])

    def gap_of(d: np.ndarray) -> float:
        return float(quadratic_gap(np.asarray(d), h))

    mistakes = [
        (gap_of(np.array([2 * half, 2 * half])), "your points are a whole step from θ*",
         "One step takes the cycle from one point to the other; θ* lies between them."),
        (2 * truth, "twice too large: the gap has a ½ in front", "The gap of an offset d is ½ dᵀHd."),
        (8 * truth, "two slips: a whole step from θ*, and no ½",
         "Each point is half a step from θ*, and the gap of an offset d is ½ dᵀHd."),
        (gap_of(np.array([half, -half])), "w and b move the same way in the cycle",
         "Look at the signs of the printed Δw and Δb."),
        (gap_of(np.array([half, 0.0])), "b moves too", "Each step moves both coordinates by ±η."),
        (lam_max * half * half, "(1, 1) is not an eigenvector of H",
         "Evaluate ½ dᵀHd with the whole matrix H, not with its largest eigenvalue."),
        (1.44e-3 * CYCLE_LR / 0.01, "the gap is not proportional to η",
         "It is quadratic in the offset, and the offset is proportional to η."),
        (1.44e-3, "that is the gap at lr = 0.01", f"This exercise's RMSprop runs at lr = {CYCLE_LR}."),
    ]
    for value, diagnosis, advice in mistakes:
        if _close(got, value, 0.02):
            fail(ex, diagnosis, advice)
    fail(ex, "not the gap torch.optim.RMSprop cycles at",
         "Where are the cycle's two points relative to θ*, and what is the gap of each?")


# ----------------------------------------------------------------------------- 5.3 closure calls


def lbfgs_closure_calls(standardized: bool = True, max_iter: int = 20) -> int:
    """The closure calls of the first ``step()`` of ``torch.optim.LBFGS(lr=1, max_iter)`` (no line
    search) from ``START`` on the seed problem, counted: with x standardized (``H = 2I``, the exercise)
    or raw."""
    x, y = seed_data()
    if standardized:
        x = standardize(x)[0]
    loss_fn, theta = line_loss(x, y), _start().requires_grad_(True)
    optimizer, calls = torch.optim.LBFGS([theta], lr=1.0, max_iter=max_iter), []

    def closure() -> torch.Tensor:
        calls.append(1)
        optimizer.zero_grad()
        loss = loss_fn(theta)
        loss.backward()
        return loss

    optimizer.step(closure)
    return len(calls)


@checker("5.3", value="closure_calls", hints=(
    "Without a line search a step() calls the closure once where it starts and once after each step it "
    "takes, and it ends as soon as max|g| ≤ 1e-7. So: how many steps until the gradient vanishes?",
    "The first iteration knows no curvature: it takes a short gradient step. After it L-BFGS holds one "
    "secant pair (s, y), and its estimate of H⁻¹ starts from γI with γ = yᵀs/yᵀy.",
    "Here y = Hs = 2s, so γI is exactly H⁻¹: the next direction is Newton's, and with t = lr it lands on "
    "θ*, where the gradient is rounding noise.",
))
def check_closure_calls(closure_calls: object) -> None:
    """Exercise 5.3: closure calls of the first default ``step()`` of ``LBFGS`` on standardized x from
    ``START``."""
    ex = "5.3"
    got = as_whole_number(ex, closure_calls, "closure_calls")
    truth = lbfgs_closure_calls()
    if got == truth:
        return passed(ex, f"torch counted {truth} calls: one at the start, one after the short first step, "
                      "and one after the Newton step that lands on θ* (max|g| ≤ 1e-7 ends the step())")
    mistakes = {
        truth - 1: ("you left out the evaluation at the start",
                    "step() evaluates where it starts and after every step it takes, the last one "
                    "included: the race counts only the steps' gradients."),
        truth + 1: ("you gave L-BFGS one step too many",
                    "Once γI equals H⁻¹, where does the next step land, and which test ends the "
                    "step() there?"),
        lbfgs_closure_calls(standardized=False): (
            "that is the raw data's count (κ = 379)",
            "Here H = 2I: how many steps does L-BFGS need once one pair has told it the curvature?"),
        1: ("one call per step() is what SGD makes", "One L-BFGS step() runs several iterations."),
        20: ("that is the default max_iter, an upper bound", "Count what this step() actually does."),
        25: ("that is the default max_eval, an upper bound", "Count what this step() actually does."),
    }
    if got in mistakes:
        fail(ex, *mistakes[got])
    fail(ex, "not the count torch makes",
         "How many steps does it take before the gradient vanishes, and how many evaluations per step?")
