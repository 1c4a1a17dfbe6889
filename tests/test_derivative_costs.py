"""Lesson 01's cost helpers: exact memory figures, and timings of sane shape (never asserted as speed)."""

import numpy as np
import pytest
import torch

from linreg_utils.derivative_costs import (
    DerivativeCosts,
    format_bytes,
    lbfgs_default_history,
    least_squares_problem,
    measure_derivative_costs,
    memory_bytes,
)


def test_measured_costs_have_one_positive_time_per_dimension():
    costs = measure_derivative_costs(dims=(3, 8, 20), n=16, min_time=1e-9, max_repeats=1)
    assert costs.dims.tolist() == [3, 8, 20]
    for series in (costs.gradient_s, costs.hessian_s, costs.solve_s):
        assert series.shape == (3,) and np.all(np.isfinite(series)) and np.all(series > 0)
    assert set(costs.slopes(last=3)) == {"gradient", "Hessian", "Newton solve"}


def test_slopes_recover_a_known_power_law():
    dims = np.array([10.0, 100.0, 1000.0])
    costs = DerivativeCosts(dims, 1e-6 * dims, 1e-9 * dims**2, 1e-12 * dims**3)
    slopes = costs.slopes(last=3)
    assert slopes == pytest.approx({"gradient": 1.0, "Hessian": 2.0, "Newton solve": 3.0})


def test_timed_problem_is_the_ridge_least_squares_it_claims():
    loss, w0 = least_squares_problem(d=5, n=7, seed=0)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(7, 5, generator=gen, dtype=torch.float64)
    expected = 2 / 7 * x.T @ x + 2e-3 * torch.eye(5, dtype=torch.float64)
    assert torch.allclose(torch.func.hessian(loss)(w0), expected)
    assert w0.shape == (5,)


@pytest.mark.parametrize("d, gradient, hessian", [
    (2, 8, 16),
    (1_000, 4_000, 4_000_000),
    (1_000_000, 4_000_000, 4_000_000_000_000),
    (1_000_000_000, 4_000_000_000, 4_000_000_000_000_000_000),
])
def test_memory_is_d_floats_for_the_gradient_and_d_squared_for_the_hessian(d, gradient, hessian):
    sizes = memory_bytes(d)
    assert sizes["gradient"] == gradient and sizes["Hessian"] == hessian
    assert sizes["L-BFGS"] == 2 * lbfgs_default_history() * gradient


@pytest.mark.parametrize("count, text", [
    (0, "0 B"), (16, "16 B"), (999, "999 B"), (1_600, "1.6 kB"), (800_000, "800 kB"),
    (4_000_000_000_000, "4 TB"), (4 * 10**18, "4 EB"),
])
def test_format_bytes(count, text):
    assert format_bytes(count) == text


@pytest.mark.parametrize("call, error, words", [
    (lambda: memory_bytes(0), ValueError, "d"),
    (lambda: memory_bytes(10, history=0), ValueError, "history"),
    (lambda: memory_bytes(2.5), TypeError, "d"),
    (lambda: format_bytes(-1), ValueError, "count"),
    (lambda: measure_derivative_costs(dims=()), ValueError, "dims"),
    (lambda: measure_derivative_costs(dims=(0,)), ValueError, "dims"),
    (lambda: DerivativeCosts(np.ones(2), np.ones(2), np.ones(2), np.ones(2)).slopes(last=3),
     ValueError, "last"),
])
def test_bad_arguments_are_refused(call, error, words):
    with pytest.raises(error, match=words):
        call()
