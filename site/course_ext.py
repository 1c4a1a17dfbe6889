"""The course's own rules for the website, as a small Sphinx extension (loaded by ``conf.py``).

- A lesson is read as it is stored, with a few changes made in memory (the copy a reader
  downloads stays the stored notebook): the generated navigation cells go (the theme has
  previous/next); a widget's output (a view of live kernel state, stored without it) becomes a
  one-line note saying where the widget runs; an anchor ``<a id="ID"></a>`` (each glossary
  term has one) becomes a MyST target ``(ID)=``, and a link ``glossary.ipynb#cell-id=ID`` (the
  fragment that JupyterLab scrolls to) becomes ``glossary.ipynb#ID``, so that it resolves and
  previews on hover. An exercise's answer cell (nbgrader's solution markers) shows its code
  only on request ("Show the solution"), and its check cell (nbgrader's graded test) its stored
  verdict, which may name the answer: a reader can try first.
- Headings get JupyterLab's ids (the text, spaces made hyphens) besides Sphinx's own, so that a
  lesson's link to one of its headings works in JupyterLab and on the site alike.
- A section whose heading ends in "(optional)" is folded: its heading stays (for the table of
  contents and links), its content goes into a closed sphinx-design dropdown.
- ``linreg_utils/*.py`` are pages: the module's source, highlighted, so that a lesson's link
  ``../linreg_utils/optimizers.py`` lands on the code it names.
"""

from __future__ import annotations

import json
import re
from typing import Any

from docutils import nodes
from docutils.parsers import Parser
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx_design.shared import create_component

NAV_TAG = "nav"  # tools.notebooks.NAV_TAG (tools/ is not importable from the copied tree)
OPTIONAL = re.compile(r"\(optional\)\s*$", re.IGNORECASE)  # as tools.notebooks.OPTIONAL
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SOLUTION = "### BEGIN SOLUTION"  # nbgrader's marker, in answer cells only
ANCHOR = re.compile(r'^<a id="([^"]+)"></a>\s*$', re.MULTILINE)
CELL_ID_LINK = re.compile(r"(\]\([^)\s#]*)#cell-id=([^)\s]+)\)")
WIDGET_NOTE = ("*This widget needs a running Python kernel, so it does not move on this website: "
               "run the lesson with `make lab` "
               "([Run the lessons yourself](../index.html#run-the-lessons-yourself)), on Binder or on "
               "your class's JupyterHub. The static figure below it tells the same story.*")


def site_cell(cell: dict[str, Any]) -> dict[str, Any] | None:
    """One stored cell (nbformat JSON) as the site reads it; None for a cell the site leaves out."""
    metadata = cell.setdefault("metadata", {})
    if NAV_TAG in metadata.get("tags", []):
        return None
    source = "".join(cell["source"])
    if cell["cell_type"] == "markdown":
        cell["source"] = CELL_ID_LINK.sub(r"\1#\2)", ANCHOR.sub(r"(\1)=", source))
    elif cell["cell_type"] == "code" and SOLUTION in source:
        _fold(metadata, "hide-input", "the solution")
    elif cell["cell_type"] == "code" and metadata.get("nbgrader", {}).get("grade"):
        _fold(metadata, "hide-output", "the check's verdict")
    for output in cell.get("outputs", []):
        if WIDGET_VIEW in output.get("data", {}):
            output["data"] = {"text/markdown": WIDGET_NOTE}
    return cell


def _fold(metadata: dict[str, Any], tag: str, what: str) -> None:
    """Fold a code cell's input or output (MyST-NB's ``hide-input``/``hide-output``) behind
    "Show ``what``"."""
    metadata["tags"] = [*metadata.get("tags", []), tag]
    metadata["mystnb"] = {"code_prompt_show": f"Show {what}", "code_prompt_hide": f"Hide {what}"}


def site_notebook(text: str) -> str:
    """A stored notebook's JSON as the site reads it (see the module's docstring)."""
    nb = json.loads(text)
    nb["cells"] = [cell for cell in map(site_cell, nb["cells"]) if cell is not None]
    return json.dumps(nb)


def jupyterlab_heading_id(title: str) -> str:
    """The id JupyterLab gives a heading: its text with spaces made hyphens (case kept)."""
    return title.replace(" ", "-")


def on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    if app.env.doc2path(docname).suffix == ".ipynb":
        source[0] = site_notebook(source[0])


class FoldOptionalSections(SphinxTransform):
    """Put each "(optional)" section's content (all but its heading) into a closed dropdown."""

    default_priority = 500

    def apply(self, **kwargs: Any) -> None:
        for section in list(self.document.findall(nodes.section)):
            title = section.next_node(nodes.title)
            if title is None or not OPTIONAL.search(title.astext()):
                continue
            body = section.children[1:]
            if not body:
                continue
            summary = nodes.rubric("", "", nodes.Text("Optional depth: show this section"))
            dropdown = create_component(
                "dropdown", ["sd-mb-3"], opened=False, type="dropdown", has_title=True, icon=None,
                chevron=None, container_classes=["sd-mb-3", "optional-section"], title_classes=[],
                body_classes=[], children=[summary, *body])
            section.children = section.children[:1]
            section += dropdown


class PythonSourceParser(Parser):
    """A ``.py`` file as a page: its path as the title, its source highlighted."""

    supported = ("python-source",)

    def parse(self, inputstring: str, document: nodes.document) -> None:
        path = document.settings.env.docname + ".py"
        section = nodes.section(ids=[nodes.make_id(path)], names=[nodes.fully_normalize_name(path)])
        section += nodes.title(path, path)
        section += nodes.paragraph("", "The source of this module, as the lessons import it.")
        code = nodes.literal_block(inputstring, inputstring, language="python", linenos=True)
        section += code
        document += section


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("source-read", on_source_read)
    app.add_transform(FoldOptionalSections)
    app.add_source_suffix(".py", "python-source")
    app.add_source_parser(PythonSourceParser)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
