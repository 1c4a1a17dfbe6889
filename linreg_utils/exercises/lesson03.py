"""Checks for lesson 03 (the torch.optim API): when a rescue schedule kicks in, a buggy loop, resuming."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from ..data import make_regression, seed_data
from ..optimizers import line_loss, run_scheduled_sgd
from ..theory import critical_lr
from . import call_answer, fail, passed

# ----------------------------------------------------------------------------- 3.1 rescue

RESCUE_START, RESCUE_GAMMA = 1.3, 0.9
"""Exercise 3.1: ``η0 = 1.3 × 2/λmax`` under ``ExponentialLR(γ = 0.9)``."""


def first_stable_step(start: float = RESCUE_START, gamma: float = RESCUE_GAMMA) -> int:
    """The first step whose lr is below 2/λmax, read off torch's own ``ExponentialLR``."""
    x, y = seed_data()
    crit = critical_lr(x)
    lrs = run_scheduled_sgd(line_loss(x, y), torch.zeros(2, dtype=torch.float64), start * crit, 12,
                            lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=gamma),
                            max_loss=float("inf")).lrs
    return int(torch.nonzero(lrs < crit)[0, 0])


def check_rescue_step(answer: object) -> None:
    """Exercise 3.1: the first step ``k`` with ``1.3 · 0.9^k · 2/λmax < 2/λmax``."""
    truth = first_stable_step()
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        fail("3.1", f"write one number (the step k), got {type(answer).__name__}")
    if answer == truth:
        passed("3.1", f"step {truth} is the first with η below 2/λmax: 1.3 · 0.9^{truth} = "
                      f"{RESCUE_START * RESCUE_GAMMA**truth:.3f} < 1 (torch's ExponentialLR agrees)")
        return
    exact = math.log(1 / RESCUE_START) / math.log(RESCUE_GAMMA)
    if not float(answer).is_integer():
        fail("3.1", f"a step number is a whole number: round log(1/1.3)/log(0.9) = {exact:.2f} "
                    "up or down? Check 1.3 · 0.9^k for the two neighbours")
    if answer == truth - 1:
        below = RESCUE_START * RESCUE_GAMMA ** (truth - 1)
        fail("3.1", f"rounded down: at k = {truth - 1}, 1.3 · 0.9^{truth - 1} = {below:.3f} is "
                    "still ≥ 1, so η is still above 2/λmax")
    if answer == truth + 1:
        fail("3.1", "one step late: step 0 uses η0 itself and step k uses η0 · γ^k, so count the "
                    "first k with 1.3 · 0.9^k < 1")
    fail("3.1", "solve 1.3 · 0.9^k < 1 for the smallest whole k: take logs, and remember that "
                "log(0.9) is negative, so the inequality flips")


# ----------------------------------------------------------------------------- 3.2 the loop

def reference_train(model: nn.Module, x: torch.Tensor, y: torch.Tensor,
                    optimizer: torch.optim.Optimizer, steps: int) -> list[float]:
    """The correct loop: ``zero_grad → forward → loss → backward → step``; returns the losses."""
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


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
    "bs": "you still never call optimizer.zero_grad(): backward() adds to .grad, so every step "
          "uses the sum of all the gradients so far. Call zero_grad() at the start of each step",
    "bzs": "the parameters never moved: either optimizer.step() is missing, or zero_grad() runs "
           "between backward() and step() and wipes the gradient before it is used. "
           "The order is zero_grad → forward → loss → backward → step",
}


def _fresh_run(train: Callable[..., object], steps: int = 12) -> tuple[object, torch.Tensor]:
    x, y = make_regression(n=24, seed=32, x_range=(-1.0, 2.0))
    torch.manual_seed(32)
    model = nn.Linear(1, 1).double()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = call_answer("3.2", train, model, x.double(), y.double(), optimizer, steps)
    return losses, torch.cat([p.detach().flatten() for p in model.parameters()])


