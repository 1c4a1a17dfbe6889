"""fit() drives any torch.optim optimizer, LBFGS included, and pick_device never fails."""

import pytest
import torch
from torch import nn

from linreg_utils import closed_form_fit, fit, pick_device, seed_data, standardize


def make_model():
    torch.manual_seed(0)
    return nn.Linear(1, 1)


def test_fit_with_sgd_records_losses_every_log_every_steps():
    x, y = seed_data()
    model = make_model()
    history = fit(model, x, y, torch.optim.SGD(model.parameters(), lr=1e-3), steps=100, log_every=10)
    assert history.steps == list(range(0, 100, 10))
    assert history.losses[-1] < history.losses[0]
    assert history.final_loss < history.losses[-1]


def test_fit_matches_a_hand_written_loop():
    x, y = seed_data()
    model_a, model_b = make_model(), make_model()
    fit(model_a, x, y, torch.optim.SGD(model_a.parameters(), lr=1e-2), steps=50)
    opt = torch.optim.SGD(model_b.parameters(), lr=1e-2)
    for _ in range(50):
        opt.zero_grad()
        nn.functional.mse_loss(model_b(x), y).backward()
        opt.step()
    assert torch.equal(model_a.weight, model_b.weight) and torch.equal(model_a.bias, model_b.bias)


@pytest.mark.parametrize(("make_opt", "steps"), [
    (lambda p: torch.optim.LBFGS(p, max_iter=20, line_search_fn="strong_wolfe"), 5),
    (lambda p: torch.optim.Adam(p, lr=0.05), 1000),
])
def test_fit_reaches_the_optimum_with_lbfgs_and_adam(make_opt, steps):
    x, y = seed_data()
    z, _, _ = standardize(x)
    model = make_model()
    fit(model, z, y, make_opt(model.parameters()), steps=steps)
    w, b = closed_form_fit(z, y)
    assert model.weight.item() == pytest.approx(w, abs=1e-3)
    assert model.bias.item() == pytest.approx(b, abs=1e-3)


def test_lbfgs_solves_the_quadratic_in_one_step():
    x, y = seed_data()
    z, _, _ = standardize(x)
    model = make_model()
    opt = torch.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")
    fit(model, z, y, opt, steps=1)
    w, b = closed_form_fit(z, y)
    assert (model.weight.item(), model.bias.item()) == pytest.approx((w, b), abs=1e-4)


def test_pick_device_returns_a_usable_device():
    device = pick_device()
    assert device.type in {"cuda", "mps", "cpu"}
    assert torch.ones(2, device=device).sum().item() == 2


def test_pick_device_falls_back_to_cpu_without_cuda_or_mps(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert pick_device() == torch.device("cpu")
