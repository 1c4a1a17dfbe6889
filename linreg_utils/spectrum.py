"""Many eigen-directions (lesson 04): a least-squares problem whose Hessian has a chosen spectrum.

The seed's line has two eigen-directions; Distill's "Why Momentum Really Works" shows momentum on a
whole spectrum. :func:`spectrum_problem` builds least squares with ``d`` features whose MSE Hessian
``H = 2/n AᵀA`` has exactly the eigenvalues asked for; :func:`spectrum_run` runs ``torch.optim.SGD``
on it and returns each eigen-direction's error ``c_k = Qᵀ(θ_k − θ*)``. The formulas (Polyak's
parameters, each direction's rate) stay in :mod:`linreg_utils.theory`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ._checks import positive_finite, positive_int
from .runs import optimize


@dataclass(frozen=True)
class SpectrumProblem:
    """Least squares ``L(θ) = mean((Aθ − y)²)`` with ``A`` ``(n, d)``, ``y`` ``(n,)`` (float64 tensors).

    ``lam``: the Hessian's eigenvalues ``(d,)`` ascending; ``q``: its eigenvectors ``(d, d)`` as
    columns (same order); ``optimum``: ``θ*`` ``(d,)``.
    """

    a: torch.Tensor
    y: torch.Tensor
    lam: np.ndarray
    q: np.ndarray
    optimum: np.ndarray

    def loss(self, theta: torch.Tensor) -> torch.Tensor:
        """The MSE at ``theta`` ``(d,)``: a differentiable scalar tensor."""
        return torch.mean((self.a @ theta - self.y) ** 2)


def spectrum_problem(lam: np.ndarray, n: int = 100, seed: int = 0) -> SpectrumProblem:
    """Least squares on ``n`` points with ``d = len(lam)`` features whose MSE Hessian has eigenvalues ``lam``.

    ``A = U diag(√(n λ / 2)) Vᵀ`` with random orthonormal ``U`` ``(n, d)`` and ``V`` ``(d, d)`` (seeded),
    so ``2/n AᵀA = V diag(λ) Vᵀ``; ``y = A θ_true + noise``. Needs ``n ≥ d`` and every ``λ > 0``.
    """
    lam = np.sort(np.asarray(lam, float))
    if lam.ndim != 1 or len(lam) < 1 or not np.all(np.isfinite(lam) & (lam > 0)):
        raise ValueError(f"lam must be a 1-D array of positive eigenvalues, got {lam}")
    n = positive_int("n", n)
    if n < len(lam):
        raise ValueError(f"n must be at least the number of features {len(lam)}, got n={n}")
    rng = np.random.default_rng(seed)
    u = np.linalg.qr(rng.standard_normal((n, len(lam))))[0]
    v = np.linalg.qr(rng.standard_normal((len(lam), len(lam))))[0]
    a = u * np.sqrt(n * lam / 2.0) @ v.T
    y = a @ rng.standard_normal(len(lam)) + 0.1 * rng.standard_normal(n)
    optimum = np.linalg.lstsq(a, y, rcond=None)[0]
    return SpectrumProblem(torch.from_numpy(a), torch.from_numpy(y), lam, v, optimum)


def spectrum_run(problem: SpectrumProblem, lr: float, steps: int, beta: float = 0.0,
                 nesterov: bool = False) -> np.ndarray:
    """``torch.optim.SGD(lr, momentum=beta)`` from ``θ = 0`` for ``steps`` steps: each eigen-direction's
    error ``c_k = Qᵀ(θ_k − θ*)``, shape ``(steps + 1, d)`` (column ``i`` belongs to ``problem.lam[i]``)."""
    lr, steps = positive_finite("lr", lr), positive_int("steps", steps)
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    start = torch.zeros(len(problem.lam), dtype=torch.float64)
    run = optimize(lambda p: torch.optim.SGD(p, lr=lr, momentum=beta, nesterov=nesterov),
                   problem.loss, start, steps)
    return (run.path - problem.optimum) @ problem.q


def steps_to_shrink_each(errors: np.ndarray, factor: float = 1e-6) -> np.ndarray:
    """Per direction, the first step from which ``|c_k| ≤ factor · |c_0|`` for good: ``(d,)`` floats,
    ``inf`` where that never happens within the run. ``errors``: ``(k + 1, d)`` from :func:`spectrum_run`."""
    factor = positive_finite("factor", factor)
    ratio = np.abs(errors) / np.abs(errors[:1])
    above = ratio > factor  # (k + 1, d)
    last_above = np.where(above.any(axis=0), len(ratio) - 1 - np.argmax(above[::-1], axis=0), -1)
    return np.where(last_above == len(ratio) - 1, np.inf, last_above + 1.0)
