"""Lesson 05's measurements of adaptive methods: what their preconditioner was, step by step, and
where weight decay takes them.

* :func:`running_mean_square` rebuilds, from the gradients a real ``torch.optim`` run used (the
  record :func:`linreg_utils.runs.train` keeps in ``log["grads"]``), the running average of ``g²``
  that RMSprop and Adam divide by: their diagonal preconditioner ``P = diag(1/(√v + ε))`` before
  each step. :func:`linreg_utils.theory.preconditioned_sharpness` then gives ``λmax(P^½ H P^½)``.
* :func:`weight_decay_end_points` runs Adam, Adam with L2 (``weight_decay`` inside Adam) and AdamW side
  by side on the same (mini-)batches and says where each ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ._checks import positive_finite, positive_int, xy_columns
from .runs import train
from .theory import closed_form_fit


def running_mean_square(grads: np.ndarray, beta: float, bias_corrected: bool = True) -> np.ndarray:
    """``v_t = β v_{t−1} + (1 − β) g_t²`` from ``v_0 = 0``, for the gradients ``grads`` ``(k, d)`` in the
    order the optimizer used them: ``(k, d)``, row ``t − 1`` the ``v`` step ``t`` divides by.

    ``bias_corrected``: Adam's ``v̂_t = v_t / (1 − β^t)`` (``β`` its β₂); False for RMSprop (``β`` its α).
    """
    grads = np.asarray(grads, float)
    if grads.ndim != 2:
        raise ValueError(f"grads must be a (k, d) array, got shape {grads.shape}")
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    v, acc = np.empty_like(grads), np.zeros(grads.shape[1])
    for t, g in enumerate(grads):
        acc = beta * acc + (1.0 - beta) * g * g
        v[t] = acc
    if bias_corrected:
        v /= 1.0 - beta ** np.arange(1, len(grads) + 1)[:, None]
    return v


DECAY_VARIANTS = ("Adam", "Adam + L2", "AdamW")
"""The three optimizers :func:`weight_decay_end_points` compares."""


@dataclass(frozen=True)
class DecayEnd:
    """Where one variant ended: ``theta`` ``(2,)`` its ``(w, b)`` averaged over the last half of the steps
    (and over the replicas), ``rms_grad`` ``(2,)`` its ``√v̂`` at the end (averaged over the replicas)."""

    theta: np.ndarray
    rms_grad: np.ndarray


def weight_decay_end_points(x: torch.Tensor, y: torch.Tensor, weight_decay: float, lr: float, steps: int,
                            batch_size: int | None = None, replicas: int = 1, seed: int = 0,
                            ) -> dict[str, DecayEnd]:
    """Adam, Adam + L2 and AdamW from the least-squares optimum θ* on ``(x, y)`` (``(n, 1)``), float64.

    One ``torch.optim.Adam`` with three parameter groups, so all three see the same batches: no decay;
    ``weight_decay`` (adds ``λθ`` to the gradient: L2); ``weight_decay`` with ``decoupled_weight_decay=True``
    (shrinks ``θ ← θ(1 − ηλ)`` beside the Adam step: what ``torch.optim.AdamW`` does). ``batch_size``:
    None for the full batch, else each step draws that many points with replacement, independently for
    each of ``replicas`` runs (a ``(replicas, 2)`` parameter per variant: Adam is elementwise, so its
    rows are independent runs). One :func:`~linreg_utils.runs.train` loop.
    """
    xc, yc = xy_columns(x, y)
    weight_decay, lr = positive_finite("weight_decay", weight_decay), positive_finite("lr", lr)
    steps, replicas = positive_int("steps", steps), positive_int("replicas", replicas)
    if batch_size is not None:
        batch_size = positive_int("batch_size", batch_size)
    xv, yv, n = xc[:, 0], yc[:, 0], len(xc)
    start = torch.tensor([closed_form_fit(xc, yc)] * replicas, dtype=torch.float64)
    params = [start.clone().requires_grad_(True) for _ in DECAY_VARIANTS]
    optimizer = torch.optim.Adam([{"params": [params[0]]},
                                  {"params": [params[1]], "weight_decay": weight_decay},
                                  {"params": [params[2]], "weight_decay": weight_decay,
                                   "decoupled_weight_decay": True}], lr=lr)
    generator = torch.Generator().manual_seed(seed)

    def losses() -> torch.Tensor:  # (3,): each variant's MSE, summed over its replicas
        rows = (torch.arange(n).expand(replicas, n) if batch_size is None
                else torch.randint(0, n, (replicas, batch_size), generator=generator))
        xb, yb = xv[rows], yv[rows]  # (replicas, batch)
        return torch.stack([((p[:, :1] * xb + p[:, 1:] - yb) ** 2).mean(dim=1).sum() for p in params])

    run = train(losses, params, optimizer, steps, stop_on_divergence=False)
    path = run.path.reshape(len(run.path), len(DECAY_VARIANTS), replicas, 2)[steps // 2 + 1:]
    correction = 1.0 - optimizer.param_groups[0]["betas"][1] ** steps
    rms = [(optimizer.state[p]["exp_avg_sq"] / correction).sqrt().mean(dim=0).numpy() for p in params]
    return {name: DecayEnd(theta=path[:, i].mean(axis=(0, 1)), rms_grad=rms[i])
            for i, name in enumerate(DECAY_VARIANTS)}
