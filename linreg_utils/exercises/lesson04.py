"""Checks for lesson 04 (momentum): the best β from κ, the roots of the
momentum recurrence, beating Polyak's (η, β) from a given start, and momentum by hand."""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable

import torch

from ..data import START, make_regression, seed_data
from ..runs import optimize, settles_within
from ..theory import (
    REACH_TOL,
    condition_number,
    damping_band,
    hessian_eigenvalues,
    line_loss,
    loss_gap,
    momentum_parameters,
    stability_edge,
)
from ..theory import momentum_roots as true_roots
from . import as_number, call_answer, fail, passed

# ----------------------------------------------------------------------------- 4.1 best β


def check_best_beta(answer: object) -> None:
    """Exercise 4.1: ``β* = ((√κ − 1)/(√κ + 1))²`` for the seed's κ, to 3 decimals."""
    beta = as_number("4.1", answer, "best_beta")
    kappa = condition_number(seed_data()[0])
    truth = momentum_parameters(seed_data()[0])[1]
    if abs(beta - truth) <= 1e-3:
        passed("4.1", f"β* = {truth:.4f} for κ = {kappa:.1f}; the rate it buys is "
                      f"√β* = {math.sqrt(truth):.4f}")
        return
    root = math.sqrt(kappa)
    mistakes = {
        (root - 1) / (root + 1): "that is the rate ρ = (√κ−1)/(√κ+1); β* is its square",
        ((kappa - 1) / (kappa + 1)) ** 2: "you used κ where the formula has √κ",
        (kappa - 1) / (kappa + 1): "that is plain GD's best rate (κ−1)/(κ+1); β* uses √κ, and is squared",
        0.9: "0.9 is the popular default, not the best β for this κ: compute ((√κ−1)/(√κ+1))²",
    }
    for value, hint in mistakes.items():
        if abs(beta - value) <= 1e-3:
            fail("4.1", hint)
    fail("4.1", f"β* = ((√κ−1)/(√κ+1))² with κ = {kappa:.1f}: it lies in (0, 1), and closer to 1 "
                "for larger κ")


# ----------------------------------------------------------------------------- 4.2 the roots

_ROOT_MISTAKES: dict[str, Callable[[float, float], tuple[complex, complex]]] = {
    "the sign of ηλ is flipped: the coefficient is 1 + β − ηλ (the gradient step pulls back)":
        lambda e, b: true_roots(-e, b),
    "the constant term is +β (from −β c_{k−1} moved to the left): μ² − (1 + β − ηλ) μ + β":
        lambda e, b: tuple((1 + b - e) / 2 + s * cmath.sqrt((1 + b - e) ** 2 + 4 * b) / 2 for s in (1, -1)),
    "the middle coefficient is 1 + β − ηλ: you left out β (that is plain GD's 1 − ηλ, plus a β)":
        lambda e, b: tuple((1 - e) / 2 + s * cmath.sqrt((1 - e) ** 2 - 4 * b) / 2 for s in (1, -1)),
}

_ROOT_POINTS = [(0.01, 0.5), (0.5, 0.8), (1.0, 0.0), (3.0, 0.9), (0.2, 0.99), (2.5, 0.1)]


def _same_roots(mine: object, ref: tuple[complex, complex]) -> bool:
    try:
        got = sorted((complex(v) for v in mine), key=lambda z: (round(z.real, 9), z.imag))
    except (TypeError, ValueError):
        return False
    want = sorted(ref, key=lambda z: (round(z.real, 9), z.imag))
    close = [abs(g - w) <= 1e-8 * max(1.0, abs(w)) for g, w in zip(got, want, strict=False)]
    return len(got) == 2 and all(close)


