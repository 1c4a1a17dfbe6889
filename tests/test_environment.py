"""The package's metadata agrees with its code, the pins we test with, and the conda environment."""

import ast
import importlib.metadata
import re
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import yaml
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
ENV = yaml.safe_load((ROOT / "environment.yml").read_text())


def normalize(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    return normalize(re.split(r"[<>=!~ ;\[]", requirement)[0])


def pins(lines):
    """``{normalized name: version}`` for every ``name==version`` line."""
    found = {}
    for line in lines:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)==([^\s;#]+)\s*", line)
        if match:
            found[normalize(match[1])] = match[2]
    return found


CONSTRAINTS = pins((ROOT / "constraints.txt").read_text().splitlines())
ENV_PIP = next(d["pip"] for d in ENV["dependencies"] if isinstance(d, dict) and "pip" in d)


def test_environment_yml_matches_constraints_and_requires_python():
    python = next(d for d in ENV["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert python.split("=")[1] in SpecifierSet(PROJECT["requires-python"])
    assert "-e ." in ENV_PIP
    env_pins = pins(ENV_PIP)
    assert env_pins, "environment.yml pins nothing"
    mismatched = {n: (v, CONSTRAINTS.get(n)) for n, v in env_pins.items() if CONSTRAINTS.get(n) != v}
    assert not mismatched, f"environment.yml vs constraints.txt: {mismatched}"


def test_every_dependency_is_pinned_in_constraints_and_environment_yml():
    env_pins = pins(ENV_PIP)
    for requirement in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]:
        name = requirement_name(requirement)
        assert name in CONSTRAINTS, f"{name} is not pinned in constraints.txt"
        assert name in env_pins, f"{name} is missing from environment.yml"


def third_party_imports(folder: Path) -> set[str]:
    """Top-level modules that the code under ``folder`` imports, less the stdlib and itself."""
    modules = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names and m != folder.name}


def test_runtime_dependencies_are_exactly_what_linreg_utils_imports():
    """A class server installs only these: nothing a notebook needs may be missing (or extra)."""
    distributions = importlib.metadata.packages_distributions()
    imported = {normalize(distributions[m][0]) for m in third_party_imports(ROOT / "linreg_utils")}
    assert imported == {requirement_name(r) for r in PROJECT["dependencies"]}


def source_packages() -> set[str]:
    """Dotted names of the folders with an ``__init__.py`` (linreg_utils.viz, tools, ...)."""
    folders = [d for d in ROOT.iterdir() if d.is_dir() and not d.name.startswith(".")]
    return {".".join(p.parent.relative_to(ROOT).parts) for d in folders for p in d.rglob("__init__.py")}


def test_the_wheel_gets_every_subpackage_and_no_tooling():
    """What setuptools packages (include/exclude are fnmatch patterns on dotted names)."""
    listed = PYPROJECT["tool"]["setuptools"]["packages"]
    if isinstance(listed, dict):
        find = listed["find"]
        assert find.get("namespaces") is False, "namespace discovery would ship stray folders"
        listed = [p for p in source_packages() if any(fnmatch(p, pat) for pat in find["include"])
                  and not any(fnmatch(p, pat) for pat in find.get("exclude", ()))]
    assert set(listed) == {p for p in source_packages() if p.split(".")[0] == "linreg_utils"}


def test_every_way_of_running_a_lesson_uses_mkls_reproducible_code_path():
    """MKL_CBWR=COMPATIBLE: the stored outputs' rounding on any x86 CPU (README, troubleshooting)."""
    import os

    from hub.kernel_env import KERNEL_ENV

    assert os.environ.get("MKL_CBWR") == "COMPATIBLE"  # conftest.py, before torch is imported
    assert KERNEL_ENV["MKL_CBWR"] == "COMPATIBLE"
    assert "export MKL_CBWR ?= COMPATIBLE" in (ROOT / "Makefile").read_text()
    assert 'setdefault("MKL_CBWR", "COMPATIBLE")' in (ROOT / "tools/execute_notebooks.py").read_text()
    assert ENV.get("variables", {}).get("MKL_CBWR") == "COMPATIBLE"  # conda activates it
