"""Checks for lesson 07's exercises: the noise floor at a new batch size and lr, the lr that keeps a
floor, and the halving period of a step schedule.

Each checker runs the learner's function on data it has not seen (a fresh data set, measured
there, or random inputs), compares the answer with the truth and with the usual wrong routes, and
says in words which one the answer took.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from ..data import make_regression, standardize
from ..stochastic import epoch_means, noise_floor, sgd_noise_floor, simulate_sgd
from .framework import as_number, call_answer, checker, fail, passed

PERIODS = (1, 2, 5, 10)
"""The halving periods (in epochs) Exercise 7.3 chooses from."""


FLOOR_FROM = (20, 0.1)
"""Exercise 7.1 starts from the floor measured at this (batch size, lr) ..."""
FLOOR_TO = (50, 0.3)
"""... and asks for the floor at this one."""


def fresh_data(n: int, noise: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A standardized data set the learner has not seen: ``n`` points of the line −x + 0.5, ``(n, 1)``
    each."""
    x, y = make_regression(n=n, slope=-1.0, intercept=0.5, noise=noise, seed=seed)
    return standardize(x)[0], y


def measured_floor(x: torch.Tensor, y: torch.Tensor, batch_size: int, lr: float,
                   seed: int) -> tuple[float, float]:
    """The floor of SGD with replacement at ``(batch_size, lr)`` on ``x, y``: mean and standard error over
    16 replicas, 6 epochs, the first skipped."""
    runs = simulate_sgd(x, y, batch_size, lr, 6, replacement=True, replicas=16, seed=seed)
    return noise_floor(runs, skip_epochs=1)


_FLOOR_MISTAKES = [  # (factor applied to floor_20, diagnosis, advice)
    ((0.3 / 0.1) * 20 / 50, "you scaled by the lr ratio alone",
     "The floor grows like lr/(1 − lr), not like lr: at lr = 0.3 the 1/(1 − lr) is 1/0.7, not 1/0.9."),
    (20 / 50, "you changed only the batch size",
     "The lr went from 0.1 to 0.3 too, and the floor grows with it."),
    ((0.3 / 0.7) / (0.1 / 0.9), "you changed only the lr",
     "The batch also grew from 20 to 50, and averaging more points lowers the floor."),
    ((0.3 / 0.7) / (0.1 / 0.9) * 50 / 20, "the batch size points the wrong way",
     "Averaging B points divides the gradient noise's variance by B: a larger batch lowers the floor."),
    ((0.3 / 0.7) / (0.1 / 0.9) * math.sqrt(20 / 50), "the floor falls like 1/B, not 1/√B",
     "B divides the noise's variance, and the floor is proportional to that variance."),
]


@checker("7.1", function="predict_floor", hints=(
    "The lesson's floor formula has three ingredients: σ², the lr (as lr/(1 − lr)) and the batch size B. "
    "Only the last two change here.",
    "Write the floor formula at (B = 20, lr = 0.1) and at (B = 50, lr = 0.3), divide one by the other: σ² "
    "cancels, and what is left is a number to multiply floor_20 by.",
    "Multiply floor_20 by that ratio inside your function (floor_20 is its argument), and check the "
    "direction: is the new floor above or below the old one?",
))
def check_floor_prediction(predict_floor: Callable) -> None:
    """Exercise 7.1: ``predict_floor(floor_20) -> float``, the floor at B = 50, lr = 0.3 predicted from
    ``floor_20``, measured at B = 20, lr = 0.1 (with replacement). Judged on floors measured on a data
    set the learner has not seen, then measured at B = 50, lr = 0.3 there."""
    ex = "7.1"
    (b0, lr0), (b1, lr1) = FLOOR_FROM, FLOOR_TO
    x, y = fresh_data(n=2_000, noise=0.8, seed=11)
    floor_20 = measured_floor(x, y, b0, lr0, seed=20)[0]
    got = as_number(ex, call_answer(ex, predict_floor, floor_20), "the floor your function returns")
    want = floor_20 * (lr1 / (1 - lr1)) / (lr0 / (1 - lr0)) * b0 / b1
    if abs(got / want - 1) > 0.02:
        for factor, diagnosis, advice in _FLOOR_MISTAKES:
            if abs(got / (floor_20 * factor) - 1) <= 0.02:
                fail(ex, diagnosis, advice)
        fail(ex, "not how the floor scales to (50, 0.3)",
             f"From a floor of {floor_20:.2e} your function predicted {got:.2e}. Write the floor formula for "
             "both settings and divide one by the other: σ² cancels.")
    other = as_number(ex, call_answer(ex, predict_floor, 2.5 * floor_20), "the floor your function returns")
    if abs(other / (2.5 * got) - 1) > 0.02:
        fail(ex, "your function ignores floor_20",
             "Twice the floor at B = 20 means twice the floor at B = 50: compute the prediction from the "
             "argument, not from a number you measured.")
    mean, stderr = measured_floor(x, y, b1, lr1, seed=50)
    formula = sgd_noise_floor(x, y, lr1, b1, replacement=True)
    passed(ex, f"on a data set you had not seen, from its floor {floor_20:.2e} at B = {b0}, lr = {lr0} you "
           f"predicted {got:.2e} ({got / floor_20:.2f} ×); measured at B = {b1}, lr = {lr1}: {mean:.2e} ± "
           f"{stderr:.0e} (formula {formula:.2e}).")


