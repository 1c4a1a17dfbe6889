"""Checks for lesson 04 (momentum): the best β from κ, the roots of the
momentum recurrence, beating Polyak's (η, β) from a given start, and momentum by hand."""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable

import numpy as np
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
from .framework import ExerciseFailed, as_number, call_answer, checker, fail, passed

# ----------------------------------------------------------------------------- 4.1 best β


@checker("4.1", value="best_beta", hints=(
    "The best worst-case momentum depends on the condition number κ alone, printed above (379.0).",
    "With the best (η, β) every direction shrinks at the same rate, √β per step; the lesson gives that "
    "rate in terms of √κ.",
    "Find the rate from √κ, then β from the rate (β is the rate squared), and round to three decimals.",
))
def check_best_beta(best_beta: object) -> None:
    """Exercise 4.1: ``β* = ((√κ − 1)/(√κ + 1))²`` for the seed's κ, to 3 decimals."""
    ex = "4.1"
    beta = as_number(ex, best_beta, "best_beta")
    kappa = condition_number(seed_data()[0])
    truth = momentum_parameters(seed_data()[0])[1]
    if abs(beta - truth) <= 1e-3:
        return passed(ex, f"β* = {truth:.4f} for κ = {kappa:.1f}; the rate it buys is √β* = "
                      f"{math.sqrt(truth):.4f}")
    root = math.sqrt(kappa)
    mistakes = [
        ((root - 1) / (root + 1), "that is the rate, not β", "β is the square of the rate it buys."),
        (((kappa - 1) / (kappa + 1)) ** 2, "you used κ where the lesson has √κ",
         "Take the square root first."),
        ((kappa - 1) / (kappa + 1), "that is plain GD's best rate",
         "Momentum's rate uses √κ, and β is that rate squared."),
        (0.9, "0.9 is the popular default, not the best β here", "Compute it from this κ."),
    ]
    for value, diagnosis, advice in mistakes:
        if abs(beta - value) <= 1e-3:
            fail(ex, diagnosis, advice)
    fail(ex, "not the best β for this κ", "It lies in (0, 1), and closer to 1 for larger κ.")


# ----------------------------------------------------------------------------- 4.2 the roots

_ROOT_MISTAKES: list[tuple[str, str, Callable[[float, float], tuple[complex, complex]]]] = [
    ("the sign of ηλ is flipped",
     "Read the middle coefficient of the text's quadratic again: the gradient step pulls back.",
     lambda e, b: true_roots(-e, b)),
    ("the constant term has the wrong sign",
     "The text's quadratic ends in + β: check how it enters under your square root.",
     lambda e, b: tuple((1 + b - e) / 2 + s * cmath.sqrt((1 + b - e) ** 2 + 4 * b) / 2 for s in (1, -1))),
    ("your middle coefficient misses β",
     "Compare your coefficient of μ with the text's quadratic, term by term.",
     lambda e, b: tuple((1 - e) / 2 + s * cmath.sqrt((1 - e) ** 2 - 4 * b) / 2 for s in (1, -1))),
    ("you kept only the real parts",
     "Where the roots are complex, their imaginary parts matter: they make |μ| larger. Return complex "
     "numbers.",
     lambda e, b: tuple(complex(m.real) for m in true_roots(e, b))),
]

_ROOT_POINTS = [(0.01, 0.5), (0.5, 0.8), (1.0, 0.0), (3.0, 0.9), (0.2, 0.99), (2.5, 0.1)]
"""Exercise 4.2's fixed points (ηλ, β); the check adds random ones."""


def _root_points(count: int = 6, seed: int = 42) -> list[tuple[float, float]]:
    """The fixed points and ``count`` random ones (ηλ in (0, 4), β in [0, 1))."""
    rng = np.random.default_rng(seed)
    random = zip(rng.uniform(0, 4, count), rng.uniform(0, 1, count), strict=True)
    return _ROOT_POINTS + [(float(e), float(b)) for e, b in random]


def _same_roots(mine: object, ref: tuple[complex, complex]) -> bool:
    try:
        got = sorted((complex(v) for v in mine), key=lambda z: (round(z.real, 9), z.imag))
    except (TypeError, ValueError):
        return False
    want = sorted(ref, key=lambda z: (round(z.real, 9), z.imag))
    close = [abs(g - w) <= 1e-8 * max(1.0, abs(w)) for g, w in zip(got, want, strict=False)]
    return len(got) == 2 and all(close)


