"""Lesson 07: a Hessian-vector product costs about two gradients; the full Hessian about d of them.

Usage: python -m benchmarks.bench_curvature [--widths 8 32 128 512] [--repeats 7] [--hessian-max 400]

For the lesson's network ``1 → width → 1`` (tanh) on ``make_wave()``'s 64 points, and for lesson
01's least-squares model (``least_squares_problem``), prints the median seconds of one gradient,
one Hessian-vector product by double backward (``curvature.hvp``), one by forward-over-reverse
(``torch.func.jvp`` of ``torch.func.grad``), and the full Hessian (``d`` HVPs, up to
``--hessian-max`` parameters), each also in units of one gradient. Prints figures, asserts
nothing: timings depend on the machine, its load and ``OMP_NUM_THREADS`` (printed).
"""

from __future__ import annotations

import argparse
import os

import torch

from benchmarks._timing import median_seconds
from linreg_utils.curvature import flat_loss, full_hessian, hvp, loss_and_gradient, mlp
from linreg_utils.derivative_costs import least_squares_problem
from linreg_utils.nonconvex import make_wave


def forward_over_reverse(loss, theta: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """``H v`` as the directional derivative of the gradient: ``jvp(grad(loss), θ, v)``."""
    return torch.func.jvp(torch.func.grad(loss), (theta,), (v,))[1]


def row(name: str, loss, theta: torch.Tensor, repeats: int, hessian_max: int) -> None:
    """Print one line of medians for ``loss`` at ``theta``."""
    v = torch.ones_like(theta)
    grad = median_seconds(lambda: loss_and_gradient(loss, theta), repeats)
    double = median_seconds(lambda: hvp(loss, theta, v), repeats)
    fwd = median_seconds(lambda: forward_over_reverse(loss, theta, v), repeats)
    line = (f"{name:>24} | d = {theta.numel():>6} | gradient {1e3 * grad:7.3f} ms | HVP (double backward) "
            f"{double / grad:4.1f}x | HVP (jvp of grad) {fwd / grad:4.1f}x")
    if theta.numel() <= hessian_max:
        hess = median_seconds(lambda: full_hessian(loss, theta), max(1, repeats // 3))
        line += f" | full Hessian {hess / grad:7.0f}x"
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_curvature",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[8, 32, 128, 512])
    parser.add_argument("--ls-dims", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--hessian-max", type=int, default=400, help="largest d whose full Hessian is timed")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, torch threads {torch.get_num_threads()}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; medians of {args.repeats} calls, "
          "costs in units of one gradient (loss + backward)")
    x, y = make_wave()
    for width in args.widths:
        loss, theta = flat_loss(mlp(width=width), x, y)
        row(f"MLP 1 → {width} → 1", loss, theta, args.repeats, args.hessian_max)
    for d in args.ls_dims:
        loss, theta = least_squares_problem(d)
        row("least squares (lesson 01)", loss, theta, args.repeats, args.hessian_max)


if __name__ == "__main__":
    main()
