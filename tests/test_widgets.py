"""The learning-rate widget: the functions it is built from, and the view driven headless."""

import math

import numpy as np
import pytest

from linreg_utils import closed_form_fit, critical_lr, gd_trajectory, optimal_lr, seed_data
from linreg_utils.viz import lr_grid, lr_scale, lr_widget, readout_text
from linreg_utils.viz.lr_panels import display_indices, path_indices
from linreg_utils.viz.lr_widget import MARKER_TOP, STEP_CHOICES, scale_html


@pytest.fixture(scope="module")
def data():
    return seed_data()


@pytest.fixture()
def view(data):
    x, y = data
    return lr_widget(x, y, lr=1e-3, steps=1_000)


def test_scale_marks_critical_and_optimal_lr(data):
    x, _ = data
    scale = lr_scale(x)
    assert scale.critical == pytest.approx(critical_lr(x))
    assert scale.optimal == pytest.approx(optimal_lr(x))
    assert scale.low < scale.optimal < scale.critical < scale.high
    assert scale.position(scale.low) == 0.0 and scale.position(scale.high) == 1.0
    assert scale.position(1e-9) == 0.0


def test_scale_html_shows_the_critical_lr_and_the_current_value(data):
    x, _ = data
    scale = lr_scale(x)
    text = scale_html(scale, 1e-3)
    assert f"{scale.critical:.4f}" in text and "diverges above" in text
    assert f"{100 * scale.position(1e-3):.2f}%" in text
    assert scale_html(scale, 1e-3) != scale_html(scale, 0.05)


def test_scale_html_keeps_the_marker_in_a_row_of_its_own(data):
    import re

    x, _ = data
    scale = lr_scale(x)
    for lr in (1e-4, 1e-3, scale.critical, 0.05, 0.1):
        text = scale_html(scale, lr)
        tops = re.findall(r"top:([0-9.]+(?:em|px))", text)
        assert tops.count(MARKER_TOP) == 1, "only the η marker sits in the marker's row"
    critical_label = re.search(r'<div style="([^"]*)">critical', scale_html(scale, 0.1)).group(1)
    assert "right:" in critical_label and "border-right" in critical_label  # runs leftwards from 78 %


def test_display_indices_keep_first_and_last_and_stay_small():
    assert np.array_equal(display_indices(10), np.arange(10))
    idx = display_indices(100_001)
    assert idx[0] == 0 and idx[-1] == 100_000 and len(idx) <= 1_500
    assert np.all(np.diff(idx) > 0)


def test_path_indices_join_the_first_steps_and_mark_an_even_stride_after():
    joined, marked = path_indices(1_000)
    assert np.array_equal(joined, np.arange(11))
    stride = np.diff(marked[:-1])
    assert np.all(stride == 24) and marked[-1] == 1_000 and marked[0] == 34
    assert len(marked) <= 42
    assert np.all(np.diff(path_indices(10_000)[1][:-1]) % 2 == 0)  # one side of a zig-zag: no fake arc
    assert np.all(np.diff(path_indices(30)[1][:-1]) % 2 == 0)
    joined, marked = path_indices(5)
    assert np.array_equal(joined, np.arange(6)) and marked.size == 0


def test_static_grid_path_of_a_zigzag_run_is_a_few_points_not_a_band(data):
    import matplotlib.pyplot as plt

    x, y = data
    fig = lr_grid(x, y, [optimal_lr(x)], steps=1_000)
    path, later = fig.axes[2].lines[1:3]  # lines[0] is the optimum's star
    assert later.axes.get_xlim()[1] > max(path.get_xdata()) > 0.6  # the zig-zag's overshoot fits
    assert len(path.get_xdata()) == 11 and path.get_linestyle() == "-"
    assert len(later.get_xdata()) <= 43 and later.get_linestyle() == "-"  # joined from step 10 on
    w_star = closed_form_fit(x, y)[0]
    assert np.all(later.get_xdata()[:-1] <= w_star)  # an even stride: one side of the zig-zag, no arc
    plt.close(fig)


def test_readout_says_diverges_above_critical(data):
    x, y = data
    scale = lr_scale(x)
    run = gd_trajectory(x, y, 1.05 * scale.critical, 1_000)
    text = readout_text(run, scale)
    assert "diverges" in text and f"{run.diverged_at:,}" in text


