"""Kernel-side cost of one move of lesson 04's momentum widget (η and β sliders).

Usage: python -m benchmarks.bench_momentum_widget [--moves 200]

Sets ``eta.value`` over a log sweep that crosses the stability edge, then ``beta.value`` over
[0, 0.99], and times each observer call: the closed-form run (powers of the 2×2 iteration
matrix), each direction's share, ``set_data`` on the moving artists, the readout, and the blit
(paste the saved background, draw the moving artists, encode the changed pixels as the PNG
ipympl sends). For comparison it times a full ``fig.canvas.draw()``. Prints medians and
quartiles in milliseconds; never passes or fails on time. The browser side (slider → repainted
canvas) is measured by ``tests/test_browser_momentum.py``'s benchmark mode.
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from benchmarks._timing import quartiles_ms, timings
from linreg_utils import START, gd_trajectory, seed_data
from linreg_utils.viz.momentum_widget import MomentumWidget


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=200, help="slider moves per slider to time")
    args = parser.parse_args()
    x, y = seed_data()
    view = MomentumWidget(x, y, lr=0.01, beta=0.0)
    view.fig.canvas.syncing_data_url = False  # a connected browser turns this off too
    view.fig.canvas.draw()  # warm-up: fonts, layout, the saved background
    etas = iter(np.geomspace(1e-3, 0.1, args.moves))
    eta_moves = timings(lambda: setattr(view.eta, "value", float(next(etas))), args.moves - 1)
    view.eta.value = 0.02
    betas = iter(np.linspace(0.0, 0.99, args.moves))
    beta_moves = timings(lambda: setattr(view.beta, "value", float(next(betas))), args.moves - 1)
    compute = timings(lambda: gd_trajectory(view.x, view.y, 0.02, view.steps, *START, beta=0.9), 50)
    draw = timings(view.fig.canvas.draw, 10)
    fmt = "median {1:6.2f} ms (quartiles {0:.2f}-{2:.2f})".format
    print(f"momentum widget, {args.moves} moves per slider, {view.steps} steps per run, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    print(f"  η slider move (until blitted):     {fmt(*quartiles_ms(eta_moves))}")
    print(f"  β slider move (until blitted):     {fmt(*quartiles_ms(beta_moves))}")
    print(f"    of which the closed-form run:    {fmt(*quartiles_ms(compute))}")
    print(f"  for comparison, a full draw():     {fmt(*quartiles_ms(draw))}")


if __name__ == "__main__":
    main()
