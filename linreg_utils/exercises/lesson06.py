"""Checks for lesson 06's exercises: a device-agnostic predict, un-standardizing, stopping rules.

Each checker runs the student's function on fresh data next to a reference and, when they
differ, compares the answer with the usual mistakes to say in words what went wrong.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from ..data import make_regression, standardize, unstandardize
from ..runs import Run
from ..theory import gd_factors, steps_to_shrink
from ..workflow import certificate_epoch, relative_change_epoch
from . import ExerciseFailed, as_number, call_answer, fail, passed

TUTORIAL_LR = 1e-3
RTOL_CHOICES = (1e-6, 5e-7, 2e-7, 1e-7, 5e-8, 2e-8)
"""The thresholds Exercise 6.4 chooses from, largest first."""


def _fresh_problem(seed: int = 7) -> tuple[nn.Linear, torch.Tensor, torch.Tensor]:
    """A seeded ``nn.Linear(1, 1)`` and 12 standardized points it has never seen."""
    x, y = make_regression(n=12, slope=-1.5, intercept=0.5, noise=0.3, seed=seed)
    z, _, _ = standardize(x)
    torch.manual_seed(seed)
    return nn.Linear(1, 1), z, y


class _MetaLinear(nn.Linear):
    """An ``nn.Linear(1, 1)`` on PyTorch's ``meta`` device, standing for a model on a GPU.

    ``meta`` tensors have shapes but no data, so they act like another device without one: an
    input must be moved there (a CPU input raises a device error), the output stays there, and
    copying it to the CPU raises ``Cannot copy out of meta tensor`` — which tells the check that
    the copy was attempted. ``forward`` records the input's device and whether autograd was on.
    """

    def __init__(self) -> None:
        super().__init__(1, 1, device="meta")
        self.seen_device: torch.device | None = None
        self.grad_enabled: bool | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen_device, self.grad_enabled = x.device, torch.is_grad_enabled()
        return super().forward(x)


def _call_predict(predict: Callable, model: nn.Module, x: torch.Tensor) -> object:
    """Call the student's ``predict``, naming the tutorial's own bug when CUDA is hard-coded."""
    try:
        return call_answer("6.1", predict, model, x)
    except ExerciseFailed as exc:
        if "cuda" in str(exc.__cause__).lower():
            fail("6.1", "your function calls CUDA directly (like the tutorial's x_train.cuda()), "
                 "which crashes on a machine without a GPU. Move x to the model's device instead: "
                 "x.to(next(model.parameters()).device).")
        raise


def check_predict(predict: Callable) -> None:
    """Exercise 6.1: ``predict(model, x)`` runs on the model's device, returns a CPU tensor, no grad."""
    model, x, _ = _fresh_problem(seed=11)
    with torch.no_grad():
        want = model(x)
    got = _call_predict(predict, model, x)
    if not isinstance(got, torch.Tensor):
        fail("6.1", f"return a torch.Tensor (the plotting code calls .numpy() itself), got "
             f"{type(got).__name__}")
    if got.requires_grad or got.grad_fn is not None:
        fail("6.1", "your prediction requires grad: it carries an autograd graph. Run the forward "
             "pass inside `with torch.no_grad():` (or torch.inference_mode()).")
    if got.shape != want.shape or not torch.allclose(got.float(), want, atol=1e-6):
        fail("6.1", "the predictions differ from model(x): return the model's output for every "
             "row of x, shape (n, 1).")

    elsewhere = _MetaLinear()
    try:  # called directly: copying a meta output to the CPU raises NotImplementedError
        got = predict(elsewhere, x)
    except Exception as exc:  # noqa: BLE001 - judged below from what the model recorded
        got = exc
    if elsewhere.seen_device is not None and elsewhere.seen_device.type != "meta":
        fail("6.1", f"the model lives on another device but received x on "
             f"'{elsewhere.seen_device}': move x to the model's device, "
             "x.to(next(model.parameters()).device), not to a device you choose yourself.")
    if elsewhere.grad_enabled:
        fail("6.1", "autograd was on during your forward pass, so a graph was built for nothing: "
             "wrap it in `with torch.no_grad():` or `torch.inference_mode()` (detaching afterwards "
             "still builds the graph first).")
    if isinstance(got, torch.Tensor) and got.device.type == "meta":
        fail("6.1", "you returned the output on the model's device: on a GPU that is a CUDA "
             "tensor, which numpy and matplotlib cannot read. End with .cpu().")
    if not (isinstance(got, NotImplementedError) and "meta" in str(got)):
        fail("6.1", f"on a model that lives on another device your function gave {got!r}: move x "
             "to the model's device, run the model without autograd, and return the output .cpu().")
    passed("6.1", "x goes to the model's device, the forward pass runs without autograd, and a "
           "CPU tensor comes back.")


