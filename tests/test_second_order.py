"""Lesson 01's theory: the MSE's gradient and Newton step, and Newton vs GD on Rosenbrock's valley.

(The Hessian is checked against autograd in ``test_theory.py``.)"""

import numpy as np
import pytest
import torch

from linreg_utils import closed_form_fit, gd_trajectory, make_regression, mse, mse_hessian, seed_data
from linreg_utils.rosenbrock import (
    MINIMUM,
    rosenbrock,
    rosenbrock_gd_path,
    rosenbrock_gradient,
    rosenbrock_hessian,
    rosenbrock_newton_path,
)
from linreg_utils.theory import mse_gradient
from tests import lesson_numbers as numbers


def newton_step(x, y, theta):
    """One Newton step ``θ − H⁻¹∇L`` on the line's MSE, as lesson 01 writes it in its cells."""
    return theta - torch.linalg.solve(mse_hessian(x), mse_gradient(x, y, theta))

DATASETS = {
    "seed": seed_data(),
    "synthetic": make_regression(n=40, slope=-1.5, intercept=3.0, noise=0.3, seed=7),
    "far_from_origin": make_regression(n=9, seed=4, x_range=(100.0, 120.0)),
}
STARTS = [(0.0, 0.0), (5.0, -3.0), (-1e3, 1e3), (0.2725, 0.6247)]

# What the notebook's text states about Rosenbrock, from the start (-1.2, 1) and tolerance 1e-6.
START, TOL, LR = (-1.2, 1.0), 1e-6, 1e-3
NEWTON_STEPS, GD_STEPS = numbers.L01_NEWTON_STEPS, numbers.L01_ROSENBROCK_GD_STEPS
GD_BUDGET = numbers.L01_ROSENBROCK_GD_BUDGET


@pytest.fixture(params=sorted(DATASETS))
def data(request):
    x, y = DATASETS[request.param]
    return x.double(), y.double()


