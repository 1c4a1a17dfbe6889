"""Batched learning-rate sweep vs one torch.optim loop per learning rate, on the seed data.

Usage: python -m benchmarks.bench_sweep [--lrs 50] [--steps 1000] [--repeats 5]
                                        [--loop-lrs 10]

Times ``sweep_gd`` (one ``(n_lr, 2)`` parameter tensor; each step's gradients for all lrs as one
matrix product, and, for comparison, from one backward pass) on ``--lrs`` learning rates, and
``sweep_with_torch_optim`` (a separate ``torch.optim.SGD`` loop per lr) on ``--loop-lrs`` of
them. A loop costs the same for every lr, so all ``--lrs`` loops take ``--lrs / --loop-lrs``
times as long (printed as such; ``--loop-lrs 50`` times them all). Checks that both agree and
prints medians and the ratio; never passes or fails on time.
"""

from __future__ import annotations

import argparse
import os

import torch

from benchmarks._timing import median_seconds
from linreg_utils import critical_lr, seed_data
from linreg_utils.sweep import sweep_gd, sweep_with_torch_optim


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lrs", type=int, default=50)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--loop-lrs", type=int, default=10, help="lrs timed through torch.optim loops")
    args = parser.parse_args()
    torch.set_num_threads(1)
    x, y = seed_data()
    lrs = torch.linspace(1e-4, critical_lr(x), args.lrs + 1)[1:]  # all below 2/λmax
    some = lrs[:: max(1, args.lrs // args.loop_lrs)][: args.loop_lrs]
    batched = sweep_gd(x, y, lrs, args.steps)
    looped = sweep_with_torch_optim(x, y, some, args.steps)
    index = torch.cat([torch.nonzero(lrs == v)[0] for v in some])
    same = all(torch.allclose(a[index], b, rtol=1e-10, atol=1e-12)
               for a, b in zip(batched, looped, strict=True))
    t_batch = median_seconds(lambda: sweep_gd(x, y, lrs, args.steps), args.repeats)
    t_auto = median_seconds(lambda: sweep_gd(x, y, lrs, args.steps, autograd=True), args.repeats)
    t_some = median_seconds(lambda: sweep_with_torch_optim(x, y, some, args.steps), max(1, args.repeats // 2))
    t_loop = t_some * args.lrs / len(some)
    print(f"{args.lrs} learning rates x {args.steps} steps, medians, 1 torch thread, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    print(f"same results (allclose, float64) on the {len(some)} lrs run both ways: {same}")
    print(f"batched sweep, all {args.lrs} lrs:          {t_batch * 1e3:9.1f} ms")
    print(f"batched, autograd gradient, all {args.lrs}: {t_auto * 1e3:9.1f} ms")
    print(f"torch.optim loops, {len(some)} lrs:              {t_some * 1e3:9.1f} ms "
          f"({t_some / len(some) * 1e3:.1f} ms per lr)")
    print(f"torch.optim loops, all {args.lrs} lrs (x{args.lrs / len(some):g}): {t_loop * 1e3:9.1f} ms")
    print(f"speedup: {t_loop / t_batch:.0f}x (batched with autograd: {t_loop / t_auto:.0f}x)")


if __name__ == "__main__":
    main()
