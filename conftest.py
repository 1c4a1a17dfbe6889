"""pytest set-up shared by tests/ and notebooks/.

pyproject.toml runs the tests on every core (pytest-xdist ``-n auto``) with ``--dist loadfile``:
a file is one unit of work, so a notebook's cells run in order in one kernel on one worker, and
a module-scoped fixture (the browser test's JupyterLab) is built once. Units start in file
order, so the longest one, the browser test, starts first. ``-n0`` runs everything in one
process. With ``-n auto`` a command that names N files starts at most N workers, and none for one
file: a file runs on one worker anyway, so more would only add their start-up.

Each worker, and each notebook kernel it starts, uses one OpenMP thread unless OMP_NUM_THREADS
is set already: N workers on N cores do not fight over threads, and notebooks compute what CI
computes (it runs with OMP_NUM_THREADS=1).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: torch is not imported yet
        os.environ.setdefault("OMP_NUM_THREADS", "1")


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """Workers for ``-n auto``: one per core, at most one per file named; 0 (this process) for one."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    named = {arg.split("::")[0] for arg in config.args}
    workers = usable_cores()
    if all(Path(arg).is_file() for arg in named):
        workers = min(workers, len(named))
    return workers if workers > 1 else 0
