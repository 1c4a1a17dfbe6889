"""Momentum's per-direction recurrence (``gd_trajectory`` with ``beta``, the closed forms of
``linreg_utils.theory``) against torch.optim and the theory, and the momentum widget driven headless."""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from linreg_utils import START, gd_trajectory, hessian_eigenvalues, optimize, seed_data, settles_within
from linreg_utils.theory import (
    damping_band,
    direction_errors,
    direction_rate,
    direction_shares,
    eigen_errors,
    gap_shares,
    iteration_matrix,
    largest_stable_lr,
    line_loss,
    momentum_parameters,
    predicted_direction_steps,
)
from linreg_utils.viz.momentum_widget import MomentumWidget, momentum_grid, momentum_readout

X, Y = seed_data()
LAM_MIN, LAM_MAX = hessian_eigenvalues(X)


def torch_momentum(lr, beta, steps, start=START):
    return optimize(lambda p: torch.optim.SGD(p, lr=lr, momentum=beta), line_loss(X, Y),
                    torch.tensor(start, dtype=torch.float64), steps)


@pytest.mark.parametrize("lr, beta", [(0.02, 0.9), (0.0402, 0.8141), (0.01, 0.0), (0.001, 0.99), (0.03, 0.5)])
def test_closed_form_momentum_equals_torch_sgd_momentum(lr, beta):
    run = gd_trajectory(X, Y, lr, 300, *START, beta=beta)
    ref = torch_momentum(lr, beta, 300)
    assert not run.diverged
    assert np.allclose(run.path, ref.path, rtol=1e-9, atol=1e-11)


def test_direction_rate_is_the_spectral_radius_of_the_iteration_matrix():
    rng = np.random.default_rng(4)
    for eta_lam, beta in zip(rng.uniform(0, 5, 50), rng.uniform(0, 0.999, 50), strict=True):
        radius = np.abs(np.linalg.eigvals(iteration_matrix(eta_lam, beta))).max()
        assert direction_rate(eta_lam, beta) == pytest.approx(radius, rel=1e-7, abs=1e-7)


def test_stability_edge_is_two_plus_two_beta_in_torch_too():
    for beta in (0.0, 0.5, 0.9):
        edge = largest_stable_lr(LAM_MAX, beta)
        inside, outside = torch_momentum(0.98 * edge, beta, 1500), torch_momentum(1.02 * edge, beta, 1500)
        optimum = gd_trajectory(X, Y, 0.01, 1).optimum
        distance = np.linalg.norm(inside.path - optimum, axis=1)
        assert not inside.diverged and distance[-1] < distance[0]
        assert outside.diverged


def test_gd_between_one_and_two_oscillates_and_still_converges():
    lr = 1.5 / LAM_MAX  # 1 - ηλmax = -0.5: the steep direction flips sign every step
    run = gd_trajectory(X, Y, lr, 3000, *START)
    lam, c0 = eigen_errors(X, Y, *START)
    steep = direction_errors(lam, c0, lr, 20)[:, 1]
    assert (np.sign(steep[1:]) == -np.sign(steep[:-1])).all()
    assert not run.diverged and run.gaps[-1] < 1e-6 * run.gaps[0]


def test_inside_the_damping_band_every_direction_shrinks_at_root_beta():
    lo, hi = damping_band(0.81)
    assert (lo, hi) == pytest.approx((0.01, 3.61))
    eta_lam = np.geomspace(lo * 1.001, hi * 0.999, 20)
    assert np.allclose(direction_rate(eta_lam, 0.81), 0.9)
    assert direction_rate(lo / 2, 0.81) > 0.9 and direction_rate(hi * 1.05, 0.81) > 0.9


def test_polyak_settings_put_both_directions_on_the_critical_damping_curves():
    eta, beta, rate = momentum_parameters(X)
    lo, hi = damping_band(beta)
    assert eta * LAM_MIN == pytest.approx(lo, rel=1e-9) and eta * LAM_MAX == pytest.approx(hi, rel=1e-9)
    assert direction_rate(eta * np.array([LAM_MIN, LAM_MAX]), beta) == pytest.approx([rate, rate], rel=1e-6)


def test_beta_one_never_converges_for_any_step():
    eta_lam = np.geomspace(1e-4, 10, 200)
    assert (direction_rate(eta_lam, 1.0) >= 1.0 - 1e-12).all()


