"""The generator: determinism, calibration to the published figures, realism of the NIK and of
the profile, the funnel, the payment rules, the planted effect and the rigged lottery.

Generation runs on a few demo-scale waves (module fixtures) so the whole file stays quick.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from generator import calibration
from generator.api import generate
from prakerja.paths import REFERENCE_DIR, SEEDS_DIR

WAVES = [1, 2, 3]


def _csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _seed(name: str) -> list[dict[str, str]]:
    return _csv(SEEDS_DIR / name)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate("demo", 7, out, waves=WAVES)
    return out


@pytest.fixture(scope="module")
def manifest(demo: Path) -> dict:
    return json.loads((demo / "MANIFEST.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def applications(demo: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for w in WAVES:
        rows += _csv(demo / f"pendaftaran_gel{w:02d}.csv")
    return rows


@pytest.fixture(scope="module")
def selection(demo: Path) -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for w in WAVES:
        rows.update({r["id_pendaftaran"]: r for r in _csv(demo / f"seleksi_gel{w:02d}.csv")})
    return rows


# ---------------------------------------------------------------- determinism


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    generate("demo", 3, first, defect_rate=0.01, waves=[1])
    generate("demo", 3, second, defect_rate=0.01, waves=[1])
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert len(names) > 10
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_another_seed_gives_other_people(tmp_path: Path, demo: Path) -> None:
    generate("demo", 8, tmp_path, waves=[1])
    assert (tmp_path / "pendaftaran_gel01.csv").read_bytes() != (
        demo / "pendaftaran_gel01.csv"
    ).read_bytes()


# ---------------------------------------------------------------- calibration


def test_full_scale_waves_follow_the_published_figures() -> None:
    """Selected per wave at national scale, recomputed from the seeds by hand."""
    t = calibration.targets("national")
    cal = {int(r["wave_number"]): r for r in _seed("wave_calendar.csv")}
    net = int(next(r["penerima"] for r in _seed("ref_annual_summary.csv") if r["tahun"] == "2020"))
    assert t.net_beneficiaries == net == 5_509_055
    assert t.revoked == 478_619
    assert t.selected == 5_509_055 + 478_619
    by_wave = dict(zip([w.number for w in t.waves], t.national_selected, strict=True))
    for number, row in cal.items():
        published = row["published_accepted"] or row["quota"]
        if published:
            assert by_wave[number] == int(published)
    assert by_wave[1] == 168_111 and by_wave[10] == 116_261
    assert all(by_wave[w] == 800_000 for w in range(4, 10))
    assert by_wave[11] == t.selected - sum(v for k, v in by_wave.items() if k != 11)
    assert sum(w.selected for w in t.waves) == t.selected
    assert sum(w.applications for w in t.waves) == 40_000_000
    registrants = {
        int(r["gelombang"]): r["pendaftar_gelombang"] for r in _seed("ref_waves_2020.csv")
    }
    for w in t.waves:
        if registrants[w.number]:
            assert w.applications == int(registrants[w.number])


@pytest.mark.parametrize(
    ("scale", "fraction"), [("demo", Fraction(1, 100)), ("small", Fraction(1, 10))]
)
def test_scaled_targets_are_exact_integers(scale: str, fraction: Fraction) -> None:
    full = calibration.targets("national")
    t = calibration.targets(scale)
    assert t.net_beneficiaries == int(Fraction(5_509_055) * fraction + Fraction(1, 2))
    assert t.revoked == int(Fraction(478_619) * fraction + Fraction(1, 2))
    assert sum(w.selected for w in t.waves) == t.selected
    assert sum(w.revoked for w in t.waves) == t.revoked
    assert sum(w.applications for w in t.waves) == t.applications == int(40_000_000 * fraction)
    for small, big in zip(t.waves, full.waves, strict=True):
        # each wave within one person of its exact proportional share
        assert abs(small.selected - big.selected * fraction) < 1
        assert abs(small.applications - big.applications * fraction) < 1
        assert abs(small.revoked - big.revoked * fraction) < 1


def test_national_totals_match_published_figures_within_one_percent() -> None:
    t = calibration.targets("national")
    assert abs(t.net_beneficiaries - 5_509_055) / 5_509_055 < 0.01
    assert abs(t.applications - 40_000_000) / 40_000_000 < 0.01
    # verification: 19-20 M of 40 M applications
    assert 19e6 <= calibration.VERIFIED_SHARE * t.applications <= 20e6


def test_files_hold_the_scaled_wave_targets(demo: Path, manifest: dict) -> None:
    targets = {w.number: w for w in calibration.targets("demo").waves}
    counts = {f["file"]: f["rows"] for f in manifest["files"]}
    for w in WAVES:
        t = targets[w]
        sel = _csv(demo / f"seleksi_gel{w:02d}.csv")
        assert counts[f"pendaftaran_gel{w:02d}.csv"] == t.applications == len(sel)
        assert sum(r["terpilih"] == "ya" for r in sel) == t.selected
        assert len(_csv(demo / f"pencabutan_gel{w:02d}.csv")) == t.revoked


def test_funnel_never_increases_and_completion_is_calibrated(manifest: dict) -> None:
    steps = [
        "applications", "verified", "eligible", "selected", "bought_training",
        "completed_training", "received_incentive",
    ]  # fmt: skip
    total: Counter[str] = Counter()
    for wave in manifest["funnel"].values():
        values = [wave[s] for s in steps]
        assert values == sorted(values, reverse=True), wave
        assert wave["selected"] - wave["revoked"] <= wave["bought_training"]
        total.update(wave)
    assert total["completed_training"] / total["selected"] == pytest.approx(4.94 / 5.6, abs=0.002)
    assert total["verified"] / total["applications"] == pytest.approx(0.4875, abs=0.01)


def test_profile_matches_published_shares(applications, selection) -> None:
    chosen = [a for a in applications if selection[a["id_pendaftaran"]]["terpilih"] == "ya"]
    n = len(chosen)
    assert n > 5000
    women = sum(a["jenis_kelamin"] == "P" for a in chosen) / n
    assert women == pytest.approx(0.45, abs=0.025)
    not_working = sum(
        a["status_pekerjaan"] in ("korban_phk", "dirumahkan", "pencari_kerja") for a in chosen
    )
    assert not_working / n == pytest.approx(0.88, abs=0.02)
    young = 0
    for a in chosen:
        age = 2020 - int(a["tanggal_lahir"][:4])
        young += 18 <= age <= 36  # birth year arithmetic: 35th birthday may fall later in 2020
    assert 0.71 <= young / n <= 0.80
    assert sum(a["disabilitas"] == "1" for a in chosen) / n == pytest.approx(0.05, abs=0.015)


def test_province_mix_follows_reference_shares(applications) -> None:
    ref = {
        r["kode_kemendagri"]: r["penerima_ribu"]
        for r in _seed("ref_beneficiaries_2020_by_province.csv")
    }
    counts = Counter(a["kode_provinsi"] for a in applications)
    n = len(applications)
    total = sum(float(v) for v in ref.values() if v) + calibration_bengkulu()
    assert set(counts) == set(ref)  # all 34 provinces of 2020, Bengkulu included
    for code in ("32", "35", "31"):
        assert counts[code] / n == pytest.approx(float(ref[code]) / total, rel=0.08)


def calibration_bengkulu() -> float:
    from generator.reference import BENGKULU_ASSUMED_THOUSANDS

    return BENGKULU_ASSUMED_THOUSANDS


# ---------------------------------------------------------------- NIK


def test_nik_structure_and_consistency(applications) -> None:
    regencies = {r["kode"] for r in _csv(REFERENCE_DIR / "kemendagri_2020_provinsi_kabkota.csv")}
    elsewhere = 0
    for a in applications:
        nik = a["nik"]
        assert len(nik) == 16 and nik.isdigit()
        assert nik[:4] in regencies
        assert 1 <= int(nik[4:6]) <= 99
        born = dt.date.fromisoformat(a["tanggal_lahir"])
        day = int(nik[6:8])
        assert day == born.day + (40 if a["jenis_kelamin"] == "P" else 0)
        assert nik[8:10] == f"{born.month:02d}" and nik[10:12] == f"{born.year % 100:02d}"
        assert int(nik[12:]) >= 1
        assert a["kode_kabkota"].startswith(a["kode_provinsi"])
        elsewhere += nik[:2] != a["kode_provinsi"]
    assert 0.05 <= elsewhere / len(applications) <= 0.10


def test_one_nik_per_person_and_people_apply_again(applications) -> None:
    person: dict[str, tuple[str, str, str]] = {}
    waves: dict[str, set[str]] = {}
    for a in applications:
        key = (a["nama_lengkap"], a["tanggal_lahir"], a["jenis_kelamin"])
        assert person.setdefault(a["nik"], key) == key  # same NIK, same person
        waves.setdefault(a["nik"], set()).add(a["gelombang"])
    repeat = sum(len(w) > 1 for w in waves.values())
    assert repeat > 0
    # a person applies at most once per wave
    assert sum(len(w) for w in waves.values()) == len(applications)


def test_registration_inside_the_wave_window(applications) -> None:
    cal = {r["wave_number"]: r for r in _seed("wave_calendar.csv")}
    for a in applications:
        w = cal[a["gelombang"]]
        day = a["waktu_daftar"][:10]
        assert w["registration_open_date"] <= day <= w["registration_close_date"]


# ---------------------------------------------------------------- payments and providers


def test_payments_follow_the_benefit_rules_and_channels(demo: Path) -> None:
    rule = next(r for r in _seed("benefit_rules.csv") if r["scheme"] == "semi_bansos")
    channels = {r["channel_code"]: r["active_from"] for r in _seed("payment_channels.csv")}
    table = pq.read_table(demo / "pembayaran_gel03.parquet").to_pylist()
    statuses = Counter(r["status"] for r in table)
    assert statuses["berhasil"] > statuses["gagal"] > 0 and statuses["dikembalikan"] > 0
    for r in table:
        if r["jenis"] == "insentif_pelatihan":
            assert r["jumlah"] == int(rule["incentive_tranche_rp"])
            assert 1 <= r["termin"] <= int(rule["incentive_tranches"])
        else:
            assert r["jumlah"] == int(rule["survey_incentive_rp"])
            assert 1 <= r["termin"] <= int(rule["survey_incentives"])
        assert r["kanal"] in channels
        assert r["tanggal_jadwal"].isoformat() >= channels[r["kanal"]]
        assert (r["tanggal_bayar"] is None) == (r["status"] == "gagal")
        assert (r["alasan_gagal"] is None) == (r["status"] == "berhasil")


def test_no_payment_before_its_channel_started(tmp_path: Path) -> None:
    """Wave 8 completes training around DANA's start (14 Oct 2020): a trap for survey
    incentives paid soon after completion."""
    start = {r["channel_code"]: r["active_from"] for r in _seed("payment_channels.csv")}
    generate("demo", 5, tmp_path, waves=[8])
    table = pq.read_table(tmp_path / "pembayaran_gel08.parquet").to_pylist()
    assert any(r["kanal"] == "DANA" for r in table)
    for r in table:
        assert r["tanggal_jadwal"].isoformat() >= start[r["kanal"]]
        if r["tanggal_bayar"] is not None:
            assert r["tanggal_bayar"].isoformat() >= start[r["kanal"]]


def test_enrollments_within_voucher_and_dates_ordered(demo: Path) -> None:
    voucher = int(
        next(r for r in _seed("benefit_rules.csv") if r["scheme"] == "semi_bansos")[
            "training_voucher_rp"
        ]
    )
    rows = _csv(demo / "transaksi_pelatihan_gel02.csv", delimiter=";")
    spent: Counter[str] = Counter()
    ratings = []
    for r in rows:
        price = int(r["harga"].replace(".", "").split(",")[0])
        spent[r["id_pendaftaran"]] += price
        bought = dt.datetime.strptime(r["tanggal_beli"], "%d/%m/%Y")
        if r["status"] == "selesai":
            assert dt.datetime.strptime(r["tanggal_selesai"], "%d/%m/%Y") >= bought
            if r["nilai_ulasan"]:
                ratings.append(int(r["nilai_ulasan"]))
        else:
            assert r["tanggal_selesai"] == "" and r["nilai_ulasan"] == ""
    assert max(spent.values()) <= voucher
    assert np.mean(ratings) == pytest.approx(4.8, abs=0.08)


def test_provider_catalogue_matches_kpk_findings(demo: Path) -> None:
    platforms = _csv(demo / "platform_digital.csv")
    assert len(platforms) == 8
    skill = next(p for p in platforms if p["kode_platform"] == "SKILLACADEMY")
    assert skill["tanggal_berakhir"] == "2020-09-04"
    owners = _csv(demo / "kepemilikan_lembaga_platform.csv")
    assert len({o["kode_platform"] for o in owners}) == 5
    courses = _csv(demo / "katalog_pelatihan.csv")
    conflicted = {o["kode_lembaga"] for o in owners}
    distinct = {c["kode_pelatihan"]: c["kode_lembaga"] for c in courses}
    assert 1800 <= len(distinct) <= 2100
    assert 200 <= sum(v in conflicted for v in distinct.values()) <= 300
    institutions = _csv(demo / "lembaga_pelatihan.csv")
    assert 200 <= len(institutions) <= 260
    skill_academy = next(i for i in institutions if i["nama_lembaga"].startswith("Skill Academy"))
    sold_elsewhere = {
        c["kode_platform"] for c in courses if c["kode_lembaga"] == skill_academy["kode_lembaga"]
    }
    assert sold_elsewhere - {"SKILLACADEMY"}  # still a provider on other platforms
    prices = np.array([int(c["harga"]) for c in courses])
    assert np.mean((prices >= 100_000) & (prices <= 1_000_000)) > 0.9 and prices.min() < 50_000
