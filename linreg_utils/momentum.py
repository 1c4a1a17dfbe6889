"""Momentum on the quadratic, one eigen-direction at a time: a 2×2 linear recurrence.

Heavy ball (Polyak 1964) and PyTorch's ``SGD(momentum=β)`` are the same iteration (lesson 04):
``θ_{k+1} = θ_k − η ∇L(θ_k) + β (θ_k − θ_{k−1})``, starting at rest (``θ_{−1} = θ_0``, i.e.
torch's velocity starts at 0). On the line's MSE, ``∇L(θ) = H (θ − θ*)``; in the Hessian's
eigenbasis the error ``c = Qᵀ(θ − θ*)`` splits into independent directions with

    ``c_{k+1} = (1 + β − ηλ) c_k − β c_{k−1}``,   i.e.   ``(c_{k+1}, c_k) = M (c_k, c_{k−1})``,
    ``M = [[1 + β − ηλ, −β], [1, 0]]``.

The error shrinks like ``ρ^k`` with ``ρ`` the larger ``|μ|`` of M's eigenvalues, the roots of
``μ² − (1 + β − ηλ) μ + β = 0``. When the roots are complex (``(1−√β)² < ηλ < (1+√β)²``) both
have ``|μ| = √β`` and the direction oscillates; at the ends of that band it is *critically
damped* (a double root); outside, it is overdamped. It converges iff ``0 < ηλ < 2 + 2β`` and
``0 ≤ β < 1``.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ._checks import finite_number, positive_finite, positive_int, xy_columns
from .theory import eigenbasis
from .trajectory import DIVERGENCE_FACTOR, Trajectory


def _beta(beta: float) -> float:
    beta = finite_number("beta", beta)
    if not 0.0 <= beta <= 1.0:
        raise ValueError(f"beta must be in [0, 1], got {beta}")
    return beta


def iteration_matrix(eta_lam: float, beta: float) -> np.ndarray:
    """``M = [[1 + β − ηλ, −β], [1, 0]]``: one step of ``(c_k, c_{k−1})`` along a direction, ``(2, 2)``."""
    a = 1.0 + _beta(beta) - finite_number("eta_lam", eta_lam)
    return np.array([[a, -beta], [1.0, 0.0]])


def direction_rate(eta_lam: np.ndarray | float, beta: np.ndarray | float) -> np.ndarray:
    """``ρ = max |μ|`` over the roots of ``μ² − (1 + β − ηλ) μ + β``: the per-step shrink factor
    of one direction's error (< 1 converges). Broadcasts over arrays of ``ηλ`` and ``β``."""
    a = 1.0 + np.asarray(beta, float) - np.asarray(eta_lam, float)
    disc = a * a - 4.0 * np.asarray(beta, float)
    root = np.sqrt(np.abs(disc))
    real = np.maximum(np.abs(a + root), np.abs(a - root)) / 2.0  # two real roots
    return np.where(disc < 0.0, np.sqrt(np.asarray(beta, float)), real)  # complex pair: |μ| = √β


def stability_limit(beta: float) -> float:
    """``2 + 2β``: a direction converges iff ``0 < ηλ < 2 + 2β`` (for ``0 ≤ β < 1``)."""
    return 2.0 + 2.0 * _beta(beta)


def damping_band(beta: float) -> tuple[float, float]:
    """``((1 − √β)², (1 + √β)²)``: ``ηλ`` inside oscillates with rate √β; at the ends, critical damping."""
    r = math.sqrt(_beta(beta))
    return (1.0 - r) ** 2, (1.0 + r) ** 2


def matrix_powers(m: np.ndarray, steps: int) -> np.ndarray:
    """``M^k`` for ``k = 0 … steps`` of each matrix in ``m`` ``(d, 2, 2)``: ``(steps + 1, d, 2, 2)``.

    By doubling: block ``[n, 2n)`` is block ``[0, n)`` times ``M^n``, so ~log₂(steps) batched
    products instead of ``steps`` sequential ones.
    """
    steps = positive_int("steps", steps)
    out = np.empty((steps + 1, *m.shape))
    out[0] = np.eye(2)
    power, n = m, 1
    with np.errstate(over="ignore", invalid="ignore"):
        while n <= steps:
            take = min(n, steps + 1 - n)
            out[n:n + take] = out[:take] @ power
            power, n = power @ power, 2 * n
    return out


