"""Regenerate the malformed-registry corpus of tests/corpus (run from anywhere).

Every file is tiny and synthetic: the NIKs follow the DESIGN §4 structure but belong to
nobody. The text files are written here too, so one command rebuilds the whole corpus:

    .venv/bin/python tests/corpus/make_corpus.py

``expected.csv`` beside this script says what the intake must make of each file; it is
written by hand, not by this script.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

HERE = Path(__file__).resolve().parent

HEADER = ["NIK", "Nama Lengkap", "Tgl Lahir", "Jenis Kelamin", "Kode Wilayah", "Kode Kecamatan",
          "Segmen", "Pekerjaan", "Sumber Dana", "Upah", "Kelas Risiko", "Program", "TMT",
          "Tgl Akhir", "Iuran Sampai"]
# Five valid jamsostek spells in Indonesian export style (Lombok Tengah, Mataram, Lombok Barat).
ROWS = [
    ["5202010101900001", "Ahmad Fauzi", "01/01/1990", "L", "52.02", "52.02.01", "PU",
     "non_asn_staff", "apbd", "Rp2.500.000", "1", "JKK,JKM", "01/01/2023", "", "31/12/2024"],
    ["5202024505850002", "Siti Aminah", "05/05/1985", "P", "52.02", "52.02.02", "BPU",
     "tobacco_farmer", "dbhcht", "Rp16.800", "", "JKK,JKM", "01/03/2023", "", "31/12/2024"],
    ["5202031212800003", "Lalu Muhammad", "12/12/1980", "L", "52.02", "52.02.03", "BPU",
     "fisher", "apbd", "1.000.000", "", "JKK,JKM", "15/06/2022", "", "30/11/2024"],
    ["5271016707950004", "Baiq Nurul", "27/07/1995", "P", "52.71", "52.71.01", "PU", "other",
     "employer", "3.500.000", "2", "JKK,JKM,JHT,JP", "01/02/2021", "31/12/2023", "31/12/2023"],
    ["5201014403000005", "Ni Made Ayu", "04/03/2000", "P", "52.01", "52.01.01", "JAKON", "",
     "", "2500000", "3", "JKK,JKM", "01/07/2024", "", "31/12/2024"],
]
COLUMN = {name: index for index, name in enumerate(HEADER)}


def changed(row_index: int, **values: str) -> list[str]:
    """A copy of ROWS[row_index] with some columns replaced (keys: header with _ for space)."""
    row = list(ROWS[row_index])
    for key, value in values.items():
        row[COLUMN[key.replace("_", " ")]] = value
    return row


def write_csv(name: str, rows: list[list[str]], *, header: list[str] = HEADER,
              delimiter: str = ";", encoding: str = "utf-8", prefix: str = "") -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    (HERE / name).write_bytes((prefix + buffer.getvalue()).encode(encoding))


def write_bytes(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def main() -> None:
    # Usable files: formats, encodings, delimiters, number and date styles.
    write_csv("ok_semicolon.csv", ROWS)
    write_csv("ok_comma_bom.csv", ROWS, delimiter=",", prefix="\ufeff")
    write_csv("ok_tab_named_csv.csv", ROWS, delimiter="\t")
    write_csv("ok_pipe.csv", ROWS, delimiter="|")
    write_csv("ok_utf16_tab.txt", ROWS, delimiter="\t", encoding="utf-16")
    write_csv("ok_cp1252_names.csv", [changed(0, Nama_Lengkap="José Muñoz"),
                                      changed(1, Nama_Lengkap="Désirée Anggraeni"),
                                      *ROWS[2:]], encoding="cp1252")
    write_csv("ok_iso_dates_plain_numbers.csv", [
        changed(i, Tgl_Lahir=_iso(row[2]), TMT=_iso(row[12]), Tgl_Akhir=_iso(row[13]),
                Iuran_Sampai=_iso(row[14]), Upah=row[9].replace("Rp", "").replace(".", ""))
        for i, row in enumerate(ROWS)], delimiter=",")
    write_csv("ok_excel_serial_dates.csv", [
        changed(i, TMT=str(_serial(row[12])), Iuran_Sampai=str(_serial(row[14])))
        for i, row in enumerate(ROWS)])
    write_csv("ok_blank_lines_and_spaces.csv", [
        changed(0, NIK=" 5202010101900001 ", Segmen=" pu "), [], *ROWS[1:3], ["", "", ""],
        *ROWS[3:]])
    # NIK rules.
    write_csv("nik_15_and_17_digits.csv", [changed(0, NIK="520201010190001"),
                                           changed(1, NIK="52020245058500021"), *ROWS[2:]])
    write_csv("nik_spaces_dots_dashes.csv", [changed(0, NIK="5202 0101 0190 0001"),
                                             changed(1, NIK="5202.0245.0585.0002"),
                                             changed(2, NIK="5202-0312-1280-0003"), *ROWS[3:]])
    write_csv("nik_rule_breaks.csv", [
        changed(0, NIK="0902010101900001"),    # province 09
        changed(1, NIK="5202023205850002"),    # day 32
        changed(2, NIK="5202031213800003"),    # month 13
        changed(3, NIK="5271016707950000"),    # serial 0000
        changed(4, NIK="52010144O3000005"),    # letter O
        ROWS[4],
    ])
    write_csv("nik_women_day_plus_40.csv", [
        changed(1), changed(3),
        changed(4, Tgl_Lahir="44/03/2000"),    # someone copied the NIK's day+40
    ])
    # Dates, wages, values, regions.
    write_csv("date_31_february.csv", [changed(0, TMT="31/02/2024"),
                                       changed(1, TMT="2024-02-30"), *ROWS[2:]])
    write_csv("date_end_before_start.csv", [changed(0, Tgl_Akhir="31/12/2022"),
                                            changed(3, Tgl_Akhir="01/02/2021"), *ROWS[1:3],
                                            ROWS[4]])
    write_csv("wage_negative_and_unreadable.csv", [
        changed(0, Upah="-2.500.000"), changed(1, Upah="Rp 16.800,00"),
        changed(2, Upah="sejuta"), changed(3, Upah="35.000.000.000"), ROWS[4]])
    write_csv("value_unknown_segment.csv", [changed(0, Segmen="ASN"),
                                            changed(1, Jenis_Kelamin="X"), *ROWS[2:]])
    write_csv("region_unknown.csv", [changed(0, Kode_Wilayah="53.01", Kode_Kecamatan=""),
                                     changed(1, Kode_Wilayah="Lombok Tengah",
                                             Kode_Kecamatan=""), *ROWS[2:]])
    write_csv("prefix_mismatch.csv", [changed(0, Kode_Wilayah="52.71", Kode_Kecamatan="52.71.01"),
                                      *ROWS[1:]])
    write_csv("missing_values.csv", [changed(0, Jenis_Kelamin=""), changed(1, Segmen=""),
                                     changed(2, TMT=""), *ROWS[3:]])
    write_csv("duplicates_exact.csv", [ROWS[0], ROWS[1], ROWS[0], *ROWS[2:], ROWS[0]])
    write_csv("all_rows_rejected.csv", [changed(i, NIK="123") for i in range(5)])
    write_csv("many_rows_rejected.csv", [changed(0, NIK="123"), *ROWS[1:]])
    # Files that are not usable at all.
    write_csv("missing_nik_column.csv", [row[1:] for row in ROWS], header=HEADER[1:])
    write_csv("duplicated_column.csv", [row + [row[0]] for row in ROWS], header=HEADER + ["NIK"])
    write_csv("two_columns_same_meaning.csv", [row + [row[1]] for row in ROWS],
              header=HEADER + ["Nama"])
    write_csv("header_only.csv", [])
    write_csv("no_header.csv", ROWS, header=[])
    write_csv("ragged_row.csv", [ROWS[0], ROWS[1] + ["extra;value"]], delimiter=",")
    write_bytes("empty.csv", b"")
    write_bytes("binary_garbage.csv", bytes(range(256)) * 8)
    write_bytes("html_saved_as.csv", b"<!DOCTYPE html>\n<html><head><title>Login</title></head>"
                                     b"<body><table><tr><td>NIK</td></tr></table></body></html>\n")
    write_bytes("old_excel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    write_bytes("not_really.parquet", b"PAR1 this is not a parquet file")
    _write_xlsx()
    _write_parquet()
    _write_jkn()


def _iso(text: str) -> str:
    if not text:
        return ""
    day, month, year = text.split("/")
    return f"{year}-{month}-{day}"


def _serial(text: str) -> int:
    return (dt.date.fromisoformat(_iso(text)) - dt.date(1899, 12, 30)).days


def _write_xlsx() -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Catatan"
    notes["A1"] = "Sumber: BPJS Ketenagakerjaan Cabang Praya (contoh sintetis)"
    sheet = workbook.create_sheet("Peserta")
    sheet["A1"] = "DATA PESERTA BPJS KETENAGAKERJAAN KAB. LOMBOK TENGAH"
    sheet["A2"] = "Posisi 31 Desember 2024"
    sheet.append([])
    sheet.append(HEADER)
    for row in ROWS:
        values: list[object] = list(row)
        for name in ("Tgl Lahir", "TMT", "Tgl Akhir", "Iuran Sampai"):
            text = row[COLUMN[name]]
            values[COLUMN[name]] = dt.datetime.fromisoformat(_iso(text)) if text else None
        values[COLUMN["Upah"]] = int(row[COLUMN["Upah"]].replace("Rp", "").replace(".", ""))
        values[COLUMN["Kelas Risiko"]] = int(row[COLUMN["Kelas Risiko"]]) if row[10] else None
        sheet.append(values)
    workbook.save(HERE / "ok_excel_title_rows.xlsx")

    broken = openpyxl.Workbook()
    broken.active.append(["Laporan"])
    broken.active.append(["tanpa tabel"])
    broken.save(HERE / "excel_without_table.xlsx")


def _write_parquet() -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    def date(text: str) -> dt.date | None:
        return dt.date.fromisoformat(_iso(text)) if text else None

    table = pa.table({
        "nik": [row[0] for row in ROWS[:4]] + ["5202"],
        "full_name": [row[1] for row in ROWS[:4]] + ["Nama"],
        "birth_date": pa.array([date(row[2]) for row in ROWS[:4]] + [None], pa.date32()),
        "sex": [row[3] for row in ROWS[:4]] + ["L"],
        "region_code": [row[4] for row in ROWS[:4]] + ["52.02"],
        "district_code": [row[5] for row in ROWS[:4]] + [None],
        "segment": [row[6] for row in ROWS[:4]] + ["PU"],
        "occupation": [row[7] or None for row in ROWS[:4]] + [None],
        "funding_source": [row[8] or None for row in ROWS[:4]] + [None],
        "wage_rp": pa.array([2_500_000, 16_800, 1_000_000, 3_500_000, 10], pa.int64()),
        "risk_class": pa.array([1, None, None, 2, None], pa.int8()),
        "programmes": ["JKK;JKM"] * 5,
        "start_date": pa.array([date(row[12]) for row in ROWS[:4]] + [dt.date(2024, 1, 1)],
                               pa.date32()),
        "end_date": pa.array([date(row[13]) for row in ROWS[:4]] + [None], pa.date32()),
        "paid_through": pa.array([date(row[14]) for row in ROWS[:4]] + [None], pa.date32()),
    })
    pq.write_table(table, HERE / "ok_typed.parquet")


def _write_jkn() -> None:
    header = ["No", "NIK", "Nama Peserta", "Tgl Lahir", "JK", "Kode Kab/Kota", "Kode Kec",
              "Jenis Peserta", "Kelas", "TMT", "Tgl Akhir", "Iuran s/d"]
    rows = [
        ["1", "5202010101900001", "Ahmad Fauzi", "1990-01-01", "Laki-laki", "5202", "520201",
         "PBI APBD", "III", "2020-01-01", "", "2024-12-31"],
        ["2", "5202024505850002", "Siti Aminah", "1985-05-05", "Perempuan", "52.02", "52.02.02",
         "PBI_APBN", "Kelas 3", "2015-01-01", "", "2024-12-31"],
        ["3", "5202031212800003", "Lalu Muhammad", "1980-12-12", "L", "52.02", "52.02.03",
         "PPU", "1", "2019-05-01", "2023-04-30", "2023-04-30"],
        ["4", "5271016707950004", "Baiq Nurul", "1995-07-27", "P", "52.71", "", "PBPU", "4",
         "2021-03-01", "", "2024-06-30"],
        ["5", "5201014403000005", "Ni Made Ayu", "", "P", "52.01", "52.01.01", "BP", "2",
         "2022-07-01", "", "2024-12-31"],
    ]
    write_csv("jkn_export_style.csv", rows, header=header, delimiter=",")


if __name__ == "__main__":
    main()
