"""Checks for lesson 03 (the torch.optim API): the edge on standardized data against the range
test, the largest per-parameter scale, a learning rate picked from a range test."""

from __future__ import annotations

import math

import torch

from ..data import make_regression, seed_data, standardize
from ..runs import lr_range_test, optimize, range_test_turn, train
from ..theory import closed_form_fit, critical_lr, fastest_gd_lr, largest_stable_lr, line_loss, mse_hessian
from .framework import as_number, checker, fail, passed

# ----------------------------------------------------------------------------- 3.1 standardized edge

def standardized_range_test() -> tuple[float, float, float]:
    """``(2/λmax, lr at the lowest loss, lr where the loss turned up)`` of the lesson's range test
    (:func:`~linreg_utils.runs.lr_range_test`, defaults) on the seed data with x standardized."""
    x, y = seed_data()
    z = standardize(x.double())[0]
    low, turn = range_test_turn(lr_range_test(line_loss(z, y.double()), torch.zeros(2, dtype=torch.float64)))
    return critical_lr(z), low, turn


@checker("3.1", value="standardized_edge", hints=(
    "Write the Hessian of the MSE for the line, 2·[[mean(x²), mean(x)], [mean(x), 1]], and put in what "
    "standardizing does to mean(z) and mean(z²).",
    "With those two means the Hessian is a multiple of the identity: both eigenvalues are equal.",
    "Gradient descent is stable while η·λmax < 2 on every direction; solve that for η.",
))
def check_standardized_edge(answer: object) -> None:
    """Exercise 3.1: ``2/λmax`` of the seed problem with ``x`` standardized, then the range test."""
    ex = "3.1"
    got = as_number(ex, answer, "standardized_edge")
    truth, low, turn = standardized_range_test()
    if abs(got - truth) <= 5e-3 * truth:
        return passed(ex, f"2/λmax = {truth:.3f} on standardized x; the range test's loss turned up at "
                      f"η = {turn:.2f}, {turn / truth:.1f}× past the edge (its lr moves every step)")
    x = seed_data()[0].double()
    mistakes = [
        (2 * truth, "the factor 2 of the Hessian is missing",
         "The MSE's Hessian is twice the matrix of the means; its eigenvalues carry that 2."),
        (truth / 2, "GD converges beyond ηλ = 1",
         "The factor 1 − ηλ may be negative: it only has to stay above −1."),
        (critical_lr(x), "that is the raw data's limit",
         "Standardizing changes the Hessian: redo it with mean(z) and mean(z²)."),
        (turn, "that is where the range test blew up, not the edge",
         "Predict from the Hessian before running the test: the edge comes from λmax alone."),
    ]
    for value, diagnosis, advice in mistakes:
        if abs(got - value) <= 5e-3 * abs(value):
            fail(ex, diagnosis, advice)
    fail(ex, f"GD's edge on standardized x is not at η = {got:.4g}",
         "Work out the standardized Hessian from mean(z) and mean(z²), then its largest eigenvalue.")


# ----------------------------------------------------------------------------- 3.2 critical scale

def preconditioned_eigenvalues() -> tuple[float, float]:
    """``(λmin, λmax)`` of ``D^-1/2 H D^-1/2`` (``D = diag(H)``) for the seed data."""
    h = mse_hessian(seed_data()[0])
    d = torch.diag(h).sqrt()
    lam = torch.linalg.eigvalsh(h / torch.outer(d, d))
    return lam[0].item(), lam[1].item()


def _param_group_gap(scale: float, steps: int = 300) -> float:
    """Loss gap after ``steps`` SGD steps with ``lr_w = scale/H_ww``, ``lr_b = scale/H_bb`` (from 0)."""
    x, y = seed_data()
    h = torch.diag(mse_hessian(x))
    w, b = (torch.zeros(1, dtype=torch.float64, requires_grad=True) for _ in range(2))
    groups = [{"params": [w], "lr": scale / h[0].item()}, {"params": [b], "lr": scale / h[1].item()}]
    loss_fn = line_loss(x, y)
    run = train(lambda: loss_fn(torch.cat([w, b])), [w, b], torch.optim.SGD(groups), steps,
                stop_on_divergence=False)  # the gap after all the steps, however large
    gap = run.losses[-1] - loss_fn(torch.tensor(closed_form_fit(x, y))).item()
    return gap if math.isfinite(gap) else math.inf