def test_the_momentum_recurrence_is_the_iteration_matrix_applied_step_by_step():
    lam, c0 = np.array([0.3, 2.5]), np.array([1.0, -0.4])
    errors = direction_errors(lam, c0, 1.0, 37, beta=0.7)
    for i in range(2):
        state, m = np.array([c0[i], c0[i]]), iteration_matrix(lam[i], 0.7)  # from rest: c_{-1} = c_0
        for k in range(38):
            assert errors[k, i] == pytest.approx(state[0], rel=1e-12, abs=1e-14)
            state = m @ state


def test_direction_shares_sum_to_the_gap_and_settle_where_the_run_does():
    lam, c0 = eigen_errors(X, Y, *START)
    run = gd_trajectory(X, Y, 0.02, 600, *START, beta=0.9)
    shares = direction_shares(lam, c0, 0.02, 600, 0.9)
    assert np.allclose(shares.sum(1), run.gaps, rtol=1e-10)
    k = settles_within(run.gaps, 1e-6)
    assert (run.gaps[k:] <= 1e-6).all() and run.gaps[k - 1] > 1e-6


def test_predicted_steps_follow_the_rate():
    lam, c0 = eigen_errors(X, Y, *START)
    steps = predicted_direction_steps(lam, c0, 0.02, 1e-6, beta=0.9)
    share = gap_shares(lam, c0)
    assert steps == pytest.approx(np.log(1e-6 / share) / (2 * np.log(math.sqrt(0.9))))
    assert np.isinf(predicted_direction_steps(lam, c0, 0.05, 1e-6, beta=0.5)[1])


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="beta"):
        gd_trajectory(X, Y, 0.01, 10, beta=1.5)
    with pytest.raises(ValueError, match="lr"):
        gd_trajectory(X, Y, -0.01, 10, beta=0.5)
    with pytest.raises(ValueError, match="steps"):
        gd_trajectory(X, Y, 0.01, 0, beta=0.5)


def test_readout_names_each_direction_and_divergence():
    lam, c0 = eigen_errors(X, Y, *START)
    good = gd_trajectory(X, Y, 0.02, 600, *START, beta=0.9)
    lines = momentum_readout(good, 0.9, lam, direction_shares(lam, c0, 0.02, 600, 0.9))
    assert "slow (λmin)" in lines[1] and "oscillates" in lines[1] and "rate ρ = 0.9487" in lines[1]
    assert lines[-1].startswith("loss within L* + 1e-06 from step")
    bad = gd_trajectory(X, Y, 0.05, 600, *START, beta=0.5)
    lines = momentum_readout(bad, 0.5, lam, direction_shares(lam, c0, 0.05, 600, 0.5))
    assert "diverges" in lines[2] and "diverges" in lines[-1]


def test_widget_moves_points_and_lines_on_slider_changes():
    w = MomentumWidget(X, Y, lr=0.02, beta=0.0, steps=300)
    slow, steep = w.panels.points
    assert steep.get_xdata()[0] == pytest.approx(0.02 * LAM_MAX)
    w.beta.value = 0.9
    assert steep.get_ydata()[0] == pytest.approx(0.9) and "β = 0.90" in w.readout_plain
    gap_before = w.panels.gap.get_ydata().copy()
    w.eta.value = 0.1
    assert slow.get_xdata()[0] == pytest.approx(0.1 * LAM_MIN, rel=1e-2)
    assert "diverges" in w.readout_plain and w.panels.warning.get_text().startswith("diverges")
    assert len(w.panels.gap.get_ydata()) < len(gap_before)


def test_static_grid_has_three_panels_per_setting():
    fig = momentum_grid(X, Y, [(0.02, 0.0, "GD"), (0.02, 0.9, "β = 0.9")], steps=100)
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert len(titled) == 6 and "β = 0.9" in titled[3].get_title()
    matplotlib.pyplot.close(fig)


def test_empty_figure_requests_are_refused():
    from linreg_utils.viz.race_view import race_panels

    with pytest.raises(ValueError, match="settings"):
        momentum_grid(X, Y, [])
    with pytest.raises(ValueError, match="lrs"):
        race_panels(X, Y, {})


# ----------------------------------------------------------------------------- many eigen-directions

