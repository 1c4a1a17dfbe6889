"""Checks for lesson 01's exercises: the MSE's gradient and Hessian by formula, one Newton step.

Each checker runs the student's function on fresh data (11 points the lesson never shows),
compares the answer with the reference, and when they differ compares it with the usual
mistakes (wrong sign, sum instead of mean, missing factor 2, forgotten bias column, wrong
shape, a gradient step instead of a Newton step...) to say in words what went wrong.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..data import make_regression
from ..second_order import mse_gradient, newton_step
from ..theory import mse, mse_hessian
from . import call_answer, fail, passed

_DERIVATION = "∇L = 2/n · Aᵀ(Aθ − y) with A = [x, 1]"


def _fresh_problem() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``x, y``: ``(11, 1)`` float64 points; ``theta``: a ``(2,)`` start ``[w, b]`` far from the optimum."""
    x, y = make_regression(n=11, slope=-1.3, intercept=2.5, noise=0.4, seed=11)
    return x.double(), y.double(), torch.tensor([0.7, -0.4], dtype=torch.float64)


def _close(got: torch.Tensor, want: torch.Tensor) -> bool:
    return got.shape == want.shape and torch.allclose(got, want, rtol=1e-6, atol=1e-9)


def _tensor(exercise: str, value: object, what: str) -> torch.Tensor:
    """``value`` as a detached float64 tensor, or a message saying that a tensor is expected."""
    if not isinstance(value, torch.Tensor):
        fail(exercise, f"return {what} as a torch tensor, got {type(value).__name__}"
             + (" (did you forget the return statement?)" if value is None else ""))
    return value.detach().to(torch.float64)


def _fmt(t: torch.Tensor) -> str:
    return "[" + ", ".join(f"{v:.4f}" for v in t.flatten().tolist()) + "]"


def check_mse_gradient(answer: Callable) -> None:
    """Exercise 1.1: ``answer(x, y, theta) -> (2,)`` tensor, the MSE's gradient ``[∂L/∂w, ∂L/∂b]``."""
    x, y, theta = _fresh_problem()
    n, want = len(x), mse_gradient(x, y, theta)
    got = _tensor("1.1", call_answer("1.1", answer, x.clone(), y.clone(), theta.clone()), "the gradient")
    if got.numel() == 1:
        fail("1.1", "you returned a single number, but there are two parameters, so the gradient has "
             "two entries [∂L/∂w, ∂L/∂b]. Did you leave out the bias column of ones in A = [x, 1]?")
    if got.shape in {(2, n), (n, 2), (2, n, 1)}:
        fail("1.1", f"your result has shape {tuple(got.shape)}: the residual Aθ − y was probably "
             f"broadcast to an ({n}, {n}) matrix, because y has shape ({n}, 1) and A @ theta has "
             f"shape ({n},). Use y[:, 0] (or y.squeeze(1)) so both are ({n},).")
    if got.numel() == n:
        fail("1.1", f"you returned one number per data point (shape {tuple(got.shape)}): the gradient "
             "adds up the points' contributions, Aᵀ r, and divides by n.")
    if got.numel() != 2:
        fail("1.1", f"the gradient should have shape (2,), got {tuple(got.shape)}. Recall {_DERIVATION}.")
    flat = got.reshape(2)
    if got.shape != (2,):
        if _close(flat, want):
            fail("1.1", f"the numbers are right but the shape is {tuple(got.shape)}: return a (2,) "
                 "tensor, e.g. with .reshape(2), so that theta - lr * grad keeps theta's shape.")
    mistakes = [
        (-want, "the sign is wrong: with residual r = Aθ − y (prediction minus target), "
                "∇L = +2/n · Aᵀ r. A step along your vector would increase the loss."),
        (n * want, "you summed over the n points instead of averaging: divide by n (the loss is a mean)."),
        (want / 2, "you are missing the factor 2 from differentiating the square: d(r²)/dr = 2r."),
        (n * want / 2, "you summed instead of averaging, and you are missing the factor 2 of d(r²)/dr."),
        (mse_gradient(x, y, torch.tensor([theta[0].item(), 0.0], dtype=torch.float64)),
         "your prediction leaves out the bias: use w·x + b (that is A @ theta with A = [x, 1])."),
        (want.flip(0), "the two entries are swapped: return [∂L/∂w, ∂L/∂b] in that order, to match "
                       "theta = [w, b] (the column of x first, the column of ones second)."),
    ]
    if not _close(flat, want):
        for candidate, hint in mistakes:
            if _close(flat, candidate):
                fail("1.1", hint)
        if torch.isclose(flat[0], want[0], rtol=1e-6):
            fail("1.1", "∂L/∂w is right but ∂L/∂b is not: the bias column of A is all ones, "
                 "so ∂L/∂b = 2/n · Σ rᵢ.")
        if torch.isclose(flat[1], want[1], rtol=1e-6):
            fail("1.1", "∂L/∂b is right but ∂L/∂w is not: each residual is weighted by its x, "
                 "∂L/∂w = 2/n · Σ xᵢ rᵢ.")
        fail("1.1", f"on fresh data the gradient should be {_fmt(want)}, yours is {_fmt(flat)}. "
             f"Recall {_DERIVATION}.")
    passed("1.1", "your gradient matches 2/n·Aᵀ(Aθ − y) on 11 fresh points.")


