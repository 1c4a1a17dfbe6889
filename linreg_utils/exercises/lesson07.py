"""Checks for lesson 07's exercises: the noise floor at a new batch size and lr, the lr that keeps a
floor, and the halving period of a step schedule.

Each checker compares the answer with the truth and with the usual wrong routes, and says in
words which one the answer took.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..stochastic import epoch_means, noise_floor, sgd_noise_floor, simulate_sgd
from . import as_number, call_answer, fail, passed

PERIODS = (1, 2, 5, 10)
"""The halving periods (in epochs) Exercise 7.3 chooses from."""


FLOOR_FROM = (20, 0.1)
"""Exercise 7.1 starts from the floor measured at this (batch size, lr) ..."""
FLOOR_TO = (50, 0.3)
"""... and asks for the floor at this one."""


def check_floor_prediction(predict_floor: Callable, x: torch.Tensor, y: torch.Tensor,
                           floor_20: float) -> None:
    """Exercise 7.1: ``predict_floor(floor_20) -> float``, the floor at B = 50, lr = 0.3 predicted
    from ``floor_20``, the floor measured at B = 20, lr = 0.1 (with replacement, data ``x, y``);
    then measured at B = 50, lr = 0.3."""
    (b0, lr0), (b1, lr1) = FLOOR_FROM, FLOOR_TO
    floor_20 = as_number("7.1", floor_20, "floor_20")
    got = as_number("7.1", call_answer("7.1", predict_floor, floor_20), "the floor your function returns")
    lr_factor = (lr1 / (1 - lr1)) / (lr0 / (1 - lr0))  # the floor goes like lr / (B (1 − lr))
    want = floor_20 * lr_factor * b0 / b1
    if abs(got / want - 1) <= 0.02:
        mean, stderr = noise_floor(simulate_sgd(x, y, b1, lr1, 6, replacement=True, replicas=16, seed=50),
                                   skip_epochs=1)
        formula = sgd_noise_floor(x, y, lr1, b1, replacement=True)
        passed("7.1", f"you predicted {got:.2e} ({got / floor_20:.2f} × the floor at B = {b0}); "
               f"measured at B = {b1}, lr = {lr1}: {mean:.2e} ± {stderr:.0e} (formula {formula:.2e}).")
        return
    for factor, hint in [
        ((lr1 / lr0) * b0 / b1, "you scaled by the lr ratio alone, but the floor goes like lr/(1 − lr): "
                                "1/(1 − lr) is 1/0.7 at lr = 0.3, not 1/0.9."),
        (b0 / b1, f"you changed only the batch size: the lr went from {lr0} to {lr1} too, and the floor "
                  "grows like lr/(1 − lr)."),
        (lr_factor, f"you changed only the lr: the batch also grew from {b0} to {b1}, and the floor "
                    "falls like 1/B."),
        (lr_factor * b1 / b0, "the batch size belongs in the denominator: averaging B points divides "
                              "the gradient noise's variance by B, so a larger batch lowers the floor."),
        (lr_factor * math.sqrt(b0 / b1), "the floor falls like 1/B, not 1/√B: B divides the noise's "
                                          "variance, and the floor is proportional to that variance."),
    ]:
        if abs(got / (floor_20 * factor) - 1) <= 0.02:
            fail("7.1", hint)
    fail("7.1", f"expected floor_20 × [lr'/(1 − lr')] / [lr/(1 − lr)] × B/B' = {want:.2e}, got {got:.2e}.")


def _keeping(lr: float, batch_size: int, new_batch_size: int) -> float:
    ratio = new_batch_size / batch_size * lr / (1 - lr)
    return ratio / (1 + ratio)


def check_lr_keeping_floor(lr_keeping_floor: Callable) -> None:
    """Exercise 7.2: ``lr_keeping_floor(lr, batch_size, new_batch_size) -> float`` with the same
    floor ``2 lr σ² / (B (1 − lr))`` at ``new_batch_size``."""
    cases = [(0.05, 20, 200), (0.01, 20, 50), (0.1, 200, 100)]
    for lr, batch, new in cases:
        got = as_number("7.2", call_answer("7.2", lr_keeping_floor, lr, batch, new),
                        "the lr your function returns")
        want = _keeping(lr, batch, new)
        if math.isclose(got, want, rel_tol=1e-6):
            continue
        k = new / batch
        if math.isclose(got, lr * k, rel_tol=1e-6):
            fail("7.2", f"lr·B'/B = {got:.4f} is the linear scaling rule: it keeps lr/B, but the floor "
                 "is lr/(B(1 − lr)), so solve lr'/(1 − lr') = (B'/B)·lr/(1 − lr) for lr'.")
        if math.isclose(got, lr * math.sqrt(k), rel_tol=1e-6):
            fail("7.2", "square-root scaling keeps the noise of one step's update, not the floor, "
                 "which goes like lr/(B(1 − lr)).")
        if math.isclose(got, lr / k, rel_tol=1e-6):
            fail("7.2", "wrong direction: a larger batch has less noise, so it can afford a larger lr.")
        fail("7.2", f"for lr = {lr}, B = {batch} → {new} expected {want:.4f}, got {got:.4f}: solve "
             "lr'/(1 − lr') = (B'/B)·lr/(1 − lr).")
    passed("7.2", f"lr = 0.05 at B = 20 keeps its floor at B = 200 with lr = {_keeping(0.05, 20, 200):.4f} "
           "(linear scaling would say 0.5).")


def halving_gaps(x: torch.Tensor, y: torch.Tensor, periods: tuple[int, ...] = PERIODS) -> dict[int, float]:
    """Exercise 7.3's experiment: B = 20, lr = 0.1 halved every ``period`` epochs, 30 epochs from
    ``(0, 0)``, 8 shuffled replicas; the gap averaged over the last epoch, per period."""
    steps = len(x) // 20
    out = {}
    for period in periods:
        runs = simulate_sgd(x, y, 20, lambda k, p=period: 0.1 * 0.5 ** (k // (p * steps)), 30,
                            replicas=8, seed=6, start=(0.0, 0.0))
        out[period] = float(epoch_means(runs)[-1])
    return out


def check_halving_period(best_period: Callable, x: torch.Tensor, y: torch.Tensor) -> None:
    """Exercise 7.3: ``best_period(x, y) -> int``, the period in :data:`PERIODS` whose step
    schedule ends 30 epochs with the lowest gap."""
    got = call_answer("7.3", best_period, x, y)
    if got not in PERIODS:
        fail("7.3", f"return one of PERIODS {PERIODS}, got {got!r}")
    gaps = halving_gaps(x, y)
    best = min(gaps, key=gaps.get)
    if got == best:
        shown = ", ".join(f"{p}: {g:.1e}" for p, g in gaps.items())
        passed("7.3", f"halving every {best} epochs ends lowest (gap after 30 epochs by period: {shown}).")
        return
    if got < best:
        fail("7.3", f"halving every {got} epoch(s) ends higher than every {best}: the lr shrinks so fast "
             "that the iterates freeze before reaching the lower floors. Compare the last epoch's gaps.")
    fail("7.3", f"halving every {got} epochs leaves the lr large after 30 epochs, and the floor "
         "grows with the lr. Try faster halving, and compare the last epoch's gaps.")
