"""Checks for lesson 03 (the torch.optim API): momentum by hand, a buggy loop, resuming training."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from ..data import make_regression
from . import call_answer, fail, passed


def _tensor_pair(exercise: str, out: object, what: str) -> tuple[torch.Tensor, torch.Tensor]:
    if not (isinstance(out, tuple) and len(out) == 2 and all(isinstance(t, torch.Tensor) for t in out)):
        fail(exercise, f"return a tuple of two tensors ({what}), got {type(out).__name__}")
    return out


# ----------------------------------------------------------------------------- 3.1 momentum

def reference_momentum_step(theta: torch.Tensor, grad: torch.Tensor, velocity: torch.Tensor,
                            lr: float, beta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """PyTorch's momentum: ``v ← β v + g``, ``θ ← θ − η v``; returns ``(θ, v)``."""
    velocity = beta * velocity + grad
    return theta - lr * velocity, velocity


_MOMENTUM_MISTAKES: dict[str, Callable[..., tuple[torch.Tensor, torch.Tensor]]] = {
    "you never used the velocity: that is plain gradient descent. Add β·v to the gradient, "
    "then step along v":
        lambda t, g, v, lr, b: (t - lr * g, b * v + g),
    "you averaged (v ← β v + (1 − β) g): that is an exponential moving average with "
    "dampening; PyTorch's SGD adds the whole gradient, v ← β v + g":
        lambda t, g, v, lr, b: (t - lr * (b * v + (1 - b) * g), b * v + (1 - b) * g),
    "you stepped with the old velocity: update v ← β v + g first, then θ ← θ − η v":
        lambda t, g, v, lr, b: (t - lr * v, b * v + g),
    "the sign is wrong: your step went uphill (θ ← θ + η v); subtract η v":
        lambda t, g, v, lr, b: (t + lr * (b * v + g), b * v + g),
    "that is Nesterov's form (θ ← θ − η (g + β v)); this exercise wants plain momentum, θ ← θ − η v":
        lambda t, g, v, lr, b: (t - lr * (g + b * (b * v + g)), b * v + g),
}


def _momentum_path(step: Callable[..., object], x: torch.Tensor, y: torch.Tensor,
                   lr: float, beta: float, steps: int) -> list[torch.Tensor]:
    theta, path = torch.tensor([0.5, -0.5], dtype=torch.float64), []
    velocity = torch.zeros(2, dtype=torch.float64)
    for _ in range(steps):
        r = theta[0] * x + theta[1] - y
        grad = torch.stack([2 * (r * x).mean(), 2 * r.mean()])
        out = call_answer("3.1", step, theta.clone(), grad.clone(), velocity.clone(), lr, beta)
        theta, velocity = _tensor_pair("3.1", out, "new theta, new velocity")
        if theta.shape != (2,) or velocity.shape != (2,):
            fail("3.1", f"theta and velocity must keep shape (2,), got {tuple(theta.shape)} "
                        f"and {tuple(velocity.shape)}")
        path.append(theta.detach().to(torch.float64))
    return path


def check_momentum_step(momentum_step: Callable[..., object]) -> None:
    """Exercise 3.1: ``momentum_step(theta, grad, velocity, lr, beta) -> (theta, velocity)``."""
    x, y = (t[:, 0].double() for t in make_regression(n=20, seed=31, x_range=(0.0, 3.0)))
    lr, beta, steps = 0.05, 0.8, 8
    mine = _momentum_path(momentum_step, x, y, lr, beta, steps)
    ref = _momentum_path(reference_momentum_step, x, y, lr, beta, steps)
    if all(torch.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(mine, ref, strict=True)):
        passed("3.1", f"{steps} momentum steps match PyTorch's SGD(momentum={beta}) exactly")
        return
    for hint, wrong in _MOMENTUM_MISTAKES.items():
        path = _momentum_path(wrong, x, y, lr, beta, steps)
        if all(torch.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(mine, path, strict=True)):
            fail("3.1", hint)
    first = next(i for i, (a, b) in enumerate(zip(mine, ref, strict=True)) if not torch.allclose(a, b))
    fail("3.1", f"your θ differs from v ← β v + g, θ ← θ − η v from step {first + 1} on; "
                "check both lines of the update")


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
