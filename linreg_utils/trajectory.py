"""Gradient descent, with or without momentum, on the line-fitting MSE: exact, so a slider can follow it.

On a quadratic loss GD is a linear map: with ``θ = (w, b)``, optimum ``θ*`` and Hessian
``H = Q diag(λ) Qᵀ``, one step gives ``θ_{k+1} − θ* = (I − lr H)(θ_k − θ*)``. In the eigenbasis
the error ``c = Qᵀ(θ − θ*)`` is multiplied by ``1 − lr λᵢ`` per step; heavy ball (PyTorch's
``SGD(momentum=β)``) runs ``c_{k+1} = (1 + β − lr λ) c_k − β c_{k−1}`` instead
(:func:`linreg_utils.theory.direction_errors`), and ``L(θ_k) = L* + ½ Σᵢ λᵢ c_{k,i}²``. That is
exactly the iteration (the tests compare it with ``torch.optim.SGD``), at the cost of a few
array operations per step instead of a forward and backward pass.
"""

from __future__ import annotations

import numpy as np
import torch

from ._checks import positive_finite, positive_int, xy_columns
from .runs import Run, diverged_at
from .theory import direction_errors, eigenbasis, gap_shares


def gd_trajectory(x: torch.Tensor, y: torch.Tensor, lr: float, steps: int, w0: float = 0.0,
                  b0: float = 0.0, beta: float = 0.0) -> Run:
    """``steps`` steps of full-batch GD on ``mean((w x + b − y)**2)`` from ``(w0, b0)``, exactly;
    with ``beta`` > 0, heavy-ball momentum (``torch.optim.SGD(lr, momentum=beta)``, from rest).

    ``x, y``: ``(n, 1)`` or ``(n,)`` tensors (at least two distinct x). Returns a :class:`Run`
    with ``losses``, ``gaps`` (``L − L*``, exact down to 1e-300: no cancellation) and ``path``;
    a diverging run ends at the step :func:`~linreg_utils.runs.diverged_at` fires (reported,
    never raised). The loss of a momentum run is not monotone: use ``settles_within`` rather
    than ``first_within`` for "stays within".
    """
    xc, yc = xy_columns(x, y)
    lr, steps = positive_finite("lr", lr), positive_int("steps", steps)
    basis = eigenbasis(xc, yc, w0, b0)
    c = direction_errors(basis.lam, basis.c0, lr, steps, beta)  # (steps + 1, 2)
    with np.errstate(over="ignore", invalid="ignore"):
        gaps = gap_shares(basis.lam, c).sum(axis=1)  # (steps + 1,)
        theta = c @ basis.q.T + np.array(basis.optimum)  # (steps + 1, 2)
    losses = basis.optimum_loss + gaps
    stop = diverged_at(losses)
    end = steps + 1 if stop is None else stop + 1
    return Run(losses=losses[:end], path=theta[:end], gaps=gaps[:end], optimum=np.array(basis.optimum),
               optimum_loss=basis.optimum_loss, lr=lr, diverged_at=stop)
