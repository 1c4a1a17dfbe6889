"""The three panels of lesson 02's learning-rate view: loss gap, fitted line, path on the contours.

Plain functions: :func:`draw_lr_panels` draws what never moves and empty artists for what does,
:func:`show_run` puts one closed-form run into those artists, and :func:`lr_grid` stacks one
labelled row per learning rate (the static twin of the widget in :mod:`.lr_widget`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .._checks import positive_finite, positive_int
from ..runs import Run
from ..theory import (
    REACH_TOL,
    closed_form_fit,
    critical_lr,
    gd_factors,
    hessian_eigenvalues,
    optimal_lr,
)
from ..trajectory import gd_trajectory
from .plotting import draw_loss_contours

LR_RANGE = (1e-4, 1e-1)
"""The slider's range of learning rates (log scale)."""
GAP_LIM = (1e-12, 1e8)
"""Fixed y-range of the loss-gap panel, so a slider move never rescales the axes."""
MAX_POINTS = 1_500
"""At most this many points per drawn line: every early step, then geometrically spaced ones."""
PATH_HEAD = 10
"""The path panel joins the first this-many steps with a line ..."""
PATH_MARKS = 40
"""... and marks about this many later steps, an even stride apart, joined by a thin line (all steps
joined, a zig-zag of a thousand steps would fill the valley with a solid band; an even stride keeps
one side of it)."""
EARLY_LINES = 6
"""A diverging run's line panel shows the fitted lines of at most this many first steps."""


@dataclass(frozen=True)
class LrScale:
    """The marks on the slider's range: ``critical = 2/λmax`` and ``optimal = 2/(λmin+λmax)``."""

    low: float
    high: float
    critical: float
    optimal: float
    lam_min: float
    lam_max: float

    def position(self, lr: float) -> float:
        """Where ``lr`` sits on the log-scale range, as a fraction in [0, 1] (clipped)."""
        frac = (math.log10(lr) - math.log10(self.low)) / (math.log10(self.high) - math.log10(self.low))
        return min(max(frac, 0.0), 1.0)


def lr_scale(x: torch.Tensor, lr_range: tuple[float, float] = LR_RANGE) -> LrScale:
    """The slider's range and its marks for data ``x``: ``(n, 1)`` tensor."""
    low, high = positive_finite("lr_range[0]", lr_range[0]), positive_finite("lr_range[1]", lr_range[1])
    if not low < high:
        raise ValueError(f"lr_range must be (low, high) with low < high, got {lr_range}")
    return LrScale(low, high, critical_lr(x), optimal_lr(x), *hessian_eigenvalues(x))


def display_indices(n: int, max_points: int = MAX_POINTS) -> np.ndarray:
    """Indices into ``n`` points to draw: all of them if few, else every early one and a
    geometric thinning of the rest (the last point is always kept). Returns an int array."""
    n, max_points = positive_int("n", n), positive_int("max_points", max_points)
    if n <= max_points:
        return np.arange(n)
    head = max_points // 3
    tail = np.geomspace(head, n - 1, max_points - head).astype(int)
    return np.unique(np.concatenate([np.arange(head), tail, [n - 1]]))


