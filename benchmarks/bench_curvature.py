"""Lesson 08: a Hessian-vector product costs about two gradients; the full Hessian about d of them.

Usage: python -m benchmarks.bench_curvature [--widths 8 32 128 512] [--repeats 7] [--hessian-max 400]

For the lesson's network ``1 → width → 1`` (tanh) on ``make_wave()``'s 64 points, and for lesson
01's least-squares model (``least_squares_problem``), prints the seconds of one gradient,
one Hessian-vector product by double backward (``curvature.hvp``), one by forward-over-reverse
(``torch.func.jvp`` of ``torch.func.grad``), and the full Hessian (``d`` HVPs, up to
``--hessian-max`` parameters), each also in units of one gradient. Prints figures, asserts
nothing: timings depend on the machine, its load and ``OMP_NUM_THREADS`` (printed).
"""

from __future__ import annotations

import argparse
import os
import statistics

import torch

from benchmarks._timing import timings
from linreg_utils.curvature import flat_loss, full_hessian, hvp, loss_and_gradient, mlp
from linreg_utils.derivative_costs import least_squares_problem
from linreg_utils.nonconvex import make_wave


def forward_over_reverse(loss, theta: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """``H v`` as the directional derivative of the gradient: ``jvp(grad(loss), θ, v)``."""
    return torch.func.jvp(torch.func.grad(loss), (theta,), (v,))[1]


def best_and_median(fn, repeats: int) -> tuple[float, float]:
    """``(fastest, median)`` seconds of ``repeats`` calls: on a loaded machine a long call is
    interrupted more often than a short one, so ratios of the fastest calls are the fairer cost."""
    seconds = timings(fn, repeats)
    return min(seconds), statistics.median(seconds)


def row(name: str, loss, theta: torch.Tensor, repeats: int, hessian_max: int) -> None:
    """Print one line for ``loss`` at ``theta``: costs in gradients, fastest call (median call)."""
    v = torch.ones_like(theta)
    grad = best_and_median(lambda: loss_and_gradient(loss, theta), repeats)
    double = best_and_median(lambda: hvp(loss, theta, v), repeats)
    fwd = best_and_median(lambda: forward_over_reverse(loss, theta, v), repeats)

    def ratio(cost: tuple[float, float]) -> str:
        return f"{cost[0] / grad[0]:6.1f}x ({cost[1] / grad[1]:6.1f}x)"

    line = (f"{name:>25} | d = {theta.numel():>5} | gradient {1e3 * grad[0]:6.3f} ms | "
            f"HVP double backward {ratio(double)} | HVP jvp of grad {ratio(fwd)}")
    if theta.numel() <= hessian_max:
        line += f" | full Hessian {ratio(best_and_median(lambda: full_hessian(loss, theta), 3))}"
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
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; {args.repeats} calls each, "
          "costs in units of one gradient (loss + backward), "
          "fastest calls (median calls)")
    x, y = make_wave()
    for width in args.widths:
        loss, theta = flat_loss(mlp(width=width), x, y)
        row(f"MLP 1 → {width} → 1", loss, theta, args.repeats, args.hessian_max)
    for d in args.ls_dims:
        loss, theta = least_squares_problem(d)
        row("least squares (lesson 01)", loss, theta, args.repeats, args.hessian_max)


if __name__ == "__main__":
    main()
