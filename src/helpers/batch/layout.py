"""Where every file of a reports folder goes and what it is called: one place decides.

::

    reports/index.html                        the landing page, links everything
    reports/manifest.json                     what is published and how it was made
    reports/.staging/  .logs/workers.log  .lock      the batch's own working files
    reports/<period>/index.html               the province overview (id); index.en.html (en)
    reports/<period>/<region>/index.html      a regency report (id); index.en.html (en)
    reports/<period>/<region>/index.pdf       its PDF (id); index.en.pdf (en)
    reports/<period>/<region>/indicators.csv, tables/*.csv, excel-id/…   language-neutral
    reports/<period>/<region>/tables.xlsx (id), tables.en.xlsx (en)
    reports/<period>/<region>/report.ipynb (id), report.en.ipynb (en): executed, for audit
    reports/<period>/<region>/csv-metadata.json   what the CSV files hold (CSVW), neutral
    reports/<period>/<region>/tables-csv.zip      indicators.csv, tables/*.csv and the metadata
    reports/methodology.html (id), methodology.en.html (en)   the indicator definitions

The naming rule: the default language (Bahasa Indonesia) has the plain name
(``index.html``); another language puts its code before the suffix (``index.en.html``).
Everything in :mod:`helpers.batch` asks this module. ``helpers.report`` still spells
some of the same names itself (the workbook in ``report/outputs.py``, the region links
in ``report/formatting.py``): it comes before ``batch`` in the data flow and cannot
import it.
"""

from __future__ import annotations

from pathlib import Path

from helpers.report.csv_metadata import METADATA_FILE as CSV_METADATA
from helpers.report.i18n import DEFAULT_LANGUAGE, LANGUAGES

#: The landing page at the root of a reports folder.
LANDING_PAGE = "index.html"
#: The manifest at the root of a reports folder (:mod:`helpers.batch.manifest`).
MANIFEST = "manifest.json"
#: Folder under the reports root where runs render before they are committed.
STAGING = ".staging"
#: Folder of the workers' log, and the log itself.
LOGS, WORKER_LOG = ".logs", "workers.log"
#: The batch lock: one batch at a time per reports folder.
LOCK = ".lock"
#: Name prefix of the probe file that tests a folder can be written.
WRITE_PROBE_PREFIX = ".cakupan-write-test-"
#: Language-neutral files of a report folder.
INDICATORS_CSV = "indicators.csv"
TABLES_FOLDER = "tables"
EXCEL_ID_FOLDER = "excel-id"
#: The report's CSV files and their metadata in one archive (language-neutral).
CSV_ZIP = "tables-csv.zip"
#: What ``manifest.json`` says about the layout (its ``layout`` field).
DESCRIPTION = ("reports/<period>/<region_code>/index.html (id), index.en.html (en); "
               "reports/<period>/index.html the province overview")


def _named(stem: str, suffix: str, lang: str) -> str:
    return f"{stem}.{suffix}" if lang == DEFAULT_LANGUAGE else f"{stem}.{lang}.{suffix}"


def page_name(lang: str) -> str:
    """The report page: ``index.html`` (id), ``index.en.html`` (en)."""
    return _named("index", "html", lang)


def pdf_name(lang: str) -> str:
    """The report's PDF: ``index.pdf`` (id), ``index.en.pdf`` (en)."""
    return _named("index", "pdf", lang)


def notebook_name(lang: str) -> str:
    """The executed notebook kept for audit: ``report.ipynb`` (id), ``report.en.ipynb``."""
    return _named("report", "ipynb", lang)


def workbook_name(lang: str) -> str:
    """The Excel workbook: ``tables.xlsx`` (id), ``tables.en.xlsx`` (en)."""
    return _named("tables", "xlsx", lang)


def methodology_name(lang: str) -> str:
    """The methodology page at the reports root: ``methodology.html`` (id), ``…en.html``."""
    return _named("methodology", "html", lang)


def methodology_link(depth: int, lang: str) -> str:
    """Relative link to the methodology page from a page ``depth`` folders below the root."""
    return "../" * depth + methodology_name(lang)


def page_language(name: str) -> str | None:
    """The language of a report page's file name (``index.en.html`` → 'en'), else None."""
    return next((lang for lang in LANGUAGES if page_name(lang) == name), None)


def report_page_language(name: str) -> str | None:
    """The language of a report page given relative to the reports root, else None.

    ``2024/index.html`` (an overview) → 'id', ``2024/52.02/index.en.html`` → 'en';
    the landing page, files in ``.staging`` and other files → None.
    """
    parts = name.split("/")
    if len(parts) not in (2, 3) or parts[0].startswith("."):
        return None
    return page_language(parts[-1])


def shared_files() -> tuple[str, ...]:
    """Files of a report folder the landing page links (besides the pages and tables/)."""
    return (*(pdf_name(lang) for lang in LANGUAGES), CSV_ZIP, INDICATORS_CSV,
            f"{EXCEL_ID_FOLDER}/{INDICATORS_CSV}", *(workbook_name(lang) for lang in LANGUAGES),
            *(notebook_name(lang) for lang in LANGUAGES))


def report_folder(out: str | Path, period: str, region_code: str | None = None) -> Path:
    """``out/<period>`` (the province overview) or ``out/<period>/<region_code>``."""
    folder = Path(out) / str(period)
    return folder / region_code if region_code else folder


def report_key(period: str, lang: str, region_code: str | None = None) -> str:
    """A report's key in the manifest: its page relative to the reports root."""
    folder = f"{period}/{region_code}" if region_code else str(period)
    return f"{folder}/{page_name(lang)}"


def reports_root(folder: str | Path, *, regency: bool) -> Path:
    """The reports root a report folder lies in (two levels up for a regency)."""
    folder = Path(folder)
    return folder.parents[1] if regency else folder.parent


def landing_link(depth: int) -> str:
    """Relative link to the landing page from a page ``depth`` folders below the root."""
    return "../" * depth + LANDING_PAGE


def overview_link(lang: str) -> str:
    """Relative link from a regency page to its province overview in ``lang``."""
    return f"../{page_name(lang)}"


def manifest_path(out: str | Path) -> Path:
    return Path(out) / MANIFEST


def landing_page(out: str | Path) -> Path:
    return Path(out) / LANDING_PAGE


def worker_log(out: str | Path) -> Path:
    return Path(out) / LOGS / WORKER_LOG


def lock_path(out: str | Path) -> Path:
    return Path(out) / LOCK


__all__ = ["CSV_METADATA", "CSV_ZIP", "DESCRIPTION", "EXCEL_ID_FOLDER", "INDICATORS_CSV",
           "LANDING_PAGE", "LOCK", "LOGS", "MANIFEST", "STAGING", "TABLES_FOLDER", "WORKER_LOG",
           "WRITE_PROBE_PREFIX", "landing_link", "landing_page", "lock_path", "manifest_path",
           "methodology_link", "methodology_name", "notebook_name", "overview_link",
           "page_language", "page_name", "pdf_name", "report_folder", "report_key",
           "report_page_language", "reports_root", "shared_files", "worker_log",
           "workbook_name"]
