"""Second order at scale: Newton-CG (Hessian-free) next to ``torch.optim.LBFGS`` and Adam.

Newton-CG never forms the Hessian. Each outer step solves ``(H + μI) p = −∇L`` approximately
by a few conjugate-gradient iterations, each one Hessian-vector product (:func:`cg_direction`),
stops early if it meets negative curvature (``dᵀHd ≤ 0``: the model has no bottom that way),
then backtracks along ``p`` until the loss drops enough (Armijo). Every run is recorded by how
much work it did: forward passes (loss values), gradients (backward passes), Hessian-vector
products, and wall-clock seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from ._checks import positive_finite, positive_int
from .curvature import LossFn, hvp, loss_and_gradient


def cg_direction(hv: Callable[[torch.Tensor], torch.Tensor], grad: torch.Tensor, iters: int = 10,
                 damping: float = 0.0, rtol: float = 1e-3) -> tuple[torch.Tensor, int]:
    """``(p, k)``: ``p ≈ −(H + μI)⁻¹ grad`` after ``k ≤ iters`` CG steps, each one call ``hv(d) = Hd``."""
    p, r = torch.zeros_like(grad), -grad
    d, rr = r.clone(), r @ r
    for k in range(1, iters + 1):
        hd = hv(d) + damping * d
        curvature = d @ hd
        if curvature <= 0:  # negative curvature: keep what we have (or the gradient step)
            return (p if k > 1 else -grad), k
        alpha = rr / curvature
        p, r = p + alpha * d, r - alpha * hd
        rr, rr_old = r @ r, rr
        if rr.sqrt() < rtol * grad.norm():
            return p, k
        d = r + (rr / rr_old) * d
    return p, iters


@dataclass(frozen=True)
class SolverRun:
    """One optimizer's run, one row per outer step: ``(k,)`` arrays of cumulative work done.

    ``losses`` is the loss after each step; ``forwards`` counts loss evaluations that came
    without a gradient (line-search trials), ``gradients`` loss + gradient evaluations,
    ``hvps`` Hessian-vector products, ``seconds`` wall-clock time.
    """

    name: str
    losses: np.ndarray
    forwards: np.ndarray
    gradients: np.ndarray
    hvps: np.ndarray
    seconds: np.ndarray

    def first_below(self, target: float) -> int:
        """Index of the first step whose loss is ≤ ``target``; −1 if none is."""
        hits = np.flatnonzero(self.losses <= target)
        return int(hits[0]) if hits.size else -1


class _Recorder:
    """Collects one row of cumulative counts per outer step."""

    def __init__(self) -> None:
        self.forwards = self.gradients = self.hvps = 0
        self.rows: list[tuple[float, int, int, int, float]] = []
        self.start = time.perf_counter()

    def record(self, value: float) -> None:
        self.rows.append((value, self.forwards, self.gradients, self.hvps, time.perf_counter() - self.start))

    def run(self, name: str) -> SolverRun:
        cols = [np.array(c) for c in zip(*self.rows, strict=True)]
        return SolverRun(name, *cols)


def newton_cg(loss: LossFn, theta0: torch.Tensor, steps: int, cg_iters: int = 10, damping: float = 1e-3,
              target: float = 0.0) -> SolverRun:
    """Hessian-free Newton: ``steps`` outer steps of :func:`cg_direction` plus backtracking (Armijo)."""
    steps, cg_iters = positive_int("steps", steps), positive_int("cg_iters", cg_iters)
    damping = positive_finite("damping", damping)
    theta, rec = theta0.detach().clone(), _Recorder()

    def counted_hv(d: torch.Tensor) -> torch.Tensor:
        rec.hvps += 1
        return hvp(loss, theta, d)

    for _ in range(steps):
        value, grad = loss_and_gradient(loss, theta)
        rec.gradients += 1
        p, _ = cg_direction(counted_hv, grad, cg_iters, damping)
        t, slope = 1.0, float(grad @ p)
        while t > 1e-10:
            rec.forwards += 1
            with torch.no_grad():
                trial = loss(theta + t * p).item()
            if trial <= value + 1e-4 * t * slope:
                break
            t /= 2
        theta = theta + t * p
        rec.record(trial)
        if trial <= target:
            break
    return rec.run("Newton-CG")


def torch_optimizer_run(name: str, make: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
                        loss: LossFn, theta0: torch.Tensor, steps: int, target: float = 0.0) -> SolverRun:
    """Run a ``torch.optim`` optimizer for ``steps`` calls of ``step(closure)``, counting closure calls.

    Each closure call is one loss + gradient evaluation (L-BFGS makes several per step, Adam one).
    """
    steps = positive_int("steps", steps)
    theta, rec = theta0.detach().clone().requires_grad_(), _Recorder()
    opt = make([theta])

    def closure() -> torch.Tensor:
        rec.gradients += 1
        opt.zero_grad()
        value = loss(theta)
        value.backward()
        return value

    for _ in range(steps):
        opt.step(closure)
        with torch.no_grad():
            value = loss(theta).item()   # the loss after the step, for the record only (not counted)
        rec.record(value)
        if value <= target:
            break
    return rec.run(name)
