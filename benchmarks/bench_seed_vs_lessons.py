"""The tutorial's run against the fixes of lessons 01–03: steps and wall time to the optimum.

Usage: OMP_NUM_THREADS=1 python benchmarks/bench_seed_vs_lessons.py [--repeats 3]

Every row runs the real ``torch.optim`` loop on the 15 seed points (CPU, float32 nn.Linear,
the same seeded starting line) until the MSE is within 1e-6 of the optimum's, including the
tutorial's SGD(lr=1e-3), which lesson 04 only estimates. Prints the median time over repeats,
then times the tutorial's own program once as written — 100,000 epochs, no early stop — and
each method's speed-up against it, all from this one run. Figures only: nothing here passes or
fails on time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from linreg_utils import optimal_lr, seed_data, standardize, steps_to_optimum  # noqa: E402


def methods(x: torch.Tensor, z: torch.Tensor) -> dict:
    """Name → (inputs, optimizer factory), as in lesson 04's table."""
    return {
        "SGD lr=1e-3, raw x (the tutorial)": (x, lambda p: torch.optim.SGD(p, lr=1e-3)),
        f"SGD lr={optimal_lr(x):.4f} = 2/(λmin+λmax), raw x":
            (x, lambda p: torch.optim.SGD(p, lr=optimal_lr(x))),
        "SGD lr=0.1, standardized x": (z, lambda p: torch.optim.SGD(p, lr=0.1)),
        "SGD lr=0.5 (best), standardized x": (z, lambda p: torch.optim.SGD(p, lr=optimal_lr(z))),
        "Adam lr=0.05, raw x": (x, lambda p: torch.optim.Adam(p, lr=0.05)),
        "LBFGS (strong Wolfe), raw x": (x, lambda p: torch.optim.LBFGS(p, line_search_fn="strong_wolfe")),
    }


def seed_program_seconds(x: torch.Tensor, y: torch.Tensor, epochs: int = 100_000) -> float:
    """Wall time of the tutorial's loop: nn.Linear, MSELoss, SGD(lr=1e-3), ``epochs`` epochs."""
    torch.manual_seed(0)
    model, criterion = nn.Linear(1, 1), nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    for _ in range(epochs):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    x, y = seed_data()
    z, _, _ = standardize(x)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, repeats {args.repeats}")
    print(f"{'method':40s} {'steps':>7s} {'evals':>7s} {'median s':>9s} {'µs/step':>8s}")
    medians = {}
    for name, (inputs, make_optimizer) in methods(x, z).items():
        runs = []
        for _ in range(args.repeats):
            torch.manual_seed(0)
            model = nn.Linear(1, 1)
            runs.append(steps_to_optimum(model, make_optimizer(model.parameters()), inputs, y, tol=1e-6))
        seconds = statistics.median(r.seconds for r in runs)
        steps = runs[0].steps
        medians[name] = seconds
        print(f"{name:40s} {steps:7,d} {runs[0].evaluations:7,d} {seconds:9.4f} {1e6 * seconds / steps:8.0f}")
    full = seed_program_seconds(x, y)
    print(f"\nthe tutorial's program as written (100,000 epochs): {full:.2f} s")
    print(f"{'method':40s} {'time to optimum':>16s} {'× faster than the tutorial':>27s}")
    for name, seconds in medians.items():
        print(f"{name:40s} {seconds:15.4f}s {full / seconds:26,.0f}×")


if __name__ == "__main__":
    main()
