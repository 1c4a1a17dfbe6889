"""Lesson 02's checkers accept the right answers and name each mistake they claim to recognise."""

import math

import pytest
import torch

from linreg_utils.exercises import ExerciseFailed
from linreg_utils.exercises.lesson02 import check_critical_lr, check_gd_step, check_steps_needed


def grads(w, b, x, y):
    r = w * x + b - y
    return 2 * torch.mean(r * x).item(), 2 * torch.mean(r).item()


def right_step(w, b, x, y, lr):
    gw, gb = grads(w, b, x, y)
    return w - lr * gw, b - lr * gb


def autograd_step(w, b, x, y, lr):
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    torch.mean((wt * x + bt - y) ** 2).backward()
    with torch.no_grad():
        return wt - lr * wt.grad, bt - lr * bt.grad  # 0-d tensors are accepted


@pytest.mark.parametrize("answer", [right_step, autograd_step])
def test_gd_step_passes_right_answers(answer, capsys):
    check_gd_step(answer)
    assert capsys.readouterr().out.startswith("✔ Exercise 2.1 passed")


GD_MISTAKES = {
    "the sign is wrong: your step increased the loss":
        lambda w, b, x, y, lr: (w + lr * grads(w, b, x, y)[0], b + lr * grads(w, b, x, y)[1]),
    "summed instead of averaging":
        lambda w, b, x, y, lr: (w - lr * len(x) * grads(w, b, x, y)[0],
                                b - lr * len(x) * grads(w, b, x, y)[1]),
    "half the right size":
        lambda w, b, x, y, lr: (w - lr * grads(w, b, x, y)[0] / 2, b - lr * grads(w, b, x, y)[1] / 2),
    "each other's gradient":
        lambda w, b, x, y, lr: (w - lr * grads(w, b, x, y)[1], b - lr * grads(w, b, x, y)[0]),
    "returned the gradient": lambda w, b, x, y, lr: grads(w, b, x, y),
    "check b's gradient": lambda w, b, x, y, lr: (right_step(w, b, x, y, lr)[0], b),
    "return the pair": lambda w, b, x, y, lr: right_step(w, b, x, y, lr)[0],
    "should be a number": lambda w, b, x, y, lr: ("w", "b"),
}


@pytest.mark.parametrize("hint", list(GD_MISTAKES))
def test_gd_step_names_each_mistake(hint):
    with pytest.raises(ExerciseFailed, match=r"Exercise 2\.1 is not right yet") as info:
        check_gd_step(GD_MISTAKES[hint])
    assert hint in str(info.value)


def test_gd_step_stub_says_not_done():
    def stub(w, b, x, y, lr):
        raise NotImplementedError("Exercise 2.1: one GD step")

    with pytest.raises(NotImplementedError, match=r"Exercise 2\.1 is not done yet"):
        check_gd_step(stub)


def test_critical_lr_passes_right_answer(capsys):
    check_critical_lr(lambda h: 2.0 / torch.linalg.eigvalsh(h)[-1])
    assert capsys.readouterr().out.startswith("✔ Exercise 2.2 passed")


CRIT_MISTAKES = {
    "used λmin instead of λmax": lambda h: 2.0 / torch.linalg.eigvalsh(h)[0].item(),
    "half the critical lr": lambda h: 1.0 / torch.linalg.eigvalsh(h)[-1].item(),
    "λmax itself": lambda h: torch.linalg.eigvalsh(h)[-1].item() / 2,
    "lr above 2/λmax": lambda h: 2.2 / torch.linalg.eigvalsh(h)[-1].item(),
    "diagonal entry": lambda h: 2.0 / torch.trace(h).item(),
    "expected 2/λmax": lambda h: 0.5 / torch.linalg.eigvalsh(h)[-1].item(),
}


@pytest.mark.parametrize("hint", list(CRIT_MISTAKES))
def test_critical_lr_names_each_mistake(hint):
    with pytest.raises(ExerciseFailed, match=r"Exercise 2\.2 is not right yet") as info:
        check_critical_lr(CRIT_MISTAKES[hint])
    assert hint in str(info.value)


def right_steps(rate, factor):
    return math.inf if rate >= 1 else math.ceil(math.log(factor) / math.log(rate))


def test_steps_needed_passes_right_answer(capsys):
    check_steps_needed(right_steps)
    assert capsys.readouterr().out.startswith("✔ Exercise 2.3 passed")


STEPS_MISTAKES = {
    "upside down": lambda r, f: math.log(r) / math.log(f) if r < 1 else math.inf,
    "fractional step does not exist": lambda r, f: math.log(f) / math.log(r) if r < 1 else math.inf,
    "one step short": lambda r, f: math.floor(math.log(f) / math.log(r)) if r < 1 else math.inf,
    "negative count": lambda r, f: -right_steps(r, f) if r < 1 else math.inf,
    "return math.inf": lambda r, f: math.ceil(math.log(f) / math.log(r)),
    "you returned inf": lambda r, f: math.inf,
}


@pytest.mark.parametrize("hint", list(STEPS_MISTAKES))
def test_steps_needed_names_each_mistake(hint):
    with pytest.raises(ExerciseFailed, match=r"Exercise 2\.3 is not right yet") as info:
        check_steps_needed(STEPS_MISTAKES[hint])
    assert hint in str(info.value)
