"""Helpers for the optimization notebooks: data, theory, gradient descent, training, device.

Everything a notebook needs is importable from here, e.g.
``from linreg_utils import seed_data, critical_lr, gd_trajectory``.
"""

from .data import make_regression, seed_data, standardize, unstandardize
from .device import pick_device
from .theory import (
    closed_form_fit,
    condition_number,
    convergence_rate,
    critical_lr,
    design_matrix,
    hessian_eigenvalues,
    loss_surface,
    momentum_parameters,
    mse,
    mse_hessian,
    optimal_lr,
    steps_to_shrink,
)
from .training import FitHistory, fit
from .trajectory import DIVERGENCE_FACTOR, Trajectory, gd_trajectory

__all__ = [
    "DIVERGENCE_FACTOR",
    "FitHistory",
    "Trajectory",
    "closed_form_fit",
    "condition_number",
    "convergence_rate",
    "critical_lr",
    "design_matrix",
    "fit",
    "gd_trajectory",
    "hessian_eigenvalues",
    "loss_surface",
    "make_regression",
    "momentum_parameters",
    "mse",
    "mse_hessian",
    "optimal_lr",
    "pick_device",
    "seed_data",
    "standardize",
    "steps_to_shrink",
    "unstandardize",
]
