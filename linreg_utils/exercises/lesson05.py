"""Checks for lesson 04's exercises: the training loop, a device-agnostic predict, un-standardizing.

Each checker runs the student's function on fresh data next to a reference and, when they
differ, compares the answer with the usual mistakes to say in words what went wrong.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from ..data import make_regression, standardize
from . import ExerciseFailed, call_answer, fail, passed


def _fresh_problem(seed: int = 7) -> tuple[nn.Linear, torch.Tensor, torch.Tensor]:
    """A seeded ``nn.Linear(1, 1)`` and 12 standardized points it has never seen."""
    x, y = make_regression(n=12, slope=-1.5, intercept=0.5, noise=0.3, seed=seed)
    z, _, _ = standardize(x)
    torch.manual_seed(seed)
    return nn.Linear(1, 1), z, y


def _reference_train(model: nn.Linear, x: torch.Tensor, y: torch.Tensor, lr: float, epochs: int,
                     zero_grad: bool = True) -> list[float]:
    """The seven-step loop with SGD (optionally without ``zero_grad``, to recognise that mistake)."""
    optimizer, loss_fn, losses = torch.optim.SGD(model.parameters(), lr=lr), nn.MSELoss(), []
    for _ in range(epochs):
        if zero_grad:
            optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def _params(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def check_train(train: Callable) -> None:
    """Exercise 4.1: ``train(model, x, y, optimizer, epochs) -> list[float]`` of per-epoch losses."""
    lr, epochs = 0.1, 4
    model, x, y = _fresh_problem()
    start = nn.Linear(1, 1)
    start.load_state_dict(model.state_dict())
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = call_answer("4.1", train, model, x, y, optimizer, epochs)

    def reference(zero_grad: bool = True) -> tuple[list[float], torch.Tensor]:
        copy = nn.Linear(1, 1)
        copy.load_state_dict(start.state_dict())
        return _reference_train(copy, x, y, lr, epochs, zero_grad), _params(copy)

    want_losses, want_params = reference()
    got = _params(model)
    if torch.equal(got, _params(start)):
        if all(p.grad is None for p in model.parameters()):
            fail("4.1", "the parameters did not move and no gradient is left. Check the order "
                 "zero_grad → forward → loss → backward → step: without loss.backward() there is "
                 "no gradient, and zero_grad() between backward() and step() erases it.")
        fail("4.1", "the parameters did not move although gradients were computed: did you call "
             "optimizer.step() after loss.backward()?")
    if not torch.allclose(got, want_params, atol=1e-6):
        _, no_zero_params = reference(zero_grad=False)
        if torch.allclose(got, no_zero_params, atol=1e-6):
            fail("4.1", "you forgot optimizer.zero_grad(): backward() adds to .grad, so each step "
                 "used the sum of all gradients so far. Call it at the start of every epoch.")
        fail("4.1", "after training, w and b differ from the reference loop. Use the optimizer you "
             "were given and nn.MSELoss() (the mean, not the sum), one step per epoch.")
    if not isinstance(losses, list) or len(losses) != epochs:
        fail("4.1", f"return a list with one loss per epoch ({epochs} here), got "
             f"{type(losses).__name__} of length {len(losses) if hasattr(losses, '__len__') else '?'}")
    if any(isinstance(v, torch.Tensor) for v in losses):
        fail("4.1", "your list holds tensors: each one keeps its autograd graph alive. Append "
             "loss.item(), a Python float.")
    if not all(isinstance(v, float) for v in losses):
        fail("4.1", "each loss in the list should be a Python float (loss.item()).")
    if losses != want_losses:
        if all(math.isclose(a, b) for a, b in zip(losses[:-1], want_losses[1:], strict=True)):
            fail("4.1", "your losses are one epoch late: record the loss computed in this "
                 "epoch's forward pass, before optimizer.step() changes the parameters.")
        fail("4.1", "the parameters are right but the recorded losses are not: append the loss "
             "of each epoch's forward pass, loss.item().")
    passed("4.1", f"{epochs} epochs match the reference loop (loss {losses[0]:.3f} → {losses[-1]:.3f}).")


class _ElsewhereOutput(torch.Tensor):
    """A tensor standing for a model output on another device (e.g. CUDA) until moved to the CPU."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is torch.Tensor.cpu or func is torch.Tensor.to and _to_cpu(args[1:], kwargs):
            plain = args[0].as_subclass(torch.Tensor)
            return plain.to(*args[1:], **kwargs) if func is torch.Tensor.to else plain.cpu()
        return super().__torch_function__(func, types, args, kwargs)


def _to_cpu(args: tuple, kwargs: dict) -> bool:
    """Whether ``Tensor.to(*args, **kwargs)`` targets the CPU."""
    device = kwargs.get("device", args[0] if args else None)
    if isinstance(device, torch.Tensor):
        device = device.device
    try:
        return device is not None and torch.device(device).type == "cpu"
    except (TypeError, RuntimeError):
        return False


class _ElsewhereLinear(nn.Linear):
    """An ``nn.Linear(1, 1)`` that pretends to live on another device, to test ``predict``.

    Its parameters sit on the ``meta`` device (so ``next(model.parameters()).device`` is not the
    CPU); it records the device of the input and whether autograd was on, and returns an
    :class:`_ElsewhereOutput` computed from real weights kept on the CPU (plain attributes).
    """

    def __init__(self, w: float, b: float, x: torch.Tensor) -> None:
        super().__init__(1, 1, device="meta")
        # plain tensor attributes, not parameters: model.parameters() yields only the meta ones
        self.real_w = torch.tensor([[w]], requires_grad=True)
        self.real_b = torch.tensor([b], requires_grad=True)
        self.x, self.seen_device, self.grad_enabled = x, None, None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen_device, self.grad_enabled = x.device, torch.is_grad_enabled()
        values = self.x if x.device.type == "meta" else x.detach().cpu()
        return (values @ self.real_w.T + self.real_b).as_subclass(_ElsewhereOutput)


