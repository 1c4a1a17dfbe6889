"""Lesson 06's claims: the tutorial's recorded run, the stopping rules, the race, CPU without CUDA."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from linreg_utils import (
    closed_form_fit,
    condition_number,
    gd_trajectory,
    loss_gap,
    mse,
    optimal_lr,
    pick_device,
    seed_data,
    standardize,
    unstandardize,
)
from linreg_utils.runs import Run
from linreg_utils.workflow import (
    certificate_epoch,
    first_epoch,
    fixes,
    log_settles_epoch,
    patience_epoch,
    record_training,
    relative_change_epoch,
    split_mses,
    steps_to_optimum,
    train_val_split,
)
from tests import lesson_numbers as numbers

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


def test_the_recorded_float32_run_follows_exact_gradient_descent(tutorial_run):
    """Epoch k evaluates the parameters after k − 1 steps; float32 keeps close to float64 GD."""
    log, gaps, _ = tutorial_run
    x, y = seed_data()
    traj = gd_trajectory(x, y, 1e-3, 12_000, log.weights[0], log.biases[0])
    for steps in (1_000, 10_000):
        assert log.weights[steps] == pytest.approx(traj.weights[steps], abs=2e-5)
        assert log.biases[steps] == pytest.approx(traj.biases[steps], abs=2e-4)
        assert gaps[steps] == pytest.approx(traj.gaps[steps], rel=0.02)
    # the real loop reaches 1e-6 after 11,823 steps, exact GD after 11,820: float32 rounding
    assert abs((first_epoch(gaps <= 1e-6) - 1) - traj.first_within(1e-6)) <= 5


def test_the_recorded_losses_are_what_the_loop_computed(tutorial_run):
    log, gaps, _ = tutorial_run
    x, y = seed_data()
    optimum = mse(x, y, *closed_form_fit(x, y))
    np.testing.assert_allclose(log.losses, optimum + gaps, rtol=1e-6)
    w, b = log.weights[5], log.biases[5]
    design = torch.cat([x, torch.ones_like(x)], 1).double()
    grad = 2 * torch.mean((w * x.double() + b - y.double()) * design, 0)
    assert log.log["grad_sq"][5] == pytest.approx(float(grad @ grad), rel=1e-5)


def test_stopping_rules_fire_at_the_epochs_the_lesson_states(tutorial_run):
    log, gaps, lam_min = tutorial_run
    assert first_epoch(gaps <= 1e-6) == numbers.L06_FIRST_WITHIN_1E6
    assert certificate_epoch(log, lam_min, 1e-6) == numbers.L06_CERTIFICATE_1E6
    assert certificate_epoch(log, lam_min, 1e-7) == numbers.L06_CERTIFICATE_1E7
    for (epoch, gap), fired in [
        (numbers.L06_RELATIVE_CHANGE_1, relative_change_epoch(log, 1e-6, window=1)),
        (numbers.L06_RELATIVE_CHANGE_200, relative_change_epoch(log, 1e-6, window=200)),
        (numbers.L06_PATIENCE_1000, patience_epoch(log, 1e-6, 1_000)),
        (numbers.L06_LOG_SETTLES, log_settles_epoch(log, every=200, decimals=6)),
    ]:
        assert (fired, f"{gaps[fired - 1]:.1e}") == (epoch, gap)


def test_the_certificate_bounds_the_gap_at_every_epoch_and_is_tight_at_the_end(tutorial_run):
    """The strong-convexity bound L − L* ≤ ‖∇L‖²/(2λmin) on the real run; κ-loose at the start."""
    log, gaps, lam_min = tutorial_run
    ratio = log.log["grad_sq"] / (2 * lam_min) / gaps
    assert ratio.min() > 1 - 1e-3  # float32 gradients: equality up to rounding
    assert ratio[0] == pytest.approx(condition_number(seed_data()[0]), rel=0.01)
    assert ratio[1_000:].max() < 1.01  # float32 rounding of the tiny late gradients


def test_the_certificate_overestimates_by_kappa_at_first_and_is_exact_at_the_end(tutorial_run):
    log, gaps, lam_min = tutorial_run
    overshoot = log.log["grad_sq"] / (2 * lam_min) / gaps
    end = numbers.L06_CERTIFICATE_1E6 - 1
    assert (f"{overshoot[0]:.0f}", f"{overshoot[end]:.4f}") == numbers.L06_CERTIFICATE_OVERSHOOT
    assert overshoot[0] == pytest.approx(condition_number(seed_data()[0]), rel=1e-3)


def test_relative_change_per_epoch_stops_hundreds_of_times_too_far(tutorial_run):
    log, gaps, _ = tutorial_run
    epoch = relative_change_epoch(log, 1e-6, window=1)
    assert gaps[epoch - 1] > 100 * 1e-6


def test_the_largest_safe_rtol_of_exercise_5_4(tutorial_run):
    from linreg_utils.exercises.lesson06 import RTOL_CHOICES

    log, gaps, _ = tutorial_run
    safe = [r for r in RTOL_CHOICES
            if (e := relative_change_epoch(log, r, window=200)) is not None and gaps[e - 1] <= 1e-6]
    assert safe[0] == numbers.L06_SAFE_RTOL


def synthetic_log(losses):
    losses = np.asarray(losses, float)
    return Run(losses=losses, log={"grad_sq": np.zeros_like(losses)})


def test_relative_change_compares_the_loss_window_epochs_apart():
    log = synthetic_log([4.0, 3.0, 2.5, 2.4, 2.4])
    assert relative_change_epoch(log, rtol=0.05, window=1) == 4
    assert relative_change_epoch(log, rtol=0.05, window=2) == 5
    assert relative_change_epoch(log, rtol=1e-9, window=1) == 5  # no change at all
    assert relative_change_epoch(synthetic_log([3.0, 2.0, 1.0]), rtol=0.01) is None


def test_patience_waits_for_an_improvement_larger_than_min_delta():
    log = synthetic_log([5.0, 4.0, 3.95, 3.9, 3.0, 2.99, 2.98, 2.97])
    assert patience_epoch(log, min_delta=0.5, patience=2) == 4  # 3.95, 3.9: two epochs without −0.5
    assert patience_epoch(log, min_delta=0.5, patience=3) == 8
    assert patience_epoch(log, min_delta=0.001, patience=2) is None


def test_log_settles_when_the_printed_digits_stop_changing():
    log = synthetic_log([1.0, 0.51, 0.5, 0.502, 0.4999, 0.5001])
    assert log_settles_epoch(log, every=2, decimals=2) == 4  # prints 0.51, 0.50, 0.50
    assert log_settles_epoch(log, every=1, decimals=2) == 3
    assert log_settles_epoch(synthetic_log([3.0, 2.0, 1.0]), every=1, decimals=1) is None


@pytest.mark.parametrize(("call", "message"), [
    (lambda log: certificate_epoch(log, 0.0), "lam_min"),
    (lambda log: relative_change_epoch(log, 1e-6, window=0), "window"),
    (lambda log: patience_epoch(log, -1.0), "min_delta"),
    (lambda log: log_settles_epoch(log, every=2.5), "every"),
])
def test_stopping_rules_reject_bad_settings(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call(synthetic_log([1.0, 0.5]))


def test_record_training_rejects_a_model_that_is_not_a_line():
    x, y = seed_data()
    model = nn.Linear(1, 2)
    with pytest.raises(TypeError, match="nn.Linear"):
        record_training(model, torch.optim.SGD(model.parameters(), lr=0.1), x, y, 3)


def test_the_race_ranked_by_evaluations(tutorial_run):
    """The notebook's table: real loops to within 1e-6, ranked by loss/gradient evaluations."""
    log, gaps, _ = tutorial_run
    reached = first_epoch(gaps <= 1e-6)
    rows = {"sgd-1e-3-raw (the tutorial)": (reached - 1, reached - 1)}
    x, y = seed_data()
    names = ["sgd-2/(λmin+λmax)-raw", "sgd-0.1-standardized", "sgd-0.5-standardized", "adam-0.05-raw",
             "lbfgs-raw"]
    for name, (inputs, make_optimizer) in zip(names, fixes(x, standardize(x)[0]).values(), strict=True):
        model = seed_model()
        result = steps_to_optimum(model, make_optimizer(model.parameters()), inputs, y, tol=1e-6)
        assert result.gaps[-1] <= 1e-6 < result.gaps[-2]
        rows[name] = (result.reached_at, result.log["evaluations"][-1])
    ranking = sorted(rows, key=lambda name: rows[name][1])
    assert [(name, *rows[name]) for name in ranking] == numbers.L06_RACE


