"""Small vocabularies for plausible Indonesian personal data (all fictitious combinations).

Codes are the contract's accepted values (contracts/deliveries.yml); the shares that go with
them are the calibration targets of FACTS.md section 1.9, reproduced in the manifest.
"""

from __future__ import annotations

MALE_FIRST = (  # noqa: SIM905 - a word list reads better as text
    "Agus Budi Dedi Eko Fajar Hendra Irfan Joko Kurniawan Lukman Muhammad Nur Putra Rizky "
    "Slamet Teguh Wahyu Yusuf Ahmad Andi Arif Bayu Dimas Fikri Gilang Hadi Ilham Rudi Sandi "
    "Taufik Wawan Yoga Zainal Bambang Hasan Imam Rahmat Reza Aditya Bagus"
).split()
FEMALE_FIRST = [
    "Siti",
    "Sri",
    "Dewi",
    "Putri",
    "Ayu",
    "Rina",
    "Nur",
    "Indah",
    "Fitri",
    "Lestari",
    "Wulan",
    "Yuni",
    "Ratna",
    "Mega",
    "Dian",
    "Intan",
    "Novi",
    "Ani",
    "Eka",
    "Rahma",
    "Nurul",
    "Anisa",
    "Desi",
    "Maya",
    "Tari",
    "Winda",
    "Ririn",
    "Sari",
    "Lina",
    "Endah",
    "Kartika",
    "Dwi",
    "Ika",
    "Melati",
    "Nadia",
    "Citra",
    "Bunga",
    "Yulia",
    "Rosa",
    "Tuti",
]
FAMILY = [
    "Saputra",
    "Wijaya",
    "Santoso",
    "Hidayat",
    "Siregar",
    "Nasution",
    "Harahap",
    "Lubis",
    "Simanjuntak",
    "Pratama",
    "Kusuma",
    "Wibowo",
    "Setiawan",
    "Gunawan",
    "Susanto",
    "Rahmawati",
    "Handayani",
    "Purnamasari",
    "Sembiring",
    "Ginting",
    "Tanjung",
    "Hakim",
    "Syahputra",
    "Nugroho",
    "Firmansyah",
    "Ramadhan",
    "Permana",
    "Sihombing",
    "Tampubolon",
    "Manurung",
    "Pangaribuan",
    "Daulay",
    "Rangkuti",
    "Situmorang",
    "Panjaitan",
    "Hutapea",
    "Sitompul",
    "Lumbantobing",
    "Pohan",
    "Marpaung",
]
STREETS = (
    "Merdeka",
    "Sudirman",
    "Diponegoro",
    "Gatot Subroto",
    "Ahmad Yani",
    "Pahlawan",
    "Kartini",
    "Veteran",
    "Melati",
    "Mawar",
    "Kenanga",
    "Cempaka",
    "Anggrek",
    "Flamboyan",
    "Nangka",
    "Mangga",
    "Rambutan",
    "Durian",
    "Kelapa",
    "Pemuda",
    "Raya Pasar",
    "Masjid",
    "Pendidikan",
    "Sekolah",
    "Kebun Sawah",
    "Sungai",
    "Danau Toba",
    "Imam Bonjol",
    "Hayam Wuruk",
    "Gajah Mada",
)
EMAIL_DOMAINS = ("gmail.com", "gmail.com", "gmail.com", "yahoo.co.id", "yahoo.com", "ymail.com")
PHONE_PREFIXES = [
    "0811",
    "0812",
    "0813",
    "0821",
    "0822",
    "0852",
    "0853",
    "0851",
    "0814",
    "0815",
    "0816",
    "0855",
    "0856",
    "0857",
    "0858",
    "0817",
    "0818",
    "0819",
    "0859",
    "0877",
    "0878",
    "0831",
    "0832",
    "0838",
    "0895",
    "0896",
    "0897",
    "0898",
    "0899",
    "0881",
    "0882",
    "0887",
]

# Contract codes, in a fixed order; shares from FACTS.md 1.9 (PMO 2020 report, BPS Aug 2020).
EDUCATION = ("sd_kebawah", "smp", "sma_smk", "diploma", "s1", "s2_s3")
EDUCATION_SHARES = (0.09, 0.05, 0.55, 0.08, 0.21, 0.02)  # 9% primary or less, 86% SMA+
EMPLOYMENT = ("korban_phk", "dirumahkan", "pencari_kerja", "usaha_mikro", "bekerja")
EMPLOYMENT_SHARES = (0.30, 0.16, 0.42, 0.06, 0.06)  # 88% not working at registration
# Age bands at registration; 74% aged 18-35 (71% and 77% published), 2% over 60.
AGE_BANDS = ((18, 25), (26, 35), (36, 45), (46, 60), (61, 70))
AGE_SHARES = (0.40, 0.34, 0.14, 0.10, 0.02)
SOCIAL_REGISTRY_SHARE = 0.20  # assumption: no published figure for 2020 applicants

REVOCATION_REASONS = (
    "tidak_membeli_pelatihan_30_hari",
    "tidak_memenuhi_syarat",
    "permintaan_sendiri",
    "data_tidak_valid",
)
REVOCATION_SHARES = (0.90, 0.06, 0.02, 0.02)
PAYMENT_STATUS = ("berhasil", "gagal", "dikembalikan")
PAYMENT_STATUS_SHARES = (0.965, 0.025, 0.010)
FAILURE_REASONS = (
    "rekening_tidak_valid",
    "akun_tidak_aktif",
    "nama_tidak_sesuai",
    "melebihi_limit_saldo",
    "lainnya",
)
FAILURE_SHARES = (0.40, 0.30, 0.15, 0.10, 0.05)
# 78% of recipients chose an e-wallet (FACTS.md 1.7); split between wallets is an assumption.
CHANNEL_WEIGHTS = {"BNI": 0.22, "OVO": 0.26, "GOPAY": 0.22, "LINKAJA": 0.12, "DANA": 0.18}
SURVEY_TYPES = ("pasca_pelatihan", "pasca_insentif", "evaluasi")
RATINGS = (1, 2, 3, 4, 5)
RATING_SHARES = (0.005, 0.005, 0.03, 0.11, 0.85)  # mean about 4.8 (PMO, Oct 2020)