def test_polyak_parameters_put_both_ends_on_the_critical_damping_curves():
    from linreg_utils.theory import polyak_parameters

    eta, beta, rate = polyak_parameters(0.5, 32.0)
    low, high = damping_band(beta)
    assert math.isclose(eta * 0.5, low) and math.isclose(eta * 32.0, high)
    assert math.isclose(rate, math.sqrt(beta)) and math.isclose(rate, (8 - 1) / (8 + 1))
    assert polyak_parameters(*hessian_eigenvalues(X)) == momentum_parameters(X)
    with pytest.raises(ValueError, match="lam_min ≤ lam_max"):
        polyak_parameters(2.0, 1.0)


def test_spectrum_problem_has_the_hessian_it_was_asked_for():
    from linreg_utils.spectrum import spectrum_problem

    lam = np.geomspace(0.1, 10.0, 6)
    problem = spectrum_problem(lam, n=40, seed=1)
    hessian = (2.0 / 40 * problem.a.T @ problem.a).numpy()
    assert np.allclose(np.linalg.eigvalsh(hessian), lam)
    assert np.allclose(hessian @ problem.q, problem.q * lam)
    grad = torch.func.grad(problem.loss)(torch.from_numpy(problem.optimum))
    assert grad.abs().max() < 1e-12


@pytest.mark.parametrize("lam, n, words", [([1.0, -1.0], 10, "positive"), ([], 10, "positive"),
                                           ([1.0, 2.0, 3.0], 2, "at least the number of features")])
def test_spectrum_problem_rejects_bad_input(lam, n, words):
    from linreg_utils.spectrum import spectrum_problem

    with pytest.raises(ValueError, match=words):
        spectrum_problem(np.array(lam), n=n)


def test_spectrum_run_directions_follow_the_recurrence_torch_ran():
    from linreg_utils.spectrum import spectrum_problem, spectrum_run

    lam = np.array([0.2, 1.0, 4.0])
    problem = spectrum_problem(lam, n=30, seed=2)
    errors = spectrum_run(problem, 0.3, 50, beta=0.6)  # (51, 3), measured with torch.optim.SGD
    closed = direction_errors(lam, errors[0], 0.3, 50, beta=0.6)
    assert errors.shape == (51, 3) and np.allclose(errors, closed, atol=1e-10)
    with pytest.raises(ValueError, match="beta"):
        spectrum_run(problem, 0.3, 5, beta=1.0)


def test_steps_to_shrink_each_is_the_first_step_from_which_it_stays_below():
    from linreg_utils.spectrum import steps_to_shrink_each

    errors = np.array([[1.0, 2.0, 1.0], [0.5, 1e-7, 1.0], [1e-7, 1e-3, 1.0], [-1e-8, 1e-7, 1.0]])
    assert steps_to_shrink_each(errors, 1e-6).tolist() == [2.0, 3.0, math.inf]


def test_momentum_figures_draw_one_panel_per_setting_and_refuse_none():
    import matplotlib.pyplot as plt

    from linreg_utils.spectrum import spectrum_problem, spectrum_run
    from linreg_utils.viz.momentum_figures import damping_figure, spectrum_figure

    fig = damping_figure([(0.01, 0.64, "over"), (0.04, 0.64, "critical"), (1.0, 0.64, "under")], steps=10)
    assert len(fig.axes) == 3 and "0.32+0.73i" in fig.axes[2].get_title()
    plt.close(fig)
    lam = np.array([0.5, 2.0])
    errors = spectrum_run(spectrum_problem(lam, n=10), 0.4, 20)
    fig = spectrum_figure(lam, [(errors, "GD")])
    assert len(fig.axes[0].lines) == 3  # two directions and the 1e-6 line
    plt.close(fig)
    with pytest.raises(ValueError, match="settings"):
        damping_figure([])
    with pytest.raises(ValueError, match="runs"):
        spectrum_figure(lam, [])


def test_static_grid_widens_a_row_to_hold_its_whole_converging_path():
    import matplotlib.pyplot as plt

    eta, beta, _ = momentum_parameters(X)
    fig = momentum_grid(X, Y, [(0.02, 0.0, "GD"), (eta, beta, "Polyak"), (0.05, 0.5, "diverges")], steps=600)
    run = gd_trajectory(X, Y, eta, 600, *START, beta=beta)
    (w_lo, w_hi), (b_lo, b_hi) = fig.axes[3].get_xlim(), fig.axes[3].get_ylim()
    assert w_lo < run.weights.min() and run.weights.max() < w_hi
    assert b_lo < run.biases.min() and run.biases.max() < b_hi
    assert fig.axes[0].get_xlim() == fig.axes[6].get_xlim()  # GD and the diverging row keep the fixed frame
    plt.close(fig)