def test_steps_to_optimum_reports_failure_within_max_steps():
    x, y = seed_data()
    model = seed_model()
    slow = steps_to_optimum(model, torch.optim.SGD(model.parameters(), lr=1e-3), x, y, max_steps=10)
    assert slow.reached_at is None and slow.log["evaluations"][-1] == 10 and slow.gaps[-1] > 1e-6


def test_lbfgs_one_step_is_four_iterations_and_eight_evaluations_in_float32():
    x, y = seed_data()
    model = seed_model()
    optimizer = torch.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")
    result = steps_to_optimum(model, optimizer, x, y)
    evaluations = result.log["evaluations"][-1]
    assert (result.reached_at, optimizer.state[model.weight]["n_iter"], evaluations) == (1, 4, 8)


def test_unstandardized_weights_match_the_closed_form_on_the_original_scale():
    x, y = seed_data()
    z, mean, std = standardize(x)
    model = seed_model()
    steps_to_optimum(model, torch.optim.SGD(model.parameters(), lr=optimal_lr(z)), z, y, tol=1e-12)
    w, b = unstandardize(model.weight.item(), model.bias.item(), mean, std)
    assert (w, b) == pytest.approx(closed_form_fit(x, y), abs=1e-5)


def test_train_val_split_is_disjoint_and_gives_the_lessons_number():
    x, y = seed_data()
    x_tr, y_tr, x_val, y_val = train_val_split(x, y, 0.2, seed=0)
    assert (len(x_tr), len(x_val)) == (12, 3)
    rows = set(zip(x.flatten().tolist(), y.flatten().tolist(), strict=True))
    got = set(zip(torch.cat([x_tr, x_val]).flatten().tolist(), torch.cat([y_tr, y_val]).flatten().tolist(),
                  strict=True))
    assert got == rows
    train_mse, val_mse = split_mses(x_tr, y_tr, x_val, y_val)
    assert (f"{train_mse:.3f}", f"{val_mse:.3f}") == numbers.L06_SPLIT_MSES


