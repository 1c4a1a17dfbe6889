"""The quadratic's one home: every closed form the lessons use, each written once.

The loss ``L(w, b) = mean((w x + b - y)**2)`` is a quadratic, so everything about gradient
descent on it follows from one 2×2 matrix, its Hessian ``H = 2/n · AᵀA`` with ``A = [x, 1]``.
In the Hessian's eigenbasis the error ``c = Qᵀ(θ − θ*)`` splits into independent directions:
GD with step ``η`` multiplies direction ``i`` by ``1 − ηλᵢ`` each step, heavy-ball momentum
``β`` runs the two-term recurrence ``c_{k+1} = (1 + β − ηλ) c_k − β c_{k−1}``, and the gap
``L − L* = ½ dᵀHd = Σᵢ ½ λᵢ cᵢ²``.

Two layers. *Spectrum* functions take eigenvalues (or ``ηλ``) and broadcast over NumPy arrays:
:func:`stability_edge` (``2 + 2β``), :func:`adam_stability_edge` (``2(1 + β₁)/(1 − β₁)``),
:func:`preconditioned_hessian`, :func:`preconditioned_sharpness`, :func:`largest_stable_lr`,
:func:`fastest_gd_lr`,
:func:`gd_factors` (``1 − ηλ``), :func:`direction_rate`, :func:`damping_band`, :func:`momentum_roots`,
:func:`iteration_matrix`, :func:`polyak_parameters`, :func:`gap_shares`,
:func:`quadratic_gap`. *Data* functions take the points
``x, y`` and call them: :func:`critical_lr`, :func:`optimal_lr`, :func:`convergence_rate`,
:func:`momentum_parameters`, :func:`predicted_steps`, :func:`regularised_optimum`, … Views (``viz``), checkers
(``exercises``) and every other module call these instead of writing a formula again
(``tests/test_formulas_once.py`` checks that).
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from ._checks import as_column, finite_number, non_constant, positive_finite, positive_int, xy_columns

REACH_TOL = 1e-6
"""What the lessons call "reached the optimum": the MSE within this much of the least-squares MSE."""

ArrayLike = float | np.ndarray


# ----------------------------------------------------------------------------- the data's quadratic

def design_matrix(x: torch.Tensor) -> torch.Tensor:
    """``A = [x, 1]``: a float64 ``(n, 2)`` tensor, so that ``A @ [w, b] = w x + b``."""
    xc = as_column("x", x)
    return torch.cat([xc, torch.ones_like(xc)], dim=1)


def closed_form_fit(x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """The least-squares line ``(w, b)`` minimising the MSE, solved by ``torch.linalg.lstsq``.

    ``x, y``: ``(n, 1)`` or ``(n,)`` tensors. Computed in float64.
    """
    xc, yc = xy_columns(x, y)
    non_constant(xc)
    a = design_matrix(xc)
    solution = torch.linalg.lstsq(a, yc, driver="gelsd").solution
    return solution[0, 0].item(), solution[1, 0].item()


def mse(x: torch.Tensor, y: torch.Tensor, w: float, b: float) -> float:
    """The mean squared error of the line ``w x + b`` on ``(x, y)``, in float64."""
    xc, yc = xy_columns(x, y)
    return torch.mean((w * xc + b - yc) ** 2).item()


def line_loss(x: torch.Tensor, y: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """The MSE of the line ``θ = (w, b)`` on ``(x, y)`` as a torch function of a ``(2,)`` tensor
    (differentiable: what a ``torch.optim`` run minimises)."""
    xc, yc = xy_columns(x, y)
    xv, yv = xc[:, 0], yc[:, 0]

    def loss(theta: torch.Tensor) -> torch.Tensor:
        return torch.mean((theta[0] * xv + theta[1] - yv) ** 2)

    return loss


def _as_theta(theta: object) -> torch.Tensor:
    """``theta`` as a float64 ``(2,)`` tensor ``[w, b]``, or a clear error."""
    if not isinstance(theta, torch.Tensor):
        raise TypeError(f"theta must be a torch.Tensor [w, b], got {type(theta).__name__}")
    if theta.numel() != 2:
        raise ValueError(f"theta must hold two numbers [w, b], got shape {tuple(theta.shape)}")
    theta = theta.detach().reshape(2).to("cpu", torch.float64)
    if not torch.isfinite(theta).all():
        raise ValueError(f"theta must be finite, got {theta.tolist()}")
    return theta


def mse_gradient(x: torch.Tensor, y: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """``∇L(θ) = 2/n · Aᵀ(Aθ − y)``, a float64 ``(2,)`` tensor ``[∂L/∂w, ∂L/∂b]``.

    ``x, y``: ``(n, 1)`` or ``(n,)`` tensors; ``theta``: ``(2,)`` tensor ``[w, b]``.
    """
    xc, yc = xy_columns(x, y)
    a, theta = design_matrix(xc), _as_theta(theta)
    return 2.0 / len(a) * a.T @ (a @ theta - yc[:, 0])


def mse_hessian(x: torch.Tensor) -> torch.Tensor:
    """The 2×2 Hessian of the MSE in ``(w, b)``: ``2/n [[Σx², Σx], [Σx, n]]`` (float64).

    It does not depend on ``y`` (or on ``w, b``): the loss is an exact quadratic.
    """
    a = design_matrix(x)
    return 2.0 / a.shape[0] * a.T @ a


def hessian_eigenvalues(x: torch.Tensor) -> tuple[float, float]:
    """``(λmin, λmax)`` of the MSE Hessian; raises if x is constant (singular Hessian)."""
    non_constant(as_column("x", x))
    lam = torch.linalg.eigvalsh(mse_hessian(x))
    return lam[0].item(), lam[1].item()


def condition_number(x: torch.Tensor) -> float:
    """``κ = λmax / λmin``: how much harder the flattest direction is than the steepest."""
    lam_min, lam_max = hessian_eigenvalues(x)
    return lam_max / lam_min


def loss_surface(x: torch.Tensor, y: torch.Tensor, ws: np.ndarray, bs: np.ndarray) -> np.ndarray:
    """The MSE on a grid, for contour plots.

    ``ws``: ``(p,)`` and ``bs``: ``(q,)`` values; returns a ``(q, p)`` array with
    ``out[i, j] = mse(x, y, ws[j], bs[i])`` (the layout ``plt.contour(ws, bs, out)`` expects).
    """
    xc, yc = xy_columns(x, y)
    xv, yv = xc.numpy()[:, 0], yc.numpy()[:, 0]
    w_grid, b_grid = np.meshgrid(np.asarray(ws, float), np.asarray(bs, float))
    # The MSE expanded in (w, b) uses only five sums of the data, so the grid costs O(p q).
    sxx, sx, sxy, sy, syy = (np.mean(v) for v in (xv * xv, xv, xv * yv, yv, yv * yv))
    return (w_grid**2 * sxx + 2 * w_grid * b_grid * sx + b_grid**2
            - 2 * w_grid * sxy - 2 * b_grid * sy + syy)


# ----------------------------------------------------------------------------- the gap L − L*

def quadratic_gap(d: np.ndarray | torch.Tensor, h: np.ndarray | torch.Tensor) -> np.ndarray | torch.Tensor:
    """``½ dᵀ H d`` for each row ``d`` of ``d`` ``(..., k)`` with ``H`` ``(k, k)``: shape ``(...)``.

    On a quadratic with Hessian ``H`` and optimum ``θ*`` this is ``L(θ) − L*`` for ``d = θ − θ*``,
    exact (no cancellation against ``L*``). NumPy arrays or torch tensors, alike.
    """
    return 0.5 * ((d @ h) * d).sum(-1)


def gap_shares(lam: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``½ λᵢ cᵢ²``: each eigen-direction's share of ``L − L*`` for errors ``c`` ``(..., d)`` in the
    eigenbasis of eigenvalues ``lam`` ``(d,)``; the shares sum to the gap."""
    with np.errstate(over="ignore", invalid="ignore"):
        return 0.5 * np.asarray(lam) * np.asarray(c) ** 2


