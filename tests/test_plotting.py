"""Blitting shows exactly what a full redraw would, at a fraction of the cost."""

import numpy as np

from linreg_utils import seed_data
from linreg_utils.viz.lr_widget import lr_widget
from linreg_utils.viz.plotting import Blitter, live_figure


def pixels(fig):
    return np.asarray(fig.canvas.get_renderer().buffer_rgba()).copy()


def test_blitted_frame_equals_a_full_redraw():
    fig, (ax,) = live_figure(figsize=(4, 3))
    ax.plot([0, 1], [0, 1], color="gray")
    (line,) = ax.plot([0, 1], [1, 0], color="tab:blue")
    blitter = Blitter(fig, [line])
    fig.canvas.draw()  # what the browser asks for when it shows the figure: background saved
    line.set_data([0, 1], [0.5, 0.2])
    blitter.update()
    blitted = pixels(fig)
    fig.canvas.draw()
    assert np.array_equal(blitted, pixels(fig))


def test_slider_move_blits_the_same_picture_as_a_full_redraw():
    x, y = seed_data()
    view = lr_widget(x, y, lr=1e-3, steps=1_000)
    view.fig.canvas.draw()
    for lr in (5e-3, 0.03):  # converging, then diverging (warning text appears)
        view.slider.value = lr
        blitted = pixels(view.fig)
        view.fig.canvas.draw()
        assert np.array_equal(blitted, pixels(view.fig))


def test_nothing_is_drawn_before_the_browser_shows_the_figure():
    """Drawing early would store a broken initial image in ipympl (a blank figure in the lab)."""
    x, y = seed_data()
    view = lr_widget(x, y, lr=1e-3, steps=1_000)
    draws = []
    view.fig.canvas.mpl_connect("draw_event", draws.append)
    view.slider.value = 2e-3
    assert draws == [] and view.blitter.background is None  # a draw is requested, not done


def test_live_figure_leaves_pyplots_backend_alone():
    import subprocess
    import sys

    code = ("import matplotlib; matplotlib.use('agg'); import matplotlib.pyplot as plt\n"
            "from linreg_utils.viz.plotting import live_figure\n"
            "live_figure()\n"
            "print(matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "agg"
