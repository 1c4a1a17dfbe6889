"""Lesson 08's non-convex data and the two-weight model ``ŷ = v · tanh(w · x)``.

The loss ``L(w, v) = mean((v · tanh(w x) − y)²)`` is unchanged by ``(w, v) → (−w, −v)``, so its
minima come in mirror pairs, and ``(0, 0)`` is a stationary point (both partial derivatives
vanish there) whose Hessian is ``[[0, −2·mean(xy)], [−2·mean(xy), 0]]``: a saddle with
eigenvalues ``±2·mean(xy)``. Newton's method solves ``∇L = 0`` and so heads for whichever
stationary point its local quadratic model points to, saddle included; damping the Hessian,
``H + μI`` (a Hessian modification, Nocedal & Wright §3.4), keeps every step downhill. The loss is a
least-squares one, so Gauss–Newton's ``JᵀJ`` (:func:`gauss_newton_matrix`) can stand in for ``H``;
damped, that is Levenberg–Marquardt.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ._checks import positive_finite, positive_int
from .runs import LossFn, diverged_at, optimize


def make_tanh_data(n: int = 24, seed: int = 0, w: float = 1.2, v: float = 1.5,
                   noise: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """``x, y``: ``(n,)`` float64, ``x`` uniform on [−2, 2], ``y = v·tanh(w·x) + noise·N(0, 1)``."""
    n = positive_int("n", n)
    gen = torch.Generator().manual_seed(seed)
    x = 4 * torch.rand(n, generator=gen, dtype=torch.float64) - 2
    y = v * torch.tanh(w * x) + noise * torch.randn(n, generator=gen, dtype=torch.float64)
    return x, y


def make_wave(n: int = 64, seed: int = 0, noise: float = 0.05) -> tuple[torch.Tensor, torch.Tensor]:
    """A 1-D non-linear target: ``x`` uniform on [−3, 3], ``y = sin(2x) + x/2 + noise·N(0, 1)``.

    Returns ``x, y``, each an ``(n, 1)`` float64 tensor; the same ``seed`` gives the same points.
    """
    n = positive_int("n", n)
    gen = torch.Generator().manual_seed(seed)
    x = 6 * torch.rand(n, 1, generator=gen, dtype=torch.float64) - 3
    y = torch.sin(2 * x) + 0.5 * x + noise * torch.randn(n, 1, generator=gen, dtype=torch.float64)
    return x, y


def two_weight_loss(x: torch.Tensor, y: torch.Tensor) -> LossFn:
    """``L(θ) = mean((v·tanh(w·x) − y)²)`` as a function of ``θ = (w, v)``: ``(2,)`` → scalar."""
    if x.shape != y.shape or x.dim() != 1:
        raise ValueError(f"x and y must both have shape (n,), got {tuple(x.shape)} and {tuple(y.shape)}")

    def loss(theta: torch.Tensor) -> torch.Tensor:
        return torch.mean((theta[1] * torch.tanh(theta[0] * x) - y) ** 2)

    return loss


def gradient_and_hessian(loss: LossFn, theta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(∇L, H)`` at ``theta``: ``(d,)`` and ``(d, d)`` float64, by autograd."""
    theta = torch.as_tensor(theta, dtype=torch.float64).detach()
    grad = torch.func.grad(loss)(theta)
    return grad, torch.autograd.functional.hessian(loss, theta)


@dataclass(frozen=True)
class StationaryPoint:
    """A point where ``∇L = 0``: ``point (2,)``, ``loss``, Hessian ``eigenvalues (2,)`` ascending."""

    point: np.ndarray
    loss: float
    eigenvalues: np.ndarray

    @property
    def kind(self) -> str:
        """``'minimum'``, ``'maximum'`` or ``'saddle'`` from the signs of the eigenvalues."""
        if self.eigenvalues[0] > 0:
            return "minimum"
        return "maximum" if self.eigenvalues[-1] < 0 else "saddle"


def stationary_points(loss: LossFn, starts: Sequence[Sequence[float]], steps: int = 50,
                      tol: float = 1e-10, bound: float = 10.0) -> list[StationaryPoint]:
    """Solve ``∇L = 0`` by plain Newton from each start; keep distinct converged points, sorted by w.

    Points farther than ``bound`` from the origin are dropped: there tanh is flat (±1), the
    gradient underflows, and Newton "converges" to a point at infinity.
    """
    found: list[StationaryPoint] = []
    for start in starts:
        path = newton_path(loss, start, steps)
        point = torch.as_tensor(path[-1])
        grad, hess = gradient_and_hessian(loss, point)
        if not torch.isfinite(grad).all() or grad.norm() > tol or point.norm() > bound:
            continue
        if any(np.linalg.norm(p.point - path[-1]) < 1e-6 for p in found):
            continue
        found.append(StationaryPoint(path[-1], loss(point).item(), torch.linalg.eigvalsh(hess).numpy()))
    return sorted(found, key=lambda p: tuple(p.point))


