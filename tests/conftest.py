"""Fixtures shared by the tests: the browser tests' Chromium check, and lesson 06's recorded run."""

import os
from pathlib import Path

import pytest

from linreg_utils.exercises.lesson06 import RECORDED_EPOCHS, recorded_run
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
    """Lesson 06's recorded run, computed once per test process (by Exercise 6.3's and 6.4's checker,
    which recompute it): the tutorial's float32 loop (nn.Linear seeded 0, SGD lr = 1e-3) for 20,000
    epochs; ``(log, its exact gaps, λmin)``."""
    assert L06_RECORDED_EPOCHS == RECORDED_EPOCHS
    return recorded_run()
