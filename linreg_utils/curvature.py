"""Curvature of a network's loss without its Hessian: Hessian-vector products, power iteration,
and Newton-CG (lesson 08).

A network's loss is written as a function of one flat parameter vector ``θ: (d,)`` (see
:func:`flat_loss`). The Hessian-vector product ``Hv = ∇(∇L·v)`` costs one backward pass through
the gradient ("double backward"), about two gradients, whatever ``d``; the full Hessian needs
``d`` of them. Power iteration ``v ← Hv/‖Hv‖`` then finds the eigenvalue of largest magnitude,
which during training is the top eigenvalue ``λmax``, the *sharpness*: on a quadratic, gradient
descent with learning rate ``η`` is stable exactly when ``λmax < 2/η``.

Newton-CG (Hessian-free) never forms the Hessian either. Each outer step solves
``(H + μI) p = −∇L`` approximately by a few conjugate-gradient iterations, each one
Hessian-vector product (:func:`cg_direction`), stops early if it meets negative curvature
(``dᵀHd ≤ 0``: the model has no bottom that way), then backtracks along ``p`` until the loss
drops enough (Armijo). :func:`newton_cg` and :func:`torch_optimizer_run` record how much work
a run did: loss values without a gradient, gradients, Hessian-vector products, seconds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import torch
from torch.func import functional_call

from ._checks import positive_finite, positive_int
from .runs import LossFn, Run, diverged_at, optimize


def mlp(width: int = 32, seed: int = 0) -> torch.nn.Sequential:
    """The lesson's network ``1 → width → 1`` with a tanh, float64, PyTorch's default init seeded."""
    width = positive_int("width", width)
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(1, width), torch.nn.Tanh(), torch.nn.Linear(width, 1)).double()


def flat_loss(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[LossFn, torch.Tensor]:
    """``(loss, θ0)``: the MSE of ``model`` on ``x, y`` as a function of a flat ``(d,)`` vector.

    ``θ0`` holds the model's current parameters, in ``model.parameters()`` order; the model
    itself is never changed (``torch.func.functional_call`` runs it with the given values).
    """
    names = [name for name, _ in model.named_parameters()]
    shapes = [p.shape for _, p in model.named_parameters()]
    sizes = [math.prod(s) for s in shapes]
    theta0 = torch.nn.utils.parameters_to_vector(model.parameters()).detach().clone()

    def loss(theta: torch.Tensor) -> torch.Tensor:
        if theta.shape != theta0.shape:
            raise ValueError(f"theta must have shape {tuple(theta0.shape)}, got {tuple(theta.shape)}")
        params = {n: t.view(s) for n, t, s in zip(names, theta.split(sizes), shapes, strict=True)}
        return torch.mean((functional_call(model, params, (x,)) - y) ** 2)

    return loss, theta0


def loss_and_gradient(loss: LossFn, theta: torch.Tensor) -> tuple[float, torch.Tensor]:
    """``(L(θ), ∇L(θ))``: one forward and one backward pass; the gradient is ``(d,)``."""
    theta = theta.detach().requires_grad_()
    value = loss(theta)
    (grad,) = torch.autograd.grad(value, theta)
    return value.item(), grad


def hvp(loss: LossFn, theta: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """``H(θ) v``, ``(d,)``, by double backward: differentiate ``∇L(θ) · v`` once more."""
    theta = theta.detach().requires_grad_()
    (grad,) = torch.autograd.grad(loss(theta), theta, create_graph=True)
    (hv,) = torch.autograd.grad(grad, theta, grad_outputs=v)
    return hv


def full_hessian(loss: LossFn, theta: torch.Tensor) -> torch.Tensor:
    """The ``(d, d)`` Hessian, row by row: ``d`` Hessian-vector products."""
    return torch.autograd.functional.hessian(loss, theta.detach())


def power_iteration(loss: LossFn, theta: torch.Tensor, iters: int = 20,
                    v0: torch.Tensor | None = None, seed: int = 0) -> tuple[float, torch.Tensor]:
    """``(λ, v)``: the Rayleigh quotient ``vᵀHv`` after ``iters`` steps of ``v ← Hv/‖Hv‖``.

    Converges to the eigenvalue of largest magnitude (``λmax`` when it dominates), at a rate
    ``(λ₂/λ₁)^(2k)`` in the eigenvalue. ``v0`` (``(d,)``, e.g. the last call's ``v``) warm-starts
    it; by default it starts from a seeded random unit vector. ``v`` is unit length.
    """
    iters = positive_int("iters", iters)
    if v0 is None:
        v0 = torch.randn(theta.shape, generator=torch.Generator().manual_seed(seed), dtype=theta.dtype)
    v = v0 / v0.norm()
    for _ in range(iters):
        hv = hvp(loss, theta, v)
        lam = float(v @ hv)
        v = hv / hv.norm()
    return lam, v


def _diverged(losses: list[float]) -> bool:
    """Whether the newest of ``losses`` diverged (the one policy: :func:`~linreg_utils.runs.diverged_at`)."""
    return diverged_at([losses[0], losses[-1]]) is not None


def gd_with_sharpness(loss: LossFn, theta0: torch.Tensor, lr: float, steps: int, every: int = 25,
                      iters: int = 5) -> Run:
    """Run ``θ ← θ − η∇L`` for ``steps`` steps; every ``every`` steps measure λmax by power iteration.

    Each measurement is warm-started from the previous eigenvector, so ``iters`` can stay small
    (the first uses ``4·iters``). Stops at a diverged loss (:func:`~linreg_utils.runs.diverged_at`),
    which is the record's last entry. ``log["checked_at"]`` ``(m,)``: the steps measured;
    ``log["sharpness"]`` ``(m,)``: λmax there.
    """
    lr, steps, every = positive_finite("lr", lr), positive_int("steps", steps), positive_int("every", every)
    theta, v = theta0.detach().clone(), None
    losses, checked, sharp = [], [], []
    for k in range(steps + 1):
        value, grad = loss_and_gradient(loss, theta)
        losses.append(value)
        if _diverged(losses):
            break
        if k % every == 0:
            lam, v = power_iteration(loss, theta, iters if v is not None else 4 * iters, v0=v)
            checked.append(k)
            sharp.append(lam)
        if k < steps:
            theta = theta - lr * grad
    return Run(losses=np.array(losses), lr=lr, diverged_at=diverged_at(losses),
               log={"checked_at": np.array(checked), "sharpness": np.array(sharp)})


def hover(run: Run, start: int) -> tuple[float, float, float]:
    """``(q10, median, q90)`` of the sharpness a :func:`gd_with_sharpness` run measured from step
    ``start`` on, in units of ``2/η``."""
    tail = run.log["sharpness"][run.log["checked_at"] >= start] * run.lr / 2
    if tail.size == 0:
        raise ValueError(f"no sharpness was measured from step {start} on")
    return tuple(float(q) for q in np.quantile(tail, [0.1, 0.5, 0.9]))


def divergence_steps(loss: LossFn, theta0: torch.Tensor, lrs: list[float],
                     steps: int) -> dict[float, int | None]:
    """For each learning rate, the step at which plain GD diverged within ``steps`` steps (None: never)."""
    out = {}
    for lr in lrs:
        theta, losses = theta0.detach().clone(), []
        out[lr] = None
        for k in range(steps + 1):
            value, grad = loss_and_gradient(loss, theta)
            losses.append(value)
            if _diverged(losses):
                out[lr] = k
                break
            theta = theta - lr * grad
    return out


def cg_direction(hv: Callable[[torch.Tensor], torch.Tensor], grad: torch.Tensor, iters: int = 10,
                 damping: float = 0.0, rtol: float = 1e-3,
                 path: list[torch.Tensor] | None = None) -> tuple[torch.Tensor, int]:
    """``(p, k)``: ``p ≈ −(H + μI)⁻¹ grad`` after ``k ≤ iters`` CG steps, each one call ``hv(d) = Hd``.

    CG minimises the quadratic model ``m(p) = gradᵀp + ½ pᵀ(H + μI)p``: the residual ``r = −∇m(p)``,
    each search direction ``d`` is made conjugate (``dᵢᵀHdⱼ = 0``) to the earlier ones, and the step
    ``α = rᵀr / dᵀHd`` goes to the model's minimum along ``d``. ``path``, if given, receives each
    iterate ``p`` (``(d,)``), starting with ``0``.
    """
    p, r = torch.zeros_like(grad), -grad
    d, rr = r.clone(), r @ r
    if path is not None:
        path.append(p)
    for k in range(1, iters + 1):
        hd = hv(d) + damping * d
        curvature = d @ hd
        if curvature <= 0:  # negative curvature: keep what we have (or the gradient step)
            return (p if k > 1 else -grad), k
        alpha = rr / curvature
        p, r = p + alpha * d, r - alpha * hd
        if path is not None:
            path.append(p)
        rr, rr_old = r @ r, rr
        if rr.sqrt() < rtol * grad.norm():
            return p, k
        d = r + (rr / rr_old) * d
    return p, iters


def steepest_descent_exact(hv: Callable[[torch.Tensor], torch.Tensor], grad: torch.Tensor, iters: int,
                           path: list[torch.Tensor] | None = None) -> torch.Tensor:
    """``p`` after ``iters`` steps of steepest descent with exact line search on the quadratic model
    ``m(p) = gradᵀp + ½ pᵀHp``: ``p ← p + αr`` with ``r = −∇m(p)`` and ``α = rᵀr / rᵀHr``, CG's step
    length without CG's conjugate directions. ``path``, if given, receives each iterate (``(d,)``),
    starting with ``0``.
    """
    iters = positive_int("iters", iters)
    p, r = torch.zeros_like(grad), -grad
    if path is not None:
        path.append(p)
    for _ in range(iters):
        hr = hv(r)
        alpha = (r @ r) / (r @ hr)
        p, r = p + alpha * r, r - alpha * hr
        if path is not None:
            path.append(p)
    return p


def spd_problem(eigenvalues: list[float], seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(H, g)``: a symmetric ``(n, n)`` float64 matrix with these ``eigenvalues`` in a seeded random
    orthonormal eigenbasis, and a seeded ``(n,)`` gradient."""
    lam = torch.as_tensor(eigenvalues, dtype=torch.float64)
    if lam.ndim != 1 or len(lam) == 0:
        raise ValueError(f"eigenvalues must be a non-empty list of numbers, got shape {tuple(lam.shape)}")
    gen = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(len(lam), len(lam), generator=gen, dtype=torch.float64))
    h = q @ torch.diag(lam) @ q.T
    return (h + h.T) / 2, torch.randn(len(lam), generator=gen, dtype=torch.float64)


