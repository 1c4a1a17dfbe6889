"""Every number lesson 02 states, and the theory behind it; measured numbers come from torch.optim.SGD."""

import math

import numpy as np
import pytest
import torch

from linreg_utils import (
    closed_form_fit,
    condition_number,
    convergence_rate,
    critical_lr,
    eigen_errors,
    gd_trajectory,
    hessian_eigenvalues,
    line_reach_steps,
    line_runs,
    linear_start,
    linear_starts,
    mse_hessian,
    optimal_lr,
    predicted_steps,
    seed_data,
    standardize,
    steps_to_reach,
    steps_to_shrink,
    unstandardize,
)
from linreg_utils.viz import lr_scale, readout_text
from tests import lesson_numbers as numbers
from tests.lesson_numbers import stored_text


def path_by_hand(lr, steps):
    """GD on the seed in float64 with autograd and a hand-written update (no optimizer)."""
    x, y = (t.double() for t in seed_data())
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    path = [(0.0, 0.0)]
    for _ in range(steps):
        torch.mean((w * x + b - y) ** 2).backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        path.append((w.item(), b.item()))
    return np.array(path)


def test_hand_loop_sgd_and_closed_form_trace_the_same_path():
    x, y = seed_data()
    hand, (sgd,) = path_by_hand(1e-3, 100), line_runs(x, y, [1e-3], 100)
    assert np.allclose(hand, sgd.path, rtol=1e-12, atol=1e-15)
    run = gd_trajectory(x, y, 1e-3, 100)
    assert np.allclose(np.column_stack([run.weights, run.biases]), hand, rtol=1e-9, atol=1e-12)
    assert (f"{hand[-1, 0]:.6f}", f"{hand[-1, 1]:.6f}") == numbers.L02_AFTER_100_STEPS


def test_seed_hessian_condition_number_and_critical_lr():
    x, _ = seed_data()
    h = mse_hessian(x)
    assert (f"{h[0, 0]:.4f}", f"{h[0, 1]:.4f}", f"{h[1, 1]:.4f}") == numbers.L02_HESSIAN
    assert tuple(f"{v:.4f}" for v in hessian_eigenvalues(x)) == numbers.L02_EIGENVALUES
    assert f"{condition_number(x):.1f}" == numbers.L02_KAPPA
    assert (f"{critical_lr(x):.5f}", f"{1e-3 / critical_lr(x):.3f}") == (numbers.L02_CRITICAL_LR, "0.045")


def test_seed_rate_shares_and_predictions_at_lr_1e3():
    x, y = seed_data()
    rate, lam_max = convergence_rate(x, 1e-3), hessian_eigenvalues(x)[1]
    assert (f"{1 - 1e-3 * lam_max:.4f}", f"{rate:.6f}") == numbers.L02_RATE_AT_1E3
    lam, c0 = eigen_errors(x, y)
    gap0, flat0 = 0.5 * np.sum(lam * c0**2), 0.5 * lam[0] * c0[0] ** 2
    assert (f"{gap0:.4f}", f"{flat0:.5f}") == (numbers.L02_GAP0, numbers.L02_FLAT_SHARE0)
    assert math.ceil(steps_to_shrink(rate**2, 1e-6 / gap0)) == numbers.L02_GUARANTEE_STEPS
    assert math.ceil(predicted_steps(x, y, 1e-3, 1e-6)) == numbers.L02_STEPS_FROM_ZERO


def test_torch_measures_the_predicted_steps_from_both_starts():
    """The lesson's 24,000-step torch runs (nbval reruns its cells and compares these outputs)
    measured what the closed form and the flat share predict."""
    x, y = seed_data()
    counts = [numbers.L02_STEPS_FROM_ZERO, numbers.L02_STEPS_FROM_LINEAR_START]
    measured = stored_text("02_gradient_descent_live.ipynb", "measured = line_runs(")
    assert f"first at step {counts[0]:,}; exact (closed form): {counts[0]:,}" in measured
    assert "agree to within 1e-13 at every one of the 24,000 steps: True" in measured
    per_start = stored_text("02_gradient_descent_live.ipynb", "flat_share = {}")
    for count, start in zip(counts, [(0.0, 0.0), linear_start()], strict=True):
        assert f"predicted {count:,} steps, measured {count:,}" in per_start
        assert math.ceil(predicted_steps(x, y, 1e-3, 1e-6, *start)) == count
        assert gd_trajectory(x, y, 1e-3, 24_000, *start).first_within(1e-6) == count
    assert tuple(f"{100_000 / c:.1f}" for c in counts) == numbers.L02_EXCESS_EPOCHS


