"""Gradient descent on the line-fitting MSE, computed in closed form so a slider can follow it.

On a quadratic loss GD is a linear map: with ``θ = (w, b)``, optimum ``θ*`` and Hessian
``H = Q diag(λ) Qᵀ``, one step gives ``θ_{k+1} - θ* = (I - lr H)(θ_k - θ*)``. In the
eigenbasis the error ``c = Qᵀ(θ - θ*)`` just gets multiplied by ``1 - lr λᵢ`` per step, so
``c_k = c_0 (1 - lr λ)^k`` and ``L(θ_k) = L* + ½ Σᵢ λᵢ c_{k,i}²``. That is exactly the GD
iteration (the tests compare it with a loop and with ``torch.optim.SGD``), at the cost of
one power per step instead of a forward and backward pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ._checks import positive_finite, positive_int, xy_columns
from .theory import eigenbasis

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
