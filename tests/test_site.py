"""The course website (``make site``): built from the notebooks and read in headless Chromium.

Every page built from ``notebooks/`` (enumerated from the folder, so new lessons are checked too)
must load without a console error or a failed request, show every image, have its math typeset
by the bundled MathJax (no ``$…$`` left in the text) and link only to pages and fragments that
exist (glossary entries included). A small generated lesson proves what today's lessons may not
contain yet: an "(optional)" section is folded, a glossary link resolves and previews on hover,
a widget's output becomes a note, a link to ``../linreg_utils/*.py`` lands on its source page.

Building needs the ``site`` extra and ``site/node_modules`` (``make site`` installs both).
"""

from __future__ import annotations

import base64
import html.parser
import os
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest

from tools.lab_driver import browser_page, chromium
from tools.notebooks import _set_optional
from tools.site import NODE_MODULES, ROOT, build, notebook_pages, serving

pytestmark = [pytest.mark.slow, pytest.mark.browser,
              # Sphinx 9 tells its extensions (MyST, the book theme) of APIs going in Sphinx 11
              pytest.mark.filterwarnings("ignore:.*Check CHANGES for Sphinx API modifications")]

FIXTURE = "99_fixture.ipynb"
FIXTURE_PAGE = "notebooks/99_fixture.html"
RAW_MATH = re.compile(r"\$[^$\s][^$]*\$|\\\(|\\\[")  # $…$, or MathJax's own delimiters left over
PNG_1PX = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a3e1a34f0000000049454e44ae426082")).decode()


@pytest.fixture(scope="module")
def can_build(needs_chromium) -> None:
    """Skip (fail in CI) when the site's build dependencies are missing."""
    try:
        import myst_nb  # noqa: F401
    except ImportError:
        missing = "the `site` extra (Sphinx, MyST-NB)"
    else:
        missing = "" if (NODE_MODULES / "mathjax").exists() else "site/node_modules (npm ci)"
    if missing:
        message = f"{missing} is not installed: run `make site` first"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def site(can_build, tmp_path_factory) -> str:
    """The course's site, built afresh from ``notebooks/`` and served; its base URL."""
    html = build(out=tmp_path_factory.mktemp("site"))
    with serving(html) as url:
        yield url


def fixture_lesson() -> nbformat.NotebookNode:
    """A lesson with what the real ones may not have yet: an optional section, a glossary link
    (as JupyterLab follows it: ``#cell-id=``), a widget's output, a link to the package's source,
    a link to a heading by JupyterLab's id."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    widget = nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2,
                                                     "version_minor": 0},
        "text/plain": "VBox(children=(FloatLogSlider(value=0.001),))"})
    figure = nbformat.v4.new_output("display_data", data={"image/png": PNG_1PX, "text/plain": "<Figure>"})
    nb = nbformat.v4.new_notebook(cells=[
        md("# 99 · A fixture lesson\nThe [condition number](glossary.ipynb#cell-id=condition-number) "
           "$\\kappa = \\lambda_{\\max}/\\lambda_{\\min}$, the [optimizers' source]"
           "(../linreg_utils/optimizers.py) and [the core](#The-core), linked as JupyterLab names it."),
        md("## The core\nCore words, with display math\n$$\\eta < 2/\\lambda_{\\max}.$$"),
        code("view = lr_widget(x, y)\nview.box", outputs=[widget]),
        code("fig", outputs=[figure]),
        md("## A proof (optional)\nFOLDED-PROSE, with $x^2$."),
        code("print('FOLDED-OUTPUT')", outputs=[nbformat.v4.new_output("stream", text="FOLDED-OUTPUT\n")]),
        md("### A deeper step\nFOLDED-DEEPER"),
        md("## Exercises"),
        md("### Exercise 99.1 — Derive: a number\nWrite `answer = ...`."),
        code("### BEGIN SOLUTION\nanswer = 'ANSWER-CODE'\n### END SOLUTION",
             metadata={"nbgrader": {"grade": False, "grade_id": "ex-99-1", "locked": False,
                                    "schema_version": 3, "solution": True, "task": False}}),
        code("check(answer)", outputs=[nbformat.v4.new_output("stream", text="✔ VERDICT-NAMES-IT\n")],
             metadata={"nbgrader": {"grade": True, "grade_id": "check-99-1", "locked": True,
                                    "points": 1, "schema_version": 3, "solution": False, "task": False}}),
        md("## Summary\nVISIBLE-SUMMARY"),
    ])
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    _set_optional(nb)  # tagged and stored collapsed, as tools.execute_notebooks stores a lesson
    return nb


@pytest.fixture(scope="module")
def fixture_site(can_build, tmp_path_factory) -> str:
    """The site with the fixture lesson added as lesson 99, served; its base URL."""
    notebooks = tmp_path_factory.mktemp("notebooks")
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy(notebook, notebooks)
    nbformat.write(fixture_lesson(), notebooks / FIXTURE)
    html = build(notebooks, out=tmp_path_factory.mktemp("fixture-site"))
    with serving(html) as url:
        yield url


class _Ids(html.parser.HTMLParser):
    """The ``id`` (and ``name``) attributes of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(value for key, value in attrs if key in {"id", "name"} and value)


