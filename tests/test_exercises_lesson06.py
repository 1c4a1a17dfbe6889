"""Lesson 06's checkers accept the right answers and name each mistake they claim to recognise."""

import math

import pytest
import torch

from linreg_utils.exercises import ExerciseNotDone
from linreg_utils.exercises.lesson06 import (
    RECORDED_EPOCHS,
    RTOL_CHOICES,
    check_certificate_prediction,
    check_predict,
    check_safe_rtol,
    check_unstandardize,
)
from linreg_utils.workflow import relative_change_epoch
from tests import lesson_numbers as numbers
from tests.exercise_answers import failure

# --- 6.1 a device-agnostic predict -------------------------------------------------------


def predict_right(model, x):
    device = next(model.parameters()).device
    with torch.no_grad():
        return model(x.to(device)).cpu()


def predict_with_inference_mode(model, x):
    with torch.inference_mode():
        return model(x.to(model.weight.device)).to("cpu")


def predict_like_the_tutorial(model, x):
    if torch.cuda.is_available():  # the checker below hides CUDA, as on a laptop
        return None
    return model(x.cuda()).data.cpu()


def predict_without_no_grad(model, x):
    return model(x.to(next(model.parameters()).device)).cpu()


def predict_detaching_instead(model, x):
    return model(x.to(next(model.parameters()).device)).detach().cpu()


def predict_on_a_device_of_its_own(model, x):
    with torch.no_grad():
        return model(x.to(torch.device("cpu"))).cpu()


def predict_forgetting_cpu(model, x):
    with torch.no_grad():
        return model(x.to(next(model.parameters()).device))


def predict_numpy(model, x):
    with torch.no_grad():
        return model(x.to(next(model.parameters()).device)).cpu().numpy()


def predict_through_numpy(model, x):  # works on the CPU only: .numpy() needs host memory
    with torch.no_grad():
        return torch.from_numpy(model(x.to(next(model.parameters()).device)).numpy())


@pytest.mark.parametrize("answer", [predict_right, predict_with_inference_mode])
def test_check_predict_accepts_device_agnostic_answers(answer, capsys):
    check_predict(answer)
    assert capsys.readouterr().out.startswith("✔ Exercise 6.1 passed")


@pytest.mark.parametrize(("answer", "message"), [
    (predict_like_the_tutorial, "calls CUDA directly"),
    (predict_without_no_grad, "requires grad"),
    (predict_detaching_instead, "autograd was on"),
    (predict_on_a_device_of_its_own, "not the model's device"),
    (predict_forgetting_cpu, "on the model's device"),
    (predict_numpy, "return a torch.Tensor"),
    (predict_through_numpy, "fails on a model that lives on another device"),
])
def test_check_predict_names_the_mistake(answer, message, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert message in failure(check_predict, answer)


# --- 6.2 un-standardizing ----------------------------------------------------------------


@pytest.mark.parametrize(("answer", "message"), [
    (lambda w_z, b_z, mean, std: (w_z / mean, b_z - w_z * std / mean), "swapped mean and std"),
    (lambda w_z, b_z, mean, std: (w_z * std, b_z - w_z * mean * std), "multiplied w_z by std"),
    (lambda w_z, b_z, mean, std: (w_z / std, b_z), "still b_z"),
    (lambda w_z, b_z, mean, std: (w_z / std, b_z + w_z * mean / std), "wrong sign"),
    (lambda w_z, b_z, mean, std: w_z / std, "return the pair"),
    (lambda w_z, b_z, mean, std: (w_z, b_z), "not the same line"),
    (lambda w_z, b_z, mean, std: (-0.7, 3.54), "right for one input, wrong for another"),  # hard-coded
    (lambda w_z, b_z, mean, std: ("w", "b"), "should be a number"),
])
def test_check_unstandardize_names_the_mistake(answer, message):
    assert message in failure(check_unstandardize, answer)


def test_check_unstandardize_accepts_the_formula_in_any_numeric_type(capsys):
    check_unstandardize(lambda w_z, b_z, mean, std: (w_z / std, b_z - w_z * mean / std))
    check_unstandardize(lambda w_z, b_z, mean, std: (torch.tensor(w_z / std),
                                                     torch.tensor(b_z - w_z * mean / std)))
    assert capsys.readouterr().out.count("✔ Exercise 6.2 passed") == 2


def test_unfinished_exercises_say_so():
    def stub(*args):
        raise NotImplementedError()  # nbgrader's own stub

    for check in (check_predict, check_unstandardize, check_certificate_prediction, check_safe_rtol):
        with pytest.raises(ExerciseNotDone, match=rf"Exercise {check.exercise} is not done yet"):
            check(stub)


# --- 6.3 and 6.4: on the tutorial's recorded run, and on runs the learner has not seen -------


def test_the_checkers_recompute_the_lessons_recorded_run():
    assert RECORDED_EPOCHS == numbers.L06_RECORDED_EPOCHS


def extra_epochs(lr, lam_min, squares=2):
    return math.log(10) / (-squares * math.log(1 - lr * lam_min))


@pytest.mark.parametrize("answer", [lambda e, lr, lam: e + extra_epochs(lr, lam),
                                    lambda e, lr, lam: round(e + extra_epochs(lr, lam)),
                                    lambda e, lr, lam: torch.tensor(round(e + extra_epochs(lr, lam)))])
def test_check_certificate_prediction_accepts_the_prediction(answer, capsys):
    check_certificate_prediction(answer)
    assert capsys.readouterr().out.startswith("✔ Exercise 6.3 passed")


@pytest.mark.parametrize(("answer", "message"), [
    (lambda e, lr, lam: round(extra_epochs(lr, lam)), "how many more epochs"),
    (lambda e, lr, lam: round(e + extra_epochs(lr, lam, squares=1)), "you used ρ once per epoch"),
    (lambda e, lr, lam: 10 * e, "falls geometrically"),
    (lambda e, lr, lam: round(e + extra_epochs(lr, 90.09)), "use λmin, not λmax"),
    (lambda e, lr, lam: e + 1_000, "not the epoch the real run fired at"),
    (lambda e, lr, lam: "16,000", "should be a number"),
    (lambda e, lr, lam: 16_666, "your function ignores its inputs"),  # hard-coded
    (lambda e, lr, lam: e + 4_842 if e > 10_000 else 2 * e, "right for this run, wrong for another"),
])
def test_check_certificate_prediction_names_the_mistake(answer, message):
    assert message in failure(check_certificate_prediction, answer)


def first_safe(log, gaps):
    for rtol in RTOL_CHOICES:
        epoch = relative_change_epoch(log, rtol, window=200)
        if epoch is not None and gaps[epoch - 1] <= 1e-6:
            return rtol
    return None


def test_check_safe_rtol_accepts_the_search(capsys):
    check_safe_rtol(first_safe)
    assert capsys.readouterr().out.startswith("✔ Exercise 6.4 passed")


@pytest.mark.parametrize(("answer", "message"), [
    (lambda log, gaps: 1e-6, "is not safe on the lesson's run"),
    (lambda log, gaps: 2e-8, "safe but not the largest"),
    (lambda log, gaps: 3e-8, "return one of RTOL_CHOICES"),
    (lambda log, gaps: None, "return one of RTOL_CHOICES"),
    (lambda log, gaps: 5e-8, "right for the lesson's run, not for another"),  # hard-coded
])
def test_check_safe_rtol_names_the_mistake(answer, message):
    assert message in failure(check_safe_rtol, answer)
