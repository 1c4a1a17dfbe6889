"""Lesson 04's checkers accept the right answers and name each mistake they claim to know."""

import cmath
import math

import pytest

from linreg_utils import hessian_eigenvalues, seed_data
from linreg_utils.exercises.lesson04 import (
    check_beat_polyak,
    check_best_beta,
    check_edge_lr,
    check_momentum_roots,
    check_regimes,
    polyak_check_run,
    regime,
    sign_changes,
    steps_to_settle,
)
from linreg_utils.theory import momentum_parameters, momentum_roots
from tests.exercise_answers import failure

KAPPA = 25.0
ROOT = math.sqrt(KAPPA)
LAM_MIN, LAM_MAX = hessian_eigenvalues(seed_data()[0])


def test_right_best_beta_passes(capsys):
    check_best_beta(((ROOT - 1) / (ROOT + 1)) ** 2)
    assert capsys.readouterr().out.startswith("✔ Exercise 4.1 passed")


@pytest.mark.parametrize("answer, words", [
    ((ROOT - 1) / (ROOT + 1), "rate √β, not β"),
    (((KAPPA - 1) / (KAPPA + 1)) ** 2, "used κ where"),
    ((KAPPA - 1) / (KAPPA + 1), "plain gradient descent"),
    (momentum_parameters(seed_data()[0])[1], "seed's κ"),
    ((ROOT - 1) / ROOT, "ratio of the two conditions"),
    (0.9, "default"),
    (0.2, "solve the two conditions again"),
    (0.44, "close, but not to three decimals"), (0.45, "close, but not to three decimals"),
    ("a number", "should be a number"),
])
def test_best_beta_mistakes_are_named(answer, words):
    assert words in failure(check_best_beta, answer)


def test_best_beta_of_any_numeric_type_passes(capsys):
    import numpy as np
    import torch

    beta = ((ROOT - 1) / (ROOT + 1)) ** 2
    for value in (np.float32(beta), np.float64(beta), torch.tensor(beta),
                  torch.tensor(beta, dtype=torch.float32)):
        check_best_beta(value)
    assert capsys.readouterr().out.count("✔") == 4


def test_polyak_check_run_inner_directions_follow_the_rate_and_the_critically_damped_ends_lag():
    steps = polyak_check_run(((ROOT - 1) / (ROOT + 1)) ** 2)
    predicted = math.log(1e-6) / math.log((ROOT - 1) / (ROOT + 1))  # 34.1
    assert all(abs(k - predicted) <= 3 for k in steps[1:-1])
    assert steps[0] > predicted + 5 and steps[-1] > predicted + 5


def test_right_roots_pass_and_say_why_beta_one_fails(capsys):
    check_momentum_roots(momentum_roots)
    assert "β = 1" in capsys.readouterr().out


def _roots(a, b):
    d = cmath.sqrt(a * a - 4 * b)
    return (a + d) / 2, (a - d) / 2


def _real_sqrt_roots(e, b):
    a = 1 + b - e
    d = math.sqrt(a * a - 4 * b)
    return (a + d) / 2, (a - d) / 2


@pytest.mark.parametrize("wrong, words", [
    (lambda e, b: momentum_roots(-e, b), "sign of ηλ"),
    (lambda e, b: tuple((1 + b - e) / 2 + s * cmath.sqrt((1 + b - e) ** 2 + 4 * b) / 2 for s in (1, -1)),
     "constant term"),
    (lambda e, b: tuple((1 - e) / 2 + s * cmath.sqrt((1 - e) ** 2 - 4 * b) / 2 for s in (1, -1)),
     "misses β"),
    (lambda e, b: tuple(complex(m.real) for m in momentum_roots(e, b)), "only the real parts"),
    (lambda e, b: 1 - e, "as a pair"),
    (lambda e, b: _roots(1 + b - 2 * e, b), "wrong roots at"),
    (_real_sqrt_roots, "math.sqrt cannot take a negative number"),
    (lambda e, b: 1 / 0, "ZeroDivisionError"),
])
def test_root_mistakes_are_named(wrong, words):
    assert words in failure(check_momentum_roots, wrong)


