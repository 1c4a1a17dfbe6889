"""Each hand-written update in linreg_utils.optimizers is exactly its torch.optim twin."""

import copy
import math

import pytest
import torch
from torch import nn
from torch.optim import lr_scheduler

from linreg_utils import (
    closed_form_fit,
    condition_number,
    critical_lr,
    optimal_lr,
    seed_data,
)
from linreg_utils.optimizers import (
    ZOO,
    compare_with_torch,
    heavy_ball,
    lbfgs_inverse_hessian,
    line_loss,
    measured_rate,
    run_scheduled_sgd,
    run_torch,
    run_update,
    sgd,
    sgd_momentum,
    two_loop,
    two_loop_solved,
)
from linreg_utils.theory import momentum_parameters

X, Y = seed_data()
LOSS = line_loss(X, Y)
START = torch.tensor([0.5, -0.5], dtype=torch.float64)
LRS = {"SGD": 0.02, "SGD + momentum": 0.01, "Nesterov": 0.01, "Adagrad": 0.5, "RMSprop": 0.01,
       "Adam": 0.05, "AdamW": 0.05, "LBFGS": 1.0}


@pytest.mark.parametrize("name", list(ZOO))
def test_hand_written_update_equals_torch_optim_over_20_steps(name):
    hand, ref = compare_with_torch(name, LOSS, START, LRS[name], steps=20)
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
    path = run_torch(lambda p: torch.optim.LBFGS(p, line_search_fn="strong_wolfe"), LOSS, START, 2)
    assert torch.allclose(path[-1], torch.tensor(closed_form_fit(X, Y), dtype=torch.float64), atol=1e-7)


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


def test_adam_resumed_from_state_dict_equals_an_uninterrupted_run_bit_for_bit():
    x, y = X.double(), Y.double()

    def train(model, optimizer, steps):
        for _ in range(steps):
            optimizer.zero_grad()
            nn.functional.mse_loss(model(x), y).backward()
            optimizer.step()

    torch.manual_seed(0)
    straight = nn.Linear(1, 1).double()
    train(straight, torch.optim.Adam(straight.parameters(), lr=0.05), 60)

    torch.manual_seed(0)
    first = nn.Linear(1, 1).double()
    opt = torch.optim.Adam(first.parameters(), lr=0.05)
    train(first, opt, 25)
    saved = copy.deepcopy({"model": first.state_dict(), "optimizer": opt.state_dict()})
    resumed = nn.Linear(1, 1).double()
    resumed.load_state_dict(saved["model"])
    opt2 = torch.optim.Adam(resumed.parameters(), lr=0.05)
    opt2.load_state_dict(saved["optimizer"])
    train(resumed, opt2, 35)
    for a, b in zip(straight.parameters(), resumed.parameters(), strict=True):
        assert torch.equal(a, b)


def test_unknown_optimizer_name_is_refused():
    with pytest.raises(ValueError, match="name must be one of"):
        compare_with_torch("Adamax", LOSS, START, 0.1, 3)


def test_run_update_validates_its_inputs():
    with pytest.raises(ValueError, match="steps"):
        run_update(sgd, LOSS, START, 0, lr=0.1)
    with pytest.raises(TypeError, match="theta0"):
        run_update(sgd, LOSS, [0.0, 0.0], 3, lr=0.1)


def test_scheduled_sgd_with_no_scheduler_is_plain_gd():
    losses, lrs, _ = run_scheduled_sgd(LOSS, START, 0.02, 30)
    path = run_update(sgd, LOSS, START, 29, lr=0.02)
    expected = torch.stack([LOSS(theta) for theta in path])
    assert torch.allclose(losses, expected, rtol=1e-12) and (lrs == 0.02).all()


def test_scheduled_sgd_records_the_lr_each_step_used():
    make = lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5)  # noqa: E731
    _, lrs, _ = run_scheduled_sgd(LOSS, START, 0.02, 7, make)
    assert lrs.tolist() == pytest.approx([0.02] * 3 + [0.01] * 3 + [0.005])


def test_reduce_on_plateau_gets_the_loss_and_halves_the_lr_when_progress_stalls():
    make = lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=5, threshold=1e-2)  # noqa: E731
    _, lrs, _ = run_scheduled_sgd(LOSS, torch.zeros(2, dtype=torch.float64), 0.02, 100, make)
    assert lrs[0] == 0.02 and lrs[-1] < 0.02 and (lrs[1:] <= lrs[:-1]).all()
    ratios = lrs[1:][lrs[1:] < lrs[:-1]] / lrs[:-1][lrs[1:] < lrs[:-1]]
    assert torch.allclose(ratios, torch.full_like(ratios, 0.5))


def test_scheduled_sgd_stops_when_the_loss_explodes():
    losses, lrs, _ = run_scheduled_sgd(LOSS, START, 1.3 * critical_lr(X), 400)
    assert len(losses) == len(lrs) < 400 and losses[-1] > 1e8 and (losses[:-1] <= 1e8).all()
    with pytest.raises(ValueError, match="lr"):
        run_scheduled_sgd(LOSS, START, -0.1, 10)


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


@pytest.mark.parametrize("pairs_count", [0, 1, 3, 12, 40])
def test_two_loop_solved_equals_the_two_loop_recursion(pairs_count):
    import numpy as np

    rng = np.random.default_rng(pairs_count)
    pairs = []
    for _ in range(pairs_count):
        s = rng.normal(size=3)
        y = s + 0.3 * rng.normal(size=3)  # yᵀs > 0, as lbfgs keeps them
        pairs.append((s, y, 1.0 / float(y @ s)))
    g = rng.normal(size=3)
    assert np.allclose(two_loop_solved(g, pairs, 0.7), two_loop(g, pairs, 0.7), rtol=1e-12, atol=1e-14)


def test_lbfgs_on_numpy_with_many_pairs_follows_the_torch_tensor_version():
    import numpy as np

    h, c = 2 * np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([1.0, -1.0])
    paths = []
    for as_array in (np.asarray, lambda v: torch.tensor(v, dtype=torch.float64)):
        theta, state, path = as_array([3.0, -2.0]), {}, []
        for _ in range(40):  # lr 0.3: no line search, so pairs pile up past the solved form's 8
            grad = as_array(h @ np.asarray(theta) - c)
            theta = ZOO["LBFGS"][0](theta, grad, state, lr=0.3)
            path.append(np.asarray(theta))
        paths.append(np.array(path))
        assert len(state["pairs"]) > 8
    assert np.allclose(paths[0], paths[1], rtol=1e-9, atol=1e-12)
