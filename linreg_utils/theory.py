"""What the math predicts for gradient descent on the MSE of a line ``y ≈ w x + b``.

The loss ``L(w, b) = mean((w x + b - y)**2)`` is a quadratic, so everything about gradient
descent on it follows from one 2×2 matrix, its Hessian ``H = 2/n · AᵀA`` with ``A = [x, 1]``.
GD with step ``lr`` multiplies the error along the eigenvector of eigenvalue ``λ`` by
``1 - lr·λ`` each step: it converges iff ``|1 - lr·λ| < 1`` for every ``λ``.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ._checks import as_column, non_constant, positive_finite, xy_columns


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
    a = torch.cat([xc, torch.ones_like(xc)], dim=1)
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
