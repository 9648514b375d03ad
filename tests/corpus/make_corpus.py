"""Regenerate the malformed-registry corpus of tests/corpus (run from anywhere).

Every file is tiny and synthetic: the NIKs follow the DESIGN §4 structure but belong to
nobody. The text files are written here too, so one command rebuilds the whole corpus:

    .venv/bin/python tests/corpus/make_corpus.py

``expected.csv`` beside this script says what the intake must make of each file; it is
written by hand, not by this script.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
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
    _write_quotes_and_text()
    _write_nik_as_number()
    _write_parquet_faults()
    _write_workbook_faults()
    _write_privacy()


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


# --------------------------------------------------------------------------- issue 12
# "Nothing lost, nothing leaked": stray quotes, numbers as NIKs, damaged workbooks and
# Parquet files, and values that must not reach the ledger.

#: Names written anywhere in the corpus; tests check that no ledger detail repeats one.
NAMES = sorted({row[1] for row in ROWS} | {"José Muñoz", "Désirée Anggraeni"})


def many_rows(count: int, *, serial=lambda index: index + 1) -> list[list[str]]:
    """``count`` valid spells cycling through ROWS, each with its own NIK serial number."""
    rows = []
    for index in range(count):
        row = list(ROWS[index % len(ROWS)])
        row[0] = row[0][:12] + f"{serial(index):04d}"
        rows.append(row)
    return rows


def csv_text(rows: list[list[str]], *, header: list[str] = HEADER, delimiter: str = ";",
             quoting: int = csv.QUOTE_MINIMAL, lineterminator: str = "\r\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator,
                        quoting=quoting)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def replace_line(text: str, number: int, old: str, new: str) -> str:
    """``text`` with ``old`` replaced by ``new`` once on line ``number`` (1-based)."""
    lines = text.split("\r\n")
    assert old in lines[number - 1], (number, old)
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    return "\r\n".join(lines)


def _write_quotes_and_text() -> None:
    # A stray quote opens the name on row 12 of a ';' file without other quotes: the rest
    # of the file would become one value (csv.reader loses rows 13-31 silently).
    text = csv_text(many_rows(30))
    write_bytes("quote_stray_never_closes.csv",
                replace_line(text, 12, ";Ahmad", ';"Ahmad').encode())
    # In a comma file the stray quote pairs with the opening quote of "JKK,JKM" on the same
    # line: nine values become one.
    text = csv_text(many_rows(30), delimiter=",")
    write_bytes("quote_stray_closes_mid_value.csv",
                replace_line(text, 7, ",01/01/1990,", ',"01/01/1990,').encode())
    # Two stray quotes four lines apart: rows 4-8 would be one value holding whole records.
    text = csv_text(many_rows(12))
    text = replace_line(text, 4, ";Lalu", ';"Lalu')
    text = replace_line(text, 8, ";Rp16.800;", ';Rp16.800";')
    write_bytes("quote_stray_swallows_records.csv", text.encode())
    # A pair of stray quotes on one line joins eight values into one (the row is short).
    text = csv_text(many_rows(10))
    text = replace_line(text, 5, ";Baiq", ';"Baiq')
    text = replace_line(text, 5, ";employer;", ';employer";')
    write_bytes("quote_stray_pair_on_one_line.csv", text.encode())
    # Allowed: a quoted address over two lines, and a quoted nickname inside a name.
    header = HEADER + ["Alamat"]
    write_csv("ok_quoted_line_break.csv",
              [row + [f"Jl. Pejanggik No. {index + 1},\nPraya"] for index, row in enumerate(ROWS)],
              header=header, delimiter=",")
    write_bytes("ok_quoted_nickname.csv",
                replace_line(csv_text(ROWS), 2, ";Ahmad Fauzi;", ';"Ucok" Ahmad;').encode())
    # One value of 140,000 characters (over csv's default field limit of 131,072).
    write_csv("ok_long_value.csv", [row + (["x" * 140_000] if index == 2 else [""])
                                     for index, row in enumerate(ROWS)],
              header=HEADER + ["Catatan"], delimiter=",")
    # A comma file whose programmes are written "JKK;JKM" and whose rows leave out empty
    # trailing values: split by ';' its data rows look more consistent than by ','.
    # (The old sniffer counted 5 of 6 lines with 2 ';'-fields, 3 of 6 with 15 ','-fields.)
    widths = {1: 13, 2: 14, 3: 13}  # rows 3-5 leave out their last one or two values
    lines = [",".join(HEADER)]
    for index, row in enumerate(ROWS):
        cells = list(row)
        cells[COLUMN["Program"]] = '"JKK;JKM"'
        lines.append(",".join(cells[:widths.get(index, len(cells))]))
    write_bytes("semicolon_inside_quotes_ragged_rows.csv", ("\r\n".join(lines) + "\r\n").encode())
    # Old Mac line ends (CR only).
    write_bytes("ok_cr_line_ends.csv", csv_text(ROWS, lineterminator="\r").encode())
    # Encodings: a UTF-8 BOM followed by cp1252 bytes; UTF-16 without BOM; cut UTF-16.
    rows = [changed(0, Nama_Lengkap="José Muñoz"), *ROWS[1:]]
    write_bytes("bom_then_cp1252.csv", codecs.BOM_UTF8 + csv_text(rows).encode("cp1252"))
    write_bytes("ok_utf16_without_bom.csv",
                csv_text(ROWS, delimiter="\t").encode("utf-16-le"))
    write_bytes("utf16_cut_short.txt",
                csv_text(ROWS, delimiter="\t").encode("utf-16") + b"\x35")
    # A header cell holding a line break that repeats another column: the message names it
    # on one line.
    write_csv("header_with_line_break.csv", [row + [row[1]] for row in ROWS],
              header=HEADER + ["Nama\nLengkap"])
    # A NUL byte in a name (a damaged export).
    write_bytes("nul_byte.csv", csv_text(ROWS).replace("Siti", "Si\x00ti").encode())


def _write_nik_as_number() -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # NIKs written as numbers in text: scientific notation (Excel's CSV of a number column)
    # and a float's ".0".
    write_csv("nik_scientific_notation.csv",
              [changed(index, NIK=f"{int(row[0]) / 1e15:.5f}E+15".replace("0E", "E"))
               for index, row in enumerate(ROWS)])
    write_csv("nik_decimal_point_zero.csv", [ROWS[0], changed(1, NIK=ROWS[1][0] + ".0"),
                                             *ROWS[2:]], delimiter=",")
    # Excel's 15-digit cut in text NIKs: every NIK ends in 0 (serials 0010, 0020, …).
    write_csv("nik_excel_cut_to_15_digits.csv", many_rows(25, serial=lambda i: (i + 1) * 10))
    # NIK columns stored as numbers in Parquet: BIGINT, DOUBLE, DECIMAL(16,0).
    base = _parquet_table(ROWS)
    niks = [int(row[0]) for row in ROWS]
    for name, array in (("nik_parquet_bigint.parquet", pa.array(niks, pa.int64())),
                        ("nik_parquet_double.parquet", pa.array([float(n) for n in niks])),
                        ("nik_parquet_decimal.parquet",
                         pa.array([__import__("decimal").Decimal(n) for n in niks],
                                  pa.decimal128(16, 0)))):
        pq.write_table(base.set_column(0, "nik", array), HERE / name)
    # A NIK cell formatted as a number in Excel (openpyxl writes the int as a number).
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Peserta"
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append([int(row[0]), *row[1:]])
    workbook.save(HERE / "nik_xlsx_number_cell.xlsx")


def _parquet_table(rows: list[list[str]]):
    """Text Parquet table of ``rows`` with canonical column names."""
    import pyarrow as pa

    names = ["nik", "full_name", "birth_date", "sex", "region_code", "district_code", "segment",
             "occupation", "funding_source", "wage_rp", "risk_class", "programmes",
             "start_date", "end_date", "paid_through"]
    return pa.table({name: pa.array([row[index] or None for row in rows], pa.string())
                     for index, name in enumerate(names)})


def _write_parquet_faults() -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # Invalid UTF-8 in a text column (bytes of cp1252 labelled as UTF-8).
    table = _parquet_table(ROWS)
    names = [row[1].encode() for row in ROWS]
    names[2] = "Lalu Muñoz".encode("cp1252")
    binary = pa.array(names, pa.binary())
    broken = pa.Array.from_buffers(pa.string(), len(names), binary.buffers())
    pq.write_table(table.set_column(1, "full_name", broken), HERE / "parquet_invalid_utf8.parquet")
    # The NIK column twice (DuckDB would silently rename the second to nik_1).
    pq.write_table(pa.Table.from_arrays([*table.columns, table.column("nik")],
                                        names=[*table.column_names, "nik"]),
                   HERE / "parquet_duplicate_columns.parquet")
    # A Parquet file cut in half.
    pq.write_table(table, HERE / "parquet_cut_short.parquet")
    data = (HERE / "parquet_cut_short.parquet").read_bytes()
    write_bytes("parquet_cut_short.parquet", data[: len(data) // 2])
    # Glob characters in the name: DuckDB would read 'registry[1].parquet' as the pattern
    # registry1.parquet and read the decoy (3 rows) instead of the file (5 rows).
    pq.write_table(table, HERE / "glob_registry[1].parquet")
    pq.write_table(_parquet_table(ROWS[:3]), HERE / "glob_registry1.parquet")


def _write_workbook_faults() -> None:
    import openpyxl

    good = (HERE / "ok_excel_title_rows.xlsx").read_bytes()
    write_bytes("xlsx_cut_short.xlsx", good[: len(good) // 2])

    def rewrite(name: str, change) -> None:
        with zipfile.ZipFile(io.BytesIO(good)) as source, \
                zipfile.ZipFile(HERE / name, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                target.writestr(info.filename, change(info.filename, source.read(info.filename)))

    sheet = "xl/worksheets/sheet2.xml"
    rewrite("xlsx_sheet_xml_cut.xlsx", lambda name, data: data[: len(data) // 2]
            if name == sheet else data)
    # A wrong CRC: the archive opens, the sheet does not read.
    rewrite("xlsx_bad_checksum.xlsx", lambda name, data: data)
    _patch_member(HERE / "xlsx_bad_checksum.xlsx", sheet, crc=0x12345678)
    # A member compressed with Deflate64 (method 9, which zipfile cannot read), and one
    # marked encrypted.
    rewrite("xlsx_unsupported_compression.xlsx", lambda name, data: data)
    _patch_member(HERE / "xlsx_unsupported_compression.xlsx", sheet, method=9)
    rewrite("xlsx_encrypted_member.xlsx", lambda name, data: data)
    _patch_member(HERE / "xlsx_encrypted_member.xlsx", sheet, encrypted=True)
    # Zip bombs: a directory that declares 3.75 GiB, and a member compressed 1,000 : 1.
    rewrite("xlsx_zip_bomb_declared_size.xlsx", lambda name, data: data)
    _patch_member(HERE / "xlsx_zip_bomb_declared_size.xlsx", sheet, size=0xF0000000)
    rewrite("xlsx_zip_bomb_ratio.xlsx", lambda name, data: data + b" " * (17 << 20)
            if name == sheet else data)
    # A ZIP archive that holds a CSV, not a workbook.
    with zipfile.ZipFile(HERE / "zip_holding_csv.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("registry.csv", csv_text(ROWS))

    def workbook_of(sheets: dict[str, list[list[object]]], name: str) -> None:
        workbook = openpyxl.Workbook()
        workbook.remove(workbook.active)
        for title, rows in sheets.items():
            worksheet = workbook.create_sheet(title)
            for row in rows:
                worksheet.append(row)
        workbook.save(HERE / name)

    summary = [["Kode Wilayah", "Segmen", "Jumlah Peserta"], ["52.02", "PU", 2],
               ["52.02", "BPU", 2], ["52.71", "PU", 1]]
    workbook_of({"Ringkasan": summary, "Peserta": [HEADER, *ROWS]},
                "multi_sheet_registry_second.xlsx")
    workbook_of({"2023": [HEADER, *ROWS[:3]], "2024": [HEADER, *ROWS[3:]]},
                "multi_sheet_two_registries.xlsx")
    workbook_of({"Ringkasan": [["Laporan kepesertaan"], ["tanpa tabel"]],
                 "Grafik": [["Jumlah", 5]], "Catatan": [["Sumber", "BPJS"]]},
                "multi_sheet_no_registry.xlsx")


def _patch_member(path: Path, member: str, *, crc: int | None = None, size: int | None = None,
                  method: int | None = None, encrypted: bool = False) -> None:
    """Overwrite the CRC, uncompressed size or compression method of ``member``, or mark
    it encrypted, in both of its ZIP headers (local and central directory)."""
    import struct

    data = bytearray(path.read_bytes())
    name = member.encode()
    # (signature, offset of flags, of method, of CRC, of uncompressed size, of name
    # length, of name)
    headers = ((b"PK\x03\x04", 6, 8, 14, 22, 26, 30), (b"PK\x01\x02", 8, 10, 16, 24, 28, 46))
    for signature, flags_at, method_at, crc_at, size_at, length_at, name_at in headers:
        start = 0
        while (start := data.find(signature, start)) >= 0:
            length = struct.unpack_from("<H", data, start + length_at)[0]
            if data[start + name_at:start + name_at + length] == name:
                if crc is not None:
                    struct.pack_into("<I", data, start + crc_at, crc)
                if size is not None:
                    struct.pack_into("<I", data, start + size_at, size)
                if method is not None:
                    struct.pack_into("<H", data, start + method_at, method)
                if encrypted:
                    flags = struct.unpack_from("<H", data, start + flags_at)[0]
                    struct.pack_into("<H", data, start + flags_at, flags | 1)
            start += 4
    path.write_bytes(bytes(data))


def _write_privacy() -> None:
    # The header names sex before the name, the rows do not: every name lands in 'sex'.
    header = list(HEADER)
    header[1], header[3] = header[3], header[1]
    write_csv("shifted_name_in_sex_column.csv", ROWS, header=header)
    # Names (and a NIK and a birth date) in code columns of otherwise valid rows.
    rows = many_rows(12)
    rows[0][COLUMN["Segmen"]] = rows[0][1]
    rows[1][COLUMN["Kode Wilayah"]] = rows[1][1]
    rows[2][COLUMN["Kode Kecamatan"]] = rows[2][1]
    rows[3][COLUMN["Program"]] = rows[3][1]
    rows[4][COLUMN["Upah"]] = rows[4][1]
    rows[5][COLUMN["Kelas Risiko"]] = "AHMAD"
    rows[6][COLUMN["Pekerjaan"]] = rows[6][1]
    rows[7][COLUMN["Jenis Kelamin"]] = rows[7][0]
    rows[8][COLUMN["Kode Kecamatan"]] = "1990-01-01"
    rows[9][COLUMN["Sumber Dana"]] = "Siti"
    write_csv("shifted_names_in_code_columns.csv", rows)


if __name__ == "__main__":
    main()
