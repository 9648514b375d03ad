"""``cakupan reports --national``: every province of Indonesia, then the national page.

The national batch runs the province batch (:func:`helpers.batch.runner.run_reports`)
once per province, on the national reference tables (``CAKUPAN_REFERENCE=national``,
inherited by the report kernels) and the national registries (``data/national``, a
dataset partitioned by province: :mod:`helpers.data.partitions`). Each province has a
reports folder of its own, laid out as a province batch lays out ``reports/``::

    reports/national/index.html              the national page (id); index.en.html (en)
    reports/national/<period>/national-indicators.csv   its table, one row per kab/kota
    reports/national/<PP>/index.html         a province's landing page
    reports/national/<PP>/<period>/index.html            the province overview
    reports/national/<PP>/<period>/<PP.KK>/index.html    a kab/kota report

so staging, skipping what is current, resume, progress, the manifest and the privacy audit
work per province as they do for one province, and a province that fails (its data, a
report) stops nothing else: the batch goes on and the summary names it.

The national page maps JKN and BPJS Ketenagakerjaan coverage of all 514 kab/kota and
lists every province. Its figures come from each kab/kota report's published
``indicators.csv``, so the page shows the reports' own numbers; a province or national
value is the sum of the regions' numerators over the sum of their denominators, over the
regions that have a report (the page says how many).
"""

from __future__ import annotations

import html
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers.batch import layout, publish
from helpers.batch.summary import EXIT_FAILED, EXIT_PRIVACY, Batch, finish, say
from helpers.errors import CakupanError, ParameterError
from helpers.paths import reports_dir

__all__ = ["NATIONAL_CSV", "NATIONAL_REPORTS", "NationalBatch", "finish_national",
           "national_values", "run_national", "write_national_page"]

#: The national reports folder under ``reports/``.
NATIONAL_REPORTS = "national"
#: The national page's table, in ``<period>/``.
NATIONAL_CSV = "national-indicators.csv"
#: Marks a national page as Cakupan's (only such a page is replaced).
GENERATOR_MARK = '<meta name="generator" content="cakupan national page">'
#: Width (inches) of the maps a phone is given.
PHONE_MAP_WIDTH = 4.6
#: Ratios the national page shows (numerator and denominator pooled over regions).
MAPPED = ("jkn_coverage", "tk_coverage")
#: Province batches under way at once. With two, the workers start on the next
#: province's reports as soon as the current one has none left to hand out, while this
#: process warms the next province's caches and finishes the current one (links,
#: landing page, privacy audit): no worker waits for those steps.
IN_FLIGHT = 2


@dataclass
class NationalBatch:
    """What ``cakupan reports --national`` did: one province batch each, or its error."""

    out: Path
    period: str
    batches: dict[str, Batch] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    pages: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    stopped_by: str | None = None


def run_national(*, period: str = "2024", lang: str = "id", jobs: int = 2,
                 out: str | Path | None = None, data_dir: str = "",
                 provinces: list[str] | None = None, **options) -> NationalBatch:
    """Render every province's reports and the national page (module docstring).

    Args:
        period, lang, jobs: as :func:`helpers.batch.runner.run_reports`.
        out: the national reports folder (default ``reports/national``).
        data_dir: the registries (default ``data/national``).
        provinces: only these provinces (default all 38).
        options: further :func:`run_reports` options (extra, progress, pdf, force,
            timeout, kernel_mode).

    Raises:
        ParameterError: an unknown province; a missing national sample.
    """
    from helpers.batch.pool import StopRequest, shared_workers
    from helpers.batch.runner import run_reports
    from helpers.data.sample_national import (
        chosen_provinces,
        national_dir,
        national_reference,
        province_codes,
    )

    started = time.perf_counter()
    out = Path(out) if out else reports_dir() / NATIONAL_REPORTS
    every = province_codes()
    chosen = chosen_provinces(provinces)
    data_dir = str(data_dir or national_dir())
    if not Path(data_dir).is_dir():
        raise ParameterError(f"no national registries in {data_dir}",
                             fix="run `cakupan sample --national --scale 0.01` first, or give "
                                 "--data-dir with jamsostek/province=PP/ and jkn/province=PP/")
    batch = NationalBatch(out=out, period=str(period))
    # one pool of workers and warm kernels for every province (they inherit the national
    # reference set); the last registries and the privacy audit's index stay loaded too
    with national_reference(), shared_workers(jobs, layout.worker_log(out),
                                              options.get("kernel_mode", "reuse")), \
            StopRequest() as stop, \
            ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="province") as threads:

        def province(number: int, code: str, queued: threading.Event) -> Batch:
            say(f"cakupan: province {code} ({number} of {len(chosen)})")
            return run_reports(province_code=code, period=str(period), lang=lang, jobs=jobs,
                               out=out / code, data_dir=data_dir, stop=stop,
                               queued=queued.set, **options)

        def collect(code: str, future) -> None:
            try:
                result = future.result()
            except CakupanError as error:  # this province's data or folder: go on
                batch.errors[code] = str(error)
                say(f"cakupan: province {code} not rendered: {error}")
                return
            batch.batches[code] = result
            batch.stopped_by = batch.stopped_by or result.stopped_by

        running: deque = deque()  # (code, future) of the provinces under way, oldest first
        for number, code in enumerate(chosen, 1):
            if stop.signum:
                break
            queued = threading.Event()
            future = threads.submit(province, number, code, queued)
            running.append((code, future))
            # the next province starts once this one's reports are queued, so they stay
            # ahead of its own, and only when fewer than IN_FLIGHT are under way
            while not (queued.wait(0.2) or future.done()):
                pass
            while len(running) >= IN_FLIGHT:
                collect(*running.popleft())
        while running:
            collect(*running.popleft())
        batch.batches = {code: batch.batches[code] for code in chosen if code in batch.batches}
        batch.stopped_by = batch.stopped_by or stop.name
        try:
            batch.pages = write_national_page(out, str(period), every, data_dir=data_dir)
        except (OSError, CakupanError) as error:  # the provinces' reports stay published
            batch.errors["national page"] = (publish.describe_os_error(error)
                                             if isinstance(error, OSError) else str(error))
    batch.seconds = round(time.perf_counter() - started, 1)
    return batch


