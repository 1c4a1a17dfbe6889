"""pytest set-up shared by tests/ and notebooks/.

pyproject.toml runs the tests on every core (pytest-xdist ``-n auto``) with ``--dist loadfile``:
a file is one unit of work, so a notebook's cells run in order in one kernel on one worker, and
a module-scoped fixture (the browser test's JupyterLab) is built once. Units start in file
order, so the longest one, the browser test, starts first. ``-n0`` runs everything in one
process.

Each worker, and each notebook kernel it starts, uses one OpenMP thread unless OMP_NUM_THREADS
is set already: N workers on N cores do not fight over threads, and notebooks compute what CI
computes (it runs with OMP_NUM_THREADS=1).
"""

from __future__ import annotations

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: torch is not imported yet
        os.environ.setdefault("OMP_NUM_THREADS", "1")
