"""Refresh navigation, then execute lessons top to bottom in a fresh kernel and store outputs.

Usage: python scripts/execute_notebooks.py [notebooks/NN_name.ipynb ...]   (default: all)

Run it through `make notebooks` after editing a lesson. Widget state is not stored (GitHub
refuses notebooks whose widget metadata lacks a "state" key, and the state of a live figure is
useless without a kernel): each widget has a static figure beneath it instead.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from linreg_utils.notebooks import lesson_paths, update_navigation  # noqa: E402


def execute(path: Path) -> float:
    """Execute one notebook in place; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return time.perf_counter() - start


def main(argv: list[str]) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    folder = ROOT / "notebooks"
    for changed in update_navigation(folder, ROOT / "README.md"):
        print(f"navigation refreshed: {changed.relative_to(ROOT)}")
    targets = [Path(a).resolve() for a in argv] or lesson_paths(folder)
    for path in targets:
        print(f"executed {path.relative_to(ROOT)} in {execute(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
