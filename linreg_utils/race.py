"""An optimizer race on the seed's loss surface: the runs, as plain functions.

:func:`race` runs the hand-written updates of :mod:`linreg_utils.optimizers` (each equal to its
``torch.optim`` twin, see the tests) from one start and returns a :class:`RaceResult` per
optimizer. The figure and the widget that show a race live in :mod:`linreg_utils.viz.race_view`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from ._checks import positive_finite, positive_int, xy_columns
from .optimizers import ZOO
from .theory import loss_gap, mse_hessian
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


@lru_cache(maxsize=512)
def _run(data: tuple[tuple[float, ...], tuple[float, ...]], name: str, lr: float, steps: int,
         start: tuple[float, float]) -> RaceResult:
    x = torch.tensor(data[0], dtype=torch.float64)
    y = torch.tensor(data[1], dtype=torch.float64)
    hessian = mse_hessian(x)  # the loss is a quadratic: ∇L(θ) = H θ − c, exactly
    c = 2.0 / len(x) * torch.stack([(x * y).sum(), y.sum()])
    exact_gap = loss_gap(x, y)  # L(θ) − L*, exactly
    update, _, extra = ZOO[name]
    theta, state = torch.tensor(start, dtype=torch.float64), {}
    g0 = exact_gap(*start)
    path, gaps, limit = [theta], [g0], DIVERGENCE_FACTOR * max(g0, 1e-300)
    for k in range(1, steps + 1):
        theta = update(theta, hessian @ theta - c, state, lr=lr, **extra)
        g = exact_gap(*theta.tolist()) if torch.isfinite(theta).all() else float("nan")
        if not (np.isfinite(g) and g <= limit and torch.isfinite(theta).all()):
            return RaceResult(name, lr, torch.stack(path).numpy(), np.array(gaps), k)
        path.append(theta)
        gaps.append(g)
    return RaceResult(name, lr, torch.stack(path).numpy(), np.array(gaps), None)


def race(x: torch.Tensor, y: torch.Tensor, lrs: dict[str, float], steps: int = 300,
         start: tuple[float, float] = START) -> dict[str, RaceResult]:
    """Run each optimizer named in ``lrs`` (name → learning rate) for ``steps`` steps, in float64.

    ``x, y``: ``(n, 1)``. Uses the hand-written updates fed with the exact gradient ``H θ − c``
    (results are cached, so moving one slider reruns one racer).
    """
    xc, yc = xy_columns(x, y)
    steps = positive_int("steps", steps)
    data = (tuple(xc[:, 0].tolist()), tuple(yc[:, 0].tolist()))
    start = (float(start[0]), float(start[1]))
    return {_check_name(name): _run(data, name, positive_finite(f"lrs[{name!r}]", lr), steps, start)
            for name, lr in lrs.items()}


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
