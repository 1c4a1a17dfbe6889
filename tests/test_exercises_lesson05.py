"""Lesson 05's checkers accept the right answers, whatever their numeric type, measure the truth with
torch, and name each mistake they claim to know (every rung of the mistake tables reachable)."""

import numpy as np
import pytest
import torch

from linreg_utils import hessian_eigenvalues, mse_hessian, seed_data
from linreg_utils.exercises import ExerciseNotDone, hints
from linreg_utils.exercises.lesson05 import (
    CYCLE_LR,
    averaged_momentum_run,
    check_closure_calls,
    check_ema_edge_lr,
    check_rmsprop_gap,
    lbfgs_closure_calls,
    rmsprop_cycle_gap,
)
from tests.exercise_answers import failure

LAM_MIN, LAM_MAX = hessian_eigenvalues(seed_data()[0])
H = mse_hessian(seed_data()[0]).numpy()
EDGE = 2 * (1 + 0.8) / (1 - 0.8)  # written out here, to test theory's adam_stability_edge against it
HALF = np.array([CYCLE_LR, CYCLE_LR]) / 2
CYCLE_GAP = 0.5 * HALF @ H @ HALF


# ----------------------------------------------------------------------------- 5.1


def test_torch_converges_just_below_the_averaged_momentum_edge_and_diverges_just_above():
    assert not averaged_momentum_run(0.97 * EDGE / LAM_MAX)[0]
    assert averaged_momentum_run(1.03 * EDGE / LAM_MAX)[0]


@pytest.mark.parametrize("answer", [EDGE / LAM_MAX, round(EDGE / LAM_MAX, 3), np.float32(EDGE / LAM_MAX),
                                    torch.tensor(EDGE / LAM_MAX)])
def test_the_edge_to_three_figures_of_any_numeric_type_passes(answer, capsys):
    check_ema_edge_lr(answer)
    out = capsys.readouterr().out
    assert out.startswith("✔ Exercise 5.1 passed: torch agrees") and "diverged at step" in out


@pytest.mark.parametrize("answer, words", [
    (2 / LAM_MAX, "plain gradient descent"),
    ((2 + 2 * 0.8) / LAM_MAX, "sums gradients"),
    (38 / LAM_MAX, "β = 0.9"),
    (2 / (1 - 0.8) / LAM_MAX, "1 + β"),
    (EDGE / 2 / LAM_MAX, "factor 2"),
    ((2 + 2 * 0.8) * (1 - 0.8) / LAM_MAX, "instead of dividing"),
    (EDGE, "bounds η·λmax"),
    (EDGE / LAM_MIN, "flattest curvature"),
    (0.21, "three significant figures"),
    (0.05, "not the edge torch measures"),
    ("0.2", "should be a number"),
    (float("nan"), "nan"),
])
def test_ema_edge_mistakes_are_named_without_the_answer(answer, words):
    assert words in failure(check_ema_edge_lr, answer)


# ----------------------------------------------------------------------------- 5.2


def test_rmsprop_cycles_at_the_gap_of_half_a_step_in_both_coordinates():
    assert rmsprop_cycle_gap() == pytest.approx(CYCLE_GAP, rel=1e-3)


@pytest.mark.parametrize("answer", [CYCLE_GAP, float(f"{CYCLE_GAP:.2g}"), np.float64(CYCLE_GAP),
                                    torch.tensor(CYCLE_GAP)])
def test_the_cycle_gap_to_two_figures_passes(answer, capsys):
    check_rmsprop_gap(answer)
    assert capsys.readouterr().out.startswith("✔ Exercise 5.2 passed")


def _gap(d):
    d = np.asarray(d)
    return 0.5 * d @ H @ d


@pytest.mark.parametrize("answer, words", [
    (4 * CYCLE_GAP, "whole step"),
    (2 * CYCLE_GAP, "½ in front"),
    (8 * CYCLE_GAP, "two slips"),
    (_gap([HALF[0], -HALF[1]]), "same way"),
    (_gap([HALF[0], 0.0]), "b moves too"),
    (0.5 * LAM_MAX * HALF @ HALF, "eigenvector"),
    (1.44e-3 * 0.4, "not proportional"),
    (1.44e-3, "lr = 0.01"),
    (1e-3, "not the gap"),
])
def test_rmsprop_gap_mistakes_are_named_without_the_answer(answer, words):
    assert words in failure(check_rmsprop_gap, answer)


# ----------------------------------------------------------------------------- 5.3


def test_one_lbfgs_step_calls_the_closure_three_times_on_the_round_bowl_seven_on_the_raw_data():
    assert lbfgs_closure_calls() == 3  # start, short first step, Newton step onto θ*
    assert lbfgs_closure_calls(standardized=False) == 7  # the lesson's default step() on raw x
    assert [lbfgs_closure_calls(False, m) for m in (4, 5)] == [4, 5]  # max_iter reached: no call after it


@pytest.mark.parametrize("answer", [3, 3.0, np.int64(3), torch.tensor(3)])
def test_the_closure_count_of_any_numeric_type_passes(answer, capsys):
    check_closure_calls(answer)
    assert capsys.readouterr().out.startswith("✔ Exercise 5.3 passed")


@pytest.mark.parametrize("answer, words", [
    (2, "at the start"), (4, "one step too many"), (7, "raw data's count"), (1, "what SGD makes"),
    (20, "default max_iter"), (25, "max_eval"), (6, "not the count"), (3.5, "whole number"),
])
def test_closure_call_mistakes_are_named_without_the_answer(answer, words):
    assert words in failure(check_closure_calls, answer)


# ----------------------------------------------------------------------------- all three


@pytest.mark.parametrize("check, name", [(check_ema_edge_lr, "ema_edge_lr"),
                                         (check_rmsprop_gap, "rmsprop_gap"),
                                         (check_closure_calls, "closure_calls")])
def test_an_unset_answer_is_not_done_yet_naming_it(check, name):
    with pytest.raises(ExerciseNotDone, match=f"set `{name}`"):
        check(name)


@pytest.mark.parametrize("number", ["5.1", "5.2", "5.3"])
def test_each_ladder_has_three_rungs(number):
    assert len(hints(number)) >= 3
