"""Lesson 04's checkers accept the right answers and name each mistake they claim to recognise."""

import pytest
import torch
from torch import nn

from linreg_utils.exercises import ExerciseFailed
from linreg_utils.exercises.lesson05 import check_predict, check_train, check_unstandardize

# --- 4.1 the training loop ---------------------------------------------------------------


def train_right(model, x, y, optimizer, epochs):
    loss_fn, losses = nn.MSELoss(), []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def train_without_zero_grad(model, x, y, optimizer, epochs):
    losses = []
    for _ in range(epochs):
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def train_zero_grad_after_backward(model, x, y, optimizer, epochs):
    losses = []
    for _ in range(epochs):
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
        losses.append(loss.item())
    return losses


def train_without_step(model, x, y, optimizer, epochs):
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        losses.append(loss.item())
    return losses


def train_keeping_tensors(model, x, y, optimizer, epochs):
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss)
    return losses


def train_with_summed_loss(model, x, y, optimizer, epochs):
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y, reduction="sum")
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def train_logging_late(model, x, y, optimizer, epochs):
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        optimizer.step()
        with torch.no_grad():
            losses.append(nn.functional.mse_loss(model(x), y).item())
    return losses


def test_check_train_accepts_the_seven_step_loop(capsys):
    check_train(train_right)
    assert capsys.readouterr().out.startswith("✔ Exercise 4.1 passed")


@pytest.mark.parametrize(("answer", "message"), [
    (train_without_zero_grad, "forgot optimizer.zero_grad()"),
    (train_zero_grad_after_backward, "erases it"),
    (train_without_step, "did you call optimizer.step()"),
    (train_keeping_tensors, "holds tensors"),
    (train_with_summed_loss, "the mean, not the sum"),
    (train_logging_late, "one epoch late"),
])
def test_check_train_names_the_mistake(answer, message):
    with pytest.raises(ExerciseFailed, match=r"Exercise 4\.1") as info:
        check_train(answer)
    assert message in str(info.value)


# --- 4.2 a device-agnostic predict -------------------------------------------------------


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


@pytest.mark.parametrize("answer", [predict_right, predict_with_inference_mode])
def test_check_predict_accepts_device_agnostic_answers(answer, capsys):
    check_predict(answer)
    assert capsys.readouterr().out.startswith("✔ Exercise 4.2 passed")


@pytest.mark.parametrize(("answer", "message"), [
    (predict_like_the_tutorial, "crashes on a machine without a GPU"),
    (predict_without_no_grad, "requires grad"),
    (predict_detaching_instead, "autograd was on"),
    (predict_on_a_device_of_its_own, "move x to the model's device"),
    (predict_forgetting_cpu, "CUDA tensor"),
    (predict_numpy, "return a torch.Tensor"),
])
def test_check_predict_names_the_mistake(answer, message, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ExerciseFailed, match=r"Exercise 4\.2") as info:
        check_predict(answer)
    assert message in str(info.value)


# --- 4.3 un-standardizing ----------------------------------------------------------------


@pytest.mark.parametrize(("answer", "message"), [
    (lambda w_z, b_z, mean, std: (w_z / mean, b_z - w_z * std / mean), "swapped mean and std"),
    (lambda w_z, b_z, mean, std: (w_z * std, b_z - w_z * mean * std), "multiplied w_z by std"),
    (lambda w_z, b_z, mean, std: (w_z / std, b_z), "still b_z"),
    (lambda w_z, b_z, mean, std: (w_z / std, b_z + w_z * mean / std), "wrong sign"),
    (lambda w_z, b_z, mean, std: w_z / std, "return the pair"),
    (lambda w_z, b_z, mean, std: (w_z, b_z), "expected w = w_z/std"),
])
def test_check_unstandardize_names_the_mistake(answer, message):
    with pytest.raises(ExerciseFailed, match=r"Exercise 4\.3") as info:
        check_unstandardize(answer)
    assert message in str(info.value)


def test_check_unstandardize_accepts_the_formula(capsys):
    check_unstandardize(lambda w_z, b_z, mean, std: (w_z / std, b_z - w_z * mean / std))
    assert capsys.readouterr().out.startswith("✔ Exercise 4.3 passed")


def test_unfinished_exercises_say_so():
    def stub(*args):
        raise NotImplementedError("Exercise 4.2: write predict")

    for check in (check_train, check_predict, check_unstandardize):
        with pytest.raises(NotImplementedError, match="not done yet"):
            check(stub)
