"""One record for every run, one divergence policy, and the one ``torch.optim`` training loop.

* :class:`Run` is what every run in this package returns — a closed-form trajectory, a real
  ``torch.optim`` loop, a racer, a simulation: one entry per step, step 0 the start.
  "Never reached" is always ``None``.
* :func:`diverged_at` is the divergence policy, the only one: a run has diverged at the first
  step whose loss is not finite or above :data:`DIVERGENCE_FACTOR` × its starting loss. A loop
  that stops on divergence keeps that step as its last entry.
* :func:`train` is the training loop — ``zero_grad → loss → backward → step`` through
  ``optimizer.step(closure)``, so L-BFGS works too — with the record kept. :func:`optimize`
  runs it on a loss of one flat parameter vector, :func:`line_runs` runs float64
  ``torch.optim.SGD`` on the line's MSE for several learning rates in one loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ._checks import finite_number, positive_finite, positive_int, xy_columns
from .theory import REACH_TOL, closed_form_fit, design_matrix, mse

DIVERGENCE_FACTOR = 1e6
"""A run has diverged once its loss is above this many times its starting loss (or not finite)."""

LossFn = Callable[[torch.Tensor], torch.Tensor]


def _limit(start: float | np.ndarray) -> np.ndarray:
    """The policy's bound for a run that started at loss ``start``: ``DIVERGENCE_FACTOR × start``
    (nan if the start is not finite, so that every loss of that run counts as diverged)."""
    start = np.asarray(start, float)
    return np.where(np.isfinite(start), DIVERGENCE_FACTOR * np.maximum(start, np.finfo(float).tiny), np.nan)


def _beyond(loss: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """The policy, elementwise: ``loss`` is not finite or above ``limit`` (nan and inf compare False)."""
    return ~(np.asarray(loss) <= limit)


def diverged_at(losses: Sequence[float] | np.ndarray) -> int | None:
    """The first step ``k`` whose loss is not finite or above ``DIVERGENCE_FACTOR × losses[0]``;
    None if the run never diverged. ``losses``: ``(k + 1,)``, step 0 first."""
    losses = np.asarray(losses, float)
    hits = np.flatnonzero(_beyond(losses, _limit(losses[0]))) if losses.size else []
    return int(hits[0]) if len(hits) else None


def settles_within(values: Sequence[float] | np.ndarray, tol: float) -> int | None:
    """First step from which ``values`` ``(k + 1,)`` stays ≤ ``tol`` to the end; None if its last
    entry is above (or not finite)."""
    above = np.flatnonzero(~(np.asarray(values, float) <= positive_finite("tol", tol)))
    if above.size and above[-1] == len(values) - 1:
        return None
    return int(above[-1]) + 1 if above.size else 0


@dataclass(frozen=True)
class Run:
    """One optimizer run, one entry per step: step 0 is the start, step ``k`` the point after ``k`` steps.

    ``losses``: ``(k + 1,)`` the loss at each step's parameters; ``path``: ``(k + 1, d)`` those
    parameters (for a line, columns ``w`` and ``b``), None where not kept; ``gaps``: ``(k + 1,)``
    ``L − L*`` where the optimum is known, else None; ``optimum`` ``(d,)`` and ``optimum_loss``:
    ``θ*`` and ``L*`` where known. ``lr``, ``name``: what ran. ``diverged_at``: the step at which
    :func:`diverged_at` fired, else None. ``reached_at``: the step at which the loop met the goal
    it was stopped at (a tolerance), else None. ``log``: further records by name, e.g.
    ``"evaluations"`` (loss and gradient evaluations so far, ``(k + 1,)``), ``"seconds"``,
    ``"grads"`` (``∇L(θ_k)``, ``(k + 1, d)``), ``"grad_sq"`` (``‖∇L‖²``), ``"lr"``, ``"momentum"``.
    """

    losses: np.ndarray
    path: np.ndarray | None = None
    gaps: np.ndarray | None = None
    optimum: np.ndarray | None = None
    optimum_loss: float | None = None
    lr: float | None = None
    name: str = ""
    diverged_at: int | None = None
    reached_at: int | None = None
    log: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """Number of steps recorded (``len(losses) - 1``)."""
        return len(self.losses) - 1

    @property
    def diverged(self) -> bool:
        """Whether the run diverged (:func:`diverged_at` fired)."""
        return self.diverged_at is not None

    @property
    def weights(self) -> np.ndarray:
        """``w`` at each step, ``(k + 1,)`` (a line's path: ``path[:, 0]``)."""
        return self.path[:, 0]

    @property
    def biases(self) -> np.ndarray:
        """``b`` at each step, ``(k + 1,)`` (a line's path: ``path[:, 1]``)."""
        return self.path[:, 1]

    @property
    def distances(self) -> np.ndarray:
        """``‖θ_k − θ*‖`` at each step, ``(k + 1,)``."""
        if self.path is None or self.optimum is None:
            raise ValueError("this run keeps no path or optimum to measure distances from")
        return np.linalg.norm(self.path - np.asarray(self.optimum), axis=1)

    def first_within(self, tol: float) -> int | None:
        """First step whose gap ``L − L*`` is ≤ ``tol``; None if none is.

        On a convex quadratic GD's loss never rises again once it converges, so for a converging
        GD run this is also the step from which it stays within ``tol`` (momentum: see
        :meth:`settles_within`).
        """
        if self.gaps is None:
            raise ValueError("this run has no gaps (the optimum is unknown): use first_below")
        hits = np.flatnonzero(np.asarray(self.gaps) <= positive_finite("tol", tol))  # nan compares False
        return int(hits[0]) if hits.size else None

    def settles_within(self, tol: float) -> int | None:
        """First step from which the gap stays ≤ ``tol`` to the end; None if it does not (or diverged)."""
        if self.gaps is None:
            raise ValueError("this run has no gaps (the optimum is unknown)")
        return None if self.diverged else settles_within(self.gaps, tol)

    def first_below(self, level: float) -> int | None:
        """First step whose loss is ≤ ``level``; None if none is."""
        hits = np.flatnonzero(self.losses <= float(level))
        return int(hits[0]) if hits.size else None

    def rises(self) -> np.ndarray:
        """``(r,)`` the steps ``k`` after which the loss went up: ``losses[k + 1] > losses[k]``."""
        return np.flatnonzero(np.diff(self.losses) > 0)


def _flat(params: list[torch.Tensor]) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in params])


