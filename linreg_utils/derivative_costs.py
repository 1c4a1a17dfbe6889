"""What first- and second-order information costs as the number of parameters ``d`` grows.

Time is measured on a least-squares model with ``d`` weights fitted to ``n`` random points
(plus a small ridge term, so that the Hessian is invertible whatever ``d``): one gradient is
one backward pass; a full Hessian needs one Hessian-vector product per parameter, ``d`` in
all (``torch.autograd.functional.hessian`` runs them one by one, each a backward pass through
the gradient); solving the Newton system ``H δ = g`` takes about ``2d³/3`` flops
(``torch.linalg.solve`` factorizes by LU; a Cholesky factorization would take ``d³/3``).
Memory needs no measuring: a gradient holds ``d`` numbers and a Hessian ``d²``.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ._checks import positive_finite, positive_int

BYTES_PER_FLOAT32 = 4
"""PyTorch's default dtype, float32, takes 4 bytes per number."""


@dataclass(frozen=True)
class DerivativeCosts:
    """Seconds per call (best of a few runs) for each number of parameters in ``dims``.

    ``dims, gradient_s, hessian_s, solve_s``: ``(k,)`` arrays; ``solve_s`` is the Newton
    solve ``torch.linalg.solve(H, g)`` alone, given the Hessian.
    """

    dims: np.ndarray
    gradient_s: np.ndarray
    hessian_s: np.ndarray
    solve_s: np.ndarray

    def slopes(self, last: int = 3) -> dict[str, float]:
        """Log-log slope of time vs d over the ``last`` largest d: ``time ∝ d**slope``."""
        last = positive_int("last", last)
        if not 2 <= last <= len(self.dims):
            raise ValueError(f"last must be between 2 and {len(self.dims)}, got {last}")
        logd = np.log(self.dims[-last:])
        series = {"gradient": self.gradient_s, "Hessian": self.hessian_s, "Newton solve": self.solve_s}
        return {name: float(np.polyfit(logd, np.log(s[-last:]), 1)[0]) for name, s in series.items()}


def _best_time(fn: Callable[[], object], min_time: float, max_repeats: int) -> tuple[float, object]:
    """``(seconds, result)``: the fastest of up to ``max_repeats`` calls of ``fn()``.

    Stops repeating once ``min_time`` seconds have been spent, so slow calls run once.
    """
    best, spent, result = np.inf, 0.0, None
    for _ in range(max_repeats):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best, spent = min(best, elapsed), spent + elapsed
        if spent >= min_time:
            break
    return best, result


def least_squares_problem(d: int, n: int = 64, seed: int = 0) -> tuple[Callable, torch.Tensor]:
    """A loss ``f(w) = mean((X w - y)²) + 1e-3 ‖w‖²`` with ``X: (n, d)`` random, and ``w0 = 0: (d,)``."""
    d, n = positive_int("d", d), positive_int("n", n)
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=gen, dtype=torch.float64)
    y = torch.randn(n, generator=gen, dtype=torch.float64)

    def loss(w: torch.Tensor) -> torch.Tensor:
        return torch.mean((x @ w - y) ** 2) + 1e-3 * (w @ w)

    return loss, torch.zeros(d, dtype=torch.float64)


def measure_derivative_costs(
    dims: Sequence[int] = (10, 30, 100, 300, 1000, 2000),
    n: int = 64,
    min_time: float = 0.02,
    max_repeats: int = 5,
) -> DerivativeCosts:
    """Time one gradient, one full Hessian and one Newton solve for each ``d`` in ``dims``."""
    dims = [positive_int("dims[i]", d) for d in dims]
    if not dims:
        raise ValueError("dims must hold at least one number of parameters")
    min_time, max_repeats = positive_finite("min_time", min_time), positive_int("max_repeats", max_repeats)
    rows = []
    for d in [dims[0], *dims]:  # the first run warms torch up and is discarded
        loss, w0 = least_squares_problem(d, n)
        w = w0.clone().requires_grad_()
        t_grad, (grad,) = _best_time(lambda: torch.autograd.grad(loss(w), w), min_time, max_repeats)  # noqa: B023
        t_hess, hess = _best_time(lambda: torch.autograd.functional.hessian(loss, w0),  # noqa: B023
                                  min_time, max_repeats)  # noqa: B023
        t_solve, _ = _best_time(lambda: torch.linalg.solve(hess, grad), min_time, max_repeats)  # noqa: B023
        rows.append([t_grad, t_hess, t_solve])
    times = np.array(rows[1:])  # (k, 3)
    return DerivativeCosts(np.array(dims), times[:, 0], times[:, 1], times[:, 2])


def lbfgs_default_history() -> int:
    """``history_size`` that ``torch.optim.LBFGS`` uses unless told otherwise."""
    return int(inspect.signature(torch.optim.LBFGS).parameters["history_size"].default)


def memory_bytes(d: int, bytes_per_number: int = BYTES_PER_FLOAT32,
                 history: int | None = None) -> dict[str, int]:
    """Bytes to store, for ``d`` parameters: a gradient (d numbers), a Hessian (d²), L-BFGS's memory.

    L-BFGS keeps ``history`` pairs of d-vectors (steps and gradient changes), ``2 · history · d``
    numbers; ``history`` defaults to ``torch.optim.LBFGS``'s own default.
    """
    d, bytes_per_number = positive_int("d", d), positive_int("bytes_per_number", bytes_per_number)
    history = lbfgs_default_history() if history is None else positive_int("history", history)
    return {
        "gradient": d * bytes_per_number,
        "Hessian": d * d * bytes_per_number,
        "L-BFGS": 2 * history * d * bytes_per_number,
    }


def format_bytes(count: int) -> str:
    """``count`` bytes in decimal units with at most three significant digits, e.g. ``'1.6 kB'``."""
    count = int(count)
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    units = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB"]
    power = 0
    while count >= 1000 ** (power + 1) and power < len(units) - 1:
        power += 1
    return f"{count} B" if power == 0 else f"{count / 1000**power:.3g} {units[power]}"
