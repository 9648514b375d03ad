"""One definition per indicator (DESIGN section 6).

Each definition feeds the computation's output (``indicators.csv``), the methodology page
(``docs/methodology.md``, Indonesian and English) and the report's method box. Ratios are
fractions 0-1 (``_share``, ``_coverage``, ``_rate``); money is whole Rupiah (``_rp``);
people are counts of distinct pseudonymised NIKs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    """An indicator: stable id, unit, group, and its definition in English and Indonesian."""

    indicator_id: str
    unit: str  # people | fraction | rupiah | category
    group: str  # jamsostek | jkn | budget
    numerator: str
    denominator: str
    definition_en: str
    definition_id: str

    def definition(self, lang: str = "en") -> str:
        return self.definition_id if lang == "id" else self.definition_en


_D = "at the reference date D, in the domicile region"
_DI = "pada tanggal acuan D, di wilayah domisili"

INDICATORS: tuple[Indicator, ...] = (
    # --- BPJS Ketenagakerjaan -------------------------------------------------------------
    Indicator("tk_members", "people", "jamsostek",
              "distinct people with a membership spell open at D", "",
              f"People with a BPJS Ketenagakerjaan spell with start_date ≤ D and end_date empty or > D, {_D}.",
              f"Orang dengan kepesertaan BPJS Ketenagakerjaan dengan start_date ≤ D dan end_date kosong atau > D, {_DI}."),
    Indicator("tk_active", "people", "jamsostek",
              "distinct members whose paid_through is at most grace_months months before D's month", "",
              f"Members whose contributions are paid to no more than grace_months whole months before the month of D (in a snapshot without paid_through: status AKTIF at its extract date), {_D}.",
              f"Peserta yang iurannya terbayar sampai paling lama grace_months bulan penuh sebelum bulan D (pada potret data tanpa paid_through: status AKTIF pada tanggal tarik data), {_DI}."),
    Indicator("tk_coverage", "fraction", "jamsostek",
              "tk_active", "workers (chosen labour denominator)",
              "Active BPJS Ketenagakerjaan participants divided by the chosen labour denominator (BPJS 'potensi tenaga kerja' or BPS employed persons) of the year of D.",
              "Peserta aktif BPJS Ketenagakerjaan dibagi penyebut tenaga kerja yang dipilih (potensi tenaga kerja BPJS atau penduduk bekerja BPS) tahun D."),
    Indicator("tk_coverage_formal", "fraction", "jamsostek",
              "active people in PU, JAKON or PMI", "formal workers (chosen labour denominator)",
              "Active participants in the formal segments (PU, Jakon, PMI) divided by formal workers of the chosen denominator.",
              "Peserta aktif segmen formal (PU, Jakon, PMI) dibagi pekerja formal menurut penyebut yang dipilih."),
    Indicator("tk_coverage_informal", "fraction", "jamsostek",
              "active people in BPU", "informal workers (chosen labour denominator)",
              "Active informal (BPU) participants divided by informal workers of the chosen denominator.",
              "Peserta aktif informal (BPU) dibagi pekerja informal menurut penyebut yang dipilih."),
    Indicator("tk_nonasn_active", "people", "jamsostek",
              "active non_asn_staff with funding_source apbd or dbhcht", "",
              f"Active non-civil-servant (non-ASN) government staff whose contributions the regional government pays (APBD or DBHCHT), {_D}.",
              f"Pegawai non-ASN aktif yang iurannya dibayar pemerintah daerah (APBD atau DBHCHT), {_DI}."),
    Indicator("tk_tobacco_farmers_active", "people", "jamsostek",
              "active tobacco_farmer with funding_source apbd or dbhcht", "",
              f"Active tobacco farmers and farm labourers whose contributions the regional government pays (APBD or DBHCHT), {_D}.",
              f"Petani dan buruh tani tembakau aktif yang iurannya dibayar pemerintah daerah (APBD atau DBHCHT), {_DI}."),
    Indicator("tk_fishers_active", "people", "jamsostek",
              "active fisher with funding_source apbd or dbhcht", "",
              f"Active fishermen whose contributions the regional government pays (APBD or DBHCHT), {_D}.",
              f"Nelayan aktif yang iurannya dibayar pemerintah daerah (APBD atau DBHCHT), {_DI}."),
    Indicator("tk_pemda_funded_active", "people", "jamsostek",
              "active people with funding_source apbd or dbhcht", "",
              f"All active participants whose contributions the regional government pays (APBD or DBHCHT), {_D}.",
              f"Semua peserta aktif yang iurannya dibayar pemerintah daerah (APBD atau DBHCHT), {_DI}."),
    # --- JKN ---------------------------------------------------------------------------------
    Indicator("jkn_members", "people", "jkn",
              "distinct people with a JKN spell open at D", "",
              f"People enrolled in JKN (start_date ≤ D and end_date empty or > D), {_D}.",
              f"Penduduk terdaftar JKN (start_date ≤ D dan end_date kosong atau > D), {_DI}."),
    Indicator("jkn_coverage", "fraction", "jkn",
              "jkn_members", "population (chosen vintage, year of D)",
              "JKN members divided by the resident population of the chosen vintage for the year of D. Values above 1 (a stale population figure) are flagged, not clipped.",
              "Peserta JKN dibagi jumlah penduduk menurut vintage yang dipilih untuk tahun D. Nilai di atas 1 (angka penduduk usang) ditandai, tidak dipotong."),
    Indicator("jkn_active", "people", "jkn",
              "JKN members whose paid_through is at most grace_months months before D's month", "",
              f"JKN members whose contributions are paid to no more than grace_months whole months before the month of D (in a snapshot without paid_through: status AKTIF at its extract date), {_D}.",
              f"Peserta JKN yang iurannya terbayar sampai paling lama grace_months bulan penuh sebelum bulan D (pada potret data tanpa paid_through: status AKTIF pada tanggal tarik data), {_DI}."),
    Indicator("jkn_active_rate", "fraction", "jkn",
              "jkn_active", "jkn_members",
              "Active JKN members divided by JKN members.",
              "Peserta JKN aktif dibagi peserta JKN."),
    Indicator("jkn_pemda_share", "fraction", "jkn",
              "JKN members in PBPU_PEMDA", "population (chosen vintage, year of D)",
              "Members registered and paid for by the regional government (PBPU Pemda) divided by the population.",
              "Peserta yang didaftarkan dan dibayar pemerintah daerah (PBPU Pemda) dibagi jumlah penduduk."),
    Indicator("uhc_category", "category", "jkn",
              "highest UHC Awards category met", "",
              "The highest category of thresholds.csv (utama > madya > pratama) whose coverage, active-rate and Pemda-share minima are all met; 'none' otherwise; 'unknown' when only the active rate is missing (a registry without paid_through and status).",
              "Kategori tertinggi dalam thresholds.csv (utama > madya > pratama) yang syarat cakupan, keaktifan dan porsi Pemda-nya terpenuhi; 'none' bila tidak ada; 'unknown' bila hanya tingkat keaktifan yang tidak diketahui (registri tanpa paid_through dan status)."),
    # --- Budget ------------------------------------------------------------------------------
    Indicator("budget_tk_apbd_rp", "rupiah", "budget",
              "APBD-funded person-months in the year × rate in force", "",
              "Contributions the region paid from its APBD for BPJS Ketenagakerjaan: for each month from January to the month of D, people with funding_source apbd who are members at the month's end with contributions paid for that month, times the rate in force (rates.csv: PU by wage and risk class; BPU the minimum JKK + JKM).",
              "Iuran BPJS Ketenagakerjaan yang dibayar daerah dari APBD: untuk setiap bulan dari Januari sampai bulan D, orang dengan funding_source apbd yang menjadi peserta pada akhir bulan dan iurannya terbayar untuk bulan itu, dikali tarif yang berlaku (rates.csv: PU menurut upah dan kelas risiko; BPU iuran minimum JKK + JKM)."),
    Indicator("budget_tk_dbhcht_rp", "rupiah", "budget",
              "DBHCHT-funded person-months in the year × rate in force", "",
              "As budget_tk_apbd_rp, for people with funding_source dbhcht (tobacco excise revenue share).",
              "Sama dengan budget_tk_apbd_rp, untuk orang dengan funding_source dbhcht (dana bagi hasil cukai hasil tembakau)."),
    Indicator("budget_jkn_pemda_rp", "rupiah", "budget",
              "PBPU_PEMDA person-months in the year × regional cost per person-month", "",
              "Regional cost of PBPU Pemda members: paid person-months from January to the month of D times the regional government's part of the contribution in rates.csv (Perpres 64/2020).",
              "Biaya daerah untuk peserta PBPU Pemda: bulan-orang terbayar dari Januari sampai bulan D dikali bagian iuran pemerintah daerah dalam rates.csv (Perpres 64/2020)."),
    Indicator("budget_share_apbd", "fraction", "budget",
              "budget_tk_apbd_rp + budget_tk_dbhcht_rp + budget_jkn_pemda_rp", "APBD total of the year",
              "Regional spending on social-security contributions (both schemes, APBD and DBHCHT) divided by the total APBD of the year.",
              "Belanja daerah untuk iuran jaminan sosial (kedua program, APBD dan DBHCHT) dibagi total APBD tahun itu."),
    Indicator("dbhcht_social_security_share", "fraction", "budget",
              "budget_tk_dbhcht_rp", "DBHCHT received in the year",
              "BPJS Ketenagakerjaan contributions paid from DBHCHT divided by the DBHCHT the region received; flagged when above the welfare share (PMK 72/2024: 50 %).",
              "Iuran BPJS Ketenagakerjaan yang dibayar dari DBHCHT dibagi DBHCHT yang diterima daerah; ditandai bila melebihi porsi kesejahteraan masyarakat (PMK 72/2024: 50%)."),
    Indicator("gap_informal_workers", "people", "budget",
              "informal workers − active BPU participants", "",
              "Informal workers of the chosen denominator not actively covered by BPJS Ketenagakerjaan (negative when active BPU exceed the denominator: flagged).",
              "Pekerja informal menurut penyebut yang dipilih yang belum terlindungi aktif (negatif bila peserta BPU aktif melebihi penyebut: ditandai)."),
    Indicator("gap_cost_informal_rp", "rupiah", "budget",
              "gap_informal_workers × (BPU minimum JKK + JKM) × 12", "",
              "Annual cost of covering every uncovered informal worker at the BPU minimum JKK + JKM in force at D.",
              "Biaya setahun untuk melindungi semua pekerja informal yang belum terlindungi dengan iuran minimum BPU JKK + JKM yang berlaku pada D."),
    Indicator("uhc_gap_people", "people", "budget",
              "max(0, ⌈0.98 × population⌉ − jkn_members)", "",
              "People to enrol in JKN to reach 98 % coverage of the chosen population vintage; 0 when already reached.",
              "Jumlah penduduk yang perlu didaftarkan ke JKN untuk mencapai cakupan 98% dari penduduk menurut vintage yang dipilih; 0 bila sudah tercapai."),
    Indicator("uhc_gap_cost_rp", "rupiah", "budget",
              "uhc_gap_people × regional cost per PBPU_PEMDA person-month × 12", "",
              "Annual regional cost of enrolling uhc_gap_people as PBPU Pemda members.",
              "Biaya daerah setahun untuk mendaftarkan uhc_gap_people sebagai peserta PBPU Pemda."),
)

BY_ID: dict[str, Indicator] = {i.indicator_id: i for i in INDICATORS}
INDICATOR_IDS: tuple[str, ...] = tuple(BY_ID)


__all__ = ["BY_ID", "INDICATORS", "INDICATOR_IDS", "Indicator"]
