"""Lesson 05's edge-of-stability figure: a run's loss gap above, its preconditioned sharpness below."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter, ScalarFormatter

GAP_FLOOR = 1e-34
"""Exact zeros of the gap (θ_k equal to θ* in float64) are drawn at this floor."""


def sharpness_panels(gaps: np.ndarray, sharpness: np.ndarray, edges: dict[str, float], title: str) -> Figure:
    """Two panels over the steps of one run: ``gaps`` ``(k + 1,)`` (``½ dᵀHd`` from the parameter error,
    step 0 first) on a log scale, and ``sharpness`` ``(k,)`` (``ηλmax(P^½HP^½)`` of steps 1 … k) with a
    dashed line at each of ``edges`` (label → value)."""
    gaps, sharpness = np.asarray(gaps, float), np.asarray(sharpness, float)
    if gaps.ndim != 1 or sharpness.shape != (len(gaps) - 1,):
        raise ValueError(f"need gaps (k + 1,) and sharpness (k,), got {gaps.shape} and {sharpness.shape}")
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 5.6), sharex=True, layout="constrained")
    top.semilogy(np.arange(len(gaps)), np.maximum(gaps, GAP_FLOOR), lw=0.8, color="tab:blue")
    top.set(ylim=(GAP_FLOOR / 10, 1e3), title=title,
            ylabel="$\\frac{1}{2} d^\\top H d$ $(= L - L^*)$\n$d = \\theta_k - \\theta^*$")
    top.text(0.995, 0.04, f"exact zeros drawn at {GAP_FLOOR:.0e}", transform=top.transAxes, ha="right",
             fontsize=8, color="gray")
    steps = np.arange(1, len(sharpness) + 1)
    bottom.semilogy(steps, sharpness, lw=1.0, color="black",
                    label=r"$\eta\,\lambda_{\max}(P^{1/2} H P^{1/2})$")
    for (label, value), color in zip(edges.items(), ("tab:green", "tab:red", "tab:purple"), strict=False):
        bottom.axhline(value, color=color, ls="--", lw=1.2, label=label)
    bottom.set(xlabel="step k", ylabel="preconditioned sharpness\n(log scale)", xlim=(0, len(sharpness)))
    bottom.set_yticks(sorted({1.0, 10.0, 20.0, *edges.values()}), minor=False)
    bottom.yaxis.set_major_formatter(ScalarFormatter())
    bottom.yaxis.set_minor_formatter(NullFormatter())
    bottom.legend(loc="center right", fontsize=8)
    return fig
