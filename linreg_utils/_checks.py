"""Input checks shared by the public helpers.

Every public function validates its inputs here, so a mistake is reported with
the argument's name and value instead of a shape error deep inside torch.
"""

from __future__ import annotations

import math
import numbers

import torch


def as_column(name: str, value: object) -> torch.Tensor:
    """Return ``value`` as a float64 ``(n, 1)`` tensor, or raise a clear error.

    Accepts a tensor of shape ``(n,)`` or ``(n, 1)`` with ``n >= 1`` and only finite values.
    """
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if value.dim() == 1:
        value = value.unsqueeze(1)
    if value.dim() != 2 or value.shape[1] != 1:
        raise ValueError(f"{name} must have shape (n,) or (n, 1), got {tuple(value.shape)}")
    if value.shape[0] == 0:
        raise ValueError(f"{name} is empty: it needs at least one data point")
    if value.is_complex() or value.dtype == torch.bool:
        raise TypeError(f"{name} must hold real numbers, got dtype {value.dtype}")
    value = value.detach().to("cpu", torch.float64)
    if not torch.isfinite(value).all():
        bad = int((~torch.isfinite(value)).sum())
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s)")
    return value


def xy_columns(x: object, y: object) -> tuple[torch.Tensor, torch.Tensor]:
    """Check a data set: both ``(n, 1)`` (or ``(n,)``), same ``n``; return float64 copies."""
    xc, yc = as_column("x", x), as_column("y", y)
    if xc.shape[0] != yc.shape[0]:
        raise ValueError(f"x and y must have the same length, got {xc.shape[0]} and {yc.shape[0]}")
    return xc, yc


def non_constant(x: torch.Tensor) -> torch.Tensor:
    """Raise if every x is the same: the MSE Hessian is then singular (no unique line)."""
    if x.shape[0] < 2 or torch.all(x == x[0]):
        raise ValueError(
            "x is constant (all values equal or a single point): the Hessian of the MSE is "
            "singular, so there is no unique best line"
        )
    return x


def positive_finite(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite number > 0, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return float(value)


def finite_number(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite number, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return float(value)


def positive_int(name: str, value: object) -> int:
    """Return ``value`` if it is an int >= 1, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)