def test_the_exact_gap_is_bounded_by_the_guarantee_and_below_float64s_resolution():
    x, y = seed_data()
    exact = gd_trajectory(x, y, 1e-3, 100_000)
    k = np.arange(24_001)
    bound = convergence_rate(x, 1e-3) ** (2 * k) * exact.gaps[0]
    assert np.all(exact.gaps[:24_001] <= bound * (1 + 1e-9) + 1e-15)
    assert f"{exact.gaps[-1]:.1e}" == numbers.L02_GAP_AFTER_100K
    loss_star = exact.optimum_loss
    assert (f"{np.spacing(loss_star):.0e}", f"{loss_star:.3f}") == ("3e-17", "0.151")


def test_the_start_decides_the_flat_share():
    x, y = seed_data()
    shares = []
    for start in [(0.0, 0.0), linear_start()]:
        lam, c0 = eigen_errors(x, y, *start)
        shares.append(0.5 * lam[0] * c0[0] ** 2)
    assert tuple(f"{s:.5f}" for s in shares) == numbers.L02_FLAT_SHARES
    assert f"{shares[0] / shares[1]:.0f}" == "145"


def test_between_one_and_two_over_lambda_max_measured_gd_oscillates_and_converges():
    x, y = seed_data()
    lam_max = hessian_eigenvalues(x)[1]
    fractions = [1.05, 1.5, 1.8, 1.99]
    runs = line_runs(x, y, [f / lam_max for f in fractions], 6)  # measured: the first steps
    _, q = np.linalg.eigh(mse_hessian(x).numpy())
    w_star, b_star = closed_form_fit(x, y)
    for run in runs:
        exact = gd_trajectory(x, y, run.lr, 20_000)
        assert exact.gaps[-1] < 1e-3 * exact.gaps[0]
        np.testing.assert_allclose(run.path, exact.path[:7], rtol=1e-9, atol=1e-12)
        steep = (run.path - [w_star, b_star]) @ q[:, 1]
        signs = np.sign(steep[:6])  # beyond that, 0.05**k of the 1.05 case reaches round-off
        assert np.all(signs[1:] == -signs[:-1])  # flips every step


def test_oscillation_example_numbers_are_measured():
    x, y = seed_data()
    lam_min, lam_max = hessian_eigenvalues(x)
    fractions = (0.8, 1.8, 2.05)
    osc = line_runs(x, y, [f / lam_max for f in fractions], 2_000)
    assert tuple(f"{run.gaps[-1]:.2e}" for run in osc) == numbers.L02_OSCILLATION_GAPS
    assert tuple(f"{1 - f / lam_max * lam_min:.5f}" for f in fractions) == numbers.L02_FLAT_FACTORS
    predicted = ((1 - 0.8 / lam_max * lam_min) / (1 - 1.8 / lam_max * lam_min)) ** 4_000
    measured = round(osc[0].gaps[-1] / osc[1].gaps[-1], -2)
    assert measured == round(predicted, -2) == numbers.L02_ZIGZAG_ADVANTAGE


def test_static_grid_readouts():
    x, y = seed_data()
    scale, crit, opt = lr_scale(x), critical_lr(x), optimal_lr(x)
    assert math.ceil(predicted_steps(x, y, opt)) == numbers.L02_PREDICTED_AT_OPTIMAL_LR
    text = readout_text(gd_trajectory(x, y, 1.05 * crit, 1_000), scale)
    assert f"by step {numbers.L02_DIVERGED_AT}" in text
    assert f"at least {numbers.L02_SWEEP_STEPS[3]:,} needed" in readout_text(
        gd_trajectory(x, y, 0.95 * crit, 1_000), scale, predicted=predicted_steps(x, y, 0.95 * crit))


