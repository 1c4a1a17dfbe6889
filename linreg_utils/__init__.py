"""Helpers for the optimization notebooks. The core every lesson uses is importable from here:

    from linreg_utils import seed_data, critical_lr, gd_trajectory

- :mod:`.data`: the tutorial's 15 points, synthetic lines, standardization;
- :mod:`.theory`: the quadratic's one home (Hessian, eigenbasis, loss gap, step predictions);
- :mod:`.trajectory`: gradient descent on that quadratic, exactly, in closed form;
- :mod:`.device`: CUDA, then MPS, then the CPU.

Lesson extras are imported from their own modules (``from linreg_utils.optimizers import …``):
``second_order``, ``derivative_costs``, ``rosenbrock`` (lesson 01), ``optimizers``, ``sweep``
(03), ``momentum`` (04), ``race`` (05), ``workflow`` (06), ``stochastic`` (07), ``nonconvex``,
``curvature``, ``hessian_free`` (08); figures and widgets live in ``viz``, exercise checkers in
``exercises``.
"""

from .data import make_regression, seed_data, standardize, unstandardize
from .device import pick_device
from .theory import (
    REACH_TOL,
    closed_form_fit,
    condition_number,
    convergence_rate,
    critical_lr,
    eigen_errors,
    hessian_eigenvalues,
    loss_gap,
    mse,
    mse_hessian,
    optimal_lr,
    predicted_steps,
    steps_to_shrink,
)
from .trajectory import Trajectory, gd_trajectory

__all__ = [
    "REACH_TOL",
    "Trajectory",
    "closed_form_fit",
    "condition_number",
    "convergence_rate",
    "critical_lr",
    "eigen_errors",
    "gd_trajectory",
    "hessian_eigenvalues",
    "loss_gap",
    "make_regression",
    "mse",
    "mse_hessian",
    "optimal_lr",
    "pick_device",
    "predicted_steps",
    "seed_data",
    "standardize",
    "steps_to_shrink",
    "unstandardize",
]
