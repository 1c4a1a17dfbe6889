"""An optimizer race on the seed's loss surface: the runs (plain functions) and a widget on top.

:func:`race` runs the hand-written updates of :mod:`linreg_utils.optimizers` (each equal to its
``torch.optim`` twin, see the tests) from one start and returns a :class:`RaceResult` per
optimizer. :func:`setup_race_axes` and :func:`show_results` draw them; the static figure
(:func:`race_figure`) and the live :class:`RaceWidget` both use these two functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ._checks import positive_finite, positive_int, xy_columns
from .optimizers import ZOO
from .plotting import draw_loss_contours
from .theory import closed_form_fit, mse_hessian
from .trajectory import DIVERGENCE_FACTOR

RACERS = tuple(ZOO)
"""The optimizers that can race, in the order of the lesson."""

DEFAULT_LRS = {"SGD": 0.02, "SGD + momentum": 0.02, "Nesterov": 0.01, "Adagrad": 1.0,
               "RMSprop": 0.01, "Adam": 0.1, "AdamW": 0.1, "LBFGS": 1.0}
"""A learning rate per optimizer that runs well on the raw seed data (chosen by trying)."""

START = (-0.5, 3.0)
"""Where every racer starts, ``(w0, b0)``: up the long, flat valley of the raw problem."""

TOL = 1e-8
"""A racer has "reached the optimum" once its loss stays within this of the least-squares loss."""

COLORS = dict(zip(RACERS, plt.get_cmap("tab10").colors, strict=False))


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

    def steps_to_reach(self, tol: float = TOL) -> int | None:
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
    optimum = torch.tensor(closed_form_fit(x, y), dtype=torch.float64)
    gap = lambda t: 0.5 * (t - optimum) @ hessian @ (t - optimum)  # noqa: E731  L(θ) − L*, exactly
    update, _, extra = ZOO[name]
    theta, state = torch.tensor(start, dtype=torch.float64), {}
    path, gaps, limit = [theta], [gap(theta).item()], DIVERGENCE_FACTOR * max(gap(theta).item(), 1e-300)
    for k in range(1, steps + 1):
        theta = update(theta, hessian @ theta - c, state, lr=lr, **extra)
        g = gap(theta).item()
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


def readout(results: dict[str, RaceResult], tol: float = TOL) -> list[str]:
    """One line per racer: steps to reach the optimum, or why it did not."""
    lines = []
    for name, r in results.items():
        hit = r.steps_to_reach(tol)
        if r.diverged_at is not None:
            verdict = f"diverged at step {r.diverged_at} (lr too large)"
        elif hit is None:
            verdict = f"not within {tol:.0e} after {len(r.gaps) - 1} steps (gap {r.gaps[-1]:.2e})"
        else:
            verdict = f"reached the optimum (gap ≤ {tol:.0e}) in {hit} steps"
        lines.append(f"{name:<15} lr={r.lr:<8.4g} {verdict}")
    return lines


def setup_race_axes(ax_path: Axes, ax_loss: Axes, x: torch.Tensor, y: torch.Tensor,
                    steps: int, start: tuple[float, float] = START) -> dict[str, tuple[Line2D, Line2D]]:
    """Draw contours and empty axes; return name → (path line, loss line), one per racer."""
    w_star, b_star = closed_form_fit(x, y)
    draw_loss_contours(ax_path, x, y, (w_star - 1.3, w_star + 1.3), (b_star - 4.0, b_star + 4.0))
    ax_path.plot(*start, "ko", markersize=5, label="start")
    ax_path.set_title("Paths on the loss surface (raw x, κ≈379)")
    ax_path.legend(loc="lower left", fontsize=7)
    ax_loss.set(yscale="log", xlim=(0, steps), ylim=(1e-12, 1e3), xlabel="step k",
                ylabel=r"$L(\theta_k) - L^*$", title="Loss gap to the optimum")
    ax_loss.axhline(TOL, color="gray", linestyle=":", linewidth=1, label=f"finish line {TOL:.0e}")
    lines = {}
    for name in RACERS:
        (p,) = ax_path.plot([], [], "-", color=COLORS[name], linewidth=1.0, marker=".", markersize=2,
                            alpha=0.8, label=name)
        (g,) = ax_loss.plot([], [], "-", color=COLORS[name], linewidth=1.4, label=name)
        lines[name] = (p, g)
    return lines


def show_results(lines: dict[str, tuple[Line2D, Line2D]], results: dict[str, RaceResult]) -> None:
    """Put each result's path and loss gaps into its lines; hide the racers not in ``results``."""
    for name, (p, g) in lines.items():
        r = results.get(name)
        p.set_visible(r is not None)
        g.set_visible(r is not None)
        if r is not None:
            p.set_data(r.path[:, 0], r.path[:, 1])
            g.set_data(np.arange(len(r.gaps)), np.maximum(r.gaps, 1e-300))


