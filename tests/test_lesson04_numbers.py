"""Every number lesson 04's prose states, recomputed (values in tests/lesson_numbers.py), and the
corrected claims: AdamW is no regularised minimiser, L-BFGS's matrix with two pairs, Adam's late
spikes in torch itself, standardizing beats clever optimizers here."""

import math

import numpy as np
import pytest
import torch

from linreg_utils import condition_number, hessian_eigenvalues, optimal_lr, seed_data, standardize
from linreg_utils.exercises.lesson04 import steps_to_settle
from linreg_utils.momentum import damping_band, direction_shares, predicted_direction_steps, settles_within
from linreg_utils.optimizers import adam, lbfgs, lbfgs_inverse_hessian, line_loss, measured_rate, run_torch
from linreg_utils.race import DEFAULT_LRS, START, Racecourse, race
from linreg_utils.theory import eigen_errors, momentum_parameters
from tests.lesson_numbers import (
    L04_ADAM_KAPPA,
    L04_ADAMW_LOWEST,
    L04_BEAT_SETTLE,
    L04_BETA09_BAND,
    L04_BETA09_MEASURED,
    L04_BIAS_RATIOS,
    L04_LAMBDAS,
    L04_LBFGS_OFF,
    L04_POLYAK_SETTLE,
    L04_RACE_500,
    L04_RATES,
    L04_REGULARISED_GAP,
    L04_RMSPROP_LONG,
    L04_STANDARDIZED_SGD,
    L04_STEPS_1E6,
)

X, Y = seed_data()
COURSE = Racecourse(X, Y)
KAPPA = condition_number(X)


def test_eigenvalues_rates_and_step_counts():
    assert [float(f"{v:.3g}") for v in hessian_eigenvalues(X)] == list(L04_LAMBDAS)
    eta, beta, rate = momentum_parameters(X)
    zero = torch.zeros(2, dtype=torch.float64)
    gd = run_torch(lambda p: torch.optim.SGD(p, lr=optimal_lr(X)), line_loss(X, Y), zero, 1000)
    ball = run_torch(lambda p: torch.optim.SGD(p, lr=eta, momentum=beta), line_loss(X, Y), zero, 200)
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
    run = run_torch(lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9), line_loss(X, Y),
                    torch.zeros(2, dtype=torch.float64), 600)
    assert round(measured_rate(run, tuple(COURSE.optimum), 200, 600), 4) == rate
    lam, c0 = eigen_errors(X, Y, *START)
    assert tuple(round(k) for k in predicted_direction_steps(lam, c0, 0.02, 0.9, 1e-6)) == predicted
    shares = direction_shares(lam, c0, 0.02, 0.9, 600)
    assert tuple(settles_within(shares[:, i], 1e-6) for i in range(2)) == measured


def test_adam_preconditioner_and_bias_correction():
    theta, state = np.array(START), {}
    for _ in range(300):
        theta = adam(theta, COURSE.hessian @ theta - COURSE.c, state, lr=0.1)
    p = np.sqrt(1 / (np.sqrt(state["v"] / (1 - 0.999**300)) + 1e-8))
    assert round(np.linalg.cond(p[:, None] * COURSE.hessian * p[None, :])) == L04_ADAM_KAPPA
    ratios = [(1 - 0.9**t) / math.sqrt(1 - 0.999**t) for t in (1, 10)]
    assert [round(r, 2) for r in ratios] == list(L04_BIAS_RATIOS)


def test_adamw_passes_the_regularised_minimiser_and_keeps_approaching_l_star():
    regularised = np.linalg.solve(COURSE.hessian + 0.01 * np.eye(2), COURSE.c)
    reg_gap = COURSE.gaps(regularised[None])[0]
    assert float(f"{reg_gap:.1e}") == L04_REGULARISED_GAP
    run = COURSE.run("AdamW", 0.1, 20_000)
    assert float(f"{run.gaps.min():.0e}") == L04_ADAMW_LOWEST
    assert run.gaps[500] > run.gaps[2000] > run.gaps[4000]  # still falling after 500 steps
    # the real torch.optim.AdamW, 2,000 steps: far below the regularised minimiser's loss
    path = run_torch(lambda p: torch.optim.AdamW(p, lr=0.1), line_loss(X, Y),
                     torch.tensor(START, dtype=torch.float64), 2000).numpy()
    assert COURSE.gaps(path[-1:])[0] < reg_gap / 50


def test_adam_late_spikes_happen_in_torch_optim_adam_itself():
    path = run_torch(lambda p: torch.optim.Adam(p, lr=0.3), line_loss(X, Y),
                     torch.tensor(START, dtype=torch.float64), 2500).numpy()
    gaps = COURSE.gaps(path)
    assert gaps[1000] < 1e-25 and gaps[1000:].max() > 1e-2


def test_lbfgs_with_two_parallel_pairs_is_far_from_the_inverse_hessian():
    h_inv = np.linalg.inv(COURSE.hessian)
    theta, state, off = np.array(START), {}, []
    for _ in range(5):
        theta = lbfgs(theta, COURSE.hessian @ theta - COURSE.c, state)
        off.append(np.linalg.norm(lbfgs_inverse_hessian(state).numpy() - h_inv) / np.linalg.norm(h_inv))
    assert len(state["pairs"]) == 4
    assert off[2] == pytest.approx(L04_LBFGS_OFF[0], abs=0.01)  # step 3, two pairs: ~100 % off
    assert [float(f"{v:.1e}") for v in off[3:]] == list(L04_LBFGS_OFF[1:])
    (s1, *_), (s2, *_) = state["pairs"][:2]
    assert abs(s1 @ s2) / np.linalg.norm(s1) / np.linalg.norm(s2) > 0.999  # both along the steep axis


def test_polyak_settle_and_the_exercise_answer_that_beats_it():
    eta, beta, _ = momentum_parameters(X)
    assert steps_to_settle(eta, beta) == L04_POLYAK_SETTLE
    assert steps_to_settle(0.038, 0.82) == L04_BEAT_SETTLE


def test_race_step_counts_and_standardizing():
    results = race(X, Y, DEFAULT_LRS, steps=500)
    assert {n: results[n].settles_within() for n in L04_RACE_500} == L04_RACE_500
    xs = standardize(X)[0]
    assert condition_number(xs) == pytest.approx(1.0)
    assert race(xs, Y, {"SGD": 0.4}, steps=500)["SGD"].settles_within() == L04_STANDARDIZED_SGD


def test_rmsprop_at_constant_lr_stops_falling_and_oscillates_at_a_fixed_gap():
    gaps = Racecourse(X, Y).run("RMSprop", DEFAULT_LRS["RMSprop"], 5_000).gaps
    assert [f"{v:.1e}" for v in (gaps[1000], gaps[2000:].min(), gaps[2000:].max())] == \
        [f"{v:.1e}" for v in L04_RMSPROP_LONG]
    assert gaps[2000:].min() > gaps[1000]  # it climbed back: not a slow approach to L*