def test_mse_gradient_matches_autograd(data):
    x, y = data
    for start in STARTS:
        theta = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        loss = torch.mean((theta[0] * x + theta[1] - y) ** 2)
        (expected,) = torch.autograd.grad(loss, theta)
        assert torch.allclose(mse_gradient(x, y, theta), expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("start", STARTS)
def test_newton_lands_on_least_squares_optimum_in_one_step(data, start):
    x, y = data
    w_star, b_star = closed_form_fit(x, y)
    w, b = newton_step(x, y, torch.tensor(start, dtype=torch.float64)).tolist()
    scale = 1.0 + abs(w_star) + abs(b_star)
    assert abs(w - w_star) < 1e-7 * scale and abs(b - b_star) < 1e-7 * scale
    # a second step has nothing left to do: the gradient there is zero
    assert torch.linalg.norm(mse_gradient(x, y, torch.tensor([w, b], dtype=torch.float64))) < 1e-7 * scale


def test_lesson_01s_seed_numbers():
    x, y = (t.double() for t in seed_data())
    w_star, b_star = closed_form_fit(x, y)
    assert (f"{w_star:.6f}", f"{b_star:.6f}") == numbers.L01_OPTIMUM
    loss0, loss_star = mse(x, y, 0.0, 0.0), mse(x, y, w_star, b_star)
    assert (f"{loss0:.4f}", f"{loss_star:.4f}", f"{loss0 - loss_star:.4f}") == numbers.L01_LOSSES
    # measured with torch.optim.SGD in tests/test_lesson02_numbers.py (the same number)
    assert gd_trajectory(x, y, lr=1e-3, steps=23_000).first_within(1e-6) == numbers.L01_GD_STEPS_FROM_ZERO



@pytest.mark.parametrize("theta, error, words", [
    ([0.0, 0.0], TypeError, "torch.Tensor"),
    (torch.zeros(3), ValueError, "two numbers"),
    (torch.tensor([float("nan"), 0.0]), ValueError, "finite"),
])
def test_bad_theta_is_refused(theta, error, words):
    x, y = seed_data()
    with pytest.raises(error, match=words):
        mse_gradient(x, y, theta)


@pytest.mark.parametrize("point", [(-1.2, 1.0), (0.0, 0.0), (1.0, 1.0), (0.76, -3.2), (2.0, -1.5)])
def test_rosenbrock_formulas_match_autograd(point):
    theta = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(rosenbrock(theta), theta)
    hess = torch.autograd.functional.hessian(rosenbrock, theta.detach())
    np.testing.assert_allclose(rosenbrock_gradient(point), grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rosenbrock_hessian(point), hess.numpy(), rtol=1e-12, atol=1e-12)


def test_rosenbrock_minimum_is_one_one():
    assert rosenbrock(np.array(MINIMUM)) == 0.0
    assert np.all(rosenbrock_gradient(MINIMUM) == 0.0)
    assert np.all(np.linalg.eigvalsh(rosenbrock_hessian(MINIMUM)) > 0)


def test_newton_needs_the_stated_number_of_steps_on_rosenbrock():
    path = rosenbrock_newton_path(START, tol=TOL)
    assert path.reached_at == NEWTON_STEPS
    assert path.distances[NEWTON_STEPS - 1] > TOL >= path.distances[NEWTON_STEPS]


def test_newton_steps_two_and_four_go_uphill_on_rosenbrock():
    values = rosenbrock_newton_path(START, tol=TOL).losses
    assert values[2] > values[1] and values[2] > values[0] and values[4] > values[3]
    uphill = [k for k in range(1, len(values)) if values[k] > values[k - 1]]
    assert uphill == [2, 4]


def test_newton_converges_quadratically_near_the_minimum():
    dist = rosenbrock_newton_path(START, tol=TOL).distances
    assert dist[5] < dist[4] ** 2 and dist[6] < dist[5] ** 2


def test_newtons_correct_digits_at_least_double_near_the_minimum():
    digits = -np.log10(rosenbrock_newton_path(START, tol=TOL).distances[4:7])
    assert tuple(f"{d:.1f}" for d in digits) == numbers.L01_NEWTON_DIGITS
    assert digits[1] >= 2 * digits[0] and digits[2] >= 2 * digits[1]


def test_newton_condition_numbers_the_lesson_prints():
    points = rosenbrock_newton_path(START, tol=TOL).path
    conds = [round(np.linalg.cond(rosenbrock_hessian(p))) for p in points]
    assert (conds[0], conds[1], conds[5], conds[6]) == (*numbers.L01_COND, numbers.L01_COND[2])


def test_newtons_long_step_is_along_the_small_eigenvalue_where_the_gradient_has_a_component():
    path = rosenbrock_newton_path(START, tol=TOL)
    lam, vecs = np.linalg.eigh(rosenbrock_hessian(path.path[1]))
    g_along = vecs.T @ rosenbrock_gradient(path.path[1])
    step = -g_along / lam
    length = np.linalg.norm(path.path[2] - path.path[1])
    printed = (f"{lam[0]:.3f}", f"{lam[1]:.1f}", f"{step[0]:+.3f}", f"{length:.2f}")
    assert printed == numbers.L01_NEWTON_LONG_STEP
    assert abs(step[0]) > 1_000 * abs(step[1])  # the step is (almost) all along v_min
    # at steps 5 and 6 cond(H) is as large, but the gradient is tiny, and so is the step
    assert np.linalg.norm(path.path[6] - path.path[5]) < 1e-4


def test_newton_path_numbers_the_text_quotes():
    path = rosenbrock_newton_path(START, tol=TOL)
    assert (f"{path.path[2][0]:.3f}", f"{path.path[2][1]:.3f}", f"{path.losses[2]:.0f}") == (
        numbers.L01_NEWTON_STEP_2)
    assert tuple(f"{path.losses[k]:.{d}f}" for k, d in ((0, 1), (3, 3), (4, 3))) == numbers.L01_NEWTON_VALUES
    assert tuple(f"{v:.1e}" for v in path.distances[4:7]) == numbers.L01_NEWTON_DISTANCES


def test_gd_at_the_tutorial_lr_needs_tens_of_thousands_of_steps():
    short = rosenbrock_gd_path(START, LR, max_steps=GD_BUDGET, tol=TOL)
    assert short.reached_at is None and short.distances[GD_BUDGET] > 1.0
    assert f"{short.distances[GD_BUDGET]:.3f}" == numbers.L01_ROSENBROCK_GD_AFTER_BUDGET
    lam_max = np.linalg.eigvalsh(rosenbrock_hessian(START))[1]
    assert (f"{lam_max:.1f}", f"{2 / lam_max:.5f}") == numbers.L01_ROSENBROCK_START_CURVATURE
    path = rosenbrock_gd_path(START, LR, max_steps=100_000, tol=TOL)
    assert path.reached_at == GD_STEPS
    assert np.all(np.diff(path.losses) <= 0), "at lr=1e-3 every GD step lowers f"


def test_gd_path_stops_when_it_diverges():
    path = rosenbrock_gd_path(START, lr=0.01, max_steps=10_000)
    assert path.reached_at is None and path.diverged_at == path.steps < 100
    assert np.isfinite(path.path).all() and path.losses[-1] > 1e6 * path.losses[0]


def test_path_at_the_minimum_has_converged_at_step_zero():
    assert rosenbrock_newton_path(MINIMUM).reached_at == 0
    assert rosenbrock_gd_path(MINIMUM, 1e-3).reached_at == 0


@pytest.mark.parametrize("call, error, words", [
    (lambda: rosenbrock_gd_path(START, lr=0.0), ValueError, "lr"),
    (lambda: rosenbrock_gd_path(START, lr=1e-3, max_steps=0), ValueError, "max_steps"),
    (lambda: rosenbrock_newton_path(START, tol=-1.0), ValueError, "tol"),
    (lambda: rosenbrock_newton_path((float("nan"), 1.0)), ValueError, "start"),
])
def test_bad_path_arguments_are_refused(call, error, words):
    with pytest.raises(error, match=words):
        call()


def central_difference(f, theta, h):
    """Lesson 01's hand-written gradient check: ``(f(θ + h eⱼ) − f(θ − h eⱼ)) / 2h`` per coordinate."""
    e = torch.eye(len(theta), dtype=theta.dtype)
    return torch.stack([(f(theta + h * e[j]) - f(theta - h * e[j])) / (2 * h) for j in range(len(theta))])


def test_gradient_check_numbers_and_the_step_size_trade_off():
    point = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(rosenbrock, (point,))
    assert torch.autograd.gradgradcheck(rosenbrock, (point,))
    (grad,) = torch.autograd.grad(rosenbrock(point), point)
    theta = point.detach()
    assert (f"{grad[0]:.6f}", f"{grad[1]:.6f}") == numbers.L01_GRADCHECK_GRADIENT
    diff = (central_difference(rosenbrock, theta, 1e-6) - grad).abs().max()
    assert f"{diff:.1e}" == numbers.L01_GRADCHECK_DIFF_AT_1E6
    hess = torch.autograd.functional.hessian(rosenbrock, theta)
    hess_fd = torch.stack([
        central_difference(lambda t, j=j: torch.autograd.functional.jacobian(rosenbrock, t)[j], theta, 1e-5)
        for j in range(2)])
    hess_diff = (f"{(hess - hess_fd).abs().max():.1e}", f"{hess.abs().max():.0f}")
    assert hess_diff == numbers.L01_GRADCHECK_HESSIAN_DIFF
    hs = np.logspace(-13, -1, 49)
    errors = np.array([(central_difference(rosenbrock, theta, h) - grad).abs().max().item() for h in hs])
    slopes = [np.polyfit(np.log(hs[m]), np.log(errors[m]), 1)[0] for m in (hs >= 1e-4, hs <= 1e-8)]
    # truncation ∝ h², rounding ∝ 1/h
    assert tuple(f"{s:.2f}" for s in slopes) == numbers.L01_GRADCHECK_SLOPES
    eps = torch.finfo(torch.float64).eps
    best = (f"{errors.min():.1e}", f"{hs[errors.argmin()]:.1e}", f"{eps ** (1 / 3):.1e}")
    assert best == numbers.L01_GRADCHECK_BEST
    assert 0.1 < hs[errors.argmin()] / eps ** (1 / 3) < 10  # the best h is near ε^(1/3)
    f0, d3 = rosenbrock(theta).item(), 2400 * theta[0].item()  # ∂³f/∂a³ = 2400a; ∂³f/∂b³ = 0
    assert d3 == pytest.approx(third_derivative_along_a(theta))
    h_best = (3 * eps * abs(f0) / (2 * abs(d3))) ** (1 / 3)  # minimises h²|∂³f|/6 + ε|f|/2h
    nearest = hs[np.abs(np.log(hs / h_best)).argmin()]
    assert (f"{h_best:.1e}", f"{f0:.1f}", f"{d3:.0f}", f"{nearest:.1e}") == numbers.L01_GRADCHECK_PREDICTED_H
    assert nearest == hs[errors.argmin()]  # the predicted best h is the measured one, on this grid


def third_derivative_along_a(theta):
    """∂³f/∂a³ of Rosenbrock at ``theta`` by autograd (three derivatives of f along a)."""
    a = theta[0].clone().requires_grad_()
    f = rosenbrock(torch.stack([a, theta[1]]))
    (d1,) = torch.autograd.grad(f, a, create_graph=True)
    (d2,) = torch.autograd.grad(d1, a, create_graph=True)
    (d3,) = torch.autograd.grad(d2, a)
    return d3.item()


def test_central_differences_of_the_mse_have_no_truncation_error():
    x, y = (t.double() for t in seed_data())
    theta = torch.tensor([0.3, -0.2], dtype=torch.float64)

    def loss(t):
        return torch.mean((x[:, 0] * t[0] + t[1] - y[:, 0]) ** 2)

    exact = mse_gradient(x, y, theta)
    assert torch.allclose(central_difference(loss, theta, 1e-1), exact, rtol=1e-12, atol=1e-12)  # a quadratic