def _keeping(lr: float, batch_size: int, new_batch_size: int) -> float:
    ratio = new_batch_size / batch_size * lr / (1 - lr)
    return ratio / (1 + ratio)


def keeping_cases(count: int = 3, seed: int = 7) -> list[tuple[float, int, int]]:
    """Exercise 7.2's inputs ``(lr, batch_size, new_batch_size)``: three fixed ones, ``count`` random
    ones."""
    rng = np.random.default_rng(seed)
    batches = rng.choice([8, 10, 16, 20, 32, 50, 64, 100, 128, 200, 256, 500], size=(count, 2))
    lrs = rng.uniform(0.005, 0.3, count).round(4)
    return [(0.05, 20, 200), (0.01, 20, 50), (0.1, 200, 100)] + [
        (float(lr), int(b), int(new)) for lr, (b, new) in zip(lrs, batches, strict=True)]


@checker("7.2", function="lr_keeping_floor", hints=(
    "The floor is 2ησ²/(B(1 − η)): σ² does not change with the batch, so the floor stays the same exactly "
    "when η/(B(1 − η)) does.",
    "Set η'/(B'(1 − η')) equal to η/(B(1 − η)); the right side is a number you can compute from the "
    "function's three arguments.",
    "Solve that equation for η': call the known side r, then η'/(1 − η') = B'·r is a linear equation in η' "
    "once you multiply out the denominator.",
))
def check_lr_keeping_floor(lr_keeping_floor: Callable) -> None:
    """Exercise 7.2: ``lr_keeping_floor(lr, batch_size, new_batch_size) -> float`` with the same
    floor ``2 lr σ² / (B (1 − lr))`` at ``new_batch_size``, on fixed and random inputs."""
    ex = "7.2"
    for lr, batch, new in keeping_cases():
        got = as_number(ex, call_answer(ex, lr_keeping_floor, lr, batch, new), "the lr your function returns")
        if math.isclose(got, _keeping(lr, batch, new), rel_tol=1e-6):
            continue
        k, case = new / batch, f"For lr = {lr}, B = {batch} → {new} your function returned {got:.4g}"
        if math.isclose(got, lr * k, rel_tol=1e-6):
            fail(ex, "that is the linear scaling rule lr·B'/B",
                 f"{case}. It keeps lr/B, but the floor goes like lr/(B(1 − lr)).")
        if math.isclose(got, lr * math.sqrt(k), rel_tol=1e-6):
            fail(ex, "that is square-root scaling",
                 f"{case}. It keeps the noise of one step's update, not the floor, which goes like "
                 "lr/(B(1 − lr)).")
        if math.isclose(got, lr / k, rel_tol=1e-6):
            fail(ex, "wrong direction",
                 f"{case}: a larger batch has less noise, so it can afford a larger lr.")
        if not 0 < got < 1:
            fail(ex, "an lr outside (0, 1)",
                 f"{case}. On standardized x SGD settles only for 0 < lr < 1 (its floor has 1 − lr in the "
                 "denominator), so this cannot keep a floor: look for a sign slip in your algebra.")
        fail(ex, "not the lr that keeps the floor",
             f"{case}, whose floor differs from the old one: write both floors, set them equal and "
             "solve for the new lr.")
    passed(ex, f"on {len(keeping_cases())} inputs; e.g. lr = 0.05 at B = 20 keeps its floor at B = 200 with "
           f"lr = {_keeping(0.05, 20, 200):.4f} (linear scaling would say 0.5).")


