"""Checks for lesson 06's exercises: the noise floor at a new batch size, the lr that keeps a
floor, and the halving period of a step schedule.

Each checker compares the answer with the truth and with the usual wrong routes, and says in
words which one the answer took.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from ..stochastic import sgd_noise_floor, simulate_sgd
from ..theory import closed_form_fit, mse
from . import call_answer, fail, passed

PERIODS = (1, 2, 5, 10)
"""The halving periods (in epochs) Exercise 6.3 chooses from."""


def _number(exercise: str, got: object) -> float:
    if isinstance(got, bool) or not isinstance(got, int | float | np.integer | np.floating):
        fail(exercise, f"return a number, got {got!r}")
    if not math.isfinite(got):
        fail(exercise, f"return a finite number, got {got!r}")
    return float(got)


def check_floor_prediction(predict_floor: Callable, x: torch.Tensor, y: torch.Tensor) -> None:
    """Exercise 6.1: ``predict_floor(batch_size, lr, sigma2) -> float``, the floor at B = 50,
    lr = 0.1 on the lesson's standardized data ``x, y``; then measured with replacement."""
    batch_size, lr = 50, 0.1
    sigma2 = mse(x, y, *closed_form_fit(x, y))  # the noise variance the line cannot explain
    got = _number("6.1", call_answer("6.1", predict_floor, batch_size, lr, sigma2))
    want = sgd_noise_floor(x, y, lr, batch_size, replacement=True)
    if abs(got / want - 1) <= 0.05:
        mean, stderr = simulate_sgd(x, y, batch_size, lr, 6, replacement=True, replicas=16,
                                    seed=50).floor(skip_epochs=1)
        passed("6.1", f"you predicted {got:.2e}; measured with replacement: {mean:.2e} ± {stderr:.0e}.")
        return
    approx = 2 * lr * sigma2 / (batch_size * (1 - lr))
    for factor, hint in [
        (1 - lr, "you left out the 1/(1 − lr) factor: the iteration's own contraction (1 − lr·λ)² "
                 "is 1 − 4 lr + 4 lr², not 1 − 4 lr."),
        (0.5, "half the floor: the gap is ½ tr(HΣ) with H = 2I, so the 2 of the Hessian stays."),
        (math.sqrt(1 / sigma2), "use the noise variance σ² (the optimal MSE), not its square root σ."),
        (50 / 20, "that is the floor at B = 20: the floor falls like 1/B, so B = 50 gives 20/50 of it."),
        (50 * 50, "the batch size belongs in the denominator: averaging B points divides the "
                  "gradient noise's variance by B."),
    ]:
        if abs(got / (approx * factor) - 1) <= 0.05:
            fail("6.1", hint)
    fail("6.1", f"expected about 2·lr·σ²/(B·(1 − lr)) = {approx:.2e}, got {got:.2e}.")


def _keeping(lr: float, batch_size: int, new_batch_size: int) -> float:
    ratio = new_batch_size / batch_size * lr / (1 - lr)
    return ratio / (1 + ratio)


def check_lr_keeping_floor(lr_keeping_floor: Callable) -> None:
    """Exercise 6.2: ``lr_keeping_floor(lr, batch_size, new_batch_size) -> float`` with the same
    floor ``2 lr σ² / (B (1 − lr))`` at ``new_batch_size``."""
    cases = [(0.05, 20, 200), (0.01, 20, 50), (0.1, 200, 100)]
    for lr, batch, new in cases:
        got = _number("6.2", call_answer("6.2", lr_keeping_floor, lr, batch, new))
        want = _keeping(lr, batch, new)
        if math.isclose(got, want, rel_tol=1e-6):
            continue
        k = new / batch
        if math.isclose(got, lr * k, rel_tol=1e-6):
            fail("6.2", f"lr·B'/B = {got:.4f} is the linear scaling rule: it keeps lr/B, but the floor "
                 "is lr/(B(1 − lr)), so solve lr'/(1 − lr') = (B'/B)·lr/(1 − lr) for lr'.")
        if math.isclose(got, lr * math.sqrt(k), rel_tol=1e-6):
            fail("6.2", "square-root scaling keeps the noise of one step's update, not the floor, "
                 "which goes like lr/(B(1 − lr)).")
        if math.isclose(got, lr / k, rel_tol=1e-6):
            fail("6.2", "wrong direction: a larger batch has less noise, so it can afford a larger lr.")
        fail("6.2", f"for lr = {lr}, B = {batch} → {new} expected {want:.4f}, got {got:.4f}: solve "
             "lr'/(1 − lr') = (B'/B)·lr/(1 − lr).")
    passed("6.2", f"lr = 0.05 at B = 20 keeps its floor at B = 200 with lr = {_keeping(0.05, 20, 200):.4f} "
           "(linear scaling would say 0.5).")


def halving_gaps(x: torch.Tensor, y: torch.Tensor, periods: tuple[int, ...] = PERIODS) -> dict[int, float]:
    """Exercise 6.3's experiment: B = 20, lr = 0.1 halved every ``period`` epochs, 30 epochs from
    ``(0, 0)``, 8 shuffled replicas; the gap averaged over the last epoch, per period."""
    steps = len(x) // 20
    out = {}
    for period in periods:
        runs = simulate_sgd(x, y, 20, lambda k, p=period: 0.1 * 0.5 ** (k // (p * steps)), 30,
                            replicas=8, seed=6, start=(0.0, 0.0))
        out[period] = float(runs.epoch_means()[-1])
    return out


def check_halving_period(best_period: Callable, x: torch.Tensor, y: torch.Tensor) -> None:
    """Exercise 6.3: ``best_period(x, y) -> int``, the period in :data:`PERIODS` whose step
    schedule ends 30 epochs with the lowest gap."""
    got = call_answer("6.3", best_period, x, y)
    if got not in PERIODS:
        fail("6.3", f"return one of PERIODS {PERIODS}, got {got!r}")
    gaps = halving_gaps(x, y)
    best = min(gaps, key=gaps.get)
    if got == best:
        shown = ", ".join(f"{p}: {g:.1e}" for p, g in gaps.items())
        passed("6.3", f"halving every {best} epochs ends lowest (gap after 30 epochs by period: {shown}).")
        return
    if got < best:
        fail("6.3", f"halving every {got} epoch(s) ends higher than every {best}: the lr shrinks so fast "
             "that the iterates freeze before reaching the lower floors. Compare the last epoch's gaps.")
    fail("6.3", f"halving every {got} epochs leaves the lr large after 30 epochs, and the floor is "
         "proportional to the lr. Try faster halving, and compare the last epoch's gaps.")
