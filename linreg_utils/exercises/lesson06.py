"""Checks for lesson 06's exercises: a device-agnostic predict, un-standardizing, stopping rules.

Each checker runs the student's function on data it has not seen (a fresh problem, random inputs,
a second training run) next to a reference and, when they differ, compares the answer with the
usual mistakes to say in words what went wrong. The stopping-rule exercises also judge the
function on the lesson's own recorded run, which :func:`recorded_run` recomputes once per kernel.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import torch
from torch import nn

from ..data import make_regression, seed_data, standardize, unstandardize
from ..runs import Run
from ..theory import gd_factors, hessian_eigenvalues, loss_gap, steps_to_shrink
from ..trajectory import gd_trajectory
from ..workflow import certificate_epoch, record_training, relative_change_epoch
from .framework import ExerciseFailed, as_number, call_answer, checker, fail, passed

TUTORIAL_LR = 1e-3
RECORDED_EPOCHS = 20_000
"""Lesson 06 records the tutorial's loop (nn.Linear seeded 0, SGD lr = 1e-3, float32) this long."""
RTOL_CHOICES = (1e-6, 5e-7, 2e-7, 1e-7, 5e-8, 2e-8)
"""The thresholds Exercise 6.4 chooses from, largest first."""


@lru_cache(maxsize=1)
def recorded_run(epochs: int = RECORDED_EPOCHS) -> tuple[Run, np.ndarray, float]:
    """The lesson's recorded run, recomputed (once per kernel) on the CPU: the tutorial's float32 loop
    on the seed data for ``epochs`` epochs; ``(log, its exact gaps L − L*, λmin)``."""
    x, y = seed_data()
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    log = record_training(model, torch.optim.SGD(model.parameters(), lr=TUTORIAL_LR), x, y, epochs)
    return log, loss_gap(x, y)(log.weights, log.biases), hessian_eigenvalues(x)[0]


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
        if "cuda" in str(exc.error).lower():
            fail("6.1", "your function calls CUDA directly",
                 "Like the tutorial's x_train.cuda(), it crashes on a machine without a GPU. Move x to the "
                 "model's device instead.")
        raise


@checker("6.1", function="predict", hints=(
    "The model's parameters know where the model lives: next(model.parameters()).device. Everything the "
    "model reads must be on that device.",
    "Predicting needs no gradients: run the forward pass inside a block that switches autograd off, so "
    "no graph is built at all (detaching afterwards is too late).",
    "Plotting code calls .numpy(), which works only on the CPU: bring the output back to the CPU before "
    "you return it, whatever device the model is on.",
))
def check_predict(predict: Callable) -> None:
    """Exercise 6.1: ``predict(model, x)`` runs on the model's device, returns a CPU tensor, no grad."""
    model, x, _ = _fresh_problem(seed=11)
    with torch.no_grad():
        want = model(x)
    got = _call_predict(predict, model, x)
    if not isinstance(got, torch.Tensor):
        fail("6.1", "return a torch.Tensor",
             f"The plotting code calls .numpy() itself; your function returned {type(got).__name__}.")
    if got.requires_grad or got.grad_fn is not None:
        fail("6.1", "your prediction requires grad",
             "It carries an autograd graph: run the forward pass with autograd switched off.")
    if got.shape != want.shape or not torch.allclose(got.float(), want, atol=1e-6):
        fail("6.1", "the predictions differ from model(x)",
             "Return the model's output for every row of x, shape (n, 1).")

    elsewhere = _MetaLinear()
    try:  # called directly: copying a meta output to the CPU raises NotImplementedError
        got = predict(elsewhere, x)
    except Exception as exc:  # noqa: BLE001 - judged below from what the model recorded
        got = exc
    if elsewhere.seen_device is not None and elsewhere.seen_device.type != "meta":
        fail("6.1", f"x went to '{elsewhere.seen_device}', not the model's device",
             "The model lived on another device: move x to the device of the model's parameters, not "
             "to a device you choose yourself.")
    if elsewhere.grad_enabled:
        fail("6.1", "autograd was on during your forward pass",
             "A graph was built for nothing (detaching afterwards still builds it first): switch autograd "
             "off around the forward pass.")
    if isinstance(got, torch.Tensor) and got.device.type == "meta":
        fail("6.1", "you returned the output on the model's device",
             "On a GPU that is a CUDA tensor, which numpy and matplotlib cannot read: bring it to the CPU.")
    if not (isinstance(got, NotImplementedError) and "meta" in str(got)):
        fail("6.1", "it fails on a model that lives on another device",
             f"Your function gave {got!r}. Move x to the model's device, run the model without autograd, "
             "and return the output on the CPU.")
    passed("6.1", "x goes to the model's device, the forward pass runs without autograd, and a "
           "CPU tensor comes back.")


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


