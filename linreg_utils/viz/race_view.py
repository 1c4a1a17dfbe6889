"""The optimizer race drawn: small multiples for reading, and a live widget that blits.

:func:`race_panels` is the static figure: one small path panel per optimizer (the optimum drawn
on top) and one wide panel with every loss gap (steps linear, then log: L-BFGS's first steps and the
slow racers' hundreds both show; the oscillating momentum racers thin and behind the rest).
:class:`RaceWidget` overlays the ticked racers on
one path panel and one loss panel; its figure is drawn once, a control change reruns at most
one racer (:class:`linreg_utils.race.Racecourse` remembers the others) and redraws only the
lines, never the contours, ticks or legend (every racer has its legend entry from the start).
"""

from __future__ import annotations

import html
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..data import START
from ..race import DEFAULT_LRS, FINISH_TOL, RACERS, Racecourse, readout
from ..runs import Run
from ..theory import closed_form_fit
from .plotting import draw_loss_contours

COLORS = dict(zip(RACERS, plt.get_cmap("tab10").colors, strict=False))
GAP_LIM = (1e-16, 1e3)
"""Fixed y-range of the loss panels (gaps below 1e-16 are drawn at its floor)."""


def _limits(x: torch.Tensor, y: torch.Tensor) -> tuple[tuple[float, float], tuple[float, float]]:
    w_star, b_star = closed_form_fit(x, y)
    return (w_star - 1.3, w_star + 1.3), (b_star - 4.0, b_star + 4.0)


def _optimum_on_top(ax: Axes, x: torch.Tensor, y: torch.Tensor) -> Line2D:
    (star,) = ax.plot([closed_form_fit(x, y)[0]], [closed_form_fit(x, y)[1]], "*", color="tab:red",
                      mec="white", mew=0.8, ms=15, zorder=10, label="optimum (least squares)")
    return star


STEP_LINEAR_UP_TO = 10
"""The loss panels' step axis is linear up to this step, then logarithmic: L-BFGS's few steps and the
slow racers' hundreds both stay readable."""


def draw_gap_axes(ax: Axes, steps: int) -> None:
    """The loss-gap panel's fixed frame: log gap, step axis linear then log, finish line, labels.

    Each racer costs one gradient evaluation per step (the hand-written L-BFGS has no line search),
    so the step axis counts evaluations too.
    """
    ax.set_xscale("symlog", linthresh=STEP_LINEAR_UP_TO, linscale=0.6)
    ticks = [k for k in (0, 2, 4, 6, 8, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000) if k <= steps]
    ax.set_xticks(ticks, [str(k) for k in ticks])
    ax.set(yscale="log", xlim=(0, steps), ylim=GAP_LIM,
           xlabel=f"step k = gradient evaluations (log scale past {STEP_LINEAR_UP_TO})",
           ylabel=r"$L - L^*$, as $\frac{1}{2} d^\top H d$", title="loss gap to the optimum (log scale)")
    ax.axhline(FINISH_TOL, color="gray", linestyle=":", linewidth=1, label=f"finish line {FINISH_TOL:.0e}")
    if steps > STEP_LINEAR_UP_TO:  # where the step axis turns from linear to log
        ax.axvline(STEP_LINEAR_UP_TO, color="lightgray", linewidth=0.8, zorder=0)


def show_gap(line: Line2D, result: Run) -> None:
    """Put ``result``'s loss gaps into ``line`` (clipped to the panel's floor)."""
    line.set_data(np.arange(len(result.gaps)), np.maximum(result.gaps, GAP_LIM[0]))


def _line_style(name: str, lw: float = 1.5) -> dict:
    """The momentum racers zig-zag across the valley and their gaps swing by orders of magnitude
    every few steps: thin and behind the others, so that they cover no line below them."""
    if name in ("SGD + momentum", "Nesterov"):
        return {"lw": lw / 2, "zorder": 1, "alpha": 0.75}
    return {"lw": lw, "zorder": 2, "alpha": 1.0}


def verdict(result: Run, tol: float = FINISH_TOL) -> str:
    """A panel title's verdict: ``"finished in 201 steps"``, ``"diverged at …"`` or ``"not finished …"``."""
    hit = result.settles_within(tol)
    if result.diverged_at is not None:
        return f"diverged at step {result.diverged_at}"
    return f"finished in {hit} steps" if hit is not None else f"not finished in {result.steps}"


