"""Checks for lesson 08's exercises: a stability prediction, power iteration on HVPs, Newton's uphill.

Each checker compares the answer with the truth computed here and, when they differ, with the
usual wrong routes (1/λ instead of 2/λ, the vector instead of the eigenvalue, ‖Hv‖ instead of
vᵀHv, one product instead of a loop, the largest eigenvalue instead of the smallest...) to name
the mistake without giving the answer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import torch

from ..curvature import flat_loss, full_hessian, hvp, mlp
from ..nonconvex import gradient_and_hessian, make_tanh_data, make_wave, two_weight_loss
from ..theory import largest_stable_lr
from .framework import as_number, call_answer, checker, fail, passed


def _near(got: float, want: float, rel: float = 1e-3) -> bool:
    return math.isclose(got, want, rel_tol=rel, abs_tol=1e-9)


@lru_cache(maxsize=1)
def start_sharpness() -> float:
    """``lam0`` of lesson 08: the top Hessian eigenvalue of its network (``mlp(width=32, seed=0)`` on
    ``make_wave()``) at its initial weights, from the full 97 × 97 Hessian."""
    loss, theta0 = flat_loss(mlp(width=32, seed=0), *make_wave())
    return torch.linalg.eigvalsh(full_hessian(loss, theta0))[-1].item()


@checker("8.1", value="predicted_lr", hints=(
    "On a quadratic, GD multiplies the error along the top eigenvector by 1 − η·λmax every step.",
    "The run diverges as soon as that factor leaves the interval (−1, 1); for small η it is inside.",
    "Write the condition on 1 − η·lam0 for stability and solve it for η, keeping it as a formula in lam0.",
))
def check_stable_lr(predicted_lr: object, sharpness: float | None = None) -> None:
    """Exercise 8.1: the largest stable lr that the quadratic law predicts from the network's start
    sharpness (``sharpness``, by default :func:`start_sharpness`, the lesson's ``lam0``)."""
    ex = "8.1"
    got = as_number(ex, predicted_lr, "predicted_lr")
    lam = float(start_sharpness() if sharpness is None else sharpness)
    edge = largest_stable_lr(lam)
    mistakes = [
        (1 / lam, "that is where ηλ = 1",
         "There GD removes the steepest direction's error in one step; on a quadratic it stays stable "
         "beyond."),
        (2 * lam, "that has the units of a curvature", "A learning rate is the inverse of a curvature."),
        (lam / 2, "your fraction is upside down", "The condition bounds η times λmax, not η alone."),
        (2 / lam**2, "you divided by λmax twice", "The condition involves η·λmax once."),
    ]
    if not _near(got, edge):
        for value, diagnosis, advice in mistakes:
            if _near(got, value):
                fail(ex, diagnosis, advice)
        fail(ex, "not the quadratic's stability limit",
             f"On a quadratic with top curvature λmax = {lam:.2f}, when does the factor 1 − η·λmax leave "
             "(−1, 1)?")
    passed(ex, f"the quadratic law predicts divergence above η = 2/λmax = {edge:.3f}; "
           "the runs below show whether the network agrees.")


def _tiny_problem() -> tuple[Callable[[torch.Tensor], torch.Tensor], torch.Tensor, torch.Tensor]:
    """``(hv, v0, eigenvalues)``: a 1 → 4 → 1 net (13 parameters) on 16 fresh points, v0 of norm 3."""
    x, y = make_wave(n=16, seed=5)
    loss, theta = flat_loss(mlp(width=4, seed=2), x, y)
    v0 = 3 * torch.nn.functional.normalize(torch.arange(1.0, 14.0, dtype=torch.float64), dim=0)
    return (lambda v: hvp(loss, theta, v)), v0, torch.linalg.eigvalsh(full_hessian(loss, theta))


def _negative_problem() -> tuple[Callable[[torch.Tensor], torch.Tensor], torch.Tensor, float]:
    """``(hv, v0, λ)``: a symmetric 6 × 6 matrix whose eigenvalue of largest magnitude is negative
    (−5; the others in [−1, 2]), as a Hessian at a saddle can be."""
    gen = torch.Generator().manual_seed(8)
    q, _ = torch.linalg.qr(torch.randn(6, 6, generator=gen, dtype=torch.float64))
    h = q @ torch.diag(torch.tensor([-5.0, -1.0, 0.3, 0.8, 1.5, 2.0], dtype=torch.float64)) @ q.T
    return (lambda v: h @ v), torch.ones(6, dtype=torch.float64), -5.0


@checker("8.2", function="top_eigenvalue", hints=(
    "Power iteration repeats one move: multiply the current vector by H (hv_fn does that) and rescale the "
    "result to length 1.",
    "Start from v0 scaled to length 1, do the move iters times, and only then read off the eigenvalue.",
    "The eigenvalue is the Rayleigh quotient of the final unit vector: the dot product of v with Hv. It "
    "keeps the sign (the length of Hv does not), and .item() turns it into a float.",
))
def check_power_iteration(top_eigenvalue: Callable) -> None:
    """Exercise 8.2: ``top_eigenvalue(hv_fn, v0, iters) -> float``, λmax by power iteration on
    ``hv_fn(v) = Hv``: on a network the learner has not seen, and on a matrix whose dominant
    eigenvalue is negative."""
    ex = "8.2"
    hv, v0, eig = _tiny_problem()
    lam = eig[-1].item()
    if eig[0].abs() >= lam:
        raise RuntimeError("the check's tiny net lost its dominant positive eigenvalue")
    out = call_answer(ex, top_eigenvalue, hv, v0.clone(), 300)
    if isinstance(out, torch.Tensor) and out.numel() == len(v0):
        fail(ex, "you returned a vector, not the eigenvalue",
             "That is the eigenvector estimate v: return one number, the Rayleigh quotient of the unit v.")
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
        if abs(got) > 100 * abs(lam):
            fail(ex, "your number is far too large",
                 "Normalize v after each product; otherwise it grows like λ to the power of the iterations.")
        fail(ex, "not the largest eigenvalue", "Check the loop: multiply by H, rescale to length 1, repeat "
             "iters times, then read off the eigenvalue of the unit vector.")
    hv2, v2, lam2 = _negative_problem()
    got2 = as_number(ex, call_answer(ex, top_eigenvalue, hv2, v2.clone(), 300),
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


@checker("8.3", function="uphill_number", hints=(
    "Newton's step goes to the stationary point of the quadratic model; the model has a bottom only if its "
    "curvature is positive in every direction.",
    "The curvatures along the Hessian's eigenvectors are its eigenvalues: one number among them decides "
    "whether the model has a bottom.",
    "Build the 2 × 2 Hessian of the loss at theta with torch.autograd.functional.hessian and look at its "
    "eigenvalues with torch.linalg.eigvalsh (ascending order).",
))
def check_uphill_number(uphill_number: Callable) -> None:
    """Exercise 8.3: ``uphill_number(x, y, theta) -> float``, the smallest eigenvalue of H for v·tanh(w·x)."""
    ex = "8.3"
    x, y = make_tanh_data(n=17, seed=7, w=0.8, v=-1.1)
    loss = two_weight_loss(x, y)
    theta = torch.tensor([0.3, 0.2], dtype=torch.float64)
    eig = torch.linalg.eigvalsh(gradient_and_hessian(loss, theta)[1])
    out = call_answer(ex, uphill_number, x.clone(), y.clone(), theta.clone())
    if isinstance(out, torch.Tensor) and out.numel() == 2:
        fail(ex, "you returned both eigenvalues",
             "Return the one number that explains the uphill step (eigvalsh sorts them in ascending order).")
    got = as_number(ex, out, "the eigenvalue your function returns")
    if _near(got, eig[0].item()):
        return passed(ex, f"λmin = {got:.3f} < 0 here: the quadratic model has no bottom, and Newton's "
                      "step goes to its stationary point, a saddle of the model.")
    saddle = torch.linalg.eigvalsh(gradient_and_hessian(loss, torch.zeros(2, dtype=torch.float64))[1])
    mistakes = [
        (eig[1].item(), "that is the largest eigenvalue", "The uphill step comes from the other one."),
        (-eig[0].item(), "the sign is flipped", "The number that makes Newton go uphill is negative here."),
        (len(x) * eig[0].item(), "your Hessian is n times too big", "The loss is a mean, not a sum."),
        (saddle[0].item(), "that is the saddle's eigenvalue at (0, 0)", "Compute the Hessian at theta."),
    ]
    for value, diagnosis, advice in mistakes:
        if _near(got, value):
            fail(ex, diagnosis, advice)
    fail(ex, "not the number that sends Newton uphill",
         "Compute the Hessian of the text's two-weight loss at theta and look at its eigenvalues.")
