"""Kernel-side cost of one control change in lesson 05's race widget.

Usage: python -m benchmarks.bench_race_widget [--moves 24]

For each optimizer, moves its lr slider ``--moves`` times to values not run before (each move
reruns that one racer on NumPy arrays, then blits), and toggles its checkbox (no rerun: a
visibility change and a blit). Prints the median and quartiles per racer and overall, and a
full ``fig.canvas.draw()`` for comparison. Never passes or fails on time.
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from benchmarks._timing import quartiles_ms, timings
from linreg_utils import seed_data
from linreg_utils.race import DEFAULT_LRS, RACERS
from linreg_utils.viz.race_view import RaceWidget


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=24, help="lr moves per racer (fresh values)")
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    x, y = seed_data()
    view = RaceWidget(x, y, chosen=RACERS, steps=args.steps)
    view.fig.canvas.syncing_data_url = False  # a connected browser turns this off too
    view.fig.canvas.draw()
    print(f"race widget, all {len(RACERS)} racers shown, {args.steps} steps each, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    fmt = "median {1:6.2f} ms (quartiles {0:.2f}-{2:.2f})".format
    every = []
    for name in RACERS:
        # FloatLogSlider positions are 10^(k·0.05): fresh positions around the default, so each
        # move really reruns the racer (a position already run is remembered).
        start = np.log10(DEFAULT_LRS[name])
        values = iter(10 ** (start + 0.05 * np.r_[1:args.moves + 2] * (-1) ** np.r_[1:args.moves + 2] / 2))
        moves = timings(lambda v=values, n=name: setattr(view.sliders[n], "value", float(next(v))),
                        args.moves, warmup=1)
        every += moves
        print(f"  {name:<15} lr move: {fmt(*quartiles_ms(moves))}")
    toggles = timings(lambda: setattr(view.checks["Adam"], "value", not view.checks["Adam"].value), 20)
    print(f"  all racers, lr moves:   {fmt(*quartiles_ms(every))}")
    print(f"  checkbox toggle:        {fmt(*quartiles_ms(toggles))}")
    print(f"  a full draw():          {fmt(*quartiles_ms(timings(view.fig.canvas.draw, 10)))}")


if __name__ == "__main__":
    main()
