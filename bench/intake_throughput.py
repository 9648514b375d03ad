"""Benchmark: cold intake of the NTB sample against a hand-written DuckDB query (issue 16.5).

Contenders, each in a fresh subprocess, interleaved round by round (a busy machine slows
all of them alike):

- ``intake``: ``helpers.data.intake.load_registry`` of ``data/sample/jamsostek.parquet``
  and ``jkn.parquet`` as in ``src/``, cold: an empty cache folder, so both registries are
  read, validated, pseudonymised and written to the cache;
- ``intake_base``: the same with ``src/`` of ``--base-ref`` (default ``main``), extracted
  by ``git archive`` into ``bench/data/intake-base-<ref>/``: the "before" of a change;
- ``limit``: one hand-written DuckDB ``COPY`` per registry (:func:`limit_sql`) that reads
  the same Parquet, normalises and checks the same columns, hashes the NIK with the same
  HMAC-SHA256 and writes the accepted rows to Parquet. What it leaves out is listed in
  :data:`LIMIT_OMITS`.

Usage::

    .venv/bin/python bench/intake_throughput.py                  # 3 rounds, base = main
    .venv/bin/python bench/intake_throughput.py --repeat 5 --base-ref none
    .venv/bin/python bench/intake_throughput.py --profile        # time each phase, once

What is timed: from before the first ``load_registry`` (or ``duckdb.connect``) until both
registries are in the cache (or written); Python start-up and imports are not. CPU seconds
are the child's user + system time over the same span (DuckDB threads included). After
the timing each intake child writes, untimed, a digest of each accepted table (sum of the
MD5 of every row: independent of row order), the SHA-256 of the ledger as CSV and of the
summary without its path; the parent checks that ``intake`` and ``intake_base`` agree.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"
SAMPLE_DIR = ROOT / "data" / "sample"
RESULTS_PATH = BENCH_DIR / "results.md"
REGISTRIES = ("jamsostek", "jkn")
CONTENDERS = ("intake", "intake_base", "limit")
#: A fixed benchmark key (64 characters, like a generated key); never a real one.
BENCH_KEY = "bench-intake-throughput-" + "0123456789abcdef" * 2 + "0123456789abcdef"[:8]
#: The rules of the intake the limit query does not apply (it is a lower bound).
LIMIT_OMITS = (
    "value spellings: only the canonical codes are accepted (no vocabularies.csv lookup)",
    "dates: ISO YYYY-MM-DD only (no DD/MM/YYYY, no Excel serial numbers)",
    "no ledger detail texts, no per-reason counts, no duplicate collapsing, "
    "no NIK-as-number check, no summary counts",
)
LABEL = "intake-ntb"


# =========================================================================== parent


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.child:
        return run_child(args)
    if args.profile:
        return profile_phases()
    # Load inputs
    for registry in REGISTRIES:
        if not (SAMPLE_DIR / f"{registry}.parquet").exists():
            raise SystemExit(f"data/sample/{registry}.parquet is missing: run `cakupan sample` "
                             "or copy the sample there")
    contenders = [name for name in args.contenders.split(",") if name]
    base_src = None
    if "intake_base" in contenders:
        if args.base_ref == "none":
            contenders.remove("intake_base")
        else:
            base_src = extract_base(args.base_ref)
    # Process data: rounds, each contender once per round, in a fresh process
    runs: dict[str, list[dict]] = {name: [] for name in contenders}
    for round_number in range(1, args.repeat + 1):
        for name in contenders:
            run = measure(name, base_src, args)
            runs[name].append(run)
            print(f"round {round_number} {name:12s} wall {run['seconds']:6.2f} s  "
                  f"cpu {run['cpu_seconds']:6.2f} s  peak {run['hwm_kib'] / 2**20:4.2f} GiB",
                  flush=True)
    summary = summarise(runs, args)
    print(render_section(summary))
    # Save outputs
    if not args.no_write:
        write_section(summary, args.results)
    return 0 if summary["identical"] in (True, None) else 1


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="rounds (median of these)")
    parser.add_argument("--contenders", default=",".join(CONTENDERS),
                        help="comma-separated, of " + ", ".join(CONTENDERS))
    parser.add_argument("--base-ref", default="main",
                        help="git ref whose src/ is intake_base ('none' = leave it out)")
    parser.add_argument("--label", default=LABEL, help="section of bench/results.md")
    parser.add_argument("--results", type=Path, default=RESULTS_PATH)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--profile", action="store_true",
                        help="run the intake once and time each DuckDB statement")
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.argv = argv if argv is not None else sys.argv[1:]
    return args


def extract_base(ref: str) -> Path:
    """``src/`` of ``ref`` in ``bench/data/intake-base-<ref>/src`` (re-extracted each run)."""
    commit = subprocess.run(["git", "rev-parse", "--short", ref], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.strip()
    folder = DATA_DIR / f"intake-base-{re.sub(r'[^A-Za-z0-9_.-]', '_', ref)}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref, "src"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    (folder / "COMMIT").write_text(commit)
    return folder / "src"


def measure(name: str, base_src: Path | None, args) -> dict:
    """One contender in a fresh subprocess; its timing.json plus the digests."""
    out = Path(tempfile.mkdtemp(prefix=f"intake-{name}-", dir=_runs_dir()))
    env = {**os.environ, "CAKUPAN_KEY": BENCH_KEY, "PYTHONDONTWRITEBYTECODE": "1"}
    if name == "intake_base":
        env["PYTHONPATH"] = str(base_src)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--out", str(out)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    run = json.loads((out / "timing.json").read_text())
    shutil.rmtree(out, ignore_errors=True)  # the cache copy holds person-level rows
    return run


def _runs_dir() -> Path:
    folder = DATA_DIR / "intake-runs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def summarise(runs: dict[str, list[dict]], args) -> dict:
    stats = {}
    for name, values in runs.items():
        stats[name] = {
            "median_seconds": statistics.median(v["seconds"] for v in values),
            "median_cpu_seconds": statistics.median(v["cpu_seconds"] for v in values),
            "peak_gib": max(v["hwm_kib"] for v in values) / 2**20,
            "seconds": [round(v["seconds"], 2) for v in values],
            "rows_read": values[0].get("rows_read"),
            "rows_accepted": values[0].get("rows_accepted"),
        }
    digests = {name: {json.dumps(v["digests"], sort_keys=True) for v in values}
               for name, values in runs.items() if name != "limit"}
    identical = None
    if len(digests) == 2:
        identical = len(digests["intake"] | digests["intake_base"]) == 1
    person_ids_match = None
    if "limit" in runs and "intake" in runs:
        person_ids_match = all(
            runs["limit"][0]["digests"][registry]["person_ids"]
            == runs["intake"][0]["digests"][registry]["person_ids"] for registry in REGISTRIES)
    base_commit = None
    if "intake_base" in runs:
        base_commit = (DATA_DIR / f"intake-base-{re.sub(r'[^A-Za-z0-9_.-]', '_', args.base_ref)}"
                       / "COMMIT").read_text()
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip()
    return {
        "label": args.label,
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": ".venv/bin/python bench/intake_throughput.py " + " ".join(args.argv),
        "stats": stats,
        "identical": identical,
        "person_ids_match": person_ids_match,
        "base": f"{args.base_ref} ({base_commit})" if base_commit else None,
        "head": head,
        "load": os.getloadavg(),
        "digests": {name: json.loads(next(iter(values))) for name, values in digests.items()},
    }


def render_section(summary: dict) -> str:
    stats = summary["stats"]
    limit = stats.get("limit")
    lines = [f"<!-- bench:{summary['label']} -->",
             f"## {summary['label']}: cold intake of the NTB sample (issue 16.5)", "",
             f"{summary['when']}, checkout {summary['head']}; load average at the end "
             f"{summary['load'][0]:.1f} / {summary['load'][1]:.1f} / {summary['load'][2]:.1f} "
             "(1 / 5 / 15 min) on 2 cores: other jobs were running, so read the ratios "
             "more than the seconds.", "",
             f"```sh\n{summary['command']}\n```", "",
             "| contender | median wall s | median CPU s | wall / limit | CPU / limit | peak GiB "
             "| runs (s) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name in CONTENDERS:
        if name not in stats:
            continue
        row = stats[name]
        ratio = (f"{row['median_seconds'] / limit['median_seconds']:.2f}×" if limit else "–")
        cpu_ratio = (f"{row['median_cpu_seconds'] / limit['median_cpu_seconds']:.2f}×"
                     if limit else "–")
        lines.append(f"| `{name}` | {row['median_seconds']:.2f} | {row['median_cpu_seconds']:.2f} "
                     f"| {ratio} | {cpu_ratio} | {row['peak_gib']:.2f} | "
                     f"{', '.join(str(s) for s in row['seconds'])} |")
    lines.append("")
    if summary["base"]:
        lines.append(f"`intake_base` = `src/` of {summary['base']}. ")
    if summary["identical"] is not None:
        lines.append("Accepted tables (order-free row digest), ledgers and summaries of "
                     f"`intake` and `intake_base`: **{'identical' if summary['identical'] else 'DIFFERENT'}**.")
    if summary["person_ids_match"] is not None:
        lines.append(f"The limit's person_ids equal the intake's: "
                     f"{'yes' if summary['person_ids_match'] else 'no'} (it accepts "
                     f"{stats['limit']['rows_accepted']:,} of {stats['limit']['rows_read']:,} "
                     f"rows; the intake {stats['intake']['rows_accepted']:,}).")
    lines.append("The limit omits: " + "; ".join(LIMIT_OMITS) + ".")
    lines.append(f"<!-- /bench:{summary['label']} -->")
    return "\n".join(lines)


def write_section(summary: dict, path: Path) -> None:
    section = render_section(summary)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"<!-- bench:{re.escape(summary['label'])} -->.*?"
                         rf"<!-- /bench:{re.escape(summary['label'])} -->", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else \
        text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")
    (_runs_dir() / f"{summary['label']}.json").write_text(json.dumps(summary, indent=1))


# =========================================================================== children


def run_child(args) -> int:
    out = Path(args.out)
    cache = out / "cache"
    cache.mkdir()
    if args.child == "limit":
        import duckdb

        before, started = _cpu_seconds(), time.perf_counter()
        targets = run_limit(duckdb, out)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - before
        facts = {registry: _limit_facts(registry, target) for registry, target in targets.items()}
    else:
        from helpers import paths
        from helpers.data import intake

        paths.cache_dir = lambda: cache  # cold: an empty cache folder of this run
        before, started = _cpu_seconds(), time.perf_counter()
        results = {registry: intake.load_registry(SAMPLE_DIR / f"{registry}.parquet", registry)
                   for registry in REGISTRIES}
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - before
        facts = {registry: _intake_facts(result, cache) for registry, result in results.items()}
    timing = {
        "seconds": seconds, "cpu_seconds": cpu, "hwm_kib": _own_hwm_kib(),
        "rows_read": sum(f["rows_read"] for f in facts.values()),
        "rows_accepted": sum(f["rows_accepted"] for f in facts.values()),
        "digests": facts,
    }
    (out / "timing.json").write_text(json.dumps(timing))
    return 0


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _own_hwm_kib() -> int:
    match = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())
    return int(match.group(1)) if match else 0


def table_digest(raw, relation_sql: str) -> dict:
    """Order-free digest of a table: row count and the sums of the two 64-bit halves of
    each row's MD5 (of the row as text), and the same over person_id alone."""
    rows, upper, lower, ids = raw.execute(f"""
        SELECT count(*), sum(md5_number_upper(CAST(r AS VARCHAR))),
               sum(md5_number_lower(CAST(r AS VARCHAR))),
               sum(md5_number_lower(r.person_id))
        FROM (SELECT * FROM {relation_sql}) AS r""").fetchone()
    return {"rows": int(rows), "table": f"{int(upper):x}-{int(lower):x}",
            "person_ids": f"{int(ids):x}"}


