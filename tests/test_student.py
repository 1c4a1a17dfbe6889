"""Student copies hide the solutions, keep everything else, and never overwrite a student's work.

Every lesson's copy is checked without running it; running one (the slow tier, ``make test-all``)
is done for the lesson ``tests/slow_tier.py`` gives it."""

import hashlib
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests import slow_tier as tier
from tools.nbgrader_cells import set_nbgrader_metadata
from tools.notebooks import lesson_paths
from tools.student import BEGIN, END, main, student_notebook, write_student_copies

ROOT = Path(__file__).resolve().parents[1]
LESSONS = lesson_paths(ROOT / "notebooks")
WITH_EXERCISES = [p for p in LESSONS if BEGIN in p.read_text(encoding="utf-8")]


def lesson(tmp_path, solution="    return 2 * x\n"):
    """A tiny lesson with one exercise and its check, written into tmp_path/src."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 09 · Tiny\nA tiny lesson."),
        nbformat.v4.new_code_cell("x0 = 3\nprint(x0)"),
        nbformat.v4.new_markdown_cell("### Exercise 9.1 — double a number\nWrite `double`."),
        nbformat.v4.new_code_cell(
            f"def double(x):\n    \"\"\"Twice x.\"\"\"\n    {BEGIN}\n{solution}    {END}"),
        nbformat.v4.new_code_cell("assert double(x0) == 6\nprint('ok')"),
    ])
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="3\n")]
    nb.cells[1].execution_count = 1
    src = tmp_path / "src"
    src.mkdir()
    nbformat.write(nb, src / "09_tiny.ipynb")
    return src


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_solution_is_replaced_by_a_named_stub_and_outputs_cleared(tmp_path):
    src = lesson(tmp_path, solution="    secret_answer = 2 * x\n    return secret_answer\n")
    (outcome,) = write_student_copies(src, tmp_path / "out")
    assert (outcome.status, outcome.exercises) == ("written", 1)
    nb = nbformat.read(tmp_path / "out" / "09_tiny.ipynb", as_version=4)
    nbformat.validate(nb)
    code = nb.cells[3].source
    assert "secret_answer" not in code and BEGIN not in code and END not in code
    assert code.startswith('def double(x):\n    """Twice x."""\n    # Your code here')
    assert code.endswith("    raise NotImplementedError('Exercise 9.1: double a number')")
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")


def test_nbgrader_metadata_stays_in_the_sources_and_out_of_the_student_copy(tmp_path):
    src = lesson(tmp_path)
    nb = nbformat.read(src / "09_tiny.ipynb", as_version=4)
    nb.cells[4].source = "check_double(double)"
    (exercise,) = set_nbgrader_metadata(nb, lesson=9)
    assert (exercise.answer_id, exercise.check_id) == ("ex-9-1", "check-9-1")
    copy, count = student_notebook(nb, "09_tiny.ipynb")
    assert count == 1 and "Exercise 9.1: double a number" in copy.cells[3].source
    assert not [c for c in copy.cells if "nbgrader" in c.metadata]
    assert "nbgrader" in nb.cells[3].metadata and "nbgrader" in nb.cells[4].metadata


def test_sources_are_left_untouched(tmp_path):
    src = lesson(tmp_path)
    before = digest(src)
    write_student_copies(src, tmp_path / "out")
    assert digest(src) == before


def test_second_run_changes_nothing_and_says_so(tmp_path, capsys):
    src = lesson(tmp_path)
    assert main([str(src), str(tmp_path / "out")]) == 0
    before = digest(tmp_path / "out")
    mtime = (tmp_path / "out" / "09_tiny.ipynb").stat().st_mtime_ns
    capsys.readouterr()
    assert main([str(src), str(tmp_path / "out")]) == 0
    assert "already up to date" in capsys.readouterr().out
    assert digest(tmp_path / "out") == before
    assert (tmp_path / "out" / "09_tiny.ipynb").stat().st_mtime_ns == mtime


def test_a_students_work_is_never_overwritten_without_force(tmp_path, capsys):
    src = lesson(tmp_path)
    out = tmp_path / "out"
    write_student_copies(src, out)
    work = out / "09_tiny.ipynb"
    nb = nbformat.read(work, as_version=4)
    nb.cells[3].source = "def double(x):\n    return x + x  # my answer"
    nbformat.write(nb, work)
    answer = work.read_bytes()

    assert main([str(src), str(out)]) == 0
    printed = capsys.readouterr().out
    assert "skipped (exists)" in printed and "--force" in printed
    assert work.read_bytes() == answer

    assert main([str(src), str(out), "--force"]) == 0
    assert "overwritten" in capsys.readouterr().out
    assert b"my answer" not in work.read_bytes()


def test_unbalanced_markers_are_reported_with_their_place(tmp_path):
    src = lesson(tmp_path, solution=f"    return 2 * x\n    {BEGIN}\n")
    with pytest.raises(ValueError, match=r"09_tiny.ipynb, cell 4.*inside another solution"):
        write_student_copies(src, tmp_path / "out")


def test_target_equal_to_source_is_refused(tmp_path):
    src = lesson(tmp_path)
    with pytest.raises(ValueError, match="source notebook itself"):
        write_student_copies(src, src)


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_no_solution_text_leaks_into_the_student_copy(path):
    nb = nbformat.read(path, as_version=4)
    copy, count = student_notebook(nb, path.name)
    assert count >= 3, f"{path.name} should have at least 3 exercises, has {count}"
    for original, student in zip(nb.cells, copy.cells, strict=True):
        if original.cell_type != "code" or BEGIN not in original.source:
            assert student.source == original.source
            continue
        lines = original.source.splitlines()
        body = lines[lines.index(next(ln for ln in lines if ln.strip() == BEGIN)) + 1:
                     lines.index(next(ln for ln in lines if ln.strip() == END))]
        hidden = [ln.strip() for ln in body if ln.strip() and not ln.strip().startswith("#")]
        kept = {ln.strip() for ln in student.source.splitlines()}
        assert not [ln for ln in hidden if ln in kept and ln not in {"return", "pass"}], (
            f"solution lines leak into the student copy of {path.name}")


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_every_exercise_is_followed_by_a_check_that_passes(path):
    cells = nbformat.read(path, as_version=4).cells
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and BEGIN in cell.source:
            check = cells[i + 1]
            assert check.cell_type == "code" and "check_" in check.source, (
                f"{path.name}: the cell after exercise cell {i + 1} must call a checker")
            printed = "".join(o.get("text", "") for o in check.outputs)
            assert "✔ Exercise" in printed, f"{path.name}: check after cell {i + 1} did not pass"


def names_an_answer_defines(source):
    """Names assigned at the top level of a solution region (``x = ...``, ``a, b = ...``)."""
    body = source.split(BEGIN, 1)[1].split(END, 1)[0]
    names = set()
    for line in body.splitlines():
        match = re.match(r"^([A-Za-z_][\w, ]*?)\s*=(?!=)", line)
        if match:
            names.update(n.strip() for n in match.group(1).split(","))
    return names


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in WITH_EXERCISES if p.name in tier.lessons_for(tier.STUDENT_COPY)],
                         ids=lambda p: p.name)
def test_student_copy_runs_until_the_first_exercise_then_asks_for_answers(path, tmp_path):
    write_student_copies(path, tmp_path)
    nb = nbformat.read(tmp_path / path.name, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    first_exercise = next(i for i, c in enumerate(nb.cells) if "NotImplementedError(" in c.source)
    errors = {i: o for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"}
    assert errors, "the student copy should stop at its unanswered exercises"
    assert min(errors) >= first_exercise, (
        f"cell {min(errors) + 1} fails before the first exercise: {errors[min(errors)]['evalue']}")
    # An answer that is a value (``prediction = ...``), not a function, is simply undefined
    # until written: a later cell may then say so with a NameError naming it, and nothing else.
    sources = nbformat.read(path, as_version=4).cells
    unwritten = set().union(*(names_an_answer_defines(c.source) for c in sources
                              if c.cell_type == "code" and BEGIN in c.source))
    wrong = {i: f"{o.ename}: {o.evalue}" for i, o in errors.items()
             if o.ename != "NotImplementedError"
             and not (o.ename == "NameError" and re.search(r"name '(\w+)'", o.evalue)
                      and re.search(r"name '(\w+)'", o.evalue).group(1) in unwritten)}
    assert not wrong, f"errors other than an unanswered exercise: {wrong}"
    unanswered = [i for i, o in errors.items() if o.ename == "NotImplementedError"
                  and re.search(r"Exercise \d+\.\d+", o.evalue)]
    assert unanswered, "the stubs and checks should say which exercise is not done yet"
