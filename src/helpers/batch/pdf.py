"""PDF twin of a report: the HTML printed to A4 by Debian's Chromium, driven by Playwright.

The report's print CSS (``helpers.batch.export.CSS``, ``@media print``) hides the top bar and the
table of contents and keeps charts, tables and the headline box whole across pages. The
browser runs headless with no network: every request other than ``file://`` or ``data:``
is aborted, so a PDF shows exactly what the offline HTML shows. A report made from the
synthetic sample (its page carries the banner) repeats the warning in the top margin of
every PDF page (:func:`header_template`). Playwright never downloads
a browser of its own here; it drives ``/usr/bin/chromium``, which
``scripts/ensure_chromium.sh`` installs (Debian's ``chromium`` package) when missing.

Usage::

    from helpers.batch import pdf

    pdf.print_pdf("reports/2024/52.02/index.html")        # → reports/2024/52.02/index.pdf
    results = pdf.print_pdfs(["reports/2024/52.02/index.html",
                              "reports/2024/52.02/index.en.html"])  # one browser, in turn
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from helpers.errors import ReportError

#: Debian's Chromium (package ``chromium``); ``CAKUPAN_CHROMIUM`` overrides it.
CHROMIUM_PATH = "/usr/bin/chromium"
#: Headless, as root in a container, with nothing reaching for the network at start-up.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
#: Paper and margins of the PDF twin (the footer with page numbers sits in the bottom margin).
PAPER = {"format": "A4", "margin": {"top": "14mm", "bottom": "16mm", "left": "12mm",
                                    "right": "12mm"}}
#: Seconds one page may take to load and print.
PAGE_TIMEOUT_S = 60
#: Bottom margin of every PDF page: report title and page number (Chromium's template).
FOOTER_TEMPLATE = (
    '<div style="font-size:7.5pt;color:#5b6773;width:100%;padding:0 12mm;'
    'display:flex;justify-content:space-between;font-family:sans-serif">'
    '<span class="title"></span><span><span class="pageNumber"></span> / '
    '<span class="totalPages"></span></span></div>')


#: Top margin of every PDF page of a report made from the synthetic sample.
SYNTHETIC_HEADER = (
    '<div style="font-size:8pt;font-weight:700;color:#6e1010;width:100%;padding:0 12mm;'
    'font-family:sans-serif;text-align:center">{text}</div>')
_PAGE_LANGUAGE = re.compile(r'<html lang="([a-z]+)"')


def header_template(page_html: str) -> str:
    """The top margin of every page: on a report whose page carries the synthetic-data
    banner, the warning again (a page cut out of the PDF still says it); else nothing.

    Args:
        page_html: the HTML report being printed.
    """
    import html as html_text

    from helpers.report.i18n import LANGUAGES, translate

    if 'class="banner"' not in page_html:
        return "<span></span>"
    found = _PAGE_LANGUAGE.search(page_html)
    lang = found.group(1) if found and found.group(1) in LANGUAGES else LANGUAGES[0]
    return SYNTHETIC_HEADER.format(text=html_text.escape(translate("banner.pdf_header", lang)))


@dataclass
class PrintResult:
    """One printed report.

    Attributes:
        html_path: the report printed.
        pdf_path: the PDF written (None when printing failed).
        pages: pages in the PDF.
        seconds: time to load and print.
        error: one line saying what failed, or None.
    """

    html_path: Path
    pdf_path: Path | None = None
    pages: int = 0
    seconds: float = 0.0
    error: str | None = None


def chromium_path() -> str:
    """The Chromium executable to drive (``$CAKUPAN_CHROMIUM`` or ``/usr/bin/chromium``).

    Raises:
        ReportError: Chromium is not installed.
    """
    path = os.environ.get("CAKUPAN_CHROMIUM", CHROMIUM_PATH)
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        raise ReportError(f"Chromium not found at {path} (needed for PDF reports and the "
                          "browser tests)",
                          fix="run scripts/ensure_chromium.sh (installs Debian's chromium "
                              "package), or set CAKUPAN_CHROMIUM to a Chromium executable")
    return path


def check_ready() -> str:
    """Check, before anything is rendered, that PDFs can be printed.

    Returns:
        The Chromium executable.

    Raises:
        ReportError: Chromium or Playwright is missing.
    """
    executable = chromium_path()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise ReportError("Playwright for Python is not installed",
                          fix="run `make setup` (or `pip install playwright`); it drives the "
                              "system Chromium, no `playwright install` needed") from None
    return executable


@contextlib.contextmanager
def browser() -> Iterator[object]:
    """A headless Chromium (Playwright ``Browser``) with a new profile, closed on exit.

    Raises:
        ReportError: Chromium or Playwright is missing, or Chromium does not start.
    """
    executable = check_ready()
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            # Playwright gives the browser a new empty profile (a temporary user-data-dir).
            instance = playwright.chromium.launch(executable_path=executable,
                                                  args=list(CHROMIUM_ARGS))
        except PlaywrightError as error:
            raise ReportError(f"Chromium did not start: {str(error).splitlines()[0]}",
                              fix=f"check that `{executable} --headless --no-sandbox "
                                  "--dump-dom about:blank` works") from None
        try:
            yield instance
        finally:
            instance.close()


def offline_page(instance, **context_options):
    """A new page whose requests other than ``file://`` and ``data:`` are aborted.

    Returns:
        (page, blocked): the Playwright page and the list its blocked URLs are added to.
    """
    context = instance.new_context(**context_options)
    blocked: list[str] = []

    def route(route_request) -> None:
        url = route_request.request.url
        if url.startswith(("file://", "data:")):
            route_request.continue_()
        else:
            blocked.append(url)
            route_request.abort("blockedbyclient")

    context.route("**/*", route)
    return context.new_page(), blocked


def print_pdf(html_path: str | Path, pdf_path: str | Path | None = None, *,
              instance=None) -> Path:
    """Print one HTML report to an A4 PDF.

    Args:
        html_path: the report, e.g. ``reports/2024/52.02/index.html``.
        pdf_path: where to write; default next to it (``index.pdf``, ``index.en.pdf``).
        instance: a browser from :func:`browser` to reuse (default: start one).

    Returns:
        The PDF's path.

    Raises:
        ReportError: Chromium is missing, or the page cannot be printed.
    """
    result = print_pdfs([(html_path, pdf_path)] if pdf_path else [html_path],
                        instance=instance)[0]
    if result.error:
        raise ReportError(f"cannot print to PDF: {result.error}", path=result.html_path,
                          fix="open the HTML in a browser to check it")
    return result.pdf_path


def print_pdfs(paths: Iterable[str | Path | tuple[str | Path, str | Path]], *,
               instance=None) -> list[PrintResult]:
    """Print many reports with one browser, one after the other.

    A report that fails to print is recorded in its result and the others go on.

    Args:
        paths: HTML paths (the PDF goes next to each, ``.html`` → ``.pdf``) or
            ``(html_path, pdf_path)`` pairs.
        instance: a browser from :func:`browser` to reuse (default: start one).

    Returns:
        One result per path, in the order given.

    Raises:
        ReportError: Chromium or Playwright is missing (nothing is printed).
    """
    jobs = []
    for item in paths:
        html_path, pdf_path = item if isinstance(item, tuple) else (item, None)
        html_path = Path(html_path)
        jobs.append((html_path, Path(pdf_path) if pdf_path else html_path.with_suffix(".pdf")))
    if not jobs:
        return []
    if instance is not None:
        return [_print_one(instance, html_path, pdf_path) for html_path, pdf_path in jobs]
    with browser() as started:
        return [_print_one(started, html_path, pdf_path) for html_path, pdf_path in jobs]


def _print_one(instance, html_path: Path, pdf_path: Path) -> PrintResult:
    from playwright.sync_api import Error as PlaywrightError

    started = time.perf_counter()
    result = PrintResult(html_path=html_path)
    if not html_path.is_file():
        result.error = "HTML file not found"
        return result
    partial = pdf_path.with_name(pdf_path.name + ".partial")
    page, blocked = offline_page(instance)
    try:
        page.set_default_timeout(PAGE_TIMEOUT_S * 1000)
        page.goto(html_path.resolve().as_uri(), wait_until="load")
        if blocked:
            raise ReportError(f"the report tried to load {blocked[0]} from the network",
                              fix="embed the resource (data: URI)")
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(partial), print_background=True, display_header_footer=True,
                 header_template=header_template(html_path.read_text(encoding="utf-8")),
                 footer_template=FOOTER_TEMPLATE, **PAPER)
        os.replace(partial, pdf_path)
        result.pdf_path = pdf_path
        result.pages = count_pages(pdf_path)
    except (PlaywrightError, ReportError, OSError) as error:
        result.error = str(error).splitlines()[0] if str(error) else type(error).__name__
        partial.unlink(missing_ok=True)
    finally:
        page.context.close()
        result.seconds = round(time.perf_counter() - started, 2)
    return result


_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def count_pages(pdf_path: str | Path) -> int:
    """Pages of a PDF written by Chromium (its page objects are not compressed)."""
    return len(_PAGE.findall(Path(pdf_path).read_bytes()))


__all__ = ["CHROMIUM_ARGS", "CHROMIUM_PATH", "FOOTER_TEMPLATE", "PAGE_TIMEOUT_S", "PAPER",
           "SYNTHETIC_HEADER", "PrintResult", "browser", "check_ready", "chromium_path",
           "count_pages", "header_template", "offline_page", "print_pdf", "print_pdfs"]
