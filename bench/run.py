"""`make bench`: the jamsostek indicators on a large registry, helpers vs SQL vs pandas (issue 7).

Contenders, each in its own subprocess on the same Parquet files, side by side:

- ``helpers``: the real indicator functions, ``indicators.jamsostek_counts`` and
  ``indicators.jamsostek_budget``, for every region in one pass, on an Ibis DuckDB backend;
- ``helpers_patched``: the same with ``bench/indicators-scale.patch`` applied to a copy of
  src/ (left out once the patch is merged);
- ``sql`` and ``sql_two_step``: hand-written DuckDB SQL (the embedded limit), with one
  ``count(DISTINCT ...)`` per indicator and with people counted in two steps;
- ``pandas``: what a researcher would otherwise write (read_parquet, masks, groupby).

Usage::

    .venv/bin/python bench/run.py                         # 50 million rows (make bench)
    .venv/bin/python bench/run.py --rows 280000000 --label national --repeat 1 --jobs 2 \\
        --memory-limit 8GB

Steps: generate the registry in chunks (``helpers.data.sample.write_benchmark_registry``; kept
in bench/data/, reused) → prepare it once in the intake's column layout (typed dates,
``person_id``) → time each contender → check they all give the same numbers → write the
section ``label`` of bench/results.md. What is timed: see ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"
RESULTS_PATH = BENCH_DIR / "results.md"
CONTENDERS = ("helpers", "helpers_base", "helpers_patched", "sql", "sql_two_step",
              "duckdb_sql_limit", "pandas")
#: Run by default (helpers_base needs --base-ref).
DEFAULT_CONTENDERS = ("helpers", "helpers_patched", "sql", "sql_two_step", "duckdb_sql_limit",
                      "pandas")
#: What each contender is, for results.md.
CONTENDER_NOTES = {
    "helpers": "helpers as in src/ (indicators.jamsostek_counts + jamsostek_budget on Ibis/DuckDB)",
    "helpers_base": "helpers as in src/ of --base-ref (a copy in bench/data/base-src)",
    "helpers_patched": "the same with bench/indicators-scale.patch applied to a copy of src/",
    "sql": "hand-written DuckDB SQL, one count(DISTINCT person_id) FILTER (...) per indicator",
    "sql_two_step": "hand-written DuckDB SQL, one row per region × person with a flag per "
                    "indicator, then the flags counted",
    "duckdb_sql_limit": "hand-written DuckDB SQL, the engine's limit (issue 16.6): every "
                        "predicate computed once in a projection, bool_or per region × "
                        "person, then summed",
    "pandas": "plain pandas: read_parquet, boolean masks, groupby().nunique()",
}
PATCH_PATH = BENCH_DIR / "indicators-scale.patch"
REFERENCE_DATE = date(2024, 12, 31)
GRACE_MONTHS = 1
PART_ROWS = 50_000_000
#: The counts each contender returns per region, in jamsostek_counts' order.
COUNT_COLUMNS = ("tk_members", "tk_active", "tk_active_formal", "tk_active_informal",
                 "tk_nonasn_active", "tk_tobacco_farmers_active", "tk_fishers_active",
                 "tk_pemda_funded_active")
BUDGET_KEYS = ["region_code", "funding_source", "occupation"]
#: Columns of the intake's jamsostek output (helpers.data.validation_sql.output_columns).
PREPARED_COLUMNS = ("person_id", "sex", "birth_year", "region_code", "district_code",
                    "nik_region_code", "segment", "occupation", "funding_source", "wage_rp",
                    "risk_class", "programmes", "start_date", "end_date", "paid_through")


# =========================================================================== main


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.contender:
        return run_contender(args)
    args.patched_src = prepare_patched_src(args)
    args.base_src = prepare_base_src(args)
    # Load inputs
    started = time.perf_counter()
    raw_files = ensure_raw(args.rows, args.seed, args.jobs)
    prepared = ensure_prepared(raw_files, args)
    unit_costs_path = write_unit_costs(prepared, args)
    prepare_seconds = time.perf_counter() - started
    _warm_page_cache(prepared)
    # Process data: rounds of every contender, one after the other
    runs: dict[str, list[dict]] = {name: [] for name in args.contenders}
    for round_number in range(1, args.repeat + 1):
        for name in args.contenders:
            if _kind(name) == "pandas" and round_number > args.pandas_repeat:
                continue
            if _kind(name) == "pandas" and any(r["status"] != "ok" for r in runs[name]):
                continue  # out of memory once is out of memory
            run = measure(name, prepared, unit_costs_path, args, round_number)
            runs[name].append(run)
            print(f"round {round_number} {name:24s} {run['status']:14s} "
                  f"{run.get('seconds', float('nan')):8.1f} s "
                  f"(counts {run.get('counts_seconds', float('nan')):.1f} s, CPU "
                  f"{run.get('counts_cpu_seconds', float('nan')):.1f} s)  "
                  f"peak {run['peak_rss_mib']:,.0f} MiB", flush=True)
    # Check
    check = compare(runs, args)
    print(check["text"])
    # Save outputs
    summary = summarise(runs, check, prepared, args, prepare_seconds)
    write_results(summary, args)
    print(f"wrote {args.results}")
    return 0 if check["equal"] else 1


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000_000,
                        help="rows of the synthetic registry (default 50 million)")
    parser.add_argument("--label", default=None,
                        help="section of results.md (default: the row count, e.g. 50M)")
    parser.add_argument("--contenders", default=",".join(DEFAULT_CONTENDERS),
                        type=lambda text: [c for c in text.split(",") if c],
                        help="comma-separated, of " + ", ".join(CONTENDERS) + " (default all "
                             "but helpers_base; helpers_patched is left out when the patch is "
                             "already applied); NAME@LABEL runs NAME in the Python of "
                             "--engine LABEL=PYTHON")
    parser.add_argument("--engine", action="append", default=[], metavar="LABEL=PYTHON",
                        help="another Python environment (e.g. one with another DuckDB) for "
                             "contenders named NAME@LABEL; repeatable")
    parser.add_argument("--base-ref", default=None,
                        help="git ref whose src/ the helpers_base contender runs")
    parser.add_argument("--counts-only", action="store_true",
                        help="time jamsostek_counts (or its SQL) only, not the budget")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the DuckDB contenders")
    parser.add_argument("--pandas-repeat", type=int, default=1,
                        help="rounds of pandas (slow; at most --repeat)")
    parser.add_argument("--memory-limit", default="3GB", help="DuckDB memory_limit")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    parser.add_argument("--pandas-cap-gib", type=float, default=12.0,
                        help="pandas is stopped (and recorded out of memory) above this RSS")
    parser.add_argument("--timeout-minutes", type=float, default=90.0,
                        help="a contender still running after this is stopped (recorded)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="parallel generator processes (one per 50-million-row part)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--results", type=Path, default=RESULTS_PATH)
    parser.add_argument("--no-unit-cost-memo", action="store_true",
                        help="time jamsostek_budget exactly as shipped (see README)")
    # internal: one contender in a subprocess
    parser.add_argument("--contender", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--engine-label", default="", help=argparse.SUPPRESS)
    parser.add_argument("--input", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--unit-costs", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--helpers-src", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.engines = {}
    for spec in args.engine:
        label, _, python = spec.partition("=")
        if not label or not python or not Path(python).exists():
            parser.error(f"--engine {spec}: give LABEL=PATH of a Python interpreter")
        args.engines[label] = python
    for name in args.contenders:
        kind, _, label = name.partition("@")
        if kind not in CONTENDERS:
            parser.error(f"unknown contender '{name}' (use {', '.join(CONTENDERS)})")
        if label and label not in args.engines:
            parser.error(f"contender '{name}': no --engine {label}=PYTHON")
        if kind == "helpers_base" and not args.base_ref:
            parser.error("helpers_base needs --base-ref")
    if args.seed is None:
        from helpers.data.sample import DEFAULT_SEED

        args.seed = DEFAULT_SEED
    args.label = args.label or _rows_label(args.rows)
    args.contenders_given = list(args.contenders)
    return args


def _rows_label(rows: int) -> str:
    return f"{rows / 1e6:g}M" if rows >= 1_000_000 else f"{rows:,}"


# =========================================================================== data


def prepare_patched_src(args) -> Path | None:
    """A copy of src/ with bench/indicators-scale.patch applied, for ``helpers_patched``.

    When the patch no longer applies (it has been merged into src/), the contender is
    dropped: ``helpers`` then measures the same code.
    """
    if "helpers_patched" not in args.contenders:
        return None
    target = DATA_DIR / "patched-src"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / "src", target / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    done = subprocess.run(["patch", "-p1", "--forward", "--batch", "--silent", "-d",
                           str(target), "-i", str(PATCH_PATH)], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{PATCH_PATH.name} does not apply to src/ (already merged?): "
              "helpers_patched left out", flush=True)
        args.contenders.remove("helpers_patched")
        return None
    return target / "src"


def prepare_base_src(args) -> Path | None:
    """src/ of ``--base-ref`` in bench/data/base-src, for ``helpers_base``."""
    if not any(_kind(name) == "helpers_base" for name in args.contenders):
        return None
    target = DATA_DIR / "base-src"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.base_ref, "src"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    args.base_commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short",
                                       args.base_ref], capture_output=True, text=True,
                                      check=True).stdout.strip()
    return target / "src"


def _kind(name: str) -> str:
    """The contender of ``name`` without its ``@engine``."""
    return name.partition("@")[0]


def ensure_raw(rows: int, seed: int, jobs: int) -> list[Path]:
    """Registry parts of at most PART_ROWS rows, seeds seed, seed+1, ...; generated once.

    Part i of any run with the same seed is the same file, so the national run reuses the
    50-million-row registry as its first part.
    """
    parts = []
    left, index = rows, 0
    while left > 0:
        size = min(PART_ROWS, left)
        parts.append((DATA_DIR / f"jamsostek-{size}-seed{seed + index}.parquet", size,
                      seed + index))
        left -= size
        index += 1
    missing = [part for part in parts if not part[0].exists()]
    if missing:
        print(f"generating {sum(p[1] for p in missing):,} rows in {len(missing)} part(s), "
              f"{jobs} at a time (about 6 min per 50 million rows and core)",
              flush=True)
        with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
            for path, result in zip([p[0] for p in missing],
                                    pool.map(_generate_part, missing)):
                print(f"  {path.name}: {result['rows']:,} rows, "
                      f"{result['bytes'] / 2**20:,.0f} MiB, {result['seconds']:,.0f} s", flush=True)
    return [part[0] for part in parts]


def _generate_part(part) -> dict:
    from helpers.data.sample import write_benchmark_registry

    path, size, seed = part
    partial = path.with_suffix(".parquet.partial")
    result = write_benchmark_registry(partial, size, seed=seed)
    os.replace(partial, path)
    return result


def ensure_prepared(raw_files: list[Path], args) -> list[Path]:
    """The registry in the intake's output layout (what indicators read), once per part.

    All benchmark rows are valid, so the intake would accept every row; its validation and
    keyed pseudonymisation are not benchmarked here. ``person_id`` is md5(NIK): 32 hex
    characters like the intake's HMAC pseudonym.
    """
    prepared = []
    for raw in raw_files:
        target = DATA_DIR / "prepared" / raw.name
        prepared.append(target)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        con = _duckdb(args)
        partial = target.with_suffix(".parquet.partial")
        con.execute(f"""
            COPY (
                SELECT md5(nik) AS person_id, sex,
                    CAST(year(CAST(birth_date AS DATE)) AS SMALLINT) AS birth_year,
                    region_code, district_code,
                    substr(nik, 1, 2) || '.' || substr(nik, 3, 2) AS nik_region_code,
                    segment, occupation, funding_source, wage_rp, risk_class, programmes,
                    CAST(start_date AS DATE) AS start_date,
                    CAST(end_date AS DATE) AS end_date,
                    CAST(paid_through AS DATE) AS paid_through
                FROM read_parquet('{raw}')
            ) TO '{partial}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)""")
        con.close()
        os.replace(partial, target)
        print(f"prepared {target.name} in {time.perf_counter() - started:,.0f} s", flush=True)
    return prepared


