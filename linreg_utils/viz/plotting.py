"""Figures shared by the lessons: live (ipympl) figures and loss contours in (w, b)."""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.contour import QuadContourSet
from matplotlib.figure import Figure

from ..theory import closed_form_fit, loss_surface


def live_figure(figsize: tuple[float, float] = (9.0, 3.6), ncols: int = 1) -> tuple[Figure, list[Axes]]:
    """A figure drawn by ipympl (so a widget can update it in place) and its axes.

    Unlike ``plt.subplots()`` under ``%matplotlib widget``, it is not shown on creation and
    leaves pyplot's state alone: place ``fig.canvas`` in a widget box yourself. The static
    figures in the lessons stay ordinary inline PNGs.
    """
    import matplotlib

    backend = matplotlib.get_backend()
    from ipympl.backend_nbagg import Canvas, FigureManager

    if matplotlib.get_backend() != backend:
        # Importing ipympl switches pyplot to the widget backend; keep the notebook's own
        # (inline) backend so that every other figure stays a static PNG.
        matplotlib.use(backend)

    fig = Figure(figsize=figsize, layout="constrained")
    canvas = Canvas(fig)
    FigureManager(canvas, 0)
    canvas.header_visible = False
    canvas.toolbar_visible = False
    canvas.resizable = False
    return fig, [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]


def draw_loss_contours(
    ax: Axes,
    x: torch.Tensor,
    y: torch.Tensor,
    w_lim: tuple[float, float],
    b_lim: tuple[float, float],
    levels: int = 12,
    resolution: int = 200,
) -> QuadContourSet:
    """Contours of the MSE over ``w_lim × b_lim``, spaced evenly in log₁₀(loss − optimum).

    Marks the least-squares optimum with a star and labels the axes. ``x, y``: ``(n, 1)``. Returns
    the contour set (for a colorbar: its values are log₁₀(L − L*)).
    """
    ws = np.linspace(*w_lim, resolution)
    bs = np.linspace(*b_lim, resolution)
    w_star, b_star = closed_form_fit(x, y)
    surface = loss_surface(x, y, ws, bs)
    gap = surface - surface.min()
    positive = gap[gap > 0]
    lo, hi = np.log10(positive.min() + 1e-12), np.log10(gap.max())
    contours = ax.contour(ws, bs, np.log10(gap + 1e-12), levels=np.linspace(max(lo, hi - 6), hi, levels),
                          cmap="viridis", linewidths=0.8)
    ax.plot([w_star], [b_star], marker="*", markersize=14, color="tab:red", linestyle="none",
            label="optimum (least squares)")
    ax.set(xlim=w_lim, ylim=b_lim, xlabel="w (slope)", ylabel="b (intercept)")
    return contours


class Blitter:
    """Redraw only what moves: the figure's static part is rendered once and kept as pixels.

    ``artists`` are marked animated, so a full draw leaves them out; after each full draw
    (the browser asks for one when it first shows the figure) the background is saved.
    :meth:`update` then pastes the background, draws just ``artists`` on it and sends the
    changed pixels — far cheaper than
    re-rendering contours, ticks and legends on every slider move. Static exports
    (``savefig``, inline PNGs) still draw animated artists, so the same figure code serves both.
    """

    def __init__(self, fig: Figure, artists: list) -> None:
        self.fig, self.artists, self.background = fig, list(artists), None
        for artist in self.artists:
            artist.set_animated(True)
        fig.canvas.mpl_connect("draw_event", self._on_draw)

    def _on_draw(self, event: object = None) -> None:
        self.background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        self._draw_artists()

    def _draw_artists(self) -> None:
        for artist in sorted(self.artists, key=lambda a: a.get_zorder()):  # stable: ties keep their order
            self.fig.draw_artist(artist)

    def update(self) -> None:
        """Show the artists' current data: a blit, or a full draw if no background is saved."""
        canvas = self.fig.canvas
        if self.background is None:
            # Ask for a full draw rather than drawing now: drawing before the browser has
            # shown the figure leaves ipympl with a broken initial image.
            canvas.draw_idle()
            return
        canvas.restore_region(self.background)
        self._draw_artists()
        canvas.blit(self.fig.bbox)

    def invalidate(self) -> None:
        """Forget the background (e.g. after axis limits changed) and ask for a full draw."""
        self.background = None
        self.fig.canvas.draw_idle()