def check_train(train: Callable[..., object]) -> None:
    """Exercise 3.2: the fixed ``train(model, x, y, optimizer, steps) -> list of losses``."""
    losses, params = _fresh_run(train)
    ref_losses, ref_params = _fresh_run(reference_train)
    if not isinstance(losses, list) or len(losses) != len(ref_losses):
        fail("3.2", f"return the list of the {len(ref_losses)} losses (one float per step), "
                    f"got {type(losses).__name__}")
    if torch.allclose(params, ref_params, rtol=1e-10, atol=1e-12):
        if not all(abs(float(a) - b) <= 1e-9 * max(1.0, b) for a, b in zip(losses, ref_losses, strict=True)):
            fail("3.2", "the parameters are right but the losses are not: record loss.item() "
                        "of each step's forward pass")
        passed("3.2", "zero_grad → forward → loss → backward → step; the loss falls every step")
        return
    for order, hint in _LOOP_MISTAKES.items():
        if torch.allclose(params, _fresh_run(_loop(order))[1], rtol=1e-10, atol=1e-12):
            fail("3.2", hint)
    fail("3.2", "your parameters differ from those of the correct loop; check the order "
                "zero_grad → forward → loss → backward → step, once per step")


# ----------------------------------------------------------------------------- 3.3 resume

def make_checkpoint(steps: int = 20) -> tuple[dict, torch.Tensor, torch.Tensor]:
    """Train ``nn.Linear(1, 1)`` (float64) with Adam(lr=0.05) for ``steps``; return the checkpoint and data.

    The checkpoint is ``{"model": model.state_dict(), "optimizer": optimizer.state_dict()}``.
    """
    x, y = (t.double() for t in make_regression(n=30, seed=33, x_range=(0.0, 4.0)))
    torch.manual_seed(33)
    model = nn.Linear(1, 1).double()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    reference_train(model, x, y, optimizer, steps)
    checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict()}
    return _clone(checkpoint), x, y


def _clone(obj: object) -> object:
    if isinstance(obj, torch.Tensor):
        return obj.clone()
    if isinstance(obj, dict):
        return type(obj)((k, _clone(v)) for k, v in obj.items())
    if isinstance(obj, list):
        return [_clone(v) for v in obj]
    return obj


def reference_resume(checkpoint: dict, x: torch.Tensor, y: torch.Tensor, steps: int) -> nn.Module:
    """Rebuild model and Adam, load both state dicts, train ``steps`` more; return the model."""
    model = nn.Linear(1, 1).double()
    model.load_state_dict(checkpoint["model"])
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    optimizer.load_state_dict(checkpoint["optimizer"])
    reference_train(model, x, y, optimizer, steps)
    return model


def _params(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def check_resume(resume: Callable[..., object]) -> None:
    """Exercise 3.3: ``resume(checkpoint, x, y, steps) -> model`` continues training exactly."""
    checkpoint, x, y = make_checkpoint(20)
    model = call_answer("3.3", resume, _clone(checkpoint), x, y, 15)
    if not isinstance(model, nn.Module):
        fail("3.3", f"return the trained model (an nn.Module), got {type(model).__name__}")
    torch.manual_seed(33)
    straight = nn.Linear(1, 1).double()
    reference_train(straight, x, y, torch.optim.Adam(straight.parameters(), lr=0.05), 35)
    mine = _params(model)
    if mine.shape == _params(straight).shape and torch.equal(mine, _params(straight)):
        passed("3.3", "20 steps + checkpoint + 15 steps equals 35 uninterrupted steps, bit for bit")
        return
    fresh_opt = nn.Linear(1, 1).double()
    fresh_opt.load_state_dict(checkpoint["model"])
    reference_train(fresh_opt, x, y, torch.optim.Adam(fresh_opt.parameters(), lr=0.05), 15)
    if torch.allclose(mine, _params(fresh_opt)):
        fail("3.3", "you loaded the model but not the optimizer: Adam's running averages (and its "
                    "step count) restarted from zero. "
                    "Call optimizer.load_state_dict(checkpoint['optimizer'])")
    if torch.allclose(mine, _params(straight), rtol=1e-6, atol=1e-8):
        fail("3.3", "close, but not bit for bit: load the saved state instead of recomputing it")
    fail("3.3", "your parameters are far from the uninterrupted run: did you load "
                "checkpoint['model'] into the model before training, and train exactly `steps` steps?")
