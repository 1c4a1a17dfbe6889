"""Helpers for the optimization notebooks: data, theory, gradient descent, training, device.

Everything a notebook needs is importable from here, e.g.
``from linreg_utils import seed_data, critical_lr, gd_trajectory``.
"""

from .data import make_regression, seed_data, standardize, unstandardize
from .derivative_costs import DerivativeCosts, format_bytes, measure_derivative_costs, memory_bytes
from .device import pick_device
from .optimizers import compare_with_torch, line_loss, measured_rate, run_torch, run_update
from .rosenbrock import (
    RosenbrockPath,
    rosenbrock,
    rosenbrock_gd_path,
    rosenbrock_gradient,
    rosenbrock_hessian,
    rosenbrock_newton_path,
)
from .second_order import mse_gradient, newton_step
from .sweep import sweep_gd
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
from .workflow import (
    MinibatchHistory,
    RaceResult,
    make_loader,
    optimum_gap,
    sgd_noise_floor,
    split_mses,
    steps_to_optimum,
    train_minibatch,
    train_val_split,
)

__all__ = [
    "DerivativeCosts",
    "RosenbrockPath",
    "format_bytes",
    "measure_derivative_costs",
    "memory_bytes",
    "mse_gradient",
    "newton_step",
    "rosenbrock",
    "rosenbrock_gd_path",
    "rosenbrock_gradient",
    "rosenbrock_hessian",
    "rosenbrock_newton_path",
    "compare_with_torch",
    "line_loss",
    "measured_rate",
    "run_torch",
    "run_update",
    "sweep_gd",
    "DIVERGENCE_FACTOR",
    "FitHistory",
    "MinibatchHistory",
    "RaceResult",
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
    "make_loader",
    "make_regression",
    "momentum_parameters",
    "mse",
    "mse_hessian",
    "optimal_lr",
    "optimum_gap",
    "pick_device",
    "seed_data",
    "sgd_noise_floor",
    "split_mses",
    "standardize",
    "steps_to_optimum",
    "steps_to_shrink",
    "train_minibatch",
    "train_val_split",
    "unstandardize",
]
