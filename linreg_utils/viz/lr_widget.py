"""The learning-rate widget of lesson 02: plain functions that compute what it shows, and a thin view.

The view is a log-scale slider for the learning rate ``η`` and a choice of step count, above one
figure with three panels (drawn by :mod:`.lr_panels`, legends below them): the loss gap
``L(θ_k) − L*`` (log scale) against its theoretical bound, the fitted line over the data, and the
``(w, b)`` path on the loss contours. Every move recomputes the run in closed form
(:func:`linreg_utils.trajectory.gd_trajectory`) and updates the existing artists' data in place.
Everything the view shows comes from functions that tests call directly.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable

import torch

from .._checks import finite_number, positive_finite, positive_int, xy_columns
from ..runs import DIVERGENCE_FACTOR, Run
from ..theory import REACH_TOL, gd_factors, predicted_steps
from ..trajectory import gd_trajectory
from .lr_panels import LR_RANGE, LrScale, draw_lr_panels, lr_scale, show_run

STEP_CHOICES = (100, 1_000, 10_000, 100_000)
"""The step counts the widget offers; 100,000 is the seed tutorial's."""


def readout_text(run: Run, scale: LrScale, tol: float = REACH_TOL,
                 predicted: float | None = None) -> str:
    """What the readout says about ``run``, as plain text (one or two sentences).

    Divergent runs say "diverges" and why; convergent ones give the rate, whether the fast
    direction oscillates, and the step at which the loss came within ``tol`` of the optimum.
    """
    tol = positive_finite("tol", tol)
    lr = run.lr
    slow, fast = gd_factors(lr, [scale.lam_min, scale.lam_max])
    rate = max(abs(fast), abs(slow))
    head = f"η = {lr:.3e} = {lr / scale.critical:.3f} × 2/λmax; per step the error is multiplied by "
    head += f"1 − ηλ = {slow:.5f} along the flat direction and {fast:.3f} along the steep one."
    if rate >= 1.0 or run.diverged:
        at = f" by step {run.diverged_at:,}" if run.diverged_at is not None else ""
        return (f"{head} GD diverges: |1 − ηλmax| = {abs(fast):.3f} > 1, so the steep error grows every "
                f"step; the loss passed {DIVERGENCE_FACTOR:.0e} × its start{at}. "
                f"Lower η below 2/λmax = {scale.critical:.5f}.")
    zigzag = (" The steep direction flips sign every step (1 < ηλmax < 2): GD oscillates across "
              "the valley and still converges." if fast < 0 else "")
    reached = run.first_within(tol)
    if reached is not None:
        tail = f" Reaches L* + {tol:.0e} after {reached:,} steps."
    else:
        tail = f" Not within L* + {tol:.0e} after {run.steps:,} steps"
        tail += f" (theory: at least {math.ceil(predicted):,} needed)." if predicted is not None else "."
    return f"{head}{zigzag}{tail}"


MARKER_TOP = "28px"
"""The η marker's row, below the bar: no label ever sits there, so the marker never covers one.
(Rows are placed in px: an ``em`` would follow each label's own, smaller font size.)"""


def scale_html(scale: LrScale, lr: float, width_px: int = 520) -> str:
    """An HTML bar under the slider: the range in log scale, green where GD converges and red
    where it diverges, with ticks at the optimal and critical η and a marker at ``lr``.

    Rows, top to bottom: the critical label; the bar; the η marker (alone in its row); the
    range's ends and the optimal label. A label right of the middle runs leftwards from its tick.
    """
    lr = positive_finite("lr", lr)
    crit, opt, here = (100 * scale.position(v) for v in (scale.critical, scale.optimal, lr))

    def tick(pos: float, label: str, color: str, top: str) -> str:
        side = ("right" if pos > 50 else "left")
        anchor = f"right:{100 - pos:.2f}%" if side == "right" else f"left:{pos:.2f}%"
        return (f'<div style="position:absolute;{anchor};top:{top};height:14px;'
                f'border-{side}:2px solid {color};padding-{side}:3px;font-size:11px;'
                f'white-space:nowrap;color:{color}">{html.escape(label)}</div>')

    bar = (f'<div style="position:absolute;left:0;top:17px;width:100%;height:8px;border-radius:4px;'
           f'background:linear-gradient(to right,#8fd18f {crit:.2f}%,#f19999 {crit:.2f}%)"></div>')
    ends = (f'<div style="position:absolute;left:0;top:40px;font-size:11px">{scale.low:.0e}</div>'
            f'<div style="position:absolute;right:0;top:40px;font-size:11px">{scale.high:.0e}</div>')
    marks = (tick(opt, f"optimal 2/(λmin+λmax) = {scale.optimal:.4f}", "#2b7a2b", "40px")
             if opt < crit - 0.5 else "")
    marks += tick(crit, f"critical 2/λmax = {scale.critical:.4f}: diverges above", "#b22222", "0")
    marker = (f'<div style="position:absolute;left:calc({here:.2f}% - 6px);top:{MARKER_TOP};'
              f'width:0;height:0;border-left:6px solid transparent;border-right:6px solid '
              f'transparent;border-bottom:9px solid #222" title="η = {lr:.3e}"></div>')
    return (f'<div class="lr-scale" style="position:relative;width:{width_px}px;height:56px;'
            f'margin:0 0 0 110px">{bar}{ends}{marks}{marker}</div>')


