"""Executed notebook → one self-contained HTML report (nbconvert), readable offline.

What the HTML holds: the outputs of the notebook's Present cells only. No code, no
parameters or injected-parameters cell (papermill's), no cell tagged ``notebook-only``
(the analyst's narration, the checked headline line, Save outputs), no stderr. Charts are
PNGs embedded as ``data:`` URIs; the CSS is inline; there is no ``<script>`` at all and
no external URL in any ``src`` or ``href`` of an image, script or stylesheet, so the file
opens offline, from a USB stick or an e-mail attachment. Around the body: a top bar (all
reports, the province overview, the language twin), a table of contents built from the
``<h2>``/``<h3>`` headings, and a footer with the disclosure rule.

Rendering uses nbconvert's ``basic`` template (cell bodies only) inside this module's
page, so nbconvert template changes (the 6.0 break) cannot reach the page layout.

Usage::

    export.export_notebook(executed_nb, "reports/2024/52.02/index.html", lang="id",
                           nav=export.Nav(index="../../index.html", overview="../index.html",
                                          twin="index.en.html"))
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import re
import warnings
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from helpers import __version__
from helpers.batch.publish import atomic_write_text
from helpers.errors import ReportError
from helpers.report.i18n import check_language, other_language, translate

#: Size budget of one report (bytes). Larger reports are written, with a warning.
MAX_BYTES = 2 * 1024 * 1024
#: Cells with these tags never reach the HTML.
REMOVE_TAGS = ("notebook-only", "parameters", "injected-parameters", "remove-cell")
#: Markers around the language link, so the runner can update it once the twin exists.
LANG_LINK_START, LANG_LINK_END = "<!--lang-link-->", "<!--/lang-link-->"
#: Markers around the navigation links (all reports, province overview).
NAV_START, NAV_END = "<!--nav-->", "<!--/nav-->"


class ExportError(ReportError):
    """A notebook cannot be exported (an error output, an external URL, ...)."""


@dataclass(frozen=True)
class Nav:
    """Relative links of the top bar; None = not shown.

    Attributes:
        index: the landing page (reports/index.html).
        overview: the province overview of the period.
        twin: the same report in the other language (shown only if it exists; see
            :func:`update_language_link`).
        twin_exists: whether the twin file is there now.
    """

    index: str | None = None
    overview: str | None = None
    twin: str | None = None
    twin_exists: bool = False


# =========================================================================== notebook


def report_cells(notebook):
    """A copy of ``notebook`` with only what the report shows.

    Raises:
        ExportError: a kept cell has an error output (a failed run must not be published).
    """
    import nbformat

    result = copy.deepcopy(notebook)
    kept = []
    for cell in result.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & set(REMOVE_TAGS):
            continue
        if cell.cell_type == "markdown" and "report" not in tags:
            continue
        if cell.cell_type == "raw":
            continue
        if cell.cell_type == "code":
            outputs = []
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    raise ExportError(f"cell {cell.get('id', '?')} failed: "
                                      f"{output.get('ename')}: {output.get('evalue')}",
                                      fix="fix the notebook run before exporting")
                if output.get("output_type") == "stream":
                    continue  # prints and warnings are for the analyst, not the report
                outputs.append(output)
            cell.outputs = outputs
            if not outputs:
                continue
        kept.append(cell)
    result.cells = kept
    # What nbconvert could copy into the page from the metadata: nothing is needed.
    result.metadata = nbformat.NotebookNode({
        "kernelspec": notebook.metadata.get("kernelspec", {}),
        "language_info": notebook.metadata.get("language_info", {"name": "python"})})
    return result


#: An inline SVG chart (the report's charts; headings are never inside one).
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_HELD_SVG = re.compile(r"<!--cakupan-svg-(\d+)-->")


def render_body(notebook) -> str:
    """The report cells as HTML (nbconvert ``basic`` template, no input, no prompts).

    The inline SVG charts are held out while nbconvert renders (a comment in their place,
    put back after): nbconvert parses and re-writes its whole output with a pure-Python
    HTML parser, and the charts' tens of thousands of tags were most of an export's time.
    The charts reach the page exactly as drawn.
    """
    cells = report_cells(notebook)
    held: list[str] = []

    def hold(match: re.Match) -> str:
        held.append(match.group(0))
        return f"<!--cakupan-svg-{len(held) - 1}-->"

    for cell in cells.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                text = data["text/html"]
                data["text/html"] = _SVG.sub(hold, "".join(text) if isinstance(text, list)
                                             else text)
    exporter = _exporter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbconvert's notes on missing optional extras
        body, _ = exporter.from_notebook_node(cells)
    return _HELD_SVG.sub(lambda match: held[int(match.group(1))], body)


def _headings(body: str) -> list[tuple[int, str | None, str]]:
    """The ``<h1>``–``<h3>`` of a body as (level, id, text); the charts are skipped unread."""
    parser = _Headings()
    parser.feed(_SVG.sub("", body))
    return parser.found


_EXPORTER = None


def _exporter():
    """One nbconvert exporter per process (building its template environment is slow)."""
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter

        _EXPORTER = HTMLExporter(template_name="basic", exclude_input=True,
                                 exclude_input_prompt=True, exclude_output_prompt=True,
                                 anchor_link_text="")
    return _EXPORTER


# =========================================================================== page


class _Headings(HTMLParser):
    """Collects (level, id, text) of ``<h1>``-``<h3>`` elements that carry an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []
        self._current: list | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3"):
            ident = dict(attrs).get("id")
            self._current = [int(tag[1]), ident, ""] if ident else None

    def handle_data(self, data):
        if self._current is not None:
            self._current[2] += data

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3") and self._current is not None:
            level, ident, text = self._current
            self.found.append((level, ident, " ".join(text.split())))
            self._current = None


