"""Checks for lesson 02's exercises: one GD step, the critical learning rate, steps for a rate.

Each checker runs the student's function on fresh data (not the seed's 15 points), compares
it with the reference, and names the usual mistake when it recognises one.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import torch

from ..data import make_regression
from . import call_answer, fail, passed


def _as_float(exercise: str, value: object, what: str) -> float:
    """``value`` as a Python float (a 0-d or one-element tensor is fine), else a hint."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value.detach().reshape(()).item())
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    fail(exercise, f"{what} should be a number, got {type(value).__name__}")
    raise AssertionError  # unreachable: fail raises


def _close(a: float, b: float, rel: float = 1e-6) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def _reference_step(x: torch.Tensor, y: torch.Tensor, w: float, b: float, lr: float,
                    ) -> tuple[float, float, float, float]:
    """``(w_new, b_new, grad_w, grad_b)`` for one GD step on ``mean((w x + b − y)²)``."""
    r = w * x + b - y
    gw, gb = (2 * (r * x).mean()).item(), (2 * r.mean()).item()
    return w - lr * gw, b - lr * gb, gw, gb


def check_gd_step(gd_step: Callable[..., object]) -> None:
    """Exercise 2.1: ``gd_step(w, b, x, y, lr) -> (w_new, b_new)``, one step of GD on the MSE."""
    ex = "2.1"
    x, y = make_regression(n=20, slope=1.5, intercept=0.5, noise=0.3, seed=21)
    x, y = x.double(), y.double()
    w, b, lr = 0.2, -0.3, 0.01
    out = call_answer(ex, gd_step, w, b, x.clone(), y.clone(), lr)
    if not isinstance(out, tuple | list) or len(out) != 2:
        fail(ex, f"return the pair (w_new, b_new), got {type(out).__name__}")
    w_new, b_new = (_as_float(ex, v, name) for v, name in zip(out, ("w_new", "b_new"), strict=True))
    ref_w, ref_b, gw, gb = _reference_step(x, y, w, b, lr)
    n = len(x)
    mse = lambda wv, bv: ((wv * x + bv - y) ** 2).mean().item()  # noqa: E731
    if _close(w_new, ref_w) and _close(b_new, ref_b):
        passed(ex, f"one step moves (w, b) by -η∇L and the loss drops from {mse(w, b):.4f} "
               f"to {mse(w_new, b_new):.4f}")
        return
    if _close(w_new, w + lr * gw) and _close(b_new, b + lr * gb):
        fail(ex, f"the sign is wrong: your step increased the loss (from {mse(w, b):.4f} to "
             f"{mse(w_new, b_new):.4f}). Step against the gradient: w - lr * grad_w.")
    if _close(w_new, gw) and _close(b_new, gb) or _close(w_new, lr * gw) and _close(b_new, lr * gb):
        fail(ex, "you returned the gradient (or the step), not the new parameters w - lr * grad_w.")
    if _close(w_new, w - lr * n * gw) and _close(b_new, b - lr * n * gb):
        fail(ex, f"you summed instead of averaging over the n = {n} points: your step is n times "
             "too big. The MSE is a mean, so its gradient is too.")
    if _close(w_new, w - lr * gw / 2) and _close(b_new, b - lr * gb / 2):
        fail(ex, "your step is half the right size: the derivative of r² is 2r, keep the factor 2.")
    if _close(w_new, w - lr * gb) and _close(b_new, b - lr * gw):
        fail(ex, "w and b got each other's gradient: ∂L/∂w = 2 mean(r x), ∂L/∂b = 2 mean(r).")
    if _close(w_new, ref_w) != _close(b_new, ref_b):
        which = "b" if _close(w_new, ref_w) else "w"
        fail(ex, f"w or b is right but {which} is not: check {which}'s gradient "
             "(∂L/∂w = 2 mean(r x), ∂L/∂b = 2 mean(r), with r = w x + b - y).")
    fail(ex, f"expected (w, b) = ({ref_w:.6f}, {ref_b:.6f}), got ({w_new:.6f}, {b_new:.6f}). "
         "Compute r = w x + b - y, the gradients 2 mean(r x) and 2 mean(r), then step against them.")