def test_readout_says_oscillates_between_one_and_two_over_lambda_max(data):
    x, y = data
    scale = lr_scale(x)
    zigzag = readout_text(gd_trajectory(x, y, 1.5 / scale.lam_max, 1_000), scale)
    smooth = readout_text(gd_trajectory(x, y, 0.5 / scale.lam_max, 1_000), scale)
    assert "oscillates" in zigzag and "diverges" not in zigzag
    assert "oscillates" not in smooth


def test_readout_gives_steps_to_reach_the_optimum(data):
    x, y = data
    scale = lr_scale(x)
    assert "22,286 steps" in readout_text(gd_trajectory(x, y, 1e-3, 100_000), scale)
    short = readout_text(gd_trajectory(x, y, 1e-3, 1_000), scale, predicted=22285.7)
    assert "Not within" in short and "at least 22,286 needed" in short


def test_widget_has_the_classes_the_browser_test_uses(view):
    assert "lr-slider" in view.slider._dom_classes
    assert "lr-readout" in view.readout._dom_classes
    assert view.slider.min == pytest.approx(-4) and view.slider.max == pytest.approx(-1)


def test_moving_the_slider_updates_readout_line_and_path_in_place(view):
    fig, line, path = view.fig, view.panels.line, view.panels.path
    before_text = view.readout_plain
    before_line = np.array(line.get_ydata(), copy=True)
    before_path = np.array(path.get_xdata(), copy=True)
    view.slider.value = 0.015
    assert view.fig is fig and view.panels.line is line  # same figure, same artists
    assert view.readout_plain != before_text and "0.015" in view.readout_plain.replace("1.500e-02", "0.015")
    assert not np.allclose(line.get_ydata(), before_line)
    assert not np.array_equal(np.asarray(path.get_xdata()), before_path)
    assert view.run is not None and view.run.lr == pytest.approx(0.015)


def test_above_critical_the_view_says_diverges_and_draws_no_nan(view):
    view.slider.value = 0.05
    assert "diverges" in view.readout_plain
    assert "diverges" in view.panels.warning.get_text()
    for artist in (view.panels.gap, view.panels.bound, view.panels.line, view.panels.path):
        assert np.isfinite(np.asarray(artist.get_xydata(), float)).all()
    view.slider.value = 1e-3
    assert "diverges" not in view.readout_plain and view.panels.warning.get_text() == ""


@pytest.mark.parametrize(("asked", "shown"), [(1e9, 1e-1), (-1.0, 1e-4), (0.0, 1e-4)])
def test_the_view_says_when_it_clamps_a_learning_rate_outside_its_range(view, asked, shown):
    view.slider.value = asked
    assert view.slider.value == pytest.approx(shown) and view.run.lr == pytest.approx(shown)
    assert view.readout_plain.startswith(f"η = {asked:g} is outside the slider's range 1e-04 to 1e-01: "
                                         f"it shows η = {shown:.3e} instead.")
    view.slider.value = 1e-3
    assert "outside the slider's range" not in view.readout_plain


def test_a_second_clamped_request_to_the_same_end_updates_the_note(view):
    view.slider.value = -1.0
    view.slider.value = 0.0  # clamped to the value the slider already has: no change event
    assert view.readout_plain.startswith("η = 0 is outside the slider's range")


def test_at_an_end_of_its_range_the_view_says_larger_values_stop_there(data):
    x, y = data
    assert lr_widget(x, y, lr=1e9).readout_plain.startswith("η = 1e+09 is outside the slider's range")
    view = lr_widget(x, y, lr=0.1)
    assert view.readout_plain.startswith("η is at the slider's largest value, 1e-01") and "diverges" in \
        view.readout_plain


def test_steps_dropdown_reruns_and_rescales_the_loss_axis(view):
    assert "Not within" in view.readout_plain
    view.steps.value = 100_000
    assert "22,286 steps" in view.readout_plain
    assert view.panels.axes[0].get_xlim() == (0.0, 100_000.0)
    assert view.run.steps == 100_000
    assert len(view.panels.gap.get_xdata()) <= 1_500


def test_widget_rejects_bad_arguments(data):
    x, y = data
    with pytest.raises(ValueError, match="steps must be one of"):
        lr_widget(x, y, steps=123)
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        lr_widget(x, y, lr=-1.0)
    with pytest.raises(ValueError, match="w0 must be finite"):
        lr_widget(x, y, w0=math.nan)