def regularised_optimum(x: torch.Tensor, y: torch.Tensor, strength: ArrayLike) -> np.ndarray:
    """``argmin L(θ) + ½ Σᵢ sᵢ θᵢ²``: the solution of ``(H + diag(s)) θ = 2/n Aᵀy``, ``(2,)`` float64.

    ``strength``: one number ``s ≥ 0`` for both coordinates (an L2 penalty ``(s/2)‖θ‖²``, where
    ``torch.optim.Adam(weight_decay=s)`` and SGD with weight decay ``s`` end), or ``(2,)`` per coordinate.
    """
    xc, yc = xy_columns(x, y)
    s = np.broadcast_to(np.asarray(strength, float), (2,))
    if not np.all(np.isfinite(s) & (s >= 0)):
        raise ValueError(f"strength must be finite and ≥ 0, got {strength}")
    a = design_matrix(xc)
    c = (2.0 / len(a) * a.T @ yc[:, 0]).numpy()
    return np.linalg.solve(mse_hessian(xc).numpy() + np.diag(s), c)


def loss_gap(x: torch.Tensor, y: torch.Tensor) -> Callable[[ArrayLike, ArrayLike], ArrayLike]:
    """``gap(w, b) = L(w, b) − L*`` for the data ``(x, y)``: :func:`quadratic_gap` of
    ``d = (w − w*, b − b*)``, exact in float64; ``w, b`` numbers or arrays of one shape."""
    xc, yc = xy_columns(x, y)
    optimum = np.array(closed_form_fit(xc, yc))
    h = mse_hessian(xc).numpy()

    def gap(w: ArrayLike, b: ArrayLike) -> ArrayLike:
        return quadratic_gap(np.array([w, b], dtype=float).T - optimum, h)  # d: (2,) or (k, 2)

    return gap