def path_indices(steps: int, head: int = PATH_HEAD, marks: int = PATH_MARKS,
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``(joined, marked)`` step indices for the path panel of a run of ``steps`` steps: steps
    ``0..head`` (drawn as a line), then every ``stride``-th step up to the last (markers only).

    ``stride ≈ steps / marks`` is even: a run that flips sign every step is marked on one side of
    its zig-zag only, so the marks trace where that side goes (an odd stride alternates sides and
    the marks draw an arc that no step follows); the joined first steps show the zig-zag itself.
    Both are int arrays; the last step is always in ``marked`` (or ``joined``).
    """
    steps, marks = positive_int("steps", steps), positive_int("marks", marks)
    head = min(positive_int("head", head), steps)
    joined = np.arange(head + 1)
    stride = max(2, 2 * round(steps / marks / 2))
    marked = np.unique(np.r_[np.arange(head + stride, steps + 1, stride), steps])
    return joined, marked[marked > head]


def first_outside(xs: np.ndarray, ys: np.ndarray, xlim: tuple[float, float],
                  ylim: tuple[float, float]) -> int | None:
    """Index of the first point ``(xs[i], ys[i])`` outside the box ``xlim × ylim``, or None."""
    inside = (xs >= xlim[0]) & (xs <= xlim[1]) & (ys >= ylim[0]) & (ys <= ylim[1])
    return int(np.argmin(inside)) if not inside.all() else None


@dataclass
class LrPanels:
    """The artists of the three panels that a slider move updates in place."""

    axes: list[Axes]
    gap: Line2D
    bound: Line2D
    line: Line2D
    early: Line2D
    path: Line2D
    later: Line2D
    end: Line2D
    warning: Text
    line_note: Text
    path_note: Text
    steps: int

    @property
    def moving(self) -> list:
        """Every artist :func:`show_run` changes (what a blitting view redraws)."""
        return [self.gap, self.bound, self.line, self.early, self.path, self.later, self.end,
                self.warning, self.line_note, self.path_note]


def default_limits(x: torch.Tensor, y: torch.Tensor, w0: float = 0.0, b0: float = 0.0,
                   ) -> tuple[tuple[float, float], tuple[float, float]]:
    """``(w_lim, b_lim)`` framing the start and the optimum with a margin, for the path panel: a
    square (both spans equal), since the panel shows ``w`` and ``b`` on equal scales.

    The margin in ``w`` is wide enough for a zig-zag near ``2/λmax``, whose first steps
    overshoot the optimum by about as much as the start lies on the other side of it.
    """
    w_star, b_star = closed_form_fit(x, y)
    dw, db = max(abs(w0 - w_star), 0.1), max(abs(b0 - b_star), 0.1)
    half = max(2.8 * dw, 1.6 * db)  # one span for both: the panel is drawn with equal scales
    return (w_star - half, w_star + half), (b_star - half, b_star + half)


def _legend_below(ax: Axes, ncols: int = 1) -> None:
    """The panel's legend under its x label, outside the axes: no run's line or path, wherever a
    slider sends it, can pass behind it."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), ncols=ncols, fontsize=7, frameon=False)


def _step_ticks(ax: Axes) -> None:
    """At most 6 whole-number ticks on the step axis, written 20k, 40k, ... from 10,000 steps on,
    so that the labels of a 100,000-step axis do not run into each other."""
    ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _: f"{v / 1000:g}k" if ax.get_xlim()[1] >= 10_000 and v else f"{v:g}"))


def _note(ax: Axes) -> Text:
    return ax.text(0.5, 0.04, "", transform=ax.transAxes, ha="center", va="bottom", fontsize=8,
                   color="#b22222", bbox=dict(boxstyle="round", fc="white", ec="#b22222", alpha=0.9))


