"""An optimizer race on the seed's loss surface: the runs, as plain functions.

A :class:`Racecourse` holds the quadratic (``∇L(θ) = H θ − c`` exactly, ``L − L*`` exactly) and
runs the hand-written updates of :mod:`linreg_utils.optimizers` (each equal to its
``torch.optim`` twin, see the tests) on NumPy arrays, remembering each ``(optimizer, lr)`` run
so that a widget moving one slider reruns one racer. :func:`race` is the one-call version.
The figures and the widget that show a race live in :mod:`linreg_utils.viz.race_view`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ._checks import finite_number, positive_finite, positive_int, xy_columns
from .optimizers import ZOO
from .theory import design_matrix, eigenbasis, mse_hessian
from .trajectory import DIVERGENCE_FACTOR

RACERS = tuple(ZOO)
"""The optimizers that can race, in the order of the lesson."""

DEFAULT_LRS = {"SGD": 0.02, "SGD + momentum": 0.02, "Nesterov": 0.01, "Adagrad": 1.0,
               "RMSprop": 0.01, "Adam": 0.1, "AdamW": 0.1, "LBFGS": 1.0}
"""A learning rate per optimizer that runs well on the raw seed data (chosen by trying)."""

START = (-0.5, 3.0)
"""Where every racer starts, ``(w0, b0)``: up the long, flat valley of the raw problem."""

FINISH_TOL = 1e-8
"""The race's finish line: a racer has finished once its loss stays within this of ``L*``."""


@dataclass(frozen=True)
class RaceResult:
    """One racer's run: ``path`` ``(k + 1, 2)`` of ``(w, b)``, ``gaps`` ``(k + 1,)`` = loss − optimum.

    If the run diverged (loss non-finite or above ``DIVERGENCE_FACTOR`` × its start), the arrays
    stop before that step and ``diverged_at`` is the step.
    """

    name: str
    lr: float
    path: np.ndarray
    gaps: np.ndarray
    diverged_at: int | None

    def settles_within(self, tol: float = FINISH_TOL) -> int | None:
        """First step from which the loss stays within ``tol`` of the optimum, or None if never."""
        above = np.flatnonzero(self.gaps > positive_finite("tol", tol))
        if self.diverged_at is not None or (above.size and above[-1] == len(self.gaps) - 1):
            return None
        return int(above[-1]) + 1 if above.size else 0


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
        self.optimum = np.array(basis.optimum)  # (2,)
        # ∇L(θ) = H θ − c with c = 2/n Aᵀy, exactly (the loss is a quadratic). Near θ* the two
        # terms cancel to rounding noise (~1e-15), as autograd's gradient does.
        self.c = 2.0 / len(xc) * (design_matrix(xc).T @ yc)[:, 0].numpy()
        self._runs: dict[tuple[str, float, int], RaceResult] = {}

    def gaps(self, path: np.ndarray) -> np.ndarray:
        """``L(θ) − L* = ½ dᵀ H d`` with ``d = θ − θ*`` for each row of ``path`` ``(k, 2)``: ``(k,)``."""
        d = path - self.optimum
        return 0.5 * np.einsum("ki,ij,kj->k", d, self.hessian, d)

    def run(self, name: str, lr: float, steps: int) -> RaceResult:
        """``steps`` steps of optimizer ``name`` at ``lr`` from the start (remembered per ``(name, lr)``)."""
        key = (_check_name(name), positive_finite(f"lrs[{name!r}]", lr), positive_int("steps", steps))
        if key not in self._runs:
            self._runs[key] = self._race_one(*key)
        return self._runs[key]

    def _race_one(self, name: str, lr: float, steps: int) -> RaceResult:
        update, _, extra = ZOO[name]
        theta, state, h, c = np.array(self.start), {}, self.hessian, self.c
        path = np.empty((steps + 1, 2))
        path[0] = theta
        with np.errstate(all="ignore"):
            for k in range(1, steps + 1):
                theta = update(theta, h @ theta - c, state, lr=lr, **extra)
                path[k] = theta
                if k % 16 == 0 and not np.isfinite(theta).all():
                    path[k + 1:] = np.nan
                    break
            gaps = self.gaps(path)
        limit = DIVERGENCE_FACTOR * max(gaps[0], 1e-300)
        bad = np.flatnonzero(~(np.isfinite(gaps) & (gaps <= limit)))
        end = int(bad[0]) if bad.size else steps + 1
        return RaceResult(name, lr, path[:end], gaps[:end], end if bad.size else None)


def race(x: torch.Tensor, y: torch.Tensor, lrs: dict[str, float], steps: int = 300,
         start: tuple[float, float] = START) -> dict[str, RaceResult]:
    """Run each optimizer named in ``lrs`` (name → learning rate) for ``steps`` steps, in float64.

    ``x, y``: ``(n, 1)``. Uses the hand-written updates fed with the exact gradient ``H θ − c``.
    """
    course = Racecourse(x, y, start)
    return {_check_name(name): course.run(name, lr, steps) for name, lr in lrs.items()}


def readout(results: dict[str, RaceResult], tol: float = FINISH_TOL) -> list[str]:
    """One line per racer: steps to reach the optimum, or why it did not."""
    lines = []
    for name, r in results.items():
        hit = r.settles_within(tol)
        if r.diverged_at is not None:
            verdict = f"diverged at step {r.diverged_at} (lr too large)"
        elif hit is None:
            verdict = f"not within {tol:.0e} after {len(r.gaps) - 1} steps (gap {r.gaps[-1]:.2e})"
        else:
            verdict = f"reached the optimum (gap ≤ {tol:.0e}) in {hit} steps"
        lines.append(f"{name:<15} lr={r.lr:<8.4g} {verdict}")
    return lines
