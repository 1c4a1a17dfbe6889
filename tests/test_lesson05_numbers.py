"""Every number lesson 05's prose states, recomputed (values in tests/lesson_numbers.py), and the
corrected claims: AdamW is no regularised minimiser, L-BFGS's matrix with two pairs, Adam's late
spikes in torch itself, standardizing beats clever optimizers here."""

import math

import numpy as np
import pytest
import torch

from linreg_utils import START, condition_number, line_loss, optimize, seed_data, standardize
from linreg_utils.optimizers import adam, lbfgs, lbfgs_inverse_hessian
from linreg_utils.race import DEFAULT_LRS, FINISH_TOL, Racecourse, race
from tests.lesson_numbers import (
    L05_ADAM_KAPPA,
    L05_ADAMW_LOWEST,
    L05_BIAS_RATIOS,
    L05_LBFGS_OFF,
    L05_RACE_500,
    L05_REGULARISED_GAP,
    L05_RMSPROP_LONG,
    L05_STANDARDIZED_SGD,
)

X, Y = seed_data()
COURSE = Racecourse(X, Y)


def test_adam_preconditioner_and_bias_correction():
    theta, state = np.array(START), {}
    for _ in range(300):
        theta = adam(theta, COURSE.hessian @ theta - COURSE.c, state, lr=0.1)
    p = np.sqrt(1 / (np.sqrt(state["v"] / (1 - 0.999**300)) + 1e-8))
    assert round(np.linalg.cond(p[:, None] * COURSE.hessian * p[None, :])) == L05_ADAM_KAPPA
    ratios = [(1 - 0.9**t) / math.sqrt(1 - 0.999**t) for t in (1, 10)]
    assert [round(r, 2) for r in ratios] == list(L05_BIAS_RATIOS)


def test_adamw_passes_the_regularised_minimiser_and_keeps_approaching_l_star():
    regularised = np.linalg.solve(COURSE.hessian + 0.01 * np.eye(2), COURSE.c)
    reg_gap = COURSE.gaps(regularised[None])[0]
    assert float(f"{reg_gap:.1e}") == L05_REGULARISED_GAP
    run = COURSE.run("AdamW", 0.1, 20_000)
    assert float(f"{run.gaps.min():.0e}") == L05_ADAMW_LOWEST
    assert run.gaps[500] > run.gaps[2000] > run.gaps[4000]  # still falling after 500 steps
    # the real torch.optim.AdamW, 2,000 steps: far below the regularised minimiser's loss
    path = optimize(lambda p: torch.optim.AdamW(p, lr=0.1), line_loss(X, Y),
                    torch.tensor(START, dtype=torch.float64), 2000).path
    assert COURSE.gaps(path[-1:])[0] < reg_gap / 50


def test_adam_late_spikes_happen_in_torch_optim_adam_itself():
    path = optimize(lambda p: torch.optim.Adam(p, lr=0.3), line_loss(X, Y),
                    torch.tensor(START, dtype=torch.float64), 2500).path
    gaps = COURSE.gaps(path)
    assert gaps[1000] < 1e-25 and gaps[1000:].max() > 1e-2


def test_lbfgs_with_two_parallel_pairs_is_far_from_the_inverse_hessian():
    h_inv = np.linalg.inv(COURSE.hessian)
    theta, state, off = np.array(START), {}, []
    for _ in range(5):
        theta = lbfgs(theta, COURSE.hessian @ theta - COURSE.c, state)
        off.append(np.linalg.norm(lbfgs_inverse_hessian(state).numpy() - h_inv) / np.linalg.norm(h_inv))
    assert len(state["pairs"]) == 4
    assert off[2] == pytest.approx(L05_LBFGS_OFF[0], abs=0.01)  # step 3, two pairs: ~100 % off
    assert [float(f"{v:.1e}") for v in off[3:]] == list(L05_LBFGS_OFF[1:])
    (s1, *_), (s2, *_) = state["pairs"][:2]
    assert abs(s1 @ s2) / np.linalg.norm(s1) / np.linalg.norm(s2) > 0.999  # both along the steep axis


def test_race_step_counts_and_standardizing():
    results = race(X, Y, DEFAULT_LRS, steps=500)
    assert {n: results[n].settles_within(FINISH_TOL) for n in L05_RACE_500} == L05_RACE_500
    xs = standardize(X)[0]
    assert condition_number(xs) == pytest.approx(1.0)
    assert race(xs, Y, {"SGD": 0.4}, steps=500)["SGD"].settles_within(FINISH_TOL) == L05_STANDARDIZED_SGD


def test_rmsprop_at_constant_lr_stops_falling_and_oscillates_at_a_fixed_gap():
    gaps = Racecourse(X, Y).run("RMSprop", DEFAULT_LRS["RMSprop"], 5_000).gaps
    assert [f"{v:.1e}" for v in (gaps[1000], gaps[2000:].min(), gaps[2000:].max())] == \
        [f"{v:.1e}" for v in L05_RMSPROP_LONG]
    assert gaps[2000:].min() > gaps[1000]  # it climbed back: not a slow approach to L*
