"""Lesson 06's checkers accept the right answers and name each mistake they claim to recognise."""

import math

import pytest
import torch

from linreg_utils.exercises import ExerciseFailed
from linreg_utils.exercises.lesson06 import (
    check_certificate_prediction,
    check_predict,
    check_safe_rtol,
    check_unstandardize,
)
from linreg_utils.workflow import relative_change_epoch

# --- 5.1 a device-agnostic predict -------------------------------------------------------


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
    (predict_like_the_tutorial, "crashes on a machine without a GPU"),
    (predict_without_no_grad, "requires grad"),
    (predict_detaching_instead, "autograd was on"),
    (predict_on_a_device_of_its_own, "move x to the model's device"),
    (predict_forgetting_cpu, "CUDA tensor"),
    (predict_numpy, "return a torch.Tensor"),
    (predict_through_numpy, "on a model that lives on another device"),
])
def test_check_predict_names_the_mistake(answer, message, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ExerciseFailed, match=r"Exercise 6\.1") as info:
        check_predict(answer)
    assert message in str(info.value)


# --- 5.2 un-standardizing ----------------------------------------------------------------


@pytest.mark.parametrize(("answer", "message"), [
    (lambda w_z, b_z, mean, std: (w_z / mean, b_z - w_z * std / mean), "swapped mean and std"),
    (lambda w_z, b_z, mean, std: (w_z * std, b_z - w_z * mean * std), "multiplied w_z by std"),
    (lambda w_z, b_z, mean, std: (w_z / std, b_z), "still b_z"),
    (lambda w_z, b_z, mean, std: (w_z / std, b_z + w_z * mean / std), "wrong sign"),
    (lambda w_z, b_z, mean, std: w_z / std, "return the pair"),
    (lambda w_z, b_z, mean, std: (w_z, b_z), "expected w = w_z/std"),
])
def test_check_unstandardize_names_the_mistake(answer, message):
    with pytest.raises(ExerciseFailed, match=r"Exercise 6\.2") as info:
        check_unstandardize(answer)
    assert message in str(info.value)


def test_check_unstandardize_accepts_the_formula(capsys):
    check_unstandardize(lambda w_z, b_z, mean, std: (w_z / std, b_z - w_z * mean / std))
    assert capsys.readouterr().out.startswith("✔ Exercise 6.2 passed")


def test_unfinished_exercises_say_so():
    def stub(*args):
        raise NotImplementedError("Exercise 6.1: write predict")

    for check in (check_predict, check_unstandardize):
        with pytest.raises(NotImplementedError, match="not done yet"):
            check(stub)


# --- 5.3 and 5.4: on the tutorial's recorded run ------------------------------------------


def extra_epochs(lr, lam_min, squares=2):
    return math.log(10) / (-squares * math.log(1 - lr * lam_min))


@pytest.mark.parametrize(("answer", "message"), [
    (lambda e, lr, lam: e + extra_epochs(lr, lam), None),
    (lambda e, lr, lam: round(e + extra_epochs(lr, lam)), None),
    (lambda e, lr, lam: round(extra_epochs(lr, lam)), "how many MORE epochs"),
    (lambda e, lr, lam: round(e + extra_epochs(lr, lam, squares=1)), "shrinks by ρ² per epoch"),
    (lambda e, lr, lam: 10 * e, "falls geometrically"),
    (lambda e, lr, lam: round(e + extra_epochs(lr, 90.09)), "λmin (not λmax)"),
    (lambda e, lr, lam: e + 1_000, "expected about"),
    (lambda e, lr, lam: "16,000", "should be a number"),
])
def test_check_certificate_prediction(tutorial_run, answer, message, capsys):
    log, _, lam_min = tutorial_run
    if message is None:
        check_certificate_prediction(answer, log, lam_min)
        assert capsys.readouterr().out.startswith("✔ Exercise 6.3 passed")
        return
    with pytest.raises(ExerciseFailed, match=r"Exercise 6\.3") as info:
        check_certificate_prediction(answer, log, lam_min)
    assert message in str(info.value)


def first_safe(log, gaps):
    from linreg_utils.exercises.lesson06 import RTOL_CHOICES

    for rtol in RTOL_CHOICES:
        epoch = relative_change_epoch(log, rtol, window=200)
        if epoch is not None and gaps[epoch - 1] <= 1e-6:
            return rtol
    return None


@pytest.mark.parametrize(("answer", "message"), [
    (first_safe, None),
    (lambda log, gaps: 1e-6, "that is not within 1e-6"),
    (lambda log, gaps: 2e-8, "not the largest safe choice"),
    (lambda log, gaps: 3e-8, "return one of RTOL_CHOICES"),
    (lambda log, gaps: None, "return one of RTOL_CHOICES"),
])
def test_check_safe_rtol(tutorial_run, answer, message, capsys):
    log, gaps, _ = tutorial_run
    if message is None:
        check_safe_rtol(answer, log, gaps)
        assert capsys.readouterr().out.startswith("✔ Exercise 6.4 passed")
        return
    with pytest.raises(ExerciseFailed, match=r"Exercise 6\.4") as info:
        check_safe_rtol(answer, log, gaps)
    assert message in str(info.value)