def _duckdb(args):
    import duckdb

    temp = DATA_DIR / "duckdb-tmp"
    temp.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(config={"memory_limit": args.memory_limit, "threads": args.threads,
                                  "temp_directory": str(temp),
                                  "preserve_insertion_order": False})


def write_unit_costs(prepared: list[Path], args) -> Path:
    """Regional cost of one funded person-month per (segment, programmes, risk class,
    month end), from the rates reference through ``indicators.jamsostek_unit_cost``.

    The SQL and pandas contenders read this small table as a researcher reads the rates
    table; helpers computes the same inside ``jamsostek_budget``.
    """
    import pandas as pd

    from helpers.measures import indicators

    con = _duckdb(args)
    combos = con.execute(f"""
        SELECT DISTINCT segment, programmes, risk_class
        FROM read_parquet({_sql_list(prepared)})
        WHERE funding_source IN ('apbd', 'dbhcht')""").df()
    con.close()
    rows = []
    for month_end in indicators.month_ends_of_year(REFERENCE_DATE.year, REFERENCE_DATE.month):
        for combo in combos.itertuples(index=False):
            risk = None if pd.isna(combo.risk_class) else int(combo.risk_class)
            flat, share = indicators.jamsostek_unit_cost(combo.segment, combo.programmes,
                                                         risk, month_end)
            rows.append({"segment": combo.segment, "programmes": combo.programmes,
                         "risk_class": risk, "month_end": month_end, "flat_rp": flat,
                         "wage_share": share})
    path = DATA_DIR / f"unit-costs-{args.label}.parquet"
    frame = pd.DataFrame(rows).astype({"risk_class": "Int8"})
    frame["month_end"] = pd.to_datetime(frame["month_end"])
    frame.to_parquet(path, index=False)
    return path


