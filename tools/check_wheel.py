"""Install the package as a class server would (a wheel, not editable) and run the exercises there.

Usage: python -m tools.check_wheel [--keep] [--lessons NN_name.ipynb ...]
(``make check-wheel``: every lesson; ``make test-all`` runs it through ``tests/test_wheel.py`` on
the lesson ``tests/slow_tier.py`` gives it, so that no lesson runs more than twice there)

1. Builds the wheel with pip and fails if the build prints a deprecation warning.
2. Checks the wheel holds every ``linreg_utils`` subpackage and nothing else (no tools/, tests/).
3. Installs it into a new virtual environment with ``-c constraints.txt`` (torch stays the
   pinned build), never editable, so the repository's sources cannot stand in for it, and
   imports every module of the package there.
4. For each lesson ``notebooks/NN_*.ipynb`` (found by name, so new lessons are checked too; or
   those named by ``--lessons``) runs its code cells in order, up to the check cell of its last
   exercise, in an IPython shell of that environment, with the reference solutions in place;
   every check cell must print its ✔ line. No Jupyter kernel is needed: ``IPython`` comes with
   ``ipywidgets``.

The same file, run by the new environment's Python as ``check_wheel.py --run-lesson CELLS``,
is the runner of step 4; that part imports only the standard library and IPython.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "linreg_utils"
BEGIN = "### BEGIN SOLUTION"
PASS_MARK = "✔"


def exercise_cells(notebook: Path) -> list[dict]:
    """The code cells of ``notebook`` up to its last check cell, each as ``{"source", "check"}``.

    A check cell is the first code cell after a cell holding ``### BEGIN SOLUTION``. A lesson
    without exercises gives ``[]``.
    """
    code = [c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "code"]
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in code]
    checks = {i + 1 for i, src in enumerate(sources) if BEGIN in src and i + 1 < len(sources)}
    if not checks:
        return []
    return [{"source": src, "check": i in checks} for i, src in enumerate(sources[: max(checks) + 1])]


def run(cmd: list[str], **kwargs) -> str:
    """Run ``cmd``; return its output, or stop with that output if it fails."""
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}\n{result.stdout[-4000:]}{result.stderr[-4000:]}")
    return result.stdout + result.stderr


def build_wheel(out: Path) -> Path:
    """Build the wheel into ``out`` (isolated build); refuse a build that warns of deprecations."""
    log = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--verbose", "-w", str(out), str(ROOT)])
    deprecations = [ln.strip() for ln in log.splitlines() if re.search(r"deprecat", ln, re.I)]
    if deprecations:
        raise SystemExit("the build prints deprecation warnings:\n" + "\n".join(deprecations[:10]))
    (wheel,) = out.glob("*.whl")
    return wheel


def check_wheel_contents(wheel: Path) -> None:
    """Every package folder of the source tree is in the wheel; no top-level folder but ours."""
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {str(Path(n).parent) for n in names if n.endswith("/__init__.py")}
    expected = {str(p.parent.relative_to(ROOT)) for p in (ROOT / PACKAGE).rglob("__init__.py")}
    if missing := expected - shipped:
        raise SystemExit(f"{wheel.name} lacks the subpackages {sorted(missing)}")
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    if tops != {PACKAGE}:
        raise SystemExit(f"{wheel.name} ships {sorted(tops - {PACKAGE})} besides {PACKAGE}")
    print(f"{wheel.name}: {len(shipped)} packages ({', '.join(sorted(shipped))}), nothing else")


def make_venv(folder: Path, wheel: Path) -> Path:
    """A new virtual environment with the wheel and its pinned dependencies; its python."""
    run([sys.executable, "-m", "venv", str(folder)])
    python = folder / "bin" / "python"
    run([str(python), "-m", "pip", "install", "--quiet", "-c", str(ROOT / "constraints.txt"), str(wheel)],
        env=dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1"))
    return python


def import_every_module(python: Path) -> str:
    """Import each module of the package with ``python`` (nothing missing from the wheel); a line."""
    modules = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                     for p in (ROOT / PACKAGE).rglob("*.py"))
    code = f"import importlib\nfor m in {modules!r}:\n    importlib.import_module(m)\n"
    run([str(python), "-I", "-c", code], env=dict(os.environ, MPLBACKEND="Agg", PYTHONNOUSERSITE="1"))
    return f"imported all {len(modules)} modules of {PACKAGE} from the wheel"


def check_lesson(python: Path, notebook: Path, work: Path) -> str:
    """Run ``notebook``'s exercises with ``python`` (cwd: a copy of notebooks/); its ✔ lines."""
    cells = exercise_cells(notebook)
    if not cells:
        return f"{notebook.name}: no exercises"
    spec = work / f"{notebook.stem}.json"
    spec.write_text(json.dumps(cells), encoding="utf-8")
    env = dict(os.environ, MPLBACKEND="Agg", OMP_NUM_THREADS="1", MKL_CBWR="COMPATIBLE",
               PYTHONNOUSERSITE="1")
    # -I: neither the current folder nor this script's folder goes on sys.path, so
    # `import linreg_utils` can only find the installed wheel.
    out = run([str(python), "-I", str(Path(__file__).resolve()), "--run-lesson", str(spec)],
              cwd=work / "notebooks", env=env)
    marks = [ln for ln in out.splitlines() if ln.startswith(PASS_MARK)]
    return f"{notebook.name}: " + "\n  ".join([f"{len(marks)} checks passed"] + marks)


