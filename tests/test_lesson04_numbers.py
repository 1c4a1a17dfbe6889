"""Every number lesson 04's prose states, recomputed (values in tests/lesson_numbers.py): momentum's
rates, the β = 0.9 band, Polyak's (η*, β*) from the lesson's start and the exercise answer that beats it."""

import math

import numpy as np
import torch

from linreg_utils import (
    START,
    condition_number,
    damping_band,
    direction_rate,
    direction_shares,
    eigen_errors,
    hessian_eigenvalues,
    line_loss,
    momentum_parameters,
    optimal_lr,
    optimize,
    predicted_direction_steps,
    seed_data,
    settles_within,
)
from linreg_utils.exercises.lesson04 import steps_to_settle
from linreg_utils.optimizers import measured_rate
from linreg_utils.race import Racecourse
from linreg_utils.spectrum import spectrum_problem, spectrum_run, steps_to_shrink_each
from linreg_utils.theory import (
    direction_envelope,
    direction_errors,
    eigenbasis,
    fastest_gd_lr,
    largest_stable_lr,
    momentum_roots,
    nesterov_stability_edge,
    polyak_parameters,
)
from linreg_utils.trajectory import gd_trajectory
from tests.lesson_numbers import (
    L04_BALL_MEASURED_RATE,
    L04_BEAT_SETTLE,
    L04_BETA09_BAND,
    L04_BETA09_MEASURED,
    L04_DAMPING_ROOTS,
    L04_EDGE09,
    L04_ENVELOPE_R,
    L04_GD_SLOW_FALL,
    L04_LAMBDAS,
    L04_NESTEROV_EDGE,
    L04_OVERSHOOT,
    L04_POLYAK_PAIR,
    L04_POLYAK_PATH_W,
    L04_POLYAK_SETTLE,
    L04_RATES,
    L04_SPECTRUM,
    L04_STEPS_1E6,
    L04_STEPS_1E6_MEASURED,
    L04_WINDOW09,
    L04_WINDOW09_RATES,
    L04_WINDOW09_WIDTH,
)

X, Y = seed_data()
COURSE = Racecourse(X, Y)
KAPPA = condition_number(X)


def test_eigenvalues_rates_and_step_counts():
    assert [float(f"{v:.3g}") for v in hessian_eigenvalues(X)] == list(L04_LAMBDAS)
    eta, beta, rate = momentum_parameters(X)
    zero = torch.zeros(2, dtype=torch.float64)
    gd = optimize(lambda p: torch.optim.SGD(p, lr=optimal_lr(X)), line_loss(X, Y), zero, 1000).path
    ball = optimize(lambda p: torch.optim.SGD(p, lr=eta, momentum=beta), line_loss(X, Y), zero, 200).path
    assert round(measured_rate(gd, tuple(COURSE.optimum), 100, 1000), 4) == L04_RATES[0]
    assert round(rate, 4) == L04_RATES[1]
    assert f"{measured_rate(ball, tuple(COURSE.optimum), 100, 200):.4f}" == L04_BALL_MEASURED_RATE
    gd_rate = (KAPPA - 1) / (KAPPA + 1)
    steps = (round(math.log(1e-6) / math.log(gd_rate)), round(math.log(1e-6) / math.log(rate)))
    assert steps == L04_STEPS_1E6


def test_beta_09_band_rate_and_steps_predicted_vs_measured():
    lo, hi = damping_band(0.9)
    assert (round(lo, 4), round(hi, 2)) == L04_BETA09_BAND
    assert round(hi / lo, -1) == 1440
    rate, predicted, measured = L04_BETA09_MEASURED
    run = optimize(lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9), line_loss(X, Y),
                   torch.zeros(2, dtype=torch.float64), 600).path
    assert round(measured_rate(run, tuple(COURSE.optimum), 200, 600), 4) == rate
    lam, c0 = eigen_errors(X, Y, *START)
    assert tuple(round(k) for k in predicted_direction_steps(lam, c0, 0.02, 1e-6, beta=0.9)) == predicted
    shares = direction_shares(lam, c0, 0.02, 600, beta=0.9)
    assert tuple(settles_within(shares[:, i], 1e-6) for i in range(2)) == measured