def direction_errors(lam: np.ndarray, c0: np.ndarray, lr: float, beta: float, steps: int) -> np.ndarray:
    """Each direction's error ``c_k`` for ``k = 0 … steps``, from rest: ``(steps + 1, len(lam))``."""
    lr, beta = positive_finite("lr", lr), _beta(beta)
    m = np.stack([iteration_matrix(lr * lam_i, beta) for lam_i in lam])  # (d, 2, 2)
    powers = matrix_powers(m, steps)  # (steps + 1, d, 2, 2)
    with np.errstate(over="ignore", invalid="ignore"):
        return (powers[..., 0, 0] + powers[..., 0, 1]) * c0  # start at rest: (c_0, c_{−1}) = (c0, c0)


def direction_shares(lam: np.ndarray, c0: np.ndarray, lr: float, beta: float, steps: int) -> np.ndarray:
    """Each direction's share ``½ λᵢ c_{k,i}²`` of the gap, ``(steps + 1, len(lam))``; they sum to L − L*."""
    with np.errstate(over="ignore", invalid="ignore"):
        return 0.5 * np.asarray(lam) * direction_errors(lam, c0, lr, beta, steps) ** 2


def momentum_trajectory(x: torch.Tensor, y: torch.Tensor, lr: float, beta: float, steps: int,
                        w0: float = 0.0, b0: float = 0.0) -> Trajectory:
    """``steps`` steps of heavy ball / ``torch.optim.SGD(lr, momentum=beta)`` on the line's MSE, exactly.

    ``x, y``: ``(n, 1)`` tensors. Returns a :class:`~linreg_utils.trajectory.Trajectory` (its
    arrays stop before a diverging step); the loss of a momentum run is not monotone, so use
    :func:`settles_within` rather than ``first_within`` for "stays within".
    """
    xc, yc = xy_columns(x, y)
    basis = eigenbasis(xc, yc, w0, b0)
    c = direction_errors(basis.lam, basis.c0, lr, beta, steps)  # (steps + 1, 2)
    with np.errstate(over="ignore", invalid="ignore"):
        gaps = 0.5 * (c**2) @ basis.lam
        theta = c @ basis.q.T + np.array(basis.optimum)
    limit = DIVERGENCE_FACTOR * max(gaps[0], np.finfo(float).tiny)
    bad = np.flatnonzero(~np.isfinite(gaps) | (gaps > limit) | ~np.isfinite(theta).all(1))
    end = int(bad[0]) if bad.size else steps + 1
    return Trajectory(lr=lr, losses=basis.optimum_loss + gaps[:end], weights=theta[:end, 0],
                      biases=theta[:end, 1], gaps=gaps[:end], optimum=basis.optimum,
                      optimum_loss=basis.optimum_loss, diverged=bool(bad.size),
                      diverged_at=end if bad.size else None)


def settles_within(gaps: np.ndarray, tol: float) -> int | None:
    """First step from which ``gaps`` ``(k + 1,)`` stays ≤ ``tol``; None if its last entry is above."""
    above = np.flatnonzero(np.asarray(gaps) > positive_finite("tol", tol))
    if above.size and above[-1] == len(gaps) - 1:
        return None
    return int(above[-1]) + 1 if above.size else 0


def predicted_direction_steps(lam: np.ndarray, c0: np.ndarray, lr: float, beta: float,
                              tol: float) -> np.ndarray:
    """Per direction, ``k`` with ``½ λ c0² ρ^{2k} = tol`` (``ρ`` = :func:`direction_rate`): ``(d,)``.

    An estimate: it ignores the constant in front of ``ρ^k`` (and the factor ``k`` at critical
    damping). ``0`` where the share is already ≤ ``tol``; ``inf`` where ``ρ ≥ 1``.
    """
    rate = direction_rate(lr * np.asarray(lam), beta)
    share = 0.5 * np.asarray(lam) * np.asarray(c0) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.log(positive_finite("tol", tol) / share) / (2.0 * np.log(rate))
    return np.where(share <= tol, 0.0, np.where(rate >= 1.0, np.inf, k))

