"""The quadratic's one home: what the math says about the MSE of a line ``y ≈ w x + b``.

The loss ``L(w, b) = mean((w x + b - y)**2)`` is a quadratic, so everything about gradient
descent on it follows from one 2×2 matrix, its Hessian ``H = 2/n · AᵀA`` with ``A = [x, 1]``.
GD with step ``lr`` multiplies the error along the eigenvector of eigenvalue ``λ`` by
``1 - lr·λ`` each step: it converges iff ``|1 - lr·λ| < 1`` for every ``λ``.

Every other module that needs the design matrix, the Hessian, its eigenbasis, the loss gap
``L − L*`` or a step count calls the function here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from ._checks import as_column, finite_number, non_constant, positive_finite, xy_columns

REACH_TOL = 1e-6
"""What the lessons call "reached the optimum": the MSE within this much of the least-squares MSE."""


def design_matrix(x: torch.Tensor) -> torch.Tensor:
    """``A = [x, 1]``: a float64 ``(n, 2)`` tensor, so that ``A @ [w, b] = w x + b``."""
    xc = as_column("x", x)
    return torch.cat([xc, torch.ones_like(xc)], dim=1)


def closed_form_fit(x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """The least-squares line ``(w, b)`` minimising the MSE, solved by ``torch.linalg.lstsq``.

    ``x, y``: ``(n, 1)`` or ``(n,)`` tensors. Computed in float64.
    """
    xc, yc = xy_columns(x, y)
    non_constant(xc)
    a = design_matrix(xc)
    solution = torch.linalg.lstsq(a, yc, driver="gelsd").solution
    return solution[0, 0].item(), solution[1, 0].item()


def mse(x: torch.Tensor, y: torch.Tensor, w: float, b: float) -> float:
    """The mean squared error of the line ``w x + b`` on ``(x, y)``, in float64."""
    xc, yc = xy_columns(x, y)
    return torch.mean((w * xc + b - yc) ** 2).item()


def mse_hessian(x: torch.Tensor) -> torch.Tensor:
    """The 2×2 Hessian of the MSE in ``(w, b)``: ``2/n [[Σx², Σx], [Σx, n]]`` (float64).

    It does not depend on ``y`` (or on ``w, b``): the loss is an exact quadratic.
    """
    a = design_matrix(x)
    return 2.0 / a.shape[0] * a.T @ a


def hessian_eigenvalues(x: torch.Tensor) -> tuple[float, float]:
    """``(λmin, λmax)`` of the MSE Hessian; raises if x is constant (singular Hessian)."""
    non_constant(as_column("x", x))
    lam = torch.linalg.eigvalsh(mse_hessian(x))
    return lam[0].item(), lam[1].item()


def condition_number(x: torch.Tensor) -> float:
    """``κ = λmax / λmin``: how much harder the flattest direction is than the steepest."""
    lam_min, lam_max = hessian_eigenvalues(x)
    return lam_max / lam_min


def critical_lr(x: torch.Tensor) -> float:
    """``2 / λmax``: gradient descent converges below this learning rate and diverges above it."""
    return 2.0 / hessian_eigenvalues(x)[1]


def optimal_lr(x: torch.Tensor) -> float:
    """``2 / (λmin + λmax)``: the learning rate with the fastest worst-case convergence."""
    lam_min, lam_max = hessian_eigenvalues(x)
    return 2.0 / (lam_min + lam_max)


def convergence_rate(x: torch.Tensor, lr: float) -> float:
    """``max |1 - lr·λ|``: the factor by which GD shrinks the error per step (< 1 converges)."""
    lr = positive_finite("lr", lr)
    return max(abs(1.0 - lr * lam) for lam in hessian_eigenvalues(x))


def steps_to_shrink(rate: float, factor: float) -> float:
    """Steps needed for an error that shrinks by ``rate`` per step to shrink by ``factor``.

    ``rate**k <= factor`` gives ``k = log(factor) / log(rate)``; ``inf`` if ``rate >= 1``.
    """
    rate = positive_finite("rate", rate)
    factor = positive_finite("factor", factor)
    if factor >= 1:
        raise ValueError(f"factor must be in (0, 1), got {factor}")
    return math.inf if rate >= 1 else math.log(factor) / math.log(rate)


def momentum_parameters(x: torch.Tensor) -> tuple[float, float, float]:
    """Best heavy-ball settings ``(lr, beta, rate)`` for the MSE of ``x`` (Polyak).

    ``lr = (2 / (√λmax + √λmin))²``, ``beta = ((√κ - 1) / (√κ + 1))²`` and the error shrinks by
    ``rate = (√κ - 1) / (√κ + 1)`` per step, against ``(κ - 1) / (κ + 1)`` for plain GD.
    """
    lam_min, lam_max = hessian_eigenvalues(x)
    root_kappa = math.sqrt(lam_max / lam_min)
    lr = (2.0 / (math.sqrt(lam_max) + math.sqrt(lam_min))) ** 2
    rate = (root_kappa - 1.0) / (root_kappa + 1.0)
    return lr, rate**2, rate


def loss_surface(x: torch.Tensor, y: torch.Tensor, ws: np.ndarray, bs: np.ndarray) -> np.ndarray:
    """The MSE on a grid, for contour plots.

    ``ws``: ``(p,)`` and ``bs``: ``(q,)`` values; returns a ``(q, p)`` array with
    ``out[i, j] = mse(x, y, ws[j], bs[i])`` (the layout ``plt.contour(ws, bs, out)`` expects).
    """
    xc, yc = xy_columns(x, y)
    xv, yv = xc.numpy()[:, 0], yc.numpy()[:, 0]
    w_grid, b_grid = np.meshgrid(np.asarray(ws, float), np.asarray(bs, float))
    # The MSE expanded in (w, b) uses only five sums of the data, so the grid costs O(p q).
    sxx, sx, sxy, sy, syy = (np.mean(v) for v in (xv * xv, xv, xv * yv, yv, yv * yv))
    return (w_grid**2 * sxx + 2 * w_grid * b_grid * sx + b_grid**2
            - 2 * w_grid * sxy - 2 * b_grid * sy + syy)


def loss_gap(x: torch.Tensor, y: torch.Tensor) -> Callable[[float, float], float]:
    """``gap(w, b) = L(w, b) − L*`` for the data ``(x, y)``, exact in float64.

    The MSE is a quadratic, so the gap is ``½ dᵀ H d`` with ``d = (w − w*, b − b*)``: no
    cancellation against the optimum's loss and O(1) cost per call, whatever ``n`` is.
    """
    xc, yc = xy_columns(x, y)
    w_star, b_star = closed_form_fit(xc, yc)
    (h11, h12), (_, h22) = mse_hessian(xc).tolist()

    def gap(w: float, b: float) -> float:
        dw, db = w - w_star, b - b_star
        return 0.5 * (h11 * dw * dw + 2.0 * h12 * dw * db + h22 * db * db)

    return gap


@dataclass(frozen=True)
class Eigenbasis:
    """The quadratic seen from its Hessian's eigenvectors, for one start ``θ0 = (w0, b0)``.

    ``optimum``: ``(w*, b*)``; ``optimum_loss``: ``L*``; ``lam``: eigenvalues ``(2,)`` ascending;
    ``q``: eigenvectors ``(2, 2)`` as columns; ``c0``: the start's error ``Qᵀ(θ0 − θ*)`` ``(2,)``,
    so that ``L0 − L* = ½ Σ λᵢ c0ᵢ²``.
    """

    optimum: tuple[float, float]
    optimum_loss: float
    lam: np.ndarray
    q: np.ndarray
    c0: np.ndarray


def eigenbasis(x: torch.Tensor, y: torch.Tensor, w0: float = 0.0, b0: float = 0.0) -> Eigenbasis:
    """The :class:`Eigenbasis` of the MSE on ``(x, y)`` (``(n, 1)`` tensors) from ``(w0, b0)``."""
    xc, yc = xy_columns(x, y)
    w0, b0 = finite_number("w0", w0), finite_number("b0", b0)
    w_star, b_star = closed_form_fit(xc, yc)
    loss_star = mse(xc, yc, w_star, b_star)
    lam, q = np.linalg.eigh(mse_hessian(xc).numpy())
    return Eigenbasis((w_star, b_star), loss_star, lam, q, q.T @ np.array([w0 - w_star, b0 - b_star]))


def eigen_errors(x: torch.Tensor, y: torch.Tensor, w0: float = 0.0, b0: float = 0.0,
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``(λ, c0)``: the Hessian's eigenvalues ``(2,)`` ascending, and the start's error ``(2,)``
    ``θ0 − θ*`` written in the eigenbasis (so that ``L0 − L* = ½ Σ λᵢ c0ᵢ²``)."""
    basis = eigenbasis(x, y, w0, b0)
    return basis.lam, basis.c0