def _sql_list(paths) -> str:
    return "[" + ", ".join(f"'{p}'" for p in paths) + "]"


def _warm_page_cache(paths: list[Path]) -> None:
    """Read the files once so no contender pays for a cold disk."""
    for path in paths:
        with path.open("rb") as handle:
            while handle.read(1 << 24):
                pass


# =========================================================================== measuring


def measure(name: str, prepared: list[Path], unit_costs: Path, args, round_number: int) -> dict:
    """Run one contender in a fresh subprocess; its time, peak RSS and status."""
    out = DATA_DIR / "runs" / args.label / f"{name.replace('@', '-at-')}-{round_number}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    kind, _, engine = name.partition("@")
    python = args.engines[engine] if engine else sys.executable
    command = [python, str(Path(__file__).resolve()), "--contender", kind,
               "--engine-label", engine,
               "--input", *map(str, prepared), "--unit-costs", str(unit_costs),
               "--out", str(out), "--memory-limit", args.memory_limit,
               "--threads", str(args.threads), "--rows", str(args.rows)]
    if args.no_unit_cost_memo:
        command.append("--no-unit-cost-memo")
    if args.counts_only:
        command.append("--counts-only")
    env = dict(os.environ)
    extra_src = {"helpers_patched": args.patched_src, "helpers_base": args.base_src}.get(kind)
    if extra_src:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(extra_src),
                                                          env.get("PYTHONPATH")]))
    cap_kib = int(args.pandas_cap_gib * 2**20) if kind == "pandas" else None
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=env)
    stopped = {"reason": None, "hwm_kib": 0}
    watcher = threading.Thread(target=_watch, args=(process.pid, cap_kib,
                                                    args.timeout_minutes * 60, stopped),
                               daemon=True)
    watcher.start()
    output_lines = []
    reader = threading.Thread(target=lambda: output_lines.extend(process.stdout), daemon=True)
    reader.start()
    process.wait()
    wall = time.perf_counter() - started
    reader.join(timeout=5)
    watcher.join(timeout=5)
    timing_path = out / "timing.json"
    timing = json.loads(timing_path.read_text()) if timing_path.exists() else {}
    # Peak RSS = VmHWM of the contender's process (its own high-water mark since exec; not
    # ru_maxrss, which Linux carries over from the forking parent).
    peak_kib = max(stopped["hwm_kib"], timing.get("hwm_kib", 0))
    run = {"contender": name, "round": round_number, "wall_seconds": wall,
           "peak_rss_mib": peak_kib / 1024, "exit_code": process.returncode,
           "output_dir": str(out)}
    if stopped["reason"]:
        run["status"] = stopped["reason"]
    elif process.returncode == 3:
        run["status"] = "out of memory"
        print("".join(output_lines[-3:]).strip(), file=sys.stderr)
    elif process.returncode != 0 or not timing_path.exists():
        run["status"] = f"failed ({process.returncode})"
        print("".join(output_lines[-30:]), file=sys.stderr)
    else:
        run["status"] = "ok"
        run.update(timing)
    return run


def _watch(pid: int, cap_kib: int | None, timeout_s: float, stopped: dict) -> None:
    """Stop the contender when its RSS passes the cap or it runs past the timeout."""
    started = time.monotonic()
    status = Path(f"/proc/{pid}/status")
    while True:
        try:
            text = status.read_text()
        except (FileNotFoundError, ProcessLookupError):
            return
        if "State:\tZ" in text:
            return
        match = re.search(r"VmRSS:\s+(\d+) kB", text)
        hwm = re.search(r"VmHWM:\s+(\d+) kB", text)
        if hwm:
            stopped["hwm_kib"] = max(stopped["hwm_kib"], int(hwm.group(1)))
        if cap_kib and match and int(match.group(1)) > cap_kib:
            stopped["reason"] = f"out of memory (> {cap_kib / 2**20:g} GiB cap)"
            os.kill(pid, signal.SIGKILL)
            return
        if time.monotonic() - started > timeout_s:
            stopped["reason"] = f"stopped after {timeout_s / 60:g} min"
            os.kill(pid, signal.SIGKILL)
            return
        time.sleep(0.05)


# =========================================================================== contenders


