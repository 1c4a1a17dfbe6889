"""A throw-away nbgrader course built from the lessons, as a teacher would build one.

Usage (prints the scores; the test ``tests/test_nbgrader.py`` does the same and checks them)::

    python -m tools.nbgrader_course [COURSE_DIR]

Steps, each nbgrader's own command with the course's own configuration (``nbgrader_config.py``,
copied into the course folder as the README tells a teacher to): the lessons, with their generated
cells and metadata
(:func:`tools.notebooks.update_navigation`, run on copies, so this works before and after
``make notebooks``), go into ``source/lessons/``; ``nbgrader generate_assignment lessons`` makes
the release copies; each submission is a release copy with answers put in; ``nbgrader autograde
lessons`` and ``nbgrader generate_feedback lessons`` grade them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import nbformat

from tools.notebooks import lesson_paths, update_navigation

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "lessons"
CONFIG = ROOT / "nbgrader_config.py"
"""The course's nbgrader configuration (the execute timeout), what a teacher copies into the course."""
Answers = Callable[[str, str, str], str]  # (notebook name, grade_id, source answer) -> answer


def nbgrader(course: Path, *args: str) -> str:
    """Run ``nbgrader ARGS`` in ``course``; return its log, raise with it on failure."""
    # nbgrader runs `alembic` by name: the environment's bin folder must come first on PATH.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course,
                          capture_output=True, text=True, env=dict(os.environ, PATH=path))
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{done.stdout[-4000:]}{done.stderr[-4000:]}")
    return done.stdout + done.stderr


def make_sources(notebooks: Path, course: Path) -> list[Path]:
    """Copy the course's ``nbgrader_config.py`` into ``course`` and the lessons to
    ``course/source/lessons`` with their generated cells; return the lessons."""
    shutil.copy(CONFIG, course / CONFIG.name)
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    for path in lesson_paths(notebooks):
        shutil.copy(path, source / path.name)
    update_navigation(source)
    return lesson_paths(source)


def solution_answers(source: Path) -> dict[str, dict[str, str]]:
    """``{notebook name: {grade_id: answer cell source}}`` of the source lessons."""
    out = {}
    for path in lesson_paths(source):
        cells = nbformat.read(path, as_version=4).cells
        out[path.name] = {c.metadata["nbgrader"]["grade_id"]: c.source for c in cells
                          if c.metadata.get("nbgrader", {}).get("solution")}
    return out


def submit(course: Path, student: str, answers: Answers | None, only: list[str] | None = None) -> None:
    """Hand in the release copies (those named in ``only``, default all) as ``student``, answer
    cells filled by ``answers`` (None: untouched). nbgrader scores a lesson not handed in 0."""
    release = course / "release" / ASSIGNMENT
    target = course / "submitted" / student / ASSIGNMENT
    target.mkdir(parents=True)
    solutions = solution_answers(course / "source" / ASSIGNMENT)
    for path in lesson_paths(release):
        if only is not None and path.name not in only:
            continue
        nb = nbformat.read(path, as_version=4)
        if answers is not None:
            for cell in nb.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if cell.metadata.get("nbgrader", {}).get("solution"):
                    cell.source = answers(path.name, grade_id, solutions[path.name][grade_id])
        nbformat.write(nb, target / path.name)


def grade(course: Path) -> dict[str, tuple[float, float]]:
    """Autograde every submission and write feedback; ``{student: (score, max_score)}``."""
    from nbgrader.api import Gradebook

    nbgrader(course, "autograde", ASSIGNMENT)
    nbgrader(course, "generate_feedback", ASSIGNMENT)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: (s.score, s.max_score)
                for s in gb.find_assignment(ASSIGNMENT).submissions}


def build_course(notebooks: Path, course: Path) -> list[Path]:
    """Sources with metadata, then ``generate_assignment``; return the release notebooks."""
    make_sources(notebooks, course)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    return lesson_paths(course / "release" / ASSIGNMENT)


def main(argv: list[str] | None = None) -> int:
    """Build a course from the lessons, grade solutions and untouched copies, print the scores."""
    parser = argparse.ArgumentParser(prog="python -m tools.nbgrader_course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("course", nargs="?", type=Path, help="an empty or new folder (default: temporary)")
    args = parser.parse_args(argv)
    course = args.course or Path(tempfile.mkdtemp(prefix="nbgrader-course-"))
    if course.exists() and any(course.iterdir()):
        parser.error(f"{course} is not empty: choose a new folder")
    course.mkdir(parents=True, exist_ok=True)
    released = build_course(ROOT / "notebooks", course)
    print(f"released {len(released)} lessons into {course / 'release' / ASSIGNMENT}")
    submit(course, "solutions", lambda name, grade_id, answer: answer)
    submit(course, "untouched", None)
    for student, (score, most) in sorted(grade(course).items()):
        print(f"{student:>10}: {score:g} / {most:g}")
    print(f"feedback: {course / 'feedback'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
