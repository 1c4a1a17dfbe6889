"""Lesson 02's checkers accept the right answers and name each mistake they claim to recognise."""

import math

import numpy as np
import pytest

from linreg_utils import critical_lr, eigen_errors, gd_trajectory, linear_start, optimal_lr, seed_data
from linreg_utils.exercises import ExerciseFailed
from linreg_utils.exercises.lesson02 import (
    check_centred_critical_lr,
    check_fastest_lr,
    check_steps_prediction,
    fewest_steps,
    measured_steps,
)
from tests import lesson_numbers as numbers


def test_right_answers_pass(capsys):
    check_steps_prediction(numbers.L02_STEPS_AT_LR_0_01)
    check_centred_critical_lr(numbers.L02_CENTRED_CRITICAL_LR)
    check_fastest_lr(numbers.L02_FASTEST_SLIDER_LR)
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split(":")[0] for ln in lines] == [f"✔ Exercise 2.{i} passed" for i in (1, 2, 3)]


def test_the_answers_are_the_numbers_the_checkers_compute():
    x, y = seed_data()
    assert measured_steps() == numbers.L02_STEPS_AT_LR_0_01
    assert gd_trajectory(x, y, 0.01, 3_000).first_within(1e-6) == numbers.L02_STEPS_AT_LR_0_01
    z = x.double() - x.double().mean()
    assert critical_lr(z) == pytest.approx(numbers.L02_CENTRED_CRITICAL_LR, abs=5e-6)
    assert critical_lr(z) == pytest.approx(1 / z.pow(2).mean().item())


def test_fastest_lr_from_the_linear_start_is_just_below_critical():
    x, y = seed_data()
    lr, k = fewest_steps(linear_start())
    assert 0.98 < lr / critical_lr(x) < 1.0
    assert gd_trajectory(x, y, lr, 1_000, *linear_start()).first_within(1e-6) == k
    for other in np.linspace(0.5, 0.999, 50) * critical_lr(x):
        assert (gd_trajectory(x, y, other, 1_000, *linear_start()).first_within(1e-6) or 10**9) >= k
    assert (k, f"{lr / critical_lr(x):.3f}") == numbers.L02_FEWEST_FROM_LINEAR_START


def steps(rate, shrink):
    return math.ceil(math.log(shrink) / math.log(rate))


def prediction_variants():
    x, y = seed_data()
    lam, c0 = eigen_errors(x, y)
    flat, gap0, rho = 0.5 * lam[0] * c0[0] ** 2, 0.5 * np.sum(lam * c0**2), 1 - 0.01 * lam[0]
    right = numbers.L02_STEPS_AT_LR_0_01
    return {
        "shrank the gap by ρ per step": steps(rho, 1e-6 / flat),
        "that is the guarantee": steps(rho**2, 1e-6 / gap0),
        "you forgot the start": steps(rho**2, 1e-6),
        "the gap shrinks by ρ², not ρ, and only the flat": steps(rho, 1e-6 / gap0),
        "it starts at the flat share": steps(rho, 1e-6),
        "one step short": right - 1,
        "close: torch.optim.SGD measured": right + 2,
        "you predicted 3,000": 3_000,
        "should be a number, got str": "2227",
    }


@pytest.mark.parametrize("hint, prediction", list(prediction_variants().items()))
def test_step_prediction_mistakes_are_named(hint, prediction):
    with pytest.raises(ExerciseFailed, match=r"Exercise 2\.1 is not right yet") as info:
        check_steps_prediction(prediction)
    assert hint in str(info.value)


def centred_variants():
    x = seed_data()[0].double()
    z = x - x.mean()
    var = z.pow(2).mean().item()
    return {
        "factor 2 of the Hessian is missing": 2 / var,
        "that is 1/λmax": 1 / (2 * var),
        "unbiased variance": 1 / z.var().item(),
        "raw x's critical lr": critical_lr(x),
        "standard deviation": 1 / math.sqrt(var),
        "the b-direction's eigenvalue, and also the standardized": 1.0,
        "expected about 0.1867": 0.3,
    }


@pytest.mark.parametrize("hint, value", list(centred_variants().items()))
def test_centred_critical_lr_mistakes_are_named(hint, value):
    with pytest.raises(ExerciseFailed, match=r"Exercise 2\.2 is not right yet") as info:
        check_centred_critical_lr(value)
    assert hint in str(info.value)


FASTEST_MISTAKES = {
    "GD diverges": 0.023,
    "the best guarantee for every start": optimal_lr(seed_data()[0]),
    "the flat direction still crawls": 1e-3,
    "the steep error barely decays": 0.0221,  # close to 2/λmax, but not 2/(λmin+λmax)
    "must be positive": -0.01,
}


@pytest.mark.parametrize("hint", FASTEST_MISTAKES)
def test_fastest_lr_mistakes_are_named(hint):
    with pytest.raises(ExerciseFailed, match=r"Exercise 2\.3 is not right yet") as info:
        check_fastest_lr(FASTEST_MISTAKES[hint])
    assert hint in str(info.value)
