"""Make the README's pictures from the collection itself.

Usage: python -m tools.readme_images     (or `make readme-images`)

1. docs/images/lr_story.png — the static learning-rate figure stored in lesson 02 (the cell
   that calls ``lr_grid``), exactly as GitHub shows it.
2. docs/images/lr_widget_jupyterlab.png — a screenshot of the live widget in JupyterLab,
   taken in headless Chromium by ``python -m benchmarks.bench_browser``.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"


def stored_png(notebook: Path, marker: str) -> bytes:
    """The first PNG output of the first code cell whose source contains ``marker``."""
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "code" and marker in cell.source:
            for out in cell.outputs:
                if "image/png" in out.get("data", {}):
                    return base64.b64decode(out["data"]["image/png"])
    raise SystemExit(f"no stored PNG in a cell containing {marker!r} in {notebook}")


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    story = IMAGES / "lr_story.png"
    story.write_bytes(stored_png(ROOT / "notebooks" / "02_gradient_descent_live.ipynb", "lr_grid("))
    print(f"wrote {story.relative_to(ROOT)}")
    subprocess.run([sys.executable, "-m", "benchmarks.bench_browser", "--moves", "20",
                    "--screenshot", str(IMAGES / "lr_widget_jupyterlab.png")], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
