"""Gradient descent on the line-fitting MSE, computed in closed form so a slider can follow it.

On a quadratic loss GD is a linear map: with ``θ = (w, b)``, optimum ``θ*`` and Hessian
``H = Q diag(λ) Qᵀ``, one step gives ``θ_{k+1} - θ* = (I - lr H)(θ_k - θ*)``. In the
eigenbasis the error ``c = Qᵀ(θ - θ*)`` just gets multiplied by ``1 - lr λᵢ`` per step, so
``c_k = c_0 (1 - lr λ)^k`` and ``L(θ_k) = L* + ½ Σᵢ λᵢ c_{k,i}²``. That is exactly the GD
iteration (the tests compare it with a loop and with ``torch.optim.SGD``), at the cost of
one power per step instead of a forward and backward pass.

:func:`sgd_runs` is the measurement the closed form is checked against: real float64
``torch.optim.SGD`` runs (forward, ``backward()``, ``step()``), several at once, every loss logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ._checks import finite_number, positive_finite, positive_int, xy_columns
from .theory import closed_form_fit, eigenbasis, mse

DIVERGENCE_FACTOR = 1e6
"""A run counts as diverged once its loss exceeds this many times its starting loss."""


@dataclass(frozen=True)
class Trajectory:
    """One gradient-descent run; arrays have one entry per step, step 0 = the start.

    ``losses, weights, biases, gaps``: ``(k + 1,)`` float64 arrays, where ``k <= steps``
    is the number of steps kept; ``gaps = losses - optimum_loss`` (computed without
    cancellation, so it stays accurate down to 1e-300). If the run diverged, the arrays stop
    just before the first step whose loss was non-finite or above
    ``DIVERGENCE_FACTOR`` × the starting loss, and ``diverged_at`` is that step.
    """

    lr: float
    losses: np.ndarray
    weights: np.ndarray
    biases: np.ndarray
    gaps: np.ndarray
    optimum: tuple[float, float]
    optimum_loss: float
    diverged: bool
    diverged_at: int | None

    @property
    def steps(self) -> int:
        """Number of steps kept (``len(losses) - 1``)."""
        return len(self.losses) - 1

    def first_within(self, tol: float) -> int | None:
        """First step whose loss is within ``tol`` of the optimum's loss, or None if never.

        On a convex quadratic GD's loss never rises again once it converges, so for a
        converging run this is also the step from which it stays within ``tol``.
        """
        tol = positive_finite("tol", tol)
        hits = np.flatnonzero(self.gaps <= tol)
        return int(hits[0]) if hits.size else None


def gd_trajectory(
    x: torch.Tensor,
    y: torch.Tensor,
    lr: float,
    steps: int,
    w0: float = 0.0,
    b0: float = 0.0,
) -> Trajectory:
    """Run ``steps`` steps of full-batch gradient descent on ``mean((w x + b - y)**2)``.

    ``x, y``: ``(n, 1)`` or ``(n,)`` tensors (at least two distinct x). Starts at
    ``(w0, b0)``. Divergence is reported in the result (``diverged``), never raised.
    """
    xc, yc = xy_columns(x, y)
    lr, steps = positive_finite("lr", lr), positive_int("steps", steps)
    basis = eigenbasis(xc, yc, w0, b0)
    (w_star, b_star), loss_star, lam, q, c0 = basis.optimum, basis.optimum_loss, basis.lam, basis.q, basis.c0
    k = np.arange(steps + 1)[:, None]  # (steps + 1, 1)
    with np.errstate(over="ignore", invalid="ignore"):
        c = c0 * (1.0 - lr * lam) ** k  # (steps + 1, 2)
        gaps = 0.5 * (c**2) @ lam  # (steps + 1,)
        theta = c @ q.T + np.array([w_star, b_star])  # (steps + 1, 2)
    losses = loss_star + gaps

    limit = DIVERGENCE_FACTOR * max(losses[0], np.finfo(float).tiny)
    bad = np.flatnonzero(~np.isfinite(losses) | (losses > limit) | ~np.isfinite(theta).all(1))
    end = int(bad[0]) if bad.size else steps + 1
    return Trajectory(
        lr=lr,
        losses=losses[:end],
        weights=theta[:end, 0],
        biases=theta[:end, 1],
        gaps=gaps[:end],
        optimum=(w_star, b_star),
        optimum_loss=loss_star,
        diverged=bool(bad.size),
        diverged_at=end if bad.size else None,
    )


@dataclass(frozen=True)
class TorchRuns:
    """``m`` gradient-descent runs measured with ``torch.optim.SGD``; row ``k`` = after ``k`` steps.

    ``lrs``: ``(m,)``; ``losses``: ``(steps + 1, m)``, each run's MSE as torch computed it in
    its forward pass; ``weights, biases``: ``(steps + 1, m)``; ``optimum_loss``: ``L*``.
    A diverging run is kept as torch ran it (its losses may reach inf or nan).
    """

    lrs: np.ndarray
    losses: np.ndarray
    weights: np.ndarray
    biases: np.ndarray
    optimum_loss: float

    @property
    def gaps(self) -> np.ndarray:
        """``L(θ_k) − L*``: ``(steps + 1, m)``; below ~1e-16 · L* this is float64 round-off."""
        return self.losses - self.optimum_loss

    def first_within(self, tol: float) -> list[int | None]:
        """For each run, the first step whose measured loss is within ``tol`` of ``L*`` (or None)."""
        tol = positive_finite("tol", tol)
        hits = self.gaps <= tol  # nan compares False
        return [int(np.argmax(col)) if col.any() else None for col in hits.T]


def sgd_runs(x: torch.Tensor, y: torch.Tensor, lrs: Sequence[float], steps: int,
             starts: Sequence[tuple[float, float]] = ((0.0, 0.0),)) -> TorchRuns:
    """Run ``torch.optim.SGD`` in float64 on ``mean((w x + b − y)**2)``, one run per ``lrs[i]``.

    ``x, y``: ``(n, 1)`` tensors; ``starts``: one ``(w0, b0)`` per run, or a single one for all.
    Runs with different lrs are separate parameters ``θ = [w, b]`` in their own parameter groups;
    runs sharing one lr are rows of one ``(m, 2)`` parameter. One backward pass of the summed
    losses gives each run its own MSE's gradient, so the runs are independent. About 70–120 µs
    a step on a laptop CPU, whatever ``m`` (up to ~10).
    """
    xc, yc = xy_columns(x, y)
    lrs = [positive_finite(f"lrs[{i}]", lr) for i, lr in enumerate(lrs)]
    if not lrs:
        raise ValueError("lrs must list at least one learning rate, got none")
    steps = positive_int("steps", steps)
    starts = list(starts)
    if len(starts) not in (1, len(lrs)):
        raise ValueError(f"starts must hold 1 or len(lrs) = {len(lrs)} pairs (w0, b0), got {len(starts)}")
    starts = [(finite_number("w0", w), finite_number("b0", b)) for w, b in starts] * (
        len(lrs) if len(starts) == 1 else 1)
    if len(set(lrs)) == 1:  # one lr: all runs in one (m, 2) parameter, one group
        leaves = [torch.tensor(starts, dtype=torch.float64, requires_grad=True)]
        optimizer = torch.optim.SGD(leaves, lr=lrs[0])
    else:  # one (2,) parameter per run, each in its own group with its own lr
        leaves = [torch.tensor(s, dtype=torch.float64, requires_grad=True) for s in starts]
        optimizer = torch.optim.SGD([{"params": [t], "lr": lr} for t, lr in zip(leaves, lrs, strict=True)])
    losses = torch.empty(steps + 1, len(lrs), dtype=torch.float64)
    params = torch.empty(steps + 1, len(lrs), 2, dtype=torch.float64)
    for k in range(steps + 1):
        optimizer.zero_grad()
        theta = leaves[0] if len(leaves) == 1 else torch.stack(leaves)  # (m, 2)
        per_run = ((xc * theta[:, 0] + theta[:, 1] - yc) ** 2).mean(dim=0)  # (m,): each run's MSE
        losses[k], params[k] = per_run.detach(), theta.detach()
        if k < steps:
            per_run.sum().backward()
            optimizer.step()
    w_star, b_star = closed_form_fit(xc, yc)
    return TorchRuns(np.array(lrs), losses.numpy(), params[..., 0].numpy(), params[..., 1].numpy(),
                     mse(xc, yc, w_star, b_star))
