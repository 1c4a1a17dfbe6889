"""Lesson 05's adaptive-method measurements: v̂ rebuilt from a run's gradients equals torch's own state,
and the three weight-decay variants are what torch calls Adam, Adam(weight_decay) and AdamW."""

import numpy as np
import pytest
import torch

from linreg_utils import START, line_loss, make_regression, optimize, seed_data
from linreg_utils.adaptive import DECAY_VARIANTS, running_mean_square, weight_decay_end_points
from linreg_utils.theory import closed_form_fit, regularised_optimum

X, Y = (t.double() for t in make_regression(n=30, slope=2.0, intercept=-1.0, noise=0.5, seed=5))


@pytest.mark.parametrize("kind", ["Adam", "RMSprop"])
def test_running_mean_square_rebuilds_torchs_own_second_moment(kind):
    theta = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    if kind == "Adam":
        optimizer, key, beta, corrected = torch.optim.Adam([theta], lr=0.05), "exp_avg_sq", 0.999, True
    else:
        optimizer, key, beta, corrected = torch.optim.RMSprop([theta], lr=0.01), "square_avg", 0.99, False
    from linreg_utils import train

    run = train(lambda: line_loss(X, Y)(theta), [theta], optimizer, 40)
    v = running_mean_square(run.log["grads"][:-1], beta, bias_corrected=corrected)
    stored = optimizer.state[theta][key].numpy() / ((1 - beta**40) if corrected else 1.0)
    np.testing.assert_allclose(v[-1], stored, rtol=1e-12)


def test_running_mean_square_refuses_bad_input():
    with pytest.raises(ValueError, match="grads"):
        running_mean_square(np.ones(5), 0.9)
    with pytest.raises(ValueError, match="beta"):
        running_mean_square(np.ones((5, 2)), 1.0)


def test_the_decoupled_group_is_torch_adamw():
    a = torch.tensor([0.3, -0.2], dtype=torch.float64, requires_grad=True)
    b = a.detach().clone().requires_grad_(True)
    path = [optimize(lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.1, decoupled_weight_decay=True),
                     line_loss(X, Y), a, 50).path,
            optimize(lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.1), line_loss(X, Y), b, 50).path]
    np.testing.assert_array_equal(*path)


def test_full_batch_adam_l2_ends_at_the_penalised_minimiser_and_adam_stays_at_the_optimum():
    x, y = (t.double() for t in seed_data())
    ends = weight_decay_end_points(x, y, weight_decay=0.1, lr=0.01, steps=600)
    assert list(ends) == list(DECAY_VARIANTS)
    np.testing.assert_allclose(ends["Adam + L2"].theta, regularised_optimum(x, y, 0.1), atol=1e-6)
    np.testing.assert_allclose(ends["Adam"].theta, closed_form_fit(x, y), atol=1e-6)
    assert np.all(ends["Adam"].rms_grad >= 0)


def test_weight_decay_end_points_refuses_bad_arguments():
    with pytest.raises(ValueError, match="weight_decay"):
        weight_decay_end_points(X, Y, weight_decay=-0.1, lr=0.01, steps=10)
    with pytest.raises(ValueError, match="batch_size"):
        weight_decay_end_points(X, Y, weight_decay=0.1, lr=0.01, steps=10, batch_size=0)
