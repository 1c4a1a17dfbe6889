"""The conda/Binder environment agrees with the pinned versions we test with."""

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def pins(lines):
    """``{normalized name: version}`` for every ``name==version`` line."""
    found = {}
    for line in lines:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)==([^\s;#]+)\s*", line)
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


def test_environment_yml_parses_and_matches_constraints():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert "-e ." in pip_section
    env_pins = pins(pip_section)
    constraints = pins((ROOT / "constraints.txt").read_text().splitlines())
    assert env_pins, "environment.yml pins nothing"
    mismatched = {n: (v, constraints.get(n)) for n, v in env_pins.items() if constraints.get(n) != v}
    assert not mismatched, f"environment.yml vs constraints.txt: {mismatched}"


def test_every_dependency_is_pinned_in_constraints():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + project["optional-dependencies"]["dev"]
    constraints = pins((ROOT / "constraints.txt").read_text().splitlines())
    env_pins = pins(yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"][-1]["pip"])
    for requirement in names:
        name = re.sub(r"[-_.]+", "-", re.split(r"[<>=!~ \[]", requirement)[0]).lower()
        assert name in constraints, f"{name} is not pinned in constraints.txt"
        assert name in env_pins, f"{name} is missing from environment.yml"
    assert constraints["torch"] == "2.13.0"


def test_running_python_is_supported():
    assert sys.version_info >= (3, 10)
