"""Every lecture app (apps/*.ipynb) runs in a fresh kernel and shows one widget, nothing else."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tools.voila_driver import app_paths

ROOT = Path(__file__).resolve().parents[1]
WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("path", app_paths(), ids=lambda p: p.name)
def test_app_runs_and_shows_only_its_widget(path):
    nb = nbformat.read(path, as_version=4)
    assert [c.cell_type for c in nb.cells] == ["code"], "an app is one code cell: Voilà shows its output"
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["execute_result"], [o.get("text", "") for o in outputs]
    assert WIDGET in outputs[0].data


def test_every_widget_has_an_app():
    names = {p.name for p in app_paths()}
    assert {"learning_rate.ipynb", "momentum.ipynb", "optimizer_race.ipynb"} <= names