@checker("4.2", function="momentum_roots", hints=(
    "The roots of μ² + pμ + q = 0 come from the quadratic formula; read p and q off the quadratic in the "
    "text.",
    "The number under the square root is negative for many (ηλ, β): math.sqrt then fails, while cmath.sqrt "
    "returns a complex number, and the two roots are complex conjugates.",
    "Name the middle coefficient a (a variable), take the square root of the discriminant once with "
    "cmath.sqrt, and return the plus and the minus root as a tuple.",
))
def check_momentum_roots(momentum_roots: Callable[[float, float], object]) -> None:
    """Exercise 4.2: ``momentum_roots(eta_lam, beta) -> (μ1, μ2)`` (complex allowed), at fixed and
    random points."""
    ex = "4.2"
    points = _root_points()
    try:
        answers = [call_answer(ex, momentum_roots, e, b) for e, b in points]
    except ExerciseFailed as exc:
        if isinstance(exc.error, ValueError) and "math domain error" in str(exc.error):
            fail(ex, "math.sqrt cannot take a negative number",
                 "The discriminant is negative where the roots are complex (often, here): use cmath.sqrt, "
                 "which returns a complex square root.")
        raise
    if all(_same_roots(a, true_roots(*p)) for a, p in zip(answers, points, strict=True)):
        top = max(abs(m) for m in true_roots(0.5, 1.0))
        return passed(ex, f"your roots match at {len(points)} points; at β = 1 their product is β = 1, so "
                      f"max |μ| ≥ 1 (e.g. ηλ = 0.5: {top:.4f}): no step size converges")
    if not all(isinstance(a, tuple | list) and len(a) == 2 for a in answers):
        fail(ex, "return the two roots as a pair (μ1, μ2)",
             f"Your function returned {type(answers[0]).__name__}; complex numbers are fine.")
    for diagnosis, advice, wrong in _ROOT_MISTAKES:
        if all(_same_roots(a, wrong(e, b)) for a, (e, b) in zip(answers, points, strict=True)):
            fail(ex, diagnosis, advice)
    bad = next(p for a, p in zip(answers, points, strict=True) if not _same_roots(a, true_roots(*p)))
    fail(ex, f"wrong roots at ηλ = {bad[0]:.3g}, β = {bad[1]:.3g}",
         "Put your μ1 and μ2 back into the text's quadratic: both should give 0 up to rounding. Check the "
         "± and the division by 2.")


# ----------------------------------------------------------------------------- 4.3 beat Polyak

BEAT_STEPS = 300
"""Exercise 4.3 runs ``torch.optim.SGD(momentum=β)`` this many steps from ``START``."""


def steps_to_settle(lr: float, beta: float, steps: int = BEAT_STEPS, tol: float = REACH_TOL) -> int | None:
    """Steps until ``SGD(lr, momentum=beta)`` from ``START`` stays within ``tol`` of L* (a real torch run)."""
    x, y = seed_data()
    run = optimize(lambda p: torch.optim.SGD(p, lr=lr, momentum=beta), line_loss(x, y),
                   torch.tensor(START, dtype=torch.float64), steps)
    return None if run.diverged else settles_within(loss_gap(x, y)(run.weights, run.biases), tol)


def _slider_stop(lr: float, beta: float) -> tuple[float, float]:
    """The momentum widget's slider stops nearest ``(lr, beta)``: η on a 0.01 grid in log10, β on 0.01."""
    return 10.0 ** (round(math.log10(lr) * 100) / 100), round(beta, 2)


@checker("4.3", value=("my_lr", "my_beta"), hints=(
    "Set the widget to Polyak's (η*, β*) and look at where the two dots sit on the stability map, "
    "relative to the band where a direction oscillates.",
    "On the edge of that band a direction is critically damped: its error decays like k·ρ^k, and the "
    "factor k costs steps. Inside the band every direction shrinks by √β per step, with no factor k.",
    "Move both dots just inside the band while keeping √β small: change η and β a little, one at a time, "
    "and read the settle step in the readout before you store the pair.",
))
def check_beat_polyak(my_lr: object, my_beta: object) -> None:
    """Exercise 4.3: ``(my_lr, my_beta)`` whose loss settles within 1e-6 from ``START`` earlier than
    with Polyak's (η*, β*) (real ``torch.optim.SGD`` runs)."""
    ex = "4.3"
    lr, beta = as_number(ex, my_lr, "my_lr"), as_number(ex, my_beta, "my_beta")
    x = seed_data()[0]
    eta_star, beta_star, _ = momentum_parameters(x)
    target = steps_to_settle(eta_star, beta_star)
    if not (lr > 0 and 0 <= beta < 1):
        fail(ex, "need η > 0 and 0 ≤ β < 1", f"You gave my_lr = {lr:g}, my_beta = {beta:g}.")
    lam_min, lam_max = hessian_eigenvalues(x)
    mine = steps_to_settle(lr, beta)
    if mine is not None and mine < target:
        stop = _slider_stop(lr, beta)
        note = ""
        if not (math.isclose(stop[0], lr, rel_tol=1e-9) and math.isclose(stop[1], beta, rel_tol=1e-9)):
            at = steps_to_settle(*stop)
            note = (f"; the widget's nearest stop, η = {stop[0]:.5f}, β = {stop[1]:.2f}, settles "
                    + (f"from step {at}" if at is not None else "not at all"))
        return passed(ex, f"with η = {lr:.4g}, β = {beta:.3g} the loss stays within L* + 1e-6 from step "
                      f"{mine} on, with Polyak's (η*, β*) from step {target}, both measured with "
                      f"torch.optim.SGD{note}")
    edge, (band_low, _) = stability_edge(beta), damping_band(beta)
    if lr * lam_max >= edge:
        fail(ex, "the steep direction diverges",
             f"ηλmax = {lr * lam_max:.2f} is at least 2 + 2β = {edge:.2f}: lower η or raise β.")
    if lr * lam_min < band_low:
        fail(ex, "the slow direction is overdamped",
             f"ηλmin = {lr * lam_min:.4f} lies below the band's lower edge (1 − √β)² = {band_low:.4f}, so "
             "its rate is worse than √β: raise η or β.")
    if math.sqrt(beta) > 0.93:
        fail(ex, f"β = {beta:.3g} oscillates too long",
             f"Inside the band every direction shrinks by √β = {math.sqrt(beta):.3f} per step: a smaller β "
             "shrinks faster, as long as both dots stay inside the band.")
    fail(ex, f"{'not settled' if mine is None else f'settled from step {mine}'}, not before step {target}",
         "At (η*, β*) both dots sit on the edges of the band, where the error decays like k·ρ^k: what "
         "changes just inside the band?")