def race_panels(x: torch.Tensor, y: torch.Tensor, lrs: dict[str, float], steps: int = 500,
                start: tuple[float, float] = START) -> Figure:
    """The static race: a path panel per optimizer in ``lrs`` (name → lr), three to a row, and
    below them one wide panel with every loss gap."""
    if not lrs:
        raise ValueError("lrs must name at least one optimizer, got an empty dict")
    course = Racecourse(x, y, start)
    results = {name: course.run(name, lr, steps) for name, lr in lrs.items()}
    ncols = 3
    nrows = math.ceil(len(results) / ncols)
    fig = plt.figure(figsize=(12, 2.7 * nrows + 3.4), layout="constrained")
    grid = fig.add_gridspec(nrows + 1, ncols, height_ratios=[1] * nrows + [1.15])
    axes = [fig.add_subplot(grid[i // ncols, i % ncols]) for i in range(nrows * ncols)]
    w_lim, b_lim = _limits(x, y)
    for i, (ax, (name, r)) in enumerate(zip(axes, results.items(), strict=False)):
        draw_loss_contours(ax, x, y, w_lim, b_lim, levels=8, resolution=100)
        ax.plot(r.path[:, 0], r.path[:, 1], "-", color=COLORS[name], lw=1.0, marker=".", ms=2.5)
        ax.plot(*start, "ko", ms=5, label="start")
        _optimum_on_top(ax, x, y)
        ax.set_title(f"{name}, lr = {r.lr:g}: {verdict(r)}", fontsize=9.5)
        ax.set(xlabel="w" if i + ncols >= len(results) else "", ylabel="b")
    for ax in axes[len(results):]:
        ax.set_visible(False)
    ax_gap = fig.add_subplot(grid[nrows, :])
    draw_gap_axes(ax_gap, steps)
    for name, r in results.items():
        show_gap(ax_gap.plot([], [], color=COLORS[name], label=name, **_line_style(name))[0], r)
    ax_gap.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    return fig


class RaceWidget:
    """A checkbox and a log-lr slider per optimizer, a readout, and a two-panel live figure."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, chosen: tuple[str, ...] = ("SGD", "Adam", "LBFGS"),
                 steps: int = 300, start: tuple[float, float] = START) -> None:
        import ipywidgets as W

        from .plotting import Blitter, live_figure

        self.course, self.steps = Racecourse(x, y, start), steps
        self.checks = {n: W.Checkbox(value=n in chosen, description=n, indent=False,
                                     layout=W.Layout(width="160px")) for n in RACERS}
        self.sliders = {n: W.FloatLogSlider(value=DEFAULT_LRS[n], base=10, min=-3, max=1, step=0.05,
                                            description="lr", readout_format=".3g",
                                            layout=W.Layout(width="300px")) for n in RACERS}
        self.text = W.HTML()
        self.fig, (self.ax_path, self.ax_loss) = live_figure(figsize=(9.6, 4.4), ncols=2)  # fits a cell
        draw_loss_contours(self.ax_path, x, y, *_limits(x, y))
        self.ax_path.plot(*start, "ko", markersize=5, label="start")
        self.ax_path.set_title("paths on the loss surface (raw x, κ ≈ 379)")
        draw_gap_axes(self.ax_loss, steps)
        self.lines: dict[str, tuple[Line2D, Line2D]] = {}
        for name in RACERS:
            (p,) = self.ax_path.plot([], [], "-", color=COLORS[name], label=name, **_line_style(name, 1.2))
            (g,) = self.ax_loss.plot([], [], "-", color=COLORS[name], label=name, **_line_style(name))
            self.lines[name] = (p, g)
        star = _optimum_on_top(self.ax_path, x, y)
        # every labelled line: not the rule where the step axis turns log
        labelled = [ln for ln in self.ax_loss.get_lines() if not ln.get_label().startswith("_")]
        self.fig.legend(handles=labelled, loc="outside lower center", ncols=5, fontsize=7, frameon=False)
        self.fig.draw_without_rendering()  # every racer has its legend entry, outside the axes: drawn once
        self.fig.set_layout_engine("none")
        self.blitter = Blitter(self.fig, [*(a for pair in self.lines.values() for a in pair), star])
        for name in RACERS:
            self.checks[name].observe(lambda _c, n=name: self.update(n), names="value")
            self.sliders[name].observe(lambda _c, n=name: self.update(n), names="value")
        rows = [W.HBox([self.checks[n], self.sliders[n]]) for n in RACERS]
        self.box = W.VBox([W.VBox(rows), self.text, self.fig.canvas])
        self.box.add_class("race-widget")
        self.text.add_class("race-readout")
        for name in RACERS:
            self._show(name)
        self._refresh()

    def chosen_lrs(self) -> dict[str, float]:
        """name → lr of the ticked optimizers."""
        return {n: self.sliders[n].value for n in RACERS if self.checks[n].value}

    @property
    def results(self) -> dict[str, Run]:
        """The ticked racers' runs (remembered: reading this reruns nothing that already ran)."""
        return {n: self.course.run(n, lr, self.steps) for n, lr in self.chosen_lrs().items()}

    def _show(self, name: str) -> None:
        path_line, gap_line = self.lines[name]
        ticked = self.checks[name].value
        path_line.set_visible(ticked)
        gap_line.set_visible(ticked)
        if ticked:
            r = self.course.run(name, self.sliders[name].value, self.steps)
            path_line.set_data(r.path[:, 0], r.path[:, 1])
            show_gap(gap_line, r)

    def _refresh(self) -> None:
        self.text.value = "<pre>" + html.escape("\n".join(readout(self.results))) + "</pre>"
        self.blitter.update()

    def update(self, name: str) -> None:
        """A control of racer ``name`` changed: rerun it if needed, update its two lines, blit."""
        self._show(name)
        self._refresh()