def run_lesson(spec: Path) -> None:
    """(Runs in the wheel's environment.) Execute the cells; each check cell must print ✔."""
    import contextlib
    import io

    from IPython.core.interactiveshell import InteractiveShell

    import linreg_utils

    if not Path(linreg_utils.__file__).resolve().is_relative_to(Path(sys.prefix).resolve()):
        raise SystemExit(f"linreg_utils was imported from {linreg_utils.__file__}, not the installed wheel")
    shell = InteractiveShell.instance()
    for number, cell in enumerate(json.loads(spec.read_text(encoding="utf-8")), start=1):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            result = shell.run_cell(cell["source"])
        text = buffer.getvalue()
        if not result.success:
            raise SystemExit(f"code cell {number} failed:\n{cell['source']}\n{text[-3000:]}")
        if cell["check"] and PASS_MARK not in text:
            raise SystemExit(f"check cell {number} printed no {PASS_MARK} line:\n{cell['source']}\n{text}")
        print(text, end="")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.check_wheel", description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (wheel, venv)")
    parser.add_argument("--lessons", nargs="+", metavar="NAME", help="only these lessons (default: all)")
    parser.add_argument("--run-lesson", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_lesson:
        run_lesson(args.run_lesson)
        return
    work = Path(tempfile.mkdtemp(prefix="check-wheel-"))
    try:
        wheel = build_wheel(work / "dist")
        check_wheel_contents(wheel)
        python = make_venv(work / "venv", wheel)
        print(f"installed {wheel.name} (not editable) into a new environment")
        print(import_every_module(python))
        from tools.notebooks import lesson_paths  # nbformat: the project's environment has it

        notebooks = lesson_paths(ROOT / "notebooks")
        if args.lessons:
            unknown = set(args.lessons) - {p.name for p in notebooks}
            if unknown:
                raise SystemExit(f"no such lesson: {sorted(unknown)}")
            notebooks = [p for p in notebooks if p.name in args.lessons]
        shutil.copytree(ROOT / "notebooks", work / "notebooks")
        with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
            reports = list(pool.map(lambda nb: check_lesson(python, nb, work), notebooks))
        print("\n".join(reports))
        if not any("checks passed" in r for r in reports):
            raise SystemExit("no lesson has an exercise: nothing was checked")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