def newton_cg(loss: LossFn, theta0: torch.Tensor, steps: int, cg_iters: int = 10, damping: float = 1e-3,
              target: float = 0.0) -> Run:
    """Hessian-free Newton: ``steps`` outer steps of :func:`cg_direction` plus backtracking (Armijo),
    stopping once the loss is ≤ ``target``. The :class:`~linreg_utils.runs.Run` counts the work
    done by each step, cumulatively, in ``log``: ``"forwards"`` (line-search trials: a loss
    without a gradient), ``"gradients"``, ``"hvps"``, ``"seconds"``."""
    steps, cg_iters = positive_int("steps", steps), positive_int("cg_iters", cg_iters)
    damping = positive_finite("damping", damping)
    theta = theta0.detach().clone()
    with torch.no_grad():
        rows = [(loss(theta).item(), 0, 0, 0, 0.0)]  # (loss, forwards, gradients, hvps, seconds)
    forwards = gradients = hvps = 0
    start = time.perf_counter()

    def counted_hv(d: torch.Tensor) -> torch.Tensor:
        nonlocal hvps
        hvps += 1
        return hvp(loss, theta, d)

    for _ in range(steps):
        value, grad = loss_and_gradient(loss, theta)
        gradients += 1
        p, _ = cg_direction(counted_hv, grad, cg_iters, damping)
        t, slope = 1.0, float(grad @ p)
        while t > 1e-10:
            forwards += 1
            with torch.no_grad():
                trial = loss(theta + t * p).item()
            if trial <= value + 1e-4 * t * slope:
                break
            t /= 2
        theta = theta + t * p
        rows.append((trial, forwards, gradients, hvps, time.perf_counter() - start))
        if trial <= target:
            break
    losses, *counts = (np.array(c) for c in zip(*rows, strict=True))
    return Run(losses=losses, name="Newton-CG", reached_at=len(losses) - 1 if losses[-1] <= target else None,
               log=dict(zip(("forwards", "gradients", "hvps", "seconds"), counts, strict=True)))


def torch_optimizer_run(name: str, make: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
                        loss: LossFn, theta0: torch.Tensor, steps: int, target: float = 0.0) -> Run:
    """Run a ``torch.optim`` optimizer for ``steps`` calls of ``step(closure)`` until the loss is
    ≤ ``target`` (:func:`~linreg_utils.runs.optimize`), with :func:`newton_cg`'s counts in ``log``:
    each closure call is one loss + gradient evaluation (L-BFGS makes several per step, Adam one)."""
    run = optimize(make, loss, theta0, positive_int("steps", steps), name=name,
                   until=lambda theta: loss(theta).item() <= target)
    evaluations = run.log["evaluations"]
    none = np.zeros_like(evaluations)
    return Run(losses=run.losses, path=run.path, name=name, reached_at=run.reached_at,
               diverged_at=run.diverged_at, log={"forwards": none, "gradients": evaluations, "hvps": none,
                                                 "seconds": run.log["seconds"]})
