"""What a reader can take away from a published report: the CSV archive, the methodology
page, and the downloads block of every page listing the files that exist.

* :func:`write_csv_zip` packs a report's ``indicators.csv``, ``tables/*.csv`` and
  ``csv-metadata.json`` into ``tables-csv.zip`` in its staging folder, so the archive is
  committed and recorded in the manifest with the run's other files. The archive is
  reproducible: the same tables give the same bytes (fixed entry dates and order), so
  the Indonesian and English runs of a report, which share it, agree.
* :func:`write_methodology_pages` renders the indicator definitions
  (:func:`helpers.report.methodology.render`, the text of ``docs/methodology.md``) with
  markdown-it-py into ``reports/methodology.html`` and ``methodology.en.html``, in the
  reports' page layout, atomically.
* :func:`update_page` (called for every page by :func:`helpers.batch.landing.finalize`)
  fills a page's downloads block with the files that are there (the workbook of its
  language, the CSV archive, the PDF when it was printed, the methodology page) and, on
  the province overview, links each regency only when its report exists.
"""

from __future__ import annotations

import html
import os
import re
import uuid
import zipfile
from pathlib import Path

from helpers import __version__
from helpers.batch import layout, publish
from helpers.report import downloads
from helpers.report.i18n import DEFAULT_LANGUAGE, LANGUAGES, other_language, translate

__all__ = ["ZIP_DATE", "methodology_html", "methodology_page", "update_page",
           "write_csv_zip", "write_methodology_pages", "zip_members"]

#: Date and time of every archive entry: the earliest a zip can hold (1980-01-01), so
#: that the archive's bytes depend on the tables only (reproducible builds).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


# =========================================================================== CSV archive


def zip_members(folder: Path) -> list[str]:
    """The files of a report folder that go into its CSV archive (relative, POSIX):
    ``indicators.csv``, ``csv-metadata.json``, then ``tables/*.csv`` by name."""
    folder = Path(folder)
    names = [name for name in (layout.INDICATORS_CSV, layout.CSV_METADATA)
             if (folder / name).is_file()]
    tables = folder / layout.TABLES_FOLDER
    if tables.is_dir():
        names += sorted(path.relative_to(folder).as_posix() for path in tables.glob("*.csv")
                        if path.is_file())
    return names