def clamp_note(requested: float | None, shown: float, scale: LrScale) -> str:
    """What the view says when the slider could not show the η asked for (it clamps to its range) or
    sits at an end of its range ("" otherwise). ``requested``: the value set in the kernel, if any."""
    if requested is not None and not math.isclose(requested, shown, rel_tol=1e-9):
        return (f"η = {requested:g} is outside the slider's range {scale.low:.0e} to {scale.high:.0e}: "
                f"it shows η = {shown:.3e} instead.")
    if math.isclose(shown, scale.high, rel_tol=1e-9):
        return f"η is at the slider's largest value, {scale.high:.0e}: a larger η typed in stops here."
    if math.isclose(shown, scale.low, rel_tol=1e-9):
        return f"η is at the slider's smallest value, {scale.low:.0e}: a smaller η typed in stops here."
    return ""


def _log_slider(**kwargs: object) -> object:
    """An ipywidgets ``FloatLogSlider`` that remembers the last value asked of it (``.requested``)
    before clamping it to its range, so that the view can say it clamped. A request clamped to the
    value it already has changes nothing, so it calls ``.on_unchanged()`` (the view's update) itself."""
    import ipywidgets as widgets
    from traitlets import validate

    class LrSlider(widgets.FloatLogSlider):
        requested: float | None = None
        on_unchanged: Callable[[], None] | None = None

        @validate("value")
        def _validate_value(self, proposal: dict) -> float:
            before, self.requested = self.requested, float(proposal["value"])
            value = super()._validate_value(proposal)
            if value == self.value and self.requested != before and self.on_unchanged is not None:
                self.on_unchanged()
            return value

    return LrSlider(**kwargs)


class LrWidget:
    """The live view: ``slider`` (η, log scale), ``steps`` (a dropdown), the ``scale`` bar,
    the ``readout`` text and ``fig`` with three panels, all in ``box``."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, lr: float = 1e-3, steps: int = 1_000,
                 tol: float = REACH_TOL, lr_range: tuple[float, float] = LR_RANGE,
                 w0: float = 0.0, b0: float = 0.0) -> None:
        import ipywidgets as widgets

        from .plotting import Blitter, live_figure

        self.x, self.y = xy_columns(x, y)
        self.tol = positive_finite("tol", tol)
        self.start = (finite_number("w0", w0), finite_number("b0", b0))
        self.scale = lr_scale(self.x, lr_range)
        lr, steps = positive_finite("lr", lr), positive_int("steps", steps)
        if steps not in STEP_CHOICES:
            raise ValueError(f"steps must be one of {STEP_CHOICES}, got {steps}")
        self.slider = _log_slider(
            value=lr, base=10, min=math.log10(self.scale.low), max=math.log10(self.scale.high),
            step=0.01, description="learning rate η", readout_format=".2e", continuous_update=True,
            style={"description_width": "110px"}, layout=widgets.Layout(width="640px"))
        self.slider.requested = lr  # the η asked for, which the slider may have clamped
        self.slider.add_class("lr-slider")
        self.steps = widgets.Dropdown(options=[(f"{s:,}", s) for s in STEP_CHOICES], value=steps,
                                      description="steps", style={"description_width": "110px"})
        self.scale_bar = widgets.HTML()
        self.readout = widgets.HTML()
        self.readout.add_class("lr-readout")
        self.fig, axes = live_figure(figsize=(9.6, 4.1), ncols=3)  # legends below the panels
        self.panels = draw_lr_panels(axes, self.x, self.y, steps, self.scale, *self.start)
        self.run: Run | None = None
        self.slider.observe(self.update, names="value")
        self.steps.observe(self.update, names="value")
        self.fig.draw_without_rendering()  # lay the figure out once, then freeze it
        self.fig.set_layout_engine("none")
        p = self.panels  # titles stay fixed here (η is in the readout): text is costly to redraw
        self.blitter = Blitter(self.fig, p.moving)
        self.update()
        self.slider.on_unchanged = self.update
        self.box = widgets.VBox([self.slider, self.scale_bar, self.steps, self.readout, self.fig.canvas])
        self.box.add_class("lr-widget")

    def update(self, change: object = None) -> None:
        """Recompute the run for the current η and steps and update the figure in place."""
        steps = self.steps.value
        rescaled = steps != self.panels.steps
        if rescaled:
            self.panels.steps = steps
            self.panels.axes[0].set_xlim(0, steps)
        self.run = gd_trajectory(self.x, self.y, self.slider.value, steps, *self.start)
        show_run(self.panels, self.run, self.scale, titles=False)
        predicted = predicted_steps(self.x, self.y, self.slider.value, self.tol, *self.start)
        text = readout_text(self.run, self.scale, self.tol, predicted)
        note = clamp_note(self.slider.requested, self.slider.value, self.scale)
        self.readout.value = f"<b>{html.escape(f'{note} {text}' if note else text)}</b>"
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
              tol: float = REACH_TOL, w0: float = 0.0, b0: float = 0.0) -> LrWidget:
    """The learning-rate widget for data ``x, y`` (``(n, 1)`` tensors), GD starting at
    ``(w0, b0)``; display ``.box``."""
    return LrWidget(x, y, lr=lr, steps=steps, tol=tol, w0=w0, b0=b0)