def _intake_facts(result, cache: Path) -> dict:
    """Digests of one intake result: its cached table, ledger and summary (path left out)."""
    import duckdb

    cached = sorted(cache.glob(f"{result.summary.registry}-*.parquet"))
    digest = table_digest(duckdb.connect(), f"read_parquet('{cached[0]}')")
    summary = result.summary.as_dict()
    summary.pop("path", None)
    ledger_csv = result.ledger.to_csv(index=False).encode()
    return {"rows_read": result.summary.rows_read, "rows_accepted": result.summary.rows_accepted,
            **digest, "ledger_sha256": hashlib.sha256(ledger_csv).hexdigest()[:16],
            "ledger_rows": len(result.ledger),
            "summary_sha256": hashlib.sha256(json.dumps(summary, sort_keys=True,
                                                        default=str).encode()).hexdigest()[:16]}


def _limit_facts(registry: str, target: Path) -> dict:
    import duckdb

    raw = duckdb.connect()
    rows_read = raw.execute(f"SELECT count(*) FROM read_parquet("
                            f"'{SAMPLE_DIR / f'{registry}.parquet'}')").fetchone()[0]
    digest = table_digest(raw, f"read_parquet('{target}')")
    return {"rows_read": rows_read, "rows_accepted": digest["rows"], **digest}


