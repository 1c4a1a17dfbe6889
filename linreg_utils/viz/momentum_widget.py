"""The momentum widget of lesson 04: η (log) and β sliders over three panels, and its static twin.

Panels: the ``(w, b)`` path on the loss contours; the loss gap ``L − L*`` (log scale) with each
eigen-direction's share; and the ``(ηλ, β)`` plane coloured by the rate ``ρ`` of
:func:`linreg_utils.theory.direction_rate`, with the stability edge ``ηλ = 2 + 2β``, the
critical-damping curves ``ηλ = (1 ± √β)²`` and one moving point per eigen-direction. The math is
in :mod:`linreg_utils.theory`; a move recomputes the run exactly
(:func:`linreg_utils.trajectory.gd_trajectory` with ``beta``) and blits.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from .._checks import positive_finite, positive_int, xy_columns
from ..data import START
from ..runs import Run, settles_within
from ..theory import (
    REACH_TOL,
    closed_form_fit,
    damping_band,
    direction_rate,
    direction_shares,
    eigen_errors,
    stability_edge,
)
from ..trajectory import gd_trajectory
from .plotting import draw_loss_contours

ETA_RANGE = (1e-3, 1e-1)
"""The η slider's range (log scale); 0.1·λmax ≈ 9 lies beyond every stability edge 2 + 2β ≤ 4."""
BETA_MAX = 0.99
GAP_LIM = (1e-14, 1e4)
MAP_LIM = (1e-4, 30.0)
"""The map's ``ηλ`` range (log scale)."""
PATH_JOINED = 60
"""Steps joined by a line on the path panel; later ones are marked every ``steps // 40``."""
COLORS = ("tab:green", "tab:orange")  # slow (λmin), steep (λmax) direction
RATE_LABEL = r"steps to shrink 10$^6$×: $\ln 10^{-6} / \ln\rho$ (log; pink: diverges)"
STEPS_LIM = (1.0, 1e4)
"""The map's colour range in steps to shrink 10⁶× (log): rates 0.90–0.995 span 131–2,756 steps, far
apart on this scale, where a linear scale of ``ρ`` would paint them one colour."""


@dataclass
class MomentumPanels:
    """The artists a move updates: path, loss gap and shares, the map's two points and β line."""

    path: Line2D
    later: Line2D
    end: Line2D
    gap: Line2D
    shares: list[Line2D]
    points: list[Line2D]
    beta_line: Line2D
    warning: Text

    def artists(self) -> list:
        """Every moving artist, for the blitter."""
        return [self.path, self.later, self.end, self.gap, *self.shares, *self.points,
                self.beta_line, self.warning]


def draw_stability_map(ax: Axes, resolution: int = 160, colorbar: bool = True) -> QuadMesh:
    """The ``(ηλ, β)`` plane coloured by the steps ``ln 10⁻⁶ / ln ρ`` a direction needs to shrink 10⁶×
    (log colour scale, log-x), with the stability edge and damping curves; returns the coloured mesh
    (for a colorbar shared by several maps when ``colorbar`` is False)."""
    from matplotlib.colors import LogNorm

    eta_lam = np.geomspace(*MAP_LIM, resolution)
    beta = np.linspace(0.0, BETA_MAX, resolution)
    rate = direction_rate(eta_lam[None, :], beta[:, None])
    with np.errstate(divide="ignore"):
        steps = np.clip(np.log(1e-6) / np.log(np.where(rate < 1.0, rate, np.nan)), *STEPS_LIM)
    mesh = ax.pcolormesh(eta_lam, beta, steps, cmap="viridis_r", norm=LogNorm(*STEPS_LIM),
                         shading="auto", rasterized=True)
    ax.set_facecolor("#f3d6d6")  # where ρ ≥ 1: diverges
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=RATE_LABEL, pad=0.01)
    ax.plot(stability_edge(beta), beta, color="#b22222", lw=1.5, label=r"edge $\eta\lambda = 2 + 2\beta$")
    low, high = damping_band(beta)
    ax.plot(low, beta, "w--", lw=1, label=r"critical damping $(1 \pm \sqrt{\beta})^2$")
    ax.plot(high, beta, "w--", lw=1)
    ax.set(xscale="log", xlim=MAP_LIM, ylim=(0.0, 1.0), xlabel=r"$\eta\lambda$ (log scale)",
           ylabel=r"momentum $\beta$", title=r"where each direction sits: $(\eta\lambda, \beta)$")
    return mesh


