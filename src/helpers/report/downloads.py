"""What a report page offers to take away: its downloads block, its suggested citation, and
the honesty banner of the synthetic sample.

The notebook cannot know which files its report will have once published (the PDF is
printed after the page, the methodology page is written once per reports folder), so
:func:`block` leaves the list of links empty between two markers, and the batch fills
it with the files that exist (:func:`links_html`, called by
``helpers.batch.downloads.update_downloads``). A page rendered in JupyterLab shows the
citation and no link to a file that is not there.

Usage::

    downloads.block(report, "id")                 # in Presenter.title()
    downloads.links_html([Download("workbook", "tables.xlsx", 48_000)], "id")
    downloads.synthetic_banner(data_dir, "en")   # '' on real registries
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

from helpers import __version__
from helpers.report.formatting import format_date, format_number, format_percent
from helpers.report.i18n import translate
from helpers.report.registries import sample_scale

__all__ = ["END", "KINDS", "START", "Download", "block", "citation", "links_html",
           "region_item", "synthetic_banner", "title_text"]

#: Markers around the list of links, so the batch can fill it once the files exist.
START, END = "<!--downloads-->", "<!--/downloads-->"
#: What a report page can offer, in the order the block lists it.
KINDS = ("workbook", "csv_zip", "pdf", "methodology")


@dataclass(frozen=True)
class Download:
    """One file a report page links.

    Attributes:
        kind: one of :data:`KINDS`.
        href: the link, relative to the page (``tables.xlsx``, ``../../methodology.html``).
        size_bytes: the file's size, shown beside the link (None: not shown).
        save_as: the name a browser should save it under (None: its own name).
    """

    kind: str
    href: str
    size_bytes: int | None = None
    save_as: str | None = None


# =========================================================================== banner


def synthetic_banner(data_dir: str | Path, lang: str) -> str:
    """A banner no screenshot can lose: the numbers come from the synthetic sample (and,
    when scaled down, that counts and rates are far below reality). Empty on real data."""
    scale = sample_scale(data_dir)
    if scale is None:
        return ""
    text = translate("banner.synthetic", lang)
    if scale < 1:
        text += " " + translate("banner.scaled", lang, scale=format_percent(scale, lang, 0))
    return (f'<div class="banner" role="note" lang="{lang}" style="background:#fdecea;'
            f'border:2px solid #b42318;color:#6e1010;padding:.55rem .8rem;margin:0 0 .8rem;'
            f'font-weight:700">{html.escape(text)}</div>')


# =========================================================================== citation


def title_text(report, lang: str) -> str:
    """The report's title as its ``<h1>`` says it (plain text)."""
    if report.kind == "province":
        return translate("title.province", lang, name=report.province_name,
                         code=report.province_code, period=report.period)
    return translate(f"title.{report.kind}", lang, name=report.region_name,
                     code=report.region_code, period=getattr(report, "period", ""))


def citation(report, lang: str, *, today: dt.date | None = None) -> str:
    """How to cite the report: tool and year, title, reference date, version; on the
    synthetic sample, that the data are synthetic (and the scale of a reduced sample).

    Args:
        report: a regency, province or explorer report.
        lang: 'id' or 'en'.
        today: the date of publication (default: today).
    """
    today = today or dt.date.today()
    text = translate("citation.text", lang, year=today.year, title=title_text(report, lang),
                     date=format_date(report.reference_date, lang), version=__version__,
                     made=format_date(today, lang))
    scale = sample_scale(report.params.data_dir)
    if scale is not None:
        key = "citation.synthetic_scaled" if scale < 1 else "citation.synthetic"
        text += " " + translate(key, lang, scale=format_percent(scale, lang, 0))
    return text


# =========================================================================== the block


def block(report, lang: str) -> str:
    """The downloads block of a report page: links (filled by the batch) and citation."""
    label = translate("downloads.citation", lang)
    return (f'<div class="downloads" id="downloads">{START}{END}'
            f'<p class="citation"><strong>{html.escape(label)}:</strong> '
            f"{html.escape(citation(report, lang))}</p></div>")


def links_html(items: list[Download], lang: str) -> str:
    """The list of links between the markers: one line, the files in :data:`KINDS`
    order, each with its type and size; empty when there is nothing to link."""
    if not items:
        return ""
    order = {kind: position for position, kind in enumerate(KINDS)}
    links = []
    for item in sorted(items, key=lambda i: order[i.kind]):
        name = html.escape(translate(f"downloads.{item.kind}", lang))
        save = f' download="{html.escape(item.save_as)}"' if item.save_as else ""
        detail = translate(f"downloads.{item.kind}_type", lang)
        if item.size_bytes is not None:
            detail += ", " + _size(item.size_bytes, lang)
        links.append(f'<li><a href="{html.escape(item.href)}"{save} '
                     f'data-download="{item.kind}">{name}</a> '
                     f'<span class="download-detail">({html.escape(detail)})</span></li>')
    title = html.escape(translate("downloads.title", lang))
    return (f'<span class="downloads-title">{title}:</span>'
            f'<ul class="download-links">{"".join(links)}</ul>')


def _size(size_bytes: int, lang: str) -> str:
    """``48 KB``, ``1,2 MB`` (decimal units, as file managers show them)."""
    if size_bytes < 1000 * 1000:
        return f"{max(1, round(size_bytes / 1000))} KB"
    return f"{format_number(size_bytes / 1000 / 1000, lang, 1)} MB"


# =========================================================================== overview


def region_item(code: str, name: str, href: str | None, lang: str) -> str:
    """One region of the province overview's list: a link when its report exists, else
    its name with a 'not rendered' mark. ``data-region``/``data-name`` let the batch
    rewrite the item when the report appears or goes."""
    head = f'<li data-region="{html.escape(code)}" data-name="{html.escape(name)}">'
    tail = f' <span class="code">{html.escape(code)}</span>'
    if href:
        return f'{head}<a href="{html.escape(href)}">{html.escape(name)}</a>{tail}</li>'
    mark = html.escape(translate("downloads.not_rendered", lang))
    return (f'{head}<span class="not-rendered">{html.escape(name)}</span>{tail} '
            f'<span class="not-rendered-mark">({mark})</span></li>')