def check_momentum_roots(momentum_roots: Callable[[float, float], object]) -> None:
    """Exercise 4.2: ``momentum_roots(eta_lam, beta) -> (μ1, μ2)`` (complex allowed)."""
    answers = [call_answer("4.2", momentum_roots, e, b) for e, b in _ROOT_POINTS]
    if all(_same_roots(a, true_roots(*p)) for a, p in zip(answers, _ROOT_POINTS, strict=True)):
        top = max(abs(m) for m in true_roots(0.5, 1.0))
        passed("4.2", f"your roots match at {len(_ROOT_POINTS)} points; at β = 1 their product is "
                      f"β = 1, so max |μ| ≥ 1 (e.g. ηλ = 0.5: {top:.4f}): no step size converges")
        return
    if not all(isinstance(a, (tuple, list)) and len(a) == 2 for a in answers):
        fail("4.2", "return the two roots as a tuple (μ1, μ2); use cmath.sqrt so complex roots work")
    for hint, wrong in _ROOT_MISTAKES.items():
        if all(_same_roots(a, wrong(e, b)) for a, (e, b) in zip(answers, _ROOT_POINTS, strict=True)):
            fail("4.2", hint)
    fail("4.2", "check the quadratic μ² − (1 + β − ηλ) μ + β = 0 and the formula "
                "(a ± √(a² − 4β)) / 2 with a = 1 + β − ηλ; use cmath.sqrt, the discriminant can be negative")


# ----------------------------------------------------------------------------- 4.3 beat Polyak

BEAT_STEPS = 300
"""Exercise 4.3 runs ``torch.optim.SGD(momentum=β)`` this many steps from ``START``."""


def steps_to_settle(lr: float, beta: float, steps: int = BEAT_STEPS, tol: float = REACH_TOL) -> int | None:
    """Steps until ``SGD(lr, momentum=beta)`` from ``START`` stays within ``tol`` of L* (a real torch run)."""
    x, y = seed_data()
    run = optimize(lambda p: torch.optim.SGD(p, lr=lr, momentum=beta), line_loss(x, y),
                   torch.tensor(START, dtype=torch.float64), steps)
    return None if run.diverged else settles_within(loss_gap(x, y)(run.weights, run.biases), tol)


def check_beat_polyak(lr: object, beta: object) -> None:
    """Exercise 4.3: ``(lr, beta)`` that settle within 1e-6 in fewer steps than Polyak's from ``START``."""
    lr, beta = as_number("4.3", lr, "my_lr"), as_number("4.3", beta, "my_beta")
    x = seed_data()[0]
    eta_star, beta_star, _ = momentum_parameters(x)
    target = steps_to_settle(eta_star, beta_star)
    if not (lr > 0 and 0 <= beta < 1):
        fail("4.3", f"need lr > 0 and 0 ≤ β < 1, got lr = {lr}, β = {beta}")
    lam_min, lam_max = hessian_eigenvalues(x)
    mine = steps_to_settle(lr, beta)
    if mine is not None and mine < target:
        passed("4.3", f"η = {lr:.4g}, β = {beta:.3g} settle within 1e-6 in {mine} steps, "
                      f"Polyak's (η*, β*) in {target}: torch.optim.SGD agrees")
        return
    edge, (band_low, _) = stability_edge(beta), damping_band(beta)
    if lr * lam_max >= edge:
        fail("4.3", f"ηλmax = {lr * lam_max:.2f} ≥ 2 + 2β = {edge:.2f}: the steep direction "
                    "diverges. Lower η or raise β")
    if lr * lam_min < band_low:
        fail("4.3", f"the slow direction is overdamped (ηλmin = {lr * lam_min:.4f} < (1 − √β)² = "
                    f"{band_low:.4f}): its rate is worse than √β. Raise η or β")
    if math.sqrt(beta) > 0.93:
        fail("4.3", f"β = {beta:.3g} oscillates too long: inside the band every direction shrinks by "
                    f"√β = {math.sqrt(beta):.3f} per step. Try β a little above β* = {beta_star:.3f}")
    fail("4.3", f"{'not settled' if mine is None else f'{mine} steps'}, not fewer than Polyak's {target}. "
                "At (η*, β*) both directions sit exactly on the critical-damping curves, where the error "
                "decays like k·ρ^k; move both points just inside the band (a slightly smaller η, a "
                "slightly larger β) and the factor k disappears")


