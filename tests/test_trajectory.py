"""gd_trajectory's closed form is exactly gradient descent."""

import numpy as np
import pytest
import torch

from linreg_utils import critical_lr, gd_trajectory, optimal_lr, seed_data
from linreg_utils.trajectory import DIVERGENCE_FACTOR


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


def test_closed_form_equals_torch_optim_sgd():
    x, y = seed_data()
    x64, y64 = x.double(), y.double()
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=0.01)
    losses = []
    for _ in range(200):
        opt.zero_grad()
        loss = torch.mean((w * x64 + b - y64) ** 2)
        losses.append(loss.item())
        loss.backward()
        opt.step()
    run = gd_trajectory(x, y, 0.01, steps=200)
    assert np.allclose(run.losses[:200], losses, rtol=1e-10)
    assert run.weights[200] == pytest.approx(w.item(), rel=1e-10)
    assert run.biases[200] == pytest.approx(b.item(), rel=1e-10)


def test_arrays_have_one_entry_per_step_including_the_start():
    x, y = seed_data()
    run = gd_trajectory(x, y, 1e-3, steps=50, w0=1.0, b0=2.0)
    assert run.steps == 50
    assert run.losses.shape == run.weights.shape == run.biases.shape == run.gaps.shape == (51,)
    assert (run.weights[0], run.biases[0]) == pytest.approx((1.0, 2.0))
    assert np.allclose(run.losses - run.optimum_loss, run.gaps, atol=1e-12)


def test_divergence_is_reported_not_raised_and_arrays_stay_finite():
    x, y = seed_data()
    run = gd_trajectory(x, y, 10 * critical_lr(x), steps=10_000)
    assert run.diverged and run.diverged_at == run.steps + 1
    assert np.isfinite(run.losses).all()
    assert run.losses.max() <= DIVERGENCE_FACTOR * run.losses[0]


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