def mode_gaps(lam: np.ndarray, c0: np.ndarray, lr: float, steps: np.ndarray) -> np.ndarray:
    """Each eigen-direction's share of the loss gap after ``k`` GD steps,
    ``½ λᵢ c0ᵢ² (1 − ηλᵢ)^{2k}``: ``(len(steps), 2)`` for ``lam, c0``: ``(2,)``."""
    with np.errstate(over="ignore", divide="ignore"):
        log_gap = np.log(0.5 * lam * c0**2) + 2 * np.asarray(steps, float)[:, None] * np.log(
            np.abs(1.0 - lr * lam))
    return np.exp(np.clip(log_gap, -700.0, 700.0))


def predicted_steps(x: torch.Tensor, y: torch.Tensor, lr: float, tol: float = REACH_TOL,
                    w0: float = 0.0, b0: float = 0.0) -> float:
    """Steps until each direction's share ``½ λᵢ c0ᵢ² (1 − ηλᵢ)^{2k}`` of the gap is ≤ ``tol``.

    The true gap is the sum of the two shares, so this is a lower bound on the steps GD needs.
    It is close when one direction carries most of the gap; when both shares end near ``tol``
    the sum can need up to ``log 2 / (2 |log ρ|)`` more steps (``ρ`` the slower factor).
    ``inf`` when some ``|1 − ηλᵢ| ≥ 1`` carries error, ``0`` if already within ``tol``.
    """
    lr, tol = positive_finite("lr", lr), positive_finite("tol", tol)
    lam, c0 = eigen_errors(x, y, w0, b0)
    steps = 0.0
    for lam_i, c_i in zip(lam, c0, strict=True):
        share, factor = 0.5 * lam_i * c_i**2, abs(1.0 - lr * lam_i)
        if share <= tol:
            continue
        if factor >= 1.0:
            return math.inf
        if factor > 0.0:  # factor == 0: that direction is solved in one step
            steps = max(steps, math.log(tol / share) / (2.0 * math.log(factor)))
        else:
            steps = max(steps, 1.0)
    return steps
