"""Lesson 02's checkers accept the right answers and name each mistake they claim to recognise."""

import math

import numpy as np
import pytest

from linreg_utils import critical_lr, eigen_errors, gd_trajectory, linear_start, optimal_lr, seed_data
from linreg_utils.exercises.lesson02 import (
    check_centred_critical_lr,
    check_fastest_lr,
    check_steps_prediction,
    fewest_steps,
    measured_steps,
)
from tests import lesson_numbers as numbers
from tests.exercise_answers import failure


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
        "you forgot where the flat share starts": steps(rho**2, 1e-6),
        "two slips: the factor per step and the start": steps(rho, 1e-6 / gap0),
        "two slips": steps(rho, 1e-6),
        "you rounded down": math.floor(math.log(1e-6 / 0.0400) / math.log(rho**2)),  # floor, share 0.0400
        "close, but not exact": right + 2,
        "not the count torch.optim.SGD measured": 3_000,
        "should be a whole number": right + 0.4,
        "should be a number": "about two thousand",
    }


def test_the_right_route_with_printed_inputs_passes_and_says_so(capsys):
    """The student's case: exact λmin, the share printed to 4 digits (0.0400), rounded up: 2225.96 → 2,226.
    That is the right method, one below the measured count; it passes with a note, never "rounded down"."""
    x, y = seed_data()
    lam, _ = eigen_errors(x, y)
    right = numbers.L02_STEPS_AT_LR_0_01
    for lam_min, share in ((lam[0], 0.0400), (lam[0], 0.04004), (0.2377, 0.0400), (0.2377, 0.04004)):
        prediction = math.ceil(math.log(1e-6 / share) / math.log((1 - 0.01 * lam_min) ** 2))
        assert prediction in (right - 1, right)
        check_steps_prediction(prediction)
    out = capsys.readouterr().out
    assert "rounded" in out and "full precision" in out and "rounded down" not in out


@pytest.mark.parametrize("hint, prediction", list(prediction_variants().items()))
def test_step_prediction_mistakes_are_named(hint, prediction):
    assert hint in failure(check_steps_prediction, prediction)


def test_a_whole_number_of_any_type_is_a_count():
    import torch

    right = numbers.L02_STEPS_AT_LR_0_01
    for value in (float(right), np.int64(right), np.float32(right), torch.tensor(right),
                  torch.tensor(float(right))):
        check_steps_prediction(value)


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
        "the b-direction's λ = 2": 1.0,
        "close, but rounded": round(1 / var, 3),
        "not the critical lr of the centred data": 0.3,
    }


@pytest.mark.parametrize("hint, value", list(centred_variants().items()))
def test_centred_critical_lr_mistakes_are_named(hint, value):
    assert hint in failure(check_centred_critical_lr, value)


FASTEST_MISTAKES = {
    "diverges": 0.023,
    "the best worst-case lr": optimal_lr(seed_data()[0]),
    "the flat direction still crawls": 1e-3,
    "the steep error barely decays": 0.0221,  # close to 2/λmax, but not 2/(λmin+λmax)
    "must be positive": -0.01,
    "best_lr is inf": math.inf,
}


@pytest.mark.parametrize("hint", FASTEST_MISTAKES)
def test_fastest_lr_mistakes_are_named(hint):
    assert hint in failure(check_fastest_lr, FASTEST_MISTAKES[hint])