def check_mse_hessian(answer: Callable) -> None:
    """Exercise 1.2: ``answer(x) -> (2, 2)`` tensor, the MSE's Hessian ``2/n · AᵀA``."""
    x, _, _ = _fresh_problem()
    n, want = len(x), mse_hessian(x)
    got = _tensor("1.2", call_answer("1.2", answer, x.clone()), "the Hessian")
    if got.numel() == 1:
        hint = " (your number is ∂²L/∂w² alone)" if torch.isclose(got.flatten()[0], want[0, 0]) else ""
        fail("1.2", "you returned a single number, but with two parameters the Hessian is 2×2"
             f"{hint}. Did you forget the bias column of ones in A = [x, 1]?")
    if got.shape == (n, n):
        fail("1.2", f"your result is {n}×{n}: that is A Aᵀ. The Hessian is Aᵀ A (2×2), one row and "
             "one column per parameter: use a.T @ a.")
    if got.numel() != 4:
        fail("1.2", f"the Hessian should have shape (2, 2), got {tuple(got.shape)}.")
    square = got.reshape(2, 2)
    if got.shape != (2, 2):
        if _close(square, want):
            fail("1.2", f"the numbers are right but the shape is {tuple(got.shape)}: return a (2, 2) matrix.")
    mistakes = [
        (-want, "the sign is wrong: the MSE curves upwards, so its Hessian is positive (definite)."),
        (n * want, "you summed over the n points instead of averaging: divide AᵀA by n."),
        (want / 2, "you are missing the factor 2: differentiating r² twice gives 2, so H = 2/n · AᵀA."),
        (n * want / 2, "you summed instead of averaging, and the factor 2 is missing: H = 2/n · AᵀA."),
        (want.flip(0, 1), "your columns are in the order [1, x]: put x first and the ones second, "
                          "to match theta = [w, b]."),
        (torch.diag(torch.diag(want)), "the diagonal is right but the off-diagonal entries are zero: "
                                        "∂²L/∂w∂b = 2/n · Σ xᵢ, because w and b act together in w·x + b."),
    ]
    if not _close(square, want):
        for candidate, hint in mistakes:
            if _close(square, candidate):
                fail("1.2", hint)
        fail("1.2", f"on fresh data the Hessian should be {_fmt(want)} (row by row), yours is "
             f"{_fmt(square)}. Recall H = 2/n · AᵀA with A = [x, 1].")
    passed("1.2", "your Hessian matches 2/n·AᵀA on 11 fresh points.")