def path_extent(x: torch.Tensor, y: torch.Tensor, start: tuple[float, float] = START,
                run: Run | None = None) -> tuple[float, float, float, float]:
    """``(w_lo, w_hi, b_lo, b_hi)``: a box around the start and the optimum, widened to hold every
    point of ``run`` when one is given and did not diverge (the static grid's frame)."""
    (w_star, b_star), (w0, b0) = closed_form_fit(x, y), start
    dw, db = max(abs(w0 - w_star), 0.1), max(abs(b0 - b_star), 0.1)
    w_lo, w_hi, b_lo, b_hi = w_star - 1.6 * dw, w_star + 1.6 * dw, b_star - 1.6 * db, b_star + 1.6 * db
    if run is not None and not run.diverged:
        pad_w, pad_b = 0.05 * np.ptp(run.weights), 0.05 * np.ptp(run.biases)
        w_lo, w_hi = min(w_lo, run.weights.min() - pad_w), max(w_hi, run.weights.max() + pad_w)
        b_lo, b_hi = min(b_lo, run.biases.min() - pad_b), max(b_hi, run.biases.max() + pad_b)
    return w_lo, w_hi, b_lo, b_hi


def draw_momentum_panels(axes: list[Axes], x: torch.Tensor, y: torch.Tensor, steps: int,
                         start: tuple[float, float] = START, tol: float = REACH_TOL,
                         legend: bool = True, colorbar: bool = True,
                         extent: tuple[float, float, float, float] | None = None) -> MomentumPanels:
    """Draw what never moves on three axes (path, gap, map) and empty artists for what does.

    ``extent``: the path panel's ``(w_lo, w_hi, b_lo, b_hi)``; by default a box around the start and
    the optimum (the widget's fixed frame)."""
    if len(axes) != 3:
        raise ValueError(f"axes must hold 3 axes (path, gap, map), got {len(axes)}")
    ax_path, ax_gap, ax_map = axes
    w_lo, w_hi, b_lo, b_hi = path_extent(x, y, start) if extent is None else extent
    draw_loss_contours(ax_path, x, y, (w_lo, w_hi), (b_lo, b_hi), levels=10, resolution=120)
    w0, b0 = start
    (path,) = ax_path.plot([], [], "-o", color="tab:blue", lw=0.8, ms=2, label=f"first {PATH_JOINED} steps")
    (later,) = ax_path.plot([], [], "o", color="tab:blue", ms=2.5, mfc="none", mew=0.7, label="later steps")
    (end,) = ax_path.plot([], [], "s", color="black", ms=5, label="last step")
    ax_path.plot([w0], [b0], "^", color="tab:green", ms=7, ls="none", label="start")
    ax_path.set_title("path on the loss contours")

    (gap,) = ax_gap.plot([], [], color="tab:blue", lw=1.6, label=r"$L(\theta_k) - L^*$")
    shares = [ax_gap.plot([], [], "--", color=c, lw=1.0, label=f"share of the {n} direction")[0]
              for c, n in zip(COLORS, (r"slow ($\lambda_{\min}$)", r"steep ($\lambda_{\max}$)"), strict=True)]
    ax_gap.axhline(tol, color="gray", lw=0.8, ls=":", label=f"tolerance {tol:.0e}")
    ax_gap.set(yscale="log", ylim=GAP_LIM, xlim=(0, steps), xlabel="step k",
               ylabel=r"$L(\theta_k) - L^*$", title="loss gap (log scale)")
    warning = ax_gap.text(0.5, 0.5, "", transform=ax_gap.transAxes, ha="center", va="center",
                          color="#b22222", fontsize=10, fontweight="bold")

    draw_stability_map(ax_map, colorbar=colorbar)
    (beta_line,) = ax_map.plot([], [], color="white", lw=0.8, alpha=0.8)
    points = [ax_map.plot([], [], "o", color=c, mec="black", ms=8, label=n, zorder=6, clip_on=False)[0]
              for c, n in zip(COLORS, (r"$\eta\lambda_{\min}$", r"$\eta\lambda_{\max}$"), strict=True)]
    if legend:
        ax_path.legend(loc="upper right", fontsize=6.5)
        ax_gap.legend(loc="lower left", fontsize=6.5)
        ax_map.legend(loc="upper left", fontsize=6.5, framealpha=0.85)
    panels = MomentumPanels(path, later, end, gap, shares, points, beta_line, warning)
    for artist in panels.artists():  # what moves must not move the layout (the dots are unclipped)
        artist.set_in_layout(False)
    return panels


