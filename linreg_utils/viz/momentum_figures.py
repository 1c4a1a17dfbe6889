"""Lesson 04's static momentum figures: the three damping regimes of one direction, and momentum
across a whole spectrum of eigen-directions. Views only: the numbers come from
:mod:`linreg_utils.theory` and :mod:`linreg_utils.spectrum`."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..theory import direction_envelope, direction_errors, momentum_roots


def damping_figure(settings: list[tuple[float, float, str]], steps: int = 30) -> Figure:
    """One panel per ``(ηλ, β, label)``: the error ``c_k`` of one direction from ``c_0 = 1`` at rest
    (the recurrence of :func:`direction_errors`), with its envelope ``±R ρ^k`` (:func:`direction_envelope`:
    ``R`` set by the start; a double root's ``±(1 + |B| k) ρ^k``) and the two roots in the title."""
    import matplotlib.pyplot as plt

    if not settings:
        raise ValueError("settings must list at least one (eta_lam, beta, label), got an empty list")
    fig, axes = plt.subplots(1, len(settings), figsize=(4.2 * len(settings), 3.4), sharey=True,
                             squeeze=False, gridspec_kw={"left": 0.07, "right": 0.99, "top": 0.84,
                                                         "bottom": 0.15, "wspace": 0.06})
    k = np.arange(steps + 1)
    for ax, (eta_lam, beta, label) in zip(axes[0], settings, strict=True):
        c = direction_errors(np.array([1.0]), np.array([1.0]), eta_lam, steps, beta)[:, 0]
        roots = momentum_roots(eta_lam, beta)
        rho = max(abs(m) for m in roots)
        envelope = direction_envelope(eta_lam, beta, steps)
        slope = (envelope[1] / rho - envelope[0]) if abs(roots[0] - roots[1]) < 1e-6 * rho else 0.0
        shape = f"(1 + {slope:.2g}k)" if slope else f"{envelope[0]:.2f}·"
        ax.axhline(0.0, color="gray", lw=0.6)
        ax.plot(k, c, "-o", ms=3, lw=1, label=r"error $c_k$")
        ax.plot(k, envelope, ":", color="gray", label=f"envelope ±{shape}{rho:.2f}$^k$")
        ax.plot(k, -envelope, ":", color="gray")
        shown = ", ".join(f"{m.real:.2f}" + (f"{m.imag:+.2f}i" if abs(m.imag) > 1e-12 else "") for m in roots)
        ax.set(title=f"{label}\nηλ = {eta_lam:g}, β = {beta:g}: μ = {shown}", xlabel="step k",
               ylim=(-1.05, 1.15))
        ax.title.set_fontsize(9.5)
        ax.legend(fontsize=8, loc="upper right")
    axes[0, 0].set_ylabel(r"error along the direction, $c_k$")
    return fig


ENVELOPE = 10
"""The spectrum figure plots each direction's largest ``|c|`` over this many steps: an oscillating
direction's error crosses zero, and its envelope is what shrinks at the rate."""


def spectrum_figure(lam: np.ndarray, runs: list[tuple[np.ndarray, str]]) -> Figure:
    """One panel per ``(errors, title)``: ``|c_k| / |c_0|`` of each eigen-direction (``errors``
    ``(k + 1, d)`` from :func:`linreg_utils.spectrum.spectrum_run`), its running max over
    :data:`ENVELOPE` steps, on a log scale, coloured by ``λ``; the largest ``λ`` dashed (GD at
    ``2/(λmin + λmax)`` shrinks both ends at the same rate: one line would hide the other)."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    if not runs:
        raise ValueError("runs must list at least one (errors, title), got an empty list")
    lam = np.asarray(lam, float)
    norm = LogNorm(lam.min(), lam.max())
    cmap = plt.get_cmap("viridis")
    fig, axes = plt.subplots(1, len(runs), figsize=(5.2 * len(runs), 3.8), sharey=True, squeeze=False,
                             gridspec_kw={"left": 0.1, "right": 0.88, "top": 0.92, "bottom": 0.13,
                                          "wspace": 0.06})
    for ax, (errors, title) in zip(axes[0], runs, strict=True):
        k = np.arange(len(errors))
        ratio = np.abs(errors) / np.abs(errors[:1])
        padded = np.concatenate([np.zeros((ENVELOPE - 1, ratio.shape[1])), ratio])
        envelope = np.lib.stride_tricks.sliding_window_view(padded, ENVELOPE, axis=0).max(axis=-1)
        for i, lam_i in enumerate(lam):  # the largest λ dashed: at GD's best η it coincides with the smallest
            last = i == len(lam) - 1
            ax.semilogy(k, np.clip(envelope[:, i], 1e-16, None), color=cmap(norm(lam_i)),
                        lw=1.4 if last else 1, ls="--" if last else "-",
                        label=f"λ = {lam_i:g} (dashed)" if last else None)
        ax.axhline(1e-6, color="gray", ls=":", lw=0.8, label="shrunk 10⁶×")
        ax.set(title=title, xlabel="step k", ylim=(1e-12, 10), xlim=(0, len(errors) - 1))
        ax.title.set_fontsize(10)
    axes[0, 0].set_ylabel(r"$|c_{k,i}| / |c_{0,i}|$, max over the last " + f"{ENVELOPE} steps")
    axes[0, 0].legend(fontsize=8, loc="lower left")
    fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), cax=fig.add_axes((0.9, 0.13, 0.015, 0.79)),
                 label=r"eigenvalue $\lambda_i$ of the direction (log)")
    return fig
