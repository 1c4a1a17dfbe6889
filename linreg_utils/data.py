"""Data sets: the tutorial's 15 points and its model's start, synthetic lines, and standardization."""

from __future__ import annotations

import numpy as np
import torch

from ._checks import as_column, finite_number, non_constant, positive_int

# The 15 points of the original tutorial (shared/seed), exactly as it lists them.
SEED_X = [3.4, 5.4, 6.71, 6.89, 6.93, 4.16, 9.779, 6.182, 7.59, 2.167, 7.042, 10.791, 5.31, 7.997, 3.1]
SEED_Y = [1.7, 2.76, 2.09, 3.19, 1.694, 1.573, 3.366, 2.596, 2.53, 1.221, 2.87, 3.45, 1.6, 2.9, 1.3]


START = (-0.5, 3.0)
"""``(w0, b0)`` up the long, flat valley of the seed's raw problem: where lessons 04 and 05 start
their optimizers (the momentum widget and the optimizer race too)."""


def seed_data() -> tuple[torch.Tensor, torch.Tensor]:
    """The tutorial's data: ``x, y``, each a ``(15, 1)`` float32 tensor (a fresh copy each call)."""
    x = torch.tensor(SEED_X, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(SEED_Y, dtype=torch.float32).unsqueeze(1)
    return x, y


def linear_start(seed: int = 0) -> tuple[float, float]:
    """``(w0, b0)`` of ``torch.nn.Linear(1, 1)`` after ``torch.manual_seed(seed)``: where the
    tutorial's model starts (the caller's random state is left untouched)."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        w, b = torch.nn.Linear(1, 1).parameters()
        return w.item(), b.item()


def linear_starts(count: int, seed: int = 0) -> np.ndarray:
    """``(count, 2)`` float64: ``(w0, b0)`` of ``count`` successive ``torch.nn.Linear(1, 1)`` models
    built after ``torch.manual_seed(seed)`` — draws from its default initialisation, ``U(−1, 1)``
    for both with one input. Row 0 is :func:`linear_start` (the caller's random state is left untouched)."""
    count = positive_int("count", count)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        rows = [[p.item() for p in torch.nn.Linear(1, 1).parameters()] for _ in range(count)]
    return np.array(rows, dtype=np.float64)


def make_regression(
    n: int = 100,
    slope: float = 2.0,
    intercept: float = -1.0,
    noise: float = 0.5,
    seed: int = 0,
    x_range: tuple[float, float] = (0.0, 10.0),
) -> tuple[torch.Tensor, torch.Tensor]:
    """Synthetic points on ``y = slope * x + intercept`` plus Gaussian noise.

    Returns ``x, y``, each an ``(n, 1)`` float32 tensor; ``x`` is uniform on ``x_range``.
    The same ``seed`` always gives the same points; the global torch RNG is untouched.
    """
    n = positive_int("n", n)
    slope, intercept = finite_number("slope", slope), finite_number("intercept", intercept)
    noise = finite_number("noise", noise)
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    low, high = (finite_number("x_range[0]", x_range[0]), finite_number("x_range[1]", x_range[1]))
    if not low < high:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range}")
    gen = torch.Generator().manual_seed(seed)
    x = low + (high - low) * torch.rand(n, 1, generator=gen, dtype=torch.float64)
    y = slope * x + intercept + noise * torch.randn(n, 1, generator=gen, dtype=torch.float64)
    return x.float(), y.float()


def standardize(x: torch.Tensor) -> tuple[torch.Tensor, float, float]:
    """Rescale ``x`` to mean 0 and standard deviation 1.

    Returns ``(z, mean, std)`` with ``z = (x - mean) / std`` of the same shape and dtype as ``x``
    (``std`` is the population standard deviation, so ``z`` has ``mean(z**2) == 1``).
    """
    x64 = non_constant(as_column("x", x))
    mean, std = x64.mean().item(), x64.std(correction=0).item()
    return (x - mean) / std, mean, std


def unstandardize(w_z: float, b_z: float, mean: float, std: float) -> tuple[float, float]:
    """Turn a line fitted on standardized x back into ``(w, b)`` on the original scale.

    ``w_z * (x - mean) / std + b_z == (w_z / std) * x + (b_z - w_z * mean / std)``.
    """
    w_z, b_z = finite_number("w_z", w_z), finite_number("b_z", b_z)
    mean = finite_number("mean", mean)
    std = finite_number("std", std)
    if std <= 0:
        raise ValueError(f"std must be > 0, got {std}")
    return w_z / std, b_z - w_z * mean / std
