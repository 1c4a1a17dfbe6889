"""Checks for lesson 08's exercises: a stability prediction, power iteration on HVPs, Newton's uphill.

Each checker compares the answer with the truth computed here and, when they differ, with the
usual wrong routes (1/λ instead of 2/λ, the vector instead of the eigenvalue, one product
instead of a loop, the largest eigenvalue instead of the smallest...) to name the mistake.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..curvature import flat_loss, full_hessian, hvp, mlp
from ..nonconvex import gradient_and_hessian, make_tanh_data, make_wave, two_weight_loss
from ..theory import largest_stable_lr
from . import as_number, call_answer, fail, passed


def _near(got: float, want: float, rel: float = 1e-3) -> bool:
    return math.isclose(got, want, rel_tol=rel, abs_tol=1e-9)


def check_stable_lr(predicted_lr: object, sharpness: float) -> None:
    """Exercise 8.1: the largest stable lr that the quadratic law predicts from ``sharpness`` = λmax."""
    got, lam = as_number("8.1", predicted_lr, "predicted_lr"), float(sharpness)
    edge = largest_stable_lr(lam)
    mistakes = [
        (1 / lam, "1/λmax is the lr that removes the steepest direction's error in one step "
                  "(ηλ = 1); GD on a quadratic stays stable up to ηλ = 2."),
        (2 * lam, "2·λmax has the units of a curvature, not of a learning rate: invert it."),
        (lam / 2, "λmax/2 is upside down: the condition is η·λmax < 2, so η < 2/λmax."),
        (2 / lam**2, "you divided by λmax twice: η·λmax < 2 gives η < 2/λmax."),
    ]
    if not _near(got, edge):
        for value, hint in mistakes:
            if _near(got, value):
                fail("8.1", hint)
        fail("8.1", f"on a quadratic with top curvature λmax = {lam:.2f}, GD is stable iff η·λmax < 2. "
             "Solve that for η.")
    passed("8.1", f"the quadratic law predicts divergence above η = 2/λmax = {edge:.3f}; "
           "run the next cell to see whether the network agrees.")


def _tiny_problem() -> tuple[Callable[[torch.Tensor], torch.Tensor], torch.Tensor, torch.Tensor]:
    """``(hv, v0, eigenvalues)``: a 1 → 4 → 1 net (13 parameters) on 16 fresh points, v0 of norm 3."""
    x, y = make_wave(n=16, seed=5)
    loss, theta = flat_loss(mlp(width=4, seed=2), x, y)
    v0 = 3 * torch.nn.functional.normalize(torch.arange(1.0, 14.0, dtype=torch.float64), dim=0)
    return (lambda v: hvp(loss, theta, v)), v0, torch.linalg.eigvalsh(full_hessian(loss, theta))


def check_power_iteration(answer: Callable) -> None:
    """Exercise 8.2: ``answer(hv, v0, iters) -> float``, λmax by power iteration on ``hv(v) = Hv``."""
    hv, v0, eig = _tiny_problem()
    lam = eig[-1].item()
    if eig[0].abs() >= lam:
        raise RuntimeError("the check's tiny net lost its dominant positive eigenvalue")
    out = call_answer("8.2", answer, hv, v0.clone(), 300)
    if isinstance(out, torch.Tensor) and out.numel() == len(v0):
        fail("8.2", "you returned a vector (the eigenvector estimate v?): return the eigenvalue, "
             "the Rayleigh quotient vᵀHv with v of length 1.")
    got = as_number("8.2", out, "the eigenvalue your function returns")
    if _near(got, lam, 1e-4):
        passed("8.2", f"power iteration gives λmax = {got:.4f}; torch.linalg.eigvalsh of the full "
               f"13 × 13 Hessian gives {lam:.4f}.")
        return
    first = (v0 @ hv(v0) / (v0 @ v0)).item()
    mistakes = [
        (-lam, "the sign is flipped: return vᵀHv (positive curvature is a positive eigenvalue)."),
        (lam**2, "that is λ², ‖Hv‖² perhaps: return vᵀHv with v normalized, or ‖Hv‖ without squaring."),
        (lam * 9, "your answer is 9 times too big, the squared length of the v0 the check gave you: "
                  "normalize v (v / v.norm()) before taking vᵀHv."),
        (first, "that is the curvature along v0 alone: repeat v ← Hv/‖Hv‖ iters times before reading "
                "off vᵀHv."),
    ]
    for value, hint in mistakes:
        if _near(got, value, 1e-3):
            fail("8.2", hint)
    if _near(got, lam, 0.05):
        fail("8.2", f"close ({got:.4f}) but not converged: use the iters argument for the number of "
             f"products, and return vᵀHv for a unit v.")
    if abs(got) > 100 * abs(lam):
        fail("8.2", "your number is far too large: normalize v after each product, v = hv / hv.norm(), "
             "otherwise it grows like λⁱ.")
    fail("8.2", f"got {got:.4f}, want the largest eigenvalue ({lam:.4f} here). Loop: hv = hv_fn(v); "
         "v = hv / hv.norm(); then return v @ hv_fn(v).")


def check_uphill_number(answer: Callable) -> None:
    """Exercise 8.3: ``answer(x, y, theta) -> float``, the smallest eigenvalue of H for v·tanh(w·x)."""
    x, y = make_tanh_data(n=17, seed=7, w=0.8, v=-1.1)
    loss = two_weight_loss(x, y)
    theta = torch.tensor([0.3, 0.2], dtype=torch.float64)
    eig = torch.linalg.eigvalsh(gradient_and_hessian(loss, theta)[1])
    out = call_answer("8.3", answer, x.clone(), y.clone(), theta.clone())
    if isinstance(out, torch.Tensor) and out.numel() == 2:
        fail("8.3", "you returned both eigenvalues: return the one number that explains the uphill "
             "step, the smallest (eigvalsh sorts them in ascending order).")
    got = as_number("8.3", out, "the eigenvalue your function returns")
    if _near(got, eig[0].item()):
        passed("8.3", f"λmin = {got:.3f} < 0 here: the quadratic model has no bottom, and Newton's "
               "step goes to its stationary point, a saddle of the model.")
        return
    saddle = torch.linalg.eigvalsh(gradient_and_hessian(loss, torch.zeros(2, dtype=torch.float64))[1])
    mistakes = [
        (eig[1].item(), "that is the largest eigenvalue: the uphill step comes from the smallest, "
                        "eigvalsh(H)[0]."),
        (-eig[0].item(), "the sign is flipped: the smallest eigenvalue is negative here."),
        (len(x) * eig[0].item(), "your Hessian is n times too big: the loss is a mean, not a sum."),
        (saddle[0].item(), "that is the saddle's eigenvalue at (0, 0): compute the Hessian at theta."),
    ]
    for value, hint in mistakes:
        if _near(got, value):
            fail("8.3", hint)
    fail("8.3", "compute H = torch.autograd.functional.hessian(loss, theta) for "
         "loss(θ) = mean((θ[1]·tanh(θ[0]·x) − y)²) and return torch.linalg.eigvalsh(H)[0].")
