"""Write docs/methodology.md (English and Indonesian) from the indicator definitions in code.

``python -m helpers.report.methodology docs/methodology.md`` (or ``make docs``) regenerates it;
a test fails when the committed file and the definitions drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

from helpers.measures.definitions import INDICATORS
from helpers.measures.indicators import AGE_GROUPS, DBHCHT_WELFARE_SHARE, UHC_TARGET_COVERAGE
from helpers.measures.scorecard import SCORECARD_INDICATORS

__all__ = ["render", "render_document", "main"]

GROUP_TITLES = {
    "en": {"jamsostek": "BPJS Ketenagakerjaan (employment social security)",
           "jkn": "JKN (BPJS Kesehatan health insurance)", "budget": "Budget and gap costs"},
    "id": {"jamsostek": "BPJS Ketenagakerjaan (jaminan sosial ketenagakerjaan)",
           "jkn": "JKN (jaminan kesehatan BPJS Kesehatan)", "budget": "Anggaran dan biaya kesenjangan"},
}

COMMON = {
    "en": f"""## Common definitions

- **Reference date D** of a period: `2024` means 2024-12-31, `2024-06` means 2024-06-30.
- **Person**: one valid NIK, pseudonymised at intake with a keyed hash; people are counted
  as distinct pseudonyms, so a person with two spells counts once.
- **Member at D**: a spell with `start_date ≤ D` and `end_date` empty or `> D` (a spell
  ending on D is no longer open at D).
- **Active at D**: a member whose `paid_through` is no more than `grace_months` (parameter,
  default 1) whole months before the month of D. With D = 2024-12-31 and one month of
  grace, paid through November 2024 is active, paid through October 2024 is not.
- **Snapshots and status-only registries**: a registry without `paid_through` but with an
  extract date (the day the list was drawn: given, or read from a title row, the Parquet
  metadata or the file name) is a snapshot. Its rows are members at D only when D lies in
  the month of the extract date and their status is active, inactive or suspended (not
  deceased or left); **active** then means status `AKTIF` at the extract date. Indicators
  at another date are refused; a folder of dated snapshots gives one trend point per
  snapshot. A registry with neither `paid_through` nor a status cannot tell who is active:
  active counts and rates are empty and flagged `active_unknown`, never 0 %; budgets of
  paid months need `paid_through` (`paid_months_unknown`).
- **Region**: the domicile kab/kota of the spell (`region_code`); the NIK's place of first
  registration is reported separately and never used for counting.
- **Labour denominator** (parameter): `bpjs_potential` (BPJS TK "potensi tenaga kerja",
  the figure BPJS TK NTB publishes coverage against) or `bps_employed` (BPS Sakernas
  employed persons). Formal = PU + Jakon + PMI, informal = BPU.
- **Population vintage** (parameter): the population release divided by; every report
  states it, and shows coverage under every vintage available.