def broken_links(hrefs: list[str], base: str, cache: dict[str, set[str] | None]) -> list[str]:
    """The links among ``hrefs`` (absolute URLs) that point into the site at a file that does not
    answer 200, or at a fragment that is no id on its page; ``cache`` keeps pages' ids."""
    broken = []
    for href in sorted(set(hrefs)):
        if not href.startswith(base):
            continue  # another site: not reachable from here, and not ours
        url, _, fragment = href.partition("#")
        if url not in cache:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    body = response.read()
                parser = _Ids()
                if url.endswith((".html", "/")):
                    parser.feed(body.decode("utf-8"))
                cache[url] = parser.ids
            except urllib.error.URLError:
                cache[url] = None
        if cache[url] is None:
            broken.append(f"{href} (not found)")
        elif fragment and urllib.parse.unquote(fragment) not in cache[url]:
            broken.append(f"{href} (no id {urllib.parse.unquote(fragment)!r} on that page)")
    return broken


def page_problems(page, url: str, base: str, cache: dict[str, set[str] | None]) -> list[str]:
    """Everything wrong with the page at ``url`` as a reader would meet it (``page``: a fresh tab)."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console error: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    response = page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        return [f"{url} answered {response and response.status}"]
    # MathJax is loaded on pages with math only; wait for its first typesetting to finish
    page.evaluate("() => window.MathJax?.startup?.promise?.then(() => true) ?? false")
    facts = page.evaluate("""() => {
        const article = document.querySelector('article') || document.body;
        const text = article.cloneNode(true);
        text.querySelectorAll('pre, code, script, style, mjx-container').forEach(e => e.remove());
        return {
          images: Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)
                       .map(i => i.getAttribute('src')),
          untypeset: Array.from(document.querySelectorAll('.math'))
                          .filter(m => !m.querySelector('mjx-container')).map(m => m.textContent),
          texErrors: Array.from(document.querySelectorAll('mjx-merror'))
                          .map(m => m.getAttribute('data-mjx-error') || m.textContent),
          text: text.textContent,
          links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
        };
    }""")
    problems += [f"image not loaded: {src}" for src in facts["images"]]
    problems += [f"math not typeset: {tex[:80]}" for tex in facts["untypeset"]]
    problems += [f"TeX error: {err[:80]}" for err in facts["texErrors"]]
    problems += [f"raw math in the text: {m.group()[:80]!r}" for m in RAW_MATH.finditer(facts["text"])]
    problems += [f"broken link: {link}" for link in broken_links(facts["links"], base, cache)]
    return problems


def stored_figures(name: str) -> int:
    """How many PNG outputs the notebook behind site page ``name`` stores."""
    notebook = nbformat.read(ROOT / "notebooks" / Path(name).with_suffix(".ipynb").name, as_version=4)
    return sum("image/png" in out.get("data", {}) for cell in notebook.cells if cell.cell_type == "code"
               for out in cell.outputs)


def test_every_notebook_page_loads_clean_with_images_math_and_working_links(site):
    pages = notebook_pages()
    assert len(pages) >= 10, pages  # nine lessons and the glossary, at least
    cache: dict[str, set[str] | None] = {}
    problems = {}
    with chromium() as browser:
        for name in ["index.html", "package.html", *pages]:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            found = page_problems(page, site + name, site, cache)
            if name in pages:  # every stored figure is on the page (a widget's stand-in too)
                shown, stored = page.locator("article .cell_output img").count(), stored_figures(name)
                if shown != stored:
                    found.append(f"{shown} figures shown, {stored} stored in the notebook")
            page.close()
            if found:
                problems[name] = found
    assert not problems, "\n".join(f"{name}:\n  " + "\n  ".join(p) for name, p in problems.items())


def test_lessons_have_previous_and_next_and_home_page_has_the_two_commands(site):
    with browser_page() as page:
        page.goto(site + "index.html")
        home = page.inner_text("article")
        assert "make lab" in home and "make test" in home
        lessons = [name for name in notebook_pages() if not name.endswith("glossary.html")]
        page.goto(site + lessons[1])
        prev_next = page.locator(".prev-next-area a")
        targets = [prev_next.nth(i).get_attribute("href") for i in range(prev_next.count())]
        assert any(Path(lessons[0]).name in t for t in targets), targets
        assert any(Path(lessons[2]).name in t for t in targets), targets


def test_search_finds_a_lesson(site):
    with browser_page() as page:
        page.goto(site + "search.html?q=momentum")
        page.wait_for_selector("#search-results li", timeout=30_000)
        assert "Momentum" in page.inner_text("#search-results")


def test_an_optional_section_is_folded_until_opened(fixture_site):
    with browser_page() as page:
        page.goto(fixture_site + FIXTURE_PAGE)
        fold = page.locator("details.optional-section")
        assert fold.count() == 1 and fold.get_attribute("open") is None
        assert page.get_by_role("heading", name="A proof (optional)").is_visible()  # heading stays
        for hidden in ["FOLDED-PROSE", "FOLDED-OUTPUT", "FOLDED-DEEPER"]:
            assert not page.get_by_text(hidden).first.is_visible(), hidden
        assert page.get_by_text("VISIBLE-SUMMARY").is_visible()  # the next section is not folded
        fold.locator(":scope > summary").click()
        for shown in ["FOLDED-PROSE", "FOLDED-OUTPUT", "FOLDED-DEEPER"]:
            assert page.get_by_text(shown).first.is_visible(), shown


def test_an_exercise_shows_its_solution_and_verdict_only_on_request(fixture_site):
    with browser_page() as page:
        page.goto(fixture_site + FIXTURE_PAGE)
        for hidden, prompt in [("ANSWER-CODE", "Show the solution"), ("VERDICT-NAMES-IT", "Show the check")]:
            assert not page.get_by_text(hidden).first.is_visible(), hidden
            page.get_by_text(prompt).first.click()
            assert page.get_by_text(hidden).first.is_visible(), hidden


def test_fixture_lesson_glossary_link_previews_and_resolves_and_widget_is_a_note(fixture_site):
    with browser_page() as page:
        problems = page_problems(page, fixture_site + FIXTURE_PAGE, fixture_site, {})
        assert not problems, problems
        link = page.locator("article a[href$='glossary.html#condition-number']")
        assert link.count() == 1
        link.hover()
        tip = page.locator(".tippy-box").first
        tip.wait_for(state="visible", timeout=10_000)
        assert "Condition number" in tip.inner_text()
        source = page.locator("article a[href$='linreg_utils/optimizers.html']")
        assert source.count() == 1
        text = page.inner_text("article")
        assert "needs a running Python kernel" in text and "make lab" in text
        assert "VBox(children" not in text
        source.click()
        page.wait_for_load_state()
        assert "def " in page.inner_text("article")  # the module's source, not a download
