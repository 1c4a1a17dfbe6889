"""Fixtures shared by the browser tests (``-m browser``)."""

import os
from pathlib import Path

import pytest

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
