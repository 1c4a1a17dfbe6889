"""Words of prose per lesson: the core a learner must read, and the optional depth.

Usage: python -m tools.word_counts [notebooks/NN_name.ipynb ...]   (default: every lesson)

A word is a run of letters or digits (Chinese characters count one each); only markdown counts.
A section whose heading ends in "(optional)" is optional down to the next heading of the same or a
higher level; everything else is core. The budget for a lesson's core is :data:`CORE_BUDGET`.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import nbformat

from tools.notebooks import HEADING, OPTIONAL, lesson_paths

ROOT = Path(__file__).resolve().parents[1]
CORE_BUDGET = 2_200
WORD = re.compile(r"[A-Za-z0-9\u4e00-\u9fff]+")


def word_counts(nb: nbformat.NotebookNode) -> tuple[int, int]:
    """``(core, optional)`` words in ``nb``'s markdown cells."""
    core = optional = 0
    optional_level: int | None = None
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            heading = HEADING.match(line)
            if heading:
                level = len(heading.group(1))
                if optional_level is not None and level <= optional_level:
                    optional_level = None
                if optional_level is None and OPTIONAL.search(heading.group(2)):
                    optional_level = level
            words = len(WORD.findall(line))
            if optional_level is None:
                core += words
            else:
                optional += words
    return core, optional


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.word_counts", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="lessons (default: all)")
    args = parser.parse_args(argv)
    paths = args.notebooks or lesson_paths(ROOT / "notebooks")
    print(f"{'lesson':<40} {'core':>6} {'optional':>9}  (core budget {CORE_BUDGET:,})")
    for path in paths:
        core, optional = word_counts(nbformat.read(path, as_version=4))
        flag = "" if core <= CORE_BUDGET else f"  over by {core - CORE_BUDGET:,}"
        print(f"{path.name:<40} {core:>6,} {optional:>9,}{flag}")


if __name__ == "__main__":
    main()
