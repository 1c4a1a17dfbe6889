"""Lesson 07's claims: real mini-batch loops, the vectorised SGD they are checked against, and
the noise floor with and without replacement."""

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset

from linreg_utils import closed_form_fit, gd_trajectory, loss_gap, make_regression, mse, standardize, train
from linreg_utils.stochastic import (
    averaged_gaps,
    averaged_sgd,
    epoch_batches,
    epoch_means,
    make_loader,
    noise_floor,
    sgd_noise_floor,
    sgd_on_batches,
    simulate_sgd,
    torch_sgd_floor,
    train_minibatch,
)
from tests import lesson_numbers as numbers


@pytest.fixture(scope="module")
def data():
    """The lesson's 10,000 points, x standardized."""
    x, y = make_regression(n=10_000, slope=2.0, intercept=-1.0, noise=0.5, seed=0)
    z, _, _ = standardize(x)
    return z, y


def seed_model(dtype=torch.float32):
    torch.manual_seed(0)
    return nn.Linear(1, 1).to(dtype)


def test_make_loader_yields_the_batches_of_a_plain_dataloader():
    x, y = make_regression(n=1_000, seed=3)
    for replacement in (False, True):
        generator = torch.Generator().manual_seed(5)
        sampler = RandomSampler(range(1_000), replacement=replacement, generator=generator)
        plain = DataLoader(TensorDataset(x, y), batch_size=64, sampler=sampler, drop_last=True)
        ours = make_loader(x, y, 64, seed=5, replacement=replacement)
        pairs = list(zip(plain, ours, strict=True))
        assert len(pairs) == 15
        assert all(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) for a, b in pairs)


def test_make_loader_rejects_bad_batch_sizes():
    x, y = make_regression(n=10)
    with pytest.raises(ValueError, match="batch_size"):
        make_loader(x, y, 11)
    with pytest.raises(TypeError, match="batch_size"):
        make_loader(x, y, 2.5)


def test_train_minibatch_on_the_full_batch_is_gradient_descent(data):
    z, y = data
    model = seed_model()
    w0, b0 = model.weight.item(), model.bias.item()
    history = train_minibatch(model, make_loader(z, y, 10_000), torch.optim.SGD(model.parameters(), lr=0.1),
                              steps=3)
    assert history.steps == 3 and history.log["evaluations"][-1] == 3
    np.testing.assert_allclose(history.losses, gd_trajectory(z, y, 0.1, 3, w0, b0).losses, rtol=1e-4)


def test_train_minibatch_stops_after_the_steps_asked_for(data):
    z, y = data
    model = seed_model()
    loader = make_loader(z, y, 2_000)
    history = train_minibatch(model, loader, torch.optim.SGD(model.parameters(), lr=0.1), steps=7)
    assert len(loader) == 5 and history.steps == 7 and len(history.losses) == 8


def torch_sgd_path(z, y, batches, lr_lambda):
    """The real loop in float64 (linreg_utils.runs.train): nn.Linear, MSELoss, SGD(lr=0.1) with
    LambdaLR, one step per row of ``batches``; the parameters after each step."""
    model = seed_model(torch.float64)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    z64, y64, rows = z.double(), y.double(), iter([*batches, batches[0]])  # one more for the last entry
    run = train(lambda: nn.functional.mse_loss(model(z64[(r := next(rows))]), y64[r]), model.parameters(),
                optimizer, len(batches), scheduler=scheduler)
    return run.path[1:]


@pytest.mark.parametrize("replacement", [True, False])
def test_sgd_on_batches_is_torch_optim_sgd_batch_for_batch(data, replacement):
    z, y = data
    sampler = BatchSampler(RandomSampler(range(len(z)), replacement=replacement,
                                         generator=torch.Generator().manual_seed(1)), 200, drop_last=True)
    batches = torch.tensor(list(sampler))
    model = seed_model(torch.float64)
    start = np.array([[model.weight.item(), model.bias.item()]])
    want = torch_sgd_path(z, y, batches, lambda k: 1.0)
    got = sgd_on_batches(z, y, batches[None], np.full(len(batches), 0.1), start)[0]
    np.testing.assert_allclose(got[0], start[0])
    np.testing.assert_allclose(got[1:], want, atol=1e-12)