@checker("3.2", value="critical_scale", hints=(
    "With lr_i = c/H_ii one SGD step is plain GD with step c on the preconditioned Hessian, whose two "
    "eigenvalues are printed in `eig`.",
    "Plain GD on a quadratic keeps a direction with curvature λ under control as long as that direction's "
    "factor 1 − c·λ stays strictly between −1 and 1.",
    "Work out the largest c each of the two directions allows and keep the smaller of the two limits; "
    "compute it from eig rather than typing digits.",
))
def check_critical_scale(critical_scale: object) -> None:
    """Exercise 3.2: the largest ``c`` with ``lr_i = c/H_ii`` that converges: ``2/λmax(D^-1/2 H D^-1/2)``."""
    ex = "3.2"
    answer = as_number(ex, critical_scale, "critical_scale")
    lam_min, lam_max = preconditioned_eigenvalues()
    truth = largest_stable_lr(lam_max)
    if abs(answer - truth) <= 2e-3 * truth:
        below, above = _param_group_gap(0.98 * truth), _param_group_gap(1.02 * truth)
        return passed(ex, f"c = 2/λmax(D^-1/2 H D^-1/2) = {truth:.4f}; torch SGD with these param groups: "
                      f"after 300 steps the loss gap is {below:.1e} at 0.98c, and "
                      + (f"{above:.1e} at 1.02c: diverging" if above > 1.0 else f"{above:.1e} at 1.02c"))
    mistakes = [
        (critical_lr(seed_data()[0]), "that is the raw Hessian's limit",
         "With lr_i = c/H_ii the step sees D^-1/2 H D^-1/2, whose eigenvalues are in `eig`."),
        (fastest_gd_lr(lam_min, lam_max), "that is the best worst-case scale, not the largest",
         "It balances the two directions; the question asks for the largest c that still converges."),
        (1.0 / lam_max, "GD converges beyond c·λ = 1",
         "The factor 1 − c·λ may be negative: it only has to stay above −1."),
        (largest_stable_lr(lam_min), "that limit comes from the flat direction",
         "The run converges only if every direction does: which one is stricter?"),
    ]
    for value, diagnosis, advice in mistakes:
        if abs(answer - value) <= 2e-3 * abs(value):
            fail(ex, diagnosis, advice)
    if answer > truth:
        fail(ex, f"at c = {answer:.4g} the run diverges",
             "One direction of the preconditioned Hessian has a factor 1 − c·λ below −1 there.")
    fail(ex, "the run still converges above your c",
         "Each eigen-direction of the preconditioned Hessian limits c on its own; find the limit that binds.")


# ----------------------------------------------------------------------------- 3.3 pick from the curve

PICK_DATA = {"n": 30, "seed": 3, "x_range": (0.0, 20.0)}
"""Exercise 3.3's fresh problem: ``make_regression(**PICK_DATA)`` (x from 0 to 20, κ ≈ 394)."""
PICK_STEPS = 300
PICK_FLOOR = 0.2
"""Exercise 3.3 passes an lr that converges and is at least this share of 2/λmax."""


def pick_problem() -> tuple[torch.Tensor, torch.Tensor]:
    """Exercise 3.3's data, float64 ``(30, 1)`` each."""
    x, y = make_regression(**PICK_DATA)
    return x.double(), y.double()


@checker("3.3", value="picked_lr", hints=(
    "The range test changes the lr every step, so the loss turns up only after the unstable direction "
    "has had several steps to grow: the turn sits past the largest lr that converges.",
    "The lowest point of the curve is not a safe constant lr either: it is just before the turn.",
    "The usual rule is to back off from the turn by about an order of magnitude, then run it.",
))
def check_picked_lr(answer: object) -> None:
    """Exercise 3.3: an lr picked from the range test on :func:`pick_problem` runs SGD well."""
    ex = "3.3"
    lr = as_number(ex, answer, "picked_lr")
    if lr <= 0:
        fail(ex, "a learning rate is positive", "Read a positive lr off the curve's horizontal axis.")
    x, y = pick_problem()
    crit = critical_lr(x)
    run = optimize(lambda p: torch.optim.SGD(p, lr=lr), line_loss(x, y), torch.zeros(2, dtype=torch.float64),
                   PICK_STEPS)
    low, turn = range_test_turn(lr_range_test(line_loss(x, y), torch.zeros(2, dtype=torch.float64)))
    if run.diverged_at is not None or not run.losses[-1] < run.losses[0]:
        near = "the curve's lowest point" if abs(lr - low) <= 0.1 * low else (
            "the turn itself" if abs(lr - turn) <= 0.1 * turn else "an lr past the edge")
        fail(ex, f"you picked {near}; it diverges",
             f"A constant run at η = {lr:.3g} diverges. The range test's lr moved on every step; a constant "
             "lr stays, and its steep direction keeps growing. Back off further from the turn.")
    if lr < PICK_FLOOR * crit:
        fail(ex, f"η = {lr:.3g} converges, but slower than it need be",
             f"After {PICK_STEPS} steps its loss is still {run.losses[-1] / run.losses[0]:.1e} of the start: "
             "the flat direction wants the largest lr that is still stable. Move closer to the turn.")
    return passed(ex, f"η = {lr:.3g} is {lr / crit:.2f} × 2/λmax here: stable, and after {PICK_STEPS} "
                  f"steps the loss is {run.losses[-1]:.4f} (from {run.losses[0]:.2f}); the test turned up at "
                  f"η = {turn:.3g}")
