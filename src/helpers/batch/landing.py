"""After a batch: every report's navigation, language and download links, the
methodology page and the landing page.

``finalize`` writes the methodology page, then rewrites, atomically and only where a link
changed, the pages Cakupan wrote (the downloads block lists the files that exist; an
overview links only the regency reports that exist:
:func:`helpers.batch.downloads.update_page`); ``write_landing_page`` writes
``reports/index.html``, linking every period, the province overview and each regency
report in both languages, with the status of failed runs, the methodology page, and the
synthetic-data banner when the reports come from the sample. Only files the manifest lists as Cakupan's are read, linked or rewritten.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from helpers.batch import downloads, layout, publish
from helpers.batch.layout import LANDING_PAGE
from helpers.batch.manifest import owned_files, read_manifest
from helpers.report.i18n import LANGUAGES, other_language


@dataclass
class Finalized:
    """What :func:`finalize` did.

    Attributes:
        rewritten: pages rewritten (resolved path) and their new SHA-256, for the manifest.
        landing_page: the landing page written, None when it could not be.
        problems: one line per page that could not be rewritten or written.
    """

    rewritten: dict[Path, str] = field(default_factory=dict)
    landing_page: Path | None = None
    problems: list[str] = field(default_factory=list)


def finalize(out: Path, *, owned: set[str] | None = None,
             runs: dict[str, dict] | None = None) -> Finalized:
    """Update every report's navigation and language links, then write the landing page.

    Only pages Cakupan wrote are rewritten (``owned``), atomically, and only when a link
    changed. A page that cannot be rewritten (disk full) is a problem line; the others
    are still done.

    Args:
        out: the reports folder.
        owned: files of ``out`` that Cakupan wrote (relative, POSIX); default: what its
            manifest lists.
        runs: the manifest's records (default: read from its manifest).

    Returns:
        The pages rewritten, the landing page, the problems.
    """
    from helpers.batch import export

    out = Path(out)
    if owned is None or runs is None:
        document = read_manifest(out)
        owned = owned_files(document, out) if owned is None else owned
        runs = (document or {}).get("runs", {}) if runs is None else runs
    result = Finalized()

    def ours(path: Path) -> bool:
        return path.relative_to(out).as_posix() in owned and path.is_file()

    try:  # first: the pages' downloads link them
        downloads.write_methodology_pages(out, owned)
    except OSError as error:
        result.problems.append("could not write the methodology page: "
                               + publish.describe_os_error(error))
    except publish.InTheWayError as error:
        result.problems.append(f"could not write the methodology page: {error}")

    for name in sorted(owned, key=lambda n: (n.count("/"), n)):
        lang = layout.report_page_language(name)
        path = out / name
        if lang is None or not path.is_file():
            continue
        twin = layout.page_name(other_language(lang))
        try:
            changed = export.update_language_link(path, lang, twin, ours(path.parent / twin))
            changed = _update_nav(path, lang, out, ours) or changed
            if downloads.update_page(path, lang, out, ours) or changed:
                result.rewritten[path.resolve()] = publish.file_sha256(path)
        except OSError as error:
            result.problems.append(f"could not update the links of {path}: "
                                   + publish.describe_os_error(error, path))
        except UnicodeDecodeError:
            result.problems.append(f"could not update the links of {path}: it is not UTF-8 "
                                   "text any more (edited by hand?); render it again with "
                                   "--force")
    try:
        result.landing_page = write_landing_page(out, owned=owned, runs=runs)
    except OSError as error:
        result.problems.append("could not write the landing page: "
                               + publish.describe_os_error(error, layout.landing_page(out)))
    except publish.InTheWayError as error:
        result.problems.append(f"could not write the landing page: {error}")
    return result


def _update_nav(path: Path, lang: str, out: Path, ours) -> bool:
    from helpers.batch.export import NAV_END, NAV_START
    from helpers.report.i18n import translate

    depth = len(path.relative_to(out).parts) - 1
    links = [f'<a href="{layout.landing_link(depth)}">'
             f'{html.escape(translate("page.back_to_index", lang))}</a>']
    if depth == 2 and ours(path.parent.parent / path.name):
        links.append(f'<a href="{layout.overview_link(lang)}">'
                     f'{html.escape(translate("page.back_to_overview", lang))}</a>')
    text = path.read_text(encoding="utf-8")
    block = NAV_START + " ".join(links) + NAV_END
    new = re.sub(re.escape(NAV_START) + ".*?" + re.escape(NAV_END), lambda _: block, text,
                 count=1, flags=re.S)
    if new == text:
        return False
    publish.atomic_write_text(path, new)
    return True


def write_landing_page(out: Path, *, owned: set[str] | None = None,
                       runs: dict[str, dict] | None = None) -> Path:
    """``reports/index.html``: every period, the province overview and each regency report
    in both languages where rendered, with the status of failed runs.

    Only files Cakupan wrote are linked.

    Args:
        out: the reports folder.
        owned: files of ``out`` that Cakupan wrote (default: what its manifest lists).
        runs: the manifest's records (default: read from its manifest).

    Returns:
        The landing page.

    Raises:
        publish.InTheWayError: an ``index.html`` Cakupan did not write is there.
        OSError: it could not be written (the previous one is unchanged).
    """
    from helpers.batch import export
    from helpers.data import reference
    from helpers.report.i18n import translate

    out = Path(out)
    if owned is None or runs is None:
        document = read_manifest(out)
        owned = owned_files(document, out) if owned is None else owned
        runs = (document or {}).get("runs", {}) if runs is None else runs
    path = layout.landing_page(out)
    if os.path.lexists(path) and (LANDING_PAGE not in owned or path.is_dir()):
        raise publish.InTheWayError(
            "a file Cakupan did not write is where the landing page goes", path=path,
            fix="move it out of the reports folder, then run the same command again")
    failed = {key for key, run in runs.items() if run.get("status") != "ok"}
    names = reference.regions().set_index("region_code")["region_name"]
    parts = [_synthetic_banner(runs),
             f'<h1 id="top">{html.escape(translate("page.landing_title", "id"))} · '
             f'{html.escape(translate("page.landing_title", "en"))}</h1>',
             f'<p>{html.escape(translate("page.landing_intro", "id"))}</p>',
             f'<p lang="en">{html.escape(translate("page.landing_intro", "en"))}</p>',
             _methodology_links(out, owned)]
    named = [name.split("/") for name in set(owned) | set(runs) if not name.startswith(".")]
    periods = sorted({parts[0] for parts in named if len(parts) >= 2}, reverse=True)
    places = {(parts[0], parts[1]) for parts in named if len(parts) >= 3}
    tables = layout.TABLES_FOLDER
    with_tables = {"/".join(parts[:parts.index(tables)]) + "/" for parts in named
                   if tables in parts[:-1]}
    for period in periods:
        rows = []
        overview_cells = _language_cells(out, f"{period}/", failed, owned, with_tables)
        if overview_cells:
            rows.append(f"<tr><td><strong>{html.escape(translate('page.province_overview', 'id'))}"
                        f" · {html.escape(translate('page.province_overview', 'en'))}</strong>"
                        f"</td><td></td>{overview_cells}</tr>")
        regions = sorted(region for p, region in places
                         if p == period and not region.startswith(".") and region != tables)
        for region in regions:
            cells = _language_cells(out, f"{period}/{region}/", failed, owned, with_tables)
            if not cells:
                continue
            name = names.get(region, region)
            rows.append(f"<tr><td>{html.escape(str(name))}</td>"
                        f"<td>{html.escape(region)}</td>{cells}</tr>")
        if not rows:
            continue
        parts.append(f'<h2 id="period-{html.escape(period)}">'
                     f'{html.escape(translate("page.period", "id", period=period))}</h2>')
        parts.append('<div class="table-wrap"><table class="data"><thead><tr>'
                     "<th>Wilayah · Region</th><th>Kode · Code</th><th>Bahasa Indonesia</th>"
                     "<th>English</th><th>Berkas · Files</th></tr></thead><tbody>"
                     + "".join(rows) + "</tbody></table></div>")
    parts.append(f'<p class="note">{html.escape(translate("page.manifest", "id"))}<br>'
                 f'{html.escape(translate("page.manifest", "en"))}</p>')
    text = export.page("".join(parts), title=translate("page.landing_title", "id"), lang="id",
                       nav=None, toc=False)
    text = text.replace(export.LANG_LINK_START + export.LANG_LINK_END, "")
    publish.atomic_write_text(path, text)
    return path


def _synthetic_banner(runs: dict[str, dict]) -> str:
    """The synthetic-data banner of the reports (both languages) when any report listed
    was made from the synthetic sample; empty when every one used real registries."""
    from helpers.paths import project_root, sample_dir
    from helpers.report.downloads import synthetic_banner

    folders = set()
    for run in runs.values():
        for holder in (run, run.get("published") or {}):
            parameters = holder.get("parameters")
            if isinstance(parameters, dict):
                given = parameters.get("data_dir") or ""
                folders.add((project_root() / given if given else sample_dir()).resolve())
    for folder in sorted(folders):
        text = synthetic_banner(folder, "id")
        if text:
            return text + synthetic_banner(folder, "en")
    return ""


def _methodology_links(out: Path, owned: set[str]) -> str:
    """Links to the methodology page in each language written."""
    from helpers.report.i18n import translate

    links = [f'<a href="{html.escape(name)}" hreflang="{lang}">'
             f'{html.escape(translate("page.other_language", other_language(lang)))}</a>'
             for lang in LANGUAGES
             for name in [layout.methodology_name(lang)]
             if name in owned and (out / name).is_file()]
    if not links:
        return ""
    return (f'<p class="methodology-links">{html.escape(translate("landing.methodology", "id"))}'
            f' · {html.escape(translate("landing.methodology", "en"))}: '
            + " · ".join(links) + "</p>")


def _language_cells(out: Path, prefix: str, failed: set[str], owned: set[str],
                    with_tables: set[str]) -> str:
    def have(name: str) -> bool:
        return prefix + name in owned and (out / (prefix + name)).is_file()

    tables = layout.TABLES_FOLDER

    cells = []
    any_file = False
    for name in map(layout.page_name, LANGUAGES):
        key = prefix + name
        if have(name):
            any_file = True
            mark = (' <span title="perlu dibuat ulang, lihat manifest.json · needs to be '
                    'rendered again, see manifest.json">⚠</span>') if key in failed else ""
            cells.append(f'<td><a href="{html.escape(key)}">{name}</a>{mark}</td>')
        elif key in failed:
            any_file = True
            cells.append("<td>gagal · failed</td>")
        else:
            cells.append("<td>–</td>")
    files = []
    for name in layout.shared_files():
        if have(name):
            files.append(f'<a href="{html.escape(prefix + name)}">{name}</a>')
    if prefix in with_tables:
        files.append(f'<a href="{html.escape(prefix)}{tables}/">{tables}/</a>')
    if not any_file:
        return ""
    return "".join(cells) + f"<td>{' · '.join(files)}</td>"


__all__ = ["Finalized", "finalize", "write_landing_page"]
