"""Lesson 08's two-weight model: its stationary points, plain vs damped Newton, GD's plateau."""

import numpy as np
import pytest
import torch

from linreg_utils.nonconvex import (
    damped_newton_path,
    gauss_newton_matrix,
    gradient_and_hessian,
    losses_with,
    make_tanh_data,
    make_wave,
    newton_path,
    plateau_length,
    stationary_points,
    steps_within,
    two_weight_loss,
)


@pytest.fixture(scope="module")
def loss():
    return two_weight_loss(*make_tanh_data())


def test_data_are_seeded_and_shaped():
    x, y = make_tanh_data()
    assert x.shape == y.shape == (24,) and x.dtype == torch.float64
    assert torch.equal(make_tanh_data()[1], y) and not torch.equal(make_tanh_data(seed=1)[1], y)
    wx, wy = make_wave()
    assert wx.shape == wy.shape == (64, 1) and torch.equal(make_wave()[1], wy)


def test_two_weight_loss_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="shape"):
        two_weight_loss(torch.zeros(3), torch.zeros(3, 1))


def test_saddle_hessian_matches_its_formula(loss):
    x, y = make_tanh_data()
    grad, hess = gradient_and_hessian(loss, torch.zeros(2, dtype=torch.float64))
    c = 2 * torch.mean(x * y)
    assert torch.allclose(grad, torch.zeros(2, dtype=torch.float64), atol=1e-12)
    assert torch.allclose(hess, torch.tensor([[0.0, -c], [-c, 0.0]], dtype=torch.float64))


def test_two_mirror_minima_and_one_saddle(loss):
    grid = [(w, v) for w in (-1.5, -0.1, 0.1, 1.5, 4.0) for v in (-1.5, -0.1, 0.1, 1.5)]
    points = stationary_points(loss, grid)
    assert [p.kind for p in points] == ["minimum", "saddle", "minimum"]
    assert np.allclose(points[0].point, -points[2].point)
    assert points[1].eigenvalues[0] < 0 < points[1].eigenvalues[1]


def test_plain_newton_goes_uphill_to_the_saddle(loss):
    path = newton_path(loss, (0.4, 0.1), steps=8)
    values = [loss(torch.tensor(p)).item() for p in path]
    assert values[1] > values[0]
    assert np.linalg.norm(path[-1]) < 1e-8


def test_damped_newton_never_increases_the_loss_and_finds_a_minimum(loss):
    path, mus = damped_newton_path(loss, (0.4, 0.1), steps=15)
    values = np.array([loss(torch.tensor(p)).item() for p in path])
    assert np.all(np.diff(values) <= 0)
    _, hess = gradient_and_hessian(loss, torch.tensor(path[-1]))
    assert torch.linalg.eigvalsh(hess)[0] > 0 and len(mus) == len(path) - 1


def test_plateau_grows_by_a_fixed_number_of_steps_per_decade(loss):
    lengths = [plateau_length(losses_with(lambda p: torch.optim.SGD(p, lr=0.1), loss, (eps, 0.0), 200), 0.7)
               for eps in (1e-2, 1e-4, 1e-6)]
    assert min(lengths) > 0
    eta_lam = 0.1 * 2 * torch.mean(torch.prod(torch.stack(make_tanh_data()), 0)).item()
    per_two_decades = np.log(100) / np.log(1 + eta_lam)
    assert np.allclose(np.diff(lengths), per_two_decades, atol=2)


def test_plateau_length_says_none_when_never_below():
    assert plateau_length(np.array([3.0, 2.0]), 1.0) is None
    assert plateau_length(np.array([3.0, 0.5]), 1.0) == 1


# --- the numbers lesson 08's prose states (tests/lesson_numbers.py) -----------------------------

def test_lesson07_stationary_points_and_newton_numbers(loss):
    from tests.lesson_numbers import (
        L08_MINIMUM,
        L08_MINIMUM_EIGENVALUES,
        L08_NEWTON_START_LAMBDA_MIN,
        L08_PLAIN_NEWTON_LOSSES,
        L08_SADDLE_EIGENVALUE,
    )
    grid = [(w, v) for w in (-1.5, -0.1, 0.1, 1.5) for v in (-1.5, -0.1, 0.1, 1.5)]
    low, saddle, high = stationary_points(loss, grid)
    assert saddle.eigenvalues == pytest.approx([-L08_SADDLE_EIGENVALUE, L08_SADDLE_EIGENVALUE], abs=1e-3)
    assert high.point == pytest.approx(L08_MINIMUM, abs=1e-3)
    assert high.eigenvalues == pytest.approx(L08_MINIMUM_EIGENVALUES, abs=1e-3)
    start = torch.tensor([0.4, 0.1], dtype=torch.float64)
    assert torch.linalg.eigvalsh(gradient_and_hessian(loss, start)[1])[0].item() == pytest.approx(
        L08_NEWTON_START_LAMBDA_MIN, abs=1e-3)
    values = [loss(torch.tensor(p)).item() for p in newton_path(loss, start, 6)]
    assert values[:3] == pytest.approx(L08_PLAIN_NEWTON_LOSSES, abs=1e-3)


