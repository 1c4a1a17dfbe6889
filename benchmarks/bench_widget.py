"""Kernel-side cost of one move of lesson 02's learning-rate slider, with its breakdown.

Usage: python -m benchmarks.bench_widget [--moves 200] [--steps 1000]

Sets ``slider.value`` over a sweep of learning rates (log-spaced, crossing the critical one),
and for each move times the trajectory alone (closed form) and the whole observer update: the
trajectory, the artists' set_data, readout and scale text, and the blit (paste the saved
background, draw the moving artists, encode the changed pixels as the PNG sent to the browser).
For comparison it also times a full ``fig.canvas.draw()``, what every move would cost without
blitting. Prints medians in milliseconds; it never passes or fails on time. The browser side
(sending and painting the PNG) is measured by ``benchmarks.bench_browser``.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from benchmarks._timing import quartiles_ms, timings
from linreg_utils import gd_trajectory, seed_data
from linreg_utils.viz.lr_widget import lr_widget


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=200, help="slider moves to time (>= 100)")
    parser.add_argument("--steps", type=int, default=1_000, choices=[100, 1_000, 10_000, 100_000])
    args = parser.parse_args()
    x, y = seed_data()
    view = lr_widget(x, y, lr=1e-3, steps=args.steps)
    # With no browser attached, ipympl also re-encodes the whole figure for the notebook file
    # on every image; a connected front-end turns that off, and so do we.
    view.fig.canvas.syncing_data_url = False
    view.fig.canvas.draw()  # warm-up: fonts, first layout, saved background
    lrs = np.geomspace(1e-4, 0.05, args.moves)  # crosses 2/λmax ≈ 0.0222

    compute, update = [], []
    for lr in lrs:
        t0 = time.perf_counter()
        gd_trajectory(view.x, view.y, float(lr), args.steps)
        t1 = time.perf_counter()
        view.slider.value = float(lr)  # the observer: trajectory + set_data + text + blit
        t2 = time.perf_counter()
        compute.append(t1 - t0)
        update.append(t2 - t1)
    draw = timings(view.fig.canvas.draw, repeats=max(10, args.moves // 10), warmup=0)

    ms = lambda v: f"{quartiles_ms(v)[1]:8.2f} ms"  # noqa: E731
    print(f"learning-rate widget, {args.moves} slider moves, {args.steps:,} steps per run, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    print(f"  median per move (slider.value = ... until blitted): {ms(update)}")
    print(f"    of which trajectory compute (closed form):       {ms(compute)}")
    print(f"  for comparison, one full fig.canvas.draw():        {ms(draw)}")


if __name__ == "__main__":
    main()
