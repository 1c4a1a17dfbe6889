"""The data helpers return what the notebooks promise."""

import pytest
import torch

from linreg_utils import closed_form_fit, linear_start, make_regression, seed_data, standardize, unstandardize
from tests import lesson_numbers as numbers


def test_seed_data_is_the_tutorials_15_points():
    x, y = seed_data()
    assert x.shape == y.shape == (15, 1)
    assert x.dtype == y.dtype == torch.float32
    assert x[0, 0].item() == pytest.approx(3.4) and y[-1, 0].item() == pytest.approx(1.3)
    assert x.sum().item() == pytest.approx(93.448, abs=1e-4)


def test_seed_data_returns_fresh_copies():
    x, _ = seed_data()
    x += 100
    assert seed_data()[0][0, 0].item() == pytest.approx(3.4)


def test_make_regression_is_reproducible_and_close_to_its_line():
    x1, y1 = make_regression(n=2000, slope=3.0, intercept=-2.0, noise=0.1, seed=5)
    x2, y2 = make_regression(n=2000, slope=3.0, intercept=-2.0, noise=0.1, seed=5)
    assert torch.equal(x1, x2) and torch.equal(y1, y2)
    assert x1.shape == (2000, 1) and x1.dtype == torch.float32
    w, b = closed_form_fit(x1, y1)
    assert w == pytest.approx(3.0, abs=0.01) and b == pytest.approx(-2.0, abs=0.05)


def test_make_regression_leaves_the_global_rng_alone():
    torch.manual_seed(0)
    expected = torch.rand(1)
    torch.manual_seed(0)
    make_regression(n=10, seed=1)
    assert torch.equal(torch.rand(1), expected)


def test_standardize_round_trip():
    x, y = seed_data()
    z, mean, std = standardize(x)
    assert z.mean().item() == pytest.approx(0.0, abs=1e-6)
    assert (z**2).mean().item() == pytest.approx(1.0, abs=1e-5)
    w, b = unstandardize(*closed_form_fit(z, y), mean, std)
    assert (w, b) == pytest.approx(closed_form_fit(x, y), rel=1e-5)


def test_linear_start_is_the_seeded_nn_linear_and_leaves_the_rng_alone():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    start = linear_start()
    assert torch.equal(torch.rand(1), before)
    assert (f"{start[0]:.4f}", f"{start[1]:.4f}") == numbers.L02_LINEAR_START


def test_linear_starts_are_nn_linears_draws_the_first_being_linear_start():
    from linreg_utils import linear_starts

    before = torch.get_rng_state()
    draws = linear_starts(500, seed=3)
    assert torch.equal(torch.get_rng_state(), before)  # the caller's random state is untouched
    assert draws.shape == (500, 2) and tuple(draws[0]) == linear_start(3)
    assert (abs(draws) <= 1).all() and draws.min() < -0.9 and draws.max() > 0.9  # U(−1, 1)
    with pytest.raises(ValueError, match="count"):
        linear_starts(0)
