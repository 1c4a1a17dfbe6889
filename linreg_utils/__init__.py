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
    OptimumRun,
    make_loader,
    optimum_gap,
    sgd_noise_floor,
    split_mses,
    steps_to_optimum,
    train_minibatch,
    train_val_split,
)

__all__ = [
    "closed_form_fit",
    "compare_with_torch",
    "condition_number",
    "convergence_rate",
    "critical_lr",
    "DerivativeCosts",
    "design_matrix",
    "DIVERGENCE_FACTOR",
    "fit",
    "FitHistory",
    "format_bytes",
    "gd_trajectory",
    "hessian_eigenvalues",
    "line_loss",
    "loss_surface",
    "make_loader",
    "make_regression",
    "measure_derivative_costs",
    "measured_rate",
    "memory_bytes",
    "MinibatchHistory",
    "momentum_parameters",
    "mse",
    "mse_gradient",
    "mse_hessian",
    "newton_step",
    "optimal_lr",
    "optimum_gap",
    "OptimumRun",
    "pick_device",
    "rosenbrock",
    "rosenbrock_gd_path",
    "rosenbrock_gradient",
    "rosenbrock_hessian",
    "rosenbrock_newton_path",
    "RosenbrockPath",
    "run_torch",
    "run_update",
    "seed_data",
    "sgd_noise_floor",
    "split_mses",
    "standardize",
    "steps_to_optimum",
    "steps_to_shrink",
    "sweep_gd",
    "train_minibatch",
    "train_val_split",
    "Trajectory",
    "unstandardize",
]