def halving_gaps(x: torch.Tensor, y: torch.Tensor, periods: tuple[int, ...] = PERIODS,
                 per_step: bool = False) -> dict[int, float]:
    """Exercise 7.3's experiment: B = 20, lr = 0.1 halved every ``period`` epochs, 30 epochs from
    ``(0, 0)``, 8 shuffled replicas; the gap averaged over the last epoch, per period.
    ``per_step=True``: the usual slip, halving every ``period`` optimizer *steps* instead."""
    steps = 1 if per_step else len(x) // 20
    out = {}
    for period in periods:
        runs = simulate_sgd(x, y, 20, lambda k, p=period: 0.1 * 0.5 ** (k // (p * steps)), 30,
                            replicas=8, seed=6, start=(0.0, 0.0))
        out[period] = float(epoch_means(runs)[-1])
    return out


HALVING_DATA = ((3_000, 1.0, 5), (100, 0.5, 1))
"""Exercise 7.3's data sets ``(n, noise, seed)``: with 100 steps an epoch halving every 2 epochs ends
lowest, with 5 steps an epoch every 5 (by wide margins)."""


@checker("7.3", function="best_period", hints=(
    "Run simulate_sgd once per period in PERIODS, with the lr given as a function of the step k, and "
    "compare the gap averaged over the last epoch.",
    "A step schedule halves the lr every period·(steps per epoch) steps; an epoch has len(x) // 20 steps "
    "at B = 20, so compute it from the data your function receives.",
    "Keep the last-epoch gap of each period in a dict and return the period whose gap is smallest; the "
    "check calls your function on data sets with different numbers of points.",
))
def check_halving_period(best_period: Callable) -> None:
    """Exercise 7.3: ``best_period(x, y) -> int``, the period in :data:`PERIODS` whose step schedule
    ends 30 epochs with the lowest gap, on data sets the learner has not seen."""
    ex = "7.3"
    found = []
    for n, noise, seed in HALVING_DATA:
        x, y = fresh_data(n=n, noise=noise, seed=seed)
        got = call_answer(ex, best_period, x, y)
        if isinstance(got, torch.Tensor | np.generic):
            got = as_number(ex, got, "the period your function returns")
        if isinstance(got, bool) or got not in PERIODS:
            fail(ex, "return one of PERIODS", f"{PERIODS}; your function returned {got!r}.")
        gaps = halving_gaps(x, y)
        best = min(gaps, key=gaps.get)
        if got != best:
            if found:
                fail(ex, "right for one data set, not for another",
                     f"With {n} points (an epoch of {n // 20} steps) your function returned the same period "
                     "again: let it run the experiment on the data it receives instead of returning a fixed "
                     "period.")
            slip = halving_gaps(x, y, per_step=True)
            if got == min(slip, key=slip.get) and got > best:
                fail(ex, "too slow, or halving per step, not per epoch",
                     "Either the lr is still large after 30 epochs, or — the usual slip — your lr function "
                     "receives the step index k and halves every `period` optimizer steps: then every run "
                     "freezes almost at its start and the slowest halving looks best. Print the lr your "
                     "schedule gives at the end of the first epoch to tell which.")
            if got < best:
                fail(ex, f"halving every {got} epoch(s) is too fast",
                     "The lr shrinks so fast that the iterates freeze before reaching the lower floors: "
                     "compare the last epoch's gaps of every period.")
            fail(ex, f"halving every {got} epochs is too slow",
                 "After 30 epochs the lr is still large, and the floor grows with the lr: compare the last "
                 "epoch's gaps of every period.")
        found.append((n, best, gaps))
    shown = "; ".join(f"{n} points: every {best} (" + ", ".join(f"{p}: {g:.1e}" for p, g in gaps.items())
                      + ")" for n, best, gaps in found)
    passed(ex, f"the best period depends on the steps an epoch has. Gaps after 30 epochs by period on data "
           f"you had not seen, {shown}.")