def train(loss_fn: Callable[[], torch.Tensor], params: Iterable[torch.Tensor],
          optimizer: torch.optim.Optimizer, steps: int, *, scheduler: Any = None,
          until: Callable[[], bool] | None = None, stop_on_divergence: bool = True, name: str = "") -> Run:
    """The training loop: ``steps`` times ``optimizer.step(closure)``, the closure being
    ``zero_grad → loss_fn() → backward``; every step recorded.

    ``loss_fn()``: the loss at the current parameters — a scalar, or one loss per run ``(m,)``
    for ``m`` independent runs in one loop (their sum is differentiated, so each run gets its
    own gradient). ``params``: the tensors ``optimizer`` updates. Records for ``k = 0 … steps``
    the loss at ``θ_k`` (the evaluation step ``k + 1`` starts from: the closure's first call
    reuses it, so nothing is evaluated twice; the last, after the last step, is one more),
    ``θ_k`` (``path``, the parameters flattened) and in ``log``: ``"evaluations"`` (closure
    calls by ``optimizer.step`` so far), ``"grads"`` (``∇L(θ_k)``, flattened like ``path``), ``"grad_sq"``,
    ``"seconds"``, ``"lr"`` and, where the
    optimizer has one, ``"momentum"`` (of its first parameter group, the values step ``k + 1``
    uses). ``scheduler`` is stepped after each step (``ReduceLROnPlateau`` with that step's loss).
    Stops early once the run diverged (:func:`diverged_at`; ``m`` runs: once all have) unless
    ``stop_on_divergence`` is False, or once ``until()`` is True (checked at the start and after
    each step; ``reached_at`` is then that step).
    """
    params, steps = list(params), positive_int("steps", steps)
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
    calls, pending = 0, None
    losses, path, evaluations, seconds, lrs, momenta = [], [], [], [], [], []

    def total(loss: torch.Tensor) -> torch.Tensor:  # what is differentiated: m runs' losses summed
        return loss if loss.dim() == 0 else loss.sum()

    def evaluate() -> torch.Tensor:
        optimizer.zero_grad()
        loss = loss_fn()
        total(loss).backward()
        return loss

    def closure() -> torch.Tensor:
        nonlocal calls, pending
        calls += 1
        loss, pending = (pending, None) if pending is not None else (evaluate(), None)
        return total(loss)

    start, reached, limit, gone = time.perf_counter(), None, None, None
    for k in range(steps + 1):
        loss = evaluate()  # at θ_k: forward and backward
        group = optimizer.param_groups[0]
        losses.append(loss.detach().reshape(-1).tolist())
        # θ_k and ∇L(θ_k) in one flat tensor; split after the loop
        grads = [torch.zeros_like(p) if p.grad is None else p.grad for p in params]
        path.append(torch.cat([p.detach().reshape(-1) for p in params] + [g.reshape(-1) for g in grads]))
        evaluations.append(calls)
        seconds.append(time.perf_counter() - start)
        lrs.append(group.get("lr"))
        momenta.append(group.get("momentum"))
        if until is not None and until():
            reached = k
            break
        if stop_on_divergence:  # once every run has diverged (m runs: each since its own step)
            limit = _limit(losses[0]) if limit is None else limit
            gone = _beyond(losses[-1], limit) | (False if gone is None else gone)
            if gone.all():
                break
        if k == steps:
            break
        pending = loss
        optimizer.step(closure)
        if plateau:
            scheduler.step(float(total(loss.detach())))
        elif scheduler is not None:
            scheduler.step()
    losses = np.array(losses)  # (k + 1, m)
    size = sum(p.numel() for p in params)
    path, grads = torch.stack(path).split([size, size], dim=1)
    grad_sq = (grads.double() ** 2).sum(dim=1)
    log = {"evaluations": np.array(evaluations), "seconds": np.array(seconds),
           "grads": grads.double().cpu().numpy(), "grad_sq": grad_sq.cpu().numpy(),
           "lr": np.array(lrs, dtype=float)}
    if None not in momenta:
        log["momentum"] = np.array(momenta, dtype=float)
    single = losses.shape[1] == 1
    return Run(losses=losses[:, 0] if single else losses, path=path.double().cpu().numpy(),
               lr=lrs[0], name=name, diverged_at=diverged_at(losses[:, 0]) if single else None,
               reached_at=reached, log=log)