def newton_path(loss: LossFn, start: Sequence[float], steps: int) -> np.ndarray:
    """Plain Newton ``θ ← θ − H⁻¹∇L``: the ``(k+1, d)`` points visited. Stops early if H is
    singular, or at a diverged loss (:func:`~linreg_utils.runs.diverged_at`), its last point."""
    steps = positive_int("steps", steps)
    theta = torch.as_tensor(start, dtype=torch.float64)
    path, losses = [theta.numpy().copy()], [loss(theta).item()]
    for _ in range(steps):
        grad, hess = gradient_and_hessian(loss, theta)
        try:
            theta = theta - torch.linalg.solve(hess, grad)
        except RuntimeError:  # singular Hessian: no Newton step exists
            break
        path.append(theta.numpy().copy())
        losses.append(loss(theta).item())
        if diverged_at(losses) is not None:
            break
    return np.array(path)


def damped_newton_path(loss: LossFn, start: Sequence[float], steps: int, mu: float = 1.0,
                       curvature: Callable[[torch.Tensor], torch.Tensor] | None = None,
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Damped Newton: step ``−(C + μI)⁻¹∇L``, μ ×10 until the loss does not rise, then μ /10.

    ``C`` is ``curvature(θ)`` ``(d, d)``, by default the Hessian (a Hessian modification); with
    :func:`gauss_newton_matrix` it is Levenberg–Marquardt. Returns the ``(k+1, d)`` points visited
    and the ``(k,)`` damping μ each accepted step used. A step is only tried once ``C + μI`` is
    positive definite (its Cholesky factor exists), so every step is downhill and the loss never
    increases.
    """
    steps, mu = positive_int("steps", steps), positive_finite("mu", mu)
    theta = torch.as_tensor(start, dtype=torch.float64)
    path, mus = [theta.numpy().copy()], []
    for _ in range(steps):
        grad, hess = gradient_and_hessian(loss, theta)
        matrix = hess if curvature is None else curvature(theta)
        current = loss(theta).item()
        while mu < 1e12:
            factor, info = torch.linalg.cholesky_ex(matrix + mu * torch.eye(len(theta), dtype=matrix.dtype))
            if info == 0:
                trial = theta - torch.cholesky_solve(grad[:, None], factor)[:, 0]
                if loss(trial).item() <= current:
                    break
            mu *= 10
        else:
            break
        theta, mus = trial, [*mus, mu]
        path.append(theta.numpy().copy())
        mu = max(mu / 10, 1e-8)
    return np.array(path), np.array(mus)


def damping_trials(mus: Sequence[float], mu: float = 1.0) -> int:
    """How many μ values :func:`damped_newton_path` tried (one linear solve or failed Cholesky each) to
    accept steps with dampings ``mus`` ``(k,)``, starting at ``mu``: a step starts from the last μ / 10
    and multiplies by 10 until accepted."""
    trials = 0
    for accepted in mus:
        trials += round(math.log10(accepted / mu)) + 1
        mu = max(accepted / 10, 1e-8)
    return trials


def gauss_newton_matrix(x: torch.Tensor, y: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """``θ ↦ (2/n) JᵀJ``, ``(2, 2)``: the Gauss–Newton matrix of :func:`two_weight_loss`.

    ``J`` ``(n, 2)`` is the Jacobian of the residuals ``r(θ) = v·tanh(w·x) − y``. The Hessian is
    ``(2/n)(JᵀJ + Σᵢ rᵢ ∇²rᵢ)``; Gauss–Newton drops the second sum, so the matrix is never
    indefinite, and it is exact where the residuals vanish or the model is linear in θ.
    """
    if x.shape != y.shape or x.dim() != 1:
        raise ValueError(f"x and y must both have shape (n,), got {tuple(x.shape)} and {tuple(y.shape)}")

    def residuals(theta: torch.Tensor) -> torch.Tensor:
        return theta[1] * torch.tanh(theta[0] * x) - y

    def matrix(theta: torch.Tensor) -> torch.Tensor:
        jac = torch.func.jacrev(residuals)(torch.as_tensor(theta, dtype=torch.float64))
        return 2 / len(x) * jac.T @ jac

    return matrix


def losses_with(optimizer: Callable[[list[torch.Tensor]], torch.optim.Optimizer], loss: LossFn,
                start: Sequence[float], steps: int) -> np.ndarray:
    """Run a ``torch.optim`` optimizer for ``steps`` steps from ``start``: the ``(steps + 1,)`` losses.

    ``optimizer`` builds it from the parameter list, e.g. ``lambda p: torch.optim.SGD(p, lr=0.1)``
    (:func:`~linreg_utils.runs.optimize`).
    """
    theta0 = torch.tensor(start, dtype=torch.float64)
    return optimize(optimizer, loss, theta0, positive_int("steps", steps)).losses


def plateau_length(losses: np.ndarray, threshold: float) -> int | None:
    """The first step whose loss is below ``threshold`` (the plateau's length); None if none is."""
    below = np.flatnonzero(np.asarray(losses) < threshold)
    return int(below[0]) if below.size else None


def steps_within(path: np.ndarray, point: Sequence[float], tol: float) -> int | None:
    """The first index of ``path`` ``(k+1, d)`` within ``tol`` (Euclidean) of ``point`` ``(d,)``;
    None if none is."""
    distances = np.linalg.norm(np.asarray(path) - np.asarray(point), axis=1)
    near = np.flatnonzero(distances <= positive_finite("tol", tol))
    return int(near[0]) if near.size else None