def test_polyak_settle_and_the_exercise_answer_that_beats_it():
    eta, beta, _ = momentum_parameters(X)
    assert steps_to_settle(eta, beta) == L04_POLYAK_SETTLE
    assert steps_to_settle(0.038, 0.82) == L04_BEAT_SETTLE


def test_damping_figure_roots():
    over, double, under = L04_DAMPING_ROOTS
    assert tuple(round(m.real, 2) for m in momentum_roots(0.01, 0.64)) == over
    assert {round(abs(m), 6) for m in momentum_roots(0.04, 0.64)} == {double}
    m = momentum_roots(1.0, 0.64)[0]
    assert (round(m.real, 2), round(abs(m.imag), 2)) == under
    assert tuple(round(v, 2) for v in damping_band(0.64)) == (0.04, 3.24)
    k = np.arange(31)  # the critically damped panel: c_k = (1 + 0.2k) 0.8^k from c_0 = 1 at rest
    assert np.allclose(direction_errors(np.array([1.0]), np.array([1.0]), 0.04, 30, 0.64)[:, 0],
                       (1 + 0.2 * k) * 0.8**k)


def _torch_run(lr, beta, steps, start=START):
    return optimize(lambda p: torch.optim.SGD(p, lr=lr, momentum=beta), line_loss(X, Y),
                    torch.tensor(start, dtype=torch.float64), steps)


def test_edge_for_beta_09_measured_just_inside_and_outside():
    edge = largest_stable_lr(hessian_eigenvalues(X)[1], 0.9)
    inside, outside = _torch_run(0.99 * edge, 0.9, 300), _torch_run(1.01 * edge, 0.9, 300)
    assert (not inside.diverged, outside.diverged_at) == L04_EDGE09


def test_beta_09_window_and_its_measured_rates():
    lam_min, lam_max = hessian_eigenvalues(X)
    lo, hi = damping_band(0.9)
    low, high, factor, top = L04_WINDOW09
    eta_lo, eta_hi = lo / lam_min, hi / lam_max
    window = (f"{eta_lo:.4f}", f"{eta_hi:.4f}", f"{eta_hi / eta_lo:.1f}", f"{hi:.3f}")
    assert window == (low, high, factor, top)
    assert abs(hi - 3.8) / 3.8 < 1e-3
    runs = [_torch_run(lr, 0.9, 400, (0.0, 0.0)) for lr in (0.005, 0.02, 0.042, 0.0425)]
    rates = tuple(f"{measured_rate(r.path, tuple(COURSE.optimum), 200, 400):.3f}" for r in runs[:3])
    assert (*rates, runs[3].diverged_at) == L04_WINDOW09_RATES


def test_ten_directions_gd_against_polyak_heavy_ball():
    lam = np.geomspace(0.1, 10.0, 10)
    problem = spectrum_problem(lam, n=100, seed=0)
    eta, beta, rate = polyak_parameters(lam[0], lam[-1])
    gd = steps_to_shrink_each(spectrum_run(problem, fastest_gd_lr(lam[0], lam[-1]), 800))
    ball = steps_to_shrink_each(spectrum_run(problem, eta, 800, beta=beta))
    gd_ends, inner, ends, predicted, gd_rate, ball_rate = L04_SPECTRUM
    assert gd[0] == gd[-1] == gd_ends and gd[1:-1].max() < gd_ends
    assert (ball[1:-1].min(), ball[1:-1].max()) == inner and (ball[0], ball[-1]) == ends
    assert f"{math.log(1e-6) / math.log(rate):.1f}" == predicted and f"{rate:.3f}" == ball_rate
    assert f"{(100 - 1) / (100 + 1):.3f}" == gd_rate


def test_polyak_path_swings_across_the_valley():
    eta, beta, _ = momentum_parameters(X)
    run = gd_trajectory(X, Y, eta, 600, *START, beta=beta)
    assert (f"{run.weights.min():.1f}", f"{run.weights.max():.1f}") == L04_POLYAK_PATH_W