def write_csv_zip(folder: str | Path) -> Path | None:
    """Write ``tables-csv.zip`` (see the module docstring) into a report folder.

    Args:
        folder: the run's staging folder (or a report folder) holding the CSV files.

    Returns:
        The archive, or None when the folder has no ``indicators.csv`` (nothing to pack).

    Raises:
        OSError: it could not be written (no part of it is left).
    """
    folder = Path(folder)
    if not (folder / layout.INDICATORS_CSV).is_file():
        return None
    path = folder / layout.CSV_ZIP
    partial = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.partial")
    try:
        with zipfile.ZipFile(partial, "x", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in zip_members(folder):
                entry = zipfile.ZipInfo(name, date_time=ZIP_DATE)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o644 << 16
                archive.writestr(entry, (folder / name).read_bytes())
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    return path


# =========================================================================== methodology


def methodology_html(lang: str) -> str:
    """The methodology of ``lang`` as an HTML body: markdown-it-py (CommonMark and tables,
    raw HTML off), headings with ids for the table of contents, tables styled as the
    reports' tables."""
    from markdown_it import MarkdownIt

    from helpers.report import methodology

    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = parser.parse(methodology.render(lang))
    used: set[str] = set()
    for position, token in enumerate(tokens):
        if token.type == "heading_open":
            token.attrSet("id", _anchor(tokens[position + 1].content, used))
        elif token.type == "table_open":
            token.attrSet("class", "data")
    body = parser.renderer.render(tokens, parser.options, {})
    return (body.replace('<table class="data">', '<div class="table-wrap"><table class="data">')
            .replace("</table>", "</table></div>"))


def _anchor(text: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    anchor, number = base, 2
    while anchor in used:
        anchor, number = f"{base}-{number}", number + 1
    used.add(anchor)
    return anchor


def methodology_page(lang: str) -> str:
    """The whole methodology page of ``lang`` (title, introduction, definitions)."""
    from helpers.batch import export

    title = translate("methodology.title", lang)
    intro = translate("methodology.intro", lang, version=__version__)
    body = (f'<h1 id="top">{html.escape(title)}</h1>'
            f'<p class="subtitle">{html.escape(intro)}</p>' + methodology_html(lang))
    nav = export.Nav(index=layout.landing_link(0),
                     twin=layout.methodology_name(other_language(lang)), twin_exists=True)
    return export.page(body, title=title, lang=lang, nav=nav)


def write_methodology_pages(out: str | Path, owned: set[str]) -> list[Path]:
    """Write ``methodology.html`` and ``methodology.en.html`` at the reports root.

    Args:
        out: the reports folder.
        owned: files of ``out`` Cakupan wrote (or claimed: the batch claims the pages in
            its manifest before they exist). A page not among them is not written; a
            file there that Cakupan did not write is never replaced.

    Returns:
        The pages written.

    Raises:
        publish.InTheWayError: a file Cakupan did not write is where a page goes.
        OSError: a page could not be written (the previous one is unchanged).
    """
    out = Path(out)
    written = []
    for lang in LANGUAGES:
        name = layout.methodology_name(lang)
        path = out / name
        if name not in owned or path.is_dir():
            if os.path.lexists(path):
                raise publish.InTheWayError(
                    "a file Cakupan did not write is where the methodology page goes",
                    path=path, fix="move it out of the reports folder, then run the same "
                                   "command again")
            continue
        publish.atomic_write_text(path, methodology_page(lang))
        written.append(path)
    return written


# =========================================================================== pages


_BLOCK = re.compile(re.escape(downloads.START) + ".*?" + re.escape(downloads.END), re.S)
#: A region of the overview's list (nbconvert may reorder the attributes of a tag).
_REGION = re.compile(r'<li (?=[^>]*\bdata-region=")([^>]*)>.*?</li>', re.S)
_ATTRIBUTE = re.compile(r'\b(data-region|data-name)="([^"]*)"')


def update_page(path: Path, lang: str, out: Path, ours) -> bool:
    """Fill the downloads block of a page (and an overview's region links) with what
    exists now. The page is rewritten atomically, and only when something changed.

    Args:
        path: a report page (``<period>/<region>/index.html`` or an overview).
        lang: its language.
        out: the reports folder.
        ours: ``ours(path) -> bool``: the file exists and Cakupan wrote it.

    Returns:
        Whether the page was rewritten.

    Raises:
        OSError, UnicodeDecodeError: it could not be read or rewritten (then unchanged).
    """
    text = path.read_text(encoding="utf-8")
    depth = len(path.relative_to(out).parts) - 1
    folder = path.parent
    stem = "cakupan-" + "-".join(folder.relative_to(out).parts)
    suffix = "" if lang == DEFAULT_LANGUAGE else f".{lang}"
    candidates = [
        ("workbook", folder / layout.workbook_name(lang), f"{stem}{suffix}.xlsx"),
        ("csv_zip", folder / layout.CSV_ZIP, f"{stem}-csv.zip"),
        ("pdf", folder / layout.pdf_name(lang), f"{stem}{suffix}.pdf"),
        ("methodology", out / layout.methodology_name(lang), None),
    ]
    items = [downloads.Download(kind, os.path.relpath(file, folder).replace(os.sep, "/"),
                                file.stat().st_size, save_as)
             for kind, file, save_as in candidates if ours(file)]
    block = downloads.START + downloads.links_html(items, lang) + downloads.END
    new = _BLOCK.sub(lambda _: block, text, count=1)
    if depth == 1:  # the province overview: link the regencies rendered
        page = layout.page_name(lang)

        def region(match: re.Match) -> str:
            attributes = dict(_ATTRIBUTE.findall(match.group(1)))
            code = html.unescape(attributes["data-region"])
            name = html.unescape(attributes.get("data-name", code))
            href = f"{code}/{page}" if ours(folder / code / page) else None
            return downloads.region_item(code, name, href, lang)

        new = _REGION.sub(region, new)
    if new == text:
        return False
    publish.atomic_write_text(path, new)
    return True
