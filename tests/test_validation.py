"""Bad input to any public helper is refused with an error that names the problem."""

import math

import numpy as np
import pytest
import torch

import linreg_utils as lu
from linreg_utils.theory import momentum_parameters

X, Y = lu.seed_data()
NAN_X = X.clone()
NAN_X[3, 0] = math.nan
INF_Y = Y.clone()
INF_Y[0, 0] = math.inf
CONST_X = torch.full((15, 1), 2.0)

# (call, error type, words the message must contain)
DATA_CASES = [
    (lambda f: f(X[:10], Y), ValueError, "same length"),
    (lambda f: f(X.reshape(3, 5), Y[:3]), ValueError, "shape"),
    (lambda f: f(torch.empty(0, 1), torch.empty(0, 1)), ValueError, "empty"),
    (lambda f: f(NAN_X, Y), ValueError, "NaN"),
    (lambda f: f(X, INF_Y), ValueError, "infinite"),
    (lambda f: f(X.numpy(), Y), TypeError, "torch.Tensor"),
    (lambda f: f([1.0, 2.0], Y[:2]), TypeError, "list"),
    (lambda f: f(CONST_X, Y), ValueError, "constant"),
]
XY_FUNCTIONS = {
    "closed_form_fit": lu.closed_form_fit,
    "gd_trajectory": lambda x, y: lu.gd_trajectory(x, y, 1e-3, 10),
}


@pytest.mark.parametrize("name", sorted(XY_FUNCTIONS))
@pytest.mark.parametrize(("call", "error", "words"), DATA_CASES)
def test_bad_data_is_refused(name, call, error, words):
    with pytest.raises(error, match=words):
        call(XY_FUNCTIONS[name])


@pytest.mark.parametrize("func", [lu.mse_hessian, lu.hessian_eigenvalues, lu.condition_number,
                                  lu.critical_lr, lu.optimal_lr, momentum_parameters,
                                  lu.standardize])
@pytest.mark.parametrize(("bad", "error", "words"), [
    (torch.empty(0, 1), ValueError, "empty"),
    (NAN_X, ValueError, "NaN"),
    (np.ones((3, 1)), TypeError, "ndarray"),
    (torch.ones(2, 2), ValueError, r"shape \(n,\) or \(n, 1\), got \(2, 2\)"),
])
def test_bad_x_is_refused(func, bad, error, words):
    with pytest.raises(error, match=words):
        func(bad)


@pytest.mark.parametrize("func", [lu.hessian_eigenvalues, lu.condition_number, lu.critical_lr,
                                  lu.optimal_lr, lu.standardize])
def test_constant_x_says_the_hessian_is_singular(func):
    with pytest.raises(ValueError, match="constant.*singular"):
        func(CONST_X)


@pytest.mark.parametrize(("lr", "error"), [(0.0, ValueError), (-1e-3, ValueError),
                                           (math.nan, ValueError), (math.inf, ValueError),
                                           ("0.1", TypeError), (None, TypeError)])
def test_bad_learning_rate_is_refused(lr, error):
    with pytest.raises(error, match="lr"):
        lu.gd_trajectory(X, Y, lr, 10)
    with pytest.raises(error, match="lr"):
        lu.convergence_rate(X, lr)


@pytest.mark.parametrize(("steps", "error"), [(0, ValueError), (-5, ValueError),
                                              (2.5, TypeError), (True, TypeError)])
def test_bad_steps_are_refused(steps, error):
    with pytest.raises(error, match="steps"):
        lu.gd_trajectory(X, Y, 1e-3, steps)


def test_bad_start_point_is_refused():
    with pytest.raises(ValueError, match="w0"):
        lu.gd_trajectory(X, Y, 1e-3, 10, w0=math.nan)


def test_bad_tolerance_is_refused():
    run = lu.gd_trajectory(X, Y, 1e-3, 10)
    with pytest.raises(ValueError, match="tol"):
        run.first_within(-1.0)


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"n": 0}, ValueError, "n must be >= 1"),
    ({"noise": -1.0}, ValueError, "noise"),
    ({"slope": math.nan}, ValueError, "slope"),
    ({"seed": 1.5}, TypeError, "seed"),
    ({"x_range": (3.0, 1.0)}, ValueError, "x_range"),
])
def test_bad_make_regression_arguments_are_refused(kwargs, error, words):
    with pytest.raises(error, match=words):
        lu.make_regression(**kwargs)


def test_bad_unstandardize_arguments_are_refused():
    with pytest.raises(ValueError, match="std"):
        lu.unstandardize(1.0, 0.0, 0.0, 0.0)


def test_bad_steps_to_shrink_arguments_are_refused():
    with pytest.raises(ValueError, match="factor"):
        lu.steps_to_shrink(0.5, 2.0)