def check_critical_lr(critical_lr_from: Callable[..., object]) -> None:
    """Exercise 2.2: ``critical_lr_from(hessian) -> float``, the largest lr for which GD converges."""
    ex = "2.2"
    x, _ = make_regression(n=30, noise=0.0, seed=22, x_range=(1.0, 6.0))
    a = torch.cat([x.double(), torch.ones_like(x, dtype=torch.float64)], dim=1)
    hessian = 2.0 / len(a) * a.T @ a
    lam_min, lam_max = torch.linalg.eigvalsh(hessian).tolist()
    got = _as_float(ex, call_answer(ex, critical_lr_from, hessian.clone()), "the critical lr")
    right = 2.0 / lam_max
    if _close(got, right):
        passed(ex, f"2/λmax = {right:.5f}: GD on this Hessian converges for 0 < η < {right:.5f}")
        return
    if _close(got, 2.0 / lam_min):
        fail(ex, f"you used λmin instead of λmax: at η = {got:.4f} the steep direction has "
             f"|1 - ηλmax| = {abs(1 - got * lam_max):.1f} > 1 and the loss grows. "
             "torch.linalg.eigvalsh sorts ascending, so λmax is the last one.")
    if _close(got, 1.0 / lam_max):
        fail(ex, "you returned 1/λmax, half the critical lr: GD converges while |1 - ηλ| < 1, "
             "that is up to η = 2/λ.")
    if _close(got, lam_max / 2) or _close(got, lam_max):
        fail(ex, "you returned (a multiple of) λmax itself: the critical lr is 2 divided by λmax.")
    if got > right:
        fail(ex, f"lr above 2/λmax: at η = {got:.4f} the factor |1 - ηλmax| = "
             f"{abs(1 - got * lam_max):.3f} > 1, so the loss grew. Use the largest eigenvalue.")
    diag = [2.0 / hessian[i, i].item() for i in range(2)] + [2.0 / torch.trace(hessian).item()]
    if any(_close(got, d) for d in diag):
        fail(ex, "you used a diagonal entry (or the trace) of H: the rate depends on its "
             "eigenvalues. Use torch.linalg.eigvalsh(hessian).")
    fail(ex, f"expected 2/λmax = {right:.5f}, got {got:.5f}. Compute the eigenvalues with "
         "torch.linalg.eigvalsh and divide 2 by the largest.")


def check_steps_needed(steps_needed: Callable[..., object]) -> None:
    """Exercise 2.3: ``steps_needed(rate, factor) -> int``: fewest k with ``rate**k <= factor``."""
    ex = "2.3"
    cases = [(0.9, 1e-3), (0.99976, 1e-6), (0.5, 0.25), (0.8, 1e-2)]
    for rate, factor in cases:
        got = call_answer(ex, steps_needed, rate, factor)
        right = math.ceil(math.log(factor) / math.log(rate) - 1e-9)
        if isinstance(got, float) and math.isinf(got):
            fail(ex, f"rate {rate} < 1 converges, so the steps are finite; you returned inf.")
        value = _as_float(ex, got, "the number of steps")
        if value == right:
            if not isinstance(got, numbers.Integral) and not float(got).is_integer():
                fail(ex, "return a whole number of steps (int).")
            continue
        if _close(value, math.log(rate) / math.log(factor), 1e-6):
            fail(ex, "the ratio is upside down: rate**k = factor gives k = log(factor) / log(rate).")
        if _close(value, math.log(factor) / math.log(rate), 1e-6):
            fail(ex, f"you returned {value:.2f}: a fractional step does not exist. Round up "
                 "(math.ceil) to the first whole k with rate**k <= factor.")
        if value == right - 1:
            fail(ex, f"one step short: after {int(value)} steps rate**k = {rate ** value:.3e} is "
                 f"still above {factor:g}. Round up (math.ceil), not down.")
        if value < 0:
            fail(ex, "you got a negative count: both logs are negative, their ratio is positive. "
                 "Did you use log(1 - rate) or a minus sign?")
        fail(ex, f"for rate {rate} and factor {factor:g} expected {right:,} steps, got {value:g}.")
    got = call_answer(ex, steps_needed, 1.2, 1e-3)
    if not (isinstance(got, float) and math.isinf(got) and got > 0):
        fail(ex, "a rate ≥ 1 never shrinks the error (GD diverges or stalls): return math.inf "
             f"for it, got {got!r}.")
    passed(ex, "k = ⌈log(factor) / log(rate)⌉, and math.inf when rate ≥ 1")
