"""Every number lesson 02 states, and the theory behind it."""

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
    optimal_lr,
    predicted_steps,
    seed_data,
    standardize,
    steps_to_shrink,
    unstandardize,
)


def path_by_hand(lr, steps, optimizer_cls=None):
    """GD on the seed in float64, by hand (no optimizer) or through ``optimizer_cls``."""
    x, y = (t.double() for t in seed_data())
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = optimizer_cls([w, b], lr=lr) if optimizer_cls else None
    path = [(0.0, 0.0)]
    for _ in range(steps):
        if opt:
            opt.zero_grad()
        loss = torch.mean((w * x + b - y) ** 2)
        loss.backward()
        if opt:
            opt.step()
        else:
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
        path.append((w.item(), b.item()))
    return np.array(path)


def test_hand_loop_sgd_and_closed_form_trace_the_same_path():
    x, y = seed_data()
    hand, sgd = path_by_hand(1e-3, 100), path_by_hand(1e-3, 100, torch.optim.SGD)
    assert np.allclose(hand, sgd, rtol=1e-12, atol=1e-15)
    run = gd_trajectory(x, y, 1e-3, 100)
    assert np.allclose(np.column_stack([run.weights, run.biases]), hand, rtol=1e-9, atol=1e-12)


def test_seed_condition_number_and_critical_lr():
    x, _ = seed_data()
    lam_min, lam_max = hessian_eigenvalues(x)
    assert (lam_min, lam_max) == pytest.approx((0.2377, 90.0943), abs=1e-4)
    assert round(condition_number(x), 1) == 379.0
    assert critical_lr(x) == pytest.approx(0.02220, abs=5e-6)
    assert 1e-3 / critical_lr(x) == pytest.approx(0.045, abs=5e-4)


def test_seed_rate_and_steps_at_lr_1e3():
    x, y = seed_data()
    rate = convergence_rate(x, 1e-3)
    assert rate == pytest.approx(0.999762, abs=5e-7)
    lam, c0 = eigen_errors(x, y)
    gap0 = 0.5 * np.sum(lam * c0**2)
    assert gap0 == pytest.approx(5.7925, abs=5e-5)
    assert 0.5 * lam[0] * c0[0] ** 2 == pytest.approx(0.0400, abs=5e-5)
    assert math.ceil(steps_to_shrink(rate**2, 1e-6 / gap0)) == 32_747
    assert math.ceil(predicted_steps(x, y, 1e-3, 1e-6)) == 22_286
    run = gd_trajectory(x, y, 1e-3, 100_000)
    assert run.first_within(1e-6) == 22_286
    assert run.gaps[-1] < 1e-20


def test_guarantee_bounds_the_gap_at_every_step():
    x, y = seed_data()
    for lr in (1e-3, 0.01, 0.95 * critical_lr(x)):
        run = gd_trajectory(x, y, lr, 5_000)
        k = np.arange(run.steps + 1)
        assert np.all(run.gaps <= convergence_rate(x, lr) ** (2 * k) * run.gaps[0] * (1 + 1e-9))


@pytest.mark.parametrize("eta_lam_max", [1.05, 1.5, 1.8, 1.99])
def test_between_one_and_two_over_lambda_max_gd_oscillates_and_converges(eta_lam_max):
    x, y = seed_data()
    lam_max = hessian_eigenvalues(x)[1]
    run = gd_trajectory(x, y, eta_lam_max / lam_max, 20_000)
    assert not run.diverged and run.gaps[-1] < 1e-3 * run.gaps[0]
    q = np.linalg.eigh((2 / 15) * np.array([[np.sum(x.double().numpy() ** 2), x.sum().item()],
                                              [x.sum().item(), 15.0]]))[1]
    steep = (np.column_stack([run.weights, run.biases]) - run.optimum) @ q[:, 1]
    signs = np.sign(steep[:6])  # beyond that, 0.05**k of the 1.05 case reaches round-off
    assert np.all(signs[1:] == -signs[:-1])  # flips every step


def test_oscillation_example_numbers():
    x, y = seed_data()
    lam_max = hessian_eigenvalues(x)[1]
    calm, zigzag, over = (gd_trajectory(x, y, f / lam_max, 2_000) for f in (0.8, 1.8, 2.05))
    assert not calm.diverged and not zigzag.diverged
    assert f"{calm.gaps[-1]:.2e}" == "8.54e-06" and f"{zigzag.gaps[-1]:.2e}" == "2.15e-10"
    assert over.diverged and over.diverged_at == 142


def test_just_above_critical_diverges():
    x, y = seed_data()
    run = gd_trajectory(x, y, 1.05 * critical_lr(x), 1_000)
    assert run.diverged and run.diverged_at == 73


