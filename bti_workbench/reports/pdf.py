"""A rendered report printed to PDF by Chromium, through Playwright.

Why this route: the report's figures are interactive Plotly figures drawn by plotly.js when
the page opens. A converter that does not run JavaScript (WeasyPrint, wkhtmltopdf's old
engine) would print them blank. Chromium draws them exactly as a reader's browser does and
prints the result; the project already drives Debian's ``chromium`` through Playwright for its
browser tests, so the PDF needs no new dependency. The page is opened from a file with every
request outside it refused: printing never reaches the network.

Pages break between the report's sections (before each ``h2`` but the first), never inside a
figure or a table, and a heading stays with what follows it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bti_workbench._util.atomic import write_atomically

__all__ = ["PRINT_CSS", "PdfUnavailableError", "chromium_executable", "print_pdf"]

#: Print rules added to the page before printing (A4, margins, breaks between sections).
PRINT_CSS = """
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
@media print {
  body { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  /* JupyterLab prints every output as one unbreakable, clipped block: let tables run on. */
  .jp-OutputArea, .jp-OutputArea-child, .jp-OutputArea-output, body {
    overflow: visible !important;
  }
  .jp-OutputArea-child { break-inside: auto !important; }
  .js-plotly-plot, figure, tr, p, li { break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; }
  thead { display: table-header-group; }
  .bti-section-break { break-before: page; }
  .bti-made-with { break-inside: avoid; }
}
"""
# Marks every h2 after the first as the start of a new printed page. A page that wants no
# breaks (the one-page brief) has no h2 beyond its first.
_MARK_SECTIONS = """
() => {
  const headings = Array.from(document.querySelectorAll('h2'));
  headings.slice(1).forEach(h => {
    const cell = h.closest('.jp-Cell') || h;
    cell.classList.add('bti-section-break');
  });
  return headings.length;
}
"""
# Every Plotly figure on the page has drawn its SVG.
_FIGURES_DRAWN = """
() => Array.from(document.querySelectorAll('.plotly-graph-div'))
  .every(div => div.querySelector('.main-svg') !== null)
"""
_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# The width of an A4 page's printable area at 96 px per inch: figures are laid out for it.
_A4_WIDTH_PX = 700


class PdfUnavailableError(RuntimeError):
    """Printing to PDF needs Playwright (``pip install 'bti_workbench[pdf]'``) and Chromium."""


def chromium_executable() -> str:
    """Debian's Chromium (``$BTI_CHROMIUM`` when set).

    Returns
    -------
    str
        The executable's path.

    Raises
    ------
    PdfUnavailableError
        When no Chromium is installed.
    """
    path = os.environ.get("BTI_CHROMIUM") or shutil.which("chromium")
    path = path or shutil.which("chromium-browser")
    if not path:
        raise PdfUnavailableError(
            "PDF needs Chromium: install Debian's chromium package, or set BTI_CHROMIUM"
        )
    return path


def print_pdf(html_file: str | Path, out: str | Path, *, timeout_ms: int = 60_000) -> Path:
    """Print a rendered report (HTML) to a PDF file.

    Parameters
    ----------
    html_file : str or pathlib.Path
        A page written by :func:`~bti_workbench.reports.render.render_report`.
    out : str or pathlib.Path
        The PDF; written atomically, only once Chromium has printed the whole page.
    timeout_ms : int, default 60000
        How long the page may take to open and draw its figures.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    PdfUnavailableError
        Without Playwright or Chromium.

    See Also
    --------
    bti_workbench.reports.render.render_report : Writes the HTML, and the PDF with
        ``format="pdf"``.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise PdfUnavailableError(
            "PDF needs Playwright: pip install 'bti_workbench[pdf]' (and Debian's chromium)"
        ) from exc
    source = Path(html_file).resolve()
    executable = chromium_executable()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(_ARGS))
        try:
            pdf = _printed(browser, source, timeout_ms)
        finally:
            browser.close()
    out = Path(out)
    write_atomically(out, lambda tmp: Path(tmp).write_bytes(pdf))
    return out


def _printed(browser: object, source: Path, timeout_ms: int) -> bytes:
    """Open the page offline, let the figures draw, add the print rules and print."""
    page = browser.new_page(viewport={"width": _A4_WIDTH_PX, "height": 1000})
    page.route("**/*", _only_the_file(source))
    page.goto(source.as_uri(), wait_until="load", timeout=timeout_ms)
    page.wait_for_function(_FIGURES_DRAWN, timeout=timeout_ms)
    page.add_style_tag(content=PRINT_CSS)
    page.evaluate(_MARK_SECTIONS)
    page.emulate_media(media="print")
    return page.pdf(format="A4", print_background=True, prefer_css_page_size=True)


def _only_the_file(source: Path):
    """A route handler that lets the report file through and refuses every other request."""
    allowed = source.as_uri()

    def handle(route: object) -> None:
        if route.request.url.split("#")[0] == allowed or route.request.url.startswith("data:"):
            route.continue_()
        else:
            route.abort()

    return handle