def test_measured_steps_and_the_overshoot_at_polyak():
    eta, beta, rate = momentum_parameters(X)
    basis = eigenbasis(X, Y)
    zero = torch.zeros(2, dtype=torch.float64)
    ball = optimize(lambda p: torch.optim.SGD(p, lr=eta, momentum=beta), line_loss(X, Y), zero, 1000).path
    gd = optimize(lambda p: torch.optim.SGD(p, lr=optimal_lr(X)), line_loss(X, Y), zero, 2700).path
    err = [np.linalg.norm(p - basis.optimum, axis=1) for p in (gd, ball)]
    gd_steps, ball_steps = (settles_within(e / e[0], 1e-6) for e in err)
    gd_rate = (KAPPA - 1) / (KAPPA + 1)
    rate_only = math.log(rate) / math.log(gd_rate)  # (steps GD) / (steps momentum), rates alone
    speedup = f"{gd_steps / ball_steps:.1f}"
    assert (gd_steps, ball_steps, f"{rate_only:.1f}", speedup) == L04_STEPS_1E6_MEASURED
    assert f"{math.sqrt(KAPPA):.1f}" == L04_STEPS_1E6_MEASURED[2]
    steep = np.abs((ball - np.asarray(basis.optimum)) @ basis.q[:, 1])
    total_f, total_k, steep_f, steep_k, root = L04_OVERSHOOT
    assert (f"{err[1].max() / err[1][0]:.1f}", int(err[1].argmax())) == (total_f, total_k)
    assert (f"{steep.max() / steep[0]:.1f}", int(steep.argmax())) == (steep_f, steep_k)
    assert f"{-math.sqrt(beta):.3f}" == root
    k = np.arange(40)  # c_k = c_0 (1 + (1 + √β)k)(−√β)^k from rest: the same peak as torch
    s = math.sqrt(beta)
    closed = (1 + (1 + s) * k) * s**k
    assert (f"{closed.max():.1f}", int(closed.argmax())) == (steep_f, steep_k)


def test_damping_figure_envelopes_bound_the_error():
    for eta_lam, r in zip((0.01, 1.0), L04_ENVELOPE_R, strict=True):
        env = direction_envelope(eta_lam, 0.64, 30)
        c = direction_errors(np.array([1.0]), np.array([1.0]), eta_lam, 30, 0.64)[:, 0]
        assert f"{env[0]:.2f}" == r and np.all(np.abs(c) <= env * (1 + 1e-9))
        assert np.any(np.abs(c) > 0.8 ** np.arange(31) * (1 + 1e-9))  # R = 1 would not bound it
    env = direction_envelope(0.04, 0.64, 30)  # the double root: (1 + 0.2k)·0.8^k, tight
    assert np.allclose(env, (1 + 0.2 * np.arange(31)) * 0.8 ** np.arange(31))


def test_nesterov_edge_measured_just_inside_and_outside():
    edge = float(nesterov_stability_edge(0.9))
    lam_max = hessian_eigenvalues(X)[1]
    def nesterov(f):
        return lambda p: torch.optim.SGD(p, lr=f * edge / lam_max, momentum=0.9, nesterov=True)

    runs = [optimize(nesterov(f), line_loss(X, Y), torch.tensor(START, dtype=torch.float64), 300)
            for f in (0.99, 1.01)]
    assert (f"{edge:.3f}", not runs[0].diverged, runs[1].diverged_at) == L04_NESTEROV_EDGE


def test_window_width_coincidence_and_gd_slow_fall():
    lo, hi = damping_band(0.9)
    width, kappa, gap = L04_WINDOW09_WIDTH
    assert (f"{hi / lo:.0f}", f"{KAPPA:.0f}", f"{(3.8 - hi) / 3.8:.2%}") == (width, kappa, gap)
    slow = float(direction_rate(0.02 * hessian_eigenvalues(X)[0]))
    assert (f"{slow ** -600:.3g}", f"{slow ** -1200:.3g}") == L04_GD_SLOW_FALL


def test_polyak_pair_as_quoted_and_its_distance_to_the_edge():
    eta, beta, _ = momentum_parameters(X)
    ratio = eta * hessian_eigenvalues(X)[1] / (2 + 2 * beta)
    assert (f"{eta:.7f}", f"{beta:.6f}", f"{ratio:.4f}", f"{1 - ratio:.2%}") == L04_POLYAK_PAIR
    assert steps_to_settle(float(L04_POLYAK_PAIR[0]), float(L04_POLYAK_PAIR[1])) == L04_POLYAK_SETTLE
