"""The batched learning-rate sweep equals one torch.optim.SGD loop per learning rate."""

import pytest
import torch

from linreg_utils import critical_lr, gd_trajectory, seed_data
from linreg_utils.sweep import sweep_gd, sweep_with_torch_optim

X, Y = seed_data()


def test_batched_sweep_equals_one_torch_optim_loop_per_lr():
    lrs = torch.linspace(0.001, 1.2 * critical_lr(X), 7)
    theta, losses = sweep_gd(X, Y, lrs, 150, w0=0.5, b0=-0.5)
    ref_theta, ref_losses = sweep_with_torch_optim(X, Y, lrs, 150, w0=0.5, b0=-0.5)
    assert theta.shape == (7, 2) and losses.shape == (7, 151)
    assert torch.allclose(theta, ref_theta, rtol=1e-10, atol=1e-12, equal_nan=True)
    assert torch.allclose(losses, ref_losses, rtol=1e-10, atol=1e-12, equal_nan=True)


def test_each_row_is_gradient_descent_at_its_own_lr():
    lrs = [0.005, 0.02]
    theta, losses = sweep_gd(X, Y, lrs, 100)
    for final, row, lr in zip(theta, losses, lrs, strict=True):
        closed = gd_trajectory(X, Y, lr, 100)
        assert final.tolist() == pytest.approx([closed.weights[-1], closed.biases[-1]], rel=1e-7)
        # gd_trajectory works in the Hessian eigenbasis: ~1e-8 relative rounding (κ≈379)
        assert torch.allclose(row, torch.tensor(closed.losses), rtol=1e-6)


def test_a_diverging_lr_does_not_disturb_the_others():
    _, alone = sweep_gd(X, Y, [0.01], 400)
    _, mixed = sweep_gd(X, Y, [0.01, 3 * critical_lr(X)], 400)
    assert torch.equal(alone[0], mixed[0])
    assert not torch.isfinite(mixed[1, -1])


@pytest.mark.parametrize("lrs, error", [([], ValueError), ([0.1, -0.1], ValueError),
                                        ([float("nan")], ValueError)])
def test_bad_learning_rates_are_refused(lrs, error):
    with pytest.raises(error, match="lrs"):
        sweep_gd(X, Y, lrs, 10)


def test_autograd_and_formula_gradients_give_the_same_sweep():
    lrs = torch.linspace(0.001, 0.9 * critical_lr(X), 9)
    formula, f_losses = sweep_gd(X, Y, lrs, 200, w0=-0.5, b0=3.0)
    auto, a_losses = sweep_gd(X, Y, lrs, 200, w0=-0.5, b0=3.0, autograd=True)
    assert torch.allclose(formula, auto, rtol=1e-10, atol=1e-12)
    assert torch.allclose(f_losses, a_losses, rtol=1e-10, atol=1e-12)