def table_of_contents(body: str, lang: str) -> str:
    """A nested list of the ``<h2>`` headings with their ``<h3>`` below (links to ids)."""
    items: list[str] = []
    open_sub = False
    for level, ident, text in _headings(body):
        if level == 1:
            continue
        link = f'<a href="#{html.escape(ident)}">{html.escape(text)}</a>'
        if level == 2:
            if open_sub:
                items.append("</ol></li>")
                open_sub = False
            elif items:
                items.append("</li>")
            items.append(f"<li>{link}")
        else:
            if not open_sub:
                items.append("<ol>")
                open_sub = True
            items.append(f"<li>{link}</li>")
    if open_sub:
        items.append("</ol></li>")
    elif items:
        items.append("</li>")
    return (f'<nav class="toc" aria-label="{html.escape(translate("page.toc", lang))}">'
            f'<div class="toc-title">{html.escape(translate("page.toc", lang))}</div>'
            f"<ol>{''.join(items)}</ol></nav>")


def language_link(lang: str, twin: str | None, twin_exists: bool) -> str:
    """The language switch: a link when the twin exists, a note otherwise."""
    if not twin:
        return f"{LANG_LINK_START}{LANG_LINK_END}"
    other = other_language(lang)
    if twin_exists:
        inner = (f'<a class="lang" hreflang="{other}" href="{html.escape(twin)}">'
                 f"{html.escape(translate('page.other_language', lang))}</a>")
    else:
        inner = (f'<span class="lang missing">'
                 f"{html.escape(translate('page.other_language_missing', lang))}</span>")
    return f"{LANG_LINK_START}{inner}{LANG_LINK_END}"


def page(body: str, *, title: str, lang: str, nav: Nav | None = None,
         toc: bool = True, footer_extra: str = "") -> str:
    """Wrap an HTML body in the report page: top bar, contents, footer, inline CSS."""
    from helpers.report.report_data import disclosure_rule

    check_language(lang)
    nav = nav or Nav()
    links = []
    if nav.index:
        links.append(f'<a href="{html.escape(nav.index)}">'
                     f"{html.escape(translate('page.back_to_index', lang))}</a>")
    if nav.overview:
        links.append(f'<a href="{html.escape(nav.overview)}">'
                     f"{html.escape(translate('page.back_to_overview', lang))}</a>")
    links = [NAV_START + " ".join(links) + NAV_END,
             language_link(lang, nav.twin, nav.twin_exists)]
    contents = table_of_contents(body, lang) if toc else ""
    generated = translate("page.generated", lang, version=__version__,
                          when=dt.datetime.now().strftime("%Y-%m-%d %H:%M"))
    footer = (f'<footer><p><strong>{html.escape(translate("page.disclosure_heading", lang))}:'
              f"</strong> {html.escape(disclosure_rule().label(lang))}</p>"
              f"{footer_extra}<p>{html.escape(generated)}</p></footer>")
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f'<header class="topbar">{" ".join(links)}</header>\n'
            f'<div class="layout">{contents}<main>{body}</main></div>\n{footer}\n'
            "</body>\n</html>\n")


def notebook_title(body: str, fallback: str) -> str:
    """The text of the first ``<h1>`` of the body (the report's title)."""
    for level, _, text in _headings(body):
        if level == 1:
            return text
    match = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
    return html.unescape(re.sub("<[^>]+>", "", match.group(1))).strip() if match else fallback