def show_momentum_run(panels: MomentumPanels, run: Run, beta: float, lam: np.ndarray,
                      shares: np.ndarray, steps: int) -> None:
    """Put ``run`` (a :func:`gd_trajectory` with ``beta``) and its ``shares`` ``(k + 1, 2)`` (from
    :func:`direction_shares`) into the artists; draws nothing itself."""
    k = np.arange(len(run.gaps))
    panels.gap.set_data(k, np.clip(run.gaps, GAP_LIM[0] / 10, None))
    for i, line in enumerate(panels.shares):
        line.set_data(k, np.clip(shares[:len(k), i], GAP_LIM[0] / 10, None))
    head = min(PATH_JOINED, run.steps)
    panels.path.set_data(run.weights[:head + 1], run.biases[:head + 1])
    stride = max(1, steps // 40) | 1
    panels.later.set_data(run.weights[head::stride], run.biases[head::stride])
    panels.end.set_data(run.weights[-1:], run.biases[-1:])
    for point, lam_i in zip(panels.points, lam, strict=True):
        point.set_data([run.lr * lam_i], [beta])
    panels.beta_line.set_data(MAP_LIM, [beta, beta])
    panels.warning.set_text(f"diverges: ηλmax > 2 + 2β\n(stopped at step {run.diverged_at:,})"
                            if run.diverged else "")


def momentum_readout(run: Run, beta: float, lam: np.ndarray, shares: np.ndarray,
                     tol: float = REACH_TOL) -> list[str]:
    """The readout, one line per eigen-direction and one for the whole run (plain text)."""
    tol = positive_finite("tol", tol)
    lines = [f"η = {run.lr:.3e}, β = {beta:.2f}; converges iff ηλ < 2 + 2β = {stability_edge(beta):.2f}"]
    c = None if run.diverged else shares
    for i, (name, lam_i) in enumerate(zip(("slow (λmin)", "steep (λmax)"), lam, strict=True)):
        eta_lam = run.lr * lam_i
        rate = float(direction_rate(eta_lam, beta))
        lo, hi = damping_band(beta)
        kind = ("diverges" if rate >= 1 else "underdamped: oscillates" if lo < eta_lam < hi
                else "overdamped: flips sign each step" if eta_lam >= hi else "overdamped: no oscillation")
        hit = None if c is None else settles_within(c[:, i], tol)
        when = "" if c is None else (f", its share ≤ {tol:.0e} from step {hit:,}" if hit is not None
                                     else f", its share not ≤ {tol:.0e} within {run.steps:,} steps")
        lines.append(f"{name:<13} ηλ = {eta_lam:8.4f}  rate ρ = {rate:.4f} ({kind}){when}")
    if run.diverged:
        lines.append(f"the run diverges (stopped at step {run.diverged_at:,}): lower η or raise β")
    else:
        hit = settles_within(run.gaps, tol)
        lines.append(f"loss within L* + {tol:.0e} from step {hit:,}" if hit is not None
                     else f"loss not within L* + {tol:.0e} after {run.steps:,} steps")
    return lines


def momentum_grid(x: torch.Tensor, y: torch.Tensor, settings: list[tuple[float, float, str]],
                  steps: int = 600, start: tuple[float, float] = START) -> Figure:
    """The widget's static twin: one row of the three panels per ``(η, β, label)`` in ``settings``;
    a row's path panel is widened to hold its whole (converging) path."""
    import matplotlib.pyplot as plt

    if not settings:
        raise ValueError("settings must list at least one (lr, beta, label), got an empty list")
    lam, c0 = eigen_errors(x, y, *start)
    # A fixed layout and one colorbar: constrained layout of 3n axes costs seconds to render.
    fig, rows = plt.subplots(len(settings), 3, figsize=(14, 3.5 * len(settings)), squeeze=False,
                             gridspec_kw={"width_ratios": [1, 1, 1.1], "left": 0.05, "right": 0.9,
                                          "top": 1 - 0.3 / len(settings), "bottom": 0.2 / len(settings),
                                          "wspace": 0.28, "hspace": 0.38})
    for i, (row, (lr, beta, label)) in enumerate(zip(rows, settings, strict=True)):
        run = gd_trajectory(x, y, lr, steps, *start, beta=beta)
        panels = draw_momentum_panels(list(row), x, y, steps, start, legend=i == 0, colorbar=False,
                                      extent=path_extent(x, y, start, run))
        show_momentum_run(panels, run, beta, lam, direction_shares(lam, c0, lr, steps, beta), steps)
        if run.diverged:  # a diverging gap leaves GAP_LIM at once: widen this row's axes to show it
            row[1].set_ylim(GAP_LIM[0], 10 * float(np.nanmax(run.gaps[np.isfinite(run.gaps)])))
            row[1].set_xlim(0, max(10, 2 * run.diverged_at))
        row[0].set_title(f"{label}: η = {lr:.4f}, β = {beta:.2f}", fontsize=10)
    mesh = rows[0, 2].collections[0]
    fig.colorbar(mesh, cax=fig.add_axes((0.915, 0.2 / len(settings), 0.012, 1 - 0.5 / len(settings))),
                 label=RATE_LABEL)
    return fig


class MomentumWidget:
    """``eta`` (log slider) and ``beta`` sliders, a ``readout`` and a three-panel ``fig``, in ``box``."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, lr: float = 0.01, beta: float = 0.0,
                 steps: int = 600, tol: float = REACH_TOL) -> None:
        import ipywidgets as widgets

        from .plotting import Blitter, live_figure

        self.x, self.y = xy_columns(x, y)
        self.steps, self.tol = positive_int("steps", steps), positive_finite("tol", tol)
        self.lam, self.c0 = eigen_errors(self.x, self.y, *START)
        style, layout = {"description_width": "120px"}, widgets.Layout(width="600px")
        self.eta = widgets.FloatLogSlider(
            value=positive_finite("lr", lr), base=10,
            min=math.log10(ETA_RANGE[0]), max=math.log10(ETA_RANGE[1]),
            step=0.01, description="learning rate η", readout_format=".2e", style=style, layout=layout)
        self.beta = widgets.FloatSlider(value=beta, min=0.0, max=BETA_MAX, step=0.01, readout_format=".2f",
                                        description="momentum β", style=style, layout=layout)
        self.eta.add_class("momentum-eta")
        self.beta.add_class("momentum-beta")
        self.readout = widgets.HTML()
        self.readout.add_class("momentum-readout")
        self.fig, axes = live_figure(figsize=(9.6, 4.2), ncols=3)  # fits a JupyterLab cell
        self.panels = draw_momentum_panels(axes, self.x, self.y, self.steps, START, self.tol, legend=False)
        handles = [h for ax in axes for h in ax.get_legend_handles_labels()[0]]
        self.fig.legend(handles=handles, loc="outside lower center", ncols=5, fontsize=6.5, frameon=False)
        self.fig.draw_without_rendering()  # lay the figure out once, then freeze it
        self.fig.set_layout_engine("none")
        self.blitter = Blitter(self.fig, self.panels.artists())  # the legend sits below: nothing covers it
        self.eta.observe(self.update, names="value")
        self.beta.observe(self.update, names="value")
        self.update()
        self.box = widgets.VBox([self.eta, self.beta, self.readout, self.fig.canvas])
        self.box.add_class("momentum-widget")

    def update(self, change: object = None) -> None:
        """Recompute the run for the sliders' (η, β) in closed form; update artists, readout, blit."""
        beta = self.beta.value
        self.run = gd_trajectory(self.x, self.y, self.eta.value, self.steps, *START, beta=beta)
        shares = direction_shares(self.lam, self.c0, self.eta.value, self.steps, beta)
        show_momentum_run(self.panels, self.run, beta, self.lam, shares, self.steps)
        lines = momentum_readout(self.run, beta, self.lam, shares, self.tol)
        self.readout.value = "<pre>" + html.escape("\n".join(lines)) + "</pre>"
        self.blitter.update()

    @property
    def readout_plain(self) -> str:
        """The readout without its HTML markup."""
        return html.unescape(self.readout.value.removeprefix("<pre>").removesuffix("</pre>"))
