"""Lesson 04's claims: the seed's run, the race to the optimum, mini-batch SGD, CPU without CUDA."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from linreg_utils import (
    closed_form_fit,
    eigen_errors,
    gd_trajectory,
    loss_gap,
    make_regression,
    mse,
    optimal_lr,
    pick_device,
    seed_data,
    standardize,
    unstandardize,
)
from linreg_utils.workflow import (
    make_loader,
    sgd_noise_floor,
    split_mses,
    steps_to_optimum,
    train_minibatch,
    train_val_split,
)

ROOT = Path(__file__).resolve().parents[1]


def seed_model():
    torch.manual_seed(0)
    return nn.Linear(1, 1)


def test_loss_gap_is_the_mse_minus_the_optimum():
    x, y = seed_data()
    w, b = closed_form_fit(x, y)
    gap = loss_gap(x, y)
    assert gap(w, b) == 0.0
    assert gap(0.1, 0.2) == pytest.approx(mse(x, y, 0.1, 0.2) - mse(x, y, w, b), rel=1e-9)


def test_the_seeds_real_float32_loop_follows_the_closed_form():
    """The tutorial's own loop (SGD, lr=1e-3, nn.Linear in float32) vs exact GD in float64."""
    x, y = seed_data()
    model = seed_model()
    w0, b0 = model.weight.item(), model.bias.item()
    steps = 12_000
    traj = gd_trajectory(x, y, 1e-3, steps, w0, b0)
    optimizer, loss_fn = torch.optim.SGD(model.parameters(), lr=1e-3), nn.MSELoss()
    gap = loss_gap(x, y)
    real_reach = None
    for step in range(1, steps + 1):
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
        if step in (1_000, 10_000):
            assert model.weight.item() == pytest.approx(traj.weights[step], abs=2e-5)
            assert model.bias.item() == pytest.approx(traj.biases[step], abs=2e-4)
            assert gap(model.weight.item(), model.bias.item()) == pytest.approx(traj.gaps[step], rel=0.02)
        if real_reach is None and gap(model.weight.item(), model.bias.item()) <= 1e-6:
            real_reach = step
    predicted = traj.first_within(1e-6)
    assert real_reach is not None and abs(real_reach - predicted) <= 0.005 * predicted


def test_the_seeds_100000_epochs_are_far_more_than_needed():
    x, y = seed_data()
    model = seed_model()
    traj = gd_trajectory(x, y, 1e-3, 100_000, model.weight.item(), model.bias.item())
    assert traj.gaps[1_000] > 1e-4 and traj.gaps[10_000] > 1e-6 > traj.gaps[100_000]
    assert traj.first_within(1e-6) < 15_000


@pytest.mark.parametrize(("standardized", "make_optimizer", "max_steps"), [
    (False, lambda p, x: torch.optim.SGD(p, lr=optimal_lr(x)), 1_435),
    (True, lambda p, x: torch.optim.SGD(p, lr=0.1), 34),
    (True, lambda p, x: torch.optim.SGD(p, lr=optimal_lr(x)), 1),
    (False, lambda p, x: torch.optim.Adam(p, lr=0.05), 216),
    (False, lambda p, x: torch.optim.LBFGS(p, line_search_fn="strong_wolfe"), 1),
], ids=["sgd-best-lr-raw", "sgd-0.1-standardized", "sgd-best-lr-standardized", "adam-raw", "lbfgs-raw"])
def test_each_method_reaches_the_optimum_within_the_tables_steps(standardized, make_optimizer, max_steps):
    x, y = seed_data()
    if standardized:
        x, _, _ = standardize(x)
    model = seed_model()
    result = steps_to_optimum(model, make_optimizer(model.parameters(), x), x, y, tol=1e-6,
                              max_steps=max_steps)
    assert result.steps is not None and result.steps <= max_steps
    assert result.final_gap <= 1e-6


def test_sgd_steps_in_the_table_match_exact_gradient_descent():
    x, y = seed_data()
    model = seed_model()
    w0, b0 = model.weight.item(), model.bias.item()
    lr = optimal_lr(x)
    real = steps_to_optimum(model, torch.optim.SGD(model.parameters(), lr=lr), x, y, max_steps=5_000)
    assert real.steps == gd_trajectory(x, y, lr, 5_000, w0, b0).first_within(1e-6)


