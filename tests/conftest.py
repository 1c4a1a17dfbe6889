"""Fixtures shared by the tests: the browser tests' Chromium check, and lesson 06's recorded run."""

import os
from pathlib import Path

import pytest
import torch
from torch import nn

from linreg_utils import hessian_eigenvalues, loss_gap, seed_data
from linreg_utils.workflow import record_training
from tests.lesson_numbers import L06_RECORDED_EPOCHS
from tools.lab_driver import CHROMIUM

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="session")
def needs_chromium() -> None:
    """Skip a browser test when Debian's Chromium is missing, unless ``REQUIRE_BROWSER=1`` (set by
    CI) turns the skip into a failure; screenshots go to ``test-artifacts/``. A test starts its
    server first and Chromium after it (``tools.lab_driver.chromium()``): launched before it,
    Chromium left Voilà's app list empty here."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set CHROMIUM)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    ARTIFACTS.mkdir(exist_ok=True)


@pytest.fixture(scope="session")
def tutorial_run():
    """Lesson 06's recorded run, computed once per test process: the tutorial's float32 loop
    (nn.Linear seeded 0, SGD lr = 1e-3) for 20,000 epochs; ``(log, its exact gaps, λmin)``."""
    x, y = seed_data()
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    log = record_training(model, torch.optim.SGD(model.parameters(), lr=1e-3), x, y, L06_RECORDED_EPOCHS)
    return log, loss_gap(x, y)(log.weights, log.biases), hessian_eigenvalues(x)[0]
