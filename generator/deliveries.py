"""Delivered files: contract columns in contract order, values as the source systems write them.

Each builder turns a slice [start, stop) of a wave's arrays into an Arrow table, so big waves
are written in bounded chunks. CSV deliveries hold text (the export's own formatting); Parquet
deliveries hold typed columns (string, int32, decimal(18,2), date32, bool).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from generator import formatting as fm
from generator import reference, vocab
from generator.people import F, Geography
from generator.providers import CATEGORIES, Catalogue
from generator.randomness import uniform
from generator.registration import WaveData

DECIMAL = pa.decimal128(18, 2)


def app_ids(wave: int, index: np.ndarray) -> pa.Array:
    return fm.join(f"G{wave:02d}-", fm.padded(index + 1, 8))


def applications(seed: int, w: WaveData, geo: Geography, start: int, stop: int) -> pa.Table:
    s = slice(start, stop)
    p = w.people
    ids = p.ids[s]
    female = p.female[s]

    def u(field: int) -> np.ndarray:
        return uniform(seed, ids, field)

    def pick(values: tuple[str, ...] | list[str], field: int) -> pa.Array:
        idx = np.floor(u(field) * len(values)).astype(np.int64)
        return pa.array(list(values)).take(pa.array(idx))

    female_mask = pa.array(female)
    first = pc.if_else(
        female_mask, pick(vocab.FEMALE_FIRST, F.FIRST), pick(vocab.MALE_FIRST, F.FIRST)
    )
    family = pick(vocab.FAMILY, F.FAMILY)
    has_family = pa.array(u(F.HAS_FAMILY) < 0.7)
    name = pc.if_else(has_family, fm.join(first, " ", family), first)
    email = fm.join(
        pc.utf8_lower(first),
        ".",
        pc.utf8_lower(pc.if_else(has_family, family, "x")),
        fm.ints(np.floor(u(F.EMAIL_NUMBER) * 999).astype(np.int64)),
        "@",
        pick(vocab.EMAIL_DOMAINS, F.EMAIL_DOMAIN),
    )
    phone = fm.join(
        pick(vocab.PHONE_PREFIXES, F.PHONE_PREFIX),
        fm.padded(np.floor(u(F.PHONE) * 1e8).astype(np.int64), 8),
    )
    address = fm.join(
        "Jl. ",
        pick(vocab.STREETS, F.STREET),
        " No. ",
        fm.ints(1 + np.floor(u(F.HOUSE) * 150).astype(np.int64)),
        ", RT ",
        fm.padded(1 + np.floor(u(F.RT) * 15).astype(np.int64), 3),
        "/RW ",
        fm.padded(1 + np.floor(u(F.RW) * 12).astype(np.int64), 3),
    )
    birth = p.birth[s]
    return pa.table(
        {
            "id_pendaftaran": app_ids(w.wave.number, np.arange(start, stop)),
            "gelombang": fm.ints(np.full(stop - start, w.wave.number)),
            "nik": fm.ints(w.nik[s]),
            "nama_lengkap": name,
            "tanggal_lahir": fm.day_strings(birth, nullable=False),
            "jenis_kelamin": fm.booleans(female, "P", "L"),
            "no_hp": phone,
            "email": email,
            "alamat": address,
            "kode_provinsi": fm.ints(geo.province_codes[p.province[s]]),
            "kode_kabkota": fm.ints(geo.regency_codes[p.regency[s]]),
            "pendidikan": fm.labels(p.education[s], vocab.EDUCATION),
            "status_pekerjaan": fm.labels(p.employment[s], vocab.EMPLOYMENT),
            "disabilitas": fm.booleans(p.disability[s], "1", "0"),
            "terdaftar_dtks": fm.booleans(p.registry[s], "1", "0"),
            "waktu_daftar": fm.timestamp_strings(w.apps["submitted"][s]),
        }
    )


def selection(w: WaveData, start: int, stop: int) -> pa.Table:
    s = slice(start, stop)
    a = w.apps
    sk_day = (w.wave.selection - fm.EPOCH).days
    selected = a["selected"][s]
    return pa.table(
        {
            "id_pendaftaran": app_ids(w.wave.number, np.arange(start, stop)),
            "gelombang": fm.ints(np.full(stop - start, w.wave.number)),
            "lolos_verifikasi": fm.booleans(a["verified"][s], "ya", "tidak"),
            "memenuhi_syarat": fm.booleans(a["eligible"][s], "ya", "tidak"),
            "terpilih": fm.booleans(selected, "ya", "tidak"),
            "tanggal_penetapan": fm.day_strings(np.where(selected, sk_day, -1)),
            "nomor_kartu": fm.ints(a["card"][s], keep=selected),
        }
    )


def revocations(w: WaveData, start: int, stop: int) -> pa.Table:
    r = w.revocations
    s = slice(start, stop)
    return pa.table(
        {
            "id_pendaftaran": app_ids(w.wave.number, r["app"][s]),
            "tanggal_pencabutan": fm.day_strings(r["day"][s]),
            "alasan": fm.labels(r["reason"][s], vocab.REVOCATION_REASONS),
        }
    )


def enrollments(w: WaveData, cat: Catalogue, start: int, stop: int) -> pa.Table:
    e = w.enrollments
    s = slice(start, stop)
    listing = e["listing"][s]
    rating = e["rating"][s]
    return pa.table(
        {
            "id_transaksi": fm.join(
                f"TX{w.wave.number:02d}-", fm.padded(np.arange(start, stop) + 1, 8)
            ),
            "id_pendaftaran": app_ids(w.wave.number, e["app"][s]),
            "kode_pelatihan": pa.array(cat.course_code[listing]),
            "kode_platform": pa.array(cat.platform_code[listing]),
            "tanggal_beli": fm.day_strings(e["day"][s], "dmy"),
            "harga": fm.rupiah_comma(e["price"][s]),
            "status": fm.booleans(e["done"][s], "selesai", "belum_selesai"),
            "tanggal_selesai": fm.day_strings(e["end"][s], "dmy"),
            "nilai_ulasan": fm.ints(rating, keep=rating > 0),
        }
    )


def payments(w: WaveData, start: int, stop: int) -> pa.Table:
    pm = w.payments
    s = slice(start, stop)
    chans = [c.code for c in reference.channels()]
    channel = pm["channel"][s]
    app = pm["app"][s]
    person = w.people.ids[app]
    bank = np.array(chans)[channel] == "BNI"
    account = np.where(
        bank, 1_000_000_000 + person % 8_999_999_999, 81_000_000_000 + person % 999_999_999
    )
    reason = pm["reason"][s]
    return pa.table(
        {
            "id_pembayaran": fm.join(
                f"BY{w.wave.number:02d}-", fm.padded(np.arange(start, stop) + 1, 9)
            ),
            "id_pendaftaran": app_ids(w.wave.number, app),
            "jenis": fm.labels(
                pm["kind"][s].astype(np.int64), ("insentif_pelatihan", "insentif_survei")
            ),
            "termin": pa.array(pm["termin"][s].astype(np.int32)),
            "kanal": fm.labels(channel, chans),
            "nomor_rekening": pc.if_else(
                pa.array(bank), fm.ints(account), fm.join("0", fm.ints(account))
            ),
            "jumlah": pa.array(pm["amount"][s].astype(np.int32)).cast(DECIMAL),
            "tanggal_jadwal": fm.day_values(pm["sched"][s]),
            "tanggal_bayar": fm.day_values(pm["paid"][s]),
            "status": fm.labels(pm["status"][s], vocab.PAYMENT_STATUS),
            "alasan_gagal": fm.labels(reason, vocab.FAILURE_REASONS),
        }
    )


def surveys(w: WaveData, start: int, stop: int) -> pa.Table:
    sv = w.surveys
    s = slice(start, stop)
    income = sv["income"][s]
    skills = sv["skills"][s]
    return pa.table(
        {
            "id_respon": fm.join(
                f"SV{w.wave.number:02d}-", fm.padded(np.arange(start, stop) + 1, 8)
            ),
            "id_pendaftaran": app_ids(w.wave.number, sv["app"][s]),
            "jenis_survei": fm.labels(sv["kind"][s], vocab.SURVEY_TYPES),
            "kelompok": fm.booleans(sv["control"][s], "kontrol", "peserta"),
            "tanggal_survei": fm.day_values(sv["day"][s]),
            "bekerja": pa.array(sv["working"][s]),
            "pekerjaan_baru": pa.array(sv["new_job"][s]),
            "pendapatan_bulanan": pa.array(
                np.maximum(income, 0).astype(np.int32), mask=income < 0
            ).cast(DECIMAL),
            "memulai_usaha": pa.array(sv["business"][s]),
            "keterampilan_meningkat": pa.array(skills == 1, mask=skills < 0),
        }
    )


def _date_text(value: object) -> str | None:
    return None if value is None else value.isoformat()  # type: ignore[attr-defined]


def platforms(cat: Catalogue) -> pa.Table:
    rows = cat.platforms
    return pa.table(
        {
            "kode_platform": [r["kode_platform"] for r in rows],
            "nama_platform": [r["nama_platform"] for r in rows],
            "jenis": [r["jenis"] for r in rows],
            "tanggal_mulai": [_date_text(r["tanggal_mulai"]) for r in rows],
            "tanggal_berakhir": pa.array(
                [_date_text(r["tanggal_berakhir"]) for r in rows], pa.string()
            ),
        }
    )


def institutions(cat: Catalogue) -> pa.Table:
    rows = cat.institutions
    cols = ("kode_lembaga", "nama_lembaga", "kode_provinsi", "jenis_lembaga")
    table = {c: [r[c] for r in rows] for c in cols}
    table["tanggal_terdaftar"] = [_date_text(r["tanggal_terdaftar"]) for r in rows]
    return pa.table(table)


def ownership(cat: Catalogue) -> pa.Table:
    rows = cat.ownership
    return pa.table(
        {c: [r[c] for r in rows] for c in ("kode_lembaga", "kode_platform", "hubungan")}
    )


def courses(cat: Catalogue) -> pa.Table:
    modes = ("daring", "luring", "campuran")
    return pa.table(
        {
            "kode_pelatihan": pa.array(cat.course_code),
            "kode_platform": pa.array(cat.platform_code),
            "kode_lembaga": pa.array(cat.institution_code),
            "judul": pa.array(cat.title),
            "kategori": fm.labels(cat.category, CATEGORIES),
            "moda": fm.labels(cat.mode, modes),
            "harga": fm.ints(cat.price.astype(np.int64)),
            "durasi_jam": pa.array([f"{h:g}" for h in cat.hours]),
            "tanggal_tayang": fm.day_strings(cat.listed_from),
            "tanggal_turun": fm.day_strings(cat.listed_to),
        }
    )
