"""The notebooks: their shape, nbval on the 2 % sample, papermill runs with parameter sets.

Tier 1 (nbval): every notebook runs top to bottom on its defaults (only ``data_dir`` points
at the 2 % sample) and its headline cell (``# NBVAL_CHECK_OUTPUT``) prints what is stored
in the committed notebook. The headline names the report and its checks, not figures, so
it holds on any data set. Tier 2 (papermill): the sample parameter set renders the golden
Lombok Tengah figures into indicators.csv; the explorers run with non-default parameters.
The slow test renders Lombok Tengah from the full NTB sample.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest

from helpers.batch import export
from helpers.batch.parameters import notebook_parameters, read_parameter_file, validate_parameters

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SECTIONS = ["## Imports", "## Derived settings", "## Load inputs", "## Compute", "## Check",
            "## Present"]
RATE_2024_RP = 16_800  # BPU minimum JKK + JKM per person-month (PP 49/2023), rates.csv


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def execute(notebook: Path, out: Path, parameters: dict) -> nbformat.NotebookNode:
    return papermill.execute_notebook(str(notebook), str(out), parameters=parameters,
                                      kernel_name="cakupan", progress_bar=False,
                                      cwd=str(notebook.parent))


# =========================================================================== shape


def test_the_four_notebooks_exist():
    assert [p.name for p in NOTEBOOKS] == ["budget_scenarios.ipynb", "coverage_explorer.ipynb",
                                           "province_overview.ipynb", "regency_report.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_reads_the_same_way(path):
    notebook = read(path)
    assert notebook.metadata["kernelspec"]["name"] == "cakupan"
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    tagged = [i for i, c in enumerate(notebook.cells)
              if "parameters" in c.metadata.get("tags", [])]
    assert tagged == [1], "one parameters cell, right after the title"
    markdown = [c.source.splitlines()[0] for c in notebook.cells if c.cell_type == "markdown"]
    positions = [next(i for i, line in enumerate(markdown) if line == section)
                 for section in SECTIONS]
    assert positions == sorted(positions), "title → parameters → imports → … → present"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_are_typed_commented_literals(path):
    parameters = notebook_parameters(path)  # raises unless name: type = literal
    assert parameters and all(p.help for p in parameters.values())
    assert all(p.type_name in ("str", "int", "float", "bool") for p in parameters.values())
    assert parameters["data_dir"].default == ""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs_except_the_headline(path):
    notebook = read(path)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if "NBVAL_CHECK_OUTPUT" in cell.source:
            assert [o.output_type for o in cell.outputs] == ["stream"]
            assert cell.execution_count  # nbval skips "unrun" reference cells
            assert re.fullmatch(r".+ \(\d{2}(?:\.\d{2})?\), \d{4}-\d{2}-\d{2}: "
                                r"(?P<n>\d+) of (?P=n) checks passed\n", cell.outputs[0].text)
        else:
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:40]
    assert "papermill" not in notebook.metadata


# =========================================================================== nbval


@pytest.mark.kernel
def test_nbval_runs_every_notebook_on_the_small_sample(small_sample, tmp_path):
    folder, _ = small_sample
    for path in NOTEBOOKS:
        # papermill --prepare-only: the same notebook with data_dir injected, not executed
        papermill.execute_notebook(str(path), str(tmp_path / path.name),
                                   parameters={"data_dir": str(folder)}, prepare_only=True,
                                   kernel_name="cakupan", progress_bar=False)
    process = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-kernel-name", "cakupan", "--nbval-cell-timeout", "600",
         "--rootdir", str(tmp_path), *[str(tmp_path / p.name) for p in NOTEBOOKS]],
        capture_output=True, text=True, cwd=tmp_path, timeout=900)
    assert process.returncode == 0, process.stdout[-3000:]
    assert re.search(r"\d+ passed", process.stdout)


# =========================================================================== papermill


@pytest.fixture(scope="module")
def sample_report(small_sample, tmp_path_factory):
    """The regency notebook with the sample parameter set, written to a report folder."""
    folder, manifest = small_sample
    out = tmp_path_factory.mktemp("regency")
    parameters = read_parameter_file(ROOT / "notebooks" / "parameters" / "sample.yaml")
    parameters = validate_parameters(
        ROOT / "notebooks" / "regency_report.ipynb",
        {**parameters, "data_dir": str(folder), "output_dir": str(out)})
    notebook = execute(ROOT / "notebooks" / "regency_report.ipynb", out / "report.ipynb",
                       parameters)
    return out, notebook, manifest


@pytest.mark.kernel
def test_sample_parameter_set_gives_the_golden_lombok_tengah_figures(sample_report):
    out, _, manifest = sample_report
    calibration = manifest["calibration"]
    indicators = pd.read_csv(out / "indicators.csv").set_index("indicator_id")
    values = indicators["value"]
    assert int(values["tk_nonasn_active"]) == calibration["tk_nonasn_active"]
    assert int(values["tk_tobacco_farmers_active"]) == calibration["tk_tobacco_farmers_active"]
    assert int(values["tk_fishers_active"]) == calibration["tk_fishers_active"]
    assert int(values["budget_tk_dbhcht_rp"]) == \
        calibration["tk_tobacco_farmers_active"] * RATE_2024_RP * 12
    programmes = pd.read_csv(out / "tables" / "programmes.csv")
    fishers = programmes[(programmes["occupation"] == "fisher")
                         & (programmes["funding_source"] == "apbd")]
    assert int(fishers["cost_rp"].iloc[0]) == calibration["tk_fishers_active"] * RATE_2024_RP * 12
    assert set(indicators["reference_date"]) == {"2024-12-31"}
    assert len(indicators) == 24


@pytest.mark.kernel
def test_sample_report_exports_to_html(sample_report, tmp_path):
    out, notebook, manifest = sample_report
    info = export.export_notebook(notebook, tmp_path / "index.html", lang="id")
    text = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert info["bytes"] < 2 * 1024 * 1024
    calibration = manifest["calibration"]
    assert f">{calibration['tk_nonasn_active']}<" in text  # the headline card
    assert "Lombok Tengah (52.02)" in text and "31 Desember 2024" in text


@pytest.mark.kernel
def test_coverage_explorer_with_other_choices(small_sample, tmp_path):
    folder, _ = small_sample
    notebook = execute(ROOT / "notebooks" / "coverage_explorer.ipynb", tmp_path / "x.ipynb",
                       {"data_dir": str(folder), "region_code": "52.71",
                        "reference_date": "2023-06-15", "registry": "jkn",
                        "breakdown_by": "district_code", "labour_denominator": "bps_employed",
                        "lang": "id", "output_dir": str(tmp_path / "out")})
    text = json.dumps(notebook.cells[-4:])
    assert "Kota Mataram" in text or "Mataram" in text
    breakdown = pd.read_csv(tmp_path / "out" / "tables" / "jkn_by_district.csv")
    assert breakdown["district_code"].iloc[0].startswith("52.71.")
    assert (tmp_path / "out" / "indicators.csv").is_file()


@pytest.mark.kernel
def test_budget_scenarios_with_other_choices(small_sample, tmp_path):
    folder, _ = small_sample
    execute(ROOT / "notebooks" / "budget_scenarios.ipynb", tmp_path / "x.ipynb",
            {"data_dir": str(folder), "target_group": "tobacco_farmer", "cover_share": 0.25,
             "monthly_rate_rp": 20000, "uhc_category": "utama", "lang": "id",
             "output_dir": str(tmp_path / "out")})
    sensitivity = pd.read_csv(tmp_path / "out" / "tables" / "scenario_sensitivity.csv")
    assert (sensitivity["annual_cost_rp"] == sensitivity["people"] * 20000 * 12).all()
    uhc = pd.read_csv(tmp_path / "out" / "tables" / "uhc_scenario.csv")
    assert set(uhc["category"]) == {"utama"}


# =========================================================================== full scale


@pytest.mark.slow
@pytest.mark.kernel
def test_lombok_tengah_from_the_full_sample(full_sample, tmp_path):
    """The golden figures of the issue, rendered from the full NTB sample (~6 M rows)."""
    out = tmp_path / "52.02"
    out.mkdir()
    notebook = execute(ROOT / "notebooks" / "regency_report.ipynb", out / "report.ipynb",
                       {"region_code": "52.02", "period": "2024", "lang": "id",
                        "output_dir": str(out)})
    values = pd.read_csv(out / "indicators.csv").set_index("indicator_id")["value"]
    assert int(values["tk_nonasn_active"]) == 13_600
    assert int(values["tk_tobacco_farmers_active"]) == 6_000
    assert int(values["tk_fishers_active"]) == 500
    assert int(values["budget_tk_dbhcht_rp"]) == 1_209_600_000
    programmes = pd.read_csv(out / "tables" / "programmes.csv").set_index(
        ["occupation", "funding_source"])
    assert int(programmes.loc[("fisher", "apbd"), "cost_rp"]) == 100_800_000
    assert int(programmes.loc[("tobacco_farmer", "dbhcht"), "cost_rp"]) == 1_209_600_000
    export.export_notebook(notebook, out / "index.html", lang="id")
    text = (out / "index.html").read_text(encoding="utf-8")
    for shown in ("13.600", "6.000", ">500<", "Rp1.209.600.000", "Rp100.800.000",
                  "dari DBHCHT", "dari APBD", "status UHC", "APBD untuk iuran jaminan sosial"):
        assert shown in text, shown
    category = values["uhc_category"]
    assert {"none": "Belum UHC", "pratama": "UHC Pratama", "madya": "UHC Madya",
            "utama": "UHC Utama"}[category] in text
