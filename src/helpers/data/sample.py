"""Synthetic NTB registries: person-level membership histories for BPJS TK and JKN.

The generator draws one synthetic resident population per kab/kota (sized from
``data/reference/population.csv``), enrols residents in JKN and working-age residents in
BPJS Ketenagakerjaan, and writes both registries with the DESIGN section 4 schema to
``data/sample/``. Every NIK follows the NIK structure but is synthetic; names come from
short made-up lists.

Each kab/kota is calibrated to its own targets in ``data/reference/sample_targets.csv``
(every row with its source and status; Derivations S1-S9 in ``data/README.md``): BPJS TK
active formal and informal people that add up to the published NTB totals (756,783 and
208,558 at 2024-12-31), the regional programmes (Lombok Tengah: exactly 13,600 non-ASN,
6,000 tobacco farmers, 500 fishermen), JKN enrolment and active rates (Lombok Timur
95.95 % / 71.67 % in March 2024, Lombok Utara 101.93 % / 99.4 %) and Pemda-paid members.
Counts scale with ``scale``. The modules:

- :mod:`helpers.data.sample_design`: the targets per region and the shape constants;
- :mod:`helpers.data.sample_people`: residents, NIKs, spell arrays and counting rules;
- :mod:`helpers.data.sample_jkn`, :mod:`helpers.data.sample_jamsostek`: the spells;
- :mod:`helpers.data.sample_tables`: Arrow tables and injected faults;
- this module: the entry points, the manifest, the CLI and the benchmark registry.

Faults are injected as extra rows, each carrying exactly one fault, at the rates in
``FAULT_RATES``; the counts go to ``manifest.json`` so the intake can be checked.
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from helpers.data import reference
from helpers.data.sample_design import (
    AS_OF_DATE,
    CALIBRATION_DATE,
    region_targets,
    resident_factor,
    targets_manifest,
)
from helpers.data.sample_jamsostek import jamsostek_spells
from helpers.data.sample_jkn import jkn_spells
from helpers.data.sample_people import (
    NO_DATE,
    Plan,
    day,
    month_end,
    niks,
    residents,
    spells,
    uniform_days,
)
from helpers.data.sample_tables import FAULT_RATES, inject_faults, prefix_mismatches, to_table
from helpers.data.schema import JAMSOSTEK_SEGMENTS
from helpers.errors import ParameterError
from helpers.paths import sample_dir

__all__ = ["AS_OF_DATE", "CALIBRATION_DATE", "DEFAULT_SEED", "FAULT_RATES", "ensure_sample",
           "generate_sample", "register_cli", "run_cli", "write_benchmark_registry"]

GENERATOR_VERSION = "2"
DEFAULT_SEED = 20241231
#: The region whose calibrated programme figures the golden tests check.
LOMBOK_TENGAH = "52.02"


def generate_sample(
    out_dir: str | Path | None = None,
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    region_codes: list[str] | None = None,
    province_code: str = "52",
    serial_offset: int = 0,
) -> dict:
    """Write ``jamsostek.parquet``, ``jkn.parquet`` and ``manifest.json`` to ``out_dir``.

    Args:
        out_dir: Target folder; default ``data/sample``.
        seed: Random seed; the same seed, scale and regions give identical files.
        scale: Fraction of full size (1.0 = every NTB resident); calibrated figures scale too.
        region_codes: Kab/kota to generate (default: every kab/kota of the province).
        province_code: The province (default NTB, '52'); another province needs the
            national reference set (:mod:`helpers.data.sample_national`).
        serial_offset: Added to every NIK serial (the national sample gives each province
            its own range; NTB 0).

    Returns:
        The manifest: rows written, injected fault counts by reason, prefix mismatches,
        the (scaled) calibration targets and timings.

    Raises:
        ParameterError: an unknown region code or a scale outside (0, 1].
    """
    started = time.perf_counter()
    known = reference.kabkota_codes(province_code)
    codes = tuple(known if not region_codes else region_codes)
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ParameterError(f"unknown kab/kota code(s) {', '.join(unknown)}",
                             fix=f"use codes from data/reference/regions.csv: {', '.join(known)}")
    if not 0 < scale <= 1:
        raise ParameterError(f"scale {scale} is outside (0, 1]", fix="use e.g. --scale 0.01")
    # Load inputs
    plan = Plan(seed=seed, scale=scale, region_codes=codes, serial_offset=serial_offset)
    targets = region_targets(codes, scale)
    out = Path(out_dir) if out_dir else sample_dir()
    out.mkdir(parents=True, exist_ok=True)
    # Process data
    rng = np.random.default_rng(seed)  # names and faults; spells use per-region streams
    people = residents(plan, {c: resident_factor(t.jkn_coverage) for c, t in targets.items()})
    manifest: dict = {
        "generator_version": GENERATOR_VERSION, "seed": seed, "scale": scale,
        "region_codes": list(codes), "as_of_date": AS_OF_DATE.isoformat(),
        "calibration_date": CALIBRATION_DATE.isoformat(), "fault_rates": FAULT_RATES,
        "residents": int(len(people["nik"])), "registries": {},
        "targets": targets_manifest(targets),
    }
    if LOMBOK_TENGAH in codes:
        target = targets[LOMBOK_TENGAH]
        manifest["calibration"] = {
            "region_code": LOMBOK_TENGAH,
            "tk_nonasn_active": target.non_asn,
            "tk_tobacco_farmers_active": target.tobacco_at(2024),
            "tk_tobacco_farmers_active_2025": target.tobacco_at(2025),
            "tk_fishers_active": target.fishers,
        }
    # Save outputs
    for registry, build in (("jamsostek", jamsostek_spells), ("jkn", jkn_spells)):
        spell_arrays = build(plan, people, targets)
        table = to_table(rng, spell_arrays, people, codes, registry)
        mismatches = prefix_mismatches(table)
        table, faults = inject_faults(rng, table, registry)
        path = out / f"{registry}.parquet"
        pq.write_table(table, path, compression="zstd", row_group_size=1_000_000)
        manifest["registries"][registry] = {
            "file": path.name, "rows": table.num_rows,
            "valid_rows": table.num_rows - sum(faults.values()),
            "faults": faults, "prefix_mismatches": mismatches,
            "bytes": path.stat().st_size,
        }
    manifest["seconds"] = round(time.perf_counter() - started, 1)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def ensure_sample(out_dir: str | Path | None = None, **options) -> dict:
    """Return the sample manifest, generating the sample first when it is missing or was
    made by an older generator."""
    out = Path(out_dir) if out_dir else sample_dir()
    manifest_path = out / "manifest.json"
    if manifest_path.exists() and all((out / f"{r}.parquet").exists()
                                      for r in ("jamsostek", "jkn")):
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("generator_version") == GENERATOR_VERSION:
            return manifest
    return generate_sample(out, **options)


def write_benchmark_registry(path: str | Path, rows: int, *, seed: int = DEFAULT_SEED,
                             chunk_rows: int = 2_000_000, region_count: int = 514) -> dict:
    """Write a large jamsostek-like Parquet registry in chunks, never holding it whole.

    Spells are spread over ``region_count`` synthetic kab/kota (codes ``PP.KK`` of
    Indonesia's province codes); every row is valid, so the benchmark measures indicators,
    not rejection. Memory stays at one chunk.

    Returns:
        ``{"rows", "bytes", "seconds", "regions"}``.
    """
    started = time.perf_counter()
    provinces = np.array([11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51,
                          52, 53, 61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92,
                          93, 94, 95, 96])
    region_prov = provinces[np.arange(region_count) % len(provinces)]
    region_kab = np.arange(region_count) // len(provinces) + 1
    region_codes = np.array([f"{p}.{k:02d}" for p, k in zip(region_prov, region_kab)])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    writer = None
    written = 0
    serial_base = 0
    try:
        while written < rows:
            size = min(chunk_rows, rows - written)
            region = rng.integers(0, region_count, size)
            female = rng.random(size) < 0.5
            birth = uniform_days(rng, date(1960, 1, 1), date(2006, 12, 31), size)
            residents = {"region": region, "district": rng.integers(1, 20, size),
                         "female": female, "birth": birth, "reg_prov": region_prov[region],
                         "reg_kab": region_kab[region], "reg_kec": rng.integers(1, 20, size)}
            residents["nik"] = niks(residents) + serial_base
            serial_base = (serial_base + 1) % 7  # shifts serials so chunks rarely collide
            segment = rng.choice(np.array(JAMSOSTEK_SEGMENTS), size=size,
                                 p=[0.62, 0.25, 0.10, 0.03])
            start = uniform_days(rng, date(2015, 1, 1), date(2025, 6, 30), size)
            ended = rng.random(size) < 0.25
            end = np.where(ended, start + rng.integers(30, 1500, size), NO_DATE)
            lapsed = rng.random(size) < 0.2
            paid = np.where(lapsed, month_end(start + rng.integers(0, 900, size)),
                            day(AS_OF_DATE))
            occupation = rng.choice(np.array(["non_asn_staff", "tobacco_farmer", "fisher",
                                              "village_official", "other"]),
                                    size=size, p=[0.03, 0.02, 0.02, 0.03, 0.90])
            funding = np.where(np.isin(occupation, ["non_asn_staff", "fisher"]), "apbd",
                               np.where(occupation == "tobacco_farmer", "dbhcht",
                                        np.where(segment == "BPU", "self", "employer")))
            spell_arrays = spells(np.arange(size), segment, start, end=end, paid=paid,
                                  occupation=occupation, funding=funding,
                                  wage=np.round(rng.uniform(1_000_000, 8_000_000, size), -3),
                                  risk=rng.integers(1, 6, size),
                                  programmes=np.where(segment == "PU", "JKK;JKM;JHT;JP",
                                                      "JKK;JKM"))
            table = to_table(rng, spell_arrays, residents, tuple(region_codes), "jamsostek")
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=1_000_000)
            written += size
    finally:
        if writer is not None:
            writer.close()
    return {"rows": written, "bytes": path.stat().st_size,
            "seconds": round(time.perf_counter() - started, 1), "regions": region_count}


def register_cli(subparsers):
    """Add ``cakupan sample`` to the CLI; returns its parser (the national sample adds its
    options: :func:`helpers.data.sample_national.register_cli`)."""
    parser = subparsers.add_parser(
        "sample", help="generate the synthetic NTB registries (data/sample)",
        description="Write data/sample/jamsostek.parquet, jkn.parquet and manifest.json.")
    parser.add_argument("--out", help="output folder (default data/sample)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=float, default=None,
                        help="fraction of full size, e.g. 0.01 for fast tests (default 1 "
                             "for NTB, 0.01 with --national)")
    parser.add_argument("--regions", help="comma-separated kab/kota codes, e.g. 52.02,52.03")
    parser.add_argument("--benchmark-rows", type=int,
                        help="instead: write one large jamsostek-like registry of N rows "
                             "in chunks (to --out, a .parquet path)")
    parser.set_defaults(func=run_cli)
    return parser


def run_cli(args) -> int:
    """``cakupan sample`` (NTB): the registries, or the benchmark registry."""
    if args.benchmark_rows:
        out = args.out or str(Path("bench") / "data" / "jamsostek_large.parquet")
        result = write_benchmark_registry(out, args.benchmark_rows, seed=args.seed)
        print(f"wrote {result['rows']:,} rows to {out} ({result['bytes'] / 2**20:,.0f} MiB) "
              f"in {result['seconds']} s")
        return 0
    regions = [c.strip() for c in args.regions.split(",")] if args.regions else None
    scale = 1.0 if args.scale is None else args.scale
    manifest = generate_sample(args.out, seed=args.seed, scale=scale, region_codes=regions)
    out = Path(args.out) if args.out else sample_dir()
    for registry, info in manifest["registries"].items():
        faults = ", ".join(f"{k} {v:,}" for k, v in info["faults"].items())
        print(f"{out / info['file']}: {info['rows']:,} rows "
              f"({info['bytes'] / 2**20:,.1f} MiB); injected faults: {faults}")
    print(f"generated in {manifest['seconds']} s (seed {manifest['seed']}, scale {manifest['scale']})")
    return 0
