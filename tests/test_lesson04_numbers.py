"""Every number lesson 04's prose states, recomputed (values in tests/lesson_numbers.py): momentum's
rates, the β = 0.9 band, Polyak's (η*, β*) from the lesson's start and the exercise answer that beats it."""

import math

import torch

from linreg_utils import (
    START,
    condition_number,
    damping_band,
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
from tests.lesson_numbers import (
    L04_BEAT_SETTLE,
    L04_BETA09_BAND,
    L04_BETA09_MEASURED,
    L04_LAMBDAS,
    L04_POLYAK_SETTLE,
    L04_RATES,
    L04_STEPS_1E6,
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
    ball_rate = measured_rate(ball, tuple(COURSE.optimum), 100, 200) / 2 ** (1 / 100)  # k·ρ^k
    assert round(ball_rate, 4) == L04_RATES[1]
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
