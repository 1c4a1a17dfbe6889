"""The slowest cell of every lesson, on an idle and on a loaded machine: what nbgrader's per-cell
execute timeout (``nbgrader_config.py``) must allow.

Usage: python -m benchmarks.bench_cell_times [--load 4] [--rounds 2]

Each round executes every lesson in a fresh kernel (as ``nbgrader autograde`` does, one cell
after another) and records each code cell's wall time, first one lesson at a time, then with
``--load`` lessons executing at once (``OMP_NUM_THREADS=1`` each: on a 2-core class server, four
kernels busy at once is load ≈ 4, the kind of load under which nbgrader's default 30 s timeout
fired). Prints the five slowest cells of each setting (the largest over the rounds). Figures, not
pass/fail.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools.notebooks import lesson_paths

ROOT = Path(__file__).resolve().parents[1]


def cell_times(path: Path) -> list[tuple[float, str, int]]:
    """``(seconds, lesson, cell number)`` of every code cell of ``path``, executed in a fresh kernel."""
    nb = nbformat.read(path, as_version=4)
    times: list[tuple[float, str, int]] = []
    started: dict[int, float] = {}

    def before(cell, cell_index, **_):
        started[cell_index] = time.perf_counter()

    def after(cell, cell_index, **_):
        times.append((time.perf_counter() - started[cell_index], path.name, cell_index + 1))

    NotebookClient(nb, timeout=600, kernel_name="python3", on_cell_execute=before, on_cell_executed=after,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return times


def run(paths: list[Path], parallel: int) -> list[tuple[float, str, int]]:
    """Every cell's time, ``parallel`` lessons at a time (each lesson repeated to keep the load up)."""
    queue = paths * parallel if parallel > 1 else paths
    with ProcessPoolExecutor(max_workers=parallel) as pool:
        return [t for times in pool.map(cell_times, queue) for t in times]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_cell_times", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--load", type=int, default=4, help="lessons executing at once in the loaded setting")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    os.environ["OMP_NUM_THREADS"] = "1"
    paths = lesson_paths(ROOT / "notebooks")
    print(f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.1f}")
    for parallel in (1, args.load):
        worst: dict[tuple[str, int], float] = {}
        for _ in range(args.rounds):
            for seconds, name, cell in run(paths, parallel):
                worst[name, cell] = max(seconds, worst.get((name, cell), 0.0))
        top = sorted(worst.items(), key=lambda kv: -kv[1])[:5]
        print(f"{parallel} lesson(s) at a time, slowest cells (largest of {args.rounds} rounds):")
        for (name, cell), seconds in top:
            print(f"  {seconds:6.1f} s  {name} cell {cell}")


if __name__ == "__main__":
    main()