def national_values(out: Path, period: str) -> pd.DataFrame:
    """One row per kab/kota of Indonesia: its published ratios where it has a report.

    Columns: region_code, region_name, province_code, has_report, and for each of
    :data:`MAPPED` the value, numerator and denominator; ``uhc_category``.
    """
    from helpers.data import reference

    regions = reference.regions()
    kabkota = regions[regions["region_type"] != "provinsi"]
    rows = []
    for code, name, parent in zip(kabkota["region_code"], kabkota["region_name"],
                                  kabkota["parent_code"]):
        row = {"region_code": code, "region_name": name, "province_code": parent,
               "has_report": False, "uhc_category": None}
        path = layout.report_folder(out / parent, period, code) / layout.INDICATORS_CSV
        if path.is_file():
            table = pd.read_csv(path, dtype=str, encoding="utf-8-sig").set_index("indicator_id")
            row["has_report"] = True
            row["uhc_category"] = table["value"].get("uhc_category")
            for indicator in MAPPED:
                for part in ("value", "numerator", "denominator"):
                    text = table[part].get(indicator) if indicator in table.index else None
                    row[f"{indicator}_{part}"] = pd.to_numeric(text, errors="coerce")
        rows.append(row)
    frame = pd.DataFrame(rows)
    for indicator in MAPPED:
        for part in ("value", "numerator", "denominator"):
            column = f"{indicator}_{part}"
            frame[column] = pd.to_numeric(frame.get(column), errors="coerce")
    return frame


def _pooled(frame: pd.DataFrame, indicator: str) -> float:
    known = frame.dropna(subset=[f"{indicator}_numerator", f"{indicator}_denominator"])
    denominator = known[f"{indicator}_denominator"].sum()
    return known[f"{indicator}_numerator"].sum() / denominator if denominator else float("nan")


def write_national_page(out: Path, period: str, provinces: list[str], *,
                        data_dir: str | Path) -> list[Path]:
    """Write the national page in both languages and its CSV; the paths written.

    ``data_dir`` is the registries' folder: the synthetic banner is shown when it holds
    the synthetic sample.

    Raises:
        publish.InTheWayError: an index.html Cakupan did not write is there.
    """
    from helpers.report.i18n import LANGUAGES

    out = Path(out)
    values = national_values(out, period)
    written = []
    csv_path = out / period / NATIONAL_CSV
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    columns = ["region_code", "region_name", "province_code", "has_report", "uhc_category",
               *[f"{i}_{p}" for i in MAPPED for p in ("value", "numerator", "denominator")]]
    publish.atomic_write_text(csv_path, values[columns].to_csv(index=False))
    written.append(csv_path)
    for lang in LANGUAGES:
        path = out / layout.page_name(lang)
        if path.exists() and GENERATOR_MARK not in path.read_text(encoding="utf-8",
                                                                  errors="replace"):
            raise publish.InTheWayError(
                "a file Cakupan did not write is where the national page goes", path=path,
                fix="move it away or give another --out, then run the same command again")
        publish.atomic_write_text(path, _page(out, period, provinces, values, lang, data_dir))
        written.append(path)
    return written