def test_sgd_on_batches_follows_a_lambda_lr_schedule(data):
    z, y = data
    batches = epoch_batches(len(z), 20, 1, torch.Generator().manual_seed(2), replacement=False)[0][:300]
    model = seed_model(torch.float64)
    start = np.array([[model.weight.item(), model.bias.item()]])
    lrs = np.array([0.1 / (1 + k / 50) for k in range(300)])
    got = sgd_on_batches(z, y, batches[None], lrs, start)[0, 1:]
    np.testing.assert_allclose(got, torch_sgd_path(z, y, batches, lambda k: 1 / (1 + k / 50)), atol=1e-12)


def test_shuffled_epochs_partition_the_data_and_replacement_draws_do_not():
    gen = torch.Generator().manual_seed(0)
    shuffled = epoch_batches(1_000, 100, 3, gen, replacement=False)
    assert shuffled.shape == (3, 10, 100)
    assert all(torch.equal(torch.sort(r.reshape(-1)).values, torch.arange(1_000)) for r in shuffled)
    drawn = epoch_batches(1_000, 100, 3, gen, replacement=True)
    assert drawn.shape == (3, 10, 100) and len(torch.unique(drawn[0])) < 1_000


def test_simulate_sgd_starts_at_the_optimum_and_is_reproducible(data):
    z, y = data
    a = simulate_sgd(z, y, 200, 0.1, 2, replicas=3, seed=4)
    b = simulate_sgd(z, y, 200, 0.1, 2, replicas=3, seed=4)
    gaps = np.array([r.gaps for r in a])
    assert gaps.shape == (3, 101) and a[0].log["lr"].shape == (101,)
    assert list(a[0].log["epoch"][[0, 1, 50, 51, 100]]) == [0, 1, 1, 2, 2]
    assert np.all(gaps[:, 0] == 0.0) and np.all(gaps[:, 1:] > 0)
    np.testing.assert_array_equal(gaps, np.array([r.gaps for r in b]))
    assert epoch_means(a).shape == (2,)
    assert epoch_means(a)[1] == pytest.approx(gaps[:, 51:].mean())


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": 20_000}, ValueError, "batch_size"),
    ({"epochs": 0}, ValueError, "epochs"),
    ({"lr": -0.1}, ValueError, "lr"),
    ({"replicas": 1.5}, TypeError, "replicas"),
])
def test_simulate_sgd_rejects_bad_settings(data, kwargs, error, message):
    z, y = data
    settings = {"batch_size": 20, "lr": 0.1, "epochs": 1, "replicas": 1} | kwargs
    with pytest.raises(error, match=message):
        simulate_sgd(z, y, settings["batch_size"], settings["lr"], settings["epochs"],
                     replicas=settings["replicas"])


def test_noise_floor_falls_like_one_over_the_batch(data):
    z, y = data
    with_repl = [sgd_noise_floor(z, y, 0.1, b) for b in (20, 200)]
    assert with_repl[0] / with_repl[1] == pytest.approx(10, rel=1e-9)
    without = [sgd_noise_floor(z, y, 0.1, b, replacement=False) for b in (20, 200)]
    assert without[0] / without[1] == pytest.approx(10 * (10_000 - 20) / (10_000 - 200), rel=1e-9)
    assert sgd_noise_floor(z, y, 0.1, 10_000, replacement=False) == 0.0