def test_optimal_lr_minimises_the_worst_case_not_the_measured_steps_from_zero():
    x, y = seed_data()
    lam_min, lam_max = hessian_eigenvalues(x)
    kappa, crit, lr_opt = lam_max / lam_min, critical_lr(x), optimal_lr(x)
    assert (1 - lr_opt * lam_min) == pytest.approx(-(1 - lr_opt * lam_max))
    worst = numbers.L02_WORST_CASE_FACTOR
    assert f"{(kappa - 1) / (kappa + 1):.5f}" == worst == f"{-(1 - lr_opt * lam_max):.5f}"
    lam, c0 = eigen_errors(x, y)
    assert f"{0.5 * lam[1] * c0[1] ** 2:.4f}" == "5.7525"
    lrs = [f * crit for f in (0.5, 0.8, 0.9, 0.95, 0.99)] + [lr_opt]
    counts = [run.first_within(1e-6) for run in line_runs(x, y, lrs, 2_100)]
    assert tuple(counts[:-1]) == numbers.L02_SWEEP_STEPS
    assert counts[-1] == numbers.L02_STEPS_AT_OPTIMAL_LR > max(counts[1:-1])
    assert f"{lr_opt / crit:.3f}" == numbers.L02_OPTIMAL_OVER_CRITICAL
    factors = (f"{1 - 0.95 * crit * lam_min:.5f}", f"{1 - 0.95 * crit * lam_max:.3f}")
    assert factors == numbers.L02_FACTORS_AT_095


def test_standardizing_makes_kappa_one_and_measured_gd_fast():
    x, y = seed_data()
    z, mean, std = standardize(x.double())
    assert hessian_eigenvalues(z) == pytest.approx((2.0, 2.0))
    assert condition_number(z) == pytest.approx(1.0)
    assert optimal_lr(z) == pytest.approx(0.5) and critical_lr(z) == pytest.approx(1.0)
    runs = line_runs(z, y, [0.1, 0.3, optimal_lr(z)], 60)
    assert tuple(run.first_within(1e-6) for run in runs) == numbers.L02_STANDARDIZED_STEPS
    w, b = unstandardize(*runs[2].path[-1], mean, std)
    assert (w, b) == pytest.approx(closed_form_fit(x, y), abs=1e-9)


@pytest.mark.slow  # 8 s: 2,000 runs of up to 27,000 steps; make test checks the stored quantiles (nbval)
def test_the_seeds_step_count_is_one_draw_of_a_measured_distribution():
    x, y = seed_data()
    draws = linear_starts(numbers.L02_DRAWS)
    assert tuple(draws[0]) == linear_start()  # the tutorial's start is the first draw
    assert np.all(np.abs(draws) <= 1.0)  # nn.Linear(1, 1): U(−1, 1) for weight and bias
    exact = steps_to_reach(x, y, 1e-3, draws)
    assert exact[0] == numbers.L02_STEPS_FROM_LINEAR_START
    q05, q50, q95 = np.percentile(exact, [5, 50, 95])
    assert (f"{q05:,.0f}", f"{q50:,.0f}", f"{q95:,.0f}") == numbers.L02_DRAW_QUANTILES
    assert f"{np.mean(exact <= exact[0]):.1%}" == numbers.L02_DRAW_SEED_SHARE
    assert exact.max() == numbers.L02_DRAW_SLOWEST and f"{100_000 / exact.max():.1f}" == "3.7"
    stored = stored_text("02_gradient_descent_live.ipynb", "draws = linear_starts(")
    assert "agree for 100% of the 2,000 starts" in stored  # the torch loop measured the same counts
    assert all(q in stored for q in numbers.L02_DRAW_QUANTILES)
    sample = draws[::100]  # a measured check here too, on 20 of the starts
    assert np.array_equal(line_reach_steps(x, y, 1e-3, sample), exact[::100])


def test_lr_can_grow_only_about_22_times_below_critical():
    """Section 3: "η can grow only about 22×" from the seed's 1e-3 before 2/λmax."""
    x, _ = seed_data()
    assert f"{critical_lr(x) / 1e-3:.0f}" == "22"


def test_a_looser_tolerance_shortens_the_count_only_logarithmically():
    """Section 3: "the count grows like log(1/tol)": 1e-3 instead of 1e-6 from (0, 0) at lr = 1e-3."""
    x, y = seed_data()
    assert math.ceil(predicted_steps(x, y, 1e-3, 1e-3)) == numbers.L02_STEPS_AT_TOL_1E3
    assert gd_trajectory(x, y, 1e-3, 10_000).first_within(1e-3) == numbers.L02_STEPS_AT_TOL_1E3