UNSTANDARDIZE_CASES = ((-1.75, 0.6, 4.2, 2.5), (0.8, -2.0, -1.5, 0.4), (3.0, 1.25, 10.0, 7.0))
"""Exercise 6.2's inputs ``(w_z, b_z, mean, std)``: none of them is a data set of the lesson."""


@checker("6.2", function="to_original_scale", hints=(
    "Write the line in z, w_z·z + b_z, and replace z by (x − mean)/std.",
    "Expand: one term is a number times x (that number is the slope w), the others are numbers (together "
    "they are the intercept b).",
    "Collect the constant terms carefully, keeping their signs; then check your pair on one x: both lines "
    "must give the same y.",
))
def check_unstandardize(to_original_scale: Callable) -> None:
    """Exercise 6.2: ``to_original_scale(w_z, b_z, mean, std) -> (w, b)`` on the original x scale,
    tried on several inputs."""
    ex = "6.2"
    for w_z, b_z, mean, std in UNSTANDARDIZE_CASES:
        got = call_answer(ex, to_original_scale, w_z, b_z, mean, std)
        if not isinstance(got, tuple | list) or len(got) != 2:
            fail(ex, "return the pair (w, b)", f"Your function returned {got!r}.")
        w, b = (as_number(ex, v, "w and b") for v in got)
        want = unstandardize(w_z, b_z, mean, std)
        if _close(w, want[0]) and _close(b, want[1]):
            continue

        def same(pair: tuple[float, float], w: float = w, b: float = b) -> bool:
            return _close(w, pair[0]) and _close(b, pair[1])

        if same((w_z / mean, b_z - w_z * std / mean)):
            fail(ex, "you swapped mean and std", "z = (x − mean) / std: which one divides, which one shifts?")
        if _close(w, w_z * std):
            fail(ex, "you multiplied w_z by std",
                 "z = (x − mean)/std shrinks x by std, so the slope on the x scale is smaller or larger?")
        if _close(w, want[0]) and _close(b, b_z):
            fail(ex, "the slope is right but b is still b_z",
                 "Expanding w_z·(x − mean)/std + b_z also moves the intercept: collect every constant term.")
        if _close(w, want[0]) and same((want[0], 2 * b_z - want[1])):
            fail(ex, "the intercept shift has the wrong sign",
                 "Expand the product again, minding the minus sign.")
        if (w_z, b_z, mean, std) != UNSTANDARDIZE_CASES[0]:
            fail(ex, "right for one input, wrong for another",
                 f"For w_z = {w_z}, b_z = {b_z}, mean = {mean}, std = {std} your function returned "
                 f"({w:.4g}, {b:.4g}): compute w and b from the four arguments.")
        fail(ex, "that is not the same line",
             f"For w_z = {w_z}, b_z = {b_z}, mean = {mean}, std = {std} your function returned "
             f"({w:.4g}, {b:.4g}). Expand w_z·(x − mean)/std + b_z and read off the slope and the constant.")
    w, b = unstandardize(*UNSTANDARDIZE_CASES[0])
    passed(ex, f"on {len(UNSTANDARDIZE_CASES)} inputs; e.g. w = {w:.4f}, b = {b:.4f}: the same line as "
           "w_z·(x − mean)/std + b_z.")


