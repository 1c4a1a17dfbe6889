"""Lesson 07's checkers accept the right answers and name each mistake they claim to recognise."""

import math

import pytest

from linreg_utils import make_regression, standardize
from linreg_utils.exercises import ExerciseFailed
from linreg_utils.exercises.lesson07 import (
    PERIODS,
    check_floor_prediction,
    check_halving_period,
    check_lr_keeping_floor,
)


@pytest.fixture(scope="module")
def data():
    x, y = make_regression(n=10_000, slope=2.0, intercept=-1.0, noise=0.5, seed=0)
    z, _, _ = standardize(x)
    return z, y


F20 = 2.9e-3  # a floor "measured" at B = 20, lr = 0.1
LR_FACTOR = (0.3 / 0.7) / (0.1 / 0.9)  # lr/(1 − lr) from 0.1 to 0.3


# --- 6.1 the floor at B = 50, lr = 0.3, from the floor at B = 20, lr = 0.1 -------------------


@pytest.mark.parametrize(("answer", "message"), [
    (lambda f: f * LR_FACTOR * 20 / 50, None),
    (lambda f: f * 3 * 20 / 50, "lr ratio alone"),
    (lambda f: f * 20 / 50, "changed only the batch size"),
    (lambda f: f * LR_FACTOR, "changed only the lr"),
    (lambda f: f * LR_FACTOR * 50 / 20, "belongs in the denominator"),
    (lambda f: f * LR_FACTOR * math.sqrt(20 / 50), "not 1/√B"),
    (lambda f: 1.0, "expected floor_20"),
    (lambda f: "small", "should be a number"),
])
def test_check_floor_prediction(data, answer, message, capsys):
    z, y = data
    if message is None:
        check_floor_prediction(answer, z, y, F20)
        out = capsys.readouterr().out
        assert out.startswith("✔ Exercise 7.1 passed") and "measured at B = 50, lr = 0.3" in out
        return
    with pytest.raises(ExerciseFailed, match=r"Exercise 7\.1") as info:
        check_floor_prediction(answer, z, y, F20)
    assert message in str(info.value)


def test_the_floor_at_b50_lr03_is_what_the_scaling_predicts(data):
    """The scaling Exercise 7.1 asks for is the formula's, and a real measurement agrees."""
    from linreg_utils.stochastic import noise_floor, sgd_noise_floor, simulate_sgd
    z, y = data
    f20, f50 = sgd_noise_floor(z, y, 0.1, 20), sgd_noise_floor(z, y, 0.3, 50)
    assert f50 == pytest.approx(f20 * LR_FACTOR * 20 / 50, rel=1e-6)
    mean, stderr = noise_floor(simulate_sgd(z, y, 50, 0.3, 6, replacement=True, replicas=16, seed=50), 1)
    assert abs(mean - f50) < 4 * stderr + 0.03 * f50


# --- 6.2 the lr that keeps the floor ------------------------------------------------------


def keeping(lr, batch_size, new_batch_size):
    ratio = new_batch_size / batch_size * lr / (1 - lr)
    return ratio / (1 + ratio)


@pytest.mark.parametrize(("answer", "message"), [
    (keeping, None),
    (lambda lr, b, new: lr * new / b, "linear scaling rule"),
    (lambda lr, b, new: lr * math.sqrt(new / b), "square-root scaling"),
    (lambda lr, b, new: lr * b / new, "wrong direction"),
    (lambda lr, b, new: 0.3, "expected"),
    (lambda lr, b, new: math.nan, "finite number"),
])
def test_check_lr_keeping_floor(answer, message, capsys):
    if message is None:
        check_lr_keeping_floor(answer)
        assert capsys.readouterr().out.startswith("✔ Exercise 7.2 passed")
        return
    with pytest.raises(ExerciseFailed, match=r"Exercise 7\.2") as info:
        check_lr_keeping_floor(answer)
    assert message in str(info.value)


# --- 7.3 the halving period ----------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def halving_gaps_once():
    """The checker reruns its four 30-epoch simulations on every call; the cases below share one."""
    from linreg_utils.exercises import lesson07

    original, memo = lesson07.halving_gaps, {}

    def once(x, y, periods=lesson07.PERIODS):
        key = (id(x), id(y), periods)
        if key not in memo:
            memo[key] = original(x, y, periods)
        return memo[key]

    lesson07.halving_gaps = once
    yield
    lesson07.halving_gaps = original


@pytest.mark.parametrize(("period", "message"), [
    (2, None),
    (1, "freeze"),
    (5, "floor grows with the lr"),
    (10, "floor grows with the lr"),
    (3, "return one of PERIODS"),
])
def test_check_halving_period(data, period, message, capsys):
    z, y = data
    if message is None:
        check_halving_period(lambda x, y: period, z, y)
        assert capsys.readouterr().out.startswith("✔ Exercise 7.3 passed")
        return
    with pytest.raises(ExerciseFailed, match=r"Exercise 7\.3") as info:
        check_halving_period(lambda x, y: period, z, y)
    assert message in str(info.value)


def test_unfinished_exercises_say_so(data):
    def stub(*args):
        raise NotImplementedError("Exercise 7.x: write it")

    z, y = data
    for check in (lambda f: check_floor_prediction(f, z, y, F20), check_lr_keeping_floor,
                  lambda f: check_halving_period(f, z, y)):
        with pytest.raises(NotImplementedError, match="not done yet"):
            check(stub)
    assert PERIODS == (1, 2, 5, 10)
