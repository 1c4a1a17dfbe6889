"""The training workflow measured: when to stop, and the race to the optimum (lesson 06).

Lesson 06 walks the tutorial's seven steps (data → tensors → model → loss → optimizer → loop →
evaluate). The helpers here are the parts too long for a notebook cell: the tutorial's real
full-batch loop with every epoch's loss and gradient recorded, the stopping rules a user can
apply to such a record without knowing the optimum, a race to the optimum that counts real
``torch.optim`` steps and loss evaluations, and a train/validation split. Every loop is
:func:`linreg_utils.runs.train`, every record a :class:`~linreg_utils.runs.Run`. Mini-batches
and their noise are lesson 07's (:mod:`linreg_utils.stochastic`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import torch
from torch import nn

from ._checks import positive_finite, positive_int, xy_columns
from .runs import Run, train
from .theory import closed_form_fit, loss_gap, mse, optimal_lr


def line_of(model: nn.Linear) -> tuple[float, float]:
    """``(w, b)`` of an ``nn.Linear(1, 1)`` as Python floats (wherever the model lives)."""
    if not isinstance(model, nn.Linear) or model.weight.shape != (1, 1) or model.bias is None:
        raise TypeError(f"model must be an nn.Linear(1, 1) with a bias, got {model!r}")
    return model.weight.item(), model.bias.item()


def steps_to_optimum(model: nn.Linear, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor,
                     tol: float = 1e-6, max_steps: int = 200_000) -> Run:
    """Train ``model`` on the full batch until its MSE is within ``tol`` of the optimum's.

    ``x, y``: ``(n, 1)`` tensors on the model's device. Each step is the closure
    ``zero_grad → forward → MSELoss → backward`` passed to ``optimizer.step`` (LBFGS works
    too); after each step the gap is measured exactly in float64 by
    :func:`~linreg_utils.theory.loss_gap`. The :class:`~linreg_utils.runs.Run` has ``reached_at``
    (None if ``max_steps`` did not suffice), ``gaps``, and ``log["evaluations"]`` (forward +
    backward passes: LBFGS makes several per step) and ``log["seconds"]`` (wall time of the loop).
    """
    line_of(model)
    tol, max_steps = positive_finite("tol", tol), positive_int("max_steps", max_steps)
    gap, loss_fn = loss_gap(x.cpu(), y.cpu()), nn.MSELoss()
    run = train(lambda: loss_fn(model(x), y), model.parameters(), optimizer, max_steps,
                until=lambda: gap(*line_of(model)) <= tol)
    return replace(run, gaps=gap(run.weights, run.biases))


def record_training(model: nn.Linear, optimizer: torch.optim.Optimizer, x: torch.Tensor,
                    y: torch.Tensor, epochs: int) -> Run:
    """Run the tutorial's loop (``zero_grad → forward → MSELoss → backward → step``) ``epochs``
    times on the full batch ``x, y`` (``(n, 1)``, on the model's device) and record each epoch.

    Epoch ``k`` evaluates the loss and the gradient at the parameters left by ``k − 1`` steps
    (as the tutorial's log does), then steps: index ``k − 1`` of the record is epoch ``k``
    (``losses`` as the loop computed them, in the model's dtype; ``log["grad_sq"]``: ``‖∇L‖²``;
    ``weights, biases``: the parameters evaluated; one more entry after the last epoch).
    """
    line_of(model)
    loss_fn = nn.MSELoss()
    return train(lambda: loss_fn(model(x), y), model.parameters(), optimizer, positive_int("epochs", epochs))


def fixes(x: torch.Tensor, z: torch.Tensor) -> dict[str, tuple[torch.Tensor, Callable]]:
    """Lesson 06's race to the optimum: name → (inputs, optimizer factory) for the fixes of
    lessons 01–05, on raw ``x`` or standardized ``z`` (``benchmarks/bench_seed_vs_lessons.py``
    times the same ones)."""
    lr_x, lr_z = optimal_lr(x), optimal_lr(z)
    return {
        f"SGD lr={lr_x:.4f} = 2/(λmin+λmax), raw x": (x, lambda p: torch.optim.SGD(p, lr=lr_x)),
        "SGD lr=0.1, standardized x": (z, lambda p: torch.optim.SGD(p, lr=0.1)),
        f"SGD lr={lr_z:.2f} (best), standardized x": (z, lambda p: torch.optim.SGD(p, lr=lr_z)),
        "Adam lr=0.05, raw x": (x, lambda p: torch.optim.Adam(p, lr=0.05)),
        "L-BFGS (strong Wolfe), raw x": (x, lambda p: torch.optim.LBFGS(p, line_search_fn="strong_wolfe")),
    }


def first_epoch(fires: np.ndarray) -> int | None:
    """The first epoch (1-based) where the boolean ``(epochs,)`` array ``fires`` is True, or None."""
    hits = np.flatnonzero(np.asarray(fires, dtype=bool))
    return int(hits[0]) + 1 if hits.size else None


def certificate_epoch(log: Run, lam_min: float, tol: float = 1e-6) -> int | None:
    """First epoch with ``‖∇L‖² / (2 λmin) ≤ tol``, which guarantees ``L − L* ≤ tol``.

    Assumes ``L`` is ``λmin``-strongly convex (true for the MSE of a line, ``λmin`` the Hessian's
    smallest eigenvalue; elsewhere a lower bound on it), since then ``L − L* ≤ ‖∇L‖² / (2 λmin)``.
    """
    lam_min, tol = positive_finite("lam_min", lam_min), positive_finite("tol", tol)
    return first_epoch(log.log["grad_sq"] / (2.0 * lam_min) <= tol)


def relative_change_epoch(log: Run, rtol: float = 1e-6, window: int = 1) -> int | None:
    """First epoch ``k > window`` with ``(L_{k−window} − L_k) / L_k ≤ rtol``: the loss stalled."""
    rtol, window = positive_finite("rtol", rtol), positive_int("window", window)
    losses = log.losses
    fires = np.zeros(len(losses), dtype=bool)
    fires[window:] = losses[:-window] - losses[window:] <= rtol * np.abs(losses[window:])
    return first_epoch(fires)


def patience_epoch(log: Run, min_delta: float = 1e-6, patience: int = 1_000) -> int | None:
    """Early stopping: the first epoch at which the best loss has not dropped by more than
    ``min_delta`` for ``patience`` epochs in a row (Keras' ``EarlyStopping``, PyTorch Lightning's)."""
    min_delta, patience = positive_finite("min_delta", min_delta), positive_int("patience", patience)
    best, wait = np.inf, 0
    for k, loss in enumerate(log.losses.tolist()):
        if loss < best - min_delta:
            best, wait = loss, 0
        else:
            wait += 1
            if wait >= patience:
                return k + 1
    return None


def log_settles_epoch(log: Run, every: int = 200, decimals: int = 6) -> int | None:
    """The printed epoch (every ``every``-th) from which a log of the loss with ``decimals``
    digits shows the same text to the end of the record; None if the last two prints differ."""
    every, decimals = positive_int("every", every), positive_int("decimals", decimals)
    shown = [f"{v:.{decimals}f}" for v in log.losses[every - 1 :: every]]
    if len(shown) < 2 or shown[-1] != shown[-2]:
        return None
    k = len(shown) - 1
    while k > 0 and shown[k - 1] == shown[-1]:
        k -= 1
    return (k + 1) * every


def train_val_split(
    x: torch.Tensor, y: torch.Tensor, val_fraction: float = 0.2, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Shuffle the points and split them: ``x_train, y_train, x_val, y_val`` (rows of x, y)."""
    xy_columns(x, y)
    val_fraction = positive_finite("val_fraction", val_fraction)
    n_val = round(val_fraction * len(x))
    if not 1 <= n_val < len(x):
        raise ValueError(f"val_fraction must leave at least one point on each side, got {val_fraction}")
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    val, train = order[:n_val], order[n_val:]
    return x[train], y[train], x[val], y[val]


def split_mses(
    x_train: torch.Tensor, y_train: torch.Tensor, x_val: torch.Tensor, y_val: torch.Tensor
) -> tuple[float, float]:
    """``(train MSE, validation MSE)`` of the least-squares line fitted on the training part."""
    w, b = closed_form_fit(x_train, y_train)
    return mse(x_train, y_train, w, b), mse(x_val, y_val, w, b)
