"""Curvature of a network's loss without its Hessian: Hessian-vector products and power iteration.

A network's loss is written as a function of one flat parameter vector ``θ: (d,)`` (see
:func:`flat_loss`). The Hessian-vector product ``Hv = ∇(∇L·v)`` costs one backward pass through
the gradient ("double backward"), about two gradients, whatever ``d``; the full Hessian needs
``d`` of them. Power iteration ``v ← Hv/‖Hv‖`` then finds the eigenvalue of largest magnitude,
which during training is the top eigenvalue ``λmax``, the *sharpness*: on a quadratic, gradient
descent with learning rate ``η`` is stable exactly when ``λmax < 2/η``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch.func import functional_call

from ._checks import positive_finite, positive_int

LossFn = Callable[[torch.Tensor], torch.Tensor]


def mlp(width: int = 32, seed: int = 0) -> torch.nn.Sequential:
    """The lesson's network ``1 → width → 1`` with a tanh, float64, PyTorch's default init seeded."""
    width = positive_int("width", width)
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(1, width), torch.nn.Tanh(), torch.nn.Linear(width, 1)).double()


def flat_loss(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[LossFn, torch.Tensor]:
    """``(loss, θ0)``: the MSE of ``model`` on ``x, y`` as a function of a flat ``(d,)`` vector.

    ``θ0`` holds the model's current parameters, in ``model.parameters()`` order; the model
    itself is never changed (``torch.func.functional_call`` runs it with the given values).
    """
    names = [name for name, _ in model.named_parameters()]
    shapes = [p.shape for _, p in model.named_parameters()]
    sizes = [math.prod(s) for s in shapes]
    theta0 = torch.nn.utils.parameters_to_vector(model.parameters()).detach().clone()

    def loss(theta: torch.Tensor) -> torch.Tensor:
        if theta.shape != theta0.shape:
            raise ValueError(f"theta must have shape {tuple(theta0.shape)}, got {tuple(theta.shape)}")
        params = {n: t.view(s) for n, t, s in zip(names, theta.split(sizes), shapes, strict=True)}
        return torch.mean((functional_call(model, params, (x,)) - y) ** 2)

    return loss, theta0


def loss_and_gradient(loss: LossFn, theta: torch.Tensor) -> tuple[float, torch.Tensor]:
    """``(L(θ), ∇L(θ))``: one forward and one backward pass; the gradient is ``(d,)``."""
    theta = theta.detach().requires_grad_()
    value = loss(theta)
    (grad,) = torch.autograd.grad(value, theta)
    return value.item(), grad


def hvp(loss: LossFn, theta: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """``H(θ) v``, ``(d,)``, by double backward: differentiate ``∇L(θ) · v`` once more."""
    theta = theta.detach().requires_grad_()
    (grad,) = torch.autograd.grad(loss(theta), theta, create_graph=True)
    (hv,) = torch.autograd.grad(grad, theta, grad_outputs=v)
    return hv


def full_hessian(loss: LossFn, theta: torch.Tensor) -> torch.Tensor:
    """The ``(d, d)`` Hessian, row by row: ``d`` Hessian-vector products."""
    return torch.autograd.functional.hessian(loss, theta.detach())


def power_iteration(loss: LossFn, theta: torch.Tensor, iters: int = 20,
                    v0: torch.Tensor | None = None, seed: int = 0) -> tuple[float, torch.Tensor]:
    """``(λ, v)``: the Rayleigh quotient ``vᵀHv`` after ``iters`` steps of ``v ← Hv/‖Hv‖``.

    Converges to the eigenvalue of largest magnitude (``λmax`` when it dominates), at a rate
    ``(λ₂/λ₁)^(2k)`` in the eigenvalue. ``v0`` (``(d,)``, e.g. the last call's ``v``) warm-starts
    it; by default it starts from a seeded random unit vector. ``v`` is unit length.
    """
    iters = positive_int("iters", iters)
    if v0 is None:
        v0 = torch.randn(theta.shape, generator=torch.Generator().manual_seed(seed), dtype=theta.dtype)
    v = v0 / v0.norm()
    for _ in range(iters):
        hv = hvp(loss, theta, v)
        lam = float(v @ hv)
        v = hv / hv.norm()
    return lam, v


@dataclass(frozen=True)
class SharpnessRun:
    """Full-batch GD with the sharpness tracked.

    ``losses: (k+1,)`` the loss before each step (``k`` steps done, fewer if it diverged);
    ``checked_at: (m,)`` steps where ``sharpness: (m,)`` was measured; ``diverged_at``: first
    step whose loss was not finite or above ``1e6``, else −1.
    """

    lr: float
    losses: np.ndarray
    checked_at: np.ndarray
    sharpness: np.ndarray
    diverged_at: int

    def hover(self, start: int) -> tuple[float, float, float]:
        """``(q10, median, q90)`` of the sharpness measured from step ``start`` on, over ``2/η``."""
        tail = self.sharpness[self.checked_at >= start] * self.lr / 2
        if tail.size == 0:
            raise ValueError(f"no sharpness was measured from step {start} on")
        return tuple(float(q) for q in np.quantile(tail, [0.1, 0.5, 0.9]))

    def rises(self) -> np.ndarray:
        """``(r,)`` the steps ``k`` after which the loss went up: ``losses[k + 1] > losses[k]``."""
        return np.flatnonzero(np.diff(self.losses) > 0)


def gd_with_sharpness(loss: LossFn, theta0: torch.Tensor, lr: float, steps: int, every: int = 25,
                      iters: int = 5) -> SharpnessRun:
    """Run ``θ ← θ − η∇L`` for ``steps`` steps; every ``every`` steps measure λmax by power iteration.

    Each measurement is warm-started from the previous eigenvector, so ``iters`` can stay small
    (the first uses ``4·iters``). Stops at the first non-finite or exploding loss.
    """
    lr, steps, every = positive_finite("lr", lr), positive_int("steps", steps), positive_int("every", every)
    theta, v = theta0.detach().clone(), None
    losses, checked, sharp, diverged = [], [], [], -1
    for k in range(steps + 1):
        value, grad = loss_and_gradient(loss, theta)
        losses.append(value)
        if not math.isfinite(value) or value > 1e6:
            diverged = k
            break
        if k % every == 0:
            lam, v = power_iteration(loss, theta, iters if v is not None else 4 * iters, v0=v)
            checked.append(k)
            sharp.append(lam)
        if k < steps:
            theta = theta - lr * grad
    return SharpnessRun(lr, np.array(losses), np.array(checked), np.array(sharp), diverged)


def divergence_steps(loss: LossFn, theta0: torch.Tensor, lrs: list[float], steps: int) -> dict[float, int]:
    """For each learning rate, the step at which plain GD diverged within ``steps`` steps (−1: never)."""
    out = {}
    for lr in lrs:
        theta = theta0.detach().clone()
        out[lr] = -1
        for k in range(steps + 1):
            value, grad = loss_and_gradient(loss, theta)
            if not math.isfinite(value) or value > 1e6:
                out[lr] = k
                break
            theta = theta - lr * grad
    return out
