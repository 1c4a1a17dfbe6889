"""Generated cells: nbgrader metadata on exercises, the progress cell, both idempotent."""

import nbformat

from tools.nbgrader_cells import (
    BEGIN,
    END,
    find_exercises,
    markdown_naming_markers,
    set_nbgrader_metadata,
)
from tools.notebooks import PROGRESS_TAG, update_navigation

md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell


def tiny(heading="### Exercise 9.1 — double it\nWrite `double`."):
    return nbformat.v4.new_notebook(cells=[
        md("# 09 · Tiny\nA tiny lesson."),
        md(heading),
        code(f"def double(x):\n    {BEGIN}\n    return 2 * x\n    {END}"),
        code("check_double(double)"),
        md("### Exercise 9.2 — half\nWrite `half`."),
        code(f"{BEGIN}\nhalf = 0.5\n{END}"),
        code("print(half)"),  # no checker: not a graded cell
        md("## Summary\n- one\n- two\n- three"),
    ])


def test_answer_and_check_cells_get_stable_grade_ids_and_points():
    nb = tiny()
    first, second = set_nbgrader_metadata(nb, lesson=9)
    assert (first.number, first.title, second.number, second.check) == ("9.1", "double it", "9.2", None)
    answer, check = nb.cells[2].metadata["nbgrader"], nb.cells[3].metadata["nbgrader"]
    assert (answer["grade_id"], answer["solution"], answer["grade"]) == ("ex-9-1", True, False)
    graded = (check["grade_id"], check["grade"], check["locked"], check["points"])
    assert graded == ("check-9-1", True, True, 1)
    assert "nbgrader" not in nb.cells[6].metadata


def test_stale_metadata_is_removed_and_a_second_pass_changes_nothing():
    nb = tiny()
    nb.cells[0].metadata["nbgrader"] = {"grade_id": "old"}
    set_nbgrader_metadata(nb, lesson=9)
    once = nbformat.writes(nb)
    set_nbgrader_metadata(nb, lesson=9)
    assert "nbgrader" not in nb.cells[0].metadata and nbformat.writes(nb) == once


def test_exercise_without_heading_is_numbered_by_its_place():
    (exercise, _) = find_exercises(tiny(heading="Some text."), lesson=9)
    assert (exercise.number, exercise.from_heading) == ("9.1", False)


def test_markdown_naming_a_marker_is_found():
    nb = tiny()
    nb.cells.insert(1, md(f"Write between `{BEGIN}` and `{END}`."))
    assert markdown_naming_markers(nb) == [1]


def test_progress_cell_sits_before_the_last_navigation_and_keeps_its_outputs(tmp_path):
    nbformat.write(tiny(), tmp_path / "09_tiny.ipynb")
    update_navigation(tmp_path)
    nb = nbformat.read(tmp_path / "09_tiny.ipynb", as_version=4)
    progress = nb.cells[-2]
    assert PROGRESS_TAG in progress.metadata["tags"] and "nav" in nb.cells[-1].metadata["tags"]
    assert progress.source.endswith("show_progress('9.1', '9.2')")
    progress.outputs = [nbformat.v4.new_output("stream", text="2 of 2 exercises done.\n")]
    progress.execution_count = 5
    nbformat.write(nb, tmp_path / "09_tiny.ipynb")
    assert update_navigation(tmp_path) == []  # executed output kept: nothing is stale