def run_contender(args) -> int:
    """Child process: compute, write counts.parquet, budget.parquet and timing.json."""
    import pandas as pd

    out = Path(args.out)
    files = [Path(p) for p in args.input]
    unit_costs = pd.read_parquet(args.unit_costs)
    import duckdb

    contender = {"helpers": _helpers, "helpers_base": _helpers, "helpers_patched": _helpers,
                 "sql": _sql, "sql_two_step": _sql, "duckdb_sql_limit": _sql,
                 "pandas": _pandas}[args.contender]
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        counts, budget, detail = contender(files, unit_costs, args)
        seconds = time.perf_counter() - started
        detail["cpu_seconds"] = time.process_time() - cpu_started
    except (MemoryError, duckdb.OutOfMemoryException) as error:
        print(f"{type(error).__name__}: {str(error).splitlines()[0]}", file=sys.stderr)
        return 3
    counts = counts.reset_index() if "region_code" not in counts.columns else counts
    counts.to_parquet(out / "counts.parquet", index=False)
    budget.to_parquet(out / "budget.parquet", index=False)
    (out / "timing.json").write_text(json.dumps({"seconds": seconds, "hwm_kib": _own_hwm_kib(),
                                                 "duckdb": duckdb.__version__, **detail}))
    return 0


def _own_hwm_kib() -> int:
    """This process's peak resident memory (VmHWM) in KiB."""
    match = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())
    return int(match.group(1)) if match else 0


def _helpers(files, unit_costs, args):
    """The real helpers functions on an Ibis DuckDB backend over the Parquet files."""
    import functools

    import ibis

    from helpers.measures import indicators

    memo = "shipped"
    if not args.no_unit_cost_memo and not hasattr(indicators.jamsostek_unit_cost, "cache_info"):
        # jamsostek_unit_cost is a pure function of (segment, programmes, risk class, day)
        # that re-reads the rates table on every call (~10 ms); jamsostek_budget calls it
        # once per aggregated row (≈370,000 rows over 514 regions). See bench/README.md.
        indicators.jamsostek_unit_cost = functools.lru_cache(maxsize=None)(
            indicators.jamsostek_unit_cost)
        memo = "memoised by the harness"
    shim = _duckdb2_shim()
    temp = DATA_DIR / "duckdb-tmp"
    started, cpu_started = time.perf_counter(), time.process_time()
    con = ibis.duckdb.connect(memory_limit=args.memory_limit, threads=args.threads,
                              temp_directory=str(temp), preserve_insertion_order=False)
    tk = con.read_parquet([str(f) for f in files])
    params = indicators.Parameters(REFERENCE_DATE, grace_months=GRACE_MONTHS)
    counts = indicators.jamsostek_counts(tk, params)
    counts_seconds = time.perf_counter() - started
    counts_cpu = time.process_time() - cpu_started
    budget = _NO_BUDGET() if args.counts_only else indicators.jamsostek_budget(tk, params)
    budget_seconds = time.perf_counter() - started - counts_seconds
    return counts, budget, {"counts_seconds": counts_seconds, "budget_seconds": budget_seconds,
                            "counts_cpu_seconds": counts_cpu, "unit_cost": memo,
                            "shim": shim}


def _NO_BUDGET():
    import pandas as pd

    return pd.DataFrame({"region_code": pd.Series(dtype=str),
                         "funding_source": pd.Series(dtype=str),
                         "occupation": pd.Series(dtype=str),
                         "person_months": pd.Series(dtype="int64"),
                         "cost_rp": pd.Series(dtype="int64")})


def _duckdb2_shim() -> str | None:
    """Ibis 12 fetches results with DuckDBPyConnection methods DuckDB 2 removed
    (fetch_arrow_table, fetch_record_batch); on DuckDB 2 the harness adds them back as
    aliases of their successors (to_arrow_table, to_arrow_reader), so that ``helpers`` can
    be timed there. Harness only: helpers itself still needs DuckDB < 2 (results.md)."""
    import duckdb

    if int(duckdb.__version__.split(".")[0]) < 2:
        return None
    connection = duckdb.DuckDBPyConnection
    if not hasattr(connection, "fetch_arrow_table"):
        connection.fetch_arrow_table = lambda self: self.to_arrow_table()
    if not hasattr(connection, "fetch_record_batch"):
        connection.fetch_record_batch = \
            lambda self, rows_per_batch=1_000_000: self.to_arrow_reader(rows_per_batch)
    return "fetch_arrow_table, fetch_record_batch aliased"


