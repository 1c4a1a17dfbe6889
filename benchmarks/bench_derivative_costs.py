"""Gradient vs Hessian vs Newton solve: seconds per call as the number of parameters d grows.

Usage: python -m benchmarks.bench_derivative_costs [--dims 10 100 1000 4000] [--runs 3] [--n 64]

Runs lesson 01's ``measure_derivative_costs`` ``--runs`` times and prints, for each d, the
median seconds per call, the Hessian's cost in gradients (``Hessian / gradient``, about d
backward passes) and the log-log slopes over the largest d. Prints figures, asserts nothing:
timings depend on the machine, its load and ``OMP_NUM_THREADS`` (printed with the results).
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import torch

from linreg_utils.derivative_costs import DerivativeCosts, measure_derivative_costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, nargs="+", default=[10, 30, 100, 300, 1000, 2000, 4000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=64, help="data points of the least-squares model")
    args = parser.parse_args()
    runs = [measure_derivative_costs(args.dims, n=args.n) for _ in range(args.runs)]
    median = DerivativeCosts(
        np.array(args.dims),
        *(np.median([getattr(r, name) for r in runs], axis=0)
          for name in ("gradient_s", "hessian_s", "solve_s")),
    )
    print(f"torch {torch.__version__}, torch threads {torch.get_num_threads()}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, n = {args.n}, "
          f"median of {args.runs} runs (each the best of a few calls)")
    print(f"{'d':>6} | {'gradient':>10} | {'Hessian':>10} | {'solve':>10} | Hessian / gradient")
    for d, g, h, s in zip(median.dims, median.gradient_s, median.hessian_s, median.solve_s, strict=True):
        print(f"{d:>6} | {g:>9.2e}s | {h:>9.2e}s | {s:>9.2e}s | {h / g:>10.0f}")
    last = min(3, len(args.dims))
    if last >= 2:
        slopes = median.slopes(last=last)
        print(f"log-log slopes over the {last} largest d: "
              + ", ".join(f"{name} {value:.2f}" for name, value in slopes.items()))


if __name__ == "__main__":
    main()