def test_steps_to_optimum_counts_lbfgs_evaluations_and_reports_failure():
    x, y = seed_data()
    model = seed_model()
    result = steps_to_optimum(model, torch.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe"),
                              x, y)
    assert result.steps == 1 and result.evaluations > 1
    model = seed_model()
    slow = steps_to_optimum(model, torch.optim.SGD(model.parameters(), lr=1e-3), x, y, max_steps=10)
    assert slow.steps is None and slow.final_gap > 1e-6


def test_lbfgs_needs_one_more_evaluation_in_float32_than_in_float64():
    """Lesson 04 counts 8 evaluations (float32 model), lesson 03 counted 7 (float64)."""
    x, y = seed_data()
    counts = {}
    for dtype in (torch.float32, torch.float64):
        model = seed_model().to(dtype)
        optimizer = torch.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")
        result = steps_to_optimum(model, optimizer, x.to(dtype), y.to(dtype))
        counts[dtype] = (result.steps, optimizer.state[model.weight]["n_iter"], result.evaluations)
    assert counts == {torch.float32: (1, 4, 8), torch.float64: (1, 3, 7)}


def test_the_start_decides_the_step_count_at_the_tutorial_lr():
    """22,286 epochs from (0, 0) but 11,820 from nn.Linear's start, whose flat-direction error is smaller."""
    x, y = seed_data()
    model = seed_model()
    w0, b0 = model.weight.item(), model.bias.item()
    steps, shares = [], []
    for start in ((0.0, 0.0), (w0, b0)):
        steps.append(gd_trajectory(x, y, 1e-3, 30_000, *start).first_within(1e-6))
        lam, c0 = eigen_errors(x, y, *start)
        shares.append(0.5 * lam[0] * c0[0] ** 2)
    assert steps == [22_286, 11_820]
    assert (f"{shares[0]:.5f}", f"{shares[1]:.5f}") == ("0.04004", "0.00028")
    assert round(shares[0] / shares[1]) == 145


def test_unstandardized_weights_match_the_closed_form_on_the_original_scale():
    x, y = seed_data()
    z, mean, std = standardize(x)
    model = seed_model()
    steps_to_optimum(model, torch.optim.SGD(model.parameters(), lr=optimal_lr(z)), z, y, tol=1e-12)
    w, b = unstandardize(model.weight.item(), model.bias.item(), mean, std)
    assert (w, b) == pytest.approx(closed_form_fit(x, y), abs=1e-5)


def test_make_loader_yields_the_same_batches_as_a_plain_shuffling_dataloader():
    x, y = make_regression(n=1_000, seed=3)
    plain = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True,
                       generator=torch.Generator().manual_seed(5))
    ours = make_loader(x, y, 64, seed=5)
    pairs = list(zip(plain, ours, strict=True))
    assert all(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) for a, b in pairs)
    assert len(ours) == 16


def test_make_loader_rejects_bad_batch_sizes():
    x, y = make_regression(n=10)
    with pytest.raises(ValueError, match="batch_size"):
        make_loader(x, y, 11)
    with pytest.raises(TypeError, match="batch_size"):
        make_loader(x, y, 2.5)


def minibatch_run(batch_size, epochs, lr=0.1):
    x, y = make_regression(n=10_000, seed=0)
    z, _, _ = standardize(x)
    model = seed_model()
    history = train_minibatch(model, make_loader(z, y, batch_size, seed=0),
                              torch.optim.SGD(model.parameters(), lr=lr), epochs)
    return z, y, history


def test_train_minibatch_counts_steps_per_epoch_and_full_batch_is_plain_gd():
    z, y, history = minibatch_run(10_000, 3)
    assert history.steps_per_epoch == 1 and len(history.batch_losses) == 3
    model = seed_model()
    traj = gd_trajectory(z, y, 0.1, 3, model.weight.item(), model.bias.item())
    np.testing.assert_allclose(history.gaps_per_epoch(), traj.gaps, rtol=1e-4)


def test_small_batches_settle_on_the_predicted_noise_floor():
    z, y, history = minibatch_run(20, 2)  # as in the notebook: the mean over epoch 2
    assert history.steps_per_epoch == 500
    settled = np.mean(history.gaps[501:1001])
    assert settled == pytest.approx(sgd_noise_floor(z, y, 0.1, 20), rel=0.3)


def test_one_epoch_of_batch_200_gives_a_noisy_estimate_of_its_floor():
    """The notebook's B = 200 row: epoch 2 alone (50 steps), its mean well under the floor."""
    z, y, history = minibatch_run(200, 3)
    assert history.steps_per_epoch == 50
    ratio = np.mean(history.gaps[51:101]) / sgd_noise_floor(z, y, 0.1, 200)
    assert 0.5 < ratio < 0.8  # the notebook prints 0.63


