"""What the notebooks call: registries in, the report's frames and values out (aggregates only).

The notebooks narrate and present; every number they show comes from here, computed by
:mod:`helpers.measures.indicators` (one definition per indicator) and :mod:`helpers.measures.scorecard`, and
every published table passes through :func:`publishable` (the disclosure rule of
:mod:`helpers.measures.disclosure`).

Usage (a notebook's Load inputs and Compute cells)::

    registries = report_data.load_registries(data_dir)           # intake, cached
    report = report_data.regency_report(registries, "52.02", "2024")
    report["tables"]["tk_by_segment"].frame                      # publishable frame

Speed. All regions of a province are computed in one pass per query and kept as a
*province bundle* (aggregates only, no person-level rows) in ``data/cache/reports/``,
keyed by the registries' checksums, the parameters, and the code and reference tables
that produce it. The runner computes the bundle once in the parent process; the ten
regency notebooks and the overview then read it (milliseconds) instead of re-running the
same queries. A notebook run on its own computes the bundle itself, so "Run All" in
JupyterLab works without the runner. ``cache=False`` always recomputes.

Units: people are counts of distinct pseudonymised persons; money is whole Rupiah
(``_rp``); ``_share``, ``_coverage``, ``_rate`` are fractions 0-1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.data import reference
from helpers.errors import CakupanError, InputFileError, ParameterError, ReportError
from helpers.measures.definitions import BY_ID, INDICATOR_IDS
from helpers.paths import cache_dir, reference_dir, sample_dir

#: Bump to invalidate every cached province bundle (the code hash below also does).
BUNDLE_VERSION = "1"
#: Registry files a data folder must hold.
REGISTRY_FILES = {"jamsostek": "jamsostek.parquet", "jkn": "jkn.parquet"}
#: The trend starts here: the synthetic registries (and the issue) cover 2022 onwards.
TREND_START = dt.date(2022, 1, 31)
#: Columns that would identify a person; no published table may have one.
PERSON_LEVEL_COLUMNS = ("person_id", "nik", "full_name", "birth_date", "nik_region_code")
#: Occupations whose contributions regional programmes pay (the issue's three groups
#: first; village officials and election staff follow when a region funds them).
PROGRAMME_OCCUPATIONS = ("non_asn_staff", "tobacco_farmer", "fisher", "village_official",
                         "election_staff", "other")
#: Groups the budget scenario explorer can cover, and where their size comes from.
SCENARIO_GROUPS = ("informal", "fisher", "tobacco_farmer", "non_asn_staff")
TOTAL = "total"


# =========================================================================== parameters


def data_years() -> tuple[int, ...]:
    """Years the reference tables hold labour, budget and population figures for (2022..2025)."""
    years = set(reference.load_table("labour")["year"])
    years &= set(reference.load_table("budget")["year"])
    years &= set(reference.load_table("population")["year"])
    return tuple(sorted(int(y) for y in years))


def check_period(period: str) -> dt.date:
    """The reference date of ``period`` ('2024' → 2024-12-31), checked against the data.

    Raises:
        ParameterError: not a year or year-month, or outside the years of the data.
    """
    from helpers.measures.indicators import reference_date_of

    if isinstance(period, bool) or not isinstance(period, (str, int)):
        raise ParameterError(f"period {period!r} is not a year or a year-month",
                             fix="write it as 2024 or 2024-06")
    day = reference_date_of(str(period))
    years = data_years()
    if day.year not in years:
        raise ParameterError(
            f"period {period} is outside the data ({years[0]}–{years[-1]})",
            fix=f"choose a period from {years[0]} to {years[-1]}, e.g. {years[-2]}")
    return day


def check_region(region_code: str, *, kind: str = "kabupaten/kota") -> str:
    """A known kab/kota code (or province code with ``kind='provinsi'``), normalised.

    Raises:
        ParameterError: unknown or malformed code.
    """
    code = reference.normalise_region_code(region_code)
    table = reference.regions()
    if kind == "provinsi":
        known = table.loc[table["region_type"] == "provinsi", "region_code"]
    else:
        known = table.loc[table["region_type"] != "provinsi", "region_code"]
    if code not in set(known):
        raise ParameterError(f"unknown {kind} code '{region_code}'",
                             fix="use one of " + ", ".join(sorted(known)))
    return code


def province_of(region_code: str) -> str:
    """Province code of a kab/kota ('52.02' → '52')."""
    return check_region(region_code)[:2]


def make_parameters(period: str, *, grace_months: int = 1,
                    labour_denominator: str = "bpjs_potential",
                    population_vintage: str = reference.DEFAULT_POPULATION_VINTAGE):
    """:class:`helpers.measures.indicators.Parameters` for a period, every choice checked.

    Raises:
        ParameterError: a period outside the data, a negative grace, an unknown
            denominator or population vintage.
    """
    from helpers.measures.indicators import Parameters

    if isinstance(grace_months, bool) or not isinstance(grace_months, (int, np.integer)):
        raise ParameterError(f"grace_months {grace_months!r} is not a whole number of months",
                             fix="use 0 or more, e.g. 1")
    return Parameters(reference_date=check_period(period), grace_months=int(grace_months),
                      labour_denominator=labour_denominator,
                      population_vintage=population_vintage)


# =========================================================================== registries


@dataclass
class Registries:
    """The two intake results and where they came from.

    Attributes:
        tk: IntakeResult of BPJS Ketenagakerjaan (``.table``, ``.summary``, ``.ledger``).
        jkn: IntakeResult of JKN.
        tk_table, jkn_table: the Ibis tables on the chosen engine.
        data_dir: folder of the registry files.
        engine: 'duckdb' or 'spark'.
    """

    tk: object
    jkn: object
    tk_table: object
    jkn_table: object
    data_dir: Path
    engine: str = "duckdb"

    def fingerprint(self) -> dict:
        """File checksums and intake counts: what a cached bundle depends on."""
        return {name: {"sha256": result.summary.file_sha256,
                       "rows_accepted": result.summary.rows_accepted}
                for name, result in (("jamsostek", self.tk), ("jkn", self.jkn))}


def resolve_data_dir(data_dir: str | Path | None = None) -> Path:
    """The folder holding ``jamsostek.parquet`` and ``jkn.parquet``; empty = ``data/sample``.

    Raises:
        InputFileError: the folder or one of the files is missing.
    """
    folder = Path(data_dir) if data_dir not in (None, "") else sample_dir()
    for name in REGISTRY_FILES.values():
        if not (folder / name).is_file():
            raise InputFileError(
                f"registry file {name} not found", path=folder / name,
                fix="run `make data` (or `cakupan sample`) for the synthetic registries, or "
                    "set data_dir to the folder holding jamsostek.parquet and jkn.parquet")
    return folder


def load_registries(data_dir: str | Path | None = None, engine: str = "duckdb", *,
                    con=None, cache: bool = True) -> Registries:
    """Run the intake on both registries of ``data_dir`` (cached in data/cache).

    Args:
        data_dir: folder with jamsostek.parquet and jkn.parquet; None or '' = data/sample.
        engine: 'duckdb' (default) or 'spark' for the indicator queries; the intake
            itself always runs on DuckDB.
        con: an Ibis DuckDB backend to reuse; default a new one.
        cache: reuse the intake's pseudonymised result (data/cache).

    Returns:
        Registries with both intake results.

    Raises:
        InputFileError, SchemaError, ValidationError: from the intake.
        ParameterError: unknown engine.
    """
    import ibis

    from helpers.data import intake
    from helpers.measures import engines

    engines.validate_engine(engine)
    folder = resolve_data_dir(data_dir)
    con = con if con is not None else ibis.duckdb.connect()
    tk = intake.load_registry(folder / REGISTRY_FILES["jamsostek"], "jamsostek", con=con,
                              cache=cache)
    jkn = intake.load_registry(folder / REGISTRY_FILES["jkn"], "jkn", con=con, cache=cache)
    if engine == "duckdb":
        tk_table, jkn_table = tk.table, jkn.table
    else:
        backend = engines.connect(engine)
        tk_table, jkn_table = engines.registry_tables([tk, jkn], backend)
    return Registries(tk=tk, jkn=jkn, tk_table=tk_table, jkn_table=jkn_table,
                      data_dir=folder, engine=engine)


# =========================================================================== disclosure


def disclosure_rule():
    """The disclosure rule every published table follows (helpers.measures.disclosure)."""
    from helpers.measures import disclosure

    return disclosure.DEFAULT_RULE


def publishable(frame: pd.DataFrame, count_columns: Sequence[str] = (), *,
                category: str | None = None, share_columns: Mapping[str, object] | None = None,
                ) -> pd.DataFrame:
    """The one gate every published table passes: the disclosure rule, then a privacy check.

    Args:
        frame: an aggregate table as computed.
        count_columns: columns of people counts (hidden when 1-4, plus secondary cells).
        category: the column whose value ``'total'`` marks a published total row.
        share_columns: share column → count column(s) it is computed from.

    Returns:
        The display frame: counts as numbers or markers ('<5', 'x').

    Raises:
        ReportError: the frame has a person-level column (person_id, NIK, name, birth date).
    """
    from helpers.measures import disclosure

    leaked = [c for c in frame.columns if c in PERSON_LEVEL_COLUMNS]
    if leaked:
        raise ReportError(f"table has person-level column(s) {', '.join(leaked)}",
                          fix="publish aggregates only")
    if not count_columns or frame.empty:
        return frame.reset_index(drop=True)
    has_total = category is not None and (frame[category] == TOTAL).any()
    result = disclosure.apply(
        frame.reset_index(drop=True), count_columns=list(count_columns),
        category=category if has_total else None,
        total_label=TOTAL if has_total else None,
        share_columns=dict(share_columns) if share_columns else None)
    return result


def publishable_indicators(frame: pd.DataFrame) -> pd.DataFrame:
    """``indicators.csv`` rows with people counts from 1 to the threshold hidden.

    A ratio whose numerator is hidden is hidden too (``x``): numerator = ratio ×
    denominator would give it back.
    """
    rule = disclosure_rule()
    result = frame.copy().astype({"value": object, "numerator": object,
                                  "denominator": object})

    def small(value) -> bool:
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        return bool(not pd.isna(number) and 1 <= number <= rule.threshold)

    for index, row in frame.iterrows():
        if row["unit"] == "people" and small(row["value"]):
            result.at[index, "value"] = rule.primary_marker
        if small(row["numerator"]):
            result.at[index, "numerator"] = rule.primary_marker
            if row["unit"] == "fraction":
                result.at[index, "value"] = rule.hidden_marker
    return result


# =========================================================================== tables


@dataclass
class ReportTable:
    """A published table: its file stem, title, publishable frame and column units.

    Attributes:
        name: file stem (``tables/<name>.csv``) and sheet name.
        title_key: translation key of its title.
        frame: values as published (numbers; '<5' / 'x' where hidden); machine-readable
            column names (the CSV headings).
        units: column → unit for display (people, rupiah, fraction, ...).
        codes: column → label prefix for coded values (segment, occupation, ...).
        note_key: translation key of a note printed under the table, if any.
    """

    name: str
    title_key: str
    frame: pd.DataFrame
    units: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    note_key: str | None = None


def _table(name, title_key, frame, units, codes=None, count_columns=(), category=None,
           share_columns=None, note_key=None) -> ReportTable:
    shown = publishable(frame, count_columns, category=category, share_columns=share_columns)
    return ReportTable(name=name, title_key=title_key, frame=shown, units=dict(units),
                       codes=dict(codes or {}), note_key=note_key)


# =========================================================================== trend


def coverage_trend(table, params, region_codes: list[str] | None = None,
                   start: dt.date = TREND_START) -> pd.DataFrame:
    """Members and active people at every month's end from ``start`` to D, per region.

    Same result as :func:`helpers.measures.indicators.monthly_series` (a test checks it), computed
    without a spell × month cross join: a spell is a member at month end ``e_i`` exactly
    for the months ``i`` in ``[lo, hi)`` (``lo`` = the month of start_date, ``hi`` = the
    month of end_date; ``is_member``'s rule ``start ≤ e_i < end``), and active for
    ``i ≤ month(paid_through) + grace_months`` within that range (``is_active``'s rule).
    Each spell becomes a bit mask of its months; masks are OR-ed per person and region
    (a person counts once), then counted per bit. Runs in seconds on 6 million spells.

    Returns:
        region_code, month_end (date), members, active (people).
    """
    import ibis

    from helpers.measures.indicators import _month_ends_between, _restrict

    ends = _month_ends_between(start, params.reference_date)
    if not ends:
        return pd.DataFrame(columns=["region_code", "month_end", "members", "active"])
    if table.get_backend().name != "duckdb":
        # PySpark has no bitwise-OR aggregate: take the plain spell × month cross join.
        from helpers.measures.indicators import monthly_series

        result = monthly_series(table, params, region_codes, start=ends[0])
    else:
        frames = []
        for offset in range(0, len(ends), 60):  # 60 months per int64 mask
            chunk = ends[offset:offset + 60]
            frames.append(_trend_chunk(_restrict(table, region_codes), chunk,
                                       params.grace_months, ibis))
        result = pd.concat(frames, ignore_index=True)
    result["month_end"] = pd.to_datetime(result["month_end"]).dt.date
    if region_codes is not None:
        full = pd.MultiIndex.from_product([region_codes, sorted(set(result["month_end"]) |
                                                                set(ends))],
                                          names=["region_code", "month_end"])
        result = (result.set_index(["region_code", "month_end"]).reindex(full, fill_value=0)
                  .reset_index())
    result[["members", "active"]] = result[["members", "active"]].astype("int64")
    return result.sort_values(["region_code", "month_end"]).reset_index(drop=True)


def _trend_chunk(t, ends: list[dt.date], grace_months: int, ibis) -> pd.DataFrame:
    count = len(ends)
    first = ends[0].year * 12 + ends[0].month - 1

    def month(value):
        return value.year() * 12 + value.month() - 1 - first

    def clamp(value):
        return ibis.greatest(ibis.least(value, count), 0)

    def bits(low, high):
        # (1 << high) - (1 << low) has bits low..high-1 set; empty when high <= low.
        one = ibis.literal(1, "int64")
        return ibis.ifelse(high > low, (one << high.cast("int64"))
                           - (one << low.cast("int64")), ibis.literal(0, "int64"))

    low = clamp(month(t.start_date))
    high = ibis.ifelse(t.end_date.isnull(), count, clamp(month(t.end_date)))
    paid_high = ibis.ifelse(t.paid_through.isnull(), 0,
                            clamp(month(t.paid_through) + grace_months + 1))
    masks = t.select(region_code=t.region_code, person_id=t.person_id,
                     member=bits(low, high), active=bits(low, ibis.least(high, paid_high)))
    person = masks.group_by(["region_code", "person_id"]).aggregate(
        member=masks.member.bit_or(), active=masks.active.bit_or())
    aggregates = {}
    for index in range(count):
        aggregates[f"m{index}"] = ((person.member >> index) & 1).sum()
        aggregates[f"a{index}"] = ((person.active >> index) & 1).sum()
    wide = person.group_by("region_code").aggregate(**aggregates).to_pandas()
    rows = []
    for record in wide.itertuples(index=False):
        values = record._asdict()
        for index, end in enumerate(ends):
            rows.append({"region_code": values["region_code"], "month_end": end,
                         "members": int(values[f"m{index}"] or 0),
                         "active": int(values[f"a{index}"] or 0)})
    return pd.DataFrame(rows, columns=["region_code", "month_end", "members", "active"])


# =========================================================================== the bundle


def _code_fingerprint() -> str:
    """Hash of the modules and reference tables a bundle is computed from."""
    digest = hashlib.sha256(BUNDLE_VERSION.encode())
    from helpers.data import schema
    from helpers.measures import definitions, indicators, scorecard
    from helpers.report import bundle_cache

    for module in (indicators, scorecard, definitions, reference, schema, bundle_cache):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    for path in sorted(reference_dir().glob("*.csv")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _params_dict(params) -> dict:
    return {"reference_date": params.reference_date.isoformat(),
            "grace_months": params.grace_months,
            "labour_denominator": params.labour_denominator,
            "population_vintage": params.population_vintage}


def bundle_key(registries: Registries, province_code: str, params) -> str:
    """Cache key of a province bundle: inputs, parameters, code and reference tables."""
    text = json.dumps({"registries": registries.fingerprint(), "province": province_code,
                       "params": _params_dict(params), "engine": registries.engine,
                       "code": _code_fingerprint()}, sort_keys=True)
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
    from helpers.report import bundle_cache

    key = bundle_key(registries, province_code, params)
    return bundle_cache.load_or_compute(
        cache_dir() / "reports", f"{province_code}-{key}", _code_fingerprint(),
        lambda: _compute_bundle(registries, province_code, params))


def _compute_bundle(registries: Registries, province_code: str, params) -> dict:
    started = time.perf_counter()
    codes = reference.kabkota_codes(province_code)
    # About 15 queries scan the registries: hold them in the engine's memory once (DuckDB
    # decodes the Parquet files a single time; ~3x faster on the full NTB sample).
    with registries.tk_table.cache() as tk, registries.jkn_table.cache() as jkn:
        result = _bundle_frames(tk, jkn, registries, codes, params)
        as_of = _data_as_of(tk, jkn)
    result["meta"] = {
        "province_code": province_code, "region_codes": codes,
        "params": _params_dict(params), "engine": registries.engine,
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
    from helpers.measures import indicators, scorecard

    return {
        "indicators": indicators.compute_indicators(tk, jkn, params, codes),
        "tk_breakdowns": {by: indicators.breakdown(tk, params, by, codes)
                          for by in ("segment", "occupation", "sex", "age_group",
                                     "district_code")},
        "jkn_breakdowns": {"segment": indicators.breakdown(jkn, params, "segment", codes)},
        "programme_people": _programme_people(tk, params, codes),
        "tk_budget": indicators.jamsostek_budget(tk, params, codes),
        "trend_tk": coverage_trend(tk, params, codes),
        "trend_jkn": coverage_trend(jkn, params, codes),
        "cross_scheme": indicators.cross_scheme(tk, jkn, params, codes),
        "scorecard": _scorecard_or_none(scorecard, tk, params, codes),
        "intake": {name: _intake_summary(res) for name, res in
                   (("jamsostek", registries.tk), ("jkn", registries.jkn))},
    }


def _scorecard_or_none(scorecard_module, tk, params, codes):
    try:
        return scorecard_module.scorecard(tk, params, codes)
    except ParameterError as error:  # no assessed Paritrana scores for that year
        return {"unavailable": str(error)}


def _programme_people(tk, params, codes: list[str]) -> pd.DataFrame:
    """Active people per region, occupation and funding source (any payer)."""
    from helpers.measures.indicators import _restrict, is_active

    t = _restrict(tk, codes)
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
            "by_reason_column": by_reason.astype({"rows": "int64"})}


def _data_as_of(*tables) -> str | None:
    """The latest date in the registries (start or paid-through): how fresh the data are."""
    latest = []
    for table in tables:
        value = table.aggregate(a=table.start_date.max(), b=table.paid_through.max()).to_pandas()
        latest += [v for v in value.iloc[0].tolist() if not pd.isna(v)]
    if not latest:
        return None
    return max(pd.Timestamp(v) for v in latest).date().isoformat()


# =========================================================================== regency


def regency_report(registries: Registries, region_code: str, period: str, *,
                   grace_months: int = 1, labour_denominator: str = "bpjs_potential",
                   population_vintage: str = reference.DEFAULT_POPULATION_VINTAGE,
                   cache: bool = True) -> dict:
    """Everything the regency report shows, for one kab/kota and period.

    Args:
        registries: from :func:`load_registries`.
        region_code: kab/kota code, e.g. '52.02'.
        period: '2024' (→ 2024-12-31) or '2024-06' (→ 2024-06-30).
        grace_months, labour_denominator, population_vintage: see
            :class:`helpers.measures.indicators.Parameters`.
        cache: reuse the province bundle (see the module docstring).

    Returns:
        dict: ``region_code``, ``region_name``, ``province_code``, ``period``,
        ``reference_date``, ``parameters``, ``meta``, ``indicators`` (the indicators.csv
        frame, publishable), ``values`` (indicator id → raw value), ``headline``,
        ``tables`` (name → :class:`ReportTable`), ``trend`` and ``checks`` inputs.

    Raises:
        ParameterError: unknown region, period outside the data, bad choices.
    """
    region_code = check_region(region_code)
    params = make_parameters(period, grace_months=grace_months,
                             labour_denominator=labour_denominator,
                             population_vintage=population_vintage)
    bundle = province_bundle(registries, region_code[:2], params, cache=cache)
    return build_regency(bundle, region_code, str(period), params)


def build_regency(bundle: dict, region_code: str, period: str, params) -> dict:
    """The regency report from a province bundle (no engine work)."""
    from helpers.measures import indicators

    year = params.reference_date.year
    ind = bundle["indicators"]
    ind_region = indicators.indicator_table(ind, region_code)
    values = dict(zip(ind_region["indicator_id"], ind_region["value"]))
    numerators = dict(zip(ind_region["indicator_id"], ind_region["numerator"]))
    denominators = dict(zip(ind_region["indicator_id"], ind_region["denominator"]))
    tables: dict[str, ReportTable] = {}

    tables["indicators"] = ReportTable(
        "indicators", "table.indicators",
        publishable_indicators(ind_region[["indicator_id", "value", "numerator",
                                           "denominator", "unit", "flag"]]),
        units={"value": "row", "numerator": "row_count", "denominator": "row_count"},
        codes={"indicator_id": "indicator", "flag": "flag"})

    # --- jamsostek breakdowns ---------------------------------------------------------
    totals = {"members": values["tk_members"], "active": values["tk_active"]}
    for by in ("segment", "occupation", "sex", "age_group", "district_code"):
        frame = bundle["tk_breakdowns"][by]
        frame = frame[frame["region_code"] == region_code].drop(columns="region_code")
        if by in ("segment", "occupation"):
            frame = frame.sort_values(["active", by], ascending=[False, True])
        frame = _with_total(frame, by, totals)
        units = {"members": "people", "active": "people", "active_share": "fraction"}
        codes = {by: _code_prefix(by)}
        if by == "district_code":
            names = reference.districts(region_code).set_index("district_code")["district_name"]
            frame.insert(1, "district_name", frame["district_code"].map(names).fillna(""))
            codes = {}
        tables[f"tk_by_{by}"] = _table(
            f"tk_by_{by.removesuffix('_code')}", f"table.tk_by_{by}", frame, units, codes,
            count_columns=("members", "active"), category=by,
            share_columns={"active_share": ("active",)}, note_key=_overlap_note(frame, by))

    # --- trend -------------------------------------------------------------------------
    trend = _trend_frame(bundle, region_code, params)
    tables["trend"] = _table("trend", "table.trend", trend,
                             {"tk_members": "people", "tk_active": "people",
                              "tk_coverage": "fraction", "jkn_members": "people",
                              "jkn_active": "people", "jkn_coverage": "fraction",
                              "month_end": "date"},
                             count_columns=("tk_members", "tk_active", "jkn_members",
                                            "jkn_active"),
                             share_columns={"tk_coverage": ("tk_active",),
                                            "jkn_coverage": ("jkn_members",)})

    # --- regional programmes -------------------------------------------------------------
    programmes = _programmes(bundle, region_code, year)
    tables["programmes"] = _table(
        "programmes", "table.programmes", programmes,
        {"active": "people", "target_count": "people", "target_share": "fraction",
         "person_months": "count", "cost_rp": "rupiah", "cost_per_person_month_rp": "rupiah"},
        {"occupation": "occupation", "funding_source": "funding"},
        count_columns=("active",), share_columns={"target_share": ("active",)},
        note_key="note.programmes")

    # --- JKN and UHC -------------------------------------------------------------------
    jkn_segment = bundle["jkn_breakdowns"]["segment"]
    jkn_segment = jkn_segment[jkn_segment["region_code"] == region_code].drop(
        columns="region_code").sort_values(["members", "segment"], ascending=[False, True])
    jkn_segment = _with_total(jkn_segment, "segment",
                              {"members": values["jkn_members"], "active": values["jkn_active"]})
    jkn_segment["active_rate"] = _safe_divide(jkn_segment["active"], jkn_segment["members"])
    tables["jkn_by_segment"] = _table(
        "jkn_by_segment", "table.jkn_by_segment", jkn_segment,
        {"members": "people", "active": "people", "active_share": "fraction",
         "active_rate": "fraction"}, {"segment": "jkn_segment"},
        count_columns=("members", "active"), category="segment",
        share_columns={"active_share": ("active",), "active_rate": ("active", "members")},
        note_key=_overlap_note(jkn_segment, "segment"))
    population = int(denominators["jkn_coverage"])
    jkn_counts = pd.Series({"jkn_members": values["jkn_members"],
                            "jkn_active": values["jkn_active"],
                            "jkn_pemda_members": numerators["jkn_pemda_share"]})
    distance = indicators.uhc_distance(jkn_counts, population, reference.thresholds(year),
                                       reference.jkn_pemda_monthly_rp(params.reference_date))
    tables["uhc_distance"] = _table(
        "uhc_distance", "table.uhc_distance", distance,
        {"people_to_enrol": "people", "people_to_register_by_pemda": "people",
         "people_to_reactivate": "people", "annual_cost_rp": "rupiah"},
        {"category": "uhc", "met": "yesno"}, note_key="note.uhc_distance")
    vintages = coverage_by_vintage(jkn_counts, region_code, params)
    tables["population_vintages"] = _table(
        "population_vintages", "table.population_vintages", vintages,
        {"population": "people", "jkn_members": "people", "jkn_coverage": "fraction"},
        {"vintage": "vintage", "uhc_category": "uhc", "default": "yesno"},
        note_key="note.population_vintages")
    cross = bundle["cross_scheme"].set_index("region_code").loc[region_code]
    cross_frame = pd.DataFrame({
        "group": ["both", "jkn_only", "jamsostek_only", "neither", TOTAL],
        "people": [int(cross["both"]), int(cross["jkn_only"]), int(cross["jamsostek_only"]),
                   int(cross["neither"]), int(cross["working_age_population"])]})
    cross_frame["share"] = _safe_divide(cross_frame["people"],
                                        int(cross["working_age_population"]))
    # Registry counts get the disclosure rule; 'neither' and the total come from the
    # population reference ('neither' is negative when the registries hold more people
    # than the population figure: shown as is, never clipped).
    counted = publishable(cross_frame.iloc[:3], ("people",),
                          share_columns={"share": ("people",)})
    tables["cross_scheme"] = ReportTable(
        "cross_scheme", "table.cross_scheme",
        pd.concat([counted.astype(object), cross_frame.iloc[3:].astype(object)],
                  ignore_index=True),
        units={"people": "people", "share": "fraction"}, codes={"group": "overlap"},
        note_key="note.cross_scheme")

    # --- budget ------------------------------------------------------------------------
    budget_frame, gap_frame = _budget_frames(values, numerators, denominators, region_code,
                                             year)
    tables["budget"] = ReportTable("budget", "table.budget", publishable(budget_frame),
                                   units={"value": "row"}, codes={"item": "budget"},
                                   note_key="note.budget")
    tables["gaps"] = ReportTable("gaps", "table.gaps", publishable(gap_frame),
                                 units={"value": "row"}, codes={"item": "gap"})

    # --- data quality --------------------------------------------------------------------
    tables.update(_quality_tables(bundle))
    flags = ind_region[ind_region["flag"].fillna("") != ""][["indicator_id", "flag"]]

    meta = dict(bundle["meta"])
    return {
        "kind": "regency",
        "region_code": region_code,
        "region_name": reference.region_name(region_code),
        "province_code": region_code[:2],
        "province_name": reference.region_name(region_code[:2]),
        "period": period,
        "reference_date": params.reference_date,
        "parameters": {"region_code": region_code, "period": period,
                       **_params_dict(params)},
        "meta": meta,
        "indicators": tables["indicators"].frame.assign(
            reference_date=params.reference_date.isoformat(),
            definition=ind_region["definition"].to_numpy())[
            ["indicator_id", "value", "numerator", "denominator", "unit", "reference_date",
             "definition", "flag"]],
        "values": values,
        "numerators": numerators,
        "denominators": denominators,
        "flags": flags.reset_index(drop=True),
        "headline": _headline(values, programmes),
        "tables": tables,
        "trend_raw": trend,
        "bundle_breakdowns": {by: bundle["tk_breakdowns"][by] for by in bundle["tk_breakdowns"]},
        "programmes_raw": programmes,
        "uhc_distance_raw": distance,
        "budget_reference": _budget_reference(region_code, year),
        "target_groups": _target_groups(region_code, year),
        "programme_people_raw": bundle["programme_people"][
            bundle["programme_people"]["region_code"] == region_code],
    }


def _code_prefix(by: str) -> str:
    return {"segment": "segment", "occupation": "occupation", "sex": "sex",
            "age_group": "age_group", "funding_source": "funding"}.get(by, by)


def _with_total(frame: pd.DataFrame, by: str, totals: Mapping[str, int]) -> pd.DataFrame:
    """A breakdown with its total row (the indicators' distinct counts), shares recomputed.

    The total is the region's distinct people, so rows can add up to more than it when a
    person is in two groups (the table then gets :func:`_overlap_note`; the disclosure
    step's attacker check works with that inequality).
    """
    frame = frame.copy()
    frame[by] = frame[by].astype(object)
    total = {by: TOTAL, **{k: int(v) for k, v in totals.items()}}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    frame["active_share"] = _safe_divide(frame["active"], int(totals["active"]))
    for column in ("members", "active"):
        frame[column] = frame[column].astype("int64")
    return frame.reset_index(drop=True)


def _overlap_note(frame: pd.DataFrame, by: str) -> str | None:
    """``'note.overlap_rows'`` when a breakdown's rows do not add up to its total row.

    That is legitimate (a person with a PU and a BPU spell is in both rows; the total
    counts each person once), and the reader is told so under the table.
    """
    rows = frame[frame[by] != TOTAL]
    total = frame[frame[by] == TOTAL]
    for column in ("members", "active"):
        if int(rows[column].sum()) != int(total[column].sum()):
            return "note.overlap_rows"
    return None


def _safe_divide(numerator, denominator):
    numerator = pd.Series(numerator, dtype="float64")
    if np.isscalar(denominator):
        return numerator / denominator if denominator else pd.Series(np.nan, index=numerator.index)
    denominator = pd.Series(denominator, dtype="float64", index=numerator.index)
    return numerator / denominator.where(denominator != 0)


def _trend_frame(bundle: dict, region_code: str, params) -> pd.DataFrame:
    """Monthly members and active people of both schemes, with coverage ratios.

    Coverage at a month end divides by the denominator of that month's year (labour
    figures for jamsostek, the chosen population vintage for JKN).
    """
    tk = bundle["trend_tk"]
    jkn = bundle["trend_jkn"]
    tk = tk[tk["region_code"] == region_code].set_index("month_end")
    jkn = jkn[jkn["region_code"] == region_code].set_index("month_end")
    frame = pd.DataFrame({"tk_members": tk["members"], "tk_active": tk["active"],
                          "jkn_members": jkn["members"], "jkn_active": jkn["active"]})
    frame.index.name = "month_end"
    frame = frame.reset_index()
    workers, population = {}, {}
    for year in sorted({d.year for d in frame["month_end"]}):
        try:
            labour = reference.labour_denominator(region_code, year, params.labour_denominator)
            workers[year] = int(labour.iloc[0])
        except CakupanError:  # a year without labour figures: coverage left empty
            workers[year] = np.nan
        try:
            population[year] = int(reference.population_total(
                region_code, year, params.population_vintage).iloc[0])
        except CakupanError:
            population[year] = np.nan
    years = frame["month_end"].map(lambda d: d.year)
    frame["tk_coverage"] = frame["tk_active"] / years.map(workers)
    frame["jkn_coverage"] = frame["jkn_members"] / years.map(population)
    return frame[["month_end", "tk_members", "tk_active", "tk_coverage", "jkn_members",
                  "jkn_active", "jkn_coverage"]]


def _target_groups(region_code: str, year: int) -> pd.Series:
    try:
        table = reference.target_groups(year)
    except CakupanError:  # no target groups for that year: the share is left empty
        return pd.Series(dtype="int64")
    table = table[table["region_code"] == region_code]
    return table.set_index("target_group")["target_count"].astype("int64")


def _budget_reference(region_code: str, year: int) -> dict:
    table = reference.budget(year).set_index("region_code")
    if region_code not in table.index:
        return {}
    row = table.loc[region_code]
    return {"apbd_total_rp": int(row["apbd_total_rp"]),
            "dbhcht_received_rp": int(row["dbhcht_received_rp"]),
            "dbhcht_welfare_rp": int(row["dbhcht_welfare_rp"]),
            "status": str(row["status"])}


def _programmes(bundle: dict, region_code: str, year: int) -> pd.DataFrame:
    """Regional programmes: Pemda-funded active people, target group, person-months, cost."""
    from helpers.data.schema import PEMDA_FUNDING_SOURCES

    people = bundle["programme_people"]
    people = people[(people["region_code"] == region_code)
                    & people["funding_source"].isin(PEMDA_FUNDING_SOURCES)]
    budget = bundle["tk_budget"]
    budget = budget[budget["region_code"] == region_code]
    frame = people.merge(budget, on=["region_code", "occupation", "funding_source"],
                         how="outer").fillna({"active": 0, "person_months": 0, "cost_rp": 0})
    targets = _target_groups(region_code, year)
    frame["target_count"] = frame["occupation"].map(targets)
    # Coverage of the target group counts everyone active in it, whoever pays.
    all_people = bundle["programme_people"]
    all_people = all_people[all_people["region_code"] == region_code].groupby("occupation")[
        "active"].sum()
    frame["target_share"] = frame["occupation"].map(all_people) / frame["target_count"]
    frame["cost_per_person_month_rp"] = _safe_divide(frame["cost_rp"],
                                                     frame["person_months"]).round()
    order = {name: index for index, name in enumerate(PROGRAMME_OCCUPATIONS)}
    frame = frame.assign(_order=frame["occupation"].map(order).fillna(99)).sort_values(
        ["_order", "funding_source"]).drop(columns=["_order", "region_code"])
    for column in ("active", "person_months", "cost_rp"):
        frame[column] = frame[column].astype("int64")
    return frame[["occupation", "funding_source", "active", "target_count", "target_share",
                  "person_months", "cost_rp", "cost_per_person_month_rp"]].reset_index(drop=True)


def coverage_by_vintage(jkn_counts: pd.Series, region_code: str, params) -> pd.DataFrame:
    """JKN coverage and UHC category under every population vintage (from the counts).

    Same rows as :func:`helpers.measures.indicators.coverage_by_vintage` for one region, without
    counting the registry again.
    """
    from helpers.measures.indicators import _ratio, uhc_category

    year = params.reference_date.year
    thresholds = reference.thresholds(year)
    rows = []
    for vintage in reference.population_vintages():
        try:
            pop = int(reference.population_total(region_code, year, vintage).iloc[0])
        except CakupanError:  # vintage without that year
            continue
        members = int(jkn_counts["jkn_members"])
        coverage = _ratio(members, pop)
        rows.append({
            "vintage": vintage, "population": pop, "jkn_members": members,
            "jkn_coverage": coverage,
            "uhc_category": uhc_category(coverage, _ratio(jkn_counts["jkn_active"], members),
                                         _ratio(jkn_counts["jkn_pemda_members"], pop),
                                         thresholds),
            "default": vintage == params.population_vintage,
        })
    return pd.DataFrame(rows)


def _budget_frames(values, numerators, denominators, region_code, year):
    reference_budget = _budget_reference(region_code, year)
    spend = (values["budget_tk_apbd_rp"] + values["budget_tk_dbhcht_rp"]
             + values["budget_jkn_pemda_rp"])
    rows = [
        ("apbd_total_rp", reference_budget.get("apbd_total_rp", np.nan), "rupiah"),
        ("dbhcht_received_rp", reference_budget.get("dbhcht_received_rp", np.nan), "rupiah"),
        ("dbhcht_welfare_rp", reference_budget.get("dbhcht_welfare_rp", np.nan), "rupiah"),
        ("budget_tk_apbd_rp", values["budget_tk_apbd_rp"], "rupiah"),
        ("budget_tk_dbhcht_rp", values["budget_tk_dbhcht_rp"], "rupiah"),
        ("budget_jkn_pemda_rp", values["budget_jkn_pemda_rp"], "rupiah"),
        ("social_security_spending_rp", spend, "rupiah"),
        ("budget_share_apbd", values["budget_share_apbd"], "fraction"),
        ("dbhcht_social_security_share", values["dbhcht_social_security_share"], "fraction"),
    ]
    budget = pd.DataFrame(rows, columns=["item", "value", "unit"])
    gaps = pd.DataFrame([
        ("gap_informal_workers", values["gap_informal_workers"], "people"),
        ("gap_cost_informal_rp", values["gap_cost_informal_rp"], "rupiah"),
        ("gap_cost_informal_share_apbd",
         _ratio_or_nan(values["gap_cost_informal_rp"], reference_budget.get("apbd_total_rp")),
         "fraction"),
        ("uhc_gap_people", values["uhc_gap_people"], "people"),
        ("uhc_gap_cost_rp", values["uhc_gap_cost_rp"], "rupiah"),
        ("uhc_gap_cost_share_apbd",
         _ratio_or_nan(values["uhc_gap_cost_rp"], reference_budget.get("apbd_total_rp")),
         "fraction"),
    ], columns=["item", "value", "unit"])
    return budget, gaps


def _ratio_or_nan(numerator, denominator) -> float:
    if denominator is None or pd.isna(denominator) or denominator == 0:
        return float("nan")
    return float(numerator) / float(denominator)


def _quality_tables(bundle: dict) -> dict[str, ReportTable]:
    """The intake's counts and rejection reasons, as published in every report."""
    quality, rejections = _quality_frames(bundle)
    return {
        "data_quality": _table(
            "data_quality", "table.data_quality", quality,
            {c: "count" for c in quality.columns if c != "registry"}, {"registry": "registry"},
            note_key="note.data_quality"),
        "rejections": _table("rejections", "table.rejections", rejections, {"rows": "count"},
                             {"registry": "registry", "reason": "reason"},
                             count_columns=("rows",)),
    }


def _quality_frames(bundle: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, reasons = [], []
    for name, summary in bundle["intake"].items():
        rows.append({"registry": name, "rows_read": summary["rows_read"],
                     "rows_accepted": summary["rows_accepted"],
                     "rows_rejected": summary["rows_rejected"],
                     "duplicates_collapsed": summary["duplicates_collapsed"],
                     "prefix_mismatches": summary["prefix_mismatches"]})
        detail = summary["by_reason_column"]
        for record in detail.itertuples(index=False):
            reasons.append({"registry": name, "reason": record.reason,
                            "column": record.column, "rows": int(record.rows)})
    rejections = pd.DataFrame(reasons, columns=["registry", "reason", "column", "rows"])
    return pd.DataFrame(rows), rejections


def _headline(values: dict, programmes: pd.DataFrame) -> dict:
    """The numbers of the headline box (raw values; the notebook formats them)."""
    def programme(occupation: str) -> dict:
        rows = programmes[programmes["occupation"] == occupation]
        sources = [s for s, n in zip(rows["funding_source"], rows["active"]) if n > 0]
        return {"people": int(rows["active"].sum()), "funding_sources": sources,
                "annual_cost_rp": int(rows["cost_rp"].sum())}

    return {
        "tk_active": values["tk_active"], "tk_coverage": values["tk_coverage"],
        "tk_coverage_informal": values["tk_coverage_informal"],
        "non_asn_staff": programme("non_asn_staff"),
        "tobacco_farmer": programme("tobacco_farmer"),
        "fisher": programme("fisher"),
        "jkn_coverage": values["jkn_coverage"], "jkn_active_rate": values["jkn_active_rate"],
        "uhc_category": values["uhc_category"],
        "budget_share_apbd": values["budget_share_apbd"],
        "dbhcht_social_security_share": values["dbhcht_social_security_share"],
        "uhc_gap_people": values["uhc_gap_people"],
    }


# =========================================================================== checks


@dataclass(frozen=True)
class Check:
    """One consistency check of a report: name, whether it passed, what was compared."""

    name: str
    passed: bool
    detail: str = ""


def check_regency(report: dict) -> list[Check]:
    """Consistency checks of a regency report; raise when any fails (never hide a problem).

    Returns:
        The checks, all passed.

    Raises:
        ReportError: listing every failed check.
    """
    values = report["values"]
    checks = [Check("indicators_complete",
                    set(report["indicators"]["indicator_id"]) == set(INDICATOR_IDS),
                    f"{len(report['indicators'])} of {len(INDICATOR_IDS)}")]
    trend = report["trend_raw"]
    last = trend[trend["month_end"] == max(trend["month_end"])].iloc[0] if len(trend) else None
    if last is not None and last["month_end"] == report["reference_date"]:
        same = (int(last["tk_members"]) == values["tk_members"]
                and int(last["tk_active"]) == values["tk_active"]
                and int(last["jkn_members"]) == values["jkn_members"]
                and int(last["jkn_active"]) == values["jkn_active"])
        checks.append(Check("trend_ends_at_indicators", same,
                            "members and active at D equal the indicators"))
    ratios_ok = all(
        pd.isna(values[i]) or 0 <= values[i] <= 1 or
        "above_one" in set(report["flags"].loc[report["flags"]["indicator_id"] == i, "flag"])
        for i in INDICATOR_IDS if BY_ID[i].unit == "fraction")
    checks.append(Check("ratios_within_0_1_or_flagged", ratios_ok))
    segment = report["bundle_breakdowns"]["segment"]
    segment = segment[segment["region_code"] == report["region_code"]]
    checks.append(Check("segments_cover_members",
                        int(segment["members"].sum()) >= values["tk_members"]
                        and int(segment["active"].sum()) >= values["tk_active"],
                        "every member is in a segment"))
    programmes = report["programmes_raw"]
    expected = {"non_asn_staff": "tk_nonasn_active", "tobacco_farmer": "tk_tobacco_farmers_active",
                "fisher": "tk_fishers_active"}
    funded = programmes.groupby("occupation")["active"].sum()
    checks.append(Check("programmes_match_indicators",
                        all(int(funded.get(o, 0)) == int(values[i])
                            for o, i in expected.items()),
                        "Pemda-funded people per group equal the indicators"))
    cost = programmes.groupby("funding_source")["cost_rp"].sum()
    checks.append(Check("programme_costs_match_budget",
                        int(cost.get("apbd", 0)) == values["budget_tk_apbd_rp"]
                        and int(cost.get("dbhcht", 0)) == values["budget_tk_dbhcht_rp"],
                        "APBD and DBHCHT costs equal the budget indicators"))
    districts = report["bundle_breakdowns"]["district_code"]
    districts = districts[districts["region_code"] == report["region_code"]]
    checks.append(Check("districts_in_region",
                        bool(districts["district_code"].dropna().str.startswith(
                            report["region_code"] + ".").all())))
    quality = report["tables"]["data_quality"].frame
    checks.append(Check("intake_rows_add_up", bool(
        (pd.to_numeric(quality["rows_read"]) == pd.to_numeric(quality["rows_accepted"])
         + pd.to_numeric(quality["rows_rejected"])).all()), "read = accepted + rejected"))
    checks.append(Check("no_person_level_columns", all(
        not set(t.frame.columns) & set(PERSON_LEVEL_COLUMNS) for t in report["tables"].values())))
    return _raise_on_failure(checks, report["region_code"])


def _raise_on_failure(checks: list[Check], where: str) -> list[Check]:
    failed = [c for c in checks if not c.passed]
    if failed:
        raise ReportError(f"{where}: check(s) failed: " + "; ".join(
            f"{c.name} ({c.detail})" if c.detail else c.name for c in failed),
            fix="the inputs or the computation are inconsistent; see the Check cell")
    return checks


def headline_line(report: dict, checks: list[Check]) -> str:
    """One stable line for the notebook's checked headline cell (nbval).

    It names the report and the checks, not the figures, so it holds on any data set.
    """
    name = report.get("region_name") or report.get("province_name")
    code = report.get("region_code") or report.get("province_code")
    passed = sum(c.passed for c in checks)
    return (f"{name} ({code}), {report['reference_date'].isoformat()}: "
            f"{passed} of {len(checks)} checks passed")


# =========================================================================== province


def province_overview(registries: Registries, province_code: str, period: str, *,
                      grace_months: int = 1, labour_denominator: str = "bpjs_potential",
                      population_vintage: str = reference.DEFAULT_POPULATION_VINTAGE,
                      cache: bool = True) -> dict:
    """Every kab/kota of a province side by side: ranking, scorecard, province totals.

    Returns:
        dict like :func:`regency_report` with ``tables``: regions, ranking, scorecard,
        totals, budget, data_quality, rejections; ``values`` of the province totals.

    Raises:
        ParameterError: unknown province, period outside the data, bad choices.
    """
    province_code = check_region(province_code, kind="provinsi")
    params = make_parameters(period, grace_months=grace_months,
                             labour_denominator=labour_denominator,
                             population_vintage=population_vintage)
    bundle = province_bundle(registries, province_code, params, cache=cache)
    return build_province(bundle, province_code, str(period), params)


#: Indicators shown side by side in the province overview, in order.
OVERVIEW_INDICATORS = ("tk_active", "tk_coverage", "tk_coverage_informal",
                       "tk_pemda_funded_active", "jkn_coverage", "jkn_active_rate",
                       "uhc_category", "budget_share_apbd")


def build_province(bundle: dict, province_code: str, period: str, params) -> dict:
    """The province overview from a province bundle (no engine work)."""
    ind = bundle["indicators"]
    codes = bundle["meta"]["region_codes"]
    wide = ind.pivot(index="region_code", columns="indicator_id", values="value").reindex(codes)
    regions = wide[list(OVERVIEW_INDICATORS)].reset_index()
    regions.insert(1, "region_name", [reference.region_name(c) for c in codes])
    units = {i: BY_ID[i].unit for i in OVERVIEW_INDICATORS}
    tables: dict[str, ReportTable] = {}
    tables["regions"] = _table("regions", "table.regions", regions,
                               {**units, "uhc_category": "category"},
                               {"uhc_category": "uhc"}, count_columns=("tk_active",
                                                                       "tk_pemda_funded_active"))

    ranking = regions[["region_code", "region_name", "tk_coverage", "tk_coverage_informal",
                       "jkn_coverage", "jkn_active_rate"]].copy()
    for column in ("tk_coverage", "tk_coverage_informal", "jkn_coverage", "jkn_active_rate"):
        ranking[f"{column}_rank"] = pd.to_numeric(ranking[column]).rank(
            ascending=False, method="min").astype("Int64")
    ranking = ranking.sort_values(["tk_coverage_rank", "region_code"]).reset_index(drop=True)
    tables["ranking"] = _table("ranking", "table.ranking", ranking,
                               {"tk_coverage": "fraction", "tk_coverage_informal": "fraction",
                                "jkn_coverage": "fraction", "jkn_active_rate": "fraction",
                                **{c: "count" for c in ranking.columns if c.endswith("_rank")}})

    score = bundle["scorecard"]
    if isinstance(score, pd.DataFrame):
        score_frame = score.drop(columns=["status"], errors="ignore")
        tables["scorecard"] = _table(
            "scorecard", "table.scorecard", score_frame,
            {**{c: "score" for c in score_frame.columns
                if c not in ("region_code", "region_name", "rank")}, "rank": "count"},
            note_key="note.scorecard")

    totals = province_totals(bundle, province_code, params)
    tables["totals"] = ReportTable(
        "totals", "table.totals", publishable_indicators(totals),
        units={"value": "row", "numerator": "row_count", "denominator": "row_count"},
        codes={"indicator_id": "indicator"}, note_key="note.totals")
    budget_columns = ["budget_tk_apbd_rp", "budget_tk_dbhcht_rp", "budget_jkn_pemda_rp",
                      "budget_share_apbd", "dbhcht_social_security_share", "uhc_gap_cost_rp",
                      "gap_cost_informal_rp"]
    budget = wide[budget_columns].reset_index()
    budget.insert(1, "region_name", [reference.region_name(c) for c in codes])
    tables["budget"] = _table("budget_by_region", "table.budget_by_region", budget,
                              {c: BY_ID[c].unit for c in budget_columns})
    tables.update(_quality_tables(bundle))
    trend = _province_trend(bundle, codes)
    return {
        "kind": "province",
        "province_code": province_code,
        "province_name": reference.region_name(province_code),
        "region_codes": codes,
        "period": period,
        "reference_date": params.reference_date,
        "parameters": {"province_code": province_code, "period": period,
                       **_params_dict(params)},
        "meta": dict(bundle["meta"]),
        "indicators": publishable_indicators(totals),
        "values": dict(zip(totals["indicator_id"], totals["value"])),
        "regions_raw": regions,
        "wide": wide,
        "scorecard_raw": score if isinstance(score, pd.DataFrame) else None,
        "tables": tables,
        "trend_raw": trend,
    }


def province_totals(bundle: dict, province_code: str, params) -> pd.DataFrame:
    """Province totals: counts and Rupiah summed over kab/kota; ratios of the sums.

    A person with spells in two kab/kota at D is counted in both (rare); the kab/kota
    population and labour figures add up to the province's (reference.py checks it).
    """
    from helpers.measures.indicators import uhc_category

    ind = bundle["indicators"]
    rows = []
    sums = {}
    for indicator_id in INDICATOR_IDS:
        unit = BY_ID[indicator_id].unit
        part = ind[ind["indicator_id"] == indicator_id]
        if unit in ("people", "rupiah"):
            value = int(pd.to_numeric(part["value"]).sum())
            sums[indicator_id] = value
            rows.append((indicator_id, value, None, None, unit))
        elif unit == "fraction":
            numerator = float(pd.to_numeric(part["numerator"]).sum())
            denominator = float(pd.to_numeric(part["denominator"]).sum())
            value = numerator / denominator if denominator else float("nan")
            rows.append((indicator_id, value, numerator, denominator, unit))
    frame = pd.DataFrame(rows, columns=["indicator_id", "value", "numerator", "denominator",
                                        "unit"])
    ratio = dict(zip(frame["indicator_id"], frame["value"]))
    category = uhc_category(ratio["jkn_coverage"], ratio["jkn_active_rate"],
                            ratio["jkn_pemda_share"],
                            reference.thresholds(params.reference_date.year))
    frame = pd.concat([frame, pd.DataFrame([("uhc_category", category, None, None,
                                             "category")], columns=frame.columns)],
                      ignore_index=True)
    order = {i: n for n, i in enumerate(INDICATOR_IDS)}
    frame = frame.sort_values("indicator_id", key=lambda s: s.map(order)).reset_index(drop=True)
    frame["reference_date"] = params.reference_date.isoformat()
    frame["definition"] = [BY_ID[i].definition_en for i in frame["indicator_id"]]
    frame["flag"] = ""
    for column in ("numerator", "denominator"):
        frame[column] = frame[column].map(lambda v: None if v is None or pd.isna(v)
                                          else int(round(v)))
    return frame


def _province_trend(bundle: dict, codes: list[str]) -> pd.DataFrame:
    tk = bundle["trend_tk"].groupby("month_end")[["members", "active"]].sum()
    jkn = bundle["trend_jkn"].groupby("month_end")[["members", "active"]].sum()
    frame = pd.DataFrame({"tk_active": tk["active"], "jkn_members": jkn["members"]})
    frame.index.name = "month_end"
    per_region = bundle["trend_tk"].pivot(index="month_end", columns="region_code",
                                          values="active").reindex(columns=codes)
    return frame.join(per_region).reset_index()


def check_province(overview: dict) -> list[Check]:
    """Consistency checks of the province overview; raise when any fails."""
    wide = overview["wide"]
    values = overview["values"]
    checks = [
        Check("all_regions_present", list(wide.index) == overview["region_codes"],
              f"{len(wide)} kab/kota"),
        Check("totals_are_sums",
              int(pd.to_numeric(wide["tk_active"]).sum()) == int(values["tk_active"])
              and int(pd.to_numeric(wide["jkn_members"]).sum()) == int(values["jkn_members"])),
        Check("ratios_of_totals_within_0_1",
              all(0 <= values[i] <= 1.05 for i in ("tk_coverage", "jkn_active_rate"))),
        Check("scorecard_ranks_every_region",
              overview["scorecard_raw"] is None
              or sorted(overview["scorecard_raw"]["region_code"]) == overview["region_codes"]),
        Check("no_person_level_columns", all(
            not set(t.frame.columns) & set(PERSON_LEVEL_COLUMNS)
            for t in overview["tables"].values())),
    ]
    return _raise_on_failure(checks, overview["province_code"])


# =========================================================================== explorers


def explore_coverage(registries: Registries, region_code: str, reference_date: str, *,
                     registry: str = "jamsostek", breakdown_by: str = "segment",
                     grace_months: int = 1, labour_denominator: str = "bpjs_potential",
                     population_vintage: str = reference.DEFAULT_POPULATION_VINTAGE) -> dict:
    """Coverage of one region at any date, with a breakdown and both denominators.

    Args:
        registries: from :func:`load_registries`.
        region_code: kab/kota code.
        reference_date: 'YYYY-MM-DD' (any day), or a period '2024' / '2024-06'.
        registry: 'jamsostek' or 'jkn' for the breakdown.
        breakdown_by: segment, occupation, funding_source, sex, age_group, district_code
            (jamsostek) or segment, sex, age_group, district_code, care_class (jkn).
        grace_months, labour_denominator, population_vintage: see ``Parameters``.

    Returns:
        dict with ``indicators`` (this region, publishable), ``values``, ``tables``
        (breakdown, denominators, vintages) and ``checks`` inputs.
    """
    from helpers.measures import indicators

    region_code = check_region(region_code)
    day = _explorer_date(reference_date)
    params = make_parameters(str(day.year), grace_months=grace_months,
                             labour_denominator=labour_denominator,
                             population_vintage=population_vintage)
    params = replace(params, reference_date=day)
    if registry not in REGISTRY_FILES:
        raise ParameterError(f"unknown registry '{registry}'", fix="use jamsostek or jkn")
    table = registries.tk_table if registry == "jamsostek" else registries.jkn_table
    ind = indicators.compute_indicators(registries.tk_table, registries.jkn_table, params,
                                        [region_code])
    ind_region = indicators.indicator_table(ind, region_code)
    values = dict(zip(ind_region["indicator_id"], ind_region["value"]))
    numerators = dict(zip(ind_region["indicator_id"], ind_region["numerator"]))
    result = indicators.breakdown(table, params, breakdown_by, [region_code]).drop(
        columns="region_code")
    member_id, active_id = (("tk_members", "tk_active") if registry == "jamsostek"
                            else ("jkn_members", "jkn_active"))
    result = _with_total(result, breakdown_by, {"members": values[member_id],
                                                "active": values[active_id]})
    if breakdown_by == "district_code":
        names = reference.districts(region_code).set_index("district_code")["district_name"]
        result.insert(1, "district_name", result["district_code"].map(names).fillna(""))
    prefix = ("jkn_segment" if registry == "jkn" and breakdown_by == "segment"
              else _code_prefix(breakdown_by))
    tables = {"breakdown": _table(
        f"{registry}_by_{breakdown_by.removesuffix('_code')}", "table.explore_breakdown",
        result, {"members": "people", "active": "people", "active_share": "fraction"},
        {} if breakdown_by == "district_code" else {breakdown_by: prefix},
        count_columns=("members", "active"), category=breakdown_by,
        share_columns={"active_share": ("active",)},
        note_key=_overlap_note(result, breakdown_by))}
    rows = []
    for denominator in reference.LABOUR_DENOMINATORS:
        labour = indicators.labour_denominators(replace(params, labour_denominator=denominator),
                                                [region_code]).loc[region_code]
        rows.append({"labour_denominator": denominator, "workers": int(labour["workers"]),
                     "tk_coverage": values["tk_active"] / labour["workers"],
                     "informal_workers": int(labour["informal_workers"]),
                     "tk_coverage_informal": numerators["tk_coverage_informal"]
                     / labour["informal_workers"],
                     "chosen": denominator == labour_denominator})
    tables["denominators"] = _table(
        "denominators", "table.denominators", pd.DataFrame(rows),
        {"workers": "people", "tk_coverage": "fraction", "informal_workers": "people",
         "tk_coverage_informal": "fraction"},
        {"labour_denominator": "denominator", "chosen": "yesno"})
    jkn_counts = pd.Series({"jkn_members": values["jkn_members"],
                            "jkn_active": values["jkn_active"],
                            "jkn_pemda_members": numerators["jkn_pemda_share"]})
    tables["vintages"] = _table(
        "population_vintages", "table.population_vintages",
        coverage_by_vintage(jkn_counts, region_code, params),
        {"population": "people", "jkn_members": "people", "jkn_coverage": "fraction"},
        {"vintage": "vintage", "uhc_category": "uhc", "default": "yesno"})
    published = publishable_indicators(ind_region[["indicator_id", "value", "numerator",
                                                   "denominator", "unit", "flag"]])
    tables = {"indicators": ReportTable(
        "indicators", "table.indicators", published,
        units={"value": "row", "numerator": "row_count", "denominator": "row_count"},
        codes={"indicator_id": "indicator", "flag": "flag"}), **tables}
    return {
        "kind": "explorer", "region_code": region_code,
        "region_name": reference.region_name(region_code), "reference_date": day,
        "registry": registry, "breakdown_by": breakdown_by,
        "parameters": {"region_code": region_code, "reference_date": day.isoformat(),
                       "registry": registry, "breakdown_by": breakdown_by,
                       **_params_dict(params)},
        "indicators": published.assign(reference_date=day.isoformat(),
                                       definition=ind_region["definition"].to_numpy())[
            ["indicator_id", "value", "numerator", "denominator", "unit", "reference_date",
             "definition", "flag"]],
        "values": values, "tables": tables, "breakdown_raw": result,
    }


def _explorer_date(value) -> dt.date:
    """A reference date in any form ``indicators.as_reference_date`` accepts, inside the data.

    ``'2024-12-31'``, ``date``, ``datetime``, ``pd.Timestamp``, ``'2024-06'`` (→ 2024-06-30)
    and ``'2024'`` (→ 2024-12-31) all give a ``datetime.date``.

    Raises:
        ParameterError: not a date or period, or a year outside the data.
    """
    from helpers.measures.indicators import as_reference_date

    day = as_reference_date(value)
    years = data_years()
    if day.year not in years:
        raise ParameterError(f"reference_date {day} is outside the data "
                             f"({years[0]}–{years[-1]})",
                             fix=f"choose a date from {years[0]} to {years[-1]}")
    return day


def check_explorer(result: dict) -> list[Check]:
    """Checks of the coverage explorer's result; raise when any fails."""
    frame = result["breakdown_raw"]
    inner = frame[frame[result["breakdown_by"]] != TOTAL]
    total = frame[frame[result["breakdown_by"]] == TOTAL].iloc[0]
    checks = [
        Check("groups_cover_total", int(inner["members"].sum()) >= int(total["members"])),
        Check("active_within_members", bool((inner["active"] <= inner["members"]).all())),
        Check("indicators_complete",
              set(result["indicators"]["indicator_id"]) == set(INDICATOR_IDS)),
    ]
    return _raise_on_failure(checks, result["region_code"])


def budget_scenario(report: dict, target_group: str = "informal",
                    cover_share: float | None = None, *, people: int | None = None,
                    monthly_rate_rp: int | None = None) -> dict:
    """Cost of covering a share, or a number, of an uncovered group, from a regency report.

    Args:
        report: from :func:`regency_report` (its labour denominator and grace months set
            the uncovered informal workers).
        target_group: 'informal' (informal workers without active BPU), 'fisher',
            'tobacco_farmer' or 'non_asn_staff' (target group size minus active people of
            that occupation, whoever pays).
        cover_share: share 0-1 of the uncovered people to cover; default 0.5 when
            ``people`` is not given either.
        people: instead of ``cover_share``, a headcount to cover (whole people, at most
            the uncovered people); ``cover_share`` is then people / uncovered.
        monthly_rate_rp: Rupiah per person per month; None = the BPU minimum JKK + JKM in
            force at D (Rp16.800 in 2024).

    Returns:
        dict: ``uncovered`` people, ``people`` to cover, ``cover_share``,
        ``monthly_rate_rp``, ``annual_cost_rp``, ``share_apbd``, ``share_dbhcht``,
        ``share_dbhcht_welfare`` (fractions 0-1; NaN when the budget figure is missing) and
        ``sensitivity`` (a frame for cover shares 10 %..100 %).

    Raises:
        ParameterError: unknown group, share outside 0-1, both or a bad ``people``,
            negative rate.
    """

    if target_group not in SCENARIO_GROUPS:
        raise ParameterError(f"unknown target_group '{target_group}'",
                             fix="use one of " + ", ".join(SCENARIO_GROUPS))
    if people is not None and cover_share is not None:
        raise ParameterError("both cover_share and people given",
                             fix="give a share 0-1 (cover_share=0.5) or a headcount "
                                 "(people=5000), not both")
    if people is not None and (isinstance(people, bool) or not isinstance(
            people, (int, np.integer)) or people < 0):
        raise ParameterError(f"people {people!r} is not a whole number of people, 0 or more",
                             fix="e.g. people=5000")
    if cover_share is None:
        cover_share = 0.5
    if isinstance(cover_share, bool) or not 0 <= float(cover_share) <= 1:
        raise ParameterError(f"cover_share {cover_share!r} is not a share 0-1",
                             fix="e.g. 0.5 for half of the uncovered people")
    if monthly_rate_rp is not None and monthly_rate_rp < 0:
        raise ParameterError(f"monthly_rate_rp {monthly_rate_rp} is negative",
                             fix="give Rupiah per person per month, or 0 for the BPU minimum")
    rate = (reference.bpu_minimum_monthly_rp(report["reference_date"])
            if not monthly_rate_rp else int(monthly_rate_rp))
    uncovered, target = _uncovered(report, target_group)
    budget = report["budget_reference"]
    if people is not None and people > uncovered:
        raise ParameterError(f"people {people} is more than the {uncovered} uncovered "
                             f"({target_group}) in {report['region_code']}",
                             fix=f"give at most {uncovered}")

    def cost_row(share: float, headcount: int | None = None) -> dict:
        covered = (int(math.floor(uncovered * share + 1e-9)) if headcount is None
                   else int(headcount))
        cost = covered * rate * 12
        return {"cover_share": share, "people": covered, "annual_cost_rp": cost,
                "share_apbd": _ratio_or_nan(cost, budget.get("apbd_total_rp")),
                "share_dbhcht": _ratio_or_nan(cost, budget.get("dbhcht_received_rp")),
                "share_dbhcht_welfare": _ratio_or_nan(cost, budget.get("dbhcht_welfare_rp"))}

    chosen = (cost_row(float(cover_share)) if people is None
              else cost_row(people / uncovered if uncovered else 0.0, people))
    sensitivity = pd.DataFrame([cost_row(s / 10) for s in range(1, 11)])
    return {"target_group": target_group, "target_count": target, "uncovered": uncovered,
            "monthly_rate_rp": rate, **chosen,
            "table": ReportTable("scenario_sensitivity", "table.scenario_sensitivity",
                                 publishable(sensitivity),
                                 units={"cover_share": "fraction", "people": "people",
                                        "annual_cost_rp": "rupiah", "share_apbd": "fraction",
                                        "share_dbhcht": "fraction",
                                        "share_dbhcht_welfare": "fraction"})}


def _uncovered(report: dict, target_group: str) -> tuple[int, int | None]:
    values = report["values"]
    if target_group == "informal":
        return max(0, int(values["gap_informal_workers"])), None
    targets = report["target_groups"]
    if target_group not in targets.index:
        raise ParameterError(f"no target group size for '{target_group}' in "
                             f"{report['region_code']}",
                             path="data/reference/target_groups.csv",
                             fix="add the row or choose another group")
    people = report["programme_people_raw"]
    active = int(people.loc[people["occupation"] == target_group, "active"].sum())
    target = int(targets[target_group])
    return max(0, target - active), target


def uhc_scenario(report: dict, category: str = "madya") -> pd.DataFrame:
    """People and annual cost to reach a UHC category, with shares of APBD and DBHCHT.

    Args:
        report: from :func:`regency_report`.
        category: a category of thresholds.csv ('pratama', 'madya', 'utama', ...), in any
            case ('Madya' = 'madya').

    Raises:
        ParameterError: the category is not in thresholds.csv for that year.
    """
    category = str(category).strip().lower()
    distance = report["uhc_distance_raw"]
    rows = distance[distance["category"] == category].copy()
    if rows.empty:
        raise ParameterError(f"unknown UHC category '{category}'",
                             fix="use one of " + ", ".join(sorted(set(distance["category"]))))
    budget = report["budget_reference"]
    rows["share_apbd"] = [_ratio_or_nan(c, budget.get("apbd_total_rp"))
                          for c in rows["annual_cost_rp"]]
    rows["share_dbhcht"] = [_ratio_or_nan(c, budget.get("dbhcht_received_rp"))
                            for c in rows["annual_cost_rp"]]
    return rows.reset_index(drop=True)


def check_scenario(scenario: dict) -> list[Check]:
    """Checks of a budget scenario; raise when any fails."""
    checks = [
        Check("people_within_uncovered", 0 <= scenario["people"] <= scenario["uncovered"]),
        Check("cost_is_people_times_rate",
              scenario["annual_cost_rp"] == scenario["people"] * scenario["monthly_rate_rp"] * 12),
        Check("sensitivity_increases", bool(
            pd.Series(scenario["table"].frame["annual_cost_rp"]).is_monotonic_increasing)),
    ]
    return _raise_on_failure(checks, scenario["target_group"])


__all__ = [
    "Registries", "ReportTable", "Check", "load_registries", "resolve_data_dir",
    "check_period", "check_region", "make_parameters", "publishable", "publishable_indicators",
    "province_bundle", "regency_report", "province_overview", "explore_coverage",
    "budget_scenario", "uhc_scenario", "coverage_trend", "coverage_by_vintage",
    "check_regency", "check_province", "check_explorer", "check_scenario", "headline_line",
    "data_years", "disclosure_rule", "publishable_indicators",
]
