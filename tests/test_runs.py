"""The one run record, the one divergence policy and the one torch.optim loop (linreg_utils.runs)."""

import numpy as np
import pytest
import torch

from linreg_utils import (
    DIVERGENCE_FACTOR,
    Run,
    critical_lr,
    diverged_at,
    gd_trajectory,
    line_loss,
    line_runs,
    optimize,
    seed_data,
    settles_within,
    train,
)

X, Y = seed_data()
LOSS = line_loss(X, Y)
ZERO = torch.zeros(2, dtype=torch.float64)


@pytest.mark.parametrize("losses, expected", [
    ([1.0, 2.0, 0.5], None),
    ([1.0, 10.0, DIVERGENCE_FACTOR, DIVERGENCE_FACTOR * 1.01], 3),  # above 1e6 × the start, not at it
    ([2.0, 3.0, float("nan"), 1.0], 2),
    ([1.0, float("inf")], 1),
    ([float("nan")], 0),
    ([0.0, 1e-300], 1),  # a run started at the optimum: any real rise is a divergence
])
def test_the_divergence_policy(losses, expected):
    assert diverged_at(losses) == expected


def test_settles_within_is_the_first_step_that_stays_below():
    assert settles_within([3.0, 0.5, 2.0, 0.5, 0.1], 1.0) == 3
    assert settles_within([0.1, 0.2], 1.0) == 0
    assert settles_within([0.1, 2.0], 1.0) is None
    assert settles_within([0.1, float("nan")], 1.0) is None


def test_never_reached_is_none_everywhere():
    run = Run(losses=np.array([3.0, 2.0, 1.5]), gaps=np.array([2.0, 1.0, 0.5]))
    assert run.first_within(0.1) is None and run.settles_within(0.1) is None and run.first_below(1.0) is None
    assert (run.first_within(1.0), run.settles_within(1.0), run.first_below(2.0)) == (1, 1, 1)
    assert run.diverged_at is None and run.reached_at is None and not run.diverged


def test_a_run_without_path_or_optimum_says_so():
    with pytest.raises(ValueError, match="no gaps"):
        Run(losses=np.ones(3)).first_within(1e-6)
    with pytest.raises(ValueError, match="distances"):
        _ = Run(losses=np.ones(3)).distances


def test_train_records_every_step_and_evaluates_each_point_once():
    theta = ZERO.clone().requires_grad_(True)
    run = train(lambda: LOSS(theta), [theta], torch.optim.SGD([theta], lr=1e-3), 50)
    exact = gd_trajectory(X, Y, 1e-3, 50)
    assert run.steps == 50 and run.path.shape == (51, 2)
    np.testing.assert_allclose(run.path, exact.path, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(run.losses, exact.losses, rtol=1e-10)
    assert np.array_equal(run.log["evaluations"], np.arange(51))  # SGD: one closure call per step
    grads = [torch.autograd.functional.jacobian(LOSS, torch.tensor(p)) for p in run.path[[0, 50]]]
    assert run.log["grad_sq"][[0, 50]] == pytest.approx([float(g @ g) for g in grads], rel=1e-10)
    np.testing.assert_allclose(run.log["grads"][[0, 50]], torch.stack(grads).numpy(), rtol=1e-10)


def test_train_counts_lbfgs_closure_calls():
    theta = ZERO.clone().requires_grad_(True)
    optimizer = torch.optim.LBFGS([theta], line_search_fn="strong_wolfe")
    run = train(lambda: LOSS(theta), [theta], optimizer, 1)
    assert run.log["evaluations"][1] == optimizer.state[theta]["func_evals"] > 1


def test_train_stops_at_divergence_and_keeps_that_step():
    run = optimize(lambda p: torch.optim.SGD(p, lr=1.5 * critical_lr(X)), LOSS, ZERO, 1_000)
    assert run.diverged_at == run.steps < 1_000
    assert run.losses[-1] > DIVERGENCE_FACTOR * run.losses[0] >= run.losses[:-1].max()


def test_train_stops_when_until_holds():
    run = optimize(lambda p: torch.optim.Adam(p, lr=0.1), LOSS, ZERO, 10_000, until=lambda t: LOSS(t) < 0.2)
    assert run.reached_at == run.steps < 10_000 and run.losses[-1] < 0.2 <= run.losses[-2]


def test_train_steps_a_scheduler_and_logs_the_lr_each_step_uses():
    run = optimize(lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.5), LOSS, ZERO, 5,
                   make_scheduler=lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.5))
    assert run.log["lr"] == pytest.approx(0.01 * 0.5 ** np.arange(6))
    assert np.all(run.log["momentum"] == 0.5)
    plateau = optimize(lambda p: torch.optim.SGD(p, lr=1e-3), LOSS, ZERO, 30,
                       make_scheduler=lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, patience=0,
                                                                                           threshold=0.5))
    assert plateau.log["lr"][-1] < 1e-3