def optimize(make_optimizer: Callable[[list[torch.Tensor]], torch.optim.Optimizer], loss_fn: LossFn,
             theta0: torch.Tensor, steps: int, *, make_scheduler: Callable[[Any], Any] | None = None,
             until: Callable[[torch.Tensor], bool] | None = None, name: str = "") -> Run:
    """:func:`train` on ``loss_fn(θ)`` of one flat float64 parameter vector ``θ``, from ``theta0`` ``(d,)``.

    ``make_optimizer``: builds it from the parameter list, e.g. ``lambda p: torch.optim.SGD(p, lr=0.1)``;
    ``make_scheduler``: builds a scheduler from the optimizer; ``until(θ)``: stop once True.
    """
    if not isinstance(theta0, torch.Tensor) or theta0.dim() != 1:
        raise TypeError(f"theta0 must be a 1-D torch.Tensor, got {theta0!r}")
    theta = theta0.detach().to(torch.float64).clone().requires_grad_(True)
    optimizer = make_optimizer([theta])
    scheduler = make_scheduler(optimizer) if make_scheduler is not None else None
    return train(lambda: loss_fn(theta), [theta], optimizer, steps, scheduler=scheduler,
                 until=None if until is None else (lambda: until(theta.detach())), name=name)


def line_runs(x: torch.Tensor, y: torch.Tensor, lrs: Sequence[float], steps: int,
              starts: Sequence[tuple[float, float]] = ((0.0, 0.0),)) -> list[Run]:
    """Float64 ``torch.optim.SGD`` on ``mean((w x + b − y)**2)``, one run per ``lrs[i]``, in one loop.

    ``x, y``: ``(n, 1)`` tensors; ``starts``: one ``(w0, b0)`` per run, or a single one for all.
    Runs with different lrs are parameters ``θ = [w, b]`` in parameter groups of their own; runs
    sharing one lr are the rows of one ``(m, 2)`` parameter. One backward pass of the summed
    losses gives each run its own gradient, so the runs are independent. Every
    step is run, as torch ran it: a diverged run's record goes on past its ``diverged_at``.
    Each :class:`Run` has ``gaps`` = its measured loss − ``L*``.
    """
    xc, yc = xy_columns(x, y)
    lrs = [positive_finite(f"lrs[{i}]", lr) for i, lr in enumerate(lrs)]
    if not lrs:
        raise ValueError("lrs must list at least one learning rate, got none")
    starts = list(starts)
    if len(starts) not in (1, len(lrs)):
        raise ValueError(f"starts must hold 1 or len(lrs) = {len(lrs)} pairs (w0, b0), got {len(starts)}")
    starts = [(finite_number("w0", w), finite_number("b0", b)) for w, b in starts] * (
        len(lrs) if len(starts) == 1 else 1)
    if len(set(lrs)) == 1:  # one lr: the runs are the rows of one (m, 2) parameter
        leaves = [torch.tensor(starts, dtype=torch.float64, requires_grad=True)]
        optimizer = torch.optim.SGD(leaves, lr=lrs[0])
    else:  # one (2,) parameter per run, each in a parameter group of its own lr
        leaves = [torch.tensor(s, dtype=torch.float64, requires_grad=True) for s in starts]
        optimizer = torch.optim.SGD([{"params": [t], "lr": lr} for t, lr in zip(leaves, lrs, strict=True)])

    def per_run() -> torch.Tensor:  # (m,): each run's MSE
        theta = leaves[0] if len(leaves) == 1 else torch.stack(leaves)  # (m, 2)
        return ((xc * theta[:, 0] + theta[:, 1] - yc) ** 2).mean(dim=0)

    run = train(per_run, leaves, optimizer, steps, stop_on_divergence=False)
    w_star, b_star = closed_form_fit(xc, yc)
    loss_star = mse(xc, yc, w_star, b_star)
    losses, path = run.losses.reshape(len(run.losses), -1), run.path.reshape(len(run.losses), -1, 2)
    return [Run(losses=losses[:, i], path=path[:, i], gaps=losses[:, i] - loss_star,
                optimum=np.array([w_star, b_star]), optimum_loss=loss_star, lr=lr,
                diverged_at=diverged_at(losses[:, i]), log={"seconds": run.log["seconds"]})
            for i, lr in enumerate(lrs)]


