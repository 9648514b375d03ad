"""The rendered reports in a real browser: Debian's Chromium driven by Playwright, offline.

Every report of the 2 % sample run (both languages) and the landing page open from
``file://`` with every other request blocked, without a console error or a failed request,
every image decoded; the table of contents lands on its sections; the language links
switch between Bahasa Indonesia and English; a phone-sized window shows no horizontal
scroll and the headline box first; images have alt text, headings do not skip a level and
text contrast is at least 4.5:1. The PDF twin of Lombok Tengah holds every section.

Screenshots and the PDF go to ``test-artifacts/`` (git-ignored) for a person to look at.
Chromium comes from ``scripts/ensure_chromium.sh`` (``make test`` runs it); without it
these tests fail, they are not skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from helpers.batch import export, pdf
from helpers.errors import ReportError

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CAKUPAN = str(Path(sys.executable).parent / "cakupan")
ARTIFACTS = ROOT / "test-artifacts"
PERIOD = "2024"
#: Three kab/kota (a kabupaten, the one of the golden figures, a kota): every check runs on
#: each of their pages; the batch renders only these and the overview, in both languages.
CODES = ["52.02", "52.08", "52.71"]
#: Every report of the sample run, relative to the reports folder.
REPORTS = [f"{PERIOD}/{name}" for name in ("index.html", "index.en.html")] + [
    f"{PERIOD}/{code}/{name}" for code in CODES for name in ("index.html", "index.en.html")]
#: Pages at the root of the reports folder: the landing page and the methodology.
ROOT_PAGES = ["index.html", "methodology.html", "methodology.en.html"]
PAGES = [*ROOT_PAGES, *REPORTS]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
MIN_CONTRAST = 4.5


# =========================================================================== fixtures


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for the module (fails, not skips, when it is missing)."""
    try:
        pdf.chromium_path()
    except ReportError as error:
        pytest.fail(f"{error} (the browser tests need it; `make test` runs "
                    "scripts/ensure_chromium.sh first)")
    with pdf.browser() as instance:
        yield instance


@pytest.fixture(scope="module")
def reports(chromium, small_sample, tmp_path_factory):
    """The 2 % sample run in both languages: three kab/kota, the overview, the landing page."""
    folder, _ = small_sample
    out = tmp_path_factory.mktemp("browser_reports")
    for lang in ("id", "en"):
        process = subprocess.run(
            [CAKUPAN, "reports", "--province", "52", "--period", PERIOD, "--lang", lang,
             "--regions", ",".join(CODES), "--jobs", "2", "--data-dir", str(folder),
             "--out", str(out), "--no-progress"],
            capture_output=True, text=True, timeout=600, cwd=ROOT, env=os.environ.copy())
        assert process.returncode == 0, process.stderr[-3000:]
    return out


class Visit:
    """A page opened offline, with what went wrong while it loaded."""

    def __init__(self, chromium, url: str, **context_options) -> None:
        self.page, self.blocked = pdf.offline_page(chromium, **context_options)
        self.console_errors: list[str] = []
        self.failed_requests: list[str] = []
        self.page.on("console", lambda message: message.type == "error"
                     and self.console_errors.append(message.text))
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.page.on("requestfailed", lambda request: self.failed_requests.append(
            f"{request.url[:80]} ({request.failure})"))
        self.page.goto(url, wait_until="load")

    def problems(self) -> list[str]:
        return ([f"console: {text}" for text in self.console_errors]
                + [f"failed request: {text}" for text in self.failed_requests]
                + [f"blocked request: {url[:80]}" for url in self.blocked])

    def close(self) -> None:
        self.page.context.close()


@pytest.fixture
def visit(chromium):
    """Open pages offline; every page is closed after the test."""
    opened: list[Visit] = []

    def open_page(path: Path, **context_options) -> Visit:
        options = {"viewport": DESKTOP, **context_options}
        opened.append(Visit(chromium, path.resolve().as_uri(), **options))
        return opened[-1]

    yield open_page
    for item in opened:
        item.close()


# =========================================================================== loading


IMAGES_DECODED = """async () => {
    const images = Array.from(document.images);
    const broken = [];
    for (const image of images) {
        const name = image.alt || image.src.slice(0, 60);
        try { await image.decode(); } catch (error) { broken.push(name); continue; }
        if (!(image.complete && image.naturalWidth > 0)) broken.push(name);
    }
    const charts = document.querySelectorAll('figure.chart svg[role="img"], figure.chart img');
    return {count: images.length, charts: charts.length, broken};
}"""

LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
    .filter(a => !a.getAttribute('href').startsWith('#')).map(a => a.href)"""


@pytest.mark.parametrize("relative", PAGES)
def test_page_opens_offline_without_errors(reports, visit, relative):
    page = visit(reports / relative)
    images = page.page.evaluate(IMAGES_DECODED)
    assert page.problems() == [], relative
    assert images["broken"] == [], f"{relative}: images not decoded"
    if relative not in ROOT_PAGES:
        assert images["charts"] >= 3, f"{relative}: expected the report's charts"
    for href in page.page.evaluate(LINKS):
        url = urlsplit(href)
        assert url.scheme == "file", f"{relative} links outside: {href}"
        assert Path(unquote(url.path)).exists(), f"{relative} links to a missing file: {href}"


# =========================================================================== downloads


DOWNLOADS = """() => Array.from(document.querySelectorAll('#downloads a[data-download]'))
    .map(a => ({kind: a.dataset.download, href: a.href,
                visible: a.getClientRects().length > 0}))"""


@pytest.mark.parametrize("relative", REPORTS)
def test_every_download_link_resolves_to_a_file(reports, visit, relative):
    page = visit(reports / relative).page
    links = page.evaluate(DOWNLOADS)
    assert [link["kind"] for link in links] == ["workbook", "csv_zip", "methodology"], \
        relative  # no PDF: the batch was not asked for one
    for link in links:
        url = urlsplit(link["href"])
        assert url.scheme == "file" and link["visible"], (relative, link)
        assert Path(unquote(url.path)).is_file(), f"{relative}: {link['href']} is missing"
    citation = page.locator("#downloads .citation").inner_text()
    expected = "Data sintetis" if relative.endswith("/index.html") else "Synthetic data"
    assert expected in citation, relative


def test_landing_page_shows_the_synthetic_banner_and_the_methodology(reports, visit):
    page = visit(reports / "index.html").page
    banners = page.locator(".banner")
    assert banners.count() == 2
    assert banners.nth(0).is_visible() and banners.nth(1).is_visible()
    assert "DATA SINTETIS" in banners.nth(0).inner_text()
    assert "SYNTHETIC DATA" in banners.nth(1).inner_text()
    for name in ("methodology.html", "methodology.en.html"):
        page.goto((reports / "index.html").resolve().as_uri())
        page.click(f'a[href="{name}"]')
        page.wait_for_load_state("load")
        # three indicator groups and the files of a report
        assert page.locator("h1").count() == 1 and page.locator("table.data").count() == 4


# =========================================================================== navigation


TOC_TARGET = """(id) => {
    const target = document.getElementById(id);
    if (!target) return null;
    const box = target.getBoundingClientRect();
    const bar = document.querySelector('.topbar').getBoundingClientRect();
    return {top: box.top, bottom: box.bottom, bar: bar.bottom, height: window.innerHeight,
            hash: location.hash};
}"""


@pytest.mark.parametrize("relative", REPORTS)
def test_table_of_contents_links_land_on_their_sections(reports, visit, relative):
    page = visit(reports / relative).page
    links = page.locator('nav.toc a[href^="#"]')
    count = links.count()
    assert count >= 6, f"{relative}: table of contents has {count} links"
    for index in range(count):
        link = links.nth(index)
        ident = link.get_attribute("href")[1:]
        link.click()
        where = page.evaluate(TOC_TARGET, ident)
        assert where is not None, f"{relative}: no element with id '{ident}'"
        assert where["hash"] == f"#{ident}"
        # on screen, below the sticky top bar (not hidden under it)
        assert where["bar"] - 1 <= where["top"] < where["height"], (relative, ident, where)


@pytest.mark.parametrize("relative", [r for r in REPORTS if r.endswith("/index.html")])
def test_language_links_switch_between_indonesian_and_english(reports, visit, relative):
    page = visit(reports / relative).page
    assert page.evaluate("document.documentElement.lang") == "id"
    page.click("header.topbar a.lang")
    page.wait_for_load_state("load")
    assert page.url.endswith("/index.en.html"), page.url
    assert page.evaluate("document.documentElement.lang") == "en"
    page.click("header.topbar a.lang")
    page.wait_for_load_state("load")
    assert page.url.endswith(f"{relative.rsplit('/', 1)[0]}/index.html"), page.url
    assert page.evaluate("document.documentElement.lang") == "id"


def test_landing_page_opens_every_report_in_its_language(reports, visit):
    page = visit(reports / "index.html").page
    links = page.evaluate("""() => Array.from(document.querySelectorAll('a[href$=".html"]'))
        .map(a => a.getAttribute('href'))""")
    assert set(REPORTS) <= set(links)
    for href in REPORTS:
        page.goto((reports / "index.html").resolve().as_uri())
        page.click(f'a[href="{href}"]')
        page.wait_for_load_state("load")
        expected = "en" if href.endswith(".en.html") else "id"
        assert page.evaluate("document.documentElement.lang") == expected, href
        assert page.url.endswith(href)


# =========================================================================== phone


PHONE_LAYOUT = """() => {
    const main = document.querySelector('main');
    const first = main.querySelector('h2');
    const headline = document.getElementById('headline');
    const cards = headline && headline.parentElement.querySelector('.cards');
    const blocks = Array.from(main.querySelectorAll('.param-box, table.data, figure'));
    const before = (a, b) =>
        Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
    return {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        firstHeading: first && first.id,
        hasCards: Boolean(cards),
        blocksBeforeHeadline: cards ? blocks.filter(b => before(b, cards))
            .map(b => b.className || b.tagName) : [],
    };
}"""


@pytest.mark.parametrize("relative", PAGES)
def test_phone_layout_has_no_horizontal_scroll_and_the_headline_first(reports, visit,
                                                                       relative):
    page = visit(reports / relative, **PHONE).page
    layout = page.evaluate(PHONE_LAYOUT)
    assert layout["scrollWidth"] <= layout["innerWidth"] + 1, (relative, layout)
    if relative in ROOT_PAGES:
        return
    assert layout["firstHeading"] == "headline", relative
    assert layout["hasCards"], f"{relative}: no headline box"
    assert layout["blocksBeforeHeadline"] == [], \
        f"{relative}: the headline box must come before {layout['blocksBeforeHeadline']}"


CHART_TEXT = """() => Array.from(document.querySelectorAll('figure.chart')).map(figure => {
    const chart = figure.querySelector('svg, img');
    const box = figure.querySelector('.chart-scroll');
    if (!box) {  // a map: a narrow drawing of its own below 600 px instead of a scroll box
        return {label: chart.getAttribute('alt'), map: true,
                fits: figure.getBoundingClientRect().right <= window.innerWidth + 1};
    }
    const natural = chart.tagName === 'IMG' ? chart.naturalWidth
        : Number(chart.getAttribute('width'));
    const shown = chart.getBoundingClientRect().width;
    return {
        label: chart.getAttribute('aria-label') || chart.getAttribute('alt'),
        smallest: Number(figure.dataset.minTextPx) * shown / natural,
        scrolls: box.scrollWidth > box.clientWidth + 1,
        fits: box.getBoundingClientRect().right <= window.innerWidth + 1,
    };
})"""


@pytest.mark.parametrize("relative", [f"{PERIOD}/52.02/index.html", f"{PERIOD}/52.02/index.en.html",
                                      f"{PERIOD}/52.71/index.html", f"{PERIOD}/index.html"])
def test_chart_text_stays_legible_on_a_phone(reports, visit, relative):
    """At 390 px no chart text is shrunk below 9 CSS px: a chart keeps the width that
    holds its smallest text at 9 px and its box scrolls sideways, inside the page."""
    shown = visit(reports / relative, **PHONE).page.evaluate(CHART_TEXT)
    maps = [chart for chart in shown if chart.get("map")]
    assert all(chart["fits"] for chart in maps), (relative, maps)  # no map overflows
    charts = [chart for chart in shown if not chart.get("map")]
    assert len(charts) >= 3, relative
    for chart in charts:
        assert chart["smallest"] >= 8.9, (relative, chart)
        assert chart["fits"], (relative, chart)  # the box, not the page, scrolls
    assert any(chart["scrolls"] for chart in charts), relative
    desktop = visit(reports / relative).page.evaluate(CHART_TEXT)
    assert not any(chart.get("scrolls") for chart in desktop), relative  # 1280 px: no scroll


# =========================================================================== accessibility


ACCESSIBILITY = """() => {
    const visible = e =>
        e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    const noAlt = Array.from(document.images).filter(i => !(i.getAttribute('alt') || '').trim())
        .map(i => i.src.slice(0, 40)).concat(Array.from(document.querySelectorAll('svg'))
        .filter(g => !(g.getAttribute('aria-label') || '').trim()
                     || g.getAttribute('role') !== 'img').map(g => g.outerHTML.slice(0, 40)));
    const headings = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'))
        .filter(visible).map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 50)]);
    const parse = text => {
        const m = text.match(/rgba?\\(([^)]+)\\)/);
        if (!m) return null;
        const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
        return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const blend = (top, bottom) =>
        [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
    const luminance = c => {
        const f = v => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        };
        return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
    };
    const background = element => {
        const layers = [];
        for (let e = element; e; e = e.parentElement) {
            const c = parse(getComputedStyle(e).backgroundColor);
            if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
        }
        let colour = [255, 255, 255, 1];
        for (const layer of layers.reverse()) colour = blend(layer, colour);
        return colour;
    };
    const opacity = element => {
        let value = 1;
        for (let e = element; e; e = e.parentElement) value *= Number(getComputedStyle(e).opacity);
        return value;
    };
    const low = [];
    let checked = 0;
    for (const element of document.body.querySelectorAll('*')) {
        const text = Array.from(element.childNodes).filter(n => n.nodeType === 3)
            .map(n => n.textContent).join('').trim();
        if (!text || !visible(element)) continue;
        const bg = background(element);
        const fg = parse(getComputedStyle(element).color);
        fg[3] *= opacity(element);
        const [a, b] = [luminance(blend(fg, bg)), luminance(bg)];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        checked += 1;
        if (ratio < %(minimum)s) {
            low.push(`${element.tagName}.${element.className}: ${ratio.toFixed(2)} `
                     + `"${text.slice(0, 30)}"`);
        }
    }
    return {noAlt, headings, low, checked};
}""" % {"minimum": MIN_CONTRAST}


@pytest.mark.parametrize("relative", PAGES)
def test_alt_text_and_contrast(reports, visit, relative):
    result = visit(reports / relative).page.evaluate(ACCESSIBILITY)
    assert result["noAlt"] == [], f"{relative}: images without alt text"
    assert result["checked"] > 20
    assert result["low"] == [], f"{relative}: text with contrast below {MIN_CONTRAST}:1"


@pytest.mark.parametrize("relative", PAGES)
def test_headings_are_in_order(reports, visit, relative):
    headings = visit(reports / relative).page.evaluate(ACCESSIBILITY)["headings"]
    levels = [level for level, _ in headings]
    assert levels and levels[0] == 1 and levels.count(1) == 1, (relative, headings)
    skips = [(headings[i - 1], headings[i]) for i in range(1, len(levels))
             if levels[i] > levels[i - 1] + 1]
    assert skips == [], f"{relative}: headings skip a level (h2 → h4)"


# =========================================================================== maps


MAPS = """async () => {
    const maps = Array.from(document.images).filter(i => /^(peta|map)\\b/i.test(i.alt));
    const result = [];
    for (const image of maps) {
        let decoded = true;
        try { await image.decode(); } catch (error) { decoded = false; }
        const figure = image.closest('figure');
        const next = figure && figure.nextElementSibling;
        const twin = next && next.querySelector('table.data');
        result.push({alt: image.alt, decoded: decoded && image.naturalWidth > 0,
                     twinRows: twin ? twin.querySelectorAll('tbody tr').length : 0,
                     twinCaption: twin && twin.caption ? twin.caption.textContent : ''});
    }
    return result;
}"""


@pytest.mark.parametrize(("relative", "count", "rows"), [
    (f"{PERIOD}/index.html", 4, 10), (f"{PERIOD}/index.en.html", 4, 10),
    (f"{PERIOD}/52.02/index.html", 1, 12), (f"{PERIOD}/52.02/index.en.html", 1, 12)])
def test_maps_are_decoded_with_alt_text_and_their_table_twin(reports, visit, relative, count,
                                                             rows):
    found = visit(reports / relative).page.evaluate(MAPS)
    word = "map" if relative.endswith(".en.html") else "peta"
    assert len(found) == count, (relative, [m["alt"][:60] for m in found])
    for item in found:
        assert word in item["alt"].lower() and item["decoded"], (relative, item["alt"][:80])
        assert item["twinRows"] >= rows and item["twinCaption"], (relative, item)


# =========================================================================== artefacts


SCREENSHOTS = {
    "lombok-tengah-id.png": f"{PERIOD}/52.02/index.html",
    "lombok-tengah-en.png": f"{PERIOD}/52.02/index.en.html",
    "province-overview.png": f"{PERIOD}/index.html",
}


def test_screenshots_for_review(reports, visit):
    ARTIFACTS.mkdir(exist_ok=True)
    for name, relative in SCREENSHOTS.items():
        page = visit(reports / relative).page
        page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        assert (ARTIFACTS / name).stat().st_size > 50_000, name
    phone = visit(reports / f"{PERIOD}/52.02/index.html", **PHONE).page
    phone.screenshot(path=str(ARTIFACTS / "lombok-tengah-phone.png"), full_page=True)


# =========================================================================== PDF


def test_pdf_twin_of_lombok_tengah_has_every_section(reports, chromium):
    from pypdf import PdfReader

    html_path = reports / PERIOD / "52.02" / "index.html"
    ARTIFACTS.mkdir(exist_ok=True)
    written = pdf.print_pdf(html_path, ARTIFACTS / "lombok-tengah-id.pdf", instance=chromium)
    reader = PdfReader(str(written))
    text = " ".join(word for page in reader.pages
                    for word in unicodedata.normalize("NFKC", page.extract_text()).split())
    assert len(reader.pages) > 1
    assert pdf.count_pages(written) == len(reader.pages)
    parser = export._Headings()
    parser.feed(html_path.read_text(encoding="utf-8"))
    headings = [title for level, _, title in parser.found if level in (1, 2, 3)]
    assert len(headings) >= 10
    missing = [title for title in headings if title not in text]
    assert missing == [], "section headings missing from the PDF"
    assert "Daftar isi" not in text, "the table of contents is for the screen only"
    assert "Aturan pengungkapan" in text  # the footer's disclosure rule is printed


def test_pdf_batch_prints_with_one_browser(reports, chromium, tmp_path):
    paths = [reports / PERIOD / "52.02" / "index.en.html", reports / PERIOD / "index.html",
             tmp_path / "missing.html"]
    results = pdf.print_pdfs(paths, instance=chromium)
    assert [r.html_path for r in results] == paths
    for result in results[:2]:
        assert result.error is None, result
        assert result.pdf_path == result.html_path.with_suffix(".pdf")
        assert result.pages > 1
    assert results[2].error == "HTML file not found" and results[2].pdf_path is None


def test_cakupan_reports_pdf_prints_the_twin_next_to_the_html(chromium, small_sample,
                                                               tmp_path):
    folder, _ = small_sample
    process = subprocess.run(
        [CAKUPAN, "reports", "--regions", "52.02", "--no-overview", "--period", PERIOD,
         "--jobs", "1", "--data-dir", str(folder), "--out", str(tmp_path), "--pdf",
         "--no-progress"],
        capture_output=True, text=True, timeout=600, cwd=ROOT, env=os.environ.copy())
    assert process.returncode == 0, process.stderr[-3000:]
    twin = tmp_path / PERIOD / "52.02" / "index.pdf"
    assert pdf.count_pages(twin) > 1
    assert 'href="2024/52.02/index.pdf"' in (tmp_path / "index.html").read_text(encoding="utf-8")
    page = (tmp_path / PERIOD / "52.02" / "index.html").read_text(encoding="utf-8")
    assert '<a href="index.pdf" download="cakupan-2024-52.02.pdf" data-download="pdf">' in page
    from pypdf import PdfReader

    pages = [unicodedata.normalize("NFKC", p.extract_text()) for p in PdfReader(str(twin)).pages]
    # the synthetic-data warning in the top margin of every page, not only on the first
    assert all("DATA SINTETIS — bukan angka resmi" in text for text in pages)


def test_missing_chromium_names_the_install_script(monkeypatch, tmp_path):
    monkeypatch.setenv("CAKUPAN_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(ReportError, match="scripts/ensure_chromium.sh"):
        pdf.print_pdf(tmp_path / "report.html")