def check_unstandardize(to_original_scale: Callable) -> None:
    """Exercise 6.2: ``to_original_scale(w_z, b_z, mean, std) -> (w, b)`` on the original x scale."""
    w_z, b_z, mean, std = -1.75, 0.6, 4.2, 2.5
    got = call_answer("6.2", to_original_scale, w_z, b_z, mean, std)
    if not isinstance(got, tuple | list) or len(got) != 2:
        fail("6.2", f"return the pair (w, b), got {got!r}")
    try:
        w, b = (float(v) for v in got)
    except (TypeError, ValueError):
        fail("6.2", f"w and b should be numbers, got {got!r}")
    want = unstandardize(w_z, b_z, mean, std)
    if math.isclose(w, want[0], abs_tol=1e-9) and math.isclose(b, want[1], abs_tol=1e-9):
        passed("6.2", f"w = {w:.4f}, b = {b:.4f}: the same line as w_z·(x − mean)/std + b_z.")
        return

    def same(pair: tuple[float, float]) -> bool:
        return math.isclose(w, pair[0], abs_tol=1e-9) and math.isclose(b, pair[1], abs_tol=1e-9)

    if same(unstandardize(w_z, b_z, std, mean)):
        fail("6.2", "you swapped mean and std: z = (x − mean) / std, so divide by std and shift "
             "by mean.")
    if math.isclose(w, w_z * std, abs_tol=1e-9):
        fail("6.2", "you multiplied w_z by std; z = (x − mean)/std shrinks x by std, so the slope "
             "on the x scale is w_z / std.")
    if math.isclose(w, want[0], abs_tol=1e-9) and math.isclose(b, b_z, abs_tol=1e-9):
        fail("6.2", "the slope is right but b is still b_z: expanding w_z·(x − mean)/std + b_z "
             "also moves the intercept, by −w_z·mean/std.")
    if math.isclose(w, want[0], abs_tol=1e-9) and math.isclose(b, b_z + w_z * mean / std, abs_tol=1e-9):
        fail("6.2", "the intercept shift has the wrong sign: b = b_z − w_z·mean/std.")
    fail("6.2", f"expected w = w_z/std and b = b_z − w_z·mean/std, got w = {w:.4f}, b = {b:.4f}. "
         "Expand w_z·(x − mean)/std + b_z and read off the slope and the constant.")


def check_certificate_prediction(predict_epoch: Callable, log: Run, lam_min: float) -> None:
    """Exercise 6.3: ``predict_epoch(epoch_at_1e6, lr, lam_min) -> int``, the epoch at which the
    certificate ``‖∇L‖²/(2λmin) ≤ 1e-7`` fires, predicted from where ``≤ 1e-6`` fired; judged
    against the recorded real run ``log``."""
    first = certificate_epoch(log, lam_min, 1e-6)
    truth = certificate_epoch(log, lam_min, 1e-7)
    if first is None or truth is None:
        raise ValueError("log must be long enough for the certificate to reach 1e-7")
    got = as_number("6.3", call_answer("6.3", predict_epoch, first, TUTORIAL_LR, lam_min),
                    "the epoch your function returns")
    if abs(got - truth) <= 0.01 * truth:
        passed("6.3", f"you predicted epoch {got:,.0f}; the real float32 run fired at {truth:,} "
               f"(1e-6 fired at {first:,}).")
        return
    extra = steps_to_shrink(gd_factors(TUTORIAL_LR, lam_min) ** 2, 0.1)  # ρ² per epoch, 10× less
    if abs(got - extra) <= 0.02 * extra:
        fail("6.3", f"{got:,.0f} is how many MORE epochs are needed: add them to the epoch where "
             f"1e-6 fired ({first:,}).")
    if abs(got - (first + 2 * extra)) <= 0.02 * (first + 2 * extra):
        fail("6.3", "you used ρ = 1 − lr·λmin once per epoch, but the gap (and ‖∇L‖²) is a square "
             "of the error, so it shrinks by ρ² per epoch: halve the extra epochs.")
    if abs(got - 10 * first) <= 0.02 * 10 * first:
        fail("6.3", "ten times the epochs for ten times less gap assumes the gap falls linearly; it "
             "falls geometrically, by the same factor each epoch: extra = ln 10 / (−ln ρ²).")
    if first <= got < first + 0.1 * extra:
        fail("6.3", "too few extra epochs: by now only the flat direction's error is left, so use "
             "λmin (not λmax) in ρ = 1 − lr·λ.")
    fail("6.3", f"expected about {truth:,} (you gave {got:,.0f}). The certificate shrinks by "
         "ρ² = (1 − lr·λmin)² per epoch: solve ρ^(2k) = 1/10 for the extra epochs k.")


def check_safe_rtol(choose_rtol: Callable, log: Run, gaps: np.ndarray) -> None:
    """Exercise 6.4: ``choose_rtol(log, gaps) -> float``, the largest of :data:`RTOL_CHOICES`
    for which the 200-epoch relative-change rule stops with ``L − L* ≤ 1e-6``."""
    got = call_answer("6.4", choose_rtol, log, gaps)

    def stops_within(rtol: float) -> bool:
        epoch = relative_change_epoch(log, rtol, window=200)
        return epoch is not None and gaps[epoch - 1] <= 1e-6

    safe = [r for r in RTOL_CHOICES if stops_within(r)]
    if not safe:
        raise ValueError("no rtol in RTOL_CHOICES stops within 1e-6 on this log")
    want = safe[0]
    if isinstance(got, bool) or not isinstance(got, float | int) or not any(
            math.isclose(got, r, rel_tol=1e-9) for r in RTOL_CHOICES):
        fail("6.4", f"return one of RTOL_CHOICES {RTOL_CHOICES}, got {got!r}")
    if math.isclose(got, want, rel_tol=1e-9):
        epoch = relative_change_epoch(log, want, window=200)
        passed("6.4", f"rtol = {want:g} stops at epoch {epoch:,}, {gaps[epoch - 1]:.1e} from the "
               "optimum. Finding it needed the optimum; the certificate did not.")
        return
    if not stops_within(got):
        epoch = relative_change_epoch(log, got, window=200)
        where = "never" if epoch is None else f"at epoch {epoch:,}, {gaps[epoch - 1]:.1e} from the optimum"
        fail("6.4", f"rtol = {got:g} stops {where}: that is not within 1e-6. Check the gap at the "
             "epoch the rule fires, gaps[epoch - 1].")
    fail("6.4", f"rtol = {got:g} is safe but not the largest safe choice: a larger one stops "
         "earlier and still within 1e-6. Try the choices from the largest down.")
