"""Kernel-side cost of one move of lesson 02's learning-rate slider, with its breakdown.

Usage: python benchmarks/bench_widget.py [--moves 200] [--steps 1000]

Sets ``slider.value`` over a sweep of learning rates (log-spaced, crossing the critical one),
and for each move times: the trajectory (closed form), the whole observer update (trajectory,
artists' set_data, readout and scale text, draw_idle), and a synchronous
``fig.canvas.draw()`` (Agg rendering plus ipympl's PNG diff for the browser). Prints medians in
milliseconds; it never passes or fails on time. The browser side (sending and painting the PNG)
is not included.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from linreg_utils import gd_trajectory, seed_data  # noqa: E402
from linreg_utils.widgets import lr_widget  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=200, help="slider moves to time (>= 100)")
    parser.add_argument("--steps", type=int, default=1_000, choices=[100, 1_000, 10_000, 100_000])
    args = parser.parse_args()
    x, y = seed_data()
    view = lr_widget(x, y, lr=1e-3, steps=args.steps)
    view.fig.canvas.draw()  # warm-up: fonts, first layout
    lrs = np.geomspace(1e-4, 0.05, args.moves)  # crosses 2/λmax ≈ 0.0222

    compute, update, draw, total = [], [], [], []
    for lr in lrs:
        t0 = time.perf_counter()
        gd_trajectory(view.x, view.y, float(lr), args.steps)
        t1 = time.perf_counter()
        view.slider.value = float(lr)  # the observer: trajectory + set_data + text + draw_idle
        t2 = time.perf_counter()
        view.fig.canvas.draw()  # render now, as the browser's next frame would
        t3 = time.perf_counter()
        compute.append(t1 - t0)
        update.append(t2 - t1)
        draw.append(t3 - t2)
        total.append(t3 - t1)

    ms = lambda v: f"{1e3 * statistics.median(v):8.2f} ms"  # noqa: E731
    print(f"learning-rate widget, {args.moves} slider moves, {args.steps:,} steps per run, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    print(f"  median per move (slider.value = ... until drawn): {ms(total)}")
    print(f"    trajectory compute (closed form):               {ms(compute)}")
    print(f"    observer update (compute + set_data + text):   {ms(update)}")
    print(f"    fig.canvas.draw() (Agg render + ipympl PNG):    {ms(draw)}")


if __name__ == "__main__":
    main()