def export_notebook(notebook, out_path: str | Path, *,
                    lang: str = "id", nav: Nav | None = None) -> dict:
    """Write the HTML report of an executed notebook.

    Args:
        notebook: the executed notebook (node or path).
        out_path: where to write, e.g. reports/2024/52.02/index.html.
        lang: the report's language (page chrome; the body is already translated).
        nav: top-bar links.

    Returns:
        dict with ``path``, ``bytes`` and ``warnings`` (e.g. over the size budget).

    Raises:
        ExportError: an error output, or an external URL in a src/href.
        OSError: the page could not be written (disk full); no part of it is left.
    """
    import nbformat

    if not isinstance(notebook, nbformat.NotebookNode):
        notebook = nbformat.read(str(notebook), as_version=4)
    body = render_body(notebook)
    text = page(body, title=notebook_title(body, "Cakupan"), lang=lang, nav=nav)
    problems = external_references(text)
    if problems:
        raise ExportError(f"the report would load {problems[0]} from the network",
                          fix="embed the resource (data: URI) or remove it")
    path = Path(out_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text)  # a full disk leaves the old file, no half page
    size = path.stat().st_size
    notes = []
    if size > MAX_BYTES:
        notes.append(f"{path.name} is {size / 1024 / 1024:.1f} MB, above the 2 MB budget")
    return {"path": str(path), "bytes": size, "warnings": notes}


_EXTERNAL = re.compile(
    r"<(script|img|link|iframe|source|video|audio|embed|object)\b[^>]*?"
    r"\b(?:src|href|data)\s*=\s*[\"']?\s*((?:https?:)?//[^\"'\s>]+)", re.I)


def external_references(text: str) -> list[str]:
    """External URLs a page would load (scripts, images, stylesheets, frames, media)."""
    return [match.group(2) for match in _EXTERNAL.finditer(text)]


