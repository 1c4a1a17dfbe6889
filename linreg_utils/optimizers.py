"""The optimizers of ``torch.optim``, written out by hand, one short function each.

Every update has the same shape, like micrograd's ``_backward``s: it takes the parameters
``theta`` (a ``(d,)`` tensor), their gradient ``grad`` (same shape) and a ``state`` dict that
it may fill in (velocity, running averages, step count), and returns the new ``theta``. The
updates use only elementwise arithmetic, so they run unchanged on ``(d,)`` NumPy arrays too
(the race does that: NumPy's per-operation cost on two numbers is a tenth of torch's).
:func:`run_update` drives one of them with autograd gradients; :func:`compare_with_torch` runs
it next to the matching ``torch.optim`` class (through :func:`linreg_utils.runs.optimize`), so
the tests and the lessons can compare them step by step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ._checks import positive_int
from .runs import LossFn, optimize

Array = Any  # a (d,) torch.Tensor or NumPy array: the updates below accept either
State = dict[str, Any]
Update = Callable[..., torch.Tensor]


def sgd(theta: Array, grad: Array, state: State, lr: float) -> Array:
    """Plain gradient descent: ``θ ← θ − η g``."""
    return theta - lr * grad


def sgd_momentum(theta: Array, grad: Array, state: State, lr: float,
                 beta: float) -> Array:
    """PyTorch's momentum: ``v ← β v + g``, ``θ ← θ − η v`` (the heavy ball in other clothes)."""
    state["v"] = beta * state.get("v", 0 * theta) + grad
    return theta - lr * state["v"]


def nesterov(theta: Array, grad: Array, state: State, lr: float, beta: float) -> Array:
    """Nesterov, PyTorch's form: ``v ← β v + g``, ``θ ← θ − η (g + β v)``."""
    state["v"] = beta * state.get("v", 0 * theta) + grad
    return theta - lr * (grad + beta * state["v"])


def adagrad(theta: Array, grad: Array, state: State, lr: float,
            eps: float = 1e-10) -> Array:
    """Adagrad: ``s ← s + g²``, ``θ ← θ − η g / (√s + ε)`` (per coordinate)."""
    state["s"] = state.get("s", 0 * theta) + grad**2
    return theta - lr * grad / (state["s"] ** 0.5 + eps)


def rmsprop(theta: Array, grad: Array, state: State, lr: float, alpha: float = 0.99,
            eps: float = 1e-8) -> Array:
    """RMSprop: ``s ← α s + (1 − α) g²``, ``θ ← θ − η g / (√s + ε)``."""
    state["s"] = alpha * state.get("s", 0 * theta) + (1 - alpha) * grad**2
    return theta - lr * grad / (state["s"] ** 0.5 + eps)


