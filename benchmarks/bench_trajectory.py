"""How fast is one gradient-descent trajectory, the thing every slider move recomputes?

Usage: python -m benchmarks.bench_trajectory [--runs 2000] [--steps 1000]

Times ``gd_trajectory`` (closed form, input checks and the least-squares solve included)
against a plain NumPy loop and the package's ``torch.optim.SGD`` loop (``line_runs``, every step
recorded) doing the same steps. Prints medians and ratios; never passes or fails on time.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from benchmarks._timing import median_seconds
from linreg_utils import gd_trajectory, line_runs, seed_data


def median_ms(fn, runs: int) -> float:
    return 1e3 * median_seconds(fn, runs)


def numpy_loop(x: np.ndarray, y: np.ndarray, lr: float, steps: int) -> None:
    w = b = 0.0
    for _ in range(steps):
        r = w * x + b - y
        w, b = w - lr * 2 * np.mean(r * x), b - lr * 2 * np.mean(r)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    x, y = seed_data()
    xd, yd = x.double()[:, 0], y.double()[:, 0]
    closed = median_ms(lambda: gd_trajectory(x, y, 1e-3, args.steps), args.runs)
    loop = median_ms(lambda: numpy_loop(xd.numpy(), yd.numpy(), 1e-3, args.steps), max(20, args.runs // 100))
    optim = median_ms(lambda: line_runs(x, y, [1e-3], args.steps), max(5, args.runs // 200))
    print(f"{args.steps:,}-step GD trajectory on the seed's 15 points, median ms "
          f"(torch threads {torch.get_num_threads()})")
    print(f"  gd_trajectory (closed form, {args.runs} runs): {closed:8.3f} ms")
    print(f"  NumPy loop:                        {loop:8.3f} ms  ({loop / closed:,.0f}× slower)")
    print(f"  torch.optim.SGD loop (line_runs):  {optim:8.3f} ms  ({optim / closed:,.0f}× slower)")


if __name__ == "__main__":
    main()