def test_noise_floor_is_close_to_the_standardized_formula(data):
    """For standardized x (H = 2 I): floor ≈ 2 · lr · σ² / (B (1 − lr)), σ² the optimal MSE."""
    z, y = data
    sigma2 = mse(z, y, *closed_form_fit(z, y))
    for batch_size, lr in ((20, 0.1), (200, 0.01), (50, 0.3)):
        approx = 2 * lr * sigma2 / (batch_size * (1 - lr))
        assert sgd_noise_floor(z, y, lr, batch_size) == pytest.approx(approx, rel=0.01)


def test_the_lessons_floor_table(data):
    """Measured/formula ratios exactly as lesson 07 prints them."""
    z, y = data
    for batch_size, (replicas, epochs, skip) in numbers.L07_FLOOR_SETTINGS.items():
        for replacement in (True, False):
            runs = simulate_sgd(z, y, batch_size, 0.1, epochs, replacement=replacement, replicas=replicas,
                                seed=numbers.L07_FLOOR_SEED)
            formula = sgd_noise_floor(z, y, 0.1, batch_size, replacement=replacement)
            ratio = noise_floor(runs, skip)[0] / formula
            assert f"{ratio:.2f}" == numbers.L07_FLOOR_RATIOS[batch_size, replacement]


@pytest.mark.parametrize("batch_size", [20, 200, 2_000])
def test_with_replacement_the_formula_holds_for_another_seed(data, batch_size):
    z, y = data
    replicas, epochs, skip = numbers.L07_FLOOR_SETTINGS[batch_size]
    runs = simulate_sgd(z, y, batch_size, 0.1, epochs, replacement=True, replicas=replicas, seed=11)
    mean, stderr = noise_floor(runs, skip)
    assert abs(mean - sgd_noise_floor(z, y, 0.1, batch_size)) < 4 * stderr


def test_shuffling_lowers_the_floor_once_an_epoch_is_a_few_memories_long(data):
    """Another seed: B = 2,000 shuffled (5 steps per epoch, memory ≈ 5 steps) sits far below."""
    z, y = data
    mean, stderr = noise_floor(simulate_sgd(z, y, 2_000, 0.1, 12, replicas=100, seed=12), 2)
    ratio = mean / sgd_noise_floor(z, y, 0.1, 2_000, replacement=False)
    assert 0.25 < ratio < 0.45 and stderr < 0.05 * mean


def test_linear_lr_scaling_keeps_the_floor_to_the_one_minus_lr_factor(data):
    z, y = data
    small = noise_floor(simulate_sgd(z, y, 20, 0.01, 6, replacement=True, replicas=8, seed=2), 1)[0]
    large = noise_floor(simulate_sgd(z, y, 200, 0.1, 11, replacement=True, replicas=40, seed=2), 1)[0]
    assert large / small == pytest.approx(0.99 / 0.9, rel=0.1)


