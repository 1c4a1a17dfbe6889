"""Sphinx configuration of the course website (``make site``; see ``tools/site.py``).

``tools.site`` copies this folder, ``notebooks/``, ``linreg_utils/`` and ``README.md`` into
``build/site/src`` and builds that copy into ``build/site/html``. The site shows the outputs
stored in the notebooks (nothing is executed) and works offline: MathJax and Tippy come from
``site/node_modules`` (npm, pinned by ``site/package-lock.json``), never from a CDN.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # course_ext.py, beside this file

project = "Optimization with PyTorch, one line at a time"
author = "the course's authors"
copyright = "the course's authors, MIT licence"  # noqa: A001 (Sphinx's name)

extensions = [
    "myst_nb",  # reads the .ipynb files (and .md pages) with their stored outputs
    "sphinx_design",  # the dropdowns that fold "(optional)" sections
    "sphinx_tippy",  # hover previews of glossary terms and cross-references
    "course_ext",  # this course's rules: optional sections folded, package source pages
]

root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "node_modules"]
# Only what the site is made of: everything else in the copied tree is ignored.
include_patterns = ["index.md", "package.md", "notebooks/*.ipynb", "linreg_utils/**.py"]

# --- notebooks: show what is stored, never run a kernel ---
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "html_image"]
myst_heading_anchors = 6
myst_heading_slug_func = "course_ext.jupyterlab_heading_id"  # "#5-·-The-widget" as in JupyterLab
# "$$…$$" inside a paragraph is display math in JupyterLab; the lessons write it that way
myst_dmath_double_inline = True
# the glossary (tools/glossary.py) goes from "#" to "###"; the notebooks, not the site, decide that
suppress_warnings = ["myst.header"]

# --- theme ---
html_theme = "sphinx_book_theme"
html_title = "Optimization with PyTorch"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_favicon = "_static/favicon.svg"
html_context = {"default_mode": "auto"}  # light or dark as the reader's system prefers
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": True,  # the page's .ipynb, to open in JupyterLab
    "use_fullscreen_button": False,
    "path_to_docs": "notebooks",
    # the book theme keeps search in the sidebar; with pydata-sphinx-theme 0.20 an empty header
    # bar holding a second search button shows unless the navbar is emptied here too
    "navbar_start": [], "navbar_center": [], "navbar_end": [], "navbar_persistent": [],
}
html_show_sourcelink = False
html_copy_source = True  # "download .ipynb" serves the notebook as stored
html_last_updated_fmt = None

# --- offline math: MathJax 3 from npm, copied into _static/mathjax by tools.site ---
mathjax_path = "mathjax/tex-chtml.js"

# --- glossary hover previews, offline: Popper and Tippy from npm (tools.site copies them) ---
tippy_js = ("vendor/popper.min.js", "vendor/tippy-bundle.umd.min.js")
tippy_enable_mathjax = True
tippy_enable_wikitips = False  # would fetch from Wikipedia while building
tippy_enable_doitips = False  # would fetch from Crossref while building
tippy_skip_anchor_classes = ("headerlink", "sd-stretched-link", "sd-rounded-pill")
tippy_anchor_parent_selector = "article.bd-article"
