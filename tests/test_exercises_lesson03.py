"""Lesson 03's checkers accept the right answers and name each mistake they claim to know."""

import pytest
import torch
from torch import nn

from linreg_utils.exercises import ExerciseFailed
from linreg_utils.exercises.lesson03 import (
    _loop,
    check_rescue_step,
    check_resume,
    check_train,
    first_stable_step,
    reference_resume,
    reference_train,
)


def test_right_rescue_step_passes(capsys):
    check_rescue_step(first_stable_step())
    assert first_stable_step() == 3
    assert capsys.readouterr().out.startswith("✔ Exercise 3.1 passed")


@pytest.mark.parametrize("answer, words", [(2, "rounded down"), (4, "one step late"), (2.49, "whole number"),
                                           (7, "smallest whole k"), ("3", "one number")])
def test_rescue_step_mistakes_are_named(answer, words):
    with pytest.raises(ExerciseFailed, match=words):
        check_rescue_step(answer)


def test_right_loop_passes(capsys):
    check_train(reference_train)
    assert capsys.readouterr().out.startswith("✔ Exercise 3.2 passed")


@pytest.mark.parametrize("order, words", [("bs", "never call optimizer.zero_grad"), ("bzs", "never moved"),
                                          ("zb", "step\\(\\) is missing")])
def test_loop_mistakes_are_named(order, words):
    with pytest.raises(ExerciseFailed, match=words):
        check_train(_loop(order))


def test_loop_returning_nothing_is_explained():
    with pytest.raises(ExerciseFailed, match="list of the 12 losses"):
        check_train(lambda m, x, y, o, s: None)


def test_right_resume_passes(capsys):
    check_resume(reference_resume)
    assert capsys.readouterr().out.startswith("✔ Exercise 3.3 passed")


def test_resume_without_optimizer_state_is_named():
    def forgot(checkpoint, x, y, steps):
        model = nn.Linear(1, 1).double()
        model.load_state_dict(checkpoint["model"])
        reference_train(model, x, y, torch.optim.Adam(model.parameters(), lr=0.05), steps)
        return model

    with pytest.raises(ExerciseFailed, match="not the optimizer"):
        check_resume(forgot)


def test_resume_without_model_state_is_named():
    def forgot(checkpoint, x, y, steps):
        model = nn.Linear(1, 1).double()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
        optimizer.load_state_dict(checkpoint["optimizer"])
        reference_train(model, x, y, optimizer, steps)
        return model

    with pytest.raises(ExerciseFailed, match="load"):
        check_resume(forgot)


def test_resume_returning_no_model_is_explained():
    with pytest.raises(ExerciseFailed, match="nn.Module"):
        check_resume(lambda c, x, y, s: None)
