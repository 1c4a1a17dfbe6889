"""Checks for lesson 03 (the torch.optim API): when a rescue kicks in, the largest per-parameter
scale, a buggy loop."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from ..data import make_regression, seed_data
from ..runs import optimize, train
from ..theory import closed_form_fit, critical_lr, fastest_gd_lr, largest_stable_lr, line_loss, mse_hessian
from .framework import as_number, call_answer, checker, fail, passed

# ----------------------------------------------------------------------------- 3.1 rescue

RESCUE_START, RESCUE_GAMMA = 1.3, 0.9
"""Exercise 3.1: ``η0 = 1.3 × 2/λmax`` under ``ExponentialLR(γ = 0.9)``."""


def first_stable_step(start: float = RESCUE_START, gamma: float = RESCUE_GAMMA) -> int:
    """The first step whose lr is below 2/λmax, read off torch's own ``ExponentialLR``."""
    x, y = seed_data()
    crit = critical_lr(x)
    run = optimize(lambda p: torch.optim.SGD(p, lr=start * crit), line_loss(x, y),
                   torch.zeros(2, dtype=torch.float64), 12,
                   make_scheduler=lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=gamma))
    lrs = run.log["lr"]
    return int(np.flatnonzero(lrs < crit)[0])


@checker("3.1", value="first_stable_step", hints=(
    "Step k uses η_k = η0·γ^k with η0 = 1.3 × 2/λmax: divide by 2/λmax and ask when 1.3·γ^k drops below 1.",
    "Take logarithms of 1.3·0.9^k < 1; log(0.9) is negative, so dividing by it flips the inequality.",
    "The k you solve for is not a whole number: the first step below the limit is the next whole number "
    "above it (step 0 uses η0 itself).",
))
def check_rescue_step(answer: object) -> None:
    """Exercise 3.1: the first step ``k`` with ``1.3 · 0.9^k · 2/λmax < 2/λmax``."""
    ex = "3.1"
    got = as_number(ex, answer, "first_stable_step")
    truth = first_stable_step()
    if got == truth:
        return passed(ex, f"step {truth} is the first with η below 2/λmax: 1.3 · 0.9^{truth} = "
                      f"{RESCUE_START * RESCUE_GAMMA**truth:.3f} < 1 (torch's ExponentialLR agrees)")
    if not float(got).is_integer():
        fail(ex, "a step number is a whole number",
             "You solved for k exactly: which whole step is the first one past that k?")
    if got == truth - 1:
        fail(ex, "you rounded down",
             f"At k = {truth - 1}, 1.3 · 0.9^k is still ≥ 1, so η is still above 2/λmax.")
    if got == truth + 1:
        fail(ex, "one step late",
             "Step 0 uses η0 itself and step k uses η0 · γ^k: count from 0.")
    fail(ex, "not the first step below 2/λmax",
         "Solve 1.3 · 0.9^k < 1 for the smallest whole k: take logs, and remember that log(0.9) is "
         "negative, so the inequality flips.")


# ----------------------------------------------------------------------------- 3.3 the loop

def reference_train(model: nn.Module, x: torch.Tensor, y: torch.Tensor,
                    optimizer: torch.optim.Optimizer, steps: int) -> list[float]:
    """The correct loop: ``zero_grad → forward → loss → backward → step``; returns the losses
    (the package's loop, :func:`~linreg_utils.runs.train`, without its entry after the last step)."""
    run = train(lambda: nn.functional.mse_loss(model(x), y), model.parameters(), optimizer, steps,
                stop_on_divergence=False)
    return run.losses[:-1].tolist()


def _loop(order: str) -> Callable[..., list[float]]:
    """A training loop doing the actions in ``order`` (z=zero_grad, b=backward, s=step) each step."""
    def train(model, x, y, optimizer, steps):
        losses = []
        for _ in range(steps):
            loss = nn.functional.mse_loss(model(x), y)
            for action in order:
                {"z": optimizer.zero_grad, "b": loss.backward, "s": optimizer.step}[action]()
            losses.append(loss.item())
        return losses
    return train


_LOOP_MISTAKES = {
    "bs": ("you still never call optimizer.zero_grad()",
           "backward() adds to .grad, so every step uses the sum of all the gradients so far."),
    "bzs": ("the parameters never moved",
            "Either optimizer.step() is missing, or zero_grad() runs between backward() and step() and "
            "wipes the gradient before it is used."),
}


def _fresh_run(train: Callable[..., object], steps: int = 12) -> tuple[object, torch.Tensor]:
    x, y = make_regression(n=24, seed=32, x_range=(-1.0, 2.0))
    torch.manual_seed(32)
    model = nn.Linear(1, 1).double()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = call_answer("3.3", train, model, x.double(), y.double(), optimizer, steps)
    return losses, torch.cat([p.detach().flatten() for p in model.parameters()])


@checker("3.3", function="train", hints=(
    "Compare the loop with the order the lesson's contract gives: which of the five calls is missing?",
    "backward() adds to each parameter's .grad; nothing in the loop above ever clears it, so every step "
    "uses the sum of all the gradients so far.",
    "Clear the gradients once per step, before the backward pass, and keep the rest of the loop as it is.",
))
def check_train(train: Callable[..., object]) -> None:
    """Exercise 3.3: the fixed ``train(model, x, y, optimizer, steps) -> list of losses``."""
    ex = "3.3"
    losses, params = _fresh_run(train)
    ref_losses, ref_params = _fresh_run(reference_train)
    if not isinstance(losses, list) or len(losses) != len(ref_losses):
        fail(ex, f"return the list of the {len(ref_losses)} losses",
             f"One float per step; your function returned {type(losses).__name__}.")
    if torch.allclose(params, ref_params, rtol=1e-10, atol=1e-12):
        if not all(abs(float(a) - b) <= 1e-9 * max(1.0, b) for a, b in zip(losses, ref_losses, strict=True)):
            fail(ex, "the parameters are right but the losses are not",
                 "Record loss.item() of each step's forward pass.")
        return passed(ex, "zero_grad → forward → loss → backward → step; the loss falls every step")
    for order, (diagnosis, advice) in _LOOP_MISTAKES.items():
        if torch.allclose(params, _fresh_run(_loop(order))[1], rtol=1e-10, atol=1e-12):
            fail(ex, diagnosis, advice)
    fail(ex, "your parameters differ from the correct loop's",
         "Check the order zero_grad → forward → loss → backward → step, once per step.")


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
        (1.0 / lam_max, "GD converges beyond ηλ = 1",
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
