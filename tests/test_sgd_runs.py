"""sgd_runs is real torch.optim.SGD: it matches a plain one-run loop and lands on the closed form."""

import numpy as np
import pytest
import torch

from linreg_utils import critical_lr, gd_trajectory, seed_data
from linreg_utils.trajectory import sgd_runs


def one_sgd_run(x, y, lr, steps, w0=0.0, b0=0.0):
    """The textbook loop, one run: losses (steps + 1,) and parameters (steps + 1, 2)."""
    x, y = x.double(), y.double()
    theta = torch.tensor([w0, b0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([theta], lr=lr)
    losses, params = [], []
    for k in range(steps + 1):
        optimizer.zero_grad()
        loss = torch.mean((theta[0] * x + theta[1] - y) ** 2)
        losses.append(loss.item())
        params.append(theta.detach().clone().numpy())
        if k < steps:
            loss.backward()
            optimizer.step()
    return np.array(losses), np.array(params)


@pytest.mark.parametrize("lrs", [(1e-3, 0.015), (1e-3, 1e-3)])  # own groups; one shared parameter
def test_stacked_runs_match_separate_sgd_loops(lrs):
    x, y = seed_data()
    runs = sgd_runs(x, y, list(lrs), 200, [(0.0, 0.0), (0.3, -0.2)])
    for i, (lr, start) in enumerate(zip(lrs, [(0.0, 0.0), (0.3, -0.2)], strict=True)):
        losses, params = one_sgd_run(x, y, lr, 200, *start)
        np.testing.assert_allclose(runs.losses[:, i], losses, rtol=1e-13)
        np.testing.assert_allclose(runs.weights[:, i], params[:, 0], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(runs.biases[:, i], params[:, 1], rtol=1e-12, atol=1e-15)


def test_measured_runs_land_on_the_closed_form():
    x, y = seed_data()
    lrs = [1e-3, 0.5 * critical_lr(x), 0.95 * critical_lr(x)]
    runs = sgd_runs(x, y, lrs, 1_500)
    for i, lr in enumerate(lrs):
        exact = gd_trajectory(x, y, lr, 1_500)
        np.testing.assert_allclose(runs.weights[:, i], exact.weights, rtol=1e-9, atol=1e-12)
        assert np.max(np.abs(runs.gaps[:, i] - exact.gaps)) < 1e-13
        assert runs.first_within(1e-6)[i] == exact.first_within(1e-6)


def test_one_start_is_shared_and_gaps_start_at_the_starting_gap():
    x, y = seed_data()
    runs = sgd_runs(x, y, [1e-3, 2e-3], 3)
    assert runs.losses.shape == runs.weights.shape == (4, 2)
    assert np.all(runs.weights[0] == 0.0) and np.all(runs.biases[0] == 0.0)
    assert runs.gaps[0, 0] == pytest.approx(gd_trajectory(x, y, 1e-3, 1).gaps[0], rel=1e-12)
    assert runs.first_within(1e-6) == [None, None]


def test_a_diverging_run_never_counts_as_reached():
    x, y = seed_data()
    runs = sgd_runs(x, y, [1.5 * critical_lr(x)], 300)
    assert runs.gaps[-1, 0] > 1e6 * runs.gaps[0, 0] or not np.isfinite(runs.gaps[-1, 0])
    assert runs.first_within(1e-6) == [None]


@pytest.mark.parametrize("kwargs, words", [
    (dict(lrs=[], steps=5), "at least one"),
    (dict(lrs=[-1e-3], steps=5), r"lrs\[0\]"),
    (dict(lrs=[1e-3], steps=0), "steps"),
    (dict(lrs=[1e-3, 1e-3, 1e-3], steps=5, starts=[(0, 0), (1, 1)]), "starts must hold"),
    (dict(lrs=[1e-3], steps=5, starts=[(float("nan"), 0.0)]), "w0"),
])
def test_bad_arguments_are_refused(kwargs, words):
    x, y = seed_data()
    with pytest.raises(ValueError, match=words):
        sgd_runs(x, y, **kwargs)
