"""Checks for lesson 04 (momentum): Polyak's β derived for κ = 25, the roots of the momentum
recurrence, beating Polyak's (η, β) from a given start, the edge for β = 0.5 predicted and run,
and the seed's damping regimes predicted from the discriminant."""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable

import numpy as np
import torch

from ..data import START, seed_data
from ..runs import optimize, settles_within
from ..spectrum import spectrum_problem, spectrum_run, steps_to_shrink_each
from ..theory import (
    REACH_TOL,
    condition_number,
    damping_band,
    eigenbasis,
    hessian_eigenvalues,
    largest_stable_lr,
    line_loss,
    loss_gap,
    momentum_parameters,
    polyak_parameters,
    stability_edge,
)
from ..theory import momentum_roots as true_roots
from .framework import ExerciseFailed, as_number, call_answer, checker, fail, passed

# ----------------------------------------------------------------------------- 4.1 best β

KAPPA_41 = 25.0
"""Exercise 4.1: the condition number whose best β the learner derives (a spectrum from 1 to 25)."""


def polyak_check_run(beta: float, kappa: float = KAPPA_41, steps: int = 200) -> np.ndarray:
    """Per eigen-direction of a 10-feature least-squares problem with eigenvalues from 1 to ``kappa``, the
    steps until its error has shrunk 10⁶× for good under ``torch.optim.SGD`` at Polyak's η and momentum
    ``beta``: ``(10,)``, ascending λ, ``inf`` where not within ``steps``."""
    problem = spectrum_problem(np.geomspace(1.0, kappa, 10), seed=4)
    eta = polyak_parameters(1.0, kappa)[0]
    return steps_to_shrink_each(spectrum_run(problem, eta, steps, beta))


@checker("4.1", value="best_beta", hints=(
    "Write the two conditions of the lesson's derivation for this problem: the flattest direction sits on "
    "one critical-damping curve, the steepest on the other.",
    "Divide one condition by the other: η cancels and only κ and √β remain. Take the square root of both "
    "sides before you solve for √β.",
    "Solve for √β first, then square it; keep three decimals.",
))
def check_best_beta(best_beta: object) -> None:
    """Exercise 4.1: Polyak's ``β*`` for ``κ = 25``, to 3 decimals."""
    ex = "4.1"
    beta = as_number(ex, best_beta, "best_beta")
    truth = polyak_parameters(1.0, KAPPA_41)[1]
    if abs(beta - truth) <= 1e-3:
        return passed(ex, f"β* = {truth:.4f} for κ = {KAPPA_41:.0f}; every direction then shrinks by "
                      f"√β* = {math.sqrt(truth):.4f} per step")
    root, seed_kappa = math.sqrt(KAPPA_41), condition_number(seed_data()[0])
    mistakes = [
        (math.sqrt(truth), "that is the rate √β, not β", "You solved for √β: one step is left."),
        (((KAPPA_41 - 1) / (KAPPA_41 + 1)) ** 2, "you used κ where the derivation has √κ",
         "The curves are squares, (1 ± √β)²: take the square root of the ratio first."),
        ((KAPPA_41 - 1) / (KAPPA_41 + 1), "that is plain gradient descent's best rate",
         "Momentum's conditions are the two critical-damping curves."),
        (momentum_parameters(seed_data()[0])[1], f"that is the best β for the seed's κ = {seed_kappa:.0f}",
         f"This exercise asks for κ = {KAPPA_41:.0f}."),
        ((root - 1) / root, "check the ratio of the two conditions",
         "Dividing the upper curve by the lower one gives κ on one side, a ratio of squares on the other."),
        (0.9, "0.9 is the popular default, not the best β here", "Derive it from this κ."),
    ]
    for value, diagnosis, advice in mistakes:
        if abs(beta - value) <= 1e-3:
            fail(ex, diagnosis, advice)
    if abs(beta - truth) <= 0.02:
        fail(ex, "close, but not to three decimals",
             "Keep the exact fraction until the last step, then round to three decimals.")
    fail(ex, f"not the best β for κ = {KAPPA_41:.0f}", "It lies in (0, 1); solve the two conditions again.")


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
    if math.isclose(lr, eta_star, rel_tol=5e-3) and math.isclose(beta, beta_star, rel_tol=5e-3):
        fail(ex, "that is Polyak's own (η*, β*)" + ("" if mine == target else ", rounded"),
             f"Yours settles {f'from step {mine}' if mine is not None else 'not at all'}, Polyak's exact "
             f"pair from step {target}: both dots sit on the band's edges (rounding can push one out), where "
             "the error decays like k·ρ^k. Where else could they sit?")
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