def test_widget_from_another_start_runs_from_there(data):
    x, y = data
    start = (-0.0075, 0.5364)
    view = lr_widget(x, y, lr=1e-3, steps=STEP_CHOICES[-1], w0=start[0], b0=start[1])
    assert (view.run.weights[0], view.run.biases[0]) == pytest.approx(start, abs=1e-12)
    expected = gd_trajectory(x, y, 1e-3, 100_000, *start).first_within(1e-6)
    assert f"after {expected:,} steps" in view.readout_plain
    assert tuple(view.panels.axes[2].lines[-1].get_xydata()[0]) == start  # the start's triangle


def test_static_grid_has_one_labelled_row_per_lr(data):
    import matplotlib.pyplot as plt

    x, y = data
    fig = lr_grid(x, y, [1e-3, 0.03], steps=100, labels=["the seed's lr", "too large"])
    assert len(fig.axes) == 6
    assert [sub._suptitle.get_text() for sub in fig.subfigs] == ["row 1 · the seed's lr", "row 2 · too large"]
    assert "diverges" in fig.axes[3].texts[0].get_text()
    plt.close(fig)
    one = lr_grid(x, y, [1e-3], steps=100, labels=["the widget as it opens"])
    assert one.subfigs[0]._suptitle.get_text() == "the widget as it opens"  # one row: not "row 1"
    assert one.axes[2].get_aspect() == 1.0  # the path panel: equal scales
    plt.close(one)
    with pytest.raises(ValueError, match="lrs"):
        lr_grid(x, y, [])
    with pytest.raises(ValueError, match="one title per lr"):
        lr_grid(x, y, [1e-3], labels=["a", "b"])


def test_a_diverging_row_shows_its_first_steps_and_says_where_they_went(data):
    import matplotlib.pyplot as plt

    x, y = data
    fig = lr_grid(x, y, [1.05 * critical_lr(x)], steps=1_000)
    ax_line, ax_path = fig.axes[1], fig.axes[2]
    early = ax_line.lines[3]  # data, least squares, last step (empty), then the first steps
    assert len(ax_line.lines[2].get_xdata()) == 0 and np.isfinite(early.get_ydata()).sum() >= 2
    assert "left the plot" in ax_line.texts[0].get_text()
    path = ax_path.lines[1]
    assert 3 <= len(path.get_xdata()) <= 20 and len(ax_path.lines[2].get_xdata()) == 0
    assert "the path left the plot at step" in ax_path.texts[0].get_text()
    plt.close(fig)


def test_a_converging_row_has_no_notes(data):
    import matplotlib.pyplot as plt

    x, y = data
    fig = lr_grid(x, y, [0.95 * critical_lr(x)], steps=1_000)
    assert [t.get_text() for ax in fig.axes for t in ax.texts] == ["", "", ""]
    assert len(fig.axes[1].lines[3].get_xdata()) == 0
    plt.close(fig)


def test_legends_sit_below_the_panels_where_no_run_can_pass_behind_them(view):
    view.fig.canvas.draw()
    renderer = view.fig.canvas.get_renderer()
    for ax in view.panels.axes:
        legend = ax.get_legend().get_window_extent(renderer)
        assert legend.y1 < ax.get_window_extent(renderer).y0  # wholly under the axes


def test_a_100k_step_axis_writes_its_ticks_in_thousands(view):
    view.steps.value = 100_000
    view.fig.canvas.draw()
    labels = [t.get_text() for t in view.panels.axes[0].get_xticklabels() if t.get_text()]
    assert "100k" in labels and len(labels) <= 7
    view.steps.value = 1_000
    view.fig.canvas.draw()
    assert "1000" in [t.get_text() for t in view.panels.axes[0].get_xticklabels()]


def test_readout_multiplies_the_error_instead_of_shrinking_it_by_a_negative_number(data):
    x, y = data
    scale = lr_scale(x)
    text = readout_text(gd_trajectory(x, y, 1.5 / scale.lam_max, 1_000), scale)
    assert "multiplied by 1 − ηλ" in text and "-0.500 along the steep one" in text
    assert "shrinks by" not in text


def test_a_diverging_row_titles_its_line_panel_by_what_it_draws(data):
    x, y = data
    fig = lr_grid(x, y, [1e-3, 1.05 * critical_lr(x)], steps=1_000)
    titles = [ax.get_title() for ax in fig.axes]
    assert "fitted line after 1,000 steps" in titles and "fitted line: the first steps" in titles