def adam(theta: Array, grad: Array, state: State, lr: float,
         betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> Array:
    """Adam: running means ``m`` of g and ``v`` of g², bias-corrected, ``θ ← θ − η m̂ / (√v̂ + ε)``."""
    beta1, beta2 = betas
    t = state["t"] = state.get("t", 0) + 1
    state["m"] = beta1 * state.get("m", 0 * theta) + (1 - beta1) * grad
    state["v"] = beta2 * state.get("v", 0 * theta) + (1 - beta2) * grad**2
    m_hat, v_hat = state["m"] / (1 - beta1**t), state["v"] / (1 - beta2**t)
    return theta - lr * m_hat / (v_hat**0.5 + eps)


def adamw(theta: Array, grad: Array, state: State, lr: float,
          betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
          weight_decay: float = 1e-2) -> Array:
    """AdamW: shrink ``θ ← θ (1 − η λ_wd)`` (decoupled weight decay), then an Adam step."""
    return adam(theta * (1 - lr * weight_decay), grad, state, lr, betas, eps)


def two_loop(grad: Array, pairs: list[tuple[Array, Array, Array]], gamma: float) -> Array:
    """``H_k g``: L-BFGS's inverse-Hessian estimate applied to ``grad``, never forming ``H_k``.

    ``H_k`` starts from ``gamma·I`` and is updated by BFGS once per pair ``(s, y, 1/yᵀs)`` (oldest
    first). Each BFGS update makes the *newest* pair's secant equation ``H_k y = s`` hold; older
    pairs hold exactly only if the loss is quadratic and their ``s`` are conjugate.
    """
    q, alphas = grad, []
    for s, y, rho in reversed(pairs):  # first loop: newest to oldest
        alphas.append(rho * float(s @ q))
        q = q - alphas[-1] * y
    r = gamma * q
    for (s, y, rho), alpha in zip(pairs, reversed(alphas), strict=True):  # oldest to newest
        r = r + (alpha - rho * float(y @ r)) * s
    return r


def lbfgs(theta: Array, grad: Array, state: State, lr: float = 1.0, history_size: int = 100,
          apply_inverse: Callable[..., Array] = two_loop) -> Array:
    """L-BFGS without line search: ``θ ← θ − t H_k g`` with ``H_k g`` from :func:`two_loop`
    (``apply_inverse``: another function computing the same product, as the race's faster one).

    ``H_k`` is built from the last ``history_size`` pairs ``s = Δθ, y = Δg`` (a quasi-Newton
    inverse Hessian). Step ``t = lr``, except the first: ``min(1, 1/‖g‖₁)·lr``, as in torch.
    """
    pairs = state.setdefault("pairs", [])  # [(s, y, 1 / yᵀs), ...], oldest first
    if "g_prev" in state:
        s, y = theta - state["theta_prev"], grad - state["g_prev"]
        ys = float(y @ s)
        if ys > 1e-10:  # keep only pairs of positive curvature
            pairs[:] = (pairs + [(s, y, 1.0 / ys)])[-history_size:]
            state["gamma"] = ys / float(y @ y)  # scale of the initial inverse Hessian
    gamma = state.get("gamma", 1.0)
    r = apply_inverse(grad, pairs, gamma)
    step = lr * min(1.0, 1.0 / float(abs(grad).sum())) if "g_prev" not in state else lr
    state["theta_prev"], state["g_prev"] = theta, grad
    return theta - step * r


def lbfgs_inverse_hessian(state: State) -> torch.Tensor:
    """The ``(d, d)`` matrix ``H_k`` that :func:`lbfgs`'s state would apply (float64), for
    comparing with the true ``H⁻¹``: :func:`two_loop` applied to each unit vector."""
    pairs = [tuple(torch.as_tensor(v, dtype=torch.float64) for v in p) for p in state.get("pairs", [])]
    if "theta_prev" not in state:
        raise ValueError("state holds no L-BFGS step yet: run lbfgs at least once")
    d = len(state["theta_prev"])
    gamma = float(state.get("gamma", 1.0))
    return torch.stack([two_loop(e, pairs, gamma) for e in torch.eye(d, dtype=torch.float64)], dim=1)


def _start(theta0: torch.Tensor) -> torch.Tensor:
    if not isinstance(theta0, torch.Tensor) or theta0.dim() != 1:
        raise TypeError(f"theta0 must be a 1-D torch.Tensor, got {theta0!r}")
    return theta0.detach().to(torch.float64).clone()


def run_update(update: Update, loss_fn: LossFn, theta0: torch.Tensor, steps: int,
               **hyper: Any) -> torch.Tensor:
    """Apply a hand-written ``update`` ``steps`` times; return every θ, ``(steps + 1, d)`` float64."""
    steps = positive_int("steps", steps)
    theta, state, path = _start(theta0), {}, []
    path.append(theta)
    for _ in range(steps):
        leaf = theta.clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(loss_fn(leaf), leaf)
        theta = update(theta, grad, state, **hyper)
        path.append(theta)
    return torch.stack(path)


ZOO: dict[str, tuple[Update, Callable[..., torch.optim.Optimizer], dict[str, Any]]] = {
    "SGD": (sgd, lambda p, lr: torch.optim.SGD(p, lr=lr), {}),
    "SGD + momentum": (sgd_momentum, lambda p, lr, beta: torch.optim.SGD(p, lr=lr, momentum=beta),
                       {"beta": 0.9}),
    "Nesterov": (nesterov, lambda p, lr, beta: torch.optim.SGD(p, lr=lr, momentum=beta, nesterov=True),
                 {"beta": 0.9}),
    "Adagrad": (adagrad, lambda p, lr: torch.optim.Adagrad(p, lr=lr), {}),
    "RMSprop": (rmsprop, lambda p, lr: torch.optim.RMSprop(p, lr=lr), {}),
    "Adam": (adam, lambda p, lr: torch.optim.Adam(p, lr=lr), {}),
    "AdamW": (adamw, lambda p, lr: torch.optim.AdamW(p, lr=lr), {}),
    "LBFGS": (lbfgs, lambda p, lr: torch.optim.LBFGS(p, lr=lr, max_iter=1, tolerance_grad=0.0,
                                                  tolerance_change=0.0), {}),
}
"""name → (hand-written update, ``torch.optim`` factory ``(params, lr, **extra)``, extra hyperparameters).

Default hyperparameters match: both sides use torch's defaults (betas, eps, alpha, weight
decay 0.01 for AdamW). LBFGS runs one iteration per ``step()`` (``max_iter=1``), no line search,
and its stopping tolerances are set to 0: with the defaults, torch stops moving once the loss
changes by less than 1e-9 per step, while the hand-written version keeps stepping.
"""


def compare_with_torch(name: str, loss_fn: LossFn, theta0: torch.Tensor, lr: float,
                       steps: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Run ``ZOO[name]`` by hand and through ``torch.optim``; return both paths, ``(steps + 1, d)``."""
    if name not in ZOO:
        raise ValueError(f"name must be one of {sorted(ZOO)}, got {name!r}")
    update, factory, extra = ZOO[name]
    hand = run_update(update, loss_fn, theta0, steps, lr=lr, **extra)
    ref = optimize(lambda params: factory(params, lr, **extra), loss_fn, theta0, steps)
    return hand, torch.from_numpy(ref.path)


def measured_rate(path: np.ndarray, optimum: tuple[float, float], start: int, stop: int) -> float:
    """Per-step shrink factor of ‖θ_k − θ*‖ between steps ``start`` and ``stop`` of ``path`` ``(k, 2)``.

    ``(‖e_stop‖ / ‖e_start‖) ** (1 / (stop − start))``: the geometric mean over that window.
    """
    start, stop = positive_int("start", start), positive_int("stop", stop)
    if not start < stop < len(path):
        raise ValueError(f"need start < stop < len(path) = {len(path)}, got start={start}, stop={stop}")
    errors = np.linalg.norm(np.asarray(path, float) - np.asarray(optimum, float), axis=1)
    return float(errors[stop] / errors[start]) ** (1.0 / (stop - start))
