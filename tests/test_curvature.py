"""Hessian-vector products, power iteration and Newton-CG, each checked against a reference."""

import numpy as np
import pytest
import torch

from linreg_utils.curvature import (
    cg_direction,
    divergence_steps,
    flat_loss,
    full_hessian,
    gd_with_sharpness,
    hover,
    hvp,
    mlp,
    newton_cg,
    power_iteration,
    spd_problem,
    steepest_descent_exact,
    torch_optimizer_run,
)
from linreg_utils.nonconvex import make_wave
from linreg_utils.runs import Run
from tests.lesson_numbers import stored_text


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
    assert run.diverged_at is None and len(run.losses) == 101 and list(run.log["checked_at"]) == [0, 50, 100]
    theta = theta0.clone()
    for k in range(101):
        if k in (0, 100):
            exact = torch.linalg.eigvalsh(full_hessian(loss, theta))[-1].item()
            assert run.log["sharpness"][k // 50] == pytest.approx(exact, rel=0.02)
        theta = theta - 0.05 * torch.func.grad(loss)(theta)
    assert hover(run, 50)[1] == pytest.approx(np.median(run.log["sharpness"][1:]) * 0.05 / 2)


def test_gd_far_past_two_over_sharpness_diverges(tiny):
    loss, theta0 = tiny
    lam = torch.linalg.eigvalsh(full_hessian(loss, theta0))[-1].item()
    result = divergence_steps(loss, theta0, [10 / lam], steps=200)
    run = gd_with_sharpness(loss, theta0, 10 / lam, 200)
    assert result[10 / lam] > 0 and run.diverged_at == result[10 / lam] == run.steps


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
    assert run.losses[0] == loss(theta0).item() and run.steps == 20
    assert np.all(np.diff(run.losses) <= 0) and run.losses[-1] < 0.5 * loss(theta0).item()
    gradients, hvps, forwards = (run.log[k] for k in ("gradients", "hvps", "forwards"))
    assert np.array_equal(gradients, np.arange(len(run.losses)))
    assert np.all(hvps <= 5 * gradients) and np.all(forwards >= gradients)


def test_torch_optimizer_run_counts_closure_calls(tiny):
    loss, theta0 = tiny
    adam = torch_optimizer_run("Adam", lambda p: torch.optim.Adam(p, lr=0.01), loss, theta0, 30)
    assert np.array_equal(adam.log["gradients"], np.arange(31))
    lbfgs = torch_optimizer_run("L-BFGS", lambda p: torch.optim.LBFGS(p, line_search_fn="strong_wolfe"),
                                loss, theta0, 3)
    assert lbfgs.log["gradients"][1] > 1 and lbfgs.losses[-1] < adam.losses[-1]
    assert lbfgs.first_below(-1.0) is None and lbfgs.first_below(np.inf) == 0


# --- the numbers lesson 08's prose states (tests/lesson_numbers.py) -----------------------------

@pytest.fixture(scope="module")
def network():
    x, y = make_wave()
    return flat_loss(mlp(), x, y)


def test_lesson08_edge_of_stability_numbers_are_the_stored_output():
    """Lesson 08's three 2,000-step runs (its cell that tracks the sharpness) run under nbval, which
    compares this stored output with a fresh run: the prose's numbers need only match it here."""
    from tests.lesson_numbers import (
        L08_BEST_LR015,
        L08_EDGE_LR010,
        L08_FINAL_LOSSES,
        L08_HOVER_MEDIAN,
        L08_PEAK_LR015,
        L08_RISES_LR015,
        L08_SHARPNESS_MAX_LR005,
    )
    text = stored_text("08_beyond_the_quadratic.ipynb", "{lr: gd_with_sharpness(mse, theta0")
    runs = dict(zip((0.05, 0.10, 0.15), text.split("η = 0.")[1:], strict=True))
    assert f"at the start, largest {L08_SHARPNESS_MAX_LR005}," in runs[0.05]
    assert "loss rose on 0 of 2000 steps" in runs[0.05]
    for lr, median in L08_HOVER_MEDIAN.items():
        assert f"median {median:.2f}·(2/η)" in runs[lr]
    for lr, final in L08_FINAL_LOSSES.items():
        assert f"final {final:.3f}, diverged: False" in runs[lr]
    above, first_rise, peak, rises = L08_EDGE_LR010
    assert (f"first measured above 2/η at step {above}" in runs[0.10] and f"loss rose on {rises} of 2000 "
            f"steps (first after step {first_rise}), largest {peak:.2f}" in runs[0.10])
    assert f"loss rose on {L08_RISES_LR015} of 2000 steps" in runs[0.15]
    assert f"largest {L08_PEAK_LR015[0]:.2f} (step {L08_PEAK_LR015[1]})" in runs[0.15]
    assert f"best {L08_BEST_LR015[0]:.3f} at step {L08_BEST_LR015[1]}" in runs[0.15]


@pytest.mark.slow  # 12 s: lesson 08's stored output (nbval) shows the same runs in make test
def test_lesson08_divergence_steps_lr_is_above_the_quadratic_prediction(network):
    from tests.lesson_numbers import L08_DIVERGED_FACTORS, L08_SHARPNESS_START, L08_STABLE_FACTORS
    loss, theta0 = network
    lam0 = torch.linalg.eigvalsh(full_hessian(loss, theta0))[-1].item()
    factors = (*L08_STABLE_FACTORS, *L08_DIVERGED_FACTORS)
    result = divergence_steps(loss, theta0, [f * 2 / lam0 for f in factors], steps=500)
    assert list(result.values()) == [None] * len(L08_STABLE_FACTORS) + list(L08_DIVERGED_FACTORS.values())
    assert lam0 == pytest.approx(L08_SHARPNESS_START, abs=0.01)
    from tests.lesson_numbers import L08_LAMBDA_MIN_START, L08_SPIKES
    lam_min = torch.linalg.eigvalsh(full_hessian(loss, theta0))[0].item()
    assert lam_min == pytest.approx(L08_LAMBDA_MIN_START, abs=1e-3)
    assert set(L08_STABLE_FACTORS) <= set(L08_SPIKES)
    for f, (peak, at, final) in L08_SPIKES.items():  # "it spiked and recovered": the printed peaks
        losses = gd_with_sharpness(loss, theta0, lr=f * 2 / lam0, steps=500, every=500).losses
        got = (f"{losses.max():.2f}", int(losses.argmax()), f"{losses[-1]:.3f}")
        assert got == (f"{peak:.2f}", at, f"{final:.3f}")


def test_run_rises_lists_the_steps_where_the_loss_went_up():
    run = Run(losses=np.array([3.0, 2.0, 2.5, 2.5, 1.0, 4.0]))
    assert list(run.rises()) == [1, 4]


def test_lesson08_race_counts_are_the_stored_output():
    """The race's counts as lesson 08 printed them (nbval compares the stored output with a fresh
    run); the next test recomputes them outside the notebook."""
    from tests.lesson_numbers import L08_ADAM_GRADIENTS, L08_LBFGS_GRADIENTS, L08_NEWTON_CG_WORK
    text = stored_text("08_beyond_the_quadratic.ipynb", "newton_cg(mse, theta0")
    steps, gradients, hvps = L08_NEWTON_CG_WORK
    assert f"Newton-CG: loss ≤ 0.003 after {steps:>3} steps: {gradients:>3} gradients, {hvps:>3} HVPs" in text
    assert f"L-BFGS: loss ≤ 0.003 after   4 steps: {L08_LBFGS_GRADIENTS:>3} gradients" in text
    assert f"Adam: loss ≤ 0.003 after {L08_ADAM_GRADIENTS} steps: {L08_ADAM_GRADIENTS} gradients" in text


def test_newton_cg_and_lbfgs_reach_the_target_with_few_gradients(network):
    from tests.lesson_numbers import L08_ADAM_GRADIENTS
    loss, theta0 = network
    ncg = newton_cg(loss, theta0, steps=200, cg_iters=20, target=3e-3)
    k = ncg.first_below(3e-3)
    assert ncg.reached_at == k and k <= 20 and ncg.log["gradients"][k] == k
    lbfgs = torch_optimizer_run("L-BFGS", lambda p: torch.optim.LBFGS(p, line_search_fn="strong_wolfe"),
                                loss, theta0, 200, 3e-3)
    assert lbfgs.log["gradients"][lbfgs.first_below(3e-3)] <= 150
    # The exact counts depend on the last bits of long sums: the same as the lesson's with MKL's
    # reproducible code path (MKL_CBWR=COMPATIBLE, conftest.py), whatever ran before.
    from tests.lesson_numbers import L08_LBFGS_GRADIENTS, L08_NEWTON_CG_WORK
    assert (k, ncg.log["gradients"][k], ncg.log["hvps"][k]) == L08_NEWTON_CG_WORK
    assert lbfgs.log["gradients"][lbfgs.first_below(3e-3)] == L08_LBFGS_GRADIENTS
    adam = torch_optimizer_run("Adam", lambda p: torch.optim.Adam(p, lr=0.01), loss, theta0, 20_000, 3e-3)
    assert adam.log["gradients"][adam.first_below(3e-3)] == L08_ADAM_GRADIENTS
    assert adam.reached_at == adam.first_below(3e-3) == adam.steps


def test_cg_path_records_each_iterate_and_solves_a_2x2_system_in_two_steps():
    """Lesson 08's CG on the seed's quadratic: 2 steps = d, the first is the best gradient step, and
    the two directions are conjugate (d0ᵀHd1 = 0) but not perpendicular."""
    from linreg_utils import seed_data
    from linreg_utils.theory import closed_form_fit, mse_gradient, mse_hessian, quadratic_gap
    from tests.lesson_numbers import L08_CG_GAP_AFTER_1, L08_CG_STEPS
    x, y = (t.double() for t in seed_data())
    h, start = mse_hessian(x), torch.zeros(2, dtype=torch.float64)
    star = torch.tensor(closed_form_fit(x, y), dtype=torch.float64)
    g = mse_gradient(x, y, start)
    path = []
    p, k = cg_direction(lambda d: h @ d, g, iters=L08_CG_STEPS, rtol=0.0, path=path)
    assert len(path) == L08_CG_STEPS + 1 and torch.equal(path[-1], p) and k == L08_CG_STEPS
    assert quadratic_gap(p - star, h).item() < 1e-20
    first = -(g @ g) / (g @ h @ g) * g                      # the best gradient step
    assert torch.allclose(path[1], first)
    assert f"{quadratic_gap(path[1] - star, h).item():.2e}" == L08_CG_GAP_AFTER_1
    d0, d1 = path[1] - path[0], path[2] - path[1]
    assert abs(d0 @ h @ d1) < 1e-10 * (d0.norm() * d1.norm() * h.norm()) and abs(d0 @ d1) > 1e-4


def test_lesson08_gd_on_the_seed_at_09_of_the_edge_takes_lesson02s_steps():
    from linreg_utils import seed_data
    from linreg_utils.runs import optimize
    from linreg_utils.theory import (
        closed_form_fit,
        hessian_eigenvalues,
        largest_stable_lr,
        line_loss,
        mse_hessian,
        quadratic_gap,
    )
    from tests.lesson_numbers import L08_CG_GD_STEPS
    x, y = (t.double() for t in seed_data())
    h, star = mse_hessian(x), torch.tensor(closed_form_fit(x, y), dtype=torch.float64)
    lr = 0.9 * largest_stable_lr(hessian_eigenvalues(x)[1])
    run = optimize(lambda p: torch.optim.SGD(p, lr=lr), line_loss(x, y), torch.zeros(2, dtype=torch.float64),
                   5000, until=lambda t: quadratic_gap(t - star, h).item() <= 1e-6)
    assert run.steps == L08_CG_GD_STEPS


def test_steepest_descent_exact_takes_cgs_first_step_then_never_turns():
    h, g = spd_problem([1.0, 3.0, 10.0], seed=0)
    sd, cg = [], []
    steepest_descent_exact(lambda d: h @ d, g, iters=3, path=sd)
    cg_direction(lambda d: h @ d, g, iters=3, rtol=0.0, path=cg)
    assert len(sd) == 4 and torch.allclose(sd[1], cg[1])   # the same first step: the best gradient step
    r1 = -(h @ sd[1] + g)
    assert torch.allclose(sd[2] - sd[1], (r1 @ r1) / (r1 @ h @ r1) * r1)
    with pytest.raises(ValueError, match="eigenvalues"):
        spd_problem([], seed=0)


def test_lesson08_cg_versus_steepest_descent_with_exact_line_search():
    """The seed's 2 × 2: CG's β₀ is tiny, so steepest descent with the same exact step is nearly as
    good; on a 6 × 6 with six distinct eigenvalues conjugacy pays (lesson 08's CG cells)."""
    import math

    from linreg_utils import seed_data
    from linreg_utils.theory import closed_form_fit, mse_gradient, mse_hessian, quadratic_gap
    from tests.lesson_numbers import L08_CG_ANGLE, L08_CG_BETA0, L08_CG_VS_SD_6X6, L08_SD_EXACT_STEPS
    x, y = (t.double() for t in seed_data())
    h, start = mse_hessian(x), torch.zeros(2, dtype=torch.float64)
    star, g = torch.tensor(closed_form_fit(x, y), dtype=torch.float64), mse_gradient(x, y, start)
    sd, cg = [], []
    steepest_descent_exact(lambda d: h @ d, g, iters=10, path=sd)
    cg_direction(lambda d: h @ d, g, iters=2, rtol=0.0, path=cg)
    assert int((quadratic_gap(torch.stack(sd) - star, h) > 1e-6).sum()) == L08_SD_EXACT_STEPS
    r0, r1 = -g, -mse_gradient(x, y, cg[1])
    assert f"{r1 @ r1 / (r0 @ r0):.1e}" == L08_CG_BETA0
    d0, d1 = cg[1] - cg[0], cg[2] - cg[1]
    assert f"{math.degrees(math.acos(d0 @ d1 / (d0.norm() * d1.norm()))):.2f}" == L08_CG_ANGLE
    h6, g6 = spd_problem([1.0, 2.0, 4.0, 8.0, 16.0, 32.0], seed=11)
    p_star, cg6, sd6 = -torch.linalg.solve(h6, g6), [], []
    cg_direction(lambda d: h6 @ d, g6, iters=6, rtol=0.0, path=cg6)
    steepest_descent_exact(lambda d: h6 @ d, g6, iters=150, path=sd6)
    cg_gaps, sd_gaps = (quadratic_gap(torch.stack(p) - p_star, h6) for p in (cg6, sd6))
    cg_steps, sd_steps = L08_CG_VS_SD_6X6
    assert cg_gaps[cg_steps] < 1e-20 < cg_gaps[cg_steps - 1]
    assert int((sd_gaps > 1e-6 * sd_gaps[0]).sum()) == sd_steps
