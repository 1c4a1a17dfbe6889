"""A training loop for any ``torch.optim`` optimizer, LBFGS included."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm import tqdm

from ._checks import positive_int


@dataclass
class FitHistory:
    """Losses recorded by :func:`fit`: ``losses[i]`` is the loss before update ``steps[i] + 1``.

    ``steps, losses``: lists of equal length; step 0 is always recorded, then every
    ``log_every`` steps, and the final loss after the last update is ``final_loss``.
    """

    steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    final_loss: float = float("nan")


def _check_tensor(name: str, value: object) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if value.dim() == 0 or value.shape[0] == 0:
        raise ValueError(f"{name} must have at least one row, got shape {tuple(value.shape)}")
    if not torch.isfinite(value).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return value


def fit(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    steps: int,
    log_every: int = 1,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    progress: bool = True,
) -> FitHistory:
    """Train ``model`` on the full batch ``(x, y)`` for ``steps`` optimizer steps.

    ``x``: ``(n, d_in)``, ``y``: ``(n, d_out)`` tensors on the model's device. ``loss_fn``
    defaults to ``nn.MSELoss()``. Each step is ``zero_grad → forward → loss → backward →
    step``, written as a closure so that LBFGS (which re-evaluates the loss) works too.
    A text progress bar appears on stderr only if the run lasts over two seconds.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    x, y = _check_tensor("x", x), _check_tensor("y", y)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must have the same length, got {x.shape[0]} and {y.shape[0]}")
    steps, log_every = positive_int("steps", steps), positive_int("log_every", log_every)
    loss_fn = nn.MSELoss() if loss_fn is None else loss_fn

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        return loss

    history = FitHistory()
    for step in tqdm(range(steps), disable=not progress, delay=2.0, desc="fit", leave=False):
        loss = optimizer.step(closure)
        if step % log_every == 0:
            history.steps.append(step)
            history.losses.append(loss.detach().item())
    with torch.no_grad():
        history.final_loss = float(loss_fn(model(x), y))
    return history