- **Person-month funded**: a month whose last day falls inside an open spell and whose
  contributions are paid (`paid_through` ≥ the month's last day); budget indicators sum
  these from January to the month of D, times the rate in force that month (rates.csv).
- **UHC target**: {UHC_TARGET_COVERAGE:.0%} of the population enrolled (RPJMN 2020–2024,
  Inpres 1/2022). DBHCHT welfare share: {DBHCHT_WELFARE_SHARE:.0%} (PMK 72/2024).
- **Age groups** (from birth year at the year of D): {", ".join(g[2] for g in AGE_GROUPS)}.
- **Ratios** are fractions 0–1 in data and percentages in reports. A coverage above 1 (for
  example more members than a stale population figure) is flagged `above_one`, never
  clipped; a zero denominator gives an empty value flagged `zero_denominator`.
- **Disclosure control**: published counts from 1 to the threshold (default 4) are shown
  as `<5`, with secondary suppression so that no hidden count can be recovered from totals.
""",
    "id": f"""## Definisi umum

- **Tanggal acuan D** suatu periode: `2024` berarti 2024-12-31, `2024-06` berarti 2024-06-30.
- **Orang**: satu NIK yang valid, dipseudonimkan saat intake dengan hash berkunci; jumlah
  orang dihitung dari pseudonim yang berbeda, sehingga orang dengan dua masa kepesertaan
  dihitung sekali.
- **Peserta pada D**: masa kepesertaan dengan `start_date ≤ D` dan `end_date` kosong atau
  `> D` (masa yang berakhir tepat pada D tidak lagi terbuka pada D).
- **Aktif pada D**: peserta yang `paid_through`-nya paling lama `grace_months` (parameter,
  bawaan 1) bulan penuh sebelum bulan D. Dengan D = 2024-12-31 dan tenggang satu bulan,
  iuran terbayar sampai November 2024 masih aktif, sampai Oktober 2024 tidak.
- **Potret data dan registri berstatus**: registri tanpa `paid_through` tetapi dengan
  tanggal tarik data (diberikan, atau dibaca dari baris judul, metadata Parquet atau nama
  file) adalah potret data. Barisnya adalah peserta pada D hanya jika D berada pada bulan
  tanggal tarik data dan statusnya aktif, tidak aktif atau ditangguhkan (bukan meninggal
  atau keluar); **aktif** berarti status `AKTIF` pada tanggal tarik data. Indikator pada
  tanggal lain ditolak; folder berisi beberapa potret bertanggal memberi satu titik tren
  per potret. Registri tanpa `paid_through` dan tanpa status tidak dapat menunjukkan siapa
  yang aktif: jumlah dan tingkat keaktifan dikosongkan dan ditandai `active_unknown`,
  tidak pernah 0 %; anggaran bulan terbayar memerlukan `paid_through`
  (`paid_months_unknown`).
- **Wilayah**: kab/kota domisili pada masa kepesertaan (`region_code`); tempat pertama
  NIK didaftarkan dilaporkan terpisah dan tidak dipakai untuk menghitung.
- **Penyebut tenaga kerja** (parameter): `bpjs_potential` (potensi tenaga kerja BPJS TK)
  atau `bps_employed` (penduduk bekerja Sakernas BPS). Formal = PU + Jakon + PMI,
  informal = BPU.
- **Vintage penduduk** (parameter): rilis data penduduk yang dipakai sebagai penyebut;
  setiap laporan menyebutkannya dan menampilkan cakupan menurut semua vintage yang ada.
- **Bulan-orang terbiayai**: bulan yang hari terakhirnya berada dalam masa kepesertaan
  terbuka dan iurannya terbayar (`paid_through` ≥ hari terakhir bulan itu); indikator
  anggaran menjumlahkannya dari Januari sampai bulan D, dikali tarif yang berlaku.
- **Target UHC**: {UHC_TARGET_COVERAGE:.0%} penduduk terdaftar (RPJMN 2020–2024, Inpres
  1/2022). Porsi kesejahteraan DBHCHT: {DBHCHT_WELFARE_SHARE:.0%} (PMK 72/2024).
- **Kelompok umur** (dari tahun lahir pada tahun D): {", ".join(g[2] for g in AGE_GROUPS)}.
- **Rasio** disimpan sebagai pecahan 0–1 dan ditampilkan sebagai persen. Cakupan di atas 1
  ditandai `above_one`, tidak dipotong; penyebut nol menghasilkan nilai kosong bertanda
  `zero_denominator`.
- **Kendali pengungkapan**: angka 1 sampai ambang (bawaan 4) ditampilkan sebagai `<5`,
  dengan penyembunyian sekunder agar angka yang disembunyikan tidak dapat dihitung dari total.
""",
}

SCORECARD_TEXT = {
    "en": "## Province scorecard (illustrative)\n\nA Paritrana-style composite over the seven "
          "indicator names of the NTB 2025 round: " + ", ".join(f"`{n}`" for n in SCORECARD_INDICATORS)
          + ". Four are computed from the registries (10 × a fraction); three assessed scores "
          "come from `data/reference/paritrana_inputs.csv`. The total is the weighted sum "
          "(weights are a parameter, default 1 each, which reproduces the published sum for "
          "Lombok Timur, 51.51). Official weights are not public: the scorecard is illustrative.\n",
    "id": "## Kartu skor provinsi (ilustratif)\n\nKomposit bergaya Paritrana atas tujuh nama "
          "indikator putaran NTB 2025: " + ", ".join(f"`{n}`" for n in SCORECARD_INDICATORS)
          + ". Empat dihitung dari registri (10 × sebuah pecahan); tiga skor penilaian diambil "
          "dari `data/reference/paritrana_inputs.csv`. Total adalah jumlah berbobot (bobot "
          "adalah parameter, bawaan 1, yang mereproduksi jumlah terbitan untuk Lombok Timur, "
          "51,51). Bobot resmi tidak dipublikasikan: kartu skor ini ilustratif.\n",
}


FILES_TEXT = {
    "en": """## The files of a report

Each report folder holds the same figures in several forms (the report's "Downloads"
box links them; `tables-csv.zip` holds all the CSVs and their metadata):

| File | For | Format |
|---|---|---|
| `indicators.csv`, `tables/<table>.csv` | machines, R, Python, Excel in an English locale | UTF-8 with BOM, `,` between fields, `.` before decimals, whole numbers as integers |
| `excel-id/indicators.csv`, `excel-id/tables/<table>.csv` | Excel or LibreOffice in an Indonesian (id-ID) locale | the same values with `;` between fields and `,` before decimals |
| `csv-metadata.json` | documentation and tools | CSV on the Web (W3C) metadata: every column's title in Indonesian and English, datatypes, the hidden-cell markers, and on sample data `"synthetic": true` |
| `tables.xlsx` / `tables.en.xlsx` | budget offices | one sheet per table with number formats, a cover sheet with parameters, sources and the disclosure rule |

**Opening a CSV in Excel with an Indonesian locale:** double-click the file in
`excel-id/`: Excel reads `;` and `,` as its own separators, so numbers arrive as
numbers. To open a file of the main folder instead, use *Data → From Text/CSV*, choose
the comma delimiter, then *Transform → Locale: English (United States)* so that
`0.410265` is read as a number. Cells `<5` and `x` are hidden by the disclosure rule and
stay text.
""",
    "id": """## Berkas setiap laporan

Setiap folder laporan memuat angka yang sama dalam beberapa bentuk (kotak "Unduhan" di
laporan menautkannya; `tables-csv.zip` berisi semua CSV beserta metadatanya):

| Berkas | Untuk | Format |
|---|---|---|
| `indicators.csv`, `tables/<tabel>.csv` | mesin, R, Python, Excel berlokal Inggris | UTF-8 dengan BOM, `,` antarkolom, `.` sebelum desimal, bilangan bulat tanpa desimal |
| `excel-id/indicators.csv`, `excel-id/tables/<tabel>.csv` | Excel atau LibreOffice berlokal Indonesia (id-ID) | nilai yang sama dengan `;` antarkolom dan `,` sebelum desimal |
| `csv-metadata.json` | dokumentasi dan perangkat lunak | metadata CSV on the Web (W3C): judul setiap kolom dalam bahasa Indonesia dan Inggris, tipe data, penanda sel tersembunyi, dan pada data contoh `"synthetic": true` |
| `tables.xlsx` / `tables.en.xlsx` | kantor anggaran | satu lembar per tabel dengan format angka, lembar sampul berisi parameter, sumber dan aturan pengungkapan |

**Membuka CSV di Excel berlokal Indonesia:** klik dua kali berkas di `excel-id/`: Excel
membaca `;` dan `,` sebagai pemisahnya sendiri, sehingga angka terbaca sebagai angka.
Untuk membuka berkas di folder utama, pakai *Data → Dari Teks/CSV*, pilih pemisah koma,
lalu *Ubah → Lokal: Inggris (Amerika Serikat)* agar `0.410265` terbaca sebagai angka. Sel
`<5` dan `x` disembunyikan oleh aturan pengungkapan dan tetap berupa teks.
""",
}


def render(lang: str) -> str:
    """The methodology section in one language ('en' or 'id')."""
    lines = [COMMON[lang]]
    for group, title in GROUP_TITLES[lang].items():
        lines.append(f"## {title}\n")
        header = ("| id | unit | definisi | pembilang | penyebut |" if lang == "id"
                  else "| id | unit | definition | numerator | denominator |")
        lines += [header, "|---|---|---|---|---|"]
        for indicator in INDICATORS:
            if indicator.group == group:
                lines.append(f"| `{indicator.indicator_id}` | {indicator.unit} | "
                             f"{indicator.definition(lang)} | {indicator.numerator} | "
                             f"{indicator.denominator or '—'} |")
        lines.append("")
    lines.append(SCORECARD_TEXT[lang])
    lines.append(FILES_TEXT[lang])
    return "\n".join(lines)


def render_document() -> str:
    """The whole docs/methodology.md: English first, then Bahasa Indonesia."""
    return (
        "# Methodology / Metodologi\n\n"
        "Generated from `src/helpers/measures/definitions.py` by `make docs`; do not edit by hand.\n"
        "Dibuat dari `src/helpers/measures/definitions.py` dengan `make docs`; jangan diubah manual.\n\n"
        "# English\n\n" + render("en") + "\n# Bahasa Indonesia\n\n" + render("id")
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0] if argv else "docs/methodology.md")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_document(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
