"""The province bundle: every aggregate of every region of a province in one pass per query, cached on disk."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pandas as pd

from helpers.data import reference, schema
from helpers.errors import ParameterError
from helpers.measures import breakdowns, definitions, indicators, scorecard, series
from helpers.measures.indicators import is_active, restrict
from helpers.paths import cache_dir, reference_dir
from helpers.report import bundle_cache
from helpers.report.parameters import check_region, params_dict
from helpers.report.registries import Registries

__all__ = ["BUNDLE_VERSION", "bundle_code_fingerprint", "bundle_key", "province_bundle"]

#: Bump to invalidate every cached province bundle (the code hash below also does).
BUNDLE_VERSION = "1"


def bundle_code_fingerprint() -> str:
    """Hash of the modules and reference tables a bundle is computed from."""
    digest = hashlib.sha256(BUNDLE_VERSION.encode())
    for module in (indicators, series, breakdowns, scorecard, definitions, reference, schema,
                   bundle_cache):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    for path in sorted(reference_dir().glob("*.csv")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def bundle_key(registries: Registries, province_code: str, params) -> str:
    """Cache key of a province bundle: inputs, parameters, code and reference tables."""
    text = json.dumps({"registries": registries.fingerprint(), "province": province_code,
                       "params": params_dict(params), "engine": registries.engine,
                       "code": bundle_code_fingerprint()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def province_bundle(registries: Registries, province_code: str, params, *,
                    cache: bool = True) -> dict:
    """Every aggregate the province's reports need, all regions in one pass per query.

    Args:
        registries: from :func:`load_registries`.
        province_code: e.g. '52'.
        params: :class:`helpers.measures.indicators.Parameters`.
        cache: read/write ``data/cache/reports/<province>-<key>.json``
            (:mod:`helpers.report.bundle_cache`: checksummed JSON, never pickle).

    Returns:
        dict of aggregate frames (``indicators``, ``tk_breakdowns``, ``jkn_breakdowns``,
        ``programme_people``, ``tk_budget``, ``trend_tk``, ``trend_jkn``,
        ``cross_scheme``, ``scorecard``, ``intake``) and ``meta``. No person-level row.
    """
    province_code = check_region(province_code, kind="provinsi")
    if not cache:
        return _compute_bundle(registries, province_code, params)

    key = bundle_key(registries, province_code, params)
    return bundle_cache.load_or_compute(
        cache_dir() / "reports", f"{province_code}-{key}", bundle_code_fingerprint(),
        lambda: _compute_bundle(registries, province_code, params))


def _compute_bundle(registries: Registries, province_code: str, params) -> dict:
    started = time.perf_counter()
    codes = reference.kabkota_codes(province_code)
    # About 15 queries scan the registries: hold the province's rows in the engine's memory
    # once (DuckDB decodes the Parquet files a single time; ~3x faster on the full NTB
    # sample). Only its rows: a national registry holds every province.
    tk_rows = restrict(registries.tk_table, codes)
    jkn_rows = restrict(registries.jkn_table, codes)
    with tk_rows.cache() as tk, jkn_rows.cache() as jkn:
        result = _bundle_frames(tk, jkn, registries, codes, params)
        as_of = _data_as_of(tk, jkn)
    result["meta"] = {
        "province_code": province_code, "region_codes": codes,
        "params": params_dict(params), "engine": registries.engine,
        "data_as_of": as_of,
        "registries": {name: {"file": Path(res.summary.path).name,
                              "sha256": res.summary.file_sha256,
                              "rows_read": res.summary.rows_read,
                              "rows_accepted": res.summary.rows_accepted}
                       for name, res in (("jamsostek", registries.tk), ("jkn", registries.jkn))},
        "computed_seconds": round(time.perf_counter() - started, 2),
    }
    return result


def _bundle_frames(tk, jkn, registries: Registries, codes: list[str], params) -> dict:
    return {
        "indicators": indicators.compute_indicators(tk, jkn, params, codes),
        "tk_breakdowns": {by: breakdowns.breakdown(tk, params, by, codes)
                          for by in ("segment", "occupation", "sex", "age_group",
                                     "district_code")},
        "jkn_breakdowns": {"segment": breakdowns.breakdown(jkn, params, "segment", codes)},
        "programme_people": _programme_people(tk, params, codes),
        "tk_budget": indicators.jamsostek_budget(tk, params, codes),
        "trend_tk": series.coverage_trend(tk, params, codes),
        "trend_jkn": series.coverage_trend(jkn, params, codes),
        "cross_scheme": breakdowns.cross_scheme(tk, jkn, params, codes),
        "scorecard": _scorecard_or_none(tk, params, codes),
        "intake": {name: _intake_summary(res) for name, res in
                   (("jamsostek", registries.tk), ("jkn", registries.jkn))},
    }


def _scorecard_or_none(tk, params, codes):
    try:
        return scorecard.scorecard(tk, params, codes)
    except ParameterError as error:  # no assessed Paritrana scores for that year
        return {"unavailable": str(error)}


def _programme_people(tk, params, codes: list[str]) -> pd.DataFrame:
    """Active people per region, occupation and funding source (any payer)."""
    t = restrict(tk, codes)
    active = is_active(t, params.reference_date, params.grace_months)
    result = t.group_by(["region_code", "occupation", "funding_source"]).aggregate(
        active=t.person_id.nunique(where=active)).to_pandas()
    result = result[result["active"] > 0]
    return result.sort_values(["region_code", "occupation", "funding_source"]).reset_index(
        drop=True)


def _intake_summary(result) -> dict:
    """Counts of one intake by reason and column (the ledger's rows are not published)."""
    summary = result.summary
    ledger = result.ledger
    by_reason = (ledger.groupby(["reason", "column"], dropna=False).size()
                 .rename("rows").reset_index() if len(ledger) else
                 pd.DataFrame(columns=["reason", "column", "rows"]))
    by_reason["column"] = by_reason["column"].astype(object).where(by_reason["column"].notna(),
                                                                   "")
    return {"file": Path(summary.path).name, "sha256": summary.file_sha256,
            "rows_read": summary.rows_read, "rows_accepted": summary.rows_accepted,
            "rows_rejected": summary.rows_rejected,
            "duplicates_collapsed": summary.duplicates_collapsed,
            "prefix_mismatches": summary.prefix_mismatches,
            "rejected_by_reason": dict(summary.rejected_by_reason),
            "by_reason_column": by_reason.astype({"rows": "int64"}),
            # what the registry's columns cannot tell (helpers.data.intake_notes)
            "registry": summary.registry,
            "column_map": {name: header for name, header in summary.column_map.items()
                           if name == "status"},
            "ignored_columns": list(summary.ignored_columns),
            "ignored_positions": list(summary.ignored_positions),
            "missing_columns": list(summary.missing_columns),
            "active_basis": summary.active_basis, "snapshot": summary.snapshot,
            "extract_date": summary.extract_date,
            "extract_date_source": summary.extract_date_source,
            "invalid_values": dict(summary.invalid_values),
            "snapshots": [{"file": item["file"], "extract_date": item["extract_date"]}
                          for item in summary.snapshots]}


def _data_as_of(*tables) -> str | None:
    """The latest date in the registries (start, paid-through or a snapshot's extract date):
    how fresh the data are."""
    latest = []
    for table in tables:
        dates = {"a": table.start_date.max(), "b": table.paid_through.max()}
        if "extract_date" in table.columns:
            dates["c"] = table.extract_date.max()
        value = table.aggregate(**dates).to_pandas()
        latest += [v for v in value.iloc[0].tolist() if not pd.isna(v)]
    if not latest:
        return None
    return max(pd.Timestamp(v) for v in latest).date().isoformat()
