"""The theory helpers agree with independent computations and with what GD actually does."""

import math

import numpy as np
import pytest
import torch

from linreg_utils import (
    closed_form_fit,
    condition_number,
    convergence_rate,
    critical_lr,
    direction_shares,
    eigen_errors,
    gd_trajectory,
    hessian_eigenvalues,
    line_runs,
    loss_gap,
    make_regression,
    mse,
    mse_hessian,
    optimal_lr,
    predicted_steps,
    seed_data,
    steps_to_shrink,
)
from linreg_utils.theory import gap_shares, loss_surface, momentum_parameters, quadratic_gap

DATASETS = {
    "seed": seed_data(),
    "synthetic": make_regression(n=40, slope=-1.5, intercept=3.0, noise=0.3, seed=7),
    "centered": make_regression(n=25, seed=3, x_range=(-1.0, 1.0)),
}


@pytest.fixture(params=sorted(DATASETS))
def data(request):
    return DATASETS[request.param]


def test_closed_form_matches_numpy_lstsq(data):
    x, y = data
    a = np.hstack([x.double().numpy(), np.ones((len(x), 1))])
    expected, *_ = np.linalg.lstsq(a, y.double().numpy()[:, 0], rcond=None)
    assert np.allclose(closed_form_fit(x, y), expected, rtol=1e-10, atol=1e-12)


def test_closed_form_is_a_minimum_of_the_mse(data):
    x, y = data
    w, b = closed_form_fit(x, y)
    best = mse(x, y, w, b)
    for dw, db in [(1e-3, 0), (-1e-3, 0), (0, 1e-3), (0, -1e-3)]:
        assert mse(x, y, w + dw, b + db) > best


def test_hessian_matches_autograd(data):
    x, y = data
    x64, y64 = x.double(), y.double()

    def loss(theta):
        return torch.mean((theta[0] * x64 + theta[1] - y64) ** 2)

    auto = torch.autograd.functional.hessian(loss, torch.tensor([0.3, -0.2], dtype=torch.float64))
    assert torch.allclose(mse_hessian(x), auto, rtol=1e-12, atol=1e-12)


def test_rate_at_a_small_lr_is_set_by_the_flattest_direction(data):
    x, _ = data
    lam_min, _ = hessian_eigenvalues(x)
    assert convergence_rate(x, 1e-3) == pytest.approx(1 - 1e-3 * lam_min, rel=1e-12)


def test_gd_converges_just_below_critical_lr(data):
    x, y = data
    run = gd_trajectory(x, y, 0.98 * critical_lr(x), steps=5000)
    assert not run.diverged
    assert run.gaps[-1] < 1e-6 * run.gaps[0]


def test_gd_diverges_just_above_critical_lr(data):
    x, y = data
    run = gd_trajectory(x, y, 1.02 * critical_lr(x), steps=5000)
    assert run.diverged
    assert run.diverged_at is not None and run.diverged_at <= 5000


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_measured_error_ratio_matches_convergence_rate(data, fraction):
    x, y = data
    lr = fraction * critical_lr(x)
    run = gd_trajectory(x, y, lr, steps=3000, w0=1.0, b0=1.0)
    # The loss gap is ½ Σ λᵢ cᵢ²: once the faster direction has died out, its ratio from one
    # step to the next is rate². Use the last steps before float64 underflow.
    gaps = run.gaps[run.gaps > 1e-280]
    ratios = np.sqrt(gaps[-10:] / gaps[-11:-1])
    assert np.allclose(ratios, convergence_rate(x, lr), rtol=1e-6)


def test_rate_at_optimal_lr_is_kappa_formula(data):
    x, _ = data
    kappa = condition_number(x)
    assert convergence_rate(x, optimal_lr(x)) == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-12)


def test_optimal_lr_is_the_fastest(data):
    x, _ = data
    best = convergence_rate(x, optimal_lr(x))
    for factor in (0.9, 0.99, 1.01, 1.1):
        assert convergence_rate(x, factor * optimal_lr(x)) > best


def test_momentum_parameters_follow_polyak(data):
    x, _ = data
    lam_min, lam_max = hessian_eigenvalues(x)
    lr, beta, rate = momentum_parameters(x)
    kappa = lam_max / lam_min
    assert rate == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1))
    assert beta == pytest.approx(rate**2)
    # At these settings both eigen-directions' 2x2 iteration matrices have spectral radius = rate.
    for lam in (lam_min, lam_max):
        m = np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]])
        assert max(abs(np.linalg.eigvals(m))) == pytest.approx(rate, rel=1e-6)


def test_steps_to_shrink():
    assert steps_to_shrink(0.5, 1 / 1024) == pytest.approx(10)
    assert steps_to_shrink(1.0, 0.1) == math.inf


def test_loss_surface_matches_mse(data):
    x, y = data
    ws, bs = np.linspace(-1, 1, 4), np.linspace(-2, 2, 3)
    grid = loss_surface(x, y, ws, bs)
    assert grid.shape == (3, 4)
    assert grid[2, 1] == pytest.approx(mse(x, y, ws[1], bs[2]), rel=1e-12)


def test_direction_shares_sum_to_the_gap_torch_measures():
    x, y = seed_data()
    lam, c0 = eigen_errors(x, y)
    (measured,) = line_runs(x, y, [0.015], 400)
    shares = direction_shares(lam, c0, 0.015, 400).sum(axis=1)
    assert np.all(np.abs(shares - measured.gaps) <= 1e-9 * shares + 1e-14)


def test_predicted_steps_is_a_tight_lower_bound_on_the_seed():
    x, y = seed_data()
    for lr in (1e-3, 0.01, optimal_lr(x), 0.95 * critical_lr(x)):
        predicted = predicted_steps(x, y, lr, 1e-6)
        measured = gd_trajectory(x, y, lr, 60_000).first_within(1e-6)
        assert measured is not None
        assert math.ceil(predicted) <= measured <= math.ceil(predicted) + 2