def test_optimal_lr_sits_just_below_critical_and_balances_the_rates():
    x, y = seed_data()
    lam_min, lam_max = hessian_eigenvalues(x)
    lr = optimal_lr(x)
    assert lr == pytest.approx(0.0221, abs=5e-5) and lr / critical_lr(x) == pytest.approx(0.997, abs=5e-4)
    assert (1 - lr * lam_min) == pytest.approx(-(1 - lr * lam_max))
    kappa = lam_max / lam_min
    assert convergence_rate(x, lr) == pytest.approx((kappa - 1) / (kappa + 1))
    assert gd_trajectory(x, y, lr, 3_000).first_within(1e-6) == 1_476
    assert math.ceil(predicted_steps(x, y, lr)) == 1_475


def test_standardizing_makes_kappa_one_and_gd_fast():
    x, y = seed_data()
    z, mean, std = standardize(x.double())
    lam_min, lam_max = hessian_eigenvalues(z)
    assert lam_min == pytest.approx(2.0) and lam_max == pytest.approx(2.0)
    assert condition_number(z) == pytest.approx(1.0)
    assert optimal_lr(z) == pytest.approx(0.5) and critical_lr(z) == pytest.approx(1.0)
    steps = {lr: gd_trajectory(z, y, lr, 200).first_within(1e-6) for lr in (0.1, 0.3, optimal_lr(z))}
    assert steps == {0.1: 35, 0.3: 9, optimal_lr(z): 1}
    run = gd_trajectory(z, y, optimal_lr(z), 200)
    w, b = unstandardize(run.weights[-1], run.biases[-1], mean, std)
    assert (w, b) == pytest.approx(closed_form_fit(x, y), abs=1e-9)


def test_the_start_decides_the_step_count_not_the_rate():
    x, y = seed_data()
    torch.manual_seed(0)
    w0, b0 = (p.item() for p in torch.nn.Linear(1, 1).parameters())
    assert (f"{w0:.4f}", f"{b0:.4f}") == ("-0.0075", "0.5364")
    shares = []
    for (ws, bs), steps in (((0.0, 0.0), 22_286), ((w0, b0), 11_820)):
        lam, c0 = eigen_errors(x, y, ws, bs)
        shares.append(0.5 * lam[0] * c0[0] ** 2)
        assert math.ceil(predicted_steps(x, y, 1e-3, 1e-6, ws, bs)) == steps
        assert gd_trajectory(x, y, 1e-3, 100_000, ws, bs).first_within(1e-6) == steps
    assert (f"{shares[0]:.5f}", f"{shares[1]:.5f}") == ("0.04004", "0.00028")
    assert f"{shares[0] / shares[1]:.0f}" == "145"
    assert (f"{100_000 / 22_286:.1f}", f"{100_000 / 11_820:.1f}") == ("4.5", "8.5")


def test_zigzag_run_ends_closer_because_its_flat_factor_is_smaller():
    x, y = seed_data()
    lam_min, lam_max = hessian_eigenvalues(x)
    calm, zigzag = (gd_trajectory(x, y, f / lam_max, 2_000) for f in (0.8, 1.8))
    assert (f"{1 - calm.lr * lam_min:.5f}", f"{1 - zigzag.lr * lam_min:.5f}") == ("0.99789", "0.99525")
    predicted = ((1 - calm.lr * lam_min) / (1 - zigzag.lr * lam_min)) ** 4_000
    assert round(calm.gaps[-1] / zigzag.gaps[-1], -2) == round(predicted, -2) == 39_800


def test_optimal_lr_minimises_the_worst_case_not_the_steps_from_zero():
    x, y = seed_data()
    lam_min, lam_max = hessian_eigenvalues(x)
    kappa, crit, lr_opt = lam_max / lam_min, critical_lr(x), optimal_lr(x)
    assert f"{(kappa - 1) / (kappa + 1):.5f}" == "0.99474" == f"{-(1 - lr_opt * lam_max):.5f}"
    lam, c0 = eigen_errors(x, y)
    assert f"{0.5 * lam[1] * c0[1] ** 2:.4f}" == "5.7525"
    counts = [gd_trajectory(x, y, f * crit, 3_000).first_within(1e-6) for f in (0.5, 0.8, 0.9, 0.95, 0.99)]
    assert counts == [2_006, 1_253, 1_113, 1_055, 1_012]
    assert gd_trajectory(x, y, lr_opt, 3_000).first_within(1e-6) == 1_476 > max(counts[1:])


def test_exercise_2_3_recipe_gives_section_3s_count():
    x, y = seed_data()
    rate = convergence_rate(x, 1e-3)
    lam, c0 = eigen_errors(x, y)
    flat = 0.5 * lam[0] * c0[0] ** 2
    assert math.ceil(math.log(1e-6 / flat) / math.log(rate**2)) == 22_286
    assert math.ceil(math.log(1e-6) / math.log(rate)) > 50_000  # the old recipe (rate ρ, factor 1e-6)
