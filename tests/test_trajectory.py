"""gd_trajectory's closed form is exactly gradient descent (with momentum: tests/test_momentum.py)."""

import numpy as np
import pytest

from linreg_utils import DIVERGENCE_FACTOR, critical_lr, gd_trajectory, line_runs, optimal_lr, seed_data


def loop_gd(x, y, lr, steps, w0=0.0, b0=0.0):
    """Plain GD with the gradient formula, in float64: the reference."""
    x, y = x.double()[:, 0].numpy(), y.double()[:, 0].numpy()
    w, b, path = w0, b0, [(w0, b0)]
    for _ in range(steps):
        r = w * x + b - y
        w, b = w - lr * 2 * np.mean(r * x), b - lr * 2 * np.mean(r)
        path.append((w, b))
    return np.array(path)


@pytest.mark.parametrize("lr", [1e-3, 0.01, 0.0215])
def test_closed_form_equals_a_gd_loop(lr):
    x, y = seed_data()
    run = gd_trajectory(x, y, lr, steps=300, w0=0.5, b0=-0.5)
    path = loop_gd(x, y, lr, 300, 0.5, -0.5)
    assert np.allclose(run.weights, path[:, 0], rtol=1e-9, atol=1e-12)
    assert np.allclose(run.biases, path[:, 1], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("fraction", [0.01, 0.5, 0.95])
def test_closed_form_equals_torch_optim_sgd(fraction):
    x, y = seed_data()
    lr = fraction * critical_lr(x)
    (measured,) = line_runs(x, y, [lr], 1_500)
    exact = gd_trajectory(x, y, lr, 1_500)
    np.testing.assert_allclose(measured.path, exact.path, rtol=1e-9, atol=1e-12)
    assert np.allclose(measured.losses, exact.losses, rtol=1e-10)
    assert np.max(np.abs(measured.gaps - exact.gaps)) < 1e-13
    assert measured.first_within(1e-6) == exact.first_within(1e-6)


def test_arrays_have_one_entry_per_step_including_the_start():
    x, y = seed_data()
    run = gd_trajectory(x, y, 1e-3, steps=50, w0=1.0, b0=2.0)
    assert run.steps == 50
    assert run.losses.shape == run.weights.shape == run.biases.shape == run.gaps.shape == (51,)
    assert (run.weights[0], run.biases[0]) == pytest.approx((1.0, 2.0))
    assert np.allclose(run.losses - run.optimum_loss, run.gaps, atol=1e-12)


def test_divergence_is_reported_not_raised_and_the_record_ends_at_the_diverged_step():
    x, y = seed_data()
    run = gd_trajectory(x, y, 10 * critical_lr(x), steps=10_000)
    assert run.diverged and run.diverged_at == run.steps
    assert np.isfinite(run.losses).all() and np.isfinite(run.path).all()
    assert run.losses[:-1].max() <= DIVERGENCE_FACTOR * run.losses[0] < run.losses[-1]


def test_steps_to_reach_tolerance():
    x, y = seed_data()
    run = gd_trajectory(x, y, optimal_lr(x), steps=5000)
    k = run.first_within(1e-6)
    assert k is not None and run.gaps[k] <= 1e-6 < run.gaps[k - 1]
    assert gd_trajectory(x, y, 1e-3, steps=10).first_within(1e-6) is None


def test_starting_at_the_optimum_stays_there():
    x, y = seed_data()
    first = gd_trajectory(x, y, 1e-3, steps=1)
    w, b = first.optimum
    run = gd_trajectory(x, y, 0.5 * critical_lr(x), steps=20, w0=w, b0=b)
    assert not run.diverged
    assert np.allclose(run.gaps, 0.0, atol=1e-15)