def _first_day_of_paid_month() -> date:
    """Active at D: paid_through in the month of D minus GRACE_MONTHS or later."""
    index = REFERENCE_DATE.year * 12 + REFERENCE_DATE.month - 1 - GRACE_MONTHS
    return date(index // 12, index % 12 + 1, 1)


def _sql(files, unit_costs, args):
    """Hand-written DuckDB SQL, as an expert would write it."""
    from helpers.measures import indicators

    started, cpu_started = time.perf_counter(), time.process_time()
    con = _duckdb(args)
    source = f"read_parquet({_sql_list(files)})"
    d = f"DATE '{REFERENCE_DATE}'"
    paid_from = f"DATE '{_first_day_of_paid_month()}'"
    query = {"sql_two_step": _SQL_TWO_STEP, "duckdb_sql_limit": _SQL_LIMIT}.get(
        args.contender, _SQL_DISTINCT)
    counts = con.sql(query.format(source=source, d=d, paid_from=paid_from)).df()
    counts_seconds = time.perf_counter() - started
    counts_cpu = time.process_time() - cpu_started
    detail = {"counts_seconds": counts_seconds, "counts_cpu_seconds": counts_cpu}
    if args.counts_only:
        con.close()
        return counts, _NO_BUDGET(), {**detail, "budget_seconds": 0.0}
    con.register("unit_costs", unit_costs)
    month_ends = ", ".join(f"(DATE '{day}')" for day in
                           indicators.month_ends_of_year(REFERENCE_DATE.year, REFERENCE_DATE.month))
    budget = con.sql(_SQL_BUDGET.format(source=source, month_ends=month_ends)).df()
    budget_seconds = time.perf_counter() - started - counts_seconds
    con.close()
    return counts, budget, {**detail, "budget_seconds": budget_seconds}


_SQL_DISTINCT = """
        WITH spells AS (
            SELECT person_id, region_code, segment, occupation,
                funding_source IN ('apbd', 'dbhcht') AS pemda,
                start_date <= {d} AND (end_date IS NULL OR end_date > {d}) AS member,
                start_date <= {d} AND (end_date IS NULL OR end_date > {d})
                    AND paid_through >= {paid_from} AS active
            FROM {source}
        )
        SELECT region_code,
            count(DISTINCT person_id) FILTER (WHERE member) AS tk_members,
            count(DISTINCT person_id) FILTER (WHERE active) AS tk_active,
            count(DISTINCT person_id) FILTER (WHERE active AND segment IN ('PU', 'JAKON', 'PMI'))
                AS tk_active_formal,
            count(DISTINCT person_id) FILTER (WHERE active AND segment = 'BPU')
                AS tk_active_informal,
            count(DISTINCT person_id) FILTER (WHERE active AND pemda
                AND occupation = 'non_asn_staff') AS tk_nonasn_active,
            count(DISTINCT person_id) FILTER (WHERE active AND pemda
                AND occupation = 'tobacco_farmer') AS tk_tobacco_farmers_active,
            count(DISTINCT person_id) FILTER (WHERE active AND pemda AND occupation = 'fisher')
                AS tk_fishers_active,
            count(DISTINCT person_id) FILTER (WHERE active AND pemda) AS tk_pemda_funded_active
        FROM spells
        GROUP BY region_code
        ORDER BY region_code"""

_SQL_TWO_STEP = """
        WITH spells AS (
            SELECT person_id, region_code, segment, occupation,
                funding_source IN ('apbd', 'dbhcht') AS pemda,
                start_date <= {d} AND (end_date IS NULL OR end_date > {d}) AS member,
                start_date <= {d} AND (end_date IS NULL OR end_date > {d})
                    AND paid_through >= {paid_from} AS active
            FROM {source}
        ),
        people AS (
            SELECT region_code, person_id,
                bool_or(member) AS member,
                bool_or(active) AS active,
                bool_or(active AND segment IN ('PU', 'JAKON', 'PMI')) AS active_formal,
                bool_or(active AND segment = 'BPU') AS active_informal,
                bool_or(active AND pemda AND occupation = 'non_asn_staff') AS nonasn,
                bool_or(active AND pemda AND occupation = 'tobacco_farmer') AS tobacco,
                bool_or(active AND pemda AND occupation = 'fisher') AS fisher,
                bool_or(active AND pemda) AS pemda_funded
            FROM spells
            GROUP BY region_code, person_id
        )
        SELECT region_code,
            count(*) FILTER (WHERE member) AS tk_members,
            count(*) FILTER (WHERE active) AS tk_active,
            count(*) FILTER (WHERE active_formal) AS tk_active_formal,
            count(*) FILTER (WHERE active_informal) AS tk_active_informal,
            count(*) FILTER (WHERE nonasn) AS tk_nonasn_active,
            count(*) FILTER (WHERE tobacco) AS tk_tobacco_farmers_active,
            count(*) FILTER (WHERE fisher) AS tk_fishers_active,
            count(*) FILTER (WHERE pemda_funded) AS tk_pemda_funded_active
        FROM people
        GROUP BY region_code
        ORDER BY region_code"""

#: The limit (issue 16.6): each spell's predicates once, in a projection (DuckDB lets a
#: column of the SELECT list use an earlier one), then one bool_or per region × person,
#: then the flags summed per region.
_SQL_LIMIT = """
        WITH spells AS (
            SELECT region_code, person_id,
                start_date <= {d} AND (end_date IS NULL OR end_date > {d}) AS member,
                member AND paid_through >= {paid_from} AS active,
                funding_source IN ('apbd', 'dbhcht') AS pemda,
                active AND segment IN ('PU', 'JAKON', 'PMI') AS active_formal,
                active AND segment = 'BPU' AS active_informal,
                active AND pemda AND occupation = 'non_asn_staff' AS nonasn,
                active AND pemda AND occupation = 'tobacco_farmer' AS tobacco,
                active AND pemda AND occupation = 'fisher' AS fisher,
                active AND pemda AS pemda_funded
            FROM {source}
        ),
        people AS (
            SELECT region_code,
                bool_or(member) AS member, bool_or(active) AS active,
                bool_or(active_formal) AS active_formal,
                bool_or(active_informal) AS active_informal, bool_or(nonasn) AS nonasn,
                bool_or(tobacco) AS tobacco, bool_or(fisher) AS fisher,
                bool_or(pemda_funded) AS pemda_funded
            FROM spells
            GROUP BY region_code, person_id
        )
        SELECT region_code,
            coalesce(sum(member::INTEGER), 0) AS tk_members,
            coalesce(sum(active::INTEGER), 0) AS tk_active,
            coalesce(sum(active_formal::INTEGER), 0) AS tk_active_formal,
            coalesce(sum(active_informal::INTEGER), 0) AS tk_active_informal,
            coalesce(sum(nonasn::INTEGER), 0) AS tk_nonasn_active,
            coalesce(sum(tobacco::INTEGER), 0) AS tk_tobacco_farmers_active,
            coalesce(sum(fisher::INTEGER), 0) AS tk_fishers_active,
            coalesce(sum(pemda_funded::INTEGER), 0) AS tk_pemda_funded_active
        FROM people
        GROUP BY region_code
        ORDER BY region_code"""

_SQL_BUDGET = """
        WITH months(month_end) AS (VALUES {month_ends}),
        funded AS (
            SELECT * FROM {source} WHERE funding_source IN ('apbd', 'dbhcht')
        ),
        person_months AS (
            SELECT region_code, funding_source, occupation, segment, programmes, risk_class,
                month_end, count(*) AS person_months, sum(coalesce(wage_rp, 0)) AS wage_sum_rp
            FROM funded JOIN months
                ON start_date <= month_end AND (end_date IS NULL OR end_date > month_end)
                AND paid_through >= month_end
            GROUP BY ALL
        )
        SELECT region_code, funding_source, occupation,
            sum(person_months) AS person_months,
            CAST(round(sum(u.flat_rp * person_months + u.wage_share * wage_sum_rp)) AS BIGINT)
                AS cost_rp
        FROM person_months p JOIN unit_costs u
            ON p.segment = u.segment AND p.programmes = u.programmes
            AND p.risk_class IS NOT DISTINCT FROM u.risk_class
            AND p.month_end = CAST(u.month_end AS DATE)
        GROUP BY ALL
        ORDER BY ALL"""


def _pandas(files, unit_costs, args):
    """Plain pandas: read the columns, boolean masks, groupby. What a researcher writes."""
    import pandas as pd

    from helpers.measures import indicators

    columns = ["person_id", "region_code", "segment", "occupation", "funding_source",
               "wage_rp", "risk_class", "programmes", "start_date", "end_date", "paid_through"]
    started = time.perf_counter()
    df = pd.read_parquet([str(f) for f in files] if len(files) > 1 else files[0],
                         columns=columns, to_pandas_kwargs={"date_as_object": False})
    read_seconds = time.perf_counter() - started
    d = pd.Timestamp(REFERENCE_DATE)
    member = (df["start_date"] <= d) & (df["end_date"].isna() | (df["end_date"] > d))
    active = member & (df["paid_through"] >= pd.Timestamp(_first_day_of_paid_month()))
    pemda = df["funding_source"].isin(["apbd", "dbhcht"])
    masks = {
        "tk_members": member,
        "tk_active": active,
        "tk_active_formal": active & df["segment"].isin(["PU", "JAKON", "PMI"]),
        "tk_active_informal": active & (df["segment"] == "BPU"),
        "tk_nonasn_active": active & pemda & (df["occupation"] == "non_asn_staff"),
        "tk_tobacco_farmers_active": active & pemda & (df["occupation"] == "tobacco_farmer"),
        "tk_fishers_active": active & pemda & (df["occupation"] == "fisher"),
        "tk_pemda_funded_active": active & pemda,
    }
    counts = pd.DataFrame({
        name: df.loc[mask, ["region_code", "person_id"]].groupby("region_code")["person_id"]
        .nunique()
        for name, mask in masks.items()
    }).fillna(0).astype("int64")
    counts.index.name = "region_code"
    counts_seconds = time.perf_counter() - started
    if args.counts_only:
        return counts, _NO_BUDGET(), {"counts_seconds": counts_seconds, "budget_seconds": 0.0,
                                      "read_seconds": read_seconds}

    funded = df.loc[pemda]
    pieces = []
    for month_end in indicators.month_ends_of_year(REFERENCE_DATE.year, REFERENCE_DATE.month):
        m = pd.Timestamp(month_end)
        paid = ((funded["start_date"] <= m) & (funded["end_date"].isna() | (funded["end_date"] > m))
                & (funded["paid_through"] >= m))
        piece = funded.loc[paid].groupby(
            ["region_code", "funding_source", "occupation", "segment", "programmes",
             "risk_class"], as_index=False).agg(person_months=("person_id", "size"),
                                                wage_sum_rp=("wage_rp", "sum"))
        piece["month_end"] = m
        pieces.append(piece)
    months = pd.concat(pieces, ignore_index=True)
    costs = unit_costs.astype({"risk_class": "int8"})
    months = months.merge(costs, on=["segment", "programmes", "risk_class", "month_end"],
                          how="left", validate="many_to_one")
    assert months["flat_rp"].notna().all(), "a funded person-month has no contribution rate"
    months["cost_rp"] = months["flat_rp"] * months["person_months"] + \
        months["wage_share"] * months["wage_sum_rp"]
    budget = months.groupby(BUDGET_KEYS, as_index=False)[["person_months", "cost_rp"]].sum()
    budget["cost_rp"] = budget["cost_rp"].round().astype("int64")
    budget_seconds = time.perf_counter() - started - counts_seconds
    return counts, budget, {"counts_seconds": counts_seconds, "budget_seconds": budget_seconds,
                            "read_seconds": read_seconds}


# =========================================================================== checking


def compare(runs: dict[str, list[dict]], args) -> dict:
    """Same counts (exactly) and budget (person-months exactly, Rupiah within 1)."""
    import pandas as pd

    frames = {}
    for name, name_runs in runs.items():
        ok = [run for run in name_runs if run["status"] == "ok"]
        if ok:
            folder = Path(ok[0]["output_dir"])
            counts = pd.read_parquet(folder / "counts.parquet").set_index("region_code")
            counts = counts[list(COUNT_COLUMNS)].astype("int64").sort_index()
            budget = pd.read_parquet(folder / "budget.parquet")
            budget = budget.astype({"person_months": "int64", "cost_rp": "int64"})
            budget = budget.sort_values(BUDGET_KEYS).reset_index(drop=True)[
                [*BUDGET_KEYS, "person_months", "cost_rp"]]
            frames[name] = (counts, budget)
    lines, equal = [], True
    if len(frames) < 2:
        return {"equal": True, "text": "fewer than two contenders finished: nothing to compare",
                "lines": ["fewer than two contenders finished"]}
    base_name = "helpers" if "helpers" in frames else next(iter(frames))
    base_counts, base_budget = frames[base_name]
    for name, (counts, budget) in frames.items():
        if name == base_name:
            continue
        problems = []
        try:
            pd.testing.assert_frame_equal(counts, base_counts, check_names=False)
        except AssertionError as error:
            problems.append(f"counts differ: {str(error).splitlines()[0]}")
        same_keys = budget[BUDGET_KEYS].equals(base_budget[BUDGET_KEYS])
        if args.counts_only:
            pass  # no budget computed
        elif not same_keys:
            problems.append("budget rows differ")
        else:
            if not budget["person_months"].equals(base_budget["person_months"]):
                problems.append("person_months differ")
            gap = int((budget["cost_rp"] - base_budget["cost_rp"]).abs().max())
            if gap > 1:
                problems.append(f"cost_rp differs by up to Rp{gap:,}")
        equal &= not problems
        lines.append(f"{name} vs {base_name}: " + ("same numbers" if not problems
                                                   else "; ".join(problems)))
    totals = (f"{len(base_counts)} regions, tk_active {int(base_counts['tk_active'].sum()):,} "
              f"people (sum over regions)")
    if not args.counts_only:
        totals += (f", {len(base_budget)} budget rows, "
                   f"Rp{int(base_budget['cost_rp'].sum()):,} regional contributions")
    lines.append(totals)
    return {"equal": equal, "text": "\n".join(lines), "lines": lines}


# =========================================================================== results


def summarise(runs, check, prepared, args, prepare_seconds) -> dict:
    import pyarrow.parquet as pq

    stats = {}
    for name, name_runs in runs.items():
        ok = [r for r in name_runs if r["status"] == "ok"]
        stats[name] = {
            "runs": len(name_runs),
            "status": "ok" if ok and len(ok) == len(name_runs) else
                      (name_runs[-1]["status"] if name_runs else "not run"),
            "median_seconds": statistics.median(r["seconds"] for r in ok) if ok else None,
            "all_seconds": [round(r["seconds"], 1) for r in ok],
            "peak_rss_mib": max(r["peak_rss_mib"] for r in name_runs) if name_runs else None,
            "counts_seconds": statistics.median(r["counts_seconds"] for r in ok) if ok else None,
            "counts_cpu_seconds": statistics.median(r["counts_cpu_seconds"] for r in ok)
                                  if ok and all("counts_cpu_seconds" in r for r in ok) else None,
            "all_counts_seconds": [round(r["counts_seconds"], 1) for r in ok],
            "duckdb": next((r.get("duckdb") for r in ok), None),
            "shim": next((r.get("shim") for r in ok if r.get("shim")), None),
            "budget_seconds": statistics.median(r["budget_seconds"] for r in ok) if ok else None,
            "unit_cost": next((r.get("unit_cost") for r in ok if r.get("unit_cost")), None),
            "stopped_after_seconds": (name_runs[-1]["wall_seconds"]
                                      if name_runs and not ok else None),
        }
    rows = sum(pq.ParquetFile(p).metadata.num_rows for p in prepared)
    size = sum(p.stat().st_size for p in prepared)
    return {"label": args.label, "rows": rows, "parquet_bytes": size, "files": len(prepared),
            "stats": stats, "check": check, "args": {
                "repeat": args.repeat, "pandas_repeat": args.pandas_repeat,
                "memory_limit": args.memory_limit, "threads": args.threads,
                "pandas_cap_gib": args.pandas_cap_gib, "counts_only": args.counts_only,
                "engines": args.engines, "base_ref": args.base_ref,
                "base_commit": getattr(args, "base_commit", None)},
            "prepare_seconds": prepare_seconds,
            "finished": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine_description(), "command": _command(args)}


def _command(args) -> str:
    parts = [".venv/bin/python bench/run.py"]
    if args.rows != 50_000_000:
        parts.append(f"--rows {args.rows}")
    if args.label != _rows_label(args.rows):
        parts.append(f"--label {args.label}")
    if args.contenders_given != list(DEFAULT_CONTENDERS):
        parts.append(f"--contenders {','.join(args.contenders_given)}")
    for label, python in args.engines.items():
        parts.append(f"--engine {label}={python}")
    if args.base_ref:
        parts.append(f"--base-ref {args.base_ref}")
    if args.counts_only:
        parts.append("--counts-only")
    for flag, value, default in (("--repeat", args.repeat, 3),
                                 ("--pandas-repeat", args.pandas_repeat, 1),
                                 ("--jobs", args.jobs, 1),
                                 ("--memory-limit", args.memory_limit, "3GB")):
        if value != default:
            parts.append(f"{flag} {value}")
    if args.no_unit_cost_memo:
        parts.append("--no-unit-cost-memo")
    return " ".join(parts)


def machine_description() -> dict:
    import duckdb
    import ibis
    import numpy
    import pandas
    import pyarrow

    cpu = "unknown"
    try:
        cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text()).group(1)
    except (OSError, AttributeError):
        pass
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores (shared with other work)",
        "memory": f"{memory_gib:.1f} GiB, no swap" if not _has_swap() else f"{memory_gib:.1f} GiB",
        "os": f"{platform.system()} {platform.release()} ({_os_name()})",
        "disk": f"{shutil.disk_usage(DATA_DIR).free / 2**30:.0f} GiB free",
        "python": platform.python_version(),
        "versions": f"duckdb {duckdb.__version__}, ibis-framework {ibis.__version__}, "
                    f"pandas {pandas.__version__}, pyarrow {pyarrow.__version__}, "
                    f"numpy {numpy.__version__}",
    }


