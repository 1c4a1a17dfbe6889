"""nbval under pytest-xdist, run with pyproject.toml's options (``--dist loadfile``).

Two workers, two tiny notebooks whose cells each need the one before: each notebook's cells
must run in order in one kernel (``--dist load`` would split them: a NameError), and a stored
output that no longer matches must still fail the run.
"""

import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def write_notebook(path: Path, stored: str) -> None:
    """``x = 1``, ``y = x + 1``, ``print(y + 1)``, with ``stored`` as the last cell's saved output."""
    cells = [nbformat.v4.new_code_cell(src, execution_count=i)
             for i, src in enumerate(["x = 1", "y = x + 1", "print(y + 1)"], start=1)]
    cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored)]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)


def test_two_workers_keep_a_notebooks_cells_together_and_a_changed_output_fails(tmp_path):
    write_notebook(tmp_path / "a_same.ipynb", "3\n")
    write_notebook(tmp_path / "b_changed.ipynb", "4\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), f"--rootdir={tmp_path}",
         "-n", "2", "-q", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    out = result.stdout
    assert "NameError" not in out, "a notebook's cells ran in different kernels"
    assert result.returncode == 1 and "1 failed, 5 passed" in out, out[-2000:]
    assert "b_changed.ipynb::Cell 2" in out and "mismatch 'stdout'" in out