CERTIFICATE_CASES = ((5_000, 2e-3, 0.7), (800, 0.05, 0.3))
"""Exercise 6.3's further inputs ``(epoch_at_1e6, lr, lam_min)``, for runs the learner has not seen."""


def _extra_epochs(lr: float, lam_min: float) -> float:
    """Epochs the certificate needs to fall tenfold when it shrinks by ``(1 − lr·λmin)²`` per epoch."""
    return steps_to_shrink(gd_factors(lr, lam_min) ** 2, 0.1)


@checker("6.3", function="predict_epoch", hints=(
    "By the time the certificate is 1e-6, only the flat direction's error is left, and each epoch "
    "multiplies that error by ρ = 1 − lr·λmin.",
    "The certificate ‖∇L‖²/(2λmin) is quadratic in that error, so each epoch multiplies it by ρ², not by ρ.",
    "Ask how many epochs k of that factor divide the certificate by 10 (take logarithms), add them to "
    "epoch_at_1e6, and round to a whole epoch.",
))
def check_certificate_prediction(predict_epoch: Callable) -> None:
    """Exercise 6.3: ``predict_epoch(epoch_at_1e6, lr, lam_min) -> int``, the epoch at which the
    certificate ``‖∇L‖²/(2λmin) ≤ 1e-7`` fires, predicted from where ``≤ 1e-6`` fired: judged against
    the lesson's recorded run, then on runs it has not seen."""
    ex = "6.3"
    log, _, lam_min = recorded_run()
    first, truth = certificate_epoch(log, lam_min, 1e-6), certificate_epoch(log, lam_min, 1e-7)
    if first is None or truth is None:
        raise RuntimeError("the recorded run must be long enough for the certificate to reach 1e-7")
    returns = "the epoch your function returns"
    got = as_number(ex, call_answer(ex, predict_epoch, first, TUTORIAL_LR, lam_min), returns)
    extra = _extra_epochs(TUTORIAL_LR, lam_min)
    if abs(got - truth) > 0.01 * truth:
        if abs(got - extra) <= 0.02 * extra:
            fail(ex, "that is how many more epochs are needed",
                 "Add them to the epoch where the certificate reached 1e-6.")
        if abs(got - (first + 2 * extra)) <= 0.02 * (first + 2 * extra):
            fail(ex, "you used ρ once per epoch",
                 "The certificate (like the gap) is a square of the error, so it shrinks by ρ² per epoch.")
        if abs(got - 10 * first) <= 0.02 * 10 * first:
            fail(ex, "the certificate falls geometrically, not linearly",
                 "Ten times less certificate does not take ten times the epochs: it falls by the same "
                 "factor every epoch.")
        if first <= got < first + 0.1 * extra:
            fail(ex, "too few extra epochs: use λmin, not λmax",
                 "By now only the flat direction's error is left, so its factor ρ = 1 − lr·λmin sets the "
                 "pace.")
        fail(ex, "not the epoch the real run fired at",
             "Use the factor by which the certificate shrinks per epoch, solve for the extra epochs that "
             "divide it by 10, and add them to epoch_at_1e6.")
    for e, lr, lam in CERTIFICATE_CASES:
        mine = as_number(ex, call_answer(ex, predict_epoch, e, lr, lam), returns)
        want = e + _extra_epochs(lr, lam)
        if abs(mine - want) > 0.01 * want + 1:
            if math.isclose(mine, got):
                fail(ex, "your function ignores its inputs",
                     f"For epoch_at_1e6 = {e:,}, lr = {lr:g}, lam_min = {lam:g} it returned the same epoch "
                     "again: compute the epoch from the three arguments, not from this run's numbers.")
            fail(ex, "right for this run, wrong for another",
                 f"For epoch_at_1e6 = {e:,}, lr = {lr:g}, lam_min = {lam:g} it returned {mine:,.0f}: compute "
                 "the epoch from the three arguments, not from this run's numbers.")
    passed(ex, f"you predicted epoch {got:,.0f}; the real float32 run fired at {truth:,} (1e-6 fired at "
           f"{first:,}), and your function is right for runs it had not seen.")


