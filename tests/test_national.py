"""The national sample (Hive-partitioned by province), the partitioned intake and
``cakupan reports --national`` on a three-province subset (issue 16)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from helpers import cli
from helpers.data import partitions, reference
from helpers.data.sample_national import (
    generate_national_sample,
    national_reference,
    partition_path,
    serial_offset,
)
from helpers.errors import InputFileError, ValidationError
from helpers.report.registries import load_registries

ROOT = Path(__file__).resolve().parents[1]
CAKUPAN = str(Path(sys.executable).parent / "cakupan")
#: The three smallest provinces by number of kab/kota (Papua Selatan 4, DIY 5,
#: Kalimantan Utara 5): 14 kab/kota reports and 3 overviews.
PROVINCES = ["34", "65", "93"]
SCALE = 0.01


@pytest.fixture(scope="module")
def national_sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("national")
    manifest = generate_national_sample(folder, scale=SCALE, provinces=PROVINCES, jobs=2)
    return folder, manifest


@pytest.fixture
def national(monkeypatch):
    monkeypatch.setenv("CAKUPAN_REFERENCE", "national")


# =========================================================================== the sample


def test_unknown_province_or_bad_options_are_one_line(capsys):
    assert cli.main(["sample", "--national", "--provinces", "99"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "unknown province code(s) 99" in err
    assert cli.main(["sample", "--provinces", "52"]) == 2
    assert "--provinces needs --national" in capsys.readouterr().err
    assert cli.main(["reports", "--provinces", "52"]) == 2
    assert "--provinces needs --national" in capsys.readouterr().err


def test_every_province_has_its_own_nik_serial_range():
    codes = [f"{n}" for n in (11, 12, 31, 52, 53, 96)]
    offsets = [serial_offset(code, codes) for code in codes]
    assert serial_offset("52", codes) == 0
    assert len(set(offsets)) == len(offsets) and max(offsets) + 1000 < 9999


@pytest.mark.slow
def test_ntb_partition_is_todays_sample(small_sample, tmp_path):
    folder, manifest = small_sample
    national = generate_national_sample(tmp_path, scale=manifest["scale"], provinces=["52"],
                                        jobs=1)
    for registry in ("jamsostek", "jkn"):
        part = pq.read_table(partition_path(tmp_path, registry, "52"))
        assert part.equals(pq.read_table(folder / f"{registry}.parquet")), registry
    assert national["rows"]["jkn"] == manifest["registries"]["jkn"]["rows"]


@pytest.mark.slow
def test_partitions_are_hive_folders_with_disjoint_niks_and_differ(national_sample):
    folder, manifest = national_sample
    assert sorted(manifest["provinces"]) == PROVINCES
    niks = []
    coverage = {}
    for code in PROVINCES:
        table = pq.read_table(partition_path(folder, "jkn", code))
        regions = set(table["region_code"].to_pylist())
        with national_reference():
            own = set(reference.kabkota_codes(code))
        # every row is of the province, but for the injected unknown-region faults
        assert len(regions - own) <= 3, (code, regions - own)
        niks.append(set(pc.unique(table["nik"]).to_pylist()))
        coverage[code] = manifest["by_province"][code]["targets"]
    assert not (niks[0] & niks[1]) and not (niks[0] & niks[2]) and not (niks[1] & niks[2])
    # provinces differ: their JKN targets are not one number
    jkn = {code: sorted(t["jkn_coverage"] for t in targets.values())
           for code, targets in coverage.items()}
    assert len({tuple(values) for values in jkn.values()}) == 3


# =========================================================================== the intake


@pytest.mark.slow
def test_partitioned_intake_counts_every_partition(national_sample, national):
    folder, manifest = national_sample
    registries = load_registries(folder, cache=False)
    for name, result in (("jamsostek", registries.tk), ("jkn", registries.jkn)):
        summary = result.summary
        assert summary.source_format == "partitions"
        assert [p["province_code"] for p in summary.partitions] == PROVINCES
        for part in summary.partitions:
            info = manifest["registries"][f"{name}/province={part['province_code']}"]
            assert part["rows_read"] == info["rows"]
            assert part["rows_read"] == part["rows_accepted"] + part["rows_rejected"]
        assert summary.rows_read == manifest["rows"][name]
        assert summary.rows_read == summary.rows_accepted + summary.rows_rejected
        assert result.table.count().execute() == summary.rows_accepted
        assert set(result.ledger["file"]) <= {p["file"] for p in summary.partitions}
        injected = sum(info["faults"].get("unknown_region", 0)
                       for key, info in manifest["registries"].items()
                       if key.startswith(name + "/"))
        assert summary.rejected_by_reason.get("unknown_region", 0) >= injected


@pytest.mark.slow
def test_a_row_under_the_wrong_province_is_rejected(national_sample, national, tmp_path):
    folder, _ = national_sample
    dataset = tmp_path / "jkn"
    source = partition_path(folder, "jkn", "65")
    before = partitions.load_partitioned(source.parent.parent, "jkn", cache=False)
    accepted_6501 = (before.table.region_code == "65.01").sum().execute()
    assert accepted_6501 > 0
    table = pq.read_table(source)
    moved = pc.if_else(pc.equal(table["region_code"], "65.01"), "93.01", table["region_code"])
    table = table.set_column(table.schema.get_field_index("region_code"), "region_code", moved)
    target = dataset / "province=65" / "part-0.parquet"
    target.parent.mkdir(parents=True)
    pq.write_table(table, target)
    shutil.copytree(source.parent.parent / "province=34", dataset / "province=34")
    after = partitions.load_partitioned(dataset, "jkn", cache=False)
    own = after.summary.partitions[1]
    assert own["province_code"] == "65"
    own_before = next(p for p in before.summary.partitions if p["province_code"] == "65")
    assert own["rows_accepted"] == own_before["rows_accepted"] - accepted_6501
    assert after.summary.rejected_by_reason["unknown_region"] >= accepted_6501
    assert (after.ledger["file"] == "province=65/part-0.parquet").any()


@pytest.mark.slow
def test_a_partition_filed_under_another_province_is_refused(national_sample, national,
                                                             tmp_path):
    folder, _ = national_sample
    (tmp_path / "jkn" / "province=93").mkdir(parents=True)
    shutil.copy(partition_path(folder, "jkn", "65"), tmp_path / "jkn" / "province=93")
    with pytest.raises(ValidationError) as caught:
        partitions.load_partitioned(tmp_path / "jkn", "jkn", cache=False)
    assert "province=93" in str(caught.value)


def test_bad_partition_folders_are_named(tmp_path):
    (tmp_path / "province=5").mkdir()
    with pytest.raises(InputFileError, match="does not name a province"):
        partitions.find_partitions(tmp_path)
    (tmp_path / "province=5").rmdir()
    (tmp_path / "province=52").mkdir()
    with pytest.raises(InputFileError, match="holds no .parquet file"):
        partitions.find_partitions(tmp_path)


# =========================================================================== the batch


@pytest.mark.kernel
@pytest.mark.slow
def test_national_batch_renders_three_provinces_and_the_national_page(national_sample,
                                                                      tmp_path):
    folder, _ = national_sample
    out = tmp_path / "national"
    process = subprocess.run(
        [CAKUPAN, "reports", "--national", "--provinces", ",".join(PROVINCES), "--period",
         "2024", "--data-dir", str(folder), "--out", str(out), "--no-progress"],
        capture_output=True, text=True, timeout=1500, cwd=ROOT)
    assert process.returncode == 0, process.stderr[-3000:]
    assert process.stdout.strip() == str((out / "index.html").resolve())
    with national_reference():
        codes = {p: reference.kabkota_codes(p) for p in PROVINCES}
    for province, regions in codes.items():
        assert (out / province / "2024" / "index.html").is_file()
        manifest = json.loads((out / province / "manifest.json").read_text())
        assert manifest["last_batch"]["state"] == "finished"
        for code in regions:
            page = (out / province / "2024" / code / "index.html").read_text(encoding="utf-8")
            assert "Peta kecamatan belum tersedia" in page  # no kecamatan outlines there
    table = pd.read_csv(out / "2024" / "national-indicators.csv", dtype={"region_code": str})
    assert len(table) == 514
    assert set(table.loc[table["has_report"], "region_code"]) == {
        code for regions in codes.values() for code in regions}
    shown = table.loc[table["has_report"], "jkn_coverage_value"]
    assert shown.notna().all() and (shown > 0).all()
    for name, words in (("index.html", ("Peta ", "14 dari 514")),
                        ("index.en.html", ("Map of ", "14 of 514"))):
        page = (out / name).read_text(encoding="utf-8")
        assert all(word in page for word in words), name
        assert page.count("data:image/png;base64,") == 4  # two maps, each with a phone twin
        for province in PROVINCES:
            assert f'href="{province}/2024/index' in page
    assert "data sintetis" in (out / "index.html").read_text(encoding="utf-8").lower()


def test_the_next_province_is_prepared_while_the_workers_render_the_current_one(
        monkeypatch, tmp_path):
    """Two province batches at once: the next starts once the current one has queued
    its reports (they stay ahead), never more than two, and the results come back in
    the provinces' order, a province that fails included."""
    import contextlib
    import threading
    import time

    from helpers.batch import national, pool, runner
    from helpers.data import sample_national
    from helpers.errors import ReportError

    chosen = ["11", "12", "13", "14"]
    log, under_way, most = [], set(), [0]
    started = {code: threading.Event() for code in chosen}

    def run_reports(*, province_code, queued, stop, **options):
        under_way.add(province_code)
        most[0] = max(most[0], len(under_way))
        started[province_code].set()
        log.append(("queued", province_code))
        queued()
        following = chosen[chosen.index(province_code) + 1:]
        # the current province finishes only once the next one has started (or times out)
        overlapped = not following or started[following[0]].wait(10)
        time.sleep(0.05)
        log.append(("done", province_code, overlapped))
        under_way.discard(province_code)
        if province_code == "13":
            raise ReportError("the reports folder of 13 is not Cakupan's")
        return types.SimpleNamespace(stopped_by=None)

    monkeypatch.setattr(runner, "run_reports", run_reports)
    monkeypatch.setattr(pool, "shared_workers", lambda *a, **k: contextlib.nullcontext())
    monkeypatch.setattr(sample_national, "national_reference", contextlib.nullcontext)
    monkeypatch.setattr(sample_national, "chosen_provinces", lambda provinces: chosen)
    monkeypatch.setattr(national, "write_national_page", lambda *a, **k: [])
    batch = national.run_national(provinces=chosen, data_dir=str(tmp_path),
                                  out=tmp_path / "out", progress=False)
    assert [entry for entry in log if entry[0] == "done"] == [
        ("done", code, True) for code in chosen]
    assert [entry[1] for entry in log if entry[0] == "queued"] == chosen
    assert most[0] == national.IN_FLIGHT == 2
    assert list(batch.batches) == ["11", "12", "14"]
    assert batch.errors == {"13": "the reports folder of 13 is not Cakupan's"}
