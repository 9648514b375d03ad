"""HTML export: only the report's outputs, offline, with contents, footer and language link.

A few cells written here stand for an executed notebook; the rendered reports of the
batch are checked in test_runner.py.
"""

from __future__ import annotations

import base64
import html
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers.batch import export
from helpers.report.report_data import disclosure_rule

PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")).decode()


def html_output(text: str):
    return new_output("display_data", data={"text/html": text})


def executed_notebook(*extra_cells) -> nbformat.NotebookNode:
    parameters = new_code_cell('region_code: str = "52.02"  # code', metadata={
        "tags": ["parameters"]})
    injected = new_code_cell('region_code = "52.71"\nSECRET_MARKER = 1',
                             metadata={"tags": ["injected-parameters"]})
    narration = new_markdown_cell("## Load inputs (analyst narration)",
                                  metadata={"tags": ["notebook-only"]})
    untagged = new_markdown_cell("An untagged note for analysts")
    checked = new_code_cell("print(headline)", metadata={"tags": ["notebook-only"]},
                            outputs=[new_output("stream", name="stdout", text="9 of 9\n")])
    title = new_code_cell("formatting.show(title)", outputs=[html_output(
        '<h1 id="top">Cakupan Jaminan Sosial Lombok Tengah</h1>'
        '<div class="param-box" id="parameters">Parameter dan metode</div>'
        '<h2 id="headline">Ringkasan</h2><p>Rp1.209.600.000</p>'
        '<h3 id="by-segment">Menurut segmen</h3><h2 id="jkn">JKN</h2>')])
    chart = new_code_cell("plots.show(figure)", outputs=[
        new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
        new_output("stream", name="stderr", text="DeprecationWarning: noisy\n")])
    report_md = new_markdown_cell("A note for the report", metadata={"tags": ["report"]})
    return new_notebook(cells=[parameters, injected, narration, untagged, checked, title,
                               chart, report_md, *extra_cells],
                        metadata={"kernelspec": {"name": "cakupan", "language": "python",
                                                 "display_name": "Python (cakupan)"},
                                  "papermill": {"parameters": {"region_code": "52.71"}}})


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    path = folder / "index.html"
    info = export.export_notebook(executed_notebook(), path, lang="id",
                                  nav=export.Nav(index="../../index.html",
                                                 overview="../index.html",
                                                 twin="index.en.html"))
    return path, path.read_text(encoding="utf-8"), info


def test_no_code_parameters_narration_or_stderr(exported):
    _, text, _ = exported
    for hidden in ("formatting.show", "plots.show", "region_code", "SECRET_MARKER",
                   "52.71", "analyst narration", "untagged note", "9 of 9",
                   "DeprecationWarning", "papermill"):
        assert hidden not in text, hidden
    assert "A note for the report" in text


def test_images_are_embedded_and_nothing_is_loaded_from_the_network(exported):
    _, text, _ = exported
    assert "data:image/png;base64," in text
    assert "<script" not in text.lower()
    assert export.external_references(text) == []
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', text)


def test_table_of_contents_lists_the_headings(exported):
    _, text, _ = exported
    toc = re.search(r'<nav class="toc".*?</nav>', text, re.S).group(0)
    assert '<a href="#headline">Ringkasan</a>' in toc
    assert '<a href="#by-segment">Menurut segmen</a>' in toc  # h3 nested under its h2
    assert toc.index("#headline") < toc.index("#by-segment") < toc.index("#jkn")
    assert "Daftar isi" in toc


def test_page_has_title_parameter_box_footer_and_size_budget(exported):
    path, text, info = exported
    assert "<title>Cakupan Jaminan Sosial Lombok Tengah</title>" in text
    assert 'class="param-box"' in text
    assert html.escape(disclosure_rule().label("id")) in text.split("<footer>")[1]
    assert '<html lang="id">' in text
    assert info["bytes"] == path.stat().st_size < export.MAX_BYTES
    assert info["warnings"] == []


def test_language_link_appears_once_the_twin_exists(exported):
    path, text, _ = exported
    assert "Versi bahasa Inggris belum dibuat" in text and 'href="index.en.html"' not in text
    assert export.update_language_link(path, "id", "index.en.html", True)
    updated = path.read_text(encoding="utf-8")
    assert '<a class="lang" hreflang="en" href="index.en.html">English</a>' in updated


def test_a_failed_cell_is_not_published(tmp_path):
    failed = new_code_cell("1/0", outputs=[new_output("error", ename="ZeroDivisionError",
                                                      evalue="division by zero",
                                                      traceback=[])])
    with pytest.raises(export.ExportError, match="ZeroDivisionError"):
        export.export_notebook(executed_notebook(failed), tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("snippet", [
    '<script src="https://cdnjs.cloudflare.com/require.js"></script>',
    '<img src="//example.org/logo.png">',
    "<link rel=stylesheet href='http://example.org/x.css'>",
])
def test_external_resources_are_refused(tmp_path, snippet):
    cell = new_code_cell("x", outputs=[html_output(snippet)])
    with pytest.raises(export.ExportError, match="network"):
        export.export_notebook(executed_notebook(cell), tmp_path / "x.html")


def test_inline_charts_reach_the_page_exactly_as_drawn(tmp_path):
    """nbconvert re-writes the HTML it renders; the charts are held out of it, so an SVG
    keeps its case (viewBox), its self-closing tags and its ids, and a heading-like text
    inside a chart does not enter the table of contents."""
    svg = ('<svg role="img" aria-label="Grafik" viewBox="0,0,10,10" width="10">'
           '<title>Grafik</title><defs><path id="c1-a" d="M0,0L1,1"/></defs>'
           '<use xlink:href="#c1-a"/><foreignObject><h2 id="no">not a heading</h2>'
           '</foreignObject></svg>')
    cells = [new_code_cell("x", outputs=[html_output(f'<h2 id="charts">Grafik</h2>'
                                                     f'<figure class="chart">{svg}</figure>'
                                                     f'<figure class="chart">{svg}</figure>')])]
    export.export_notebook(executed_notebook(*cells), tmp_path / "x.html")
    text = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert text.count(svg) == 2
    assert '<a href="#charts">Grafik</a>' in text and 'href="#no"' not in text


def test_plain_links_to_sources_are_allowed():
    text = '<a href="https://jdih.kemenkeu.go.id/">PMK 72/2024</a>'
    assert export.external_references(text) == []


def test_english_page_chrome(tmp_path):
    export.export_notebook(executed_notebook(), tmp_path / "index.en.html", lang="en",
                           nav=export.Nav(twin="index.html", twin_exists=True))
    text = (tmp_path / "index.en.html").read_text(encoding="utf-8")
    assert "Contents" in text and '<html lang="en">' in text
    assert 'href="index.html">Bahasa Indonesia</a>' in text
    assert html.escape(disclosure_rule().label("en")) in text
