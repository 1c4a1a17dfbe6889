"""Lesson 07's checkers accept the right answers and name each mistake they claim to recognise."""

import math

import pytest
import torch

from linreg_utils.exercises import ExerciseNotDone
from linreg_utils.exercises.lesson07 import (
    HALVING_DATA,
    PERIODS,
    check_floor_prediction,
    check_halving_period,
    check_lr_keeping_floor,
    fresh_data,
    halving_gaps,
)
from linreg_utils.stochastic import epoch_means, simulate_sgd
from tests.exercise_answers import failure

LR_FACTOR = (0.3 / 0.7) / (0.1 / 0.9)  # lr/(1 − lr) from 0.1 to 0.3


# --- 7.1 the floor at B = 50, lr = 0.3, from the floor at B = 20, lr = 0.1 -------------------


def test_check_floor_prediction_accepts_the_scaling_and_measures_it(capsys):
    check_floor_prediction(lambda f: f * LR_FACTOR * 20 / 50)
    out = capsys.readouterr().out
    assert out.startswith("✔ Exercise 7.1 passed") and "measured at B = 50, lr = 0.3" in out


@pytest.mark.parametrize(("answer", "message"), [
    (lambda f: f * 3 * 20 / 50, "lr ratio alone"),
    (lambda f: f * 20 / 50, "changed only the batch size"),
    (lambda f: f * LR_FACTOR, "changed only the lr"),
    (lambda f: f * LR_FACTOR * 50 / 20, "batch size points the wrong way"),
    (lambda f: f * LR_FACTOR * math.sqrt(20 / 50), "not 1/√B"),
    (lambda f: 1.0, "not how the floor scales to (50, 0.3)"),
    (lambda f: 1.13e-2, "ignores floor_20"),  # the floor measured once, hard-coded
    (lambda f: "small", "should be a number"),
    (lambda f: f / 0.0, "ZeroDivisionError"),
])
def test_check_floor_prediction_names_the_mistake(answer, message):
    if message == "ignores floor_20":  # right for the check's first floor, by construction
        first = {}

        def answer(f, first=first):
            first.setdefault("f", f)
            return first["f"] * LR_FACTOR * 20 / 50
    assert message in failure(check_floor_prediction, answer)


# --- 7.2 the lr that keeps the floor ------------------------------------------------------


def keeping(lr, batch_size, new_batch_size):
    ratio = new_batch_size / batch_size * lr / (1 - lr)
    return ratio / (1 + ratio)


def test_check_lr_keeping_floor_accepts_the_solution(capsys):
    check_lr_keeping_floor(keeping)
    check_lr_keeping_floor(lambda lr, b, new: torch.tensor(keeping(lr, b, new), dtype=torch.float64))
    assert capsys.readouterr().out.count("✔ Exercise 7.2 passed") == 2


@pytest.mark.parametrize(("answer", "message"), [
    (lambda lr, b, new: lr * new / b, "linear scaling rule"),
    (lambda lr, b, new: lr * math.sqrt(new / b), "square-root scaling"),
    (lambda lr, b, new: lr * b / new, "wrong direction"),
    (lambda lr, b, new: 0.3, "not the lr that keeps the floor"),
    # the student's slip: ratio / (1 − ratio) instead of ratio / (1 + ratio) gives 1.11 at (0.05, 20, 200)
    (lambda lr, b, new: (r := new / b * lr / (1 - lr)) / (1 - r), "an lr outside (0, 1)"),
    (lambda lr, b, new: math.nan, "returns is nan"),  # was "your your": one phrasing for all
])
def test_check_lr_keeping_floor_names_the_mistake(answer, message):
    text = failure(check_lr_keeping_floor, answer)
    assert message in text and "your your" not in text


# --- 7.3 the halving period ----------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def halving_gaps_once():
    """The checker reruns its simulations on every call; the cases below share one per data set."""
    from linreg_utils.exercises import lesson07

    original, memo = lesson07.halving_gaps, {}

    def once(x, y, periods=lesson07.PERIODS, per_step=False):
        key = (len(x), float(y.sum()), periods, per_step)
        if key not in memo:
            memo[key] = original(x, y, periods, per_step)
        return memo[key]

    lesson07.halving_gaps = once
    yield
    lesson07.halving_gaps = original


def best_period(x, y):
    """The learner's experiment, with its own seed."""
    steps, final = len(x) // 20, {}
    for period in PERIODS:
        runs = simulate_sgd(x, y, 20, lambda k, p=period: 0.1 * 0.5 ** (k // (p * steps)), 30,
                            replicas=8, seed=0, start=(0.0, 0.0))
        final[period] = epoch_means(runs)[-1]
    return min(final, key=final.get)


def test_the_two_data_sets_want_different_periods_by_wide_margins():
    best = []
    for n, noise, seed in HALVING_DATA:
        gaps = sorted(halving_gaps(*fresh_data(n=n, noise=noise, seed=seed)).items(), key=lambda kv: kv[1])
        assert gaps[1][1] > 5 * gaps[0][1], gaps
        best.append(gaps[0][0])
    assert best == [2, 5]


def test_check_halving_period_accepts_the_experiment(capsys):
    check_halving_period(best_period)
    assert capsys.readouterr().out.startswith("✔ Exercise 7.3 passed")


@pytest.mark.parametrize(("period", "message"), [
    (2, "right for one data set, not for another"),  # the lesson's answer, hard-coded
    (1, "is too fast"),
    (5, "is too slow"),
    (10, "halving per step, not per epoch"),  # also what the per-step slip returns
    (3, "return one of PERIODS"),
])
def test_check_halving_period_names_the_mistake(period, message):
    assert message in failure(check_halving_period, lambda x, y: period)


def test_check_halving_period_diagnoses_halving_every_step():
    def per_step(x, y):  # the slip: the period counted in optimizer steps, not epochs
        final = {}
        for period in PERIODS:
            runs = simulate_sgd(x, y, 20, lambda k, p=period: 0.1 * 0.5 ** (k // p), 30,
                                replicas=8, seed=0, start=(0.0, 0.0))
            final[period] = epoch_means(runs)[-1]
        return min(final, key=final.get)

    message = failure(check_halving_period, per_step)
    assert "halving per step, not per epoch" in message
    assert "faster" not in message


def test_unfinished_exercises_say_so():
    def stub(*args):
        raise NotImplementedError("Exercise 7.x: write it")

    for check in (check_floor_prediction, check_lr_keeping_floor, check_halving_period):
        with pytest.raises(ExerciseNotDone, match="not done yet"):
            check(stub)
    assert PERIODS == (1, 2, 5, 10)