# ----------------------------------------------------------------------------- 4.4 the edge for β = 0.5

EDGE_BETA_44 = 0.5
"""Exercise 4.4: the momentum whose largest stable learning rate on the seed is predicted."""
EDGE_STEPS_44 = 300
"""Exercise 4.4 runs torch this many steps at 0.99 and 1.01 times the predicted learning rate."""


def edge_check_run(lr: float, beta: float = EDGE_BETA_44, steps: int = EDGE_STEPS_44,
                   dampening: float = 0.0) -> tuple[bool, float, int]:
    """``torch.optim.SGD(lr, momentum=beta, dampening=dampening)`` from ``START`` on the seed:
    ``(diverged, gap at the end or at the step it stopped, steps run)``. Exercises 4.4 and 5.1 check
    a learner's edge with it, just below and just above."""
    x, y = seed_data()
    run = optimize(lambda p: torch.optim.SGD(p, lr=lr, momentum=beta, dampening=dampening), line_loss(x, y),
                   torch.tensor(START, dtype=torch.float64), steps)
    gaps = loss_gap(x, y)(run.weights, run.biases)
    return run.diverged, float(gaps[-1]), run.steps


@checker("4.4", value="edge_lr", hints=(
    "Which of the seed's two directions leaves the stable region first as η grows?",
    "The lesson derived the edge from a root reaching −1: it bounds η·λ. Use this exercise's β.",
    "Divide the bound on η·λ by that direction's eigenvalue, `lam_max` (set in the first code cell), and "
    "keep three significant figures.",
))
def check_edge_lr(edge_lr: object) -> None:
    """Exercise 4.4: the largest stable lr of ``SGD(momentum=0.5)`` on the seed, ``(2 + 2β)/λmax``."""
    ex = "4.4"
    lr = as_number(ex, edge_lr, "edge_lr")
    lam_min, lam_max = hessian_eigenvalues(seed_data()[0])
    beta, edge = EDGE_BETA_44, float(stability_edge(EDGE_BETA_44))
    truth = largest_stable_lr(lam_max, beta)
    if math.isclose(lr, truth, rel_tol=2e-3):
        below, above = edge_check_run(0.99 * lr), edge_check_run(1.01 * lr)
        if below[0] or not above[0]:  # the truth is measured, not assumed
            raise RuntimeError(f"torch does not confirm the edge {truth}: {below}, {above}")
        return passed(ex, f"torch agrees: at 0.99 × {lr:.4g} the gap is {below[1]:.0e} after {below[2]} "
                      f"steps, at 1.01 × the run diverged at step {above[2]} "
                      f"(ηλmax < {edge:.0f} for β = {beta})")
    mistakes = [
        (largest_stable_lr(lam_max), "that is plain gradient descent's edge",
         "Momentum moves the edge: use the edge the lesson derived for β > 0."),
        (damping_band(beta)[1] / lam_max, "that is where the steep direction stops oscillating",
         "Past the upper critical-damping curve a direction flips sign every step but can still converge: "
         "the edge is where a root reaches −1."),
        (edge / lam_min, "that uses the flattest curvature",
         "The steepest direction is the one that diverges first."),
        (edge, "that bounds η·λmax, not η", "Divide by the steepest curvature."),
        (largest_stable_lr(lam_max * (1 - beta)), "you divided plain GD's edge by 1 − β",
         "That is the edge of an averaged buffer (lesson 05); torch's SGD sums gradients: use 2 + 2β."),
        (largest_stable_lr(lam_max, 0.9), "that is the edge for β = 0.9, not β = 0.5",
         "Redo it with this exercise's β."),
    ]
    for value, diagnosis, advice in mistakes:
        if math.isclose(lr, value, rel_tol=2e-3):
            fail(ex, diagnosis, advice)
    if math.isclose(lr, truth, rel_tol=0.05):
        fail(ex, "close, but not to three significant figures",
             "Keep every digit of lam_max until the end, then round to three significant figures.")
    fail(ex, "not the edge torch measures", "Start from the condition that a root of the recurrence is −1.")