def test_noise_floor_shrinks_like_one_over_the_batch_and_vanishes_for_the_full_batch():
    x, y = make_regression(n=10_000, seed=0)
    z, _, _ = standardize(x)
    small, large = sgd_noise_floor(z, y, 0.1, 20), sgd_noise_floor(z, y, 0.1, 200)
    assert small / large == pytest.approx(10 * (10_000 - 20) / (10_000 - 200), rel=1e-9)
    assert sgd_noise_floor(z, y, 0.1, 10_000) == 0.0


def test_noise_floor_is_close_to_the_standardized_formula():
    """For standardized x (H = 2 I): floor ≈ 2 · lr · σ² / (B (1 − lr)), σ² the optimal MSE."""
    x, y = make_regression(n=10_000, seed=0)
    z, _, _ = standardize(x)
    sigma2 = mse(z, y, *closed_form_fit(z, y))
    for batch_size in (20, 200):
        approx = 2 * 0.1 * sigma2 / (batch_size * 0.9)
        assert sgd_noise_floor(z, y, 0.1, batch_size) == pytest.approx(approx, rel=0.05)


def test_train_val_split_is_disjoint_and_the_two_parameter_fit_barely_overfits():
    x, y = make_regression(n=10_000, seed=0)
    x_tr, y_tr, x_val, y_val = train_val_split(x, y, 0.2, seed=0)
    assert len(x_val) == 2_000 and len(x_tr) == 8_000
    rows = {(a, b) for a, b in zip(x.flatten().tolist(), y.flatten().tolist(), strict=True)}
    got = set(zip(x_tr.flatten().tolist(), y_tr.flatten().tolist(), strict=True))
    got |= set(zip(x_val.flatten().tolist(), y_val.flatten().tolist(), strict=True))
    assert got == rows
    train_mse, val_mse = split_mses(x_tr, y_tr, x_val, y_val)
    # the two differ by the validation sample's own noise, std about 0.5² · √(2 / 2,000)
    assert abs(val_mse - train_mse) < 3 * 0.25 * (2 / 2_000) ** 0.5
    # what the fit "memorised": how far it beats the true line y = 2x − 1 on its own points;
    # for 2 parameters and 8,000 points its expected value is 0.5² · 2 / 8,000
    w, b = closed_form_fit(x_tr, y_tr)
    memorised = mse(x_tr, y_tr, 2.0, -1.0) - mse(x_tr, y_tr, w, b)
    assert 0 < memorised < 10 * 0.25 * 2 / 8_000
    # memorised = σ² χ²₂ / n exactly; this split is a high draw: about 3× the mean, P(χ²₂ ≥ it) ≈ 0.04
    expected = 0.25 * 2 / 8_000
    assert 2.5 < memorised / expected < 3.5
    assert 0.02 < np.exp(-memorised / expected) < 0.06
    assert memorised / 0.25 < 1e-3


def run_workflow_on(device):
    """Steps 1–7 in a few lines, on ``device``; returns the CPU predictions."""
    x, y = seed_data()
    z, _, _ = standardize(x)
    model = seed_model().to(device)
    steps_to_optimum(model, torch.optim.SGD(model.parameters(), lr=0.5), z.to(device), y.to(device))
    with torch.inference_mode():
        return model(z.to(device)).cpu()


def test_workflow_runs_on_cpu_when_cuda_is_hidden(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    device = pick_device()
    assert device.type == "cpu"
    pred = run_workflow_on(device)
    assert pred.device.type == "cpu" and not pred.requires_grad and pred.shape == (15, 1)


def test_workflow_in_a_fresh_process_without_visible_gpus():
    code = ("import torch; from linreg_utils import pick_device; "
            "from tests.test_workflow import run_workflow_on; "
            "d = pick_device(); p = run_workflow_on(d); print(d.type, p.device.type, p.shape[0])")
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout.split()
    assert out[1:] == ["cpu", "15"] and out[0] in {"cpu", "mps"}


def test_state_dict_round_trip_gives_identical_predictions(tmp_path):
    model = seed_model()
    path = tmp_path / "line.pt"
    torch.save(model.state_dict(), path)
    loaded = nn.Linear(1, 1)
    loaded.load_state_dict(torch.load(path, weights_only=True))
    x, _ = seed_data()
    assert torch.equal(model(x), loaded(x))
