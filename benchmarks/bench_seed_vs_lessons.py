"""The tutorial's run against the fixes of lessons 01–03: evaluations and wall time to the optimum.

Usage: OMP_NUM_THREADS=1 python -m benchmarks.bench_seed_vs_lessons [--repeats 3]

Every row runs the real ``torch.optim`` loop on the 15 seed points (CPU, float32 nn.Linear,
the same seeded starting line) until the MSE is within 1e-6 of the optimum's, including the
tutorial's SGD(lr=1e-3). Rows are ranked by loss/gradient evaluations, as lesson 06 ranks them,
with the median time over repeats (benchmarks/_timing.py). Then the tutorial's own program is
timed as written — 100,000 epochs, no stopping rule — and each method's speed-up against it.
Figures only: nothing here passes or fails on time.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import torch
from torch import nn

from benchmarks._timing import median_seconds
from linreg_utils import Run, seed_data, standardize
from linreg_utils.workflow import fixes, steps_to_optimum


def methods(x: torch.Tensor, z: torch.Tensor) -> dict[str, tuple[torch.Tensor, Callable]]:
    """Name → (inputs, optimizer factory): the tutorial's, then lesson 06's race (``workflow.fixes``)."""
    return {"SGD lr=1e-3, raw x (the tutorial)": (x, lambda p: torch.optim.SGD(p, lr=1e-3)), **fixes(x, z)}


def race(inputs: torch.Tensor, y: torch.Tensor, make_optimizer: Callable) -> Run:
    """One run from the seeded start to within 1e-6 of the optimum."""
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    return steps_to_optimum(model, make_optimizer(model.parameters()), inputs, y, tol=1e-6)


def seed_program(x: torch.Tensor, y: torch.Tensor, epochs: int = 100_000) -> None:
    """The tutorial's loop as written: nn.Linear, MSELoss, SGD(lr=1e-3), ``epochs`` epochs."""
    torch.manual_seed(0)
    model, criterion = nn.Linear(1, 1), nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    for _ in range(epochs):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    x, y = seed_data()
    z, _, _ = standardize(x)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, repeats {args.repeats}")
    rows = {}
    for name, (inputs, make_optimizer) in methods(x, z).items():
        result = race(inputs, y, make_optimizer)
        seconds = median_seconds(lambda i=inputs, m=make_optimizer: race(i, y, m), args.repeats, warmup=0)
        rows[name] = (result, seconds)
    print(f"{'method':46s} {'step()':>7s} {'evals':>7s} {'median s':>9s} {'µs/eval':>8s}")
    for name, (result, seconds) in sorted(rows.items(), key=lambda item: item[1][0].log["evaluations"][-1]):
        evaluations = result.log["evaluations"][-1]
        print(f"{name:46s} {result.reached_at:7,d} {evaluations:7,d} {seconds:9.4f} "
              f"{1e6 * seconds / evaluations:8.0f}")
    full = median_seconds(lambda: seed_program(x, y), 1, warmup=0)
    print(f"\nthe tutorial's program as written (100,000 epochs): {full:.2f} s")
    print(f"{'method':46s} {'time to optimum':>16s} {'× faster than the tutorial':>27s}")
    for name, (_, seconds) in rows.items():
        print(f"{name:46s} {seconds:15.4f}s {full / seconds:26,.0f}×")


if __name__ == "__main__":
    main()
