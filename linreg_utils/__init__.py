"""Helpers for the optimization notebooks. The core every lesson uses is importable from here:

    from linreg_utils import seed_data, critical_lr, gd_trajectory, line_runs, Run

- :mod:`.data`: the tutorial's 15 points and its model's start, synthetic lines, standardization;
- :mod:`.theory`: the quadratic's one home — every closed form (Hessian, eigenbasis, loss gap,
  stability edges, damping bands, rates, step predictions), written once;
- :mod:`.runs`: :class:`Run`, the one record of a run; :func:`diverged_at`, the one divergence
  policy; :func:`train`, the one ``torch.optim`` loop (:func:`optimize`, :func:`line_runs` use it);
- :mod:`.trajectory`: gradient descent (with or without momentum) on that quadratic, exactly;
- :mod:`.device`: CUDA, then MPS, then the CPU.

Lesson extras are imported from their own modules (``from linreg_utils.optimizers import …``):
``derivative_costs``, ``rosenbrock`` (lesson 01), ``sweep`` (03), ``optimizers`` (03–05), ``adaptive`` (05),
``race`` (05), ``workflow`` (06), ``stochastic`` (07), ``nonconvex``, ``curvature`` (08);
figures and widgets from ``viz``, exercise checkers from ``exercises``.
"""

from .data import START, linear_start, linear_starts, make_regression, seed_data, standardize, unstandardize
from .device import pick_device
from .runs import (
    DIVERGENCE_FACTOR,
    Run,
    diverged_at,
    line_reach_steps,
    line_runs,
    lr_range_test,
    optimize,
    range_test_turn,
    settles_within,
    train,
)
from .theory import (
    REACH_TOL,
    closed_form_fit,
    condition_number,
    convergence_rate,
    critical_lr,
    damping_band,
    direction_rate,
    direction_shares,
    eigen_errors,
    gap_shares,
    hessian_eigenvalues,
    iteration_matrix,
    line_loss,
    loss_gap,
    momentum_parameters,
    mse,
    mse_hessian,
    optimal_lr,
    predicted_direction_steps,
    predicted_steps,
    stability_edge,
    steps_to_reach,
    steps_to_shrink,
)
from .trajectory import gd_trajectory

__all__ = [
    "DIVERGENCE_FACTOR",
    "REACH_TOL",
    "START",
    "Run",
    "closed_form_fit",
    "condition_number",
    "convergence_rate",
    "critical_lr",
    "damping_band",
    "direction_rate",
    "direction_shares",
    "diverged_at",
    "eigen_errors",
    "gap_shares",
    "gd_trajectory",
    "hessian_eigenvalues",
    "iteration_matrix",
    "line_loss",
    "line_runs",
    "line_reach_steps",
    "linear_start",
    "linear_starts",
    "lr_range_test",
    "loss_gap",
    "make_regression",
    "momentum_parameters",
    "mse",
    "mse_hessian",
    "optimal_lr",
    "optimize",
    "pick_device",
    "predicted_direction_steps",
    "predicted_steps",
    "range_test_turn",
    "seed_data",
    "settles_within",
    "stability_edge",
    "standardize",
    "steps_to_reach",
    "steps_to_shrink",
    "train",
    "unstandardize",
]