def _page(out: Path, period: str, provinces: list[str], values: pd.DataFrame,
          lang: str, data_dir: str | Path) -> str:
    from helpers.batch import export
    from helpers.data import reference
    from helpers.report import formatting, maps
    from helpers.report.downloads import synthetic_banner
    from helpers.report.i18n import LANGUAGES, translate
    from helpers.report.map_blocks import map_html
    from helpers.report.national_map import national_map

    def pct(value: float) -> str:
        return formatting.format_percent(value, lang, 1)

    names = reference.regions().set_index("region_code")["region_name"]
    reported = values[values["has_report"]]

    def t(key: str, **fields) -> str:
        return translate(key, lang, **fields)

    national = {indicator: _pooled(reported, indicator) for indicator in MAPPED}
    figures = "".join(
        f"<li>{html.escape(t(f'national.value.{i}', value=pct(national[i])))}</li>"
        for i in MAPPED if not pd.isna(national[i]))
    intro = t("national.intro", regions=len(reported), all=len(values),
              provinces=reported["province_code"].nunique(), all_provinces=len(provinces))
    parts = [synthetic_banner(data_dir, lang),
             f'<h1 id="top">{html.escape(t("national.title", period=period))}</h1>',
             f"<p>{html.escape(intro)}</p>", f"<ul>{figures}</ul>" if figures else ""]
    not_uhc = [code for code, category in zip(values["region_code"], values["uhc_category"])
               if isinstance(category, str) and category in ("none", "unknown")]
    def drawn(indicator: str, width: float, **options):
        return national_map(values.rename(columns={f"{indicator}_value": indicator}), lang,
                            value_column=indicator, title=t(f"national.map.{indicator}"),
                            legend_title=t("national.legend"),
                            national_value=national[indicator], width=width, **options)

    parts.append(f'<h2 id="maps">{html.escape(t("national.maps"))}</h2>')
    for indicator, options in (("jkn_coverage", {"breaks": maps.JKN_BREAKS,
                                                 "hatched": not_uhc,
                                                 "hatch_label": t("map.not_uhc")}),
                               ("tk_coverage", {})):
        # a phone gets a narrow drawing: fewer legend columns, legible at 390 px
        parts.append(map_html(drawn(indicator, 10.0, **options), lang,
                              phone=drawn(indicator, PHONE_MAP_WIDTH, **options)))
    rows = []
    for code in provinces:
        mine = values[values["province_code"] == code]
        done = mine[mine["has_report"]]
        # the overview in the page's language, else the one rendered (marked with its language)
        overview = next((out / code / period / layout.page_name(language)
                         for language in (lang, *[x for x in LANGUAGES if x != lang])
                         if (out / code / period / layout.page_name(language)).is_file()), None)
        name = html.escape(str(names.get(code, code)))
        link = name if overview is None else (
            f'<a href="{html.escape(overview.relative_to(out).as_posix())}">{name}</a>'
            + ("" if overview.name == layout.page_name(lang)
               else f' <span class="note">({html.escape(t("page.other_language"))})</span>'))
        cells = [link, html.escape(code), f"{len(done)} / {len(mine)}",
                 *(html.escape(pct(_pooled(done, i))) for i in MAPPED)]
        rows.append("<tr>" + "".join(
            f'<td class="num">{c}</td>' if n >= 2 else f"<td>{c}</td>"
            for n, c in enumerate(cells)) + "</tr>")
    head = "".join(f'<th class="num">{html.escape(t(k))}</th>' if n >= 2
                   else f"<th>{html.escape(t(k))}</th>" for n, k in enumerate(
                       ("national.col.province", "national.col.code", "national.col.reports",
                        "national.col.jkn_coverage", "national.col.tk_coverage")))
    parts += [f'<h2 id="provinces">{html.escape(t("national.provinces"))}</h2>',
              (f'<div class="table-wrap"><table class="data"><thead><tr>{head}</tr></thead>'
               f'<tbody>{"".join(rows)}</tbody></table></div>'),
              f'<p class="note">{html.escape(t("national.pooled_note"))}</p>',
              (f'<p><a href="{html.escape(period)}/{NATIONAL_CSV}">'
               f'{html.escape(t("national.csv"))}</a></p>')]
    text = export.page("".join(parts), title=t("national.title", period=period), lang=lang,
                       nav=export.Nav(twin=layout.page_name("en" if lang == "id" else "id"),
                                      twin_exists=True),  # both are written together
                       toc=False)
    return text.replace("<head>\n", "<head>\n" + GENERATOR_MARK + "\n", 1)


def finish_national(batch: NationalBatch) -> int:
    """Print each province's summary and the national page; the command's exit code
    (the worst of the provinces': privacy 3, a failure 1; a signal 128 + its number)."""
    codes = []
    for province, result in batch.batches.items():
        say(f"cakupan: province {province}:")
        codes.append(finish(result, landing=False))
    for province, error in batch.errors.items():
        say(f"cakupan: province {province} FAILED: {error}")
    rendered = sum(len(b.keys("ok")) for b in batch.batches.values())
    unchanged = sum(len(b.unchanged) for b in batch.batches.values())
    say(f"cakupan: national batch: {len(batch.batches)} province(s) run, {len(batch.errors)} "
        f"not rendered; {rendered} report(s) rendered, {unchanged} unchanged, in "
        f"{batch.seconds:.1f} s")
    for path in batch.pages:
        if path.suffix == ".html" and path.name == layout.page_name("id"):
            print(path.resolve())
    if any(code > 128 for code in codes):
        return max(codes)
    if EXIT_PRIVACY in codes:
        return EXIT_PRIVACY
    return EXIT_FAILED if batch.errors or any(codes) else 0