def _fresh_log() -> tuple[Run, np.ndarray]:
    """A run Exercise 6.4's learner has not seen: GD (lr = 2e-3, float64, exact) for 20,000 steps on 20
    points of another line, where a larger threshold is safe than on the lesson's run."""
    x, y = make_regression(n=20, slope=1.5, intercept=-0.5, noise=0.2, seed=4, x_range=(0.0, 5.0))
    run = gd_trajectory(x.double(), y.double(), 2e-3, 20_000)
    return run, run.gaps


def _largest_safe(log: Run, gaps: np.ndarray) -> float:
    """The largest of :data:`RTOL_CHOICES` whose 200-epoch relative-change rule stops within 1e-6."""
    for rtol in RTOL_CHOICES:
        epoch = relative_change_epoch(log, rtol, window=200)
        if epoch is not None and gaps[epoch - 1] <= 1e-6:
            return rtol
    raise RuntimeError("no rtol in RTOL_CHOICES stops within 1e-6 on this log")


def _stops_within(log: Run, gaps: np.ndarray, rtol: float) -> tuple[bool, str]:
    epoch = relative_change_epoch(log, rtol, window=200)
    if epoch is None:
        return False, "never"
    return bool(gaps[epoch - 1] <= 1e-6), f"at epoch {epoch:,}, {gaps[epoch - 1]:.1e} from the optimum"


@checker("6.4", function="choose_rtol", hints=(
    "Try each threshold of RTOL_CHOICES with relative_change_epoch(log, rtol, window=200) and look at the "
    "true gap at the epoch where the rule fires.",
    "The rule fires at epoch k; the gap there is gaps[k − 1] (epochs count from 1). A threshold is safe "
    "when that gap is at most 1e-6.",
    "Go through RTOL_CHOICES from the largest down and return the first safe one; compute everything from "
    "the log and gaps your function receives, since the check also gives it another run.",
))
def check_safe_rtol(choose_rtol: Callable) -> None:
    """Exercise 6.4: ``choose_rtol(log, gaps) -> float``, the largest of :data:`RTOL_CHOICES` for which
    the 200-epoch relative-change rule stops with ``L − L* ≤ 1e-6``: on the lesson's recorded run and
    on a run the learner has not seen."""
    ex = "6.4"
    lesson_log, lesson_gaps, _ = recorded_run()
    results = []
    for name, (log, gaps) in (("the lesson's run", (lesson_log, lesson_gaps)), ("another run", _fresh_log())):
        got = call_answer(ex, choose_rtol, log, gaps)
        if isinstance(got, torch.Tensor | np.ndarray | np.generic) and not isinstance(got, np.bool_):
            got = as_number(ex, got, "the rtol your function returns")
        if isinstance(got, bool) or not isinstance(got, float | int | np.floating) or not any(
                math.isclose(got, r, rel_tol=1e-9) for r in RTOL_CHOICES):
            fail(ex, "return one of RTOL_CHOICES", f"Your function returned {got!r}.")
        want = _largest_safe(log, gaps)
        if not math.isclose(got, want, rel_tol=1e-9):
            safe, where = _stops_within(log, gaps, got)
            if not safe:
                fail(ex, f"rtol = {got:g} is not safe on {name}",
                     f"There the rule stops {where}: not within 1e-6. Look at the gap at the epoch the rule "
                     "fires, gaps[epoch - 1].")
            if name == "another run":
                fail(ex, "right for the lesson's run, not for another",
                     "On a run your function had not seen, its threshold is safe but not the largest safe "
                     "choice there: search the log and gaps it receives instead of returning a fixed number.")
            fail(ex, f"rtol = {got:g} is safe but not the largest",
                 "A larger threshold stops earlier and still within 1e-6: try the choices from the largest "
                 "down.")
        results.append((log, gaps, want))
    log, gaps, want = results[0]
    epoch = relative_change_epoch(log, want, window=200)
    passed(ex, f"rtol = {want:g} stops at epoch {epoch:,}, {gaps[epoch - 1]:.1e} from the optimum (on "
           f"another run your function chose {results[1][2]:g}). Finding it needed the optimum; the "
           "certificate did not.")
