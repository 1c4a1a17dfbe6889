"""An optimizer race on the seed's loss surface: the runs, as plain functions.

A :class:`Racecourse` holds the quadratic (``∇L(θ) = H θ − c`` exactly, ``L − L*`` exactly) and
runs the hand-written updates of :mod:`linreg_utils.optimizers` (each equal to its
``torch.optim`` twin, see the tests) on NumPy arrays, remembering each ``(optimizer, lr)`` run
(a :class:`~linreg_utils.runs.Run`) so that a widget moving one slider reruns one racer.
:func:`race` is the one-call version. The figures and the widget that show a race live in
:mod:`linreg_utils.viz.race_view`.
"""

from __future__ import annotations

import numpy as np
import torch

from ._checks import finite_number, positive_finite, positive_int, xy_columns
from .data import START
from .optimizers import ZOO, lbfgs
from .runs import Run, diverged_at
from .theory import design_matrix, eigenbasis, mse_hessian, quadratic_gap

RACERS = tuple(ZOO)
"""The optimizers that can race, in the order of the lesson."""

DEFAULT_LRS = {"SGD": 0.02, "SGD + momentum": 0.02, "Nesterov": 0.01, "Adagrad": 1.0,
               "RMSprop": 0.01, "Adam": 0.1, "AdamW": 0.1, "LBFGS": 1.0}
"""A learning rate per optimizer that runs well on the raw seed data (chosen by trying)."""

FINISH_TOL = 1e-8
"""The race's finish line: a racer has finished once its loss stays within this of ``L*``."""


def two_loop_solved(grad: np.ndarray, pairs: list[tuple[np.ndarray, np.ndarray, float]],
                    gamma: float) -> np.ndarray:
    """:func:`~linreg_utils.optimizers.two_loop`'s ``H_k g`` for NumPy ``(d,)`` arrays, each loop
    as one triangular solve: the race's L-BFGS racer, rerun live by the widget, needs the speed
    (``benchmarks/bench_race_widget.py``: its lr move takes about twice as long with the plain
    loops); ``tests/test_race.py`` checks it against the plain two-loop.

    Loop 1 gives ``α_i = ρ_i (s_i·g − Σ_{j>i} α_j s_i·y_j)``, loop 2 ``β_i = ρ_i y_i·r_i`` with
    ``r_i = γ q + Σ_{j<i} (α_j − β_j) s_j``: two unit-triangular ``(m, m)`` systems in the pairs'
    inner products, solved at once instead of ``2m`` small steps.
    """
    if not pairs:
        return gamma * grad
    s, y = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])  # (m, d), oldest first
    rho = np.array([p[2] for p in pairs])  # (m,)
    sy = s @ y.T  # sy[i, j] = s_i·y_j
    alpha = _unit_triangular_solve(rho[:, None] * np.triu(sy, 1), rho * (s @ grad), upper=True)
    r0 = gamma * (grad - y.T @ alpha)
    lower = np.tril(sy.T, -1)  # y_i·s_j for j < i
    beta = _unit_triangular_solve(rho[:, None] * lower, rho * (y @ r0 + lower @ alpha), upper=False)
    return r0 + s.T @ (alpha - beta)


def _unit_triangular_solve(strict: np.ndarray, b: np.ndarray, upper: bool) -> np.ndarray:
    """``x`` with ``(I + strict) x = b``, ``strict`` ``(m, m)`` strictly triangular: O(m²) via torch."""
    a = torch.from_numpy(np.ascontiguousarray(strict))
    return torch.linalg.solve_triangular(a, torch.from_numpy(b)[:, None], upper=upper,
                                         unitriangular=True)[:, 0].numpy()


def _check_name(name: str) -> str:
    if name not in ZOO:
        raise ValueError(f"optimizer name must be one of {list(RACERS)}, got {name!r}")
    return name


