"""pytest set-up shared by tests/ and notebooks/.

pyproject.toml runs the tests on every core (pytest-xdist ``-n auto``) with ``--dist loadfile``:
a file is one unit of work, so a notebook's cells run in order in one kernel on one worker, and
a module-scoped fixture (the browser test's JupyterLab, nbgrader's graded course) is built once.
Files whose tests share such a fixture start first, as they are the long units (an expensive
set-up is why a fixture is shared); then the rest in file order. ``-n0`` runs everything in one
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

# Intel MKL's reproducible code path (set before torch is imported, inherited by every kernel):
# without it MKL picks its AVX-512 kernels where the CPU has them, their rounding differs, and
# long runs (a late spike, an early-stopping epoch) land on other steps than the stored outputs.
os.environ.setdefault("MKL_CBWR", "COMPATIBLE")


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


SHARED_SCOPES = {"class", "module", "package"}


def shares_a_setup(item: pytest.Item) -> bool:
    """Whether ``item`` uses a class-, module- or package-scoped fixture."""
    info = getattr(item, "_fixtureinfo", None)  # nbval's cells have none
    return info is not None and any(d.scope in SHARED_SCOPES for defs in info.name2fixturedefs.values()
                                    for d in defs)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if hasattr(config, "workerinput"):  # every worker sorts alike; a serial run keeps file order
        long_files = {item.path for item in items if shares_a_setup(item)}
        items.sort(key=lambda item: item.path not in long_files)  # stable: files stay whole
