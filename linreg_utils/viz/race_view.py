"""The optimizer race drawn: a static figure and a live widget, both from the same two functions.

:func:`setup_race_axes` draws what never moves and one empty line per racer;
:func:`show_results` fills them from :func:`linreg_utils.race.race`'s results.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..race import DEFAULT_LRS, FINISH_TOL, RACERS, START, RaceResult, race, readout
from ..theory import closed_form_fit
from .plotting import draw_loss_contours

COLORS = dict(zip(RACERS, plt.get_cmap("tab10").colors, strict=False))


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
    ax_loss.axhline(FINISH_TOL, color="gray", linestyle=":", linewidth=1,
                    label=f"finish line {FINISH_TOL:.0e}")
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