class Racecourse:
    """The quadratic of ``(x, y)`` (``(n, 1)`` tensors) seen from ``start``; :meth:`run` races on it."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, start: tuple[float, float] = START) -> None:
        xc, yc = xy_columns(x, y)
        self.start = (finite_number("start[0]", start[0]), finite_number("start[1]", start[1]))
        basis = eigenbasis(xc, yc, *self.start)
        self.hessian = mse_hessian(xc).numpy()  # (2, 2)
        self.optimum, self.optimum_loss = np.array(basis.optimum), basis.optimum_loss  # (2,), L*
        # ∇L(θ) = H θ − c with c = 2/n Aᵀy, exactly (the loss is a quadratic). Near θ* the two
        # terms cancel to rounding noise (~1e-15), as autograd's gradient does.
        self.c = 2.0 / len(xc) * (design_matrix(xc).T @ yc)[:, 0].numpy()
        self._runs: dict[tuple[str, float, int], Run] = {}

    def gaps(self, path: np.ndarray) -> np.ndarray:
        """``L(θ) − L*`` for each row of ``path`` ``(k, 2)``: ``(k,)``, by :func:`.theory.quadratic_gap`."""
        return quadratic_gap(path - self.optimum, self.hessian)

    def run(self, name: str, lr: float, steps: int) -> Run:
        """``steps`` steps of optimizer ``name`` at ``lr`` from the start (remembered per ``(name, lr)``)."""
        key = (_check_name(name), positive_finite(f"lrs[{name!r}]", lr), positive_int("steps", steps))
        if key not in self._runs:
            self._runs[key] = self._race_one(*key)
        return self._runs[key]

    def _race_one(self, name: str, lr: float, steps: int) -> Run:
        update, _, extra = ZOO[name]
        if update is lbfgs:
            extra = {**extra, "apply_inverse": two_loop_solved}
        theta, state, h, c = np.array(self.start), {}, self.hessian, self.c
        path = np.empty((steps + 1, 2))
        path[0] = theta
        with np.errstate(all="ignore"):  # a diverging racer ends in inf or nan
            for k in range(1, steps + 1):
                theta = update(theta, h @ theta - c, state, lr=lr, **extra)
                path[k] = theta
            gaps = self.gaps(path)
        losses = self.optimum_loss + gaps
        stop = diverged_at(losses)
        end = steps + 1 if stop is None else stop + 1
        return Run(losses=losses[:end], path=path[:end], gaps=gaps[:end], optimum=self.optimum,
                   optimum_loss=self.optimum_loss, lr=lr, name=name, diverged_at=stop)


def race(x: torch.Tensor, y: torch.Tensor, lrs: dict[str, float], steps: int = 300,
         start: tuple[float, float] = START) -> dict[str, Run]:
    """Run each optimizer named in ``lrs`` (name → learning rate) for ``steps`` steps, in float64.

    ``x, y``: ``(n, 1)``. Uses the hand-written updates fed with the exact gradient ``H θ − c``.
    """
    course = Racecourse(x, y, start)
    return {_check_name(name): course.run(name, lr, steps) for name, lr in lrs.items()}


def readout(results: dict[str, Run], tol: float = FINISH_TOL, ranked: bool = False) -> list[str]:
    """One line per racer: the gradient evaluations it needed to finish (one per step: every racer,
    L-BFGS included, evaluates one gradient per step), or why it did not finish.

    ``ranked``: finishers first, fewest evaluations first, then the rest in their given order.
    """
    lines, order = [], []
    for name, r in results.items():
        hit = r.settles_within(tol)
        if r.diverged_at is not None:
            verdict = f"diverged at step {r.diverged_at} (lr too large)"
        elif hit is None:
            verdict = f"not within {tol:.0e} after {r.steps} evaluations (gap {r.gaps[-1]:.2e})"
        else:
            verdict = f"finished (gap ≤ {tol:.0e} from then to step {r.steps}) after {hit} evaluations"
        lines.append(f"{name:<15} lr={r.lr:<8.4g} {verdict}")
        order.append((r.diverged_at is not None or hit is None, hit or 0))
    if ranked:
        lines = [line for _, line in sorted(zip(order, lines, strict=True), key=lambda pair: pair[0])]
    return lines