def _has_swap() -> bool:
    try:
        return int(re.search(r"SwapTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) > 0
    except (OSError, AttributeError):
        return False


def _os_name() -> str:
    try:
        return re.search(r'PRETTY_NAME="(.*)"', Path("/etc/os-release").read_text()).group(1)
    except (OSError, AttributeError):
        return "unknown"


def write_results(summary: dict, args) -> None:
    """Replace (or add) this label's section of results.md; keep the others."""
    path = args.results
    text = path.read_text() if path.exists() else _RESULTS_HEAD
    start, end = f"<!-- bench:{summary['label']} -->", f"<!-- /bench:{summary['label']} -->"
    section = f"{start}\n{render_section(summary)}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else \
        text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)
    raw = DATA_DIR / "runs" / f"{summary['label']}.json"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text(json.dumps(summary, indent=2, default=str))


_RESULTS_HEAD = """# Benchmark results

Written by `bench/run.py` (`make bench`); each section is replaced when its run is repeated.
What is timed and how memory is measured: `bench/README.md`.
"""


def render_section(summary: dict) -> str:
    stats = summary["stats"]
    sql = stats.get("sql", {}).get("median_seconds")
    best_sql = min((stats[name]["median_seconds"] for name in ("sql", "sql_two_step")
                    if stats.get(name, {}).get("median_seconds")), default=None)
    pandas_stats = stats.get("pandas", {})
    pandas_median = pandas_stats.get("median_seconds")
    lines = [
        f"## {summary['label']}: {summary['rows']:,} rows",
        "",
        f"Run finished {summary['finished']}. Command: `{summary['command']}`",
        "",
        f"Input: {summary['rows']:,} jamsostek-like spells over 514 kab/kota in "
        f"{summary['files']} Parquet file(s) ({summary['parquet_bytes'] / 2**30:.1f} GiB, "
        f"zstd), in the intake's column layout. Indicators at {REFERENCE_DATE}, grace "
        f"{GRACE_MONTHS} month: the eight jamsostek_counts columns per region"
        + (" (the budget not computed: --counts-only)" if summary["args"].get("counts_only")
           else " and jamsostek_budget (person-months and Rupiah, January to December, per "
                "region × funding source × occupation)")
        + f". DuckDB: memory_limit {summary['args']['memory_limit']}, "
        f"{summary['args']['threads']} threads, spilling to bench/data/duckdb-tmp. pandas "
        f"stopped above {summary['args']['pandas_cap_gib']:g} GiB RSS. Times are medians of "
        f"{summary['args']['repeat']} round(s) run side by side (pandas: "
        f"{summary['args']['pandas_repeat']}).",
        "",
        "| contender | status | median time | runs (s) | counts + budget (s) | ÷ sql "
        "| ÷ fastest SQL | pandas ÷ this | peak RSS |",
        "| --- | --- | ---: | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name in stats:
        s = stats[name]
        median = s["median_seconds"]

        def ratio(base, median=median):
            return f"{median / base:.2f}×" if median and base else "–"

        if median and pandas_median:
            ratio_pandas = f"{pandas_median / median:.1f}×"
        elif median and pandas_stats and pandas_stats.get("status") != "ok":
            ratio_pandas = "pandas out of memory" if "memory" in pandas_stats["status"] \
                else "pandas did not finish"
        else:
            ratio_pandas = "–"
        status = s["status"]
        if s.get("stopped_after_seconds"):
            status += f" after {s['stopped_after_seconds']:,.0f} s"
        split = (f"{s['counts_seconds']:.1f} + {s['budget_seconds']:.1f}"
                 if s["counts_seconds"] is not None else "–")
        lines.append(
            f"| {name} | {status} | {f'{median:,.1f} s' if median else '–'} | "
            f"{', '.join(map(str, s['all_seconds'])) or '–'} | {split} | {ratio(sql)} | "
            f"{ratio(best_sql)} | {ratio_pandas} | {s['peak_rss_mib'] / 1024:,.2f} GiB |")
    lines += _limit_table(summary)
    lines += ["", "Same numbers: " + "; ".join(summary["check"]["lines"]) + "."]
    lines += ["", "Contenders: " + "; ".join(
        f"`{name}` = {CONTENDER_NOTES[_kind(name)]}" for name in stats) + "."]
    engines = summary["args"].get("engines") or {}
    if engines:
        lines += ["", "Engines: " + "; ".join(
            f"`@{label}` = `{python}` (duckdb "
            f"{next((s['duckdb'] for n, s in stats.items() if n.endswith('@' + label) and s.get('duckdb')), '?')})"
            for label, python in engines.items()) + "; others: the harness's Python."]
    shims = sorted({f"`{n}`" for n, s in stats.items() if s.get("shim")})
    if shims:
        lines += ["", f"{', '.join(shims)}: Ibis 12 on DuckDB 2 through the harness's shim "
                      f"({next(s['shim'] for s in stats.values() if s.get('shim'))}; "
                      "`_duckdb2_shim` in bench/run.py)."]
    if summary["args"].get("base_ref"):
        lines += ["", f"`helpers_base` = src/ of `{summary['args']['base_ref']}` "
                      f"({summary['args'].get('base_commit')})."]
    memo = stats.get("helpers", {}).get("unit_cost")
    if memo == "memoised by the harness":
        lines += ["", "`helpers`: `indicators.jamsostek_unit_cost` memoised by the harness "
                      "(as shipped it costs ~1 h of Python at this size; README, "
                      "“What is timed”)."]
    machine = summary["machine"]
    lines += ["", f"Machine: {machine['cpu']}; {machine['memory']}; {machine['os']}; "
                  f"{machine['disk']}; Python {machine['python']}; {machine['versions']}.",
              f"Generating and preparing the input (not timed above, reused when present): "
              f"{summary['prepare_seconds']:,.0f} s in this run."]
    return "\n".join(lines)


def _limit_table(summary: dict) -> list[str]:
    """Counting alone against ``duckdb_sql_limit`` on the same engine (issue 16.6)."""
    stats = summary["stats"]
    limits = {name.partition("@")[2]: s for name, s in stats.items()
              if _kind(name) == "duckdb_sql_limit" and s.get("counts_seconds")}
    if not limits:
        return []
    lines = ["", "Counting alone (jamsostek_counts or its SQL, connecting and reading "
                 "included), against `duckdb_sql_limit` in the same environment; CPU = "
                 "user + system seconds of the contender's process:", "",
             "| contender | duckdb | counts: median s | runs (s) | median CPU s "
             "| ÷ limit (time) | ÷ limit (CPU) | peak RSS ÷ limit |",
             "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: |"]
    for name, s in stats.items():
        limit = limits.get(name.partition("@")[2])
        if not s.get("counts_seconds") or _kind(name) == "pandas":
            continue

        def over(key, s=s, limit=limit):
            return f"{s[key] / limit[key]:.2f}×" if limit and s.get(key) and limit.get(key) \
                else "–"

        cpu = f"{s['counts_cpu_seconds']:.1f}" if s.get("counts_cpu_seconds") else "–"
        lines.append(f"| {name} | {s.get('duckdb') or '?'} | {s['counts_seconds']:.1f} | "
                     f"{', '.join(map(str, s['all_counts_seconds']))} | {cpu} | "
                     f"{over('counts_seconds')} | {over('counts_cpu_seconds')} | "
                     f"{over('peak_rss_mib')} |")
    return lines


if __name__ == "__main__":
    sys.exit(main())