@dataclass(frozen=True)
class Eigenbasis:
    """The quadratic seen from its Hessian's eigenvectors, for one start ``θ0 = (w0, b0)``.

    ``optimum``: ``(w*, b*)``; ``optimum_loss``: ``L*``; ``lam``: eigenvalues ``(2,)`` ascending;
    ``q``: eigenvectors ``(2, 2)`` as columns; ``c0``: the start's error ``Qᵀ(θ0 − θ*)`` ``(2,)``,
    so that ``L0 − L* = ½ Σ λᵢ c0ᵢ²``.
    """

    optimum: tuple[float, float]
    optimum_loss: float
    lam: np.ndarray
    q: np.ndarray
    c0: np.ndarray


def eigenbasis(x: torch.Tensor, y: torch.Tensor, w0: float = 0.0, b0: float = 0.0) -> Eigenbasis:
    """The :class:`Eigenbasis` of the MSE on ``(x, y)`` (``(n, 1)`` tensors) from ``(w0, b0)``."""
    xc, yc = xy_columns(x, y)
    w0, b0 = finite_number("w0", w0), finite_number("b0", b0)
    w_star, b_star = closed_form_fit(xc, yc)
    loss_star = mse(xc, yc, w_star, b_star)
    lam, q = np.linalg.eigh(mse_hessian(xc).numpy())
    return Eigenbasis((w_star, b_star), loss_star, lam, q, q.T @ np.array([w0 - w_star, b0 - b_star]))


