"""Refresh navigation, then execute lessons top to bottom in a fresh kernel and store outputs.

Usage: python -m tools.execute_notebooks [--no-nav] [--jobs N] [notebooks/NN_name.ipynb ...]
(default: all lessons, as many at a time as there are cores)

Run it through `make notebooks` after editing a lesson. ``--no-nav`` leaves the navigation cells,
the glossary notebook and the README's lesson map alone (use it while lessons are being written
in parallel). Widget state is not stored (GitHub refuses notebooks whose widget metadata lacks a
"state" key, and the state of a live figure is useless without a kernel): each widget has a
static figure beneath it.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools.glossary import update_glossary
from tools.notebooks import lesson_paths, update_navigation

ROOT = Path(__file__).resolve().parents[1]


def execute(path: Path) -> float:
    """Execute one notebook in place; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.execute_notebooks", description=__doc__)
    parser.add_argument("notebooks", nargs="*", type=Path, help="lessons to execute (default: all)")
    parser.add_argument("--no-nav", action="store_true", help="do not refresh navigation cells")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="notebooks executed at once, each in its own kernel (default: one per core)")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_CBWR", "COMPATIBLE")  # the same rounding on every x86 CPU (conftest.py)
    folder = ROOT / "notebooks"
    if not args.no_nav:
        for changed in update_navigation(folder, ROOT / "README.md"):
            print(f"navigation refreshed: {changed.relative_to(ROOT)}")
        if update_glossary(folder):
            print("glossary refreshed: notebooks/glossary.ipynb")
    targets = [p.resolve() for p in args.notebooks] or lesson_paths(folder)
    # OMP_NUM_THREADS=1 and MKL_CBWR (set above, inherited by every kernel) keep parallel runs from
    # fighting over cores, and the stored outputs are those CI computes.
    with ProcessPoolExecutor(max_workers=max(1, min(args.jobs, len(targets)))) as pool:
        runs = {pool.submit(execute, path): path for path in targets}
        for run in as_completed(runs):
            print(f"executed {runs[run].relative_to(ROOT)} in {run.result():.1f} s", flush=True)


if __name__ == "__main__":
    main()