def test_lesson07_plateau_lengths(loss):
    from tests.lesson_numbers import L08_PLATEAU_ADAM, L08_PLATEAU_GD, L08_PLATEAU_MOMENTUM
    points = stationary_points(loss, [(0.1, 0.1), (1.5, 1.5)])
    threshold = (points[0].loss + points[1].loss) / 2
    makers = {L08_PLATEAU_GD: lambda p: torch.optim.SGD(p, lr=0.1),
              L08_PLATEAU_MOMENTUM: lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
              L08_PLATEAU_ADAM: lambda p: torch.optim.Adam(p, lr=0.1)}
    for want, make in makers.items():
        got = [plateau_length(losses_with(make, loss, (eps, 0.0), 150), threshold)
               for eps in (1e-2, 1e-4, 1e-6, 1e-8)]
        assert got == list(want)


def test_gauss_newton_matrix_is_jtj_and_close_to_h_at_the_minimum(loss):
    x, y = make_tanh_data()
    gn = gauss_newton_matrix(x, y)
    theta = torch.tensor([0.4, 0.1], dtype=torch.float64)
    jac = torch.stack([theta[1] * x / torch.cosh(theta[0] * x) ** 2,
                       torch.tanh(theta[0] * x)], dim=1)      # ∂r/∂w, ∂r/∂v by hand
    assert torch.allclose(gn(theta), 2 / len(x) * jac.T @ jac)
    hessian = gradient_and_hessian(loss, theta)[1]
    assert torch.linalg.eigvalsh(gn(theta))[0] >= 0 > torch.linalg.eigvalsh(hessian)[0]
    with pytest.raises(ValueError, match="shape"):
        gauss_newton_matrix(x, y[:3])


def test_steps_within_finds_the_first_close_point_or_none():
    path = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1e-7]])
    assert steps_within(path, (1.0, 0.0), 1e-6) == 1 and steps_within(path, (5.0, 5.0), 1e-6) is None
    with pytest.raises(ValueError, match="tol"):
        steps_within(path, (1.0, 0.0), -1.0)


def test_lesson08_newton_slope_terms_and_steps_to_the_minimum(loss):
    from linreg_utils.runs import optimize
    from tests.lesson_numbers import L08_EXERCISE_SLOPE, L08_NEWTON_SLOPE_TERMS, L08_STEPS_TO_MINIMUM
    for point, want in (((0.4, 0.1), L08_NEWTON_SLOPE_TERMS), ((-0.2, 0.8), (L08_EXERCISE_SLOPE,))):
        g, h = gradient_and_hessian(loss, torch.tensor(point, dtype=torch.float64))
        lam, u = torch.linalg.eigh(h)
        terms = -(u.T @ g) ** 2 / lam
        slope = (g @ -torch.linalg.solve(h, g)).item()
        assert lam[0] < 0 and slope == pytest.approx(terms.sum().item(), abs=1e-12)
        assert [f"{t:+.4f}" for t in terms][:len(want) - 1] + [f"{slope:+.4f}"] == list(want)
    grid = [(w, v) for w in (-1.5, -0.1, 0.1, 1.5) for v in (-1.5, -0.1, 0.1, 1.5)]
    minimum = stationary_points(loss, grid)[2].point
    x, y = make_tanh_data()
    lm = damped_newton_path(loss, (0.4, 0.1), 30, curvature=gauss_newton_matrix(x, y))[0]
    paths = {"Levenberg–Marquardt": lm,
             "damped Newton": damped_newton_path(loss, (0.4, 0.1), 30)[0],
             "GD": optimize(lambda p: torch.optim.SGD(p, lr=1.5), loss,
                            torch.tensor([0.4, 0.1], dtype=torch.float64), 300).path}
    assert {name: steps_within(path, minimum, 1e-6) for name, path in paths.items()} == L08_STEPS_TO_MINIMUM
    assert steps_within(newton_path(loss, (0.4, 0.1), 6), minimum, 1e-6) is None


def test_damping_trials_counts_rejected_mus_and_pins_the_lessons_counts(loss):
    from linreg_utils.nonconvex import damping_trials
    from tests.lesson_numbers import L08_DAMPING_TRIALS, L08_STEPS_TO_MINIMUM
    assert damping_trials([1.0, 10.0, 1.0]) == 1 + 3 + 1     # μ = 1 at once; 0.1 → 1 → 10; 1 at once
    assert damping_trials([]) == 0
    x, y = make_tanh_data()
    for name, curvature in (("Levenberg–Marquardt", gauss_newton_matrix(x, y)), ("damped Newton", None)):
        _, mus = damped_newton_path(loss, (0.4, 0.1), 30, curvature=curvature)
        assert damping_trials(mus[:L08_STEPS_TO_MINIMUM[name]]) == L08_DAMPING_TRIALS[name]