def test_early_stopping_on_the_validation_loss_restores_the_lessons_best_epoch(tmp_path):
    """The lesson's loop: checkpoint the state_dict on each validation improvement, restore the best."""
    x, y = seed_data()
    x_train, y_train, x_val, y_val = train_val_split(x, y, val_fraction=0.2, seed=0)
    z_train, train_mean, train_std = standardize(x_train)  # the training points' own scale
    z_val = (x_val - train_mean) / train_std
    model, loss_fn = seed_model(), nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    best_val, best_epoch, wait, vals = float("inf"), 0, 0, []
    checkpoint = tmp_path / "best.pt"
    for epoch in range(1, 20_001):
        optimizer.zero_grad()
        loss_fn(model(z_train), y_train).backward()
        optimizer.step()
        with torch.inference_mode():
            vals.append(loss_fn(model(z_val), y_val).item())
        if vals[-1] < best_val - 1e-6:
            best_val, best_epoch, wait = vals[-1], epoch, 0
            torch.save(model.state_dict(), checkpoint)
        else:
            wait += 1
            if wait == 200:
                break
    last = (model.weight.item(), model.bias.item())
    model.load_state_dict(torch.load(checkpoint, weights_only=True))
    train_mse = mse(z_train, y_train, model.weight.item(), model.bias.item())
    got = (epoch, best_epoch, f"{best_val:.3f}", f"{train_mse:.3f}")
    assert got == numbers.L06_VALIDATION_EARLY_STOP
    assert min(vals) == best_val and vals[best_epoch - 1] == best_val  # the minimum of the whole run
    assert (model.weight.item(), model.bias.item()) != last  # restored, not the last parameters
    assert max(vals[best_epoch:]) > best_val  # the validation loss rose after the best epoch
    # the run converged to the 12-point least-squares line long before patience ran out
    w_ls, b_ls = closed_form_fit(z_train, y_train)
    assert abs(last[0] - w_ls) < 1e-4 and abs(last[1] - b_ls) < 1e-4
    assert f"{vals[-1]:.3f}" == numbers.L06_SPLIT_MSES[1]  # ... and its validation MSE


def test_a_three_point_validation_mse_is_mostly_the_luck_of_the_draw():
    """Over 1,000 splits the validation MSE is below the training MSE about half the time."""
    x, y = seed_data()
    ratios = np.array([(lambda t, v: v / t)(*split_mses(*train_val_split(x, y, 0.2, seed=s)))
                       for s in range(1_000)])
    ours = (lambda t, v: v / t)(*split_mses(*train_val_split(x, y, 0.2, seed=0)))
    got = (f"{np.mean(ratios < 1):.0%}", f"{np.quantile(ratios, 0.05):.2f}",
           f"{np.quantile(ratios, 0.95):.2f}", f"{np.mean(ratios.round(6) > round(ours, 6)):.1%}")
    assert got == numbers.L06_SPLIT_SPREAD


@pytest.mark.parametrize("fraction", [0.0, 0.01, 1.0])
def test_train_val_split_needs_a_point_on_each_side(fraction):
    x, y = seed_data()
    with pytest.raises(ValueError, match="val_fraction"):
        train_val_split(x, y, fraction)


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
