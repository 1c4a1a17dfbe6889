"""How long does `pytest --nbval` take, per notebook and for the whole collection?

Usage: python benchmarks/bench_nbval.py [--repeats 3]

Prints the median wall time of each notebook's nbval run (fresh kernel each time, so kernel
start-up is included) and of one run over the whole folder. Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from linreg_utils.notebooks import lesson_paths  # noqa: E402


def timed_pytest(target: str, threads: str) -> float:
    """Seconds for one nbval run of ``target``; raises if it fails."""
    env = dict(os.environ, OMP_NUM_THREADS=threads)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", target], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"nbval failed on {target}:\n{result.stdout[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default="1", help="OMP_NUM_THREADS for the runs")
    args = parser.parse_args()
    print(f"nbval wall time, median of {args.repeats} (OMP_NUM_THREADS={args.threads})")
    print(f"{'notebook':<40} {'median s':>9} {'min s':>7}")
    for path in lesson_paths(ROOT / "notebooks"):
        times = [timed_pytest(f"notebooks/{path.name}", args.threads) for _ in range(args.repeats)]
        print(f"{path.name:<40} {statistics.median(times):9.1f} {min(times):7.1f}")
    times = [timed_pytest("notebooks", args.threads) for _ in range(args.repeats)]
    print(f"{'whole collection (one pytest run)':<40} {statistics.median(times):9.1f} {min(times):7.1f}")


if __name__ == "__main__":
    main()
