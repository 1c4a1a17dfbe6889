"""The learning-rate widget of lesson 02: plain functions that compute what it shows, and a thin view.

The view is a log-scale slider for the learning rate ``η`` and a choice of step count, above one
figure with three panels: the loss gap ``L(θ_k) − L*`` (log scale) against its theoretical
bound, the fitted line over the data, and the ``(w, b)`` path on the loss contours. Every move
recomputes the run in closed form (:func:`linreg_utils.trajectory.gd_trajectory`) and updates the existing
artists' data in place. Everything the view shows comes from functions that tests call directly.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from .._checks import positive_finite, positive_int, xy_columns
from ..theory import REACH_TOL, closed_form_fit, hessian_eigenvalues, predicted_steps
from ..trajectory import DIVERGENCE_FACTOR, Trajectory, gd_trajectory
from .plotting import draw_loss_contours

LR_RANGE = (1e-4, 1e-1)
"""The slider's range of learning rates (log scale)."""
STEP_CHOICES = (100, 1_000, 10_000, 100_000)
"""The step counts the widget offers; 100,000 is the seed tutorial's."""
GAP_LIM = (1e-12, 1e8)
"""Fixed y-range of the loss-gap panel, so a slider move never rescales the axes."""
MAX_POINTS = 1_500
"""At most this many points per drawn line: every early step, then geometrically spaced ones."""
PATH_HEAD = 10
"""The path panel joins the first this-many steps with a line ..."""
PATH_MARKS = 40
"""... and marks about this many later steps, evenly spaced, without joining them (joined, a
zig-zag of a thousand steps fills the valley with a solid band)."""


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
    lam_min, lam_max = hessian_eigenvalues(x)
    return LrScale(low, high, 2.0 / lam_max, 2.0 / (lam_min + lam_max), lam_min, lam_max)


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

    ``stride ≈ steps / marks`` is odd, so a run that flips sign every step shows both sides of
    its zig-zag. Both are int arrays; the last step is always in ``marked`` (or ``joined``).
    """
    steps, marks = positive_int("steps", steps), positive_int("marks", marks)
    head = min(positive_int("head", head), steps)
    joined = np.arange(head + 1)
    stride = max(1, steps // marks) | 1
    marked = np.unique(np.r_[np.arange(head + stride, steps + 1, stride), steps])
    return joined, marked[marked > head]


def readout_text(run: Trajectory, scale: LrScale, tol: float = REACH_TOL,
                 predicted: float | None = None) -> str:
    """What the readout says about ``run``, as plain text (one or two sentences).

    Divergent runs say "diverges" and why; convergent ones give the rate, whether the fast
    direction oscillates, and the step at which the loss came within ``tol`` of the optimum.
    """
    tol = positive_finite("tol", tol)
    lr = run.lr
    fast, slow = 1.0 - lr * scale.lam_max, 1.0 - lr * scale.lam_min
    rate = max(abs(fast), abs(slow))
    head = f"η = {lr:.3e} = {lr / scale.critical:.3f} × 2/λmax; per step the error shrinks by "
    head += f"1 − ηλ = {slow:.5f} (slow direction) and {fast:.3f} (steep direction)."
    if rate >= 1.0 or run.diverged:
        at = f" by step {run.diverged_at:,}" if run.diverged_at is not None else ""
        return (f"{head} GD diverges: |1 − ηλmax| = {abs(fast):.3f} > 1, so the error grows every "
                f"step; the loss passed {DIVERGENCE_FACTOR:.0e} × its start{at}. "
                f"Lower η below 2/λmax = {scale.critical:.5f}.")
    zigzag = (" The steep direction flips sign every step (1 < ηλmax < 2): GD oscillates across "
              "the valley and still converges." if fast < 0 else "")
    reached = run.first_within(tol)
    if reached is not None:
        tail = f" Reaches L* + {tol:.0e} after {reached:,} steps."
    else:
        tail = f" Not within L* + {tol:.0e} after {run.steps:,} steps"
        tail += f" (theory: about {math.ceil(predicted):,} needed)." if predicted is not None else "."
    return f"{head}{zigzag}{tail}"


def scale_html(scale: LrScale, lr: float, width_px: int = 520) -> str:
    """An HTML bar under the slider: the range in log scale, green where GD converges and red
    where it diverges, with ticks at the optimal and critical η and a marker at ``lr``."""
    lr = positive_finite("lr", lr)
    crit, opt, here = (100 * scale.position(v) for v in (scale.critical, scale.optimal, lr))

    def tick(pos: float, label: str, color: str, top: str) -> str:
        return (f'<div style="position:absolute;left:{pos:.2f}%;top:{top};height:1.1em;'
                f'border-left:2px solid {color};padding-left:3px;font-size:11px;white-space:nowrap;'
                f'color:{color}">{html.escape(label)}</div>')

    bar = (f'<div style="position:absolute;left:0;top:1.3em;width:100%;height:8px;border-radius:4px;'
           f'background:linear-gradient(to right,#8fd18f {crit:.2f}%,#f19999 {crit:.2f}%)"></div>')
    ends = (f'<div style="position:absolute;left:0;top:2.6em;font-size:11px">{scale.low:.0e}</div>'
            f'<div style="position:absolute;right:0;top:2.6em;font-size:11px">{scale.high:.0e}</div>')
    # The critical label sits above the bar, the optimal one (shown when distinct) below it.
    marks = (tick(opt, f"optimal 2/(λmin+λmax) = {scale.optimal:.4f}", "#2b7a2b", "2.6em")
             if opt < crit - 0.5 else "")
    marks += tick(crit, f"critical 2/λmax = {scale.critical:.4f}: diverges above", "#b22222", "0")
    marker = (f'<div style="position:absolute;left:calc({here:.2f}% - 6px);top:1.05em;width:0;height:0;'
              f'border-left:6px solid transparent;border-right:6px solid transparent;'
              f'border-top:9px solid #222" title="η = {lr:.3e}"></div>')
    return (f'<div class="lr-scale" style="position:relative;width:{width_px}px;height:4em;'
            f'margin:0 0 0 110px">{bar}{ends}{marks}{marker}</div>')


@dataclass
class LrPanels:
    """The artists of the three panels that a slider move updates in place."""

    axes: list[Axes]
    gap: Line2D
    bound: Line2D
    line: Line2D
    path: Line2D
    later: Line2D
    end: Line2D
    warning: Text
    steps: int


def default_limits(x: torch.Tensor, y: torch.Tensor, w0: float = 0.0, b0: float = 0.0,
                   ) -> tuple[tuple[float, float], tuple[float, float]]:
    """``(w_lim, b_lim)`` framing the start and the optimum with a margin, for the path panel."""
    w_star, b_star = closed_form_fit(x, y)
    dw, db = max(abs(w0 - w_star), 0.1), max(abs(b0 - b_star), 0.1)
    return (w_star - 1.6 * dw, w_star + 1.6 * dw), (b_star - 1.6 * db, b_star + 1.6 * db)


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

    (gap,) = ax_gap.plot([], [], color="tab:blue", lw=1.6, label=r"measured $L(\theta_k) - L^*$")
    (bound,) = ax_gap.plot([], [], "--", color="tab:orange", lw=1.2, label=r"bound $\rho^{2k}\,(L_0 - L^*)$")
    ax_gap.axhline(tol, color="gray", lw=0.8, ls=":", label=f"tolerance {tol:.0e}")
    ax_gap.set(yscale="log", ylim=GAP_LIM, xlim=(0, steps), xlabel="step k",
               ylabel=r"$L(\theta_k) - L^*$  (MSE)", title="loss gap")
    if legend:
        ax_gap.legend(loc="lower left", fontsize=7)
    warning = ax_gap.text(0.5, 0.55, "", transform=ax_gap.transAxes, ha="center", va="center",
                          color="#b22222", fontsize=11, fontweight="bold")

    grid = np.array([0.0, 1.08 * xv.max()])
    ax_line.plot(xv, yv, "o", color="tab:red", ms=4, label="data (15 points)" if len(xv) == 15 else "data")
    ax_line.plot(grid, w_star * grid + b_star, "--", color="gray", lw=1, label="least squares")
    (line,) = ax_line.plot([], [], color="tab:blue", lw=1.8, label="GD after the last step")
    pad = 0.4 * (yv.max() - yv.min())
    ax_line.set(xlim=tuple(grid), ylim=(min(0.0, yv.min() - pad), yv.max() + pad), xlabel="x",
                ylabel="y", title="fitted line")
    if legend:
        ax_line.legend(loc="upper left", fontsize=7)

    w_lim, b_lim = default_limits(x, y, w0, b0)
    draw_loss_contours(ax_path, x, y, w_lim, b_lim, levels=10, resolution=120)
    (path,) = ax_path.plot([], [], "-o", color="tab:blue", lw=0.8, ms=2.5,
                           label=f"GD path, first {PATH_HEAD} steps")
    (later,) = ax_path.plot([], [], "o", color="tab:blue", ms=2.5, mfc="none", mew=0.8,
                            label=f"later steps ({PATH_MARKS}, evenly spaced)")
    (end,) = ax_path.plot([], [], "s", color="black", ms=5, label="last step")
    ax_path.plot([w0], [b0], "^", color="tab:green", ms=7, ls="none", label="start")
    ax_path.set_title("path on the loss contours")
    if legend:
        ax_path.legend(loc="upper right", fontsize=7)
    return LrPanels(list(axes), gap, bound, line, path, later, end, warning, steps)


def show_run(panels: LrPanels, run: Trajectory, scale: LrScale, titles: bool = True) -> None:
    """Put ``run`` into the panels' artists (``set_data``, and the titles unless ``titles`` is
    False); draws nothing itself."""
    idx = display_indices(len(run.losses))
    k = idx.astype(float)
    panels.gap.set_data(k, np.clip(run.gaps[idx], GAP_LIM[0] / 10, None))
    rate = max(abs(1.0 - run.lr * scale.lam_min), abs(1.0 - run.lr * scale.lam_max))
    k_all = np.linspace(0, panels.steps, 200)
    log_bound = np.log10(max(run.gaps[0], 1e-300)) + 2 * k_all * np.log10(max(rate, 1e-300))
    panels.bound.set_data(k_all, 10.0 ** np.clip(log_bound, -300, 300))
    grid = np.asarray(panels.line.axes.get_xlim())
    w_last, b_last = run.weights[-1], run.biases[-1]
    panels.line.set_data(grid, w_last * grid + b_last)
    joined, marked = path_indices(run.steps)
    panels.path.set_data(run.weights[joined], run.biases[joined])
    panels.later.set_data(run.weights[marked], run.biases[marked])
    panels.end.set_data([w_last], [b_last])
    if titles:
        ratio = run.lr / scale.critical
        panels.axes[0].set_title(f"loss gap, η = {run.lr:.2e} = {ratio:.3f} × 2/λmax")
        panels.axes[1].set_title(f"fitted line after {run.steps:,} steps")
    panels.warning.set_text(
        f"diverges: η > 2/λmax\n(stopped at step {run.diverged_at:,})" if run.diverged else "")


def lr_grid(x: torch.Tensor, y: torch.Tensor, lrs: list[float], steps: int = 1_000,
            w0: float = 0.0, b0: float = 0.0) -> Figure:
    """The static twin of the widget: one row of the three panels per learning rate in ``lrs``
    (legends in the first row only)."""
    import matplotlib.pyplot as plt

    if not lrs:
        raise ValueError("lrs must list at least one learning rate, got an empty list")
    scale = lr_scale(x)
    fig, rows = plt.subplots(len(lrs), 3, figsize=(13, 3.4 * len(lrs)), layout="constrained",
                             squeeze=False)
    for i, (row, lr) in enumerate(zip(rows, lrs, strict=True)):
        panels = draw_lr_panels(list(row), x, y, steps, scale, w0, b0, legend=i == 0)
        show_run(panels, gd_trajectory(x, y, lr, steps, w0, b0), scale)
    return fig


class LrWidget:
    """The live view: ``slider`` (η, log scale), ``steps`` (a dropdown), the ``scale`` bar,
    the ``readout`` text and ``fig`` with three panels, all in ``box``."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, lr: float = 1e-3, steps: int = 1_000,
                 tol: float = REACH_TOL, lr_range: tuple[float, float] = LR_RANGE) -> None:
        import ipywidgets as widgets

        from .plotting import Blitter, live_figure

        self.x, self.y = xy_columns(x, y)
        self.tol = positive_finite("tol", tol)
        self.scale = lr_scale(self.x, lr_range)
        lr, steps = positive_finite("lr", lr), positive_int("steps", steps)
        if steps not in STEP_CHOICES:
            raise ValueError(f"steps must be one of {STEP_CHOICES}, got {steps}")
        self.slider = widgets.FloatLogSlider(
            value=lr, base=10, min=math.log10(self.scale.low), max=math.log10(self.scale.high),
            step=0.01, description="learning rate η", readout_format=".2e", continuous_update=True,
            style={"description_width": "110px"}, layout=widgets.Layout(width="640px"))
        self.slider.add_class("lr-slider")
        self.steps = widgets.Dropdown(options=[(f"{s:,}", s) for s in STEP_CHOICES], value=steps,
                                      description="steps", style={"description_width": "110px"})
        self.scale_bar = widgets.HTML()
        self.readout = widgets.HTML()
        self.readout.add_class("lr-readout")
        self.fig, axes = live_figure(figsize=(9.6, 3.4), ncols=3)
        self.panels = draw_lr_panels(axes, self.x, self.y, steps, self.scale)
        self.run: Trajectory | None = None
        self.slider.observe(self.update, names="value")
        self.steps.observe(self.update, names="value")
        self.fig.draw_without_rendering()  # lay the figure out once, then freeze it
        self.fig.set_layout_engine("none")
        p = self.panels  # titles stay fixed here (η is in the readout): text is costly to redraw
        self.blitter = Blitter(self.fig, [p.gap, p.bound, p.line, p.path, p.later, p.end,
                                          p.warning])
        self.update()
        self.box = widgets.VBox([self.slider, self.scale_bar, self.steps, self.readout, self.fig.canvas])
        self.box.add_class("lr-widget")

    def update(self, change: object = None) -> None:
        """Recompute the run for the current η and steps and update the figure in place."""
        steps = self.steps.value
        rescaled = steps != self.panels.steps
        if rescaled:
            self.panels.steps = steps
            self.panels.axes[0].set_xlim(0, steps)
        self.run = gd_trajectory(self.x, self.y, self.slider.value, steps)
        show_run(self.panels, self.run, self.scale, titles=False)
        predicted = predicted_steps(self.x, self.y, self.slider.value, self.tol)
        text = readout_text(self.run, self.scale, self.tol, predicted)
        self.readout.value = f"<b>{html.escape(text)}</b>"
        self.scale_bar.value = scale_html(self.scale, self.slider.value)
        if rescaled:
            self.blitter.invalidate()  # new axis ticks: the saved background is stale
        else:
            self.blitter.update()  # only the moving artists are redrawn

    @property
    def readout_plain(self) -> str:
        """The readout without its HTML markup."""
        return html.unescape(self.readout.value.removeprefix("<b>").removesuffix("</b>"))


def lr_widget(x: torch.Tensor, y: torch.Tensor, lr: float = 1e-3, steps: int = 1_000,
              tol: float = REACH_TOL) -> LrWidget:
    """The learning-rate widget for data ``x, y`` (``(n, 1)`` tensors); display ``.box``."""
    return LrWidget(x, y, lr=lr, steps=steps, tol=tol)