# --------------------------------------------------------------------------- the limit


def run_limit(duckdb, out: Path) -> dict[str, Path]:
    """The hand-written limit: one COPY per registry; returns the written files."""
    raw = duckdb.connect()
    raw.execute("SET enable_progress_bar = false")
    raw.execute("SET threads = 2")
    targets = {}
    for registry in REGISTRIES:
        target = out / f"limit-{registry}.parquet"
        raw.execute(f"COPY ({limit_sql(registry, SAMPLE_DIR / f'{registry}.parquet', BENCH_KEY)}) "
                    f"TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
        targets[registry] = target
    return targets


def _hmac_pads(key: str) -> tuple[str, str]:
    """RFC 2104 inner and outer pads of ``key`` as hex (the key is shorter than 64 bytes)."""
    raw = key.encode().ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in raw).hex(), bytes(b ^ 0x5C for b in raw).hex()


def limit_sql(registry: str, path: Path, key: str) -> str:
    """Read, normalise, check and hash one registry in one query; the accepted rows."""
    inner, outer = _hmac_pads(key)
    regions = "'52.01','52.02','52.03','52.04','52.05','52.06','52.07','52.08','52.71','52.72'"
    jamsostek = registry == "jamsostek"
    segments = ("'PU','BPU','JAKON','PMI'" if jamsostek else
                "'PBI_APBN','PBPU_PEMDA','PPU','PBPU','BP'")
    extra_in = ("occupation, funding_source, wage_rp, risk_class, "
                "upper(trim(programmes)) AS programmes," if jamsostek else "care_class,")
    extra_check = ("WHEN wage_rp < 0 OR wage_rp > 1000000000 THEN 'invalid_wage' "
                   "WHEN risk_class NOT BETWEEN 1 AND 5 THEN 'invalid_value' "
                   if jamsostek else
                   "WHEN care_class NOT BETWEEN 1 AND 3 THEN 'invalid_value' ")
    extra_out = ("coalesce(occupation, 'other') AS occupation, funding_source, wage_rp, "
                 "risk_class, programmes," if jamsostek else "care_class,")
    return f"""
WITH s AS (
    SELECT regexp_replace(trim(nik), '[ .\\-]', '', 'g') AS nik,
        trim(sex) AS sex, trim(region_code) AS region_code,
        trim(district_code) AS district_code, trim(segment) AS segment, {extra_in}
        try_strptime(birth_date, '%Y-%m-%d')::DATE AS birth_date,
        try_strptime(start_date, '%Y-%m-%d')::DATE AS start_date,
        try_strptime(end_date, '%Y-%m-%d')::DATE AS end_date,
        try_strptime(paid_through, '%Y-%m-%d')::DATE AS paid_through,
        birth_date IS NOT NULL AND trim(birth_date) <> '' AS has_birth_date,
        end_date IS NOT NULL AND trim(end_date) <> '' AS has_end_date,
        paid_through IS NOT NULL AND trim(paid_through) <> '' AS has_paid_through
    FROM read_parquet('{path}')
), v AS (
    SELECT *, CASE
        WHEN nik IS NULL OR sex IS NULL OR region_code IS NULL OR segment IS NULL
             OR start_date IS NULL THEN 'missing_value'
        WHEN NOT regexp_full_match(nik, '[0-9]{{16}}')
             OR CAST(substr(nik, 1, 2) AS INTEGER) NOT BETWEEN 11 AND 96
             OR NOT (CAST(substr(nik, 7, 2) AS INTEGER) BETWEEN 1 AND 31
                     OR CAST(substr(nik, 7, 2) AS INTEGER) BETWEEN 41 AND 71)
             OR CAST(substr(nik, 9, 2) AS INTEGER) NOT BETWEEN 1 AND 12
             OR substr(nik, 13, 4) = '0000' THEN 'invalid_nik'
        WHEN sex NOT IN ('L', 'P') OR segment NOT IN ({segments}) THEN 'invalid_value'
        WHEN district_code IS NOT NULL
             AND NOT regexp_full_match(district_code, '[0-9]{{2}}\\.[0-9]{{2}}\\.[0-9]{{2}}')
             THEN 'invalid_value'
        WHEN (has_birth_date AND birth_date IS NULL) OR (has_end_date AND end_date IS NULL)
             OR (has_paid_through AND paid_through IS NULL) THEN 'unparseable_date'
        WHEN end_date < start_date THEN 'end_before_start'
        WHEN region_code NOT IN ({regions})
             OR substr(district_code, 1, 5) <> region_code THEN 'unknown_region'
        {extra_check}
    END AS reason
    FROM s
)
SELECT
    substr(sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || encode(nik)))), 1, 32)
        AS person_id,
    sex,
    CAST(coalesce(year(birth_date), CASE WHEN 2000 + CAST(substr(nik, 11, 2) AS INTEGER)
        <= year(start_date) THEN 2000 ELSE 1900 END + CAST(substr(nik, 11, 2) AS INTEGER))
        AS SMALLINT) AS birth_year,
    region_code, district_code, substr(nik, 1, 2) || '.' || substr(nik, 3, 2) AS nik_region_code,
    segment, {extra_out} start_date, end_date, paid_through
FROM v WHERE reason IS NULL"""