def test_decaying_schedules_end_far_below_the_constant_lr(data):
    z, y = data
    steps = len(z) // 20
    schedules = {"constant": 0.1, "step": lambda k: 0.1 * 0.5 ** (k // (5 * steps)),
                 "1/t": lambda k: 0.1 / (1 + k / steps)}
    runs = {name: simulate_sgd(z, y, 20, lr, 30, replicas=8, seed=3, start=(0.0, 0.0))
            for name, lr in schedules.items()}
    got = {name: f"{epoch_means(r)[-1]:.1e}" for name, r in runs.items()}
    assert got == numbers.L07_SCHEDULE_EPOCH30
    assert all(float(got["constant"]) > 50 * float(got[name]) for name in ("step", "1/t"))
    end = epoch_means(runs["constant"])[-1]
    ratios = {name: f"{end / epoch_means(runs[name])[-1]:.0f}" for name in ("step", "1/t")}
    assert ratios == numbers.L07_SCHEDULE_RATIOS


def test_the_lessons_scaling_table(data):
    """Tenfold batch at the same lr: a tenth of the floor; lr × √10: about a third; lr × 10: kept."""
    z, y = data
    floors = {}
    for batch_size, lr in ((20, 0.01), (200, 0.01), (200, 0.01 * 10**0.5), (200, 0.1)):
        replicas, epochs, skip = numbers.L07_FLOOR_SETTINGS[batch_size]
        runs = simulate_sgd(z, y, batch_size, lr, epochs, replacement=True, replicas=replicas, seed=2)
        floors[batch_size, round(lr, 4)] = noise_floor(runs, skip)[0]
    assert {key: f"{value:.2e}" for key, value in floors.items()} == numbers.L07_SCALING_FLOORS
    reference = floors[20, 0.01]
    assert floors[200, 0.01] / reference == pytest.approx(0.1, rel=0.1)
    assert floors[200, 0.0316] / reference == pytest.approx(1 / 3, rel=0.1)


def test_halving_every_two_epochs_beats_faster_and_slower_halving(data):
    from linreg_utils.exercises.lesson07 import halving_gaps

    z, y = data
    gaps = halving_gaps(z, y)
    assert min(gaps, key=gaps.get) == numbers.L07_BEST_HALVING_PERIOD
    assert gaps[1] > gaps[2] < gaps[5] < gaps[10]  # too fast freezes, too slow keeps a high floor


def test_momentum_floor_matches_the_closed_form_for_standardized_x(data):
    """2 lr σ² (1 + β) / (B (1 − β) (1 + β − lr)); β = 0 is the plain formula."""
    z, y = data
    sigma2 = mse(z, y, *closed_form_fit(z, y))
    for lr, beta in ((0.1, 0.0), (0.01, 0.9), (0.1, 0.9), (0.05, 0.5)):
        closed = 2 * lr * sigma2 * (1 + beta) / (200 * (1 - beta) * (1 + beta - lr))
        assert sgd_noise_floor(z, y, lr, 200, momentum=beta) == pytest.approx(closed, rel=0.01)
    assert sgd_noise_floor(z, y, 0.1, 200, momentum=0.0) == sgd_noise_floor(z, y, 0.1, 200)


def test_momentum_at_the_same_effective_step_keeps_the_floor_and_at_the_same_lr_raises_it(data):
    z, y = data
    plain = sgd_noise_floor(z, y, 0.1, 200)
    assert sgd_noise_floor(z, y, 0.01, 200, momentum=0.9) / plain == pytest.approx(0.905, abs=0.005)
    assert sgd_noise_floor(z, y, 0.1, 200, momentum=0.9) / plain == pytest.approx(9.5, abs=0.1)


def test_torch_sgd_floor_measures_the_lessons_momentum_floors(data):
    """torch.optim.SGD(momentum=0.9) itself, 64 runs in one parameter, as lesson 07 prints it."""
    z, y = data
    got = {}
    for lr in (0.01, 0.1):
        mean, stderr = torch_sgd_floor(z, y, 200, lr, 0.9, steps=400, replicas=64, skip=100, seed=4)
        formula = sgd_noise_floor(z, y, lr, 200, momentum=0.9)
        assert abs(mean - formula) < 4 * stderr + 0.02 * formula
        got[lr] = f"{mean:.2e}"
    assert got == numbers.L07_MOMENTUM_FLOORS


def test_torch_sgd_floor_without_momentum_agrees_with_the_vectorised_simulation(data):
    z, y = data
    torch_mean, torch_err = torch_sgd_floor(z, y, 200, 0.1, 0.0, steps=300, replicas=64, skip=50, seed=5)
    runs = simulate_sgd(z, y, 200, 0.1, 11, replacement=True, replicas=40, seed=5)
    sim_mean, sim_err = noise_floor(runs, 1)
    assert abs(torch_mean - sim_mean) < 4 * (torch_err**2 + sim_err**2) ** 0.5


def test_torch_sgd_floor_and_the_momentum_formula_reject_bad_settings(data):
    z, y = data
    with pytest.raises(ValueError, match="skip"):
        torch_sgd_floor(z, y, 50, 0.1, 0.0, steps=30, replicas=1, skip=30)
    with pytest.raises(ValueError, match="momentum"):
        sgd_noise_floor(z, y, 0.1, 50, momentum=1.0)


@pytest.mark.parametrize("replacement", [False, True])
def test_averaged_gaps_is_what_averaged_model_holds(data, replacement):
    """The numpy running mean of simulate_sgd's iterates = torch.optim.swa_utils.AveragedModel's."""
    z, y = data
    _, torch_averaged = averaged_sgd(z, y, 200, 0.1, 4, replicas=3, seed=5, start=(0.0, 0.0),
                                     replacement=replacement)
    runs = simulate_sgd(z, y, 200, 0.1, 4, replicas=3, seed=5, start=(0.0, 0.0), replacement=replacement)
    np.testing.assert_allclose(averaged_gaps(z, runs), torch_averaged, rtol=1e-6)
    assert np.isnan(torch_averaged[0])


def test_averaged_gaps_rejects_an_average_that_never_starts(data):
    z, y = data
    runs = simulate_sgd(z, y, 2_000, 0.1, 2, seed=0)
    with pytest.raises(ValueError, match="average_after"):
        averaged_gaps(z, runs, average_after=2)


def test_the_lessons_one_averaged_run_ends_far_below_the_floor(data):
    z, y = data
    gap = loss_gap(z, y)
    model = seed_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    averaged = torch.optim.swa_utils.AveragedModel(model)
    for epoch in range(5):
        for xb, yb in make_loader(z, y, 20, seed=epoch, replacement=True):
            optimizer.zero_grad()
            nn.functional.mse_loss(model(xb), yb).backward()
            optimizer.step()
            if epoch >= 1:
                averaged.update_parameters(model)
    last = gap(model.weight.item(), model.bias.item())
    mean_line = gap(averaged.module.weight.item(), averaged.module.bias.item())
    got = (f"{last:.1e}", f"{mean_line:.1e}", f"{sgd_noise_floor(z, y, 0.1, 20):.1e}")
    assert got == numbers.L07_AVERAGED_ONE_RUN
    assert mean_line < last / 100


def test_averaging_beats_the_schedules_at_the_same_epochs(data):
    z, y = data
    shuffled = simulate_sgd(z, y, 20, 0.1, 30, replicas=8, seed=3, start=(0.0, 0.0))
    replaced = simulate_sgd(z, y, 20, 0.1, 30, replacement=True, replicas=8, seed=3, start=(0.0, 0.0))
    table = {"shuffled, averaged": averaged_gaps(z, shuffled), "replacement, last": epoch_means(replaced),
             "replacement, averaged": averaged_gaps(z, replaced)}
    got = {name: (f"{g[4]:.1e}", f"{g[29]:.1e}") for name, g in table.items()}
    assert got == numbers.L07_AVERAGED_TABLE
    best_schedule = min(float(v) for v in numbers.L07_SCHEDULE_EPOCH30.values())
    assert table["replacement, averaged"][29] < best_schedule / 10


def test_averaged_iterates_count_as_n_over_9_independent_ones(data):
    """07: the average of N iterates at the floor has gap ≈ floor · (2 − ηλ)/(ηλ) / N = floor · 9/N."""
    z, y = data
    runs = simulate_sgd(z, y, 20, 0.1, 6, replacement=True, replicas=200, seed=5)
    n_avg = np.arange(1, 6) * (len(z) // 20)
    ratio = averaged_gaps(z, runs)[1:] * n_avg / sgd_noise_floor(z, y, 0.1, 20)
    assert tuple(f"{r:.1f}" for r in ratio) == numbers.L07_AVERAGING_PIECES
    assert np.all(np.abs(ratio / 9 - 1) < 0.1)  # 9, not the e-folding time 1/(ηλ) = 5