# ----------------------------------------------------------------------------- 4.4 momentum

_MOMENTUM_MISTAKES: list[tuple[str, str, Callable[..., tuple[torch.Tensor, torch.Tensor]]]] = [
    ("you never used the velocity", "That is plain gradient descent: the step must go along v.",
     lambda t, g, v, lr, b: (t - lr * g, b * v + g)),
    ("you averaged the gradient into v",
     "v ← β v + (1 − β) g is an exponential moving average (dampening); PyTorch's SGD adds the whole "
     "gradient.",
     lambda t, g, v, lr, b: (t - lr * (b * v + (1 - b) * g), b * v + (1 - b) * g)),
    ("you stepped with the old velocity", "Update v first, then step along the new v.",
     lambda t, g, v, lr, b: (t - lr * v, b * v + g)),
    ("the sign is wrong: your step went uphill", "Subtract η v from θ.",
     lambda t, g, v, lr, b: (t + lr * (b * v + g), b * v + g)),
    ("that is Nesterov's form", "This exercise wants plain momentum: step along v itself.",
     lambda t, g, v, lr, b: (t - lr * (g + b * (b * v + g)), b * v + g)),
]


def _momentum_path(step: Callable[..., object], x: torch.Tensor, y: torch.Tensor,
                   lr: float, beta: float, steps: int) -> list[torch.Tensor]:
    theta, path = torch.tensor([0.5, -0.5], dtype=torch.float64), []
    velocity = torch.zeros(2, dtype=torch.float64)
    for _ in range(steps):
        r = theta[0] * x + theta[1] - y
        grad = torch.stack([2 * (r * x).mean(), 2 * r.mean()])
        out = call_answer("4.4", step, theta.clone(), grad.clone(), velocity.clone(), lr, beta)
        if not (isinstance(out, tuple) and len(out) == 2 and all(isinstance(t, torch.Tensor) for t in out)):
            fail("4.4", "return a tuple of two tensors",
                 f"(new theta, new velocity); got {type(out).__name__}.")
        theta, velocity = out
        if theta.shape != (2,) or velocity.shape != (2,):
            fail("4.4", "theta and velocity must keep shape (2,)",
                 f"Got {tuple(theta.shape)} and {tuple(velocity.shape)}.")
        path.append(theta.detach().to(torch.float64))
    return path


@checker("4.4", function="momentum_step", hints=(
    "The text gives the two lines of the update; the order in which you apply them matters.",
    "The new velocity comes first, from the old velocity and the gradient; the step then uses the new one.",
    "Build new tensors (no += or in-place methods on the inputs) and return them as a tuple "
    "(theta, velocity).",
))
def check_momentum_step(momentum_step: Callable[..., object]) -> None:
    """Exercise 4.4: ``momentum_step(theta, grad, velocity, lr, beta) -> (theta, velocity)``,
    compared step by step with ``torch.optim.SGD(momentum=beta)``."""
    x, y = (t[:, 0].double() for t in make_regression(n=20, seed=31, x_range=(0.0, 3.0)))
    lr, beta, steps = 0.05, 0.8, 8
    mine = _momentum_path(momentum_step, x, y, lr, beta, steps)
    ref = torch.from_numpy(optimize(lambda p: torch.optim.SGD(p, lr=lr, momentum=beta), line_loss(x, y),
                                    torch.tensor([0.5, -0.5], dtype=torch.float64), steps).path[1:])
    if all(torch.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(mine, ref, strict=True)):
        return passed("4.4", f"{steps} momentum steps match torch.optim.SGD(momentum={beta}) exactly")
    for diagnosis, advice, wrong in _MOMENTUM_MISTAKES:
        path = _momentum_path(wrong, x, y, lr, beta, steps)
        if all(torch.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(mine, path, strict=True)):
            fail("4.4", diagnosis, advice)
    first = next(i for i, (a, b) in enumerate(zip(mine, ref, strict=True)) if not torch.allclose(a, b))
    fail("4.4", f"your θ differs from torch's from step {first + 1} on", "Check both lines of the update.")
