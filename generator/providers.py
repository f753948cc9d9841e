"""Training providers: the eight digital platforms of 2020, ~230 institutions, ~2,000 courses.

Calibrated on FACTS.md 1.2 and 1.7: conflicts of interest on 5 of 8 platforms, about 250 of
about 1,900 trainings from institutions with such a conflict (KPK, Jun 2020); Skill Academy by
Ruangguru left as a platform on 4 Sep 2020 but kept selling its courses on other platforms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from generator import reference
from generator.randomness import choose, stream

PLATFORM_START = dt.date(2020, 3, 20)  # partnership agreements signed 20 Mar 2020
SKILL_ACADEMY_EXIT = dt.date(2020, 9, 4)
# code, name, type, last day as a platform
PLATFORMS = (
    ("TOKOPEDIA", "Tokopedia", "swasta", None),
    ("SKILLACADEMY", "Skill Academy by Ruangguru", "swasta", SKILL_ACADEMY_EXIT),
    ("MAUBELAJARAPA", "MauBelajarApa", "swasta", None),
    ("BUKALAPAK", "Bukalapak", "swasta", None),
    ("PINTARIA", "Pintaria", "swasta", None),
    ("SEKOLAHMU", "Sekolahmu", "swasta", None),
    ("PIJARMAHIR", "Pijar Mahir", "swasta", None),
    ("SISNAKER", "Sisnaker", "pemerintah", None),
)
# Platforms with a conflict of interest (5 of 8) and how many institutions they own or are
# affiliated with; ~10% of institutions then hold ~13% of courses (250 of 1,895).
CONFLICTED = {"SKILLACADEMY": 8, "PIJARMAHIR": 4, "SEKOLAHMU": 4, "PINTARIA": 4, "MAUBELAJARAPA": 3}
N_INSTITUTIONS = 230
N_COURSES = 1_900
CATEGORIES = (
    "bahasa", "kewirausahaan", "pemasaran_digital", "teknologi_informasi", "keuangan", "kuliner",
    "kecantikan", "manufaktur", "pertanian", "pariwisata", "pengembangan_diri", "kesehatan",
)  # fmt: skip
CATEGORY_SHARES = (0.14, 0.16, 0.14, 0.10, 0.07, 0.09, 0.06, 0.04, 0.05, 0.04, 0.08, 0.03)
TOPICS = {
    "bahasa": ("Bahasa Inggris untuk Pemula", "Bahasa Inggris Kerja", "Bahasa Jepang Dasar"),
    "kewirausahaan": ("Memulai Usaha Rumahan", "Manajemen Usaha Mikro", "Strategi Bisnis UMKM"),
    "pemasaran_digital": ("Jualan di Marketplace", "Pemasaran Media Sosial", "Foto Produk"),
    "teknologi_informasi": ("Dasar Microsoft Excel", "Desain Grafis Canva", "Web Dasar"),
    "keuangan": ("Pembukuan Sederhana", "Perencanaan Keuangan Keluarga", "Akuntansi UMKM"),
    "kuliner": ("Membuat Kue Kering", "Usaha Katering Rumahan", "Barista Kopi"),
    "kecantikan": ("Tata Rias Pengantin", "Perawatan Kuku", "Potong Rambut Pria"),
    "manufaktur": ("Menjahit Pakaian", "Teknik Las Dasar", "Servis Sepeda Motor"),
    "pertanian": ("Budidaya Hidroponik", "Budidaya Ikan Lele", "Pupuk Organik"),
    "pariwisata": ("Pemandu Wisata", "Pelayanan Hotel", "Pengelolaan Homestay"),
    "pengembangan_diri": ("Persiapan Wawancara Kerja", "Komunikasi Efektif", "Menulis CV"),
    "kesehatan": ("Perawatan Lansia", "Pertolongan Pertama", "Gizi Keluarga"),
}  # fmt: skip
INSTITUTION_WORDS = [
    "Cendekia",
    "Mandiri",
    "Nusantara",
    "Prima",
    "Kreatif",
    "Bangsa",
    "Cerdas",
    "Karya",
    "Insan",
    "Global",
    "Bina",
    "Utama",
    "Terampil",
    "Maju",
    "Harapan",
    "Sejahtera",
    "Digital",
    "Inspirasi",
    "Gemilang",
    "Tunas",
]


@dataclass
class Catalogue:
    platforms: list[dict[str, object]]
    institutions: list[dict[str, object]]
    ownership: list[dict[str, object]]
    # listings (one per course and platform), as aligned arrays
    course_code: np.ndarray
    platform_code: np.ndarray
    institution_code: np.ndarray
    title: np.ndarray
    category: np.ndarray  # index into CATEGORIES
    mode: np.ndarray
    price: np.ndarray  # rupiah
    hours: np.ndarray
    listed_from: np.ndarray  # days since epoch
    listed_to: np.ndarray  # days since epoch, -1 when still listed
    popularity: np.ndarray

    def active(self, day: int, horizon: int) -> np.ndarray:
        """Listings on sale from `day` for at least `horizon` more days."""
        return (self.listed_from <= day) & (
            (self.listed_to < 0) | (self.listed_to >= day + horizon)
        )


def _days(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days


def catalogue(seed: int) -> Catalogue:
    rng = stream(seed, 900)
    provinces = reference.provinces_2020()
    prov_w = np.array([p.beneficiaries_thousands for p in provinces])
    platforms = [
        {"kode_platform": c, "nama_platform": n, "jenis": j, "tanggal_mulai": PLATFORM_START,
         "tanggal_berakhir": end}
        for c, n, j, end in PLATFORMS
    ]  # fmt: skip
    institutions: list[dict[str, object]] = []
    owner_of: dict[int, str] = {}
    for i in range(N_INSTITUTIONS):
        code = f"LPK-{i + 1:04d}"
        if i == 0:
            name, kind, prov = "Skill Academy by Ruangguru", "swasta", "31"
        elif i == 1:
            name, kind, prov = "Balai Latihan Kerja Kemnaker", "pemerintah", "31"
        else:
            a, b = rng.choice(len(INSTITUTION_WORDS), 2, replace=False)
            prefix = ("LPK", "PT", "Akademi", "Lembaga Kursus", "Universitas")[
                int(choose(rng.random(1), [0.4, 0.3, 0.1, 0.15, 0.05])[0])
            ]
            name = f"{prefix} {INSTITUTION_WORDS[a]} {INSTITUTION_WORDS[b]} {i + 1}"
            kind = "perguruan_tinggi" if prefix in ("Akademi", "Universitas") else "swasta"
            prov = provinces[int(choose(rng.random(1), prov_w)[0])].kode_kemendagri
        registered = dt.date(2015, 1, 1) + dt.timedelta(days=int(rng.integers(0, 1900)))
        institutions.append(
            {"kode_lembaga": code, "nama_lembaga": name, "kode_provinsi": prov,
             "jenis_lembaga": kind, "tanggal_terdaftar": registered}
        )  # fmt: skip
    ownership: list[dict[str, object]] = []
    next_owned = 2
    for platform, count in CONFLICTED.items():
        for j in range(count):
            idx = 0 if (platform == "SKILLACADEMY" and j == 0) else next_owned
            if idx:
                next_owned += 1
            owner_of[idx] = platform
            relation = "milik_platform" if j == 0 else ("afiliasi", "pemegang_saham_sama")[j % 2]
            ownership.append(
                {"kode_lembaga": f"LPK-{idx + 1:04d}", "kode_platform": platform,
                 "hubungan": relation}
            )  # fmt: skip
    # Courses: conflicted institutions get ~13% of courses, the rest spread with a long tail.
    conflicted = np.array(sorted(owner_of))
    others = np.setdiff1d(np.arange(N_INSTITUTIONS), conflicted)
    n_conf_courses = round(N_COURSES * 250 / 1895)
    inst = np.concatenate(
        [
            rng.choice(conflicted, n_conf_courses),
            rng.choice(others, N_COURSES - n_conf_courses, p=_tail(len(others), rng)),
        ]
    )
    inst = rng.permutation(inst)
    category = choose(rng.random(N_COURSES), CATEGORY_SHARES)
    # Prices mostly Rp100k-1M (log-uniform), 6% cheap ones around Rp45k-99k.
    price = np.exp(rng.uniform(np.log(100_000), np.log(1_000_000), N_COURSES))
    cheap = rng.random(N_COURSES) < 0.06
    price = np.where(cheap, rng.uniform(45_000, 99_000, N_COURSES), price)
    price = np.round(price, -3)
    hours = np.round(rng.uniform(2, 40, N_COURSES) * 2) / 2
    mode = choose(rng.random(N_COURSES), [0.9, 0.04, 0.06])
    start = _days(PLATFORM_START)
    listed_course = start + np.where(
        rng.random(N_COURSES) < 0.6, 0, rng.integers(0, 200, N_COURSES)
    )
    listed_course = np.minimum(listed_course, _days(dt.date(2020, 10, 1)))
    titles = np.array(
        [
            f"{TOPICS[CATEGORIES[c]][int(k) % 3]} {int(n)}"
            for c, k, n in zip(category, rng.integers(0, 3, N_COURSES), range(1, N_COURSES + 1),
                                strict=True)
        ]
    )  # fmt: skip
    popularity = rng.pareto(1.2, N_COURSES) + 0.05
    rows: dict[str, list[object]] = {k: [] for k in ("c", "p", "i")}
    plat_codes = [p[0] for p in PLATFORMS]
    sell_weights = np.array([0.22, 0.12, 0.12, 0.14, 0.1, 0.1, 0.12, 0.08])
    for c in range(N_COURSES):
        owner = owner_of.get(int(inst[c]))
        n_plat = 1 + int(choose(rng.random(1), [0.55, 0.3, 0.15])[0])
        chosen = list(rng.choice(8, n_plat, replace=False, p=sell_weights))
        if owner and plat_codes.index(owner) not in chosen:
            chosen[0] = plat_codes.index(owner)  # conflicted providers sell on their platform
        if int(inst[c]) == 0 and 0 not in chosen:
            chosen.append(0)  # Skill Academy courses stay on sale on Tokopedia
        for p in sorted(set(chosen)):
            rows["c"].append(c)
            rows["p"].append(p)
    c_idx = np.array(rows["c"])
    p_idx = np.array(rows["p"])
    listed_to = np.where(p_idx == 1, _days(SKILL_ACADEMY_EXIT), -1)
    return Catalogue(
        platforms=platforms,
        institutions=institutions,
        ownership=ownership,
        course_code=np.array([f"PLT-{c + 1:05d}" for c in c_idx]),
        platform_code=np.array(plat_codes)[p_idx],
        institution_code=np.array([f"LPK-{int(inst[c]) + 1:04d}" for c in c_idx]),
        title=titles[c_idx],
        category=category[c_idx],
        mode=mode[c_idx],
        price=price[c_idx],
        hours=hours[c_idx],
        listed_from=listed_course[c_idx],
        listed_to=listed_to,
        popularity=popularity[c_idx],
    )


def _tail(n: int, rng: np.random.Generator) -> np.ndarray:
    w = rng.pareto(1.5, n) + 0.1
    return w / w.sum()
