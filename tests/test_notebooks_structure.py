"""The stored notebooks are complete, executed, navigable, nbgrader-ready and render outside Jupyter."""

import re
from pathlib import Path

import nbformat
import pytest

from tools.nbgrader_cells import (
    answer_metadata,
    check_metadata,
    find_exercises,
    markdown_naming_markers,
)
from tools.notebooks import (
    HEADING,
    NAV_TAG,
    PROGRESS_TAG,
    collection,
    expected_notebook,
    expected_readme,
    first_heading,
    lesson_paths,
    optional_sections,
)

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "notebooks"
PATHS = lesson_paths(FOLDER)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def read(path):
    return nbformat.read(path, as_version=4)


def test_lessons_exist_in_reading_order():
    names = [p.name for p in PATHS]
    assert names[0] == "00_start_here.ipynb"
    numbers = [int(n[:2]) for n in names]
    assert numbers == sorted(set(numbers)), f"lesson numbers repeat or skip order: {names}"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_is_valid_and_executed_top_to_bottom(path):
    nb = read(path)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), (
        f"{path.name}: run `make notebooks` to re-execute it in a fresh kernel")
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name} has stored error outputs"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_opening_summary_and_navigation_cells(path):
    cells = read(path).cells
    assert cells[0].source.startswith("# "), "first cell: '# Title' and what you will learn"
    assert NAV_TAG in cells[1].metadata.get("tags", []), "second cell: navigation"
    assert NAV_TAG in cells[-1].metadata.get("tags", []), "last cell: navigation"
    if PROGRESS_TAG in cells[-2].metadata.get("tags", []):
        cells = cells[:-1]  # the generated progress cell sits between the summary and the navigation
    assert cells[-2].source.startswith("## Summary"), "the cell before the last: a summary"
    bullets = [ln for ln in cells[-2].source.splitlines() if ln.startswith("- ")]
    assert 3 <= len(bullets) <= 5, f"summary has {len(bullets)} bullet points, want 3 to 5"


def test_navigation_contents_and_readme_map_are_current():
    paths, titles, names, blurbs = collection(FOLDER)
    stale = [p.name for p in paths
             if nbformat.writes(expected_notebook(p, titles, names, blurbs))
             != nbformat.writes(read(p))]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    if expected_readme(readme, titles, names, blurbs) != readme:
        stale.append("README.md")
    assert not stale, f"stale navigation in {stale}: run `make notebooks`"


def markdown_sources():
    for path in PATHS:
        for cell in read(path).cells:
            if cell.cell_type == "markdown":
                yield path.parent, path.name, cell.source
    yield ROOT, "README.md", (ROOT / "README.md").read_text(encoding="utf-8")


def test_relative_links_point_to_existing_files():
    broken = []
    for folder, name, source in markdown_sources():
        for target in LINK.findall(source):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            if not (folder / target.split("#")[0]).exists():
                broken.append(f"{name} -> {target}")
    assert not broken, f"broken links: {broken}"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_notebook_renders_on_github(path):
    nb = read(path)
    widgets = nb.metadata.get("widgets")
    assert widgets is None or all("state" in v for v in widgets.values()), (
        "GitHub refuses widget metadata without a 'state' key")
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data:
                assert "text/plain" in data


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_no_markdown_cell_names_a_solution_marker(path):
    cells = read(path).cells
    found = [f"cell {i + 1}: {cells[i].source[:80]!r}" for i in markdown_naming_markers(read(path))]
    assert not found, (
        f"{path.name}: nbgrader's generate_assignment fails on 'BEGIN SOLUTION'/'END SOLUTION' outside "
        f"a solution cell, even in prose; say 'the marked lines' instead: {found}")


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_every_exercise_has_a_heading_a_check_and_current_nbgrader_metadata(path):
    nb = read(path)
    lesson = int(path.name[:2])
    for ex in find_exercises(nb, lesson):
        where = f"{path.name}, exercise cell {ex.answer + 1}"
        assert ex.from_heading, f"{where}: add a '### Exercise {lesson}.M — title' heading above it"
        assert ex.number.split(".")[0] == str(lesson), f"{where}: Exercise {ex.number} in lesson {lesson}"
        assert ex.check is not None, f"{where}: the next cell must call a check_... function"
        assert nb.cells[ex.answer].metadata.get("nbgrader") == answer_metadata(ex), (
            f"{where}: nbgrader metadata missing or stale: run `make notebooks`")
        assert nb.cells[ex.check].metadata.get("nbgrader") == check_metadata(ex), (
            f"{where}: the check cell's nbgrader metadata is missing or stale: run `make notebooks`")
    graded = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(graded) == len(set(graded)), f"{path.name}: grade ids repeat: {graded}"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_stored_progress_cell_shows_every_exercise_done(path):
    nb = read(path)
    exercises = find_exercises(nb, int(path.name[:2]))
    progress = [c for c in nb.cells if PROGRESS_TAG in c.metadata.get("tags", [])]
    assert len(progress) == (1 if exercises else 0), f"{path.name}: run `make notebooks`"
    if progress:
        printed = "".join(o.get("text", "") for o in progress[0].outputs)
        # Exercise numbers in the headings and in the checkers' messages must agree.
        assert f"{len(exercises)} of {len(exercises)} exercises done." in printed, (
            f"{path.name}: the stored progress cell does not show every exercise done:\n{printed}")


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_optional_sections_open_and_close_on_a_cell_boundary(path):
    """JupyterLab collapses whole cells below a collapsed heading but shows the heading's own cell:
    the "(optional)" heading opens a short cell of its own, and the heading that ends the section
    opens its own cell, or the collapsed section hides core prose."""
    nb = read(path)
    for section in optional_sections(nb):
        level = first_heading(nb.cells[section.start])[0]
        body = nb.cells[section.start].source.strip().splitlines()[1:]
        assert len(" ".join(body).split()) <= 40, (
            f"{path.name} cell {section.start + 1}: a collapsed heading cell still shows its own text; "
            "keep it to the heading and at most one short line, and put the section's body in the next cells")
        for i in section:
            cell = nb.cells[i]
            if cell.cell_type != "markdown":
                continue
            inner = [ln for ln in cell.source.splitlines()[1:] if HEADING.match(ln)]
            closing = [ln for ln in inner if len(HEADING.match(ln).group(1)) <= level]
            assert not closing, (f"{path.name} cell {i + 1}: the heading {closing[0]!r} ends an optional "
                                 "section inside a cell; start a new cell with it")
        assert section.stop < len(nb.cells) and first_heading(nb.cells[section.stop]), (
            f"{path.name}: an optional section must be followed by a heading (e.g. '## Summary')")
