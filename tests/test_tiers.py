"""The test tiers: `make test` is fast and `make test-all` (CI) runs each lesson at most twice."""

import re
from pathlib import Path

import tests.slow_tier as tier
from tools.notebooks import lesson_paths

ROOT = Path(__file__).resolve().parents[1]


def test_every_lesson_has_exactly_one_place_in_the_slow_tier():
    lessons = [p.name for p in lesson_paths(ROOT / "notebooks")]
    assert sorted(tier.SECOND_RUN) == lessons, "give each lesson one slow check in tests/slow_tier.py"
    checks = {v for k, v in vars(tier).items() if k.isupper() and isinstance(v, str)}
    assert set(tier.SECOND_RUN.values()) <= checks


def test_the_browser_tests_open_the_lessons_the_plan_gives_them():
    opened = {}
    for path in sorted((ROOT / "tests").glob("test_browser*.py")):
        match = re.search(r'^LESSON = "([^"]+)"', path.read_text(encoding="utf-8"), re.M)
        if match:
            opened[match.group(1)] = path.name
    assert sorted(opened) == tier.lessons_for(tier.JUPYTERLAB), opened


def test_make_test_leaves_the_slow_tier_out_and_ci_runs_it():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    test_recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert '-m "not slow"' in test_recipe
    assert "\ntest-all:" in makefile and "make test-all" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_real_client_test_module_is_marked_slow():
    for name in ("test_nbgrader.py", "test_wheel.py", "test_hidden_checks.py", "test_browser.py",
                 "test_browser_momentum.py", "test_browser_race.py", "test_browser_notebook7.py",
                 "test_browser_voila.py", "test_browser_exercises.py"):
        text = (ROOT / "tests" / name).read_text(encoding="utf-8")
        assert re.search(r"pytestmark = .*pytest\.mark\.slow", text), f"{name} must be marked slow"