def test_predicted_steps_is_infinite_above_critical():
    x, y = seed_data()
    assert predicted_steps(x, y, 1.01 * critical_lr(x)) == math.inf


def test_the_gap_is_half_dhd_the_sum_of_the_shares_and_the_loss_minus_its_minimum(data):
    x, y = data
    w_star, b_star = closed_form_fit(x, y)
    points = np.array([[0.0, 0.0], [w_star + 0.3, b_star - 2.0], [w_star, b_star]])
    expected = np.array([mse(x, y, *p) for p in points]) - mse(x, y, w_star, b_star)
    gap = loss_gap(x, y)
    assert np.allclose(gap(points[:, 0], points[:, 1]), expected, rtol=1e-9, atol=1e-12)
    assert gap(*points[1]) == pytest.approx(expected[1], rel=1e-9)
    d = torch.tensor(points - [w_star, b_star])
    assert torch.allclose(quadratic_gap(d, mse_hessian(x)), torch.tensor(gap(points[:, 0], points[:, 1])))
    lam, c0 = eigen_errors(x, y, *points[1])
    assert gap_shares(lam, c0).sum() == pytest.approx(expected[1], rel=1e-9)


@pytest.mark.parametrize("beta1, edge", [(0.0, 2.0), (0.5, 6.0), (0.9, 38.0), (0.99, 398.0)])
def test_adams_edge_is_the_heavy_ball_edge_at_learning_rate_eta_one_minus_beta(beta1, edge):
    from linreg_utils.theory import adam_stability_edge, stability_edge

    assert adam_stability_edge(beta1) == pytest.approx(edge)
    assert adam_stability_edge(beta1) * (1 - beta1) == pytest.approx(stability_edge(beta1))


def test_adams_edge_refuses_an_average_that_never_forgets():
    from linreg_utils.theory import adam_stability_edge

    with pytest.raises(ValueError, match="beta1"):
        adam_stability_edge(1.0)


@pytest.mark.parametrize("beta", [0.5, 0.9])
def test_ema_momentum_in_torch_converges_inside_its_edge_and_diverges_outside(beta):
    """SGD(momentum=β, dampening=β) is Adam's first moment with P = I: its edge, measured in torch."""
    from linreg_utils import hessian_eigenvalues, line_loss, loss_gap, optimize
    from linreg_utils.theory import adam_stability_edge

    x, y = seed_data()
    lam_max, gap = hessian_eigenvalues(x)[1], loss_gap(x, y)
    lr = adam_stability_edge(beta) / lam_max
    runs = [optimize(lambda p, f=f: torch.optim.SGD(p, lr=f * lr, momentum=beta, dampening=beta),
                     line_loss(x, y), torch.zeros(2), 400) for f in (0.97, 1.03)]
    assert not runs[0].diverged and gap(*runs[0].path[-1]) < 1e-6
    assert runs[1].diverged


def test_preconditioned_sharpness_is_the_top_eigenvalue_of_p_times_h():
    from linreg_utils.theory import preconditioned_hessian, preconditioned_sharpness

    h = np.array([[4.0, 1.0], [1.0, 2.0]])
    p = np.array([[0.5, 3.0], [1.0, 1.0], [2.0, 0.1]])  # (3, 2): three diagonal preconditioners
    expected = [max(np.linalg.eigvals(np.diag(q) @ h).real) for q in p]
    assert preconditioned_sharpness(h, p) == pytest.approx(expected)
    assert np.allclose(preconditioned_hessian(h, p[0]), preconditioned_hessian(h, p[0]).T)
    with pytest.raises(ValueError, match="positive"):
        preconditioned_sharpness(h, np.array([1.0, -1.0]))


def test_regularised_optimum_zeroes_the_gradient_of_the_penalised_loss(data):
    from linreg_utils.theory import regularised_optimum

    x, y = data
    for strength in (0.1, np.array([0.3, 0.02])):
        theta = torch.tensor(regularised_optimum(x, y, strength), requires_grad=True)
        penalised = torch.mean((theta[0] * x.double() + theta[1] - y.double()) ** 2) \
            + 0.5 * (torch.as_tensor(strength, dtype=torch.float64) * theta**2).sum()
        (grad,) = torch.autograd.grad(penalised, theta)
        assert grad.abs().max() < 1e-10
    assert regularised_optimum(x, y, 0.0) == pytest.approx(closed_form_fit(x, y))
    with pytest.raises(ValueError, match="strength"):
        regularised_optimum(x, y, -1.0)


def test_steps_to_reach_is_the_first_step_of_the_exact_gap_within_tol():
    from linreg_utils import gd_trajectory, seed_data, steps_to_reach

    x, y = seed_data()
    starts = np.array([[0.0, 0.0], [-0.5, 3.0], [0.9, -0.9], [0.2725, 0.6247]])
    for lr in (1e-3, 0.95 * critical_lr(x), 1.8 / hessian_eigenvalues(x)[1]):
        counts = steps_to_reach(x, y, lr, starts)
        for (w0, b0), count in zip(starts, counts, strict=True):
            assert count == gd_trajectory(x, y, lr, 60_000, w0, b0).first_within(1e-6)


def test_steps_to_reach_rejects_a_learning_rate_that_does_not_converge_and_bad_starts():
    from linreg_utils import seed_data, steps_to_reach

    x, y = seed_data()
    with pytest.raises(ValueError, match="does not converge"):
        steps_to_reach(x, y, 1.01 * critical_lr(x), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="starts must be an"):
        steps_to_reach(x, y, 1e-3, np.zeros(2))
