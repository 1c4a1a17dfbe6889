"""Each hand-written update in linreg_utils.optimizers is exactly its torch.optim twin."""

import math

import numpy as np
import pytest
import torch

from linreg_utils import (
    closed_form_fit,
    condition_number,
    line_loss,
    momentum_parameters,
    optimal_lr,
    optimize,
    seed_data,
)
from linreg_utils.optimizers import (
    ZOO,
    compare_with_torch,
    lbfgs_inverse_hessian,
    measured_rate,
    run_update,
    sgd,
    sgd_momentum,
)
from linreg_utils.race import DEFAULT_LRS

X, Y = seed_data()
LOSS = line_loss(X, Y)
START = torch.tensor([0.5, -0.5], dtype=torch.float64)


def heavy_ball(theta, grad, state, lr, beta):
    """Polyak's heavy ball, ``θ ← θ − η g + β (θ − θ_prev)``: the form lesson 04 derives."""
    previous = state.get("previous", theta)
    state["previous"] = theta
    return theta - lr * grad + beta * (theta - previous)


@pytest.mark.parametrize("name", list(ZOO))
def test_hand_written_update_equals_torch_optim_over_20_steps(name):
    hand, ref = compare_with_torch(name, LOSS, START, DEFAULT_LRS[name], steps=20)
    assert hand.dtype == ref.dtype == torch.float64
    assert not torch.equal(hand[5], hand[0]), "the parameters must move"
    assert torch.allclose(hand, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["Adam", "RMSprop", "Nesterov"])
def test_equality_holds_on_other_data_and_start(name):
    x, y = torch.linspace(-2, 3, 9).unsqueeze(1), torch.linspace(1, -1, 9).unsqueeze(1) ** 3
    start = torch.tensor([2.0, 1.0], dtype=torch.float64)
    hand, ref = compare_with_torch(name, line_loss(x, y), start, 0.03, steps=10)
    assert torch.allclose(hand, ref, rtol=1e-10, atol=1e-12)


def test_pytorch_momentum_is_the_heavy_ball_with_the_same_lr_and_beta():
    lr, beta, _ = momentum_parameters(X)
    ball = run_update(heavy_ball, LOSS, START, 200, lr=lr, beta=beta)
    torch_form = run_update(sgd_momentum, LOSS, START, 200, lr=lr, beta=beta)
    assert torch.allclose(ball, torch_form, rtol=1e-9, atol=1e-12)


def test_lbfgs_two_loop_reaches_the_least_squares_optimum_in_five_steps():
    path = run_update(ZOO["LBFGS"][0], LOSS, START, 5, lr=1.0)
    assert torch.allclose(path[-1], torch.tensor(closed_form_fit(X, Y), dtype=torch.float64), atol=1e-9)


def test_torch_lbfgs_with_line_search_reaches_the_same_optimum():
    run = optimize(lambda p: torch.optim.LBFGS(p, line_search_fn="strong_wolfe"), LOSS, START, 2)
    assert np.allclose(run.path[-1], closed_form_fit(X, Y), atol=1e-7)


def test_momentum_rates_match_the_theory():
    lr, beta, predicted = momentum_parameters(X)
    optimum = closed_form_fit(X, Y)
    ball = run_update(heavy_ball, LOSS, torch.zeros(2, dtype=torch.float64), 200, lr=lr, beta=beta)
    # at the best (η, β) the iteration matrix has a double eigenvalue: the error is ∝ k·rᵏ
    measured = measured_rate(ball, optimum, 100, 200)
    assert measured == pytest.approx(predicted * 2 ** (1 / 100), rel=2e-3)
    kappa = condition_number(X)
    gd = run_update(sgd, LOSS, torch.zeros(2, dtype=torch.float64), 1000, lr=optimal_lr(X))
    assert measured_rate(gd, optimum, 100, 1000) == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-6)
    assert predicted == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1))


def test_measured_rate_rejects_a_bad_window():
    with pytest.raises(ValueError, match="start < stop"):
        measured_rate(torch.zeros(5, 2, dtype=torch.float64), (0.0, 0.0), 3, 9)


def test_unknown_optimizer_name_is_refused():
    with pytest.raises(ValueError, match="name must be one of"):
        compare_with_torch("Adamax", LOSS, START, 0.1, 3)


def test_run_update_validates_its_inputs():
    with pytest.raises(ValueError, match="steps"):
        run_update(sgd, LOSS, START, 0, lr=0.1)
    with pytest.raises(TypeError, match="theta0"):
        run_update(sgd, LOSS, [0.0, 0.0], 3, lr=0.1)


def test_lbfgs_matrix_satisfies_the_newest_secant_equation_exactly_and_older_ones_only_roughly():
    theta, state = START.clone(), {}
    for _ in range(4):
        leaf = theta.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(LOSS(leaf), leaf)
        theta = ZOO["LBFGS"][0](theta, g, state, lr=1.0)
    h_k = lbfgs_inverse_hessian(state)
    (s_old, y_old, _), (s_new, y_new, _) = state["pairs"][0], state["pairs"][-1]
    assert torch.allclose(h_k @ y_new, s_new, rtol=1e-9, atol=1e-12)
    assert not torch.allclose(h_k @ y_old, s_old, rtol=1e-3)


def test_lbfgs_inverse_hessian_needs_a_step_first():
    with pytest.raises(ValueError, match="run lbfgs"):
        lbfgs_inverse_hessian({})


def test_lbfgs_on_numpy_with_many_pairs_follows_the_torch_tensor_version():
    h, c = 2 * np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([1.0, -1.0])
    paths = []
    for as_array in (np.asarray, lambda v: torch.tensor(v, dtype=torch.float64)):
        theta, state, path = as_array([3.0, -2.0]), {}, []
        for _ in range(40):  # lr 0.3: no line search, so pairs pile up
            grad = as_array(h @ np.asarray(theta) - c)
            theta = ZOO["LBFGS"][0](theta, grad, state, lr=0.3)
            path.append(np.asarray(theta))
        paths.append(np.array(path))
        assert len(state["pairs"]) > 8
    assert np.allclose(paths[0], paths[1], rtol=1e-9, atol=1e-12)
