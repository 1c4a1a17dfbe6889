"""How long does `pytest --nbval` take, per notebook and for the whole collection?

Usage: python -m benchmarks.bench_nbval [--repeats 3] [--threads 1]

Prints the median wall time of each notebook's nbval run alone (one worker, ``-n0``; a fresh
kernel each time, so kernel start-up is included) and of `pytest --nbval notebooks/` over the
whole folder as a maintainer types it (pytest-xdist's workers from pyproject.toml, each
notebook on one worker). Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks._timing import timings
from tools.notebooks import lesson_paths

ROOT = Path(__file__).resolve().parents[1]


def pytest_nbval(args: list[str], threads: str) -> None:
    """One `pytest --nbval ARGS` run from the repository root; raises if it fails."""
    env = dict(os.environ, OMP_NUM_THREADS=threads)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "--nbval", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"nbval failed on {args}:\n{result.stdout[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default="1", help="OMP_NUM_THREADS for the runs")
    args = parser.parse_args()
    print(f"nbval wall time, median of {args.repeats} "
          f"(OMP_NUM_THREADS={args.threads}, {os.cpu_count()} CPUs)")
    print(f"{'notebook':<46} {'median s':>9} {'min s':>7}")
    rows = [(path.name, ["-n0", f"notebooks/{path.name}"]) for path in lesson_paths(ROOT / "notebooks")]
    rows.append(("pytest --nbval notebooks/ (parallel workers)", ["notebooks/"]))
    for label, pytest_args in rows:
        times = timings(lambda a=pytest_args: pytest_nbval(a, args.threads), args.repeats, warmup=0)
        print(f"{label:<46} {statistics.median(times):9.1f} {min(times):7.1f}")


if __name__ == "__main__":
    main()