# --------------------------------------------------------------------------- --profile


def profile_phases() -> int:
    """Run the cold intake once; print the seconds of each DuckDB statement and the rest."""
    os.environ.setdefault("CAKUPAN_KEY", BENCH_KEY)
    import ibis

    from helpers import paths
    from helpers.data import intake

    class TimedConnection:
        """The DuckDB connection under Ibis, timing every ``execute``."""

        def __init__(self, real):
            self._real, self.log = real, []

        def execute(self, query, *args, **kwargs):
            started = time.perf_counter()
            result = self._real.execute(query, *args, **kwargs)
            self.log.append((time.perf_counter() - started, " ".join(str(query).split())))
            return result

        def __getattr__(self, name):
            return getattr(self._real, name)

    with tempfile.TemporaryDirectory(dir=_runs_dir()) as folder:
        paths.cache_dir = lambda: Path(folder)
        for registry in REGISTRIES:
            con = ibis.duckdb.connect()
            con.raw_sql("SET enable_progress_bar = false")
            timed = TimedConnection(con.con)
            con.con = timed
            before, started = _cpu_seconds(), time.perf_counter()
            intake.load_registry(SAMPLE_DIR / f"{registry}.parquet", registry, con=con)
            seconds, cpu = time.perf_counter() - started, _cpu_seconds() - before
            in_sql = sum(d for d, _ in timed.log)
            print(f"{registry}: {seconds:.2f} s wall, {cpu:.2f} s CPU; DuckDB statements "
                  f"{in_sql:.2f} s, the rest (Python, file hashes, cache files) "
                  f"{seconds - in_sql:.2f} s")
            for duration, query in timed.log:
                if duration >= 0.05:
                    text = re.sub(r"unhex\('[0-9a-f]+'\)", "unhex('…')", query)  # the key
                    print(f"  {duration:7.2f} s  {text[:100]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