def test_train_refuses_what_is_not_an_optimizer():
    theta = ZERO.clone().requires_grad_(True)
    with pytest.raises(TypeError, match="optimizer"):
        train(lambda: LOSS(theta), [theta], "SGD", 5)
    with pytest.raises(TypeError, match="theta0"):
        optimize(lambda p: torch.optim.SGD(p, lr=0.1), LOSS, [0.0, 0.0], 5)


@pytest.mark.parametrize("lrs", [(1e-3, 0.015), (1e-3, 1e-3)])
def test_line_runs_in_one_loop_equal_one_loop_each(lrs):
    starts = [(0.0, 0.0), (0.3, -0.2)]
    together = line_runs(X, Y, list(lrs), 200, starts)
    for run, lr, start in zip(together, lrs, starts, strict=True):
        (alone,) = line_runs(X, Y, [lr], 200, [start])
        np.testing.assert_allclose(run.losses, alone.losses, rtol=1e-13)
        np.testing.assert_allclose(run.path, alone.path, rtol=1e-12, atol=1e-15)
        assert run.lr == lr


def test_line_runs_share_one_start_and_gaps_start_at_the_starting_gap():
    runs = line_runs(X, Y, [1e-3, 2e-3], 3)
    assert [r.path.shape for r in runs] == [(4, 2), (4, 2)]
    assert all(np.all(r.path[0] == 0.0) for r in runs)
    assert runs[0].gaps[0] == pytest.approx(gd_trajectory(X, Y, 1e-3, 1).gaps[0], rel=1e-12)
    assert [r.first_within(1e-6) for r in runs] == [None, None]


def test_a_diverging_line_run_is_kept_as_torch_ran_it_and_never_counts_as_reached():
    (run,) = line_runs(X, Y, [1.5 * critical_lr(X)], 300)
    assert run.steps == 300 and run.diverged_at is not None and run.diverged_at < 300
    assert run.first_within(1e-6) is None


@pytest.mark.parametrize("kwargs, words", [
    (dict(lrs=[], steps=5), "at least one"),
    (dict(lrs=[-1e-3], steps=5), r"lrs\[0\]"),
    (dict(lrs=[1e-3], steps=0), "steps"),
    (dict(lrs=[1e-3, 1e-3, 1e-3], steps=5, starts=[(0, 0), (1, 1)]), "starts must hold"),
    (dict(lrs=[1e-3], steps=5, starts=[(float("nan"), 0.0)]), "w0"),
])
def test_bad_line_run_arguments_are_refused(kwargs, words):
    with pytest.raises(ValueError, match=words):
        line_runs(X, Y, **kwargs)


def test_line_reach_steps_measures_the_closed_forms_counts_and_says_never():
    from linreg_utils import line_reach_steps, seed_data, steps_to_reach

    x, y = seed_data()
    starts = np.array([[0.0, 0.0], [0.5, -0.5], [-1.0, 1.0]])
    assert np.array_equal(line_reach_steps(x, y, 0.02, starts), steps_to_reach(x, y, 0.02, starts))
    assert np.array_equal(line_reach_steps(x, y, 1e-3, starts, max_steps=500), [-1, -1, -1])
    with pytest.raises(ValueError, match="starts must be an"):
        line_reach_steps(x, y, 1e-3, np.zeros((2, 3)))