def update_language_link(path: str | Path, lang: str, twin: str, twin_exists: bool) -> bool:
    """Rewrite a report's language link now that its twin exists (or not). True if changed.

    The page is rewritten atomically; the caller decides that it is Cakupan's to rewrite.

    Raises:
        OSError: it could not be read or rewritten (the page is then unchanged).
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(LANG_LINK_START) + ".*?" + re.escape(LANG_LINK_END), re.S)
    new = pattern.sub(lambda _: language_link(lang, twin, twin_exists), text, count=1)
    if new != text:
        atomic_write_text(path, new)
        return True
    return False


CSS = """
:root{--ink:#1d2733;--muted:#5b6773;--line:#d9dee3;--accent:#0072b2;--soft:#f3f6f9;--warn:#d55e00}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:var(--ink);background:#fff}
.topbar{position:sticky;top:0;z-index:2;background:var(--ink);padding:.5rem 1.2rem;display:flex;gap:1.2rem;flex-wrap:wrap}
.topbar a,.topbar span{color:#fff;text-decoration:none;font-size:.9rem}
.topbar a:hover{text-decoration:underline}.topbar .lang{margin-left:auto;font-weight:600}
.topbar .missing{opacity:.7;margin-left:auto}
.layout{display:flex;gap:2rem;max-width:1500px;margin:0 auto;padding:1rem 1.2rem}
.toc{flex:0 0 230px;position:sticky;top:3rem;align-self:flex-start;max-height:calc(100vh - 4rem);overflow:auto;font-size:.85rem;border-right:1px solid var(--line);padding-right:1rem}
.toc-title{font-weight:700;margin:.3rem 0 .4rem}.toc ol{padding-left:1.1rem;margin:.2rem 0}.toc a{color:var(--ink);text-decoration:none}.toc a:hover{color:var(--accent)}
main{flex:1;min-width:0}
h1{font-size:1.6rem;margin:.6rem 0 .2rem}.subtitle{color:var(--muted);margin:0 0 1rem}
h2{font-size:1.3rem;margin:2rem 0 .6rem;padding-top:.6rem;border-top:2px solid var(--ink)}
h3{font-size:1.08rem;margin:1.4rem 0 .4rem}
table.data caption{caption-side:top;text-align:left;font-weight:700;font-size:.95rem;padding:.8rem 0 .3rem}
.param-box{background:var(--soft);border:1px solid var(--line);border-left:4px solid var(--accent);padding:.6rem .9rem;margin:.8rem 0 1.2rem}
.param-box-title{font-weight:700;margin-bottom:.3rem}
table.params,table.definitions{border-collapse:collapse;width:100%;font-size:.88rem}
table.params th,table.definitions th{text-align:left;vertical-align:top;padding:.2rem .8rem .2rem 0;width:32%;font-weight:600}
table.params td,table.definitions td{padding:.2rem 0;vertical-align:top}
table.definitions tr{border-bottom:1px solid var(--line)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(205px,1fr));gap:.7rem;margin:.8rem 0}
.card{border:1px solid var(--line);border-radius:6px;padding:.6rem .75rem;background:#fff}
.card-value{font-size:1.3rem;font-weight:700;color:var(--accent);font-variant-numeric:tabular-nums}
.card-label{font-size:.88rem}.card-note{font-size:.78rem;color:var(--muted);margin-top:.2rem}
.table-wrap{overflow-x:auto}
table.data{border-collapse:collapse;font-size:.82rem;margin:.3rem 0;min-width:50%}
table.data th{background:var(--soft);text-align:left;padding:.3rem .6rem;border-bottom:2px solid var(--line)}
table.data td{padding:.25rem .6rem;border-bottom:1px solid var(--line)}
table.data .num{text-align:right;font-variant-numeric:tabular-nums}table.data td.num{white-space:nowrap}
table.data tr.total td{font-weight:700;border-top:2px solid var(--line)}
p.note{font-size:.8rem;color:var(--muted);margin:.2rem 0 1rem}
figure.chart{margin:.6rem 0 1rem}.chart-scroll{overflow-x:auto;max-width:100%}
figure.chart img,figure.chart svg{display:block;max-width:100%;height:auto}
.region-links{columns:2;font-size:.9rem}.region-links .code{color:var(--muted);font-size:.8rem}
.downloads{font-size:.85rem;margin:.2rem 0 1rem;padding:.45rem .75rem;border:1px solid var(--line);border-radius:6px;background:var(--soft)}
.downloads-title{font-weight:700;margin-right:.5rem}.download-links{display:inline;list-style:none;margin:0;padding:0}
.download-links li{display:inline-block;margin:0 1rem .1rem 0}.download-detail,.not-rendered-mark{color:var(--muted)}.not-rendered-mark{font-size:.8rem}
.citation{margin:.25rem 0 0}.downloads-title+.download-links+.citation{border-top:1px solid var(--line);padding-top:.3rem}
footer{border-top:1px solid var(--line);color:var(--muted);font-size:.82rem;max-width:1500px;margin:2rem auto 0;padding:1rem 1.2rem 2rem}
.output_area pre{white-space:pre-wrap}
[id]{scroll-margin-top:3.2rem}
.table-title,table.data caption{font-size:.95rem;font-weight:700;margin:1rem 0 .3rem}
table.data caption{caption-side:top;text-align:left;padding:.7rem 0 .3rem;margin:0}
table.params th,table.params td,table.definitions th,table.definitions td,.card-value{overflow-wrap:anywhere}
@media (max-width:860px){.layout{display:block;padding:.6rem .9rem}.toc{position:static;border:0;max-height:none;margin:0 0 .4rem;padding:0}
.toc-title{margin:0 0 .2rem}.toc>ol{display:flex;flex-wrap:wrap;gap:.2rem 1rem;padding:0;margin:0;list-style:none}.toc ol ol{display:none}.toc a{color:var(--accent);display:inline-block;padding:.1rem 0}}
@media (max-width:600px){.topbar{padding:.5rem .9rem;gap:.9rem}h1{font-size:1.35rem}h2{font-size:1.2rem}
table.params tr,table.definitions tr{display:block;padding:.25rem 0}table.params th,table.params td,table.definitions th,table.definitions td{display:block;width:auto;padding:0}
.cards{grid-template-columns:repeat(auto-fill,minmax(150px,1fr))}.card-value{font-size:1.2rem}.region-links{columns:1}footer{padding:1rem .9rem 2rem}}
@page{size:A4;margin:14mm 12mm 16mm}
@media print{body{font-size:10pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}.topbar,.toc{display:none}
.layout{display:block;max-width:none;margin:0;padding:0}main{display:block}a{color:inherit;text-decoration:none}
h1,h2,h3,h4,.table-title,.param-box-title,table.data caption{break-after:avoid;page-break-after:avoid}h2{margin-top:1.2rem}
figure,img,table.data,tr,.cards,.card,p.note,footer{break-inside:avoid;page-break-inside:avoid}
.downloads-title,.download-links{display:none}.table-wrap,.chart-scroll{overflow:visible}p.note{break-before:avoid;page-break-before:avoid}table.data{font-size:8pt}footer{max-width:none;margin:1rem 0 0;padding:.6rem 0 0}}
""".replace("\n", "")


__all__ = ["CSS", "LANG_LINK_END", "LANG_LINK_START", "MAX_BYTES", "NAV_END", "NAV_START",
           "REMOVE_TAGS", "ExportError", "Nav", "export_notebook", "external_references",
           "language_link", "notebook_title", "page", "render_body", "report_cells",
           "table_of_contents", "update_language_link"]
