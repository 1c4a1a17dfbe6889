"""The training workflow measured: steps and time to the optimum, mini-batch SGD, train/val split.

Lesson 04 walks the tutorial's seven steps (data → tensors → model → loss → optimizer → loop →
evaluate). The helpers here are the parts too long for a notebook cell: a race to the optimum
that counts real ``torch.optim`` steps, a mini-batch loop over a ``DataLoader`` that records
both what you would log (the mini-batch loss) and the truth (the full-data loss), and the
noise floor that constant-step mini-batch SGD settles on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset

from ._checks import positive_finite, positive_int, xy_columns
from .theory import closed_form_fit, design_matrix, loss_gap, mse, mse_hessian


def line_of(model: nn.Linear) -> tuple[float, float]:
    """``(w, b)`` of an ``nn.Linear(1, 1)`` as Python floats (wherever the model lives)."""
    if not isinstance(model, nn.Linear) or model.weight.shape != (1, 1) or model.bias is None:
        raise TypeError(f"model must be an nn.Linear(1, 1) with a bias, got {model!r}")
    return model.weight.item(), model.bias.item()


@dataclass(frozen=True)
class OptimumRun:
    """One run to the optimum: ``steps`` optimizer steps (None if ``max_steps`` did not suffice).

    ``evaluations``: forward + backward passes (LBFGS makes several per step); ``seconds``: wall
    time of the loop; ``final_gap``: MSE − optimum MSE where the run stopped.
    """

    steps: int | None
    evaluations: int
    seconds: float
    final_gap: float


def steps_to_optimum(
    model: nn.Linear,
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    tol: float = 1e-6,
    max_steps: int = 200_000,
) -> OptimumRun:
    """Train ``model`` on the full batch until its MSE is within ``tol`` of the optimum's.

    ``x, y``: ``(n, 1)`` tensors on the model's device. Each step is the closure
    ``zero_grad → forward → MSELoss → backward`` passed to ``optimizer.step`` (LBFGS works
    too); after each step the gap is measured exactly in float64 by :func:`~linreg_utils.theory.loss_gap`.
    """
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    tol, max_steps = positive_finite("tol", tol), positive_int("max_steps", max_steps)
    gap = loss_gap(x.cpu(), y.cpu())
    loss_fn, evaluations = nn.MSELoss(), 0

    def closure() -> torch.Tensor:
        nonlocal evaluations
        evaluations += 1
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        return loss

    start = time.perf_counter()
    current, steps = gap(*line_of(model)), 0
    while current > tol and steps < max_steps:
        optimizer.step(closure)
        steps += 1
        current = gap(*line_of(model))
    seconds = time.perf_counter() - start
    return OptimumRun(steps if current <= tol else None, evaluations, seconds, current)


def make_loader(x: torch.Tensor, y: torch.Tensor, batch_size: int, seed: int = 0) -> DataLoader:
    """A shuffling ``DataLoader`` over ``TensorDataset(x, y)``, reproducible through ``seed``.

    It yields the same batches as ``DataLoader(dataset, batch_size, shuffle=True,
    generator=torch.Generator().manual_seed(seed))`` but fetches each batch with one indexing
    operation (``dataset[indices]``) instead of stacking ``batch_size`` single points.
    """
    batch_size = positive_int("batch_size", batch_size)
    if batch_size > len(x):
        raise ValueError(f"batch_size must be <= the number of points {len(x)}, got {batch_size}")
    dataset = TensorDataset(x, y)
    generator = torch.Generator().manual_seed(seed)
    order = RandomSampler(dataset, generator=generator)
    return DataLoader(dataset, sampler=BatchSampler(order, batch_size, drop_last=False), batch_size=None,
                      generator=generator)


@dataclass
class MinibatchHistory:
    """What a mini-batch run saw: one entry per optimizer step, plus step 0 for the gaps.

    ``batch_losses[k]``: the mini-batch loss at step ``k + 1`` (what a training log shows);
    ``gaps[k]``: full-data MSE − optimum after ``k`` steps (``len(batch_losses) + 1`` entries);
    ``steps_per_epoch``: optimizer steps in one pass over the data.
    """

    batch_size: int
    steps_per_epoch: int
    batch_losses: list[float] = field(default_factory=list)
    gaps: list[float] = field(default_factory=list)

    def gaps_per_epoch(self) -> np.ndarray:
        """The full-data gap at the end of each epoch, epoch 0 = the start: ``(epochs + 1,)``."""
        return np.asarray(self.gaps[:: self.steps_per_epoch])


def train_minibatch(
    model: nn.Linear, loader: DataLoader, optimizer: torch.optim.Optimizer, epochs: int
) -> MinibatchHistory:
    """Mini-batch training: ``epochs`` passes over ``loader``, one optimizer step per batch.

    The gap to the full-data optimum is measured exactly after every step (O(1), see
    :func:`~linreg_utils.theory.loss_gap`), which is what a noisy mini-batch loss cannot tell you.
    """
    epochs = positive_int("epochs", epochs)
    x_all, y_all = loader.dataset.tensors
    gap, loss_fn = loss_gap(x_all, y_all), nn.MSELoss()
    batch_size = getattr(loader.batch_sampler or loader.sampler, "batch_size", loader.batch_size)
    history = MinibatchHistory(batch_size, len(loader), gaps=[gap(*line_of(model))])
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            history.batch_losses.append(loss.item())
            history.gaps.append(gap(*line_of(model)))
    return history


def sgd_noise_floor(x: torch.Tensor, y: torch.Tensor, lr: float, batch_size: int) -> float:
    """Expected full-data MSE gap where constant-``lr`` mini-batch SGD settles (stationary state).

    Near the optimum ``d_{k+1} = (I − lr H) d_k − lr ξ_k``, with ``ξ_k`` the mini-batch
    gradient's noise: covariance ``C (n − B) / (B (n − 1))`` for a batch of ``B`` drawn without
    replacement, ``C`` the per-point gradients' covariance at the optimum. The stationary
    covariance ``Σ`` solves ``Σ = A Σ Aᵀ + lr² C_B`` (``A = I − lr H``), and the gap is
    ``½ tr(H Σ)``. It treats successive batches as independent, which holds while an epoch has
    many more steps than the ``1 / (lr λ)`` steps GD needs to forget its past.
    """
    xc, yc = xy_columns(x, y)
    lr, batch_size = positive_finite("lr", lr), positive_int("batch_size", batch_size)
    n = xc.shape[0]
    if batch_size > n:
        raise ValueError(f"batch_size must be <= the number of points {n}, got {batch_size}")
    a = design_matrix(xc).numpy()  # (n, 2)
    w_star, b_star = closed_form_fit(xc, yc)
    residual = a @ [w_star, b_star] - yc.numpy()[:, 0]  # (n,)
    grads = 2.0 * residual[:, None] * a  # per-point gradients at the optimum, (n, 2), mean 0
    c_batch = grads.T @ grads / n * (n - batch_size) / (batch_size * max(n - 1, 1))
    h = mse_hessian(xc).numpy()
    step = np.eye(2) - lr * h
    lhs = np.eye(4) - np.kron(step, step)
    sigma = np.linalg.solve(lhs, lr**2 * c_batch.reshape(4)).reshape(2, 2)
    return float(0.5 * np.trace(h @ sigma))


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