def draw_lr_panels(axes: list[Axes], x: torch.Tensor, y: torch.Tensor, steps: int,
                   scale: LrScale, w0: float = 0.0, b0: float = 0.0, tol: float = REACH_TOL,
                   legend: bool = True) -> LrPanels:
    """Draw what does not move (data, contours, optimum, tolerance) on three axes, and empty
    artists for what does; :func:`show_run` fills them. ``x, y``: ``(n, 1)`` tensors."""
    if len(axes) != 3:
        raise ValueError(f"axes must hold 3 axes (loss, line, path), got {len(axes)}")
    steps = positive_int("steps", steps)
    ax_gap, ax_line, ax_path = axes
    xv, yv = x.detach().double()[:, 0].numpy(), y.detach().double()[:, 0].numpy()
    w_star, b_star = closed_form_fit(x, y)

    (gap,) = ax_gap.plot([], [], color="tab:blue", lw=1.6, label=r"$L(\theta_k) - L^*$ (exact, closed form)")
    (bound,) = ax_gap.plot([], [], "--", color="tab:orange", lw=1.2, label=r"bound $\rho^{2k}\,(L_0 - L^*)$")
    ax_gap.axhline(tol, color="gray", lw=0.8, ls=":", label=f"tolerance {tol:.0e}")
    ax_gap.set(yscale="log", ylim=GAP_LIM, xlim=(0, steps), xlabel="step k",
               ylabel=r"$L(\theta_k) - L^*$  (MSE)", title="loss gap")
    _step_ticks(ax_gap)
    if legend:
        _legend_below(ax_gap)
    warning = ax_gap.text(0.5, 0.55, "", transform=ax_gap.transAxes, ha="center", va="center",
                          color="#b22222", fontsize=11, fontweight="bold")

    grid = np.array([0.0, 1.08 * xv.max()])
    ax_line.plot(xv, yv, "o", color="tab:red", ms=4, label="data (15 points)" if len(xv) == 15 else "data")
    ax_line.plot(grid, w_star * grid + b_star, "--", color="gray", lw=1, label="least squares")
    (line,) = ax_line.plot([], [], color="tab:blue", lw=1.8, label="GD after the last step")
    (early,) = ax_line.plot([], [], color="tab:purple", lw=1, alpha=0.6)
    pad = 0.4 * (yv.max() - yv.min())
    ax_line.set(xlim=tuple(grid), ylim=(min(0.0, yv.min() - pad), yv.max() + pad), xlabel="x",
                ylabel="y", title="fitted line")
    if legend:
        _legend_below(ax_line)

    w_lim, b_lim = default_limits(x, y, w0, b0)
    draw_loss_contours(ax_path, x, y, w_lim, b_lim, levels=10, resolution=120)
    ax_path.set_aspect("equal")  # equal scales: steps cross contours at right angles
    ax_path.lines[0].set_zorder(3)  # the optimum's star: under the path's marks, which end near it
    (path,) = ax_path.plot([], [], "-o", color="tab:blue", lw=0.8, ms=2.5, zorder=4,
                           label=f"GD path, first {PATH_HEAD} steps")
    (later,) = ax_path.plot([], [], "-o", color="tab:orange", lw=0.6, ms=4.5, mec="black", mew=0.6, zorder=5,
                            label=f"later steps (about {PATH_MARKS}, an even stride apart)")
    (end,) = ax_path.plot([], [], "s", mfc="none", mec="black", mew=1.5, ms=9, zorder=6, label="last step")
    ax_path.plot([w0], [b0], "^", color="tab:green", ms=7, ls="none", label="start")
    ax_path.set_title("path on the loss contours")
    if legend:
        _legend_below(ax_path, ncols=2)
    return LrPanels(list(axes), gap, bound, line, early, path, later, end, warning,
                    _note(ax_line), _note(ax_path), steps)


def _show_diverged(panels: LrPanels, run: Run) -> None:
    """A diverging run: the first fitted lines until one leaves the line panel, the path until
    it leaves the contour panel, and a note in each saying when that happened."""
    ax_line, ax_path = panels.axes[1], panels.axes[2]
    grid = np.asarray(ax_line.get_xlim())
    ys = run.weights[:, None] * grid + run.biases[:, None]  # (k + 1, 2): each step's line at the ends
    ylim = ax_line.get_ylim()
    visible = (ys.min(axis=1) <= ylim[1]) & (ys.max(axis=1) >= ylim[0])  # crosses the panel
    left = np.flatnonzero(~visible)
    gone = int(left[0]) if left.size else None
    shown = np.arange(1, min(run.steps if gone is None else gone - 1, EARLY_LINES) + 1)
    segments = np.column_stack([ys[shown], np.full(len(shown), np.nan)]).ravel()
    panels.early.set_data(np.tile(np.r_[grid, np.nan], len(shown)), segments)
    panels.line.set_data([], [])
    drawn = {0: "", 1: "step 1 drawn; "}.get(len(shown), f"steps 1–{len(shown)} drawn; ")
    panels.line_note.set_text(drawn + ("" if gone is None else f"at step {gone} the line left the plot\n"
                                       f"(w = {run.weights[gone]:.2g}, b = {run.biases[gone]:.2g})"))
    exit_at = first_outside(run.weights, run.biases, ax_path.get_xlim(), ax_path.get_ylim())
    last = run.steps if exit_at is None else exit_at
    panels.path.set_data(run.weights[: last + 1], run.biases[: last + 1])
    panels.later.set_data([], [])
    panels.end.set_data([], [])
    panels.path_note.set_text(f"the path left the plot at step {last}" if exit_at is not None else "")