def eigen_errors(x: torch.Tensor, y: torch.Tensor, w0: float = 0.0, b0: float = 0.0,
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``(λ, c0)``: the Hessian's eigenvalues ``(2,)`` ascending, and the start's error ``(2,)``
    ``θ0 − θ*`` written in the eigenbasis (so that ``L0 − L* = ½ Σ λᵢ c0ᵢ²``)."""
    basis = eigenbasis(x, y, w0, b0)
    return basis.lam, basis.c0


# ----------------------------------------------------------------------------- one direction, one step

def _betas(beta: ArrayLike) -> np.ndarray:
    beta = np.asarray(beta, float)
    if not np.all((beta >= 0.0) & (beta <= 1.0)):
        raise ValueError(f"beta must be in [0, 1], got {beta}")
    return beta


def stability_edge(beta: ArrayLike = 0.0) -> ArrayLike:
    """``2 + 2β``: a direction converges iff ``0 < ηλ < 2 + 2β`` (heavy ball with ``0 ≤ β < 1``;
    ``β = 0`` is plain GD's ``ηλ < 2``). Broadcasts over arrays of ``β``."""
    return 2.0 + 2.0 * _betas(beta)


def nesterov_stability_edge(beta: ArrayLike = 0.9) -> ArrayLike:
    """``(2 + 2β)/(1 + 2β)``: ``torch.optim.SGD(momentum=β, nesterov=True)`` converges along a direction
    iff ``0 < ηλ < (2 + 2β)/(1 + 2β)`` (1.357 for β = 0.9; constant η, dampening = weight_decay = 0).

    Per direction its error obeys ``c_{k+1} = (1 + β)(1 − ηλ) c_k − β(1 − ηλ) c_{k−1}``; the root
    polynomial ``μ² − (1 + β)(1 − ηλ) μ + β(1 − ηλ)`` is ``1 + (1 + 2β)(1 − ηλ)`` at ``μ = −1``, which
    the Jury conditions need positive."""
    beta = _betas(beta)
    return (2.0 + 2.0 * beta) / (1.0 + 2.0 * beta)


def adam_stability_edge(beta1: ArrayLike = 0.9) -> ArrayLike:
    """``2(1 + β₁)/(1 − β₁)``: with its preconditioner ``P`` frozen, Adam converges along an eigen-direction
    of ``P^½ H P^½`` iff ``0 < ηλ < 2(1 + β₁)/(1 − β₁)`` (38 for β₁ = 0.9; bias correction ignored).

    Adam's first moment is a heavy ball in EMA form, ``m ← β₁ m + (1 − β₁) g``: with ``v = m/(1 − β₁)`` it is
    momentum ``β₁`` with step ``η(1 − β₁)``, so :func:`stability_edge` divided by ``1 − β₁``.
    ``torch.optim.SGD(momentum=β, dampening=β)`` is the same update with ``P = I``.
    Broadcasts over arrays of ``β₁ < 1``.
    """
    beta1 = _betas(beta1)
    if np.any(beta1 >= 1.0):
        raise ValueError(f"beta1 must be below 1 (an average that never forgets has no edge), got {beta1}")
    return stability_edge(beta1) / (1.0 - beta1)


def preconditioned_hessian(hessian: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``P^½ H P^½`` for diagonal preconditioners ``P = diag(p)``: ``p`` ``(..., d)`` positive, ``hessian``
    ``(d, d)``; shape ``(..., d, d)``.

    ``θ ← θ − η P ∇L`` is gradient descent in the coordinates ``u = P^-½ θ``, where the loss has this
    Hessian: its eigenvalues (those of ``PH``) are the curvatures the preconditioned method feels.
    """
    p = np.asarray(p, float)
    if not np.all(p > 0):
        raise ValueError("p must hold positive numbers (the preconditioner's diagonal)")
    root = np.sqrt(p)
    return root[..., :, None] * np.asarray(hessian, float) * root[..., None, :]


def preconditioned_sharpness(hessian: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``λmax(P^½ H P^½)``: the sharpness a method stepping ``θ ← θ − η P ∇L`` feels, for diagonal
    ``P = diag(p)``, ``p`` ``(..., d)``; shape ``(...)`` (see :func:`preconditioned_hessian`)."""
    return np.linalg.eigvalsh(preconditioned_hessian(hessian, p))[..., -1]


def largest_stable_lr(lam_max: float, beta: float = 0.0) -> float:
    """``(2 + 2β) / λmax``: the learning rate above which the steepest direction diverges."""
    return float(stability_edge(beta)) / positive_finite("lam_max", lam_max)


def fastest_gd_lr(lam_min: float, lam_max: float) -> float:
    """``2 / (λmin + λmax)``: plain GD's learning rate with the fastest worst-case convergence
    (both extreme factors ``1 − ηλ`` then have the same size, ``(κ − 1)/(κ + 1)``)."""
    return 2.0 / (positive_finite("lam_min", lam_min) + positive_finite("lam_max", lam_max))


def gd_factors(lr: ArrayLike, lam: ArrayLike) -> np.ndarray:
    """``1 − ηλ``: what one GD step multiplies a direction's error by (broadcasts)."""
    return 1.0 - np.asarray(lr, float) * np.asarray(lam, float)


def direction_rate(eta_lam: ArrayLike, beta: ArrayLike = 0.0) -> np.ndarray:
    """``ρ = max |μ|`` over the roots of ``μ² − (1 + β − ηλ) μ + β``: the per-step shrink factor
    of one direction's error under heavy ball (< 1 converges; ``β = 0``: ``|1 − ηλ|``).
    Broadcasts over arrays of ``ηλ`` and ``β``."""
    beta = _betas(beta)
    a = 1.0 + beta - np.asarray(eta_lam, float)
    disc = a * a - 4.0 * beta
    root = np.sqrt(np.abs(disc))
    real = np.maximum(np.abs(a + root), np.abs(a - root)) / 2.0  # two real roots
    return np.where(disc < 0.0, np.sqrt(beta), real)  # complex pair: |μ| = √β


def damping_band(beta: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    """``((1 − √β)², (1 + √β)²)``: ``ηλ`` inside oscillates with rate √β; at the ends, critical
    damping (a double root). Broadcasts over arrays of ``β``."""
    r = np.sqrt(_betas(beta))
    return (1.0 - r) ** 2, (1.0 + r) ** 2


def polyak_parameters(lam_min: float, lam_max: float) -> tuple[float, float, float]:
    """Polyak's best heavy-ball ``(lr, beta, rate)`` for a quadratic with eigenvalues in ``[λmin, λmax]``.

    Both ends on the critical-damping curves, ``ηλmin = (1 − √β)²`` and ``ηλmax = (1 + √β)²``, give
    ``lr = (2 / (√λmax + √λmin))²``, ``beta = ((√κ − 1) / (√κ + 1))²``; every direction then shrinks
    by ``rate = √β = (√κ − 1) / (√κ + 1)`` per step, against ``(κ − 1) / (κ + 1)`` for plain GD.
    """
    lam_min, lam_max = positive_finite("lam_min", lam_min), positive_finite("lam_max", lam_max)
    if lam_min > lam_max:
        raise ValueError(f"need lam_min ≤ lam_max, got lam_min={lam_min}, lam_max={lam_max}")
    root_kappa = math.sqrt(lam_max / lam_min)
    lr = (2.0 / (math.sqrt(lam_max) + math.sqrt(lam_min))) ** 2
    rate = (root_kappa - 1.0) / (root_kappa + 1.0)
    return lr, rate**2, rate


def momentum_roots(eta_lam: float, beta: float) -> tuple[complex, complex]:
    """The roots ``μ`` of ``μ² − (1 + β − ηλ) μ + β = 0`` (the eigenvalues of :func:`iteration_matrix`),
    as complex numbers: ``(a ± √(a² − 4β)) / 2`` with ``a = 1 + β − ηλ``."""
    beta, eta_lam = finite_number("beta", beta), finite_number("eta_lam", eta_lam)
    a = 1.0 + beta - eta_lam
    root = cmath.sqrt(a * a - 4.0 * beta)
    return (a + root) / 2.0, (a - root) / 2.0


def iteration_matrix(eta_lam: float, beta: float) -> np.ndarray:
    """``M = [[1 + β − ηλ, −β], [1, 0]]``: one step of ``(c_k, c_{k−1})`` along a direction, ``(2, 2)``."""
    beta = float(_betas(finite_number("beta", beta)))
    return np.array([[1.0 + beta - finite_number("eta_lam", eta_lam), -beta], [1.0, 0.0]])


def steps_to_shrink(rate: float, factor: float) -> float:
    """Steps needed for an error that shrinks by ``rate`` per step to shrink by ``factor``.

    ``rate**k <= factor`` gives ``k = log(factor) / log(rate)``; ``inf`` if ``rate >= 1``.
    """
    rate = positive_finite("rate", rate)
    factor = positive_finite("factor", factor)
    if factor >= 1:
        raise ValueError(f"factor must be in (0, 1), got {factor}")
    return math.inf if rate >= 1 else math.log(factor) / math.log(rate)


# ----------------------------------------------------------------------------- for the data's Hessian

def critical_lr(x: torch.Tensor) -> float:
    """``2 / λmax``: gradient descent converges below this learning rate and diverges above it."""
    return largest_stable_lr(hessian_eigenvalues(x)[1])


def optimal_lr(x: torch.Tensor) -> float:
    """``2 / (λmin + λmax)``: the learning rate with the fastest worst-case convergence."""
    return fastest_gd_lr(*hessian_eigenvalues(x))


def convergence_rate(x: torch.Tensor, lr: float) -> float:
    """``max |1 - lr·λ|``: the factor by which GD shrinks the error per step (< 1 converges)."""
    lr = positive_finite("lr", lr)
    return float(np.abs(gd_factors(lr, hessian_eigenvalues(x))).max())


def momentum_parameters(x: torch.Tensor) -> tuple[float, float, float]:
    """Best heavy-ball settings ``(lr, beta, rate)`` for the MSE of ``x``: :func:`polyak_parameters`
    of its Hessian's ``(λmin, λmax)``."""
    return polyak_parameters(*hessian_eigenvalues(x))


# ----------------------------------------------------------------------------- whole runs, per direction

def direction_errors(lam: np.ndarray, c0: np.ndarray, lr: float, steps: int, beta: float = 0.0) -> np.ndarray:
    """Each direction's error ``c_k``, ``k = 0 … steps``, from rest: ``(steps + 1, len(lam))``.

    Plain GD (``β = 0``): ``c_k = c0 (1 − ηλ)^k``. Heavy ball: the recurrence
    ``c_{k+1} = (1 + β − ηλ) c_k − β c_{k−1}`` with ``c_{−1} = c_0`` (torch's velocity starts at 0).
    A diverging direction ends in ``inf``/``nan``.
    """
    lr, steps, beta = positive_finite("lr", lr), positive_int("steps", steps), float(_betas(beta))
    lam, c0 = np.asarray(lam, float), np.asarray(c0, float)
    with np.errstate(over="ignore", invalid="ignore"):
        if beta == 0.0:
            return c0 * gd_factors(lr, lam) ** np.arange(steps + 1)[:, None]
        a = 1.0 + beta - lr * lam
        c = np.empty((steps + 1, len(lam)))
        c[0], previous = c0, c0
        for k in range(steps):
            c[k + 1], previous = a * c[k] - beta * previous, c[k]
    return c


def direction_envelope(eta_lam: float, beta: float, steps: int) -> np.ndarray:
    """A bound ``|c_k| ≤ env_k`` on one heavy-ball direction's error from ``c_0 = 1`` at rest
    (``c_{−1} = c_0``), ``k = 0 … steps``: ``(steps + 1,)``.

    Two roots: ``c_k = A μ₁^k + B μ₂^k`` with ``A + B = 1`` and ``A/μ₁ + B/μ₂ = 1``, so
    ``|c_k| ≤ (|A| + |B|) ρ^k = R ρ^k``: ``R`` is set by the start (complex pair: ``R = 2|A|``, the
    oscillation's amplitude). Double root ``μ``: ``c_k = (1 + Bk) μ^k`` with ``B = c_1/μ − 1``,
    bounded by ``(1 + |B| k) |μ|^k``.
    """
    mu1, mu2 = momentum_roots(eta_lam, beta)
    k = np.arange(positive_int("steps", steps) + 1)
    rho = max(abs(mu1), abs(mu2))
    if beta == 0.0:  # plain GD: c_k = (1 − ηλ)^k exactly
        return rho**k
    if abs(mu1 - mu2) < 1e-6 * rho:  # a double root (up to the rounding of √D)
        b = (1.0 - eta_lam) / rho * np.sign(mu1.real) - 1.0  # c_1 = (a − β) c_0 = (1 − ηλ) c_0 from rest
        return (1.0 + abs(b) * k) * rho**k
    coef = np.linalg.solve(np.array([[1.0, 1.0], [1.0 / mu1, 1.0 / mu2]]), np.array([1.0, 1.0], complex))
    return float(np.abs(coef).sum()) * rho**k


def direction_shares(lam: np.ndarray, c0: np.ndarray, lr: float, steps: int, beta: float = 0.0) -> np.ndarray:
    """Each direction's share ``½ λᵢ c_{k,i}²`` of the gap after ``k = 0 … steps`` steps:
    ``(steps + 1, len(lam))``; the shares sum to ``L − L*``."""
    return gap_shares(lam, direction_errors(lam, c0, lr, steps, beta))


def predicted_direction_steps(lam: np.ndarray, c0: np.ndarray, lr: float, tol: float = REACH_TOL,
                              beta: float = 0.0) -> np.ndarray:
    """Per direction, the ``k`` with ``½ λ c0² ρ^{2k} = tol`` (``ρ`` = :func:`direction_rate`): ``(d,)``.

    Exact for plain GD; for momentum an estimate (it ignores the constant in front of ``ρ^k``,
    and the factor ``k`` at critical damping). ``0`` where the share is already ≤ ``tol``,
    ``inf`` where ``ρ ≥ 1``, ``1`` where ``ρ = 0`` (that direction is solved in one step).
    """
    tol = positive_finite("tol", tol)
    rate = direction_rate(positive_finite("lr", lr) * np.asarray(lam, float), beta)
    share = gap_shares(lam, c0)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(rate > 0.0, np.log(tol / share) / (2.0 * np.log(rate)), 1.0)
    return np.where(share <= tol, 0.0, np.where(rate >= 1.0, np.inf, k))


def direction_reach_steps(lam: np.ndarray, c0: np.ndarray, lr: float, tol: float = REACH_TOL) -> np.ndarray:
    """Exact steps of plain GD until ``L − L* = Σᵢ ½ λᵢ c0ᵢ² (1 − ηλᵢ)^{2k} ≤ tol``, per start: ``(m,)`` int.

    ``lam``: eigenvalues ``(d,)``; ``c0``: starts' errors in the eigenbasis, ``(m, d)`` (or ``(d,)``).
    Each share shrinks by ``(1 − ηλᵢ)²`` per step, so the gap never rises and a bisection on ``k``
    finds the first step within ``tol``. Needs ``|1 − ηλᵢ| < 1`` for every direction with error.
    """
    tol, lr = positive_finite("tol", tol), positive_finite("lr", lr)
    shares = np.atleast_2d(gap_shares(lam, c0))  # (m, d)
    q = gd_factors(lr, lam) ** 2  # (d,): each share's factor per step
    if np.any((q >= 1.0) & (shares > 0).any(axis=0)):
        raise ValueError(f"lr = {lr} does not converge: some |1 − ηλ| ≥ 1 (need lr < 2/λmax)")
    total = shares.sum(axis=1)

    def gap(k: np.ndarray) -> np.ndarray:
        return (shares * q ** k[:, None]).sum(axis=1)

    with np.errstate(divide="ignore"):  # q = 0 (ηλ = 1): that share is gone after one step
        bound = np.log(tol / np.maximum(total, tol)) / np.log(q.max())  # gap ≤ total · q_max^k
    lo, hi = np.zeros(len(total), dtype=np.int64), np.maximum(np.ceil(bound), 1).astype(np.int64)
    done = total <= tol
    while np.any(~done & (hi - lo > 1)):
        mid = (lo + hi) // 2
        within = gap(mid) <= tol
        lo, hi = np.where(within, lo, mid), np.where(within, mid, hi)
    return np.where(done, 0, hi)


def steps_to_reach(x: torch.Tensor, y: torch.Tensor, lr: float, starts: np.ndarray,
                   tol: float = REACH_TOL) -> np.ndarray:
    """Exact steps of plain GD at ``lr`` from each start ``(w0, b0)`` in ``starts`` ``(m, 2)`` until
    ``L − L* ≤ tol``: ``(m,)`` int (:func:`direction_reach_steps` of each start's error ``Qᵀ(θ0 − θ*)``)."""
    starts = np.asarray(starts, dtype=np.float64)
    if starts.ndim != 2 or starts.shape[1] != 2 or not np.isfinite(starts).all():
        raise ValueError(f"starts must be an (m, 2) array of finite (w0, b0), got shape {starts.shape}")
    basis = eigenbasis(x, y)
    return direction_reach_steps(basis.lam, (starts - np.array(basis.optimum)) @ basis.q, lr, tol)


def predicted_steps(x: torch.Tensor, y: torch.Tensor, lr: float, tol: float = REACH_TOL,
                    w0: float = 0.0, b0: float = 0.0) -> float:
    """Steps of GD until each direction's share ``½ λᵢ c0ᵢ² (1 − ηλᵢ)^{2k}`` of the gap is ≤ ``tol``.

    The true gap is the sum of the two shares, so this is a lower bound on the steps GD needs.
    It is close when one direction carries most of the gap; when both shares end near ``tol``
    the sum can need up to ``log 2 / (2 |log ρ|)`` more steps (``ρ`` the slower factor).
    ``inf`` when some ``|1 − ηλᵢ| ≥ 1`` carries error, ``0`` if already within ``tol``.
    """
    lam, c0 = eigen_errors(x, y, w0, b0)
    return float(predicted_direction_steps(lam, c0, lr, tol).max())
