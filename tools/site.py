"""The course as a website: Sphinx + MyST-NB build the stored notebooks into static HTML.

Usage: python -m tools.site                 build build/site/html (``make site`` installs first)
       python -m tools.site --serve [PORT]  build, then serve it on http://127.0.0.1:PORT/
       python -m tools.site --screenshot    build, then photograph lesson 02's widget section
                                            in headless Chromium (docs/images/site_lesson.png)

The site's sources are a copy (``build/site/src``) of ``site/`` (``conf.py``, the home page,
the course's Sphinx extension ``course_ext.py``), ``notebooks/*.ipynb``, ``linreg_utils/``
and ``README.md`` (the home page includes its "Two commands"), plus the JavaScript the pages
load, copied from ``site/node_modules`` (``npm ci``): MathJax and Tippy, so that the site works
without internet. Nothing is executed: the pages show the outputs stored in the notebooks.
Warnings fail the build (a broken link, a missing image or file).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
BUILD = ROOT / "build" / "site"
HTML = BUILD / "html"
NODE_MODULES = SITE / "node_modules"
SCREENSHOT_PAGE = "notebooks/02_gradient_descent_live.html"
SCREENSHOT = ROOT / "docs" / "images" / "site_lesson.png"
# what the pages load, from npm packages: (in node_modules, in the site's _static)
VENDORED = [("mathjax/es5", "mathjax"),
            ("@popperjs/core/dist/umd/popper.min.js", "vendor/popper.min.js"),
            ("tippy.js/dist/tippy-bundle.umd.min.js", "vendor/tippy-bundle.umd.min.js")]


def _copy(source: Path, target: Path) -> None:
    """Copy a file or a folder (times kept, so that Sphinx rebuilds only what changed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    else:
        shutil.copy2(source, target)


def stage(src: Path, notebooks: Path = ROOT / "notebooks") -> Path:
    """Lay out the site's sources in ``src`` (emptied first), the lessons taken from
    ``notebooks``; return ``src``."""
    missing = [name for name, _ in VENDORED if not (NODE_MODULES / name).exists()]
    if missing:
        raise SystemExit(f"missing {', '.join(missing)} in {NODE_MODULES}: run `make site` "
                         "(or `npm ci --prefix site`) first")
    shutil.rmtree(src, ignore_errors=True)
    for path in SITE.iterdir():
        if path.name not in {"node_modules", "package.json", "package-lock.json", "__pycache__"}:
            _copy(path, src / path.name)
    for notebook in sorted(Path(notebooks).glob("*.ipynb")):
        _copy(notebook, src / "notebooks" / notebook.name)
    _copy(ROOT / "linreg_utils", src / "linreg_utils")
    _copy(ROOT / "README.md", src / "README.md")
    for name, target in VENDORED:
        _copy(NODE_MODULES / name, src / "_static" / target)
    return src


def build(notebooks: Path = ROOT / "notebooks", out: Path = BUILD, quiet: bool = True) -> Path:
    """Build the site of the lessons in ``notebooks`` into ``out/html`` (sources staged in
    ``out/src``, every page read afresh); return the HTML folder. Warnings are errors."""
    from sphinx.cmd.build import build_main

    src, html = stage(out / "src", notebooks), out / "html"
    args = ["-b", "html", "-E", "-W", "--keep-going", "-d", str(out / "doctrees"), str(src), str(html)]
    if build_main(args + (["-q"] if quiet else [])) != 0:
        raise SystemExit("the site did not build (warnings above)")
    return html


def notebook_pages(notebooks: Path = ROOT / "notebooks") -> list[str]:
    """The site path (``notebooks/NAME.html``) of every notebook in ``notebooks``: the lessons
    and the glossary."""
    return [f"notebooks/{nb.stem}.html" for nb in sorted(Path(notebooks).glob("*.ipynb"))]


@contextlib.contextmanager
def serving(html: Path = HTML, port: int = 0) -> Iterator[str]:
    """Serve ``html`` on 127.0.0.1 (a free port unless given) in a thread; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base's name)
        pass


def screenshot(path: Path, html: Path = HTML, page_name: str = SCREENSHOT_PAGE) -> Path:
    """A 1400×1000 screenshot of ``page_name``, scrolled to its first widget's cell (where the
    site's note and the static figure below it stand in for the widget), into ``path``."""
    from tools.lab_driver import browser_page

    with serving(html) as url, browser_page(1400, 1000) as page:
        page.goto(url + page_name, wait_until="load")
        page.evaluate("() => window.MathJax?.startup?.promise")
        page.evaluate("""() => {
            const note = Array.from(document.querySelectorAll('.cell_output em'))
                              .find(e => e.textContent.includes('needs a running Python kernel'));
            const cell = note && note.closest('.cell');
            if (cell) window.scrollTo(0, cell.getBoundingClientRect().top + window.scrollY - 70);
        }""")
        page.wait_for_timeout(300)  # the sticky header settles after the scroll
        page.screenshot(path=str(path))
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", nargs="?", type=int, const=8000, metavar="PORT",
                        help="after building, serve the site on 127.0.0.1:PORT (default 8000)")
    parser.add_argument("--screenshot", nargs="?", type=Path, const=SCREENSHOT, metavar="PNG",
                        help=f"after building, photograph {SCREENSHOT_PAGE} (default: {SCREENSHOT})")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    html = build()
    pages = sum("_static" not in page.parts for page in html.rglob("*.html"))
    print(f"built {pages} pages into {html.relative_to(ROOT)} in {time.perf_counter() - start:.1f} s")
    if args.screenshot is not None:
        print(f"wrote {screenshot(args.screenshot, html)}")
    if args.serve is not None:
        with serving(html, args.serve) as url:
            print(f"serving the site at {url} (Ctrl-C stops)")
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