def _call_predict(predict: Callable, model: nn.Module, x: torch.Tensor) -> object:
    """Call the student's ``predict``, naming the tutorial's own bug when CUDA is hard-coded."""
    try:
        return call_answer("4.2", predict, model, x)
    except ExerciseFailed as exc:
        if "cuda" in str(exc.__cause__).lower():
            fail("4.2", "your function calls CUDA directly (like the tutorial's x_train.cuda()), "
                 "which crashes on a machine without a GPU. Move x to the model's device instead: "
                 "x.to(next(model.parameters()).device).")
        raise


def check_predict(predict: Callable) -> None:
    """Exercise 4.2: ``predict(model, x)`` runs on the model's device, returns a CPU tensor, no grad."""
    model, x, _ = _fresh_problem(seed=11)
    with torch.no_grad():
        want = model(x)
    got = _call_predict(predict, model, x)
    if not isinstance(got, torch.Tensor):
        fail("4.2", f"return a torch.Tensor (the plotting code calls .numpy() itself), got "
             f"{type(got).__name__}")
    if got.requires_grad or got.grad_fn is not None:
        fail("4.2", "your prediction requires grad: it carries an autograd graph. Run the forward "
             "pass inside `with torch.no_grad():` (or torch.inference_mode()).")
    if got.shape != want.shape or not torch.allclose(got.float(), want, atol=1e-6):
        fail("4.2", "the predictions differ from model(x): return the model's output for every "
             "row of x, shape (n, 1).")

    elsewhere = _ElsewhereLinear(model.weight.item(), model.bias.item(), x)
    got = _call_predict(predict, elsewhere, x)
    if elsewhere.seen_device is not None and elsewhere.seen_device.type != "meta":
        fail("4.2", f"the model lives on another device but received x on "
             f"'{elsewhere.seen_device}': move x to the model's device, "
             "x.to(next(model.parameters()).device), not to a device you choose yourself.")
    if elsewhere.grad_enabled:
        fail("4.2", "autograd was on during your forward pass, so a graph was built for nothing: "
             "wrap it in `with torch.no_grad():` or `torch.inference_mode()` (detaching afterwards "
             "still builds the graph first).")
    if isinstance(got, _ElsewhereOutput):
        fail("4.2", "you returned the output on the model's device: on a GPU that is a CUDA "
             "tensor, which numpy and matplotlib cannot read. End with .cpu().")
    passed("4.2", "x goes to the model's device, the forward pass runs without autograd, and a "
           "CPU tensor comes back.")


def _reference_unstandardize(w_z: float, b_z: float, mean: float, std: float) -> tuple[float, float]:
    return w_z / std, b_z - w_z * mean / std


def check_unstandardize(to_original_scale: Callable) -> None:
    """Exercise 4.3: ``to_original_scale(w_z, b_z, mean, std) -> (w, b)`` on the original x scale."""
    w_z, b_z, mean, std = -1.75, 0.6, 4.2, 2.5
    got = call_answer("4.3", to_original_scale, w_z, b_z, mean, std)
    if not isinstance(got, tuple | list) or len(got) != 2:
        fail("4.3", f"return the pair (w, b), got {got!r}")
    try:
        w, b = (float(v) for v in got)
    except (TypeError, ValueError):
        fail("4.3", f"w and b should be numbers, got {got!r}")
    want = _reference_unstandardize(w_z, b_z, mean, std)
    if math.isclose(w, want[0], abs_tol=1e-9) and math.isclose(b, want[1], abs_tol=1e-9):
        passed("4.3", f"w = {w:.4f}, b = {b:.4f}: the same line as w_z·(x − mean)/std + b_z.")
        return

    def same(pair: tuple[float, float]) -> bool:
        return math.isclose(w, pair[0], abs_tol=1e-9) and math.isclose(b, pair[1], abs_tol=1e-9)

    if same(_reference_unstandardize(w_z, b_z, std, mean)):
        fail("4.3", "you swapped mean and std: z = (x − mean) / std, so divide by std and shift "
             "by mean.")
    if math.isclose(w, w_z * std, abs_tol=1e-9):
        fail("4.3", "you multiplied w_z by std; z = (x − mean)/std shrinks x by std, so the slope "
             "on the x scale is w_z / std.")
    if math.isclose(w, want[0], abs_tol=1e-9) and math.isclose(b, b_z, abs_tol=1e-9):
        fail("4.3", "the slope is right but b is still b_z: expanding w_z·(x − mean)/std + b_z "
             "also moves the intercept, by −w_z·mean/std.")
    if math.isclose(w, want[0], abs_tol=1e-9) and math.isclose(b, b_z + w_z * mean / std, abs_tol=1e-9):
        fail("4.3", "the intercept shift has the wrong sign: b = b_z − w_z·mean/std.")
    fail("4.3", f"expected w = w_z/std and b = b_z − w_z·mean/std, got w = {w:.4f}, b = {b:.4f}. "
         "Expand w_z·(x − mean)/std + b_z and read off the slope and the constant.")