def show_run(panels: LrPanels, run: Run, scale: LrScale, titles: bool = True) -> None:
    """Put ``run`` into the panels' artists (``set_data``, and the titles unless ``titles`` is
    False); draws nothing itself."""
    idx = display_indices(len(run.losses))
    panels.gap.set_data(idx.astype(float), np.clip(run.gaps[idx], GAP_LIM[0] / 10, None))
    rate = float(np.abs(gd_factors(run.lr, [scale.lam_min, scale.lam_max])).max())
    k_all = np.linspace(0, panels.steps, 200)
    log_bound = np.log10(max(run.gaps[0], 1e-300)) + 2 * k_all * np.log10(max(rate, 1e-300))
    panels.bound.set_data(k_all, 10.0 ** np.clip(log_bound, -300, 300))
    if titles:
        ratio = run.lr / scale.critical
        panels.axes[0].set_title(f"loss gap, η = {run.lr:.2e} = {ratio:.3f} × 2/λmax")
        panels.axes[1].set_title("fitted line: the first steps" if run.diverged
                                 else f"fitted line after {run.steps:,} steps")
    panels.warning.set_text(
        f"diverges: η > 2/λmax\n(stopped at step {run.diverged_at:,})" if run.diverged else "")
    if run.diverged:
        _show_diverged(panels, run)
        return
    grid = np.asarray(panels.line.axes.get_xlim())
    w_last, b_last = run.weights[-1], run.biases[-1]
    panels.line.set_data(grid, w_last * grid + b_last)
    panels.early.set_data([], [])
    joined, marked = path_indices(run.steps)
    panels.path.set_data(run.weights[joined], run.biases[joined])
    marked = np.r_[joined[-1], marked] if marked.size else marked  # joined from the head's last step on
    panels.later.set_data(run.weights[marked], run.biases[marked])
    panels.end.set_data([w_last], [b_last])
    panels.line_note.set_text("")
    panels.path_note.set_text("")


def lr_grid(x: torch.Tensor, y: torch.Tensor, lrs: list[float], steps: int = 1_000,
            w0: float = 0.0, b0: float = 0.0, labels: list[str] | None = None) -> Figure:
    """The static twin of the widget: one row of the three panels per learning rate in ``lrs``,
    each row titled by ``labels[i]`` (default: the lr; prefixed "row i ·" when there are several),
    legends under the first row only."""
    import matplotlib.pyplot as plt

    if not lrs:
        raise ValueError("lrs must list at least one learning rate, got an empty list")
    labels = [f"η = {lr:.3g}" for lr in lrs] if labels is None else list(labels)
    if len(labels) != len(lrs):
        raise ValueError(f"labels must hold one title per lr ({len(lrs)}), got {len(labels)}")
    scale = lr_scale(x)
    heights = [1.3] + [1.0] * (len(lrs) - 1)  # the first row also holds the legends, below it
    fig = plt.figure(figsize=(13, 3.7 * sum(heights)), layout="constrained")
    rows = np.atleast_1d(fig.subfigures(len(lrs), 1, height_ratios=heights))
    for i, (sub, lr) in enumerate(zip(rows, lrs, strict=True)):
        title = labels[i] if len(lrs) == 1 else f"row {i + 1} · {labels[i]}"  # "row 1" of one row: no
        sub.suptitle(title, x=0.01, ha="left", fontweight="bold")
        panels = draw_lr_panels(list(sub.subplots(1, 3)), x, y, steps, scale, w0, b0, legend=i == 0)
        show_run(panels, gd_trajectory(x, y, lr, steps, w0, b0), scale)
    return fig
