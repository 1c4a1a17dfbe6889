"""Many learning rates at once: one row of parameters per learning rate, one batched GD loop.

The losses of different rows do not interact, so the gradient of their *sum* with respect to
the ``(n_lr, 2)`` parameter tensor is the stack of each row's own gradient: one backward pass
serves every learning rate. For the line's MSE the same gradients are one matrix product,
``2/n (Θ Aᵀ − y) A`` with ``A = [x, 1]``, which skips autograd's bookkeeping (about 4× faster
here); :func:`sweep_gd` uses that by default and autograd with ``autograd=True``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from ._checks import finite_number, positive_finite, positive_int, xy_columns
from .runs import line_runs
from .theory import design_matrix


def _lr_tensor(lrs: Sequence[float] | torch.Tensor) -> torch.Tensor:
    values = [positive_finite(f"lrs[{i}]", float(v)) for i, v in enumerate(torch.as_tensor(lrs).flatten())]
    if not values:
        raise ValueError("lrs is empty: give at least one learning rate")
    return torch.tensor(values, dtype=torch.float64)


def sweep_gd(x: torch.Tensor, y: torch.Tensor, lrs: Sequence[float] | torch.Tensor, steps: int,
             w0: float = 0.0, b0: float = 0.0, autograd: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Full-batch GD on the line MSE for every lr at once (float64).

    ``lrs``: ``(n_lr,)``. Returns ``(theta, losses)``: final ``(w, b)`` per lr, ``(n_lr, 2)``,
    and the loss before each step and after the last, ``(n_lr, steps + 1)``. Diverging rows
    end in ``inf``/``nan``; they do not disturb the others. ``autograd=True`` gets the gradients
    from one backward pass of the summed loss instead of the formula (same numbers, slower).
    """
    xc, yc = xy_columns(x, y)
    lr, steps = _lr_tensor(lrs), positive_int("steps", steps)
    start = [finite_number("w0", w0), finite_number("b0", b0)]
    theta = torch.tensor([start] * len(lr), dtype=torch.float64, requires_grad=autograd)  # (n_lr, 2)
    a = design_matrix(xc)  # (n, 2)
    at, ys, scale = a.T.contiguous(), yc[:, 0], (lr * 2.0 / len(xc))[:, None]  # (2, n), (n,), (n_lr, 1)
    losses = torch.empty(len(lr), steps + 1, dtype=torch.float64)
    for k in range(steps + 1):
        residual = theta @ at - ys  # (n_lr, n)
        loss = (residual * residual).mean(dim=1)  # (n_lr,)
        losses[:, k] = loss.detach()
        if k == steps:
            break
        if autograd:
            (grad,) = torch.autograd.grad(loss.sum(), theta)
            with torch.no_grad():
                theta -= lr[:, None] * grad
        else:
            theta -= scale * (residual @ a)  # lr · 2/n (Θ Aᵀ − y) A
    return theta.detach(), losses


def sweep_with_torch_optim(x: torch.Tensor, y: torch.Tensor, lrs: Sequence[float] | torch.Tensor,
                           steps: int, w0: float = 0.0, b0: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """The reference: one ``torch.optim.SGD`` loop per lr (:func:`~linreg_utils.runs.line_runs`);
    same outputs as :func:`sweep_gd`."""
    steps = positive_int("steps", steps)
    runs = [line_runs(x, y, [lr], steps, [(w0, b0)])[0] for lr in _lr_tensor(lrs).tolist()]
    return (torch.tensor(np.array([r.path[-1] for r in runs])),
            torch.tensor(np.array([r.losses for r in runs])))
