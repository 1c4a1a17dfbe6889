"""Newton's method on the MSE of a line: the gradient, and the step that solves with the Hessian.

With ``θ = (w, b)`` and ``A = [x, 1]``, the loss ``L(θ) = mean((Aθ - y)²)`` has gradient
``∇L = 2/n · Aᵀ(Aθ - y)`` and Hessian ``H = 2/n · AᵀA`` (see :func:`mse_hessian`). The loss
is an exact quadratic, so Newton's step ``θ - H⁻¹∇L`` lands on the least-squares optimum
from any start, in one step.
"""

from __future__ import annotations

import torch

from ._checks import non_constant, xy_columns
from .theory import design_matrix, mse_hessian


def _as_theta(theta: object) -> torch.Tensor:
    """``theta`` as a float64 ``(2,)`` tensor ``[w, b]``, or a clear error."""
    if not isinstance(theta, torch.Tensor):
        raise TypeError(f"theta must be a torch.Tensor [w, b], got {type(theta).__name__}")
    if theta.numel() != 2:
        raise ValueError(f"theta must hold two numbers [w, b], got shape {tuple(theta.shape)}")
    theta = theta.detach().reshape(2).to("cpu", torch.float64)
    if not torch.isfinite(theta).all():
        raise ValueError(f"theta must be finite, got {theta.tolist()}")
    return theta


def mse_gradient(x: torch.Tensor, y: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """``∇L(θ) = 2/n · Aᵀ(Aθ - y)``, a float64 ``(2,)`` tensor ``[∂L/∂w, ∂L/∂b]``.

    ``x, y``: ``(n, 1)`` or ``(n,)`` tensors; ``theta``: ``(2,)`` tensor ``[w, b]``.
    """
    xc, yc = xy_columns(x, y)
    a, theta = design_matrix(xc), _as_theta(theta)
    residual = a @ theta - yc[:, 0]  # (n,)
    return 2.0 / len(a) * a.T @ residual


def newton_step(x: torch.Tensor, y: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """One Newton step ``θ - H⁻¹∇L(θ)`` on the MSE, a float64 ``(2,)`` tensor ``[w, b]``.

    Solves ``H δ = ∇L`` with ``torch.linalg.solve`` (never forms ``H⁻¹``). Raises if x is constant.
    """
    xc, yc = xy_columns(x, y)
    non_constant(xc)
    theta = _as_theta(theta)
    return theta - torch.linalg.solve(mse_hessian(xc), mse_gradient(xc, yc, theta))
