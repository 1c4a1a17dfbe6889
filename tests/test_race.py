"""The optimizer race: its runs (plain functions) and its widget, driven headless."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from linreg_utils import START, line_loss, optimize, seed_data
from linreg_utils.optimizers import ZOO, two_loop
from linreg_utils.race import DEFAULT_LRS, FINISH_TOL, Racecourse, race, readout, two_loop_solved
from linreg_utils.viz.race_view import RaceWidget, race_panels

X, Y = seed_data()


def test_race_paths_equal_torch_optim_runs():
    results = race(X, Y, {"Adam": 0.1, "Nesterov": 0.01}, steps=40)
    for name, r in results.items():
        _, factory, extra = ZOO[name]
        ref = optimize(lambda p, f=factory, e=extra, lr=r.lr: f(p, lr, **e), line_loss(X, Y),
                       torch.tensor(START, dtype=torch.float64), 40)
        assert np.allclose(r.path, ref.path, rtol=1e-9, atol=1e-12)


def test_the_lbfgs_racer_follows_torch_with_its_faster_two_loop():
    (r,) = race(X, Y, {"LBFGS": 0.7}, steps=60).values()
    _, factory, extra = ZOO["LBFGS"]
    start = torch.tensor(START, dtype=torch.float64)
    ref = optimize(lambda p: factory(p, 0.7, **extra), line_loss(X, Y), start, 60)
    assert np.allclose(r.path, ref.path, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("pairs_count", [0, 1, 3, 12, 40])
def test_two_loop_solved_equals_the_plain_two_loop_recursion(pairs_count):
    rng = np.random.default_rng(pairs_count)
    pairs = []
    for _ in range(pairs_count):
        s = rng.normal(size=3)
        y = s + 0.3 * rng.normal(size=3)  # yᵀs > 0, as lbfgs keeps them
        pairs.append((s, y, 1.0 / float(y @ s)))
    g = rng.normal(size=3)
    assert np.allclose(two_loop_solved(g, pairs, 0.7), two_loop(g, pairs, 0.7), rtol=1e-12, atol=1e-14)


def test_lbfgs_wins_and_plain_sgd_is_still_far_after_500_steps():
    results = race(X, Y, DEFAULT_LRS, steps=500)
    settle = {name: r.settles_within(FINISH_TOL) for name, r in results.items()}
    assert settle["LBFGS"] <= 6 and settle["SGD"] is None
    assert settle["SGD + momentum"] < settle["Adam"]


def test_a_too_large_lr_is_reported_as_diverged():
    r = race(X, Y, {"SGD": 0.03}, steps=300)["SGD"]
    assert r.diverged_at == r.steps and r.settles_within(FINISH_TOL) is None
    assert np.isfinite(r.gaps).all()
    assert "diverged at step" in readout({"SGD": r})[0]


def test_settles_within_means_staying_below_the_finish_line():
    r = race(X, Y, {"Adam": 0.1}, steps=500)["Adam"]
    k = r.settles_within(FINISH_TOL)
    assert (r.gaps[k:] <= FINISH_TOL).all() and r.gaps[k - 1] > FINISH_TOL


def test_unknown_racer_and_bad_lr_are_refused():
    with pytest.raises(ValueError, match="optimizer name"):
        race(X, Y, {"Adamax": 0.1})
    with pytest.raises(ValueError, match="lrs"):
        race(X, Y, {"SGD": -1.0})


def test_racecourse_remembers_runs_and_steps_rerun_nothing():
    course = Racecourse(X, Y)
    first = course.run("Adam", 0.1, 100)
    assert course.run("Adam", 0.1, 100) is first
    assert course.run("Adam", 0.2, 100) is not first


def test_static_figure_has_one_panel_per_racer_with_the_optimum_on_top():
    fig = race_panels(X, Y, {"SGD": 0.02, "LBFGS": 1.0, "Adam": 0.1}, steps=50)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 4  # three racers and the loss panel
    for ax in visible[:3]:
        star = [ln for ln in ax.get_lines() if ln.get_label() == "optimum (least squares)"][-1]
        assert star.get_zorder() > max(ln.get_zorder() for ln in ax.get_lines() if ln is not star)
    assert "LBFGS" in visible[1].get_title()
    labels = [t.get_text() for t in visible[-1].get_legend().get_texts()]
    assert labels == ["finish line 1e-08", "SGD", "LBFGS", "Adam"]
    assert visible[-1].get_xscale() == "symlog"  # L-BFGS's few steps do not hide against the axis
    matplotlib.pyplot.close(fig)


def test_widget_ticking_a_box_shows_its_lines_and_readout():
    w = RaceWidget(X, Y, chosen=("SGD",), steps=100)
    assert not w.lines["Adam"][0].get_visible()
    w.checks["Adam"].value = True
    assert w.lines["Adam"][0].get_visible() and "Adam" in w.text.value
    w.checks["SGD"].value = False
    assert not w.lines["SGD"][1].get_visible() and "SGD " not in w.text.value


def test_widget_legend_lists_every_racer_once_so_it_never_redraws():
    w = RaceWidget(X, Y, chosen=("SGD",), steps=100)
    assert [t.get_text() for t in w.fig.legends[0].get_texts()] == ["finish line 1e-08", *ZOO]


def test_widget_slider_reruns_only_that_racer():
    w = RaceWidget(X, Y, chosen=("SGD", "Adam"), steps=100)
    adam_before = w.lines["Adam"][1].get_ydata()
    before = w.lines["SGD"][1].get_ydata().copy()
    w.sliders["SGD"].value = 0.03
    assert "diverged" in w.text.value
    assert len(w.lines["SGD"][1].get_ydata()) < len(before)
    assert w.lines["Adam"][1].get_ydata() is adam_before


def test_readout_counts_evaluations_and_ranks_the_finishers_first():
    lines = readout(race(X, Y, {"SGD": 0.02, "Adam": 0.1, "LBFGS": 1.0}, steps=500), ranked=True)
    assert [ln.split()[0] for ln in lines] == ["LBFGS", "Adam", "SGD"]
    assert "after 5 evaluations" in lines[0] and "not within" in lines[2]


def test_oscillating_racers_are_drawn_thin_and_behind_the_others():
    w = RaceWidget(X, Y, chosen=("SGD + momentum", "Adam"), steps=100)
    momentum, adam = w.lines["SGD + momentum"][1], w.lines["Adam"][1]
    assert momentum.get_zorder() < adam.get_zorder() and momentum.get_linewidth() < adam.get_linewidth()