def _legend(ax_loss: Axes, results: dict[str, RaceResult], ax_path: Axes | None = None) -> None:
    """Legends listing only the racers shown: on the loss axes and, if given, on the paths axes."""
    handles = [h for h in ax_loss.get_lines()
               if h.get_label() in results or h.get_label().startswith("finish")]
    ax_loss.legend(handles=handles, fontsize=7, loc="upper right")
    if ax_path is not None:
        markers = [h for h in ax_path.get_lines() if h.get_label() in ("optimum (least squares)", "start")]
        handles = markers + [h for h in ax_path.get_lines() if h.get_label() in results]
        ax_path.legend(handles=handles, fontsize=7, loc="lower left")


def race_figure(x: torch.Tensor, y: torch.Tensor, lrs: dict[str, float], steps: int = 300) -> Figure:
    """The static race figure: paths (left) and loss gaps (right) for the chosen ``lrs``."""
    results = race(x, y, lrs, steps)
    fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    lines = setup_race_axes(ax_path, ax_loss, x, y, steps)
    show_results(lines, results)
    _legend(ax_loss, results, ax_path)
    return fig


class RaceWidget:
    """Checkboxes and log-lr sliders per optimizer, a steps slider, one live figure and a readout."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, chosen: tuple[str, ...] = ("SGD", "Adam", "LBFGS"),
                 steps: int = 300) -> None:
        import ipywidgets as W

        from .plotting import live_figure

        self.x, self.y = x, y
        self.checks = {n: W.Checkbox(value=n in chosen, description=n, indent=False,
                                     layout=W.Layout(width="160px")) for n in RACERS}
        self.sliders = {n: W.FloatLogSlider(value=DEFAULT_LRS[n], base=10, min=-3, max=1, step=0.05,
                                            description="lr", readout_format=".3g",
                                            layout=W.Layout(width="300px")) for n in RACERS}
        self.steps = W.IntSlider(value=steps, min=10, max=1000, step=10, description="steps")
        self.text = W.HTML()
        self.fig, (self.ax_path, self.ax_loss) = live_figure(figsize=(9.6, 4.0), ncols=2)
        self.lines = setup_race_axes(self.ax_path, self.ax_loss, x, y, steps)
        for control in [*self.checks.values(), *self.sliders.values(), self.steps]:
            control.observe(lambda _change: self.update(), names="value")
        rows = [W.HBox([self.checks[n], self.sliders[n]]) for n in RACERS]
        controls = W.VBox([*rows, self.steps])
        self.box = W.VBox([controls, self.text, self.fig.canvas])  # readout lines need the width
        self.box.add_class("race-widget")
        self.text.add_class("race-readout")
        self.update()

    def chosen_lrs(self) -> dict[str, float]:
        """name → lr of the ticked optimizers."""
        return {n: self.sliders[n].value for n in RACERS if self.checks[n].value}

    def update(self) -> None:
        """Rerun the changed racers and redraw lines, legend and readout in place."""
        self.results = race(self.x, self.y, self.chosen_lrs(), self.steps.value)
        show_results(self.lines, self.results)
        self.ax_loss.set_xlim(0, self.steps.value)
        _legend(self.ax_loss, self.results, self.ax_path)
        self.text.value = "<pre>" + "\n".join(readout(self.results)) + "</pre>"
        self.fig.canvas.draw_idle()