# ----------------------------------------------------------------------------- 4.5 damping regimes

REGIME_LR, REGIME_BETA = 0.02, 0.5
"""Exercise 4.5: the (η, β) at which the seed's two directions' regimes are predicted."""
REGIMES = ("overdamped", "critically damped", "underdamped")


def regime(eta_lam: float, beta: float) -> str:
    """The damping regime of one direction: the sign of the discriminant ``(1 + β − ηλ)² − 4β``
    (zero: critically damped), read off :func:`damping_band`'s ends."""
    low, high = damping_band(beta)
    if math.isclose(eta_lam, low, rel_tol=1e-9) or math.isclose(eta_lam, high, rel_tol=1e-9):
        return "critically damped"
    return "underdamped" if low < eta_lam < high else "overdamped"


def sign_changes(lr: float = REGIME_LR, beta: float = REGIME_BETA, steps: int = 60) -> tuple[int, int]:
    """Sign changes of each seed direction's error ``Qᵀ(θ_k − θ*)`` (slow, steep) over ``steps`` steps of
    ``torch.optim.SGD(lr, momentum=beta)`` from ``START``, stopped before rounding level."""
    x, y = seed_data()
    basis = eigenbasis(x, y, *START)
    run = optimize(lambda p: torch.optim.SGD(p, lr=lr, momentum=beta), line_loss(x, y),
                   torch.tensor(START, dtype=torch.float64), steps)
    c = (run.path - np.array(basis.optimum)) @ basis.q  # (steps + 1, 2)
    visible = np.abs(c) > 1e-9 * np.abs(c[:1])
    flips = (np.sign(c[1:]) != np.sign(c[:-1])) & visible[1:] & visible[:-1]
    return int(flips[:, 0].sum()), int(flips[:, 1].sum())


@checker("4.5", value="regimes", hints=(
    "For each direction, compute ηλ with η = 0.02 and the seed's eigenvalue, then the sign of the "
    "recurrence's discriminant at β = 0.5.",
    "A negative discriminant means complex roots, a positive one two real roots; the lesson names the "
    "regime that goes with each.",
    "Write the answer as a pair of words from the three regime names: the slow direction first.",
))
def check_regimes(regimes: object) -> None:
    """Exercise 4.5: the regimes ``(slow, steep)`` of the seed's directions at η = 0.02, β = 0.5."""
    ex = "4.5"
    if not (isinstance(regimes, tuple | list) and len(regimes) == 2
            and all(isinstance(r, str) for r in regimes)):
        fail(ex, "write a pair of two words",
             f"For example ({REGIMES[0]!r}, {REGIMES[0]!r}), slow direction first.")
    names = {"".join(n.split()): n for n in REGIMES}  # "under-damped", "Critically_damped" are fine
    keys = ["".join(r.lower().replace("-", " ").replace("_", " ").split()) for r in regimes]
    unknown = [r for r, key in zip(regimes, keys, strict=True) if key not in names]
    if unknown:
        fail(ex, f"{unknown[0]!r} is not one of the three regime names", f"Use {', '.join(REGIMES)}.")
    mine = tuple(names[key] for key in keys)
    lam = hessian_eigenvalues(seed_data()[0])
    truth = tuple(regime(REGIME_LR * lam_i, REGIME_BETA) for lam_i in lam)
    if mine == truth:
        slow, steep = sign_changes()
        return passed(ex, f"in 60 torch steps the slow direction's error changed sign {slow} times, the "
                      f"steep one's {steep} times")
    if mine == truth[::-1]:
        fail(ex, "you swapped the two directions", "The slow direction (λmin) comes first.")
    if mine[0] == "underdamped":
        fail(ex, "the slow direction does not oscillate here",
             "Momentum does not make every direction oscillate: compute the sign of the discriminant "
             "with this direction's ηλ.")
    if mine[1] == "overdamped":
        fail(ex, "the steep direction is not overdamped here",
             "Compute its ηλ and compare it with both critical-damping curves, not only the lower one.")
    fail(ex, "a regime is not right", "Critically damped needs the discriminant to be exactly zero.")