RANGE_TEST_RISE = 4.0
"""The range test's stopping rule (fast.ai's): the loss "turns up" once it is this many times its
lowest so far."""


def lr_range_test(loss_fn: LossFn, theta0: torch.Tensor, lr_min: float = 1e-4, lr_max: float = 10.0,
                  steps: int = 200) -> Run:
    """The learning-rate range test: one short SGD run whose lr grows geometrically.

    Float64 ``torch.optim.SGD`` on ``loss_fn(θ)`` from ``theta0`` ``(d,)``, under
    ``ExponentialLR(γ)`` with ``γ = (lr_max / lr_min)^(1/steps)``: step ``k`` uses
    ``lr_min · γ^k``, so step ``steps`` uses ``lr_max``. Stops once the run diverges
    (:func:`diverged_at`); ``run.log["lr"]`` holds each step's lr. Read it with :func:`range_test_turn`.
    """
    lr_min, lr_max = positive_finite("lr_min", lr_min), positive_finite("lr_max", lr_max)
    if lr_max <= lr_min:
        raise ValueError(f"lr_max must exceed lr_min, got lr_min={lr_min}, lr_max={lr_max}")
    steps = positive_int("steps", steps)
    gamma = (lr_max / lr_min) ** (1 / steps)
    return optimize(lambda p: torch.optim.SGD(p, lr=lr_min), loss_fn, theta0, steps,
                    make_scheduler=lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=gamma))


def range_test_turn(run: Run, rise: float = RANGE_TEST_RISE) -> tuple[float, float]:
    """``(lr where the loss was lowest, lr where it turned up)`` of a :func:`lr_range_test` run.

    "Turned up": the first step whose loss is above ``rise`` × the lowest loss so far; the lowest
    point is searched before that step. Raises ``ValueError`` if the loss never turned up (raise
    ``lr_max``).
    """
    losses, lrs = np.asarray(run.losses, dtype=float), np.asarray(run.log["lr"], dtype=float)
    up = np.flatnonzero(~(losses <= rise * np.minimum.accumulate(losses)))
    if up.size == 0:
        raise ValueError("the range test's loss never turned up: run it to a larger lr_max")
    turn = int(up[0])
    return float(lrs[int(np.argmin(losses[:turn]))]), float(lrs[turn])


def line_reach_steps(x: torch.Tensor, y: torch.Tensor, lr: float, starts: np.ndarray,
                     tol: float = REACH_TOL, max_steps: int = 100_000) -> np.ndarray:
    """Measured: the first step at which float64 gradient descent on the line's MSE is within
    ``tol`` of ``L*``, for every start in ``starts`` ``(m, 2)`` at once: ``(m,)`` int, ``-1`` where
    not within ``max_steps``.

    One tensor ``θ`` ``(m, 2)``, one row per run; each step is ``θ ← θ − η ∇L(θ)`` with the gradient
    ``∇L = 2/n · Aᵀ(Aθ − y)`` per row (the formula autograd computes, without its overhead: one
    loop serves thousands of starts in a few seconds). ``x, y``: ``(n, 1)`` tensors.
    """
    xc, yc = xy_columns(x, y)
    lr, tol = positive_finite("lr", lr), positive_finite("tol", tol)
    max_steps = positive_int("max_steps", max_steps)
    theta = torch.as_tensor(np.asarray(starts, dtype=np.float64)).clone()
    if theta.dim() != 2 or theta.shape[1] != 2 or not torch.isfinite(theta).all():
        raise ValueError(f"starts must be an (m, 2) array of finite (w0, b0), got shape {tuple(theta.shape)}")
    a = design_matrix(xc)  # (n, 2)
    loss_star = mse(xc, yc, *closed_form_fit(xc, yc))
    reached = torch.full((len(theta),), -1, dtype=torch.int64)
    for k in range(max_steps + 1):
        residual = theta @ a.T - yc.T  # (m, n)
        gap = (residual**2).mean(dim=1) - loss_star
        reached = torch.where((reached < 0) & (gap <= tol), k, reached)
        if k % 100 == 0 and bool((reached >= 0).all()):
            break
        theta -= (2.0 * lr / len(a)) * (residual @ a)
    return reached.numpy()
