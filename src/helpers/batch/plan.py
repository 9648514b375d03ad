"""What a batch renders, checked before any kernel starts, and the caches its notebooks read.

:func:`build_specs` turns a province (or some regions), a period and a language into
validated run specs: the regency reports, then the province overview, each with the
parameters papermill injects and its folder (:mod:`helpers.batch.layout`).
:func:`warm_caches` runs the intake of both registries and computes the province bundle
once, in the batch's own process, with the engine and parameters the notebooks will
use, so that every notebook only reads them.
"""

from __future__ import annotations

import time
from pathlib import Path

from helpers.batch import layout
from helpers.batch.parameters import notebook_parameters, validate_parameters
from helpers.batch.worker import RunSpec, notebooks_dir
from helpers.errors import ParameterError
from helpers.report.i18n import check_language

REGENCY_NOTEBOOK = "regency_report.ipynb"
OVERVIEW_NOTEBOOK = "province_overview.ipynb"



def build_specs(*, province_code: str, period: str, lang: str, out: Path,
                regions: list[str] | None = None, data_dir: str = "",
                extra: dict | None = None, overview: bool = True) -> list[RunSpec]:
    """Validated run specs of a batch (regency reports of the regions, then the overview).

    Raises:
        ParameterError: any parameter of any run.
    """
    from helpers.data import reference
    from helpers.report import report_data

    province_code = report_data.check_region(province_code, kind="provinsi")
    report_data.check_period(period)
    check_language(lang)
    codes = regions or reference.kabkota_codes(province_code)
    codes = [report_data.check_region(code) for code in codes]
    outside = [c for c in codes if c[:2] != province_code]
    if outside:
        raise ParameterError(f"region {outside[0]} is not in province {province_code}",
                             fix="use regions of that province or another --province")
    folder = notebooks_dir()
    regency_nb, overview_nb = folder / REGENCY_NOTEBOOK, folder / OVERVIEW_NOTEBOOK
    extra = dict(extra or {})
    common = {"period": str(period), "lang": lang,
              **({"data_dir": str(Path(data_dir).resolve())} if data_dir else {})}
    specs = []
    for code in codes:
        out_dir = layout.report_folder(out, period, code)
        params = validate_parameters(regency_nb, {**common, **extra, "region_code": code,
                                                  "output_dir": str(out_dir)})
        specs.append(RunSpec("regency", code, str(regency_nb), params, str(out_dir), lang,
                             str(period)))
    if overview:
        out_dir = layout.report_folder(out, period)
        overview_extra = {k: v for k, v in extra.items()
                          if k in notebook_parameters(overview_nb)}
        params = validate_parameters(overview_nb, {**common, **overview_extra,
                                                   "province_code": province_code,
                                                   "output_dir": str(out_dir),
                                                   "report_links": True})
        specs.insert(0, RunSpec("province", province_code, str(overview_nb), params,
                                str(out_dir), lang, str(period)))
    return specs


def warm_caches(*, province_code: str, period: str, data_dir: str = "",
                extra: dict | None = None) -> dict:
    """Run the intake and compute the province bundle once, in this process.

    The bundle is the one the notebooks read: same engine, grace months, labour
    denominator and population vintage (the notebook's defaults, overridden by
    ``extra``), hence the same cache entry (``tests/test_runner.py`` checks it for both
    notebooks and both engines).

    Args:
        province_code, period: what the batch renders.
        data_dir: registry folder ('' = data/sample).
        extra: the batch's further notebook parameters (``engine``, ``grace_months``…).

    Returns:
        dict with ``inputs`` (file checksums and counts) and timings.
    """
    from helpers.report import report_data

    # The notebooks' own defaults and types, so the bundle warmed here is the one the
    # notebooks read (same engine, grace months, denominator and vintage).
    notebook = notebooks_dir() / REGENCY_NOTEBOOK
    chosen = {name: p.default for name, p in notebook_parameters(notebook).items()}
    chosen |= validate_parameters(notebook, {name: value for name, value in (extra or {}).items()
                                             if name in chosen})
    started = time.perf_counter()
    registries = report_data.load_registries(data_dir or None, engine=chosen["engine"])
    intake_seconds = time.perf_counter() - started
    params = report_data.make_parameters(
        str(period), grace_months=chosen["grace_months"],
        labour_denominator=chosen["labour_denominator"],
        population_vintage=chosen["population_vintage"])
    report_data.province_bundle(registries, province_code, params)
    inputs = {}
    for name, result in (("jamsostek", registries.tk), ("jkn", registries.jkn)):
        summary = result.summary
        path = Path(summary.path)
        inputs[path.name] = {"registry": name, "sha256": summary.file_sha256,
                             "bytes": path.stat().st_size, "rows_read": summary.rows_read,
                             "rows_accepted": summary.rows_accepted,
                             "rows_rejected": summary.rows_rejected}
    return {"inputs": inputs, "intake_seconds": round(intake_seconds, 2),
            "bundle_seconds": round(time.perf_counter() - started - intake_seconds, 2)}


__all__ = ["OVERVIEW_NOTEBOOK", "REGENCY_NOTEBOOK", "build_specs", "warm_caches"]