# ----------------------------------------------------------------------------- 4.4 momentum

_MOMENTUM_MISTAKES: dict[str, Callable[..., tuple[torch.Tensor, torch.Tensor]]] = {
    "you never used the velocity: that is plain gradient descent. Add β·v to the gradient, "
    "then step along v":
        lambda t, g, v, lr, b: (t - lr * g, b * v + g),
    "you averaged (v ← β v + (1 − β) g): that is an exponential moving average with "
    "dampening; PyTorch's SGD adds the whole gradient, v ← β v + g":
        lambda t, g, v, lr, b: (t - lr * (b * v + (1 - b) * g), b * v + (1 - b) * g),
    "you stepped with the old velocity: update v ← β v + g first, then θ ← θ − η v":
        lambda t, g, v, lr, b: (t - lr * v, b * v + g),
    "the sign is wrong: your step went uphill (θ ← θ + η v); subtract η v":
        lambda t, g, v, lr, b: (t + lr * (b * v + g), b * v + g),
    "that is Nesterov's form (θ ← θ − η (g + β v)); this exercise wants plain momentum, θ ← θ − η v":
        lambda t, g, v, lr, b: (t - lr * (g + b * (b * v + g)), b * v + g),
}


def _momentum_path(step: Callable[..., object], x: torch.Tensor, y: torch.Tensor,
                   lr: float, beta: float, steps: int) -> list[torch.Tensor]:
    theta, path = torch.tensor([0.5, -0.5], dtype=torch.float64), []
    velocity = torch.zeros(2, dtype=torch.float64)
    for _ in range(steps):
        r = theta[0] * x + theta[1] - y
        grad = torch.stack([2 * (r * x).mean(), 2 * r.mean()])
        out = call_answer("4.4", step, theta.clone(), grad.clone(), velocity.clone(), lr, beta)
        if not (isinstance(out, tuple) and len(out) == 2 and all(isinstance(t, torch.Tensor) for t in out)):
            fail("4.4", f"return a tuple of two tensors (new theta, new velocity), got {type(out).__name__}")
        theta, velocity = out
        if theta.shape != (2,) or velocity.shape != (2,):
            fail("4.4", f"theta and velocity must keep shape (2,), got {tuple(theta.shape)} "
                        f"and {tuple(velocity.shape)}")
        path.append(theta.detach().to(torch.float64))
    return path


def check_momentum_step(momentum_step: Callable[..., object]) -> None:
    """Exercise 4.4: ``momentum_step(theta, grad, velocity, lr, beta) -> (theta, velocity)``,
    compared step by step with ``torch.optim.SGD(momentum=beta)``."""
    x, y = (t[:, 0].double() for t in make_regression(n=20, seed=31, x_range=(0.0, 3.0)))
    lr, beta, steps = 0.05, 0.8, 8
    mine = _momentum_path(momentum_step, x, y, lr, beta, steps)
    ref = torch.from_numpy(optimize(lambda p: torch.optim.SGD(p, lr=lr, momentum=beta), line_loss(x, y),
                                    torch.tensor([0.5, -0.5], dtype=torch.float64), steps).path[1:])
    if all(torch.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(mine, ref, strict=True)):
        passed("4.4", f"{steps} momentum steps match torch.optim.SGD(momentum={beta}) exactly")
        return
    for hint, wrong in _MOMENTUM_MISTAKES.items():
        path = _momentum_path(wrong, x, y, lr, beta, steps)
        if all(torch.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(mine, path, strict=True)):
            fail("4.4", hint)
    first = next(i for i, (a, b) in enumerate(zip(mine, ref, strict=True)) if not torch.allclose(a, b))
    fail("4.4", f"your θ differs from v ← β v + g, θ ← θ − η v from step {first + 1} on; "
                "check both lines of the update")
