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
              f"People whose BPJS Ketenagakerjaan membership had started by D and had not ended before D, {_D}.",
              f"Orang yang kepesertaan BPJS Ketenagakerjaan-nya sudah dimulai pada D dan belum berakhir sebelum D, {_DI}."),
    Indicator("tk_active", "people", "jamsostek",
              "distinct members whose paid_through is at most grace_months months before D's month", "",
              f"Members whose contributions are paid up to the month of D, or at most the grace period (a parameter of the report, in whole months) before it; in a registry that holds only each member's status at its extract date: members with status AKTIF on that date, {_D}.",
              f"Peserta yang iurannya terbayar sampai bulan D, atau paling lama sebanyak masa tenggang (parameter laporan, dalam bulan penuh) sebelumnya; pada registri yang hanya memuat status setiap peserta pada tanggal tarik data: peserta berstatus AKTIF pada tanggal itu, {_DI}."),
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
              f"People enrolled in JKN: membership started by D and not ended before D, {_D}.",
              f"Penduduk terdaftar JKN: kepesertaan sudah dimulai pada D dan belum berakhir sebelum D, {_DI}."),
    Indicator("jkn_coverage", "fraction", "jkn",
              "jkn_members", "population (chosen vintage, year of D)",
              "JKN members divided by the resident population of the year of D, from the population data release chosen for the report. Values above 1 (a stale population figure) are flagged, not clipped.",
              "Peserta JKN dibagi jumlah penduduk tahun D, menurut rilis data penduduk yang dipilih untuk laporan. Nilai di atas 1 (angka penduduk usang) ditandai, tidak dipotong."),
    Indicator("jkn_active", "people", "jkn",
              "JKN members whose paid_through is at most grace_months months before D's month", "",
              f"JKN members whose contributions are paid up to the month of D, or at most the grace period (a parameter of the report, in whole months) before it; in a registry that holds only each member's status at its extract date: members with status AKTIF on that date, {_D}.",
              f"Peserta JKN yang iurannya terbayar sampai bulan D, atau paling lama sebanyak masa tenggang (parameter laporan, dalam bulan penuh) sebelumnya; pada registri yang hanya memuat status setiap peserta pada tanggal tarik data: peserta berstatus AKTIF pada tanggal itu, {_DI}."),
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
              "The highest UHC Awards category (from the highest: Utama, Madya, Pratama) whose minimum coverage, active rate and share registered by the regional government are all met (the minima are in the Method section's sources); “not UHC” otherwise; “unknown” when only the active rate is missing because the registry records neither paid-through dates nor membership status.",
              "Kategori UHC Awards tertinggi (dari yang tertinggi: Utama, Madya, Pratama) yang syarat minimum cakupan, keaktifan dan porsi penduduk yang didaftarkan pemerintah daerah semuanya terpenuhi (syaratnya ada di sumber bagian Metode); “belum UHC” bila tidak ada; “tidak diketahui” bila hanya tingkat keaktifan yang tidak dapat dihitung karena registri tidak mencatat tanggal lunas iuran maupun status kepesertaan."),
    # --- Budget ------------------------------------------------------------------------------
    Indicator("budget_tk_apbd_rp", "rupiah", "budget",
              "APBD-funded person-months in the year × rate in force", "",
              "Contributions the region paid from its APBD for BPJS Ketenagakerjaan: for each month from January to the month of D, people whose contributions the APBD pays, who are members at the month's end with contributions paid for that month, times the contribution rate in force (wage earners: by wage and risk class; non-wage earners: the minimum JKK + JKM).",
              "Iuran BPJS Ketenagakerjaan yang dibayar daerah dari APBD: untuk setiap bulan dari Januari sampai bulan D, orang yang iurannya dibayar dari APBD, yang menjadi peserta pada akhir bulan dan iurannya terbayar untuk bulan itu, dikali tarif iuran yang berlaku (penerima upah: menurut upah dan kelas risiko; bukan penerima upah: iuran minimum JKK + JKM)."),
    Indicator("budget_tk_dbhcht_rp", "rupiah", "budget",
              "DBHCHT-funded person-months in the year × rate in force", "",
              "As the contributions from the APBD, for people whose contributions are paid from DBHCHT (the regions' share of the tobacco excise revenue).",
              "Sama dengan iuran dari APBD, untuk orang yang iurannya dibayar dari DBHCHT (dana bagi hasil cukai hasil tembakau)."),
    Indicator("budget_jkn_pemda_rp", "rupiah", "budget",
              "PBPU_PEMDA person-months in the year × regional cost per person-month", "",
              "Regional cost of PBPU Pemda members: paid person-months from January to the month of D times the regional government's part of the contribution (Perpres 64/2020).",
              "Biaya daerah untuk peserta PBPU Pemda: bulan-orang terbayar dari Januari sampai bulan D dikali bagian iuran pemerintah daerah (Perpres 64/2020)."),
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
              "People to enrol in JKN to reach 98 % coverage of the population (the release chosen for the report); 0 when already reached.",
              "Jumlah penduduk yang perlu didaftarkan ke JKN untuk mencapai cakupan 98% dari penduduk (rilis yang dipilih untuk laporan); 0 bila sudah tercapai."),
    Indicator("uhc_gap_cost_rp", "rupiah", "budget",
              "uhc_gap_people × regional cost per PBPU_PEMDA person-month × 12", "",
              "Annual regional cost of enrolling the people short of 98 % coverage as PBPU Pemda members.",
              "Biaya daerah setahun untuk mendaftarkan kekurangan peserta menuju cakupan 98% sebagai peserta PBPU Pemda."),
)

BY_ID: dict[str, Indicator] = {i.indicator_id: i for i in INDICATORS}
INDICATOR_IDS: tuple[str, ...] = tuple(BY_ID)


__all__ = ["BY_ID", "INDICATORS", "INDICATOR_IDS", "Indicator"]
