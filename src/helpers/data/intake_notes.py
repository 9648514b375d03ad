"""What a registry's columns let the indicators compute, said in words (English and Indonesian).

Nothing is ignored in silence: the intake's summary lists the columns it did not use, the
columns it expected and did not find with what each absence costs ("no paid_through and
no status: active rates cannot be computed"), how "active" is told (months paid, or the
status at the extract date) and the snapshots a folder held. :func:`quality_notes`
turns a summary (an :class:`~helpers.data.ledger.IntakeSummary` or its dict, as the
report bundle keeps it) into sentences; ``cakupan validate`` prints them and the report's
data-quality section shows them.

No value of a row is ever shown; a header that looks like data (a NIK, a date, a long
number) is named by its position only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from helpers.data import schema

#: Columns the notes never list as missing: required ones refuse the file instead, and a
#: name is dropped at intake anyway.
_NOT_NOTED = {"nik", "full_name", "sex", "region_code", "segment", "status"}

#: What each missing column costs, in Indonesian (English: ``schema.Column.if_missing``).
_IF_MISSING_ID = {
    "birth_date": "umur diambil dari digit tanggal lahir dalam NIK (DDMMYY)",
    "district_code": "tanpa kecamatan: tabel per kecamatan kosong",
    "start_date": "tanpa tanggal mulai: anggota hanya dihitung pada tanggal tarik data",
    "end_date": "tanpa tanggal akhir: setiap kepesertaan dianggap masih berjalan",
    "paid_through": ("tanpa paid_through: jumlah peserta aktif dan anggaran bulan terbayar "
                     "tidak dapat dihitung dari pembayaran"),
    "occupation": ("tanpa pekerjaan: semua 'lainnya', sehingga jumlah non-ASN, petani "
                   "tembakau dan nelayan 0"),
    "funding_source": ("tanpa sumber dana: pembayar mengikuti segmen (pemberi kerja atau "
                       "mandiri), sehingga jumlah dan anggaran yang dibiayai Pemda 0"),
    "wage_rp": "tanpa upah: iuran berbasis upah dihitung Rp0 dalam anggaran",
    "risk_class": "tanpa kelas risiko: tarif JKK peserta PU tidak masuk anggaran",
    "programmes": "tanpa program: anggaran tidak menghitung iuran apa pun",
    "care_class": "tanpa kelas rawat: kelas setiap peserta tidak diketahui",
}
_IF_MISSING_EN = {
    "start_date": "no start dates: members are counted at the extract date only",
}

_WORDS = {
    "en": {
        "unused": "Columns not used: {columns}.",
        "missing": "Not found: {column} ({cost}).",
        "no_basis": ("Not found: paid_through and status. No paid_through and no status: "
                     "active rates cannot be computed; they are shown as '–', not as 0 %."),
        "status_basis": ("No paid_through: active means status {active} at the extract date "
                         "{date} (column '{header}'); indicators at other dates are refused, "
                         "and budgets of paid months cannot be computed."),
        "status_basis_each": ("No paid_through: active means status {active} at each "
                              "snapshot's date (column '{header}'); indicators at other dates "
                              "are refused, and budgets of paid months cannot be computed."),
        "status_ignored": ("Column '{header}' (status) is read but not used for 'active': "
                           "paid_through decides it."),
        "snapshot": ("Snapshot at {date} ({source}): every row is a member at that date; "
                     "members and active people are known at that date only."),
        "snapshots": ("{count} snapshots ({dates}): the trend has one point per snapshot, "
                      "and indicators are computed at a snapshot's date only."),
        "invalid": "{rows} row(s) rejected for a {column} value not in vocabularies.csv.",
        "sources": {"parameter": "given", "file name": "from the file name",
                    "title row": "from a title row", "parquet metadata": "from the Parquet "
                    "metadata", "folder": "from the file names"},
    },
    "id": {
        "unused": "Kolom yang tidak dipakai: {columns}.",
        "missing": "Tidak ditemukan: {column} ({cost}).",
        "no_basis": ("Tidak ditemukan: paid_through dan status. Tanpa paid_through dan "
                     "tanpa status, tingkat keaktifan tidak dapat dihitung; ditampilkan "
                     "'–', bukan 0 %."),
        "status_basis": ("Tanpa paid_through: aktif berarti status {active} pada tanggal "
                         "tarik data {date} (kolom '{header}'); indikator pada tanggal lain "
                         "ditolak, dan anggaran bulan terbayar tidak dapat dihitung."),
        "status_basis_each": ("Tanpa paid_through: aktif berarti status {active} pada tanggal "
                              "setiap potret (kolom '{header}'); indikator pada tanggal lain "
                              "ditolak, dan anggaran bulan terbayar tidak dapat dihitung."),
        "status_ignored": ("Kolom '{header}' (status) dibaca tetapi tidak dipakai untuk "
                           "'aktif': paid_through yang menentukan."),
        "snapshot": ("Potret data per {date} ({source}): setiap baris adalah peserta pada "
                     "tanggal itu; peserta dan peserta aktif hanya diketahui pada tanggal itu."),
        "snapshots": ("{count} potret data ({dates}): tren punya satu titik per potret, dan "
                      "indikator hanya dihitung pada tanggal potret."),
        "invalid": ("{rows} baris ditolak karena nilai {column} tidak ada di "
                    "vocabularies.csv."),
        "sources": {"parameter": "diberikan", "file name": "dari nama file",
                    "title row": "dari baris judul", "parquet metadata": "dari metadata "
                    "Parquet", "folder": "dari nama file"},
    },
}


def missing_columns(registry: str, mapped: set[str] | list[str], active_basis: str,
                    snapshot: bool) -> list[str]:
    """Optional columns a file lacks that cost the indicators something, in file order.

    ``paid_through`` is listed unless the file has it; ``start_date`` only for a snapshot
    (a history without it is refused); ``end_date`` only for a history.
    """
    mapped = set(mapped)
    result = []
    for name in schema.input_column_names(registry):
        if name in mapped or name in _NOT_NOTED:
            continue
        if name == "start_date" and not snapshot:
            continue
        if name == "end_date" and snapshot:
            continue  # a snapshot's rows are members at its date: no end date needed
        column = schema.column(registry, name)
        if column.if_missing or name in _IF_MISSING_EN:
            result.append(name)
    return result


def column_cost(registry: str, name: str, lang: str = "en") -> str:
    """What a missing column costs, in words."""
    if lang == "id":
        return _IF_MISSING_ID[name]
    return _IF_MISSING_EN.get(name) or schema.column(registry, name).if_missing


def shown_header(header: str, position: int | None = None) -> str:
    """A source header as a note names it: quoted, or by position when it looks like data
    (a run of 5 digits, a date) or is long."""
    text = re.sub(r"\s+", " ", str(header)).strip()
    looks_like_data = (re.search(r"[0-9]{5}", text) or
                       re.search(r"[0-9]+[./-][0-9]+[./-][0-9]+", text) or len(text) > 40)
    if looks_like_data:
        return f"column {position}" if position is not None else "a column"
    return f"'{text}'"


def quality_notes(summary: Mapping | object, lang: str = "en") -> list[str]:
    """Sentences saying what one registry's intake could not use or cannot tell.

    Args:
        summary: an :class:`~helpers.data.ledger.IntakeSummary` or its ``as_dict()``.
        lang: 'en' or 'id'.

    Returns:
        Sentences, in this order: how active is told (status / snapshot / none),
        columns not found with their cost, columns not used, values not in the
        vocabulary. Empty when there is nothing to say.
    """
    data = summary if isinstance(summary, Mapping) else summary.as_dict()
    words = _WORDS[lang if lang in _WORDS else "en"]
    registry = data.get("registry", "jkn")
    basis = data.get("active_basis", "paid_through")
    missing = list(data.get("missing_columns") or [])
    header = shown_header((data.get("column_map") or {}).get("status", "status")).strip("'")
    notes = []
    snapshots = data.get("snapshots") or []
    if len(snapshots) > 1:
        dates = ", ".join(item["extract_date"] for item in snapshots)
        notes.append(words["snapshots"].format(count=len(snapshots), dates=dates))
    elif data.get("snapshot") and data.get("extract_date"):
        source = words["sources"].get(data.get("extract_date_source", ""), "")
        notes.append(words["snapshot"].format(date=data["extract_date"], source=source))
    if basis == "none":
        notes.append(words["no_basis"])
    elif basis == "status":
        if len(snapshots) > 1:
            notes.append(words["status_basis_each"].format(active="AKTIF", header=header))
        else:
            notes.append(words["status_basis"].format(
                active="AKTIF", date=data.get("extract_date") or "?", header=header))
    elif "status" in (data.get("column_map") or {}):
        notes.append(words["status_ignored"].format(header=header))
    for name in missing:
        if name == "paid_through" and basis != "paid_through":
            continue  # said above, with the status
        notes.append(words["missing"].format(column=name,
                                             cost=column_cost(registry, name, lang)))
    ignored = data.get("ignored_columns") or []
    if ignored:
        positions = data.get("ignored_positions") or [None] * len(ignored)
        notes.append(words["unused"].format(columns=", ".join(
            shown_header(name, position) for name, position in zip(ignored, positions))))
    for column, rows in sorted((data.get("invalid_values") or {}).items()):
        notes.append(words["invalid"].format(rows=f"{rows:,}", column=column))
    return notes


__all__ = ["column_cost", "missing_columns", "quality_notes", "shown_header"]