def check_newton_step(answer: Callable) -> None:
    """Exercise 1.3: ``answer(x, y, theta) -> (2,)`` tensor, the point ``θ − H⁻¹∇L(θ)``."""
    x, y, theta = _fresh_problem()
    n, given = len(x), theta.clone()
    got = _tensor("1.3", call_answer("1.3", answer, x.clone(), y.clone(), given), "the new [w, b]")
    if not torch.equal(given, theta):
        fail("1.3", "your function changed theta in place (theta -= ... or theta.sub_): return a new "
             "tensor, theta - step, and leave the caller's theta as it was.")
    if got.numel() != 2:
        fail("1.3", f"return the new parameters [w, b], shape (2,), got shape {tuple(got.shape)}.")
    flat, want = got.reshape(2), newton_step(x, y, theta)
    if got.shape != (2,) and _close(flat, want):
        fail("1.3", f"the numbers are right but the shape is {tuple(got.shape)}: return a (2,) "
             "tensor like theta (a (2, 1) result often comes from solving with a column gradient).")
    g, h = mse_gradient(x, y, theta), mse_hessian(x)
    delta = torch.linalg.solve(h, g)
    mistakes = [
        (theta + delta, "the sign is wrong: Newton's step is θ − H⁻¹∇L; yours climbs to the top "
                        "instead of the bottom (here the loss went up)."),
        (-delta, "you returned the step −H⁻¹∇L itself: add it to theta (return theta − δ)."),
        (delta, "you returned H⁻¹∇L itself: the new point is theta − H⁻¹∇L."),
        (theta - h @ g, "you multiplied the gradient by H; Newton divides by it: solve H δ = ∇L with "
                        "torch.linalg.solve(H, g), then return theta − δ."),
        (theta - n * delta, "your gradient sums over the points while your Hessian averages (or the "
                            "reverse): use the mean in both, and the n cancels."),
        (theta - delta / n, "your Hessian sums over the points while your gradient averages: use "
                            "the mean in both, and the n cancels."),
        (theta - 2 * delta, "the factor 2 is missing from your Hessian (or doubled in your gradient): "
                            "∇L = 2/n·Aᵀ(Aθ − y) and H = 2/n·AᵀA, so the 2/n cancels in H⁻¹∇L."),
        (theta - delta / 2, "the factor 2 is missing from your gradient (or doubled in your Hessian): "
                            "∇L = 2/n·Aᵀ(Aθ − y) and H = 2/n·AᵀA, so the 2/n cancels in H⁻¹∇L."),
        (theta, "theta did not move: compute the gradient and Hessian at theta, solve, and step."),
    ]
    if not _close(flat, want):
        for candidate, hint in mistakes:
            if _close(flat, candidate):
                fail("1.3", hint)
        step = flat - theta
        cross = (step[0] * g[1] - step[1] * g[0]).abs()
        if cross <= 1e-9 * step.norm() * g.norm() + 1e-12:
            fail("1.3", "your step points along the gradient: that is a gradient-descent step "
                 "θ − η∇L, whatever η. Newton solves with the Hessian: δ = torch.linalg.solve(H, g), "
                 "and the new point is θ − δ.")
        fail("1.3", f"one Newton step should land on the least-squares optimum {_fmt(want)} "
             f"(loss {mse(x, y, *want.tolist()):.4f}); yours is {_fmt(flat)} "
             f"(loss {mse(x, y, *flat.tolist()):.4f}).")
    second = torch.tensor([-3.0, 5.0], dtype=torch.float64)
    again = _tensor("1.3", call_answer("1.3", answer, x.clone(), y.clone(), second.clone()), "the new [w, b]")
    if not _close(again.reshape(-1), want):
        fail("1.3", f"from theta = {_fmt(second)} your step lands on {_fmt(again)}, not on the "
             f"optimum {_fmt(want)}: one Newton step should land there from any start.")
    passed("1.3", "one step lands on the least-squares optimum from two different starts.")

