"""Rosenbrock's banana valley: where Newton's method needs several steps and GD needs thousands.

``f(a, b) = (1 - a)² + 100 (b - a²)²`` has its only minimum at ``(1, 1)`` with ``f = 0``.
It is not a quadratic, so its Hessian changes from point to point and Newton's quadratic
model is only a local guess. The paths below use the exact gradient and Hessian written out
by hand (the tests compare them with ``torch.autograd``): a 30,000-step GD run then takes a
fraction of a second instead of the ten seconds that autograd's per-step overhead costs.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from ._checks import finite_number, positive_finite, positive_int
from .runs import Run, diverged_at

MINIMUM = (1.0, 1.0)
"""Where Rosenbrock's function is smallest (``f = 0``)."""


def rosenbrock(theta: torch.Tensor | np.ndarray) -> torch.Tensor | np.ndarray:
    """``(1 - a)² + 100 (b - a²)²`` for ``theta = (a, b)``: ``(2,)`` or ``(2, m)``, torch or numpy."""
    a, b = theta[0], theta[1]
    return (1 - a) ** 2 + 100 * (b - a**2) ** 2


def rosenbrock_gradient(theta: tuple[float, float] | np.ndarray) -> np.ndarray:
    """The gradient ``(∂f/∂a, ∂f/∂b)`` at ``theta = (a, b)``: a ``(2,)`` float array."""
    a, b = theta
    return np.array([-2 * (1 - a) - 400 * a * (b - a**2), 200 * (b - a**2)])


def rosenbrock_hessian(theta: tuple[float, float] | np.ndarray) -> np.ndarray:
    """The Hessian at ``theta = (a, b)``: a ``(2, 2)`` float array (not positive definite everywhere)."""
    a, b = theta
    return np.array([[2 - 400 * (b - 3 * a**2), -400 * a], [-400 * a, 200.0]])


def _run(update: Callable[[float, float], tuple[float, float]], start: tuple[float, float],
         max_steps: int, tol: float) -> Run:
    """Iterate ``(a, b) ← update(a, b)`` until within ``tol`` of the minimum or ``max_steps`` taken.

    The :class:`~linreg_utils.runs.Run` has ``losses`` (``f`` at each step), ``path`` ``(k + 1, 2)``,
    ``optimum`` (1, 1) (so ``distances``), and ``reached_at``: the first step within ``tol`` of
    the minimum, or None if never. A diverging run ends at the step
    :func:`~linreg_utils.runs.diverged_at` fires (the loop itself stops once it overflows).
    """
    a, b = finite_number("start[0]", start[0]), finite_number("start[1]", start[1])
    max_steps, tol = positive_int("max_steps", max_steps), positive_finite("tol", tol)
    points = [(a, b)]
    done = math.hypot(a - MINIMUM[0], b - MINIMUM[1]) <= tol
    while not done and len(points) <= max_steps and math.isfinite(a + b):
        a, b = update(a, b)
        points.append((a, b))
        done = math.hypot(a - MINIMUM[0], b - MINIMUM[1]) <= tol
    pts = np.array(points)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflowing run ends in inf or nan
        values = rosenbrock(pts.T)
    stop = diverged_at(values)
    end = len(pts) if stop is None else stop + 1
    return Run(losses=values[:end], path=pts[:end], optimum=np.array(MINIMUM), optimum_loss=0.0,
               diverged_at=stop, reached_at=len(points) - 1 if done else None)


def rosenbrock_newton_path(start: tuple[float, float], max_steps: int = 50,
                           tol: float = 1e-6) -> Run:
    """Pure Newton steps ``θ - H(θ)⁻¹∇f(θ)`` (no line search) from ``start``, until ``tol`` from (1, 1)."""

    def update(a: float, b: float) -> tuple[float, float]:
        step = np.linalg.solve(rosenbrock_hessian((a, b)), rosenbrock_gradient((a, b)))
        return a - float(step[0]), b - float(step[1])

    return _run(update, start, max_steps, tol)


def rosenbrock_gd_path(start: tuple[float, float], lr: float, max_steps: int = 100_000,
                       tol: float = 1e-6) -> Run:
    """Gradient-descent steps ``θ - lr ∇f(θ)`` from ``start``, until ``tol`` from (1, 1)."""
    lr = positive_finite("lr", lr)

    def update(a: float, b: float) -> tuple[float, float]:  # rosenbrock_gradient, in plain floats
        valley = b - a * a
        return a - lr * (-2 * (1 - a) - 400 * a * valley), b - lr * 200 * valley

    return _run(update, start, max_steps, tol)
