"""Hessian-vector products, power iteration and Newton-CG, each checked against a reference."""

import numpy as np
import pytest
import torch

from linreg_utils.curvature import (
    SharpnessRun,
    divergence_steps,
    flat_loss,
    full_hessian,
    gd_with_sharpness,
    hvp,
    mlp,
    power_iteration,
)
from linreg_utils.hessian_free import cg_direction, newton_cg, torch_optimizer_run
from linreg_utils.nonconvex import make_wave


@pytest.fixture(scope="module")
def tiny():
    """A 1 → 4 → 1 net (13 parameters) on 16 points: small enough for the full Hessian."""
    x, y = make_wave(n=16, seed=3)
    return flat_loss(mlp(width=4, seed=1), x, y)


def test_flat_loss_matches_the_module_and_checks_the_shape(tiny):
    loss, theta0 = tiny
    x, y = make_wave(n=16, seed=3)
    assert theta0.shape == (13,)
    assert torch.isclose(loss(theta0), torch.mean((mlp(width=4, seed=1)(x) - y) ** 2))
    with pytest.raises(ValueError, match="shape"):
        loss(torch.zeros(5, dtype=torch.float64))


def test_hvp_equals_full_hessian_times_v(tiny):
    loss, theta0 = tiny
    v = torch.randn(13, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert torch.allclose(hvp(loss, theta0, v), full_hessian(loss, theta0) @ v, atol=1e-10)


def test_power_iteration_matches_eigvalsh(tiny):
    loss, theta0 = tiny
    eig = torch.linalg.eigvalsh(full_hessian(loss, theta0))
    top = eig[eig.abs().argmax()].item()
    lam, v = power_iteration(loss, theta0, iters=300)
    assert lam == pytest.approx(top, rel=1e-6)
    assert v.norm().item() == pytest.approx(1.0)


def test_tracked_sharpness_agrees_with_eigvalsh_along_training():
    x, y = make_wave()
    loss, theta0 = flat_loss(mlp(), x, y)
    run = gd_with_sharpness(loss, theta0, lr=0.05, steps=100, every=50)
    assert run.diverged_at == -1 and len(run.losses) == 101 and list(run.checked_at) == [0, 50, 100]
    theta = theta0.clone()
    for k in range(101):
        if k in (0, 100):
            exact = torch.linalg.eigvalsh(full_hessian(loss, theta))[-1].item()
            assert run.sharpness[k // 50] == pytest.approx(exact, rel=0.02)
        theta = theta - 0.05 * torch.func.grad(loss)(theta)
    assert run.hover(50)[1] == pytest.approx(np.median(run.sharpness[1:]) * 0.05 / 2)


def test_gd_far_past_two_over_sharpness_diverges(tiny):
    loss, theta0 = tiny
    lam = torch.linalg.eigvalsh(full_hessian(loss, theta0))[-1].item()
    result = divergence_steps(loss, theta0, [10 / lam], steps=200)
    assert result[10 / lam] > 0
    assert gd_with_sharpness(loss, theta0, 10 / lam, 200).diverged_at > 0


def test_cg_solves_a_positive_definite_system_and_stops_on_negative_curvature():
    a = torch.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=torch.float64)
    g = torch.tensor([1.0, -1.0], dtype=torch.float64)
    p, k = cg_direction(lambda d: a @ d, g, iters=5, rtol=1e-12)
    assert torch.allclose(p, -torch.linalg.solve(a, g)) and k == 2
    p, k = cg_direction(lambda d: -a @ d, g, iters=5)
    assert torch.equal(p, -g) and k == 1


def test_newton_cg_decreases_the_loss_and_counts_its_work(tiny):
    loss, theta0 = tiny
    run = newton_cg(loss, theta0, steps=20, cg_iters=5)
    assert np.all(np.diff(run.losses) <= 0) and run.losses[-1] < 0.5 * loss(theta0).item()
    assert np.array_equal(run.gradients, np.arange(1, len(run.losses) + 1))
    assert np.all(run.hvps <= 5 * run.gradients) and np.all(run.forwards >= run.gradients)


def test_torch_optimizer_run_counts_closure_calls(tiny):
    loss, theta0 = tiny
    adam = torch_optimizer_run("Adam", lambda p: torch.optim.Adam(p, lr=0.01), loss, theta0, 30)
    assert np.array_equal(adam.gradients, np.arange(1, 31))
    lbfgs = torch_optimizer_run("L-BFGS", lambda p: torch.optim.LBFGS(p, line_search_fn="strong_wolfe"),
                                loss, theta0, 3)
    assert lbfgs.gradients[0] > 1 and lbfgs.losses[-1] < adam.losses[-1]
    assert lbfgs.first_below(-1.0) == -1 and lbfgs.first_below(np.inf) == 0


# --- the numbers lesson 08's prose states (tests/lesson_numbers.py) -----------------------------

@pytest.fixture(scope="module")
def network():
    x, y = make_wave()
    return flat_loss(mlp(), x, y)


@pytest.fixture(scope="module")
def gd_runs(network):
    """The lesson's three 2,000-step full-batch GD runs, by learning rate."""
    loss, theta0 = network
    return {lr: gd_with_sharpness(loss, theta0, lr=lr, steps=2000) for lr in (0.05, 0.10, 0.15)}


def test_lesson07_sharpness_rises_to_two_over_lr_and_hovers(network, gd_runs):
    from tests.lesson_numbers import L08_HOVER_MEDIAN, L08_SHARPNESS_MAX_LR005, L08_SHARPNESS_START
    loss, theta0 = network
    assert torch.linalg.eigvalsh(full_hessian(loss, theta0))[-1].item() == pytest.approx(
        L08_SHARPNESS_START, abs=0.01)
    slow = gd_runs[0.05]
    assert slow.sharpness.max() == pytest.approx(L08_SHARPNESS_MAX_LR005, abs=0.1)
    assert np.all(np.diff(slow.sharpness[4:]) > 0) and np.all(np.diff(slow.losses) <= 0)
    for lr, median in L08_HOVER_MEDIAN.items():
        run = gd_runs[lr]
        q10, med, q90 = run.hover(500)
        assert run.diverged_at == -1
        assert med == pytest.approx(median, abs=0.02) and 0.85 < q10 < 1 < q90 < 1.15


def test_lesson07_divergence_steps_lr_is_above_the_quadratic_prediction(network):
    from tests.lesson_numbers import L08_DIVERGED_FACTORS, L08_SHARPNESS_START, L08_STABLE_FACTORS
    loss, theta0 = network
    lam0 = torch.linalg.eigvalsh(full_hessian(loss, theta0))[-1].item()
    factors = (*L08_STABLE_FACTORS, *L08_DIVERGED_FACTORS)
    result = divergence_steps(loss, theta0, [f * 2 / lam0 for f in factors], steps=500)
    assert list(result.values()) == [-1] * len(L08_STABLE_FACTORS) + list(L08_DIVERGED_FACTORS.values())
    assert lam0 == pytest.approx(L08_SHARPNESS_START, abs=0.01)
    for f in L08_STABLE_FACTORS:  # "it spiked and recovered": a loss above 1, then back below 0.1
        run = gd_with_sharpness(loss, theta0, lr=f * 2 / lam0, steps=500, every=500)
        assert run.losses.max() > 1 and run.losses[-1] < 0.1


def test_lesson07_edge_of_stability_details(gd_runs):
    from tests.lesson_numbers import (
        L08_BEST_LR015,
        L08_EDGE_LR010,
        L08_FINAL_LOSSES,
        L08_PEAK_LR015,
        L08_RISES_LR015,
    )
    runs = gd_runs
    for lr, final in L08_FINAL_LOSSES.items():
        assert runs[lr].losses[-1] == pytest.approx(final, abs=1e-3)
    edge = runs[0.10]
    first_above = edge.checked_at[edge.sharpness > 2 / 0.10][0]
    assert (first_above, edge.rises()[0], len(edge.rises())) == (*L08_EDGE_LR010[:2], L08_EDGE_LR010[3])
    assert edge.losses.max() == pytest.approx(L08_EDGE_LR010[2], abs=0.01)
    late = runs[0.15]
    assert len(late.rises()) == L08_RISES_LR015
    assert (late.losses.min(), int(np.argmin(late.losses))) == (pytest.approx(L08_BEST_LR015[0], abs=1e-3),
                                                              L08_BEST_LR015[1])
    assert late.losses[-1] > late.losses.min() + 0.02   # it ended higher than its best
    assert (late.losses.max(), int(np.argmax(late.losses))) == (pytest.approx(L08_PEAK_LR015[0], abs=0.01),
                                                              L08_PEAK_LR015[1])
    assert len(runs[0.05].rises()) == 0


def test_sharpness_run_rises_lists_the_steps_where_the_loss_went_up():
    run = SharpnessRun(0.1, np.array([3.0, 2.0, 2.5, 2.5, 1.0, 4.0]), np.array([0]), np.array([1.0]), -1)
    assert list(run.rises()) == [1, 4]


def test_lesson07_race_counts(network):
    from tests.lesson_numbers import L08_ADAM_GRADIENTS, L08_LBFGS_GRADIENTS, L08_NEWTON_CG_WORK
    loss, theta0 = network
    ncg = newton_cg(loss, theta0, steps=200, cg_iters=20, target=3e-3)
    k = ncg.first_below(3e-3)
    assert (k + 1, ncg.gradients[k], ncg.hvps[k]) == L08_NEWTON_CG_WORK
    lbfgs = torch_optimizer_run("L-BFGS", lambda p: torch.optim.LBFGS(p, line_search_fn="strong_wolfe"),
                                loss, theta0, 200, 3e-3)
    assert lbfgs.gradients[lbfgs.first_below(3e-3)] == L08_LBFGS_GRADIENTS
    adam = torch_optimizer_run("Adam", lambda p: torch.optim.Adam(p, lr=0.01), loss, theta0, 20_000, 3e-3)
    assert adam.gradients[adam.first_below(3e-3)] == L08_ADAM_GRADIENTS