def test_a_crash_names_the_line_of_the_learners_code():
    def momentum_roots_with_typo(eta_lam, beta):
        a = 1 + beta - eta_lam
        return a / (beta - beta)

    assert "of your cell: return a / (beta - beta)" in failure(check_momentum_roots, momentum_roots_with_typo)


def test_polyak_settles_in_132_torch_steps_and_a_point_inside_the_band_beats_it(capsys):
    eta, beta, _ = momentum_parameters(seed_data()[0])
    assert steps_to_settle(eta, beta) == 132
    check_beat_polyak(0.038, 0.82)
    assert capsys.readouterr().out.startswith("✔ Exercise 4.3 passed")


@pytest.mark.parametrize("lr, beta, words", [
    (0.05, 0.5, "diverges"), (0.01, 0.5, "overdamped"), (0.02, 0.95, "oscillates too long"),
    (0.0402, 0.8141, "Polyak's own (η*, β*), rounded"), (0.03, 1.2, "0 ≤ β < 1"),
    (0.041, 0.85, "not before step 132"),
])
def test_beat_polyak_mistakes_are_named(lr, beta, words):
    assert words in failure(check_beat_polyak, lr, beta)


def test_beat_polyak_recognises_polyaks_exact_pair():
    eta, beta, _ = momentum_parameters(seed_data()[0])
    message = failure(check_beat_polyak, eta, beta)
    assert "Polyak's own (η*, β*)" in message and "rounded" not in message and "from step 132" in message


def test_beat_polyak_says_what_the_widget_shows_at_its_nearest_stop(capsys):
    check_beat_polyak(0.038, 0.82)
    out = capsys.readouterr().out
    assert "from step 95 on" in out and "nearest stop, η = 0.03802, β = 0.82, settles from step 96" in out


def test_right_edge_lr_passes_and_torch_confirms_it(capsys):
    check_edge_lr(3.0 / LAM_MAX)
    out = capsys.readouterr().out
    assert out.startswith("✔ Exercise 4.4 passed") and "diverged at step" in out


@pytest.mark.parametrize("answer, words", [
    (2.0 / LAM_MAX, "plain gradient descent's edge"),
    ((1 + math.sqrt(0.5)) ** 2 / LAM_MAX, "stops oscillating"),
    (3.0 / LAM_MIN, "flattest curvature"),
    (3.0, "bounds η·λmax"),
    (2.0 / LAM_MAX / 0.5, "divided plain GD's edge by 1 − β"),
    (3.8 / LAM_MAX, "edge for β = 0.9"),
    (3.0 / LAM_MAX * 1.02, "three significant figures"),
    (0.01, "not the edge torch measures"),
])
def test_edge_lr_mistakes_are_named(answer, words):
    assert words in failure(check_edge_lr, answer)


def test_regime_reads_the_discriminant():
    assert regime(0.01, 0.64) == "overdamped" and regime(1.0, 0.64) == "underdamped"
    assert regime(0.04, 0.64) == "critically damped" and regime(3.5, 0.64) == "overdamped"


def test_torch_confirms_the_regimes_the_slow_direction_never_changes_sign():
    slow, steep = sign_changes()
    assert slow == 0 and steep > 20


def test_right_regimes_pass(capsys):
    check_regimes(("overdamped", "underdamped"))
    check_regimes(["Overdamped", "under-damped"])
    assert capsys.readouterr().out.count("✔ Exercise 4.5 passed") == 2


@pytest.mark.parametrize("answer, words", [
    (("underdamped", "overdamped"), "swapped"),
    (("underdamped", "underdamped"), "does not oscillate"),
    (("overdamped", "overdamped"), "steep direction is not overdamped"),
    (("critically damped", "underdamped"), "exactly zero"),
    (("overdamped", "bouncy"), "not one of the three"),
    ("overdamped", "pair of two words"),
])
def test_regime_mistakes_are_named(answer, words):
    assert words in failure(check_regimes, answer)


def test_the_regimes_solution_comment_states_the_discriminants():
    lam_min, lam_max = LAM_MIN, LAM_MAX
    d = [(1 + 0.5 - 0.02 * lam) ** 2 - 4 * 0.5 for lam in (lam_min, lam_max)]
    assert (f"{d[0]:+.2f}", f"{d[1]:.2f}") == ("+0.24", "-1.91")
