"""Batched learning-rate sweep vs one torch.optim loop per learning rate, on the seed data.

Usage: python benchmarks/bench_sweep.py [--lrs 50] [--steps 1000] [--repeats 5]

Times `sweep_gd` (one (n_lr, 2) parameter tensor, one backward pass per step for all lrs)
and `sweep_with_torch_optim` (n_lr separate SGD loops), checks they agree, and prints the
median of each over the repeats and their ratio. Prints figures; never passes or fails on time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from linreg_utils import critical_lr, seed_data  # noqa: E402
from linreg_utils.sweep import sweep_gd, sweep_with_torch_optim  # noqa: E402


def median_seconds(fn, repeats: int) -> float:
    """Median wall time of ``fn()`` over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lrs", type=int, default=50)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    x, y = seed_data()
    lrs = torch.linspace(1e-4, critical_lr(x), args.lrs + 1)[1:]  # all below 2/λmax
    batched, looped = sweep_gd(x, y, lrs, args.steps), sweep_with_torch_optim(x, y, lrs, args.steps)
    same = all(torch.allclose(a, b, rtol=1e-10, atol=1e-12) for a, b in zip(batched, looped, strict=True))
    t_batch = median_seconds(lambda: sweep_gd(x, y, lrs, args.steps), args.repeats)
    t_loop = median_seconds(lambda: sweep_with_torch_optim(x, y, lrs, args.steps), args.repeats)
    print(f"{args.lrs} learning rates x {args.steps} steps, median of {args.repeats} repeats, 1 thread")
    print(f"same results (allclose, float64): {same}")
    print(f"batched sweep:          {t_batch * 1e3:9.1f} ms")
    print(f"one torch.optim loop/lr: {t_loop * 1e3:9.1f} ms")
    print(f"speedup: {t_loop / t_batch:.0f}x")


if __name__ == "__main__":
    main()
