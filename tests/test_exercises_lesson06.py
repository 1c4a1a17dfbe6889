"""Lesson 06's checkers accept the right answers and name each mistake they claim to recognise."""

import math

import pytest

from linreg_utils import make_regression, standardize
from linreg_utils.exercises import ExerciseFailed
from linreg_utils.exercises.lesson06 import (
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


def floor(batch_size, lr, sigma2):
    return 2 * lr * sigma2 / (batch_size * (1 - lr))


# --- 6.1 the floor at B = 50 --------------------------------------------------------------


@pytest.mark.parametrize(("answer", "message"), [
    (floor, None),
    (lambda b, lr, s2: 2 * lr * s2 / b, "1/(1 − lr) factor"),
    (lambda b, lr, s2: floor(b, lr, s2) / 2, "the 2 of the Hessian stays"),
    (lambda b, lr, s2: floor(b, lr, math.sqrt(s2)), "not its square root"),
    (lambda b, lr, s2: floor(20, lr, s2), "that is the floor at B = 20"),
    (lambda b, lr, s2: 2 * lr * s2 * b / (1 - lr), "belongs in the denominator"),
    (lambda b, lr, s2: 1.0, "expected about"),
    (lambda b, lr, s2: "small", "return a number"),
])
def test_check_floor_prediction(data, answer, message, capsys):
    z, y = data
    if message is None:
        check_floor_prediction(answer, z, y)
        assert capsys.readouterr().out.startswith("✔ Exercise 6.1 passed")
        return
    with pytest.raises(ExerciseFailed, match=r"Exercise 6\.1") as info:
        check_floor_prediction(answer, z, y)
    assert message in str(info.value)


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
        assert capsys.readouterr().out.startswith("✔ Exercise 6.2 passed")
        return
    with pytest.raises(ExerciseFailed, match=r"Exercise 6\.2") as info:
        check_lr_keeping_floor(answer)
    assert message in str(info.value)


# --- 6.3 the halving period ----------------------------------------------------------------


@pytest.mark.parametrize(("period", "message"), [
    (2, None),
    (1, "freeze"),
    (5, "floor is proportional to the lr"),
    (10, "floor is proportional to the lr"),
    (3, "return one of PERIODS"),
])
def test_check_halving_period(data, period, message, capsys):
    z, y = data
    if message is None:
        check_halving_period(lambda x, y: period, z, y)
        assert capsys.readouterr().out.startswith("✔ Exercise 6.3 passed")
        return
    with pytest.raises(ExerciseFailed, match=r"Exercise 6\.3") as info:
        check_halving_period(lambda x, y: period, z, y)
    assert message in str(info.value)


def test_unfinished_exercises_say_so(data):
    def stub(*args):
        raise NotImplementedError("Exercise 6.x: write it")

    z, y = data
    for check in (lambda f: check_floor_prediction(f, z, y), check_lr_keeping_floor,
                  lambda f: check_halving_period(f, z, y)):
        with pytest.raises(NotImplementedError, match="not done yet"):
            check(stub)
    assert PERIODS == (1, 2, 5, 10)
