"""Checks for lesson 08's exercises: CG's step count, power iteration on HVPs, Newton's uphill slope.

Each checker compares the answer with the truth computed here and, when they differ, with the
usual wrong routes (the dimension instead of what CG needs, the vector instead of the eigenvalue,
‖Hv‖ instead of vᵀHv, one product instead of a loop, the sign of λmin instead of the slope...) to
name the mistake without giving the answer.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..curvature import cg_direction, flat_loss, full_hessian, hvp, mlp, spd_problem
from ..nonconvex import gradient_and_hessian, make_tanh_data, make_wave, two_weight_loss
from .framework import as_number, as_whole_number, call_answer, checker, fail, passed


def _near(got: float, want: float, rel: float = 1e-3) -> bool:
    return math.isclose(got, want, rel_tol=rel, abs_tol=1e-9)


def _tiny_problem() -> tuple[Callable[[torch.Tensor], torch.Tensor], torch.Tensor, torch.Tensor]:
    """``(hv, v0, eigenvalues)``: a 1 → 4 → 1 net (13 parameters) on 16 fresh points, v0 of norm 3."""
    x, y = make_wave(n=16, seed=5)
    loss, theta = flat_loss(mlp(width=4, seed=2), x, y)
    v0 = 3 * torch.nn.functional.normalize(torch.arange(1.0, 14.0, dtype=torch.float64), dim=0)
    return (lambda v: hvp(loss, theta, v)), v0, torch.linalg.eigvalsh(full_hessian(loss, theta))


GREW = ("‖v‖ grew without bound: rescale v each step",
        "Divide v by its length after every product; otherwise it grows like |λ| to the power of the "
        "iterations and overflows.")


def _grew_without_bound(out: object, lam: float) -> bool:
    """Whether ``out`` is an infinite or NaN number, or one over 100 |λ|: v was never rescaled."""
    try:
        if isinstance(out, torch.Tensor) and out.numel() == 1:
            out = out.reshape(()).item()
        value = float(out)
    except (TypeError, ValueError, RuntimeError):
        return False
    return not math.isfinite(value) or abs(value) > 100 * abs(lam)


def _negative_problem() -> tuple[Callable[[torch.Tensor], torch.Tensor], torch.Tensor, float]:
    """``(hv, v0, λ)``: a symmetric 6 × 6 matrix whose eigenvalue of largest magnitude is negative
    (−5; the others in [−1, 2]), as a Hessian at a saddle can be."""
    gen = torch.Generator().manual_seed(8)
    q, _ = torch.linalg.qr(torch.randn(6, 6, generator=gen, dtype=torch.float64))
    h = q @ torch.diag(torch.tensor([-5.0, -1.0, 0.3, 0.8, 1.5, 2.0], dtype=torch.float64)) @ q.T
    return (lambda v: h @ v), torch.ones(6, dtype=torch.float64), -5.0


@checker("8.2", function="dominant_eigenvalue", hints=(
    "Power iteration repeats one move: multiply the current vector by H (hv_fn does that) and rescale the "
    "result to length 1.",
    "Start from v0 scaled to length 1, do the move iters times, and only then read off the eigenvalue.",
    "The eigenvalue is the Rayleigh quotient of the final unit vector: the dot product of v with Hv. It "
    "keeps the sign (the length of Hv does not), and .item() turns it into a float.",
))
def check_power_iteration(dominant_eigenvalue: Callable) -> None:
    """Exercise 8.2: ``dominant_eigenvalue(hv_fn, v0, iters) -> float``, the eigenvalue of largest
    ``|λ|`` by power iteration on ``hv_fn(v) = Hv``: on a network the learner has not seen (where it is
    λmax), and on a matrix whose dominant eigenvalue is negative."""
    ex = "8.2"
    hv, v0, eig = _tiny_problem()
    lam = eig[-1].item()
    if eig[0].abs() >= lam:
        raise RuntimeError("the check's tiny net lost its dominant positive eigenvalue")
    out = call_answer(ex, dominant_eigenvalue, hv, v0.clone(), 300)
    if isinstance(out, torch.Tensor) and out.numel() == len(v0):
        fail(ex, "you returned a vector, not the eigenvalue",
             "That is the eigenvector estimate v: return one number, the Rayleigh quotient of the unit v.")
    if _grew_without_bound(out, lam):
        fail(ex, GREW[0], GREW[1])
    got = as_number(ex, out, "the eigenvalue your function returns")
    if not _near(got, lam, 1e-4):
        first = (v0 @ hv(v0) / (v0 @ v0)).item()
        mistakes = [
            (-lam, "the sign is flipped", "Positive curvature is a positive eigenvalue."),
            (lam**2, "that is λ², not λ", "Is it ‖Hv‖² perhaps? Read the eigenvalue off a unit v."),
            (lam * 9, "9 times too big: v was not of length 1",
             "9 is the squared length of the v0 the check gave you: normalize v before the last product."),
            (first, "that is the curvature along v0 alone",
             "Repeat the move iters times before reading off the eigenvalue."),
        ]
        for value, diagnosis, advice in mistakes:
            if _near(got, value, 1e-3):
                fail(ex, diagnosis, advice)
        if _near(got, lam, 0.05):
            fail(ex, "close, but not converged", "Use the iters argument for the number of products.")
        fail(ex, "not the largest eigenvalue", "Check the loop: multiply by H, rescale to length 1, repeat "
             "iters times, then read off the eigenvalue of the unit vector.")
    hv2, v2, lam2 = _negative_problem()
    got2 = as_number(ex, call_answer(ex, dominant_eigenvalue, hv2, v2.clone(), 300),
                     "the eigenvalue your function returns")
    if not _near(got2, lam2, 1e-4):
        if _near(got2, -lam2, 1e-4):
            fail(ex, "you returned ‖Hv‖, which loses the sign",
                 "On a Hessian whose dominant eigenvalue is negative (at a saddle) your function gave "
                 f"{got2:.4f}: return the Rayleigh quotient, which keeps the sign.")
        fail(ex, "right on the network, wrong on another matrix",
             f"On a 6 × 6 matrix whose dominant eigenvalue is negative your function gave {got2:.4f}: "
             "compute everything from hv_fn, v0 and iters.")
    passed(ex, f"power iteration gives λmax = {got:.4f}; torch.linalg.eigvalsh of the full 13 × 13 Hessian "
           f"gives {lam:.4f} (and on a matrix whose dominant eigenvalue is negative, you found it, sign and "
           "all).")


def cg_exercise_problem() -> tuple[torch.Tensor, torch.Tensor]:
    """``(H, g)`` of Exercise 8.1: a symmetric positive definite ``(6, 6)`` float64 matrix with
    eigenvalues 1, 1, 1, 4, 4, 9 in a seeded random eigenbasis, and a seeded ``(6,)`` gradient."""
    return spd_problem([1.0, 1.0, 1.0, 4.0, 4.0, 9.0], seed=3)


def cg_residuals(h: torch.Tensor, g: torch.Tensor, iters: int) -> list[float]:
    """``‖Hp_k + g‖ / ‖g‖`` for ``k = 1 … iters``: how far CG's ``k``-th iterate is from solving ``Hp = −g``
    (:func:`~linreg_utils.curvature.cg_direction`, run in torch)."""
    path: list[torch.Tensor] = []
    cg_direction(lambda d: h @ d, g, iters=iters, rtol=0.0, path=path)
    return [((h @ p + g).norm() / g.norm()).item() for p in path[1:]]


def cg_steps_needed(h: torch.Tensor, g: torch.Tensor, tol: float = 1e-10) -> int:
    """The fewest CG steps whose relative residual is ≤ ``tol`` (measured, at most ``len(g)``)."""
    return next(k for k, res in enumerate(cg_residuals(h, g, len(g)), start=1) if res <= tol)


@checker("8.1", value="cg_steps", hints=(
    "CG on the 2 × 2 seed problem needed as many steps as there are weights: that is its worst case, "
    "not a rule. Count what each step removes instead.",
    "Think of H = c·I first, every eigenvalue the same: where does CG's first step (a gradient step with "
    "the best step length) land?",
    "Directions that share a curvature behave as one for CG. Look again at the printed eigenvalues of H_ex.",
))
def check_cg_steps(cg_steps: object) -> None:
    """Exercise 8.1: the number of CG steps after which ``H_ex p = −g_ex`` is solved (to rounding)."""
    ex = "8.1"
    got = as_whole_number(ex, cg_steps, "cg_steps")
    h, g = cg_exercise_problem()
    need = cg_steps_needed(h, g)
    residuals = cg_residuals(h, g, len(g))
    if got != need:
        if got == len(g):
            fail(ex, "that is the size of H, CG's guarantee",
                 "At most n steps (n × n) is a worst case. Some of H_ex's eigenvalues are equal: "
                 "does CG need a step for each of those directions?")
        if got > len(g):
            fail(ex, "more steps than H has rows", "CG never needs more steps than the dimension.")
        if got < need:
            fail(ex, "too few: the residual is still large",
                 f"After {got} step(s) CG's residual ‖Hp + g‖/‖g‖ is {residuals[got - 1]:.1e}.")
        fail(ex, "too many: CG finished earlier", "Count the steps CG needs on this H, not the worst case.")
    passed(ex, f"CG solved H_ex p = −g_ex in {need} steps (relative residual below 1e-10; after {need - 1} "
           f"steps it was {residuals[need - 2]:.1e}), though H_ex is {len(g)} × {len(g)}.")


EXERCISE_POINT = (-0.2, 0.8)
"""Exercise 8.3's θ = (w, v): H has a negative eigenvalue there, yet Newton's step goes downhill. eigh's
``U`` is not symmetric there, so ``U @ g`` (rows) and ``U.T @ g`` (the components along the columns)
differ."""


def newton_slope_at(loss: Callable[[torch.Tensor], torch.Tensor], theta: torch.Tensor) -> float:
    """``d/dt L(θ + tδ)`` at ``t = 0`` for Newton's step ``δ = −H⁻¹∇L``, measured by autograd."""
    _, hess = gradient_and_hessian(loss, theta)
    grad = gradient_and_hessian(loss, theta)[0]
    delta = -torch.linalg.solve(hess, grad)
    t = torch.zeros((), dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(loss(theta + t * delta), t)
    return slope.item()


@checker("8.3", value=("newton_slope", "newton_goes_uphill"), hints=(
    "Write Newton's step δ in the Hessian's eigenbasis: its component along u_i is the gradient's "
    "component along u_i divided by λ_i, with a minus sign.",
    "The slope along δ is the dot product of the gradient with δ. Add up one term per eigen-direction.",
    "Each term is a square divided by an eigenvalue: which terms are negative, and which one is larger here?",
))
def check_newton_slope(newton_slope: object, newton_goes_uphill: object) -> None:
    """Exercise 8.3: the slope ``∇Lᵀδ`` of the loss along Newton's step at :data:`EXERCISE_POINT`, predicted
    from the eigen-decomposition, and whether the step goes uphill (``slope > 0``)."""
    ex = "8.3"
    got = as_number(ex, newton_slope, "newton_slope")
    if not isinstance(newton_goes_uphill, bool):
        fail(ex, "newton_goes_uphill must be True or False", "Write your verdict as a bool.")
    loss = two_weight_loss(*make_tanh_data())
    theta = torch.tensor(EXERCISE_POINT, dtype=torch.float64)
    grad, hess = gradient_and_hessian(loss, theta)
    lam, u = torch.linalg.eigh(hess)
    c = u.T @ grad
    truth = newton_slope_at(loss, theta)
    if not _near(got, truth):
        mistakes = [
            (-truth, "the sign is flipped", "Newton's step is minus H⁻¹ times the gradient."),
            (-(c[0].square() / lam[0]).item(), "you kept only the negative eigenvalue's term",
             "The step has a component along every eigenvector; add them all."),
            (-(c**2 * lam).sum().item(), "you multiplied by the eigenvalues",
             "Newton's step divides by the curvature along each eigenvector."),
            (-(c / lam).sum().item(), "a component is missing its square",
             "Both the gradient and the step contribute a component along u_i."),
            (-(c.square() / lam.abs()).sum().item(), "you used |λ|, which hides the negative curvature",
             "Keep each eigenvalue's sign."),
            (-((u @ grad).square() / lam).sum().item(), "you took the gradient's products with U's rows",
             "torch.linalg.eigh returns the eigenvectors as the columns of U."),
        ]
        for value, diagnosis, advice in mistakes:
            if _near(got, value):
                fail(ex, diagnosis, advice)
        fail(ex, "not the slope along Newton's step", "Compute the gradient and the Hessian at θ = "
             f"{EXERCISE_POINT}, then the eigenvalues, eigenvectors and the gradient's components.")
    if newton_goes_uphill != (truth > 0):
        if newton_goes_uphill and lam[0] < 0:
            fail(ex, "a negative eigenvalue alone is not enough",
                 "Your own slope says which way the step goes: read its sign.")
        fail(ex, "your verdict disagrees with your slope",
             "Uphill means the loss rises along δ: a positive slope.")
    t = 1e-3
    with torch.no_grad():
        delta = -torch.linalg.solve(hess, grad)
        change = (loss(theta + t * delta) - loss(theta)).item()
    passed(ex, f"autograd measures the slope along δ: {truth:+.4f} ({'uphill' if truth > 0 else 'downhill'}, "
           f"though λmin = {lam[0].item():+.3f} < 0); a step of 0.001·δ changes the loss by {change:+.2e}.")
