"""Reference inputs the generator is calibrated on, read from the repository (never constants).

Seeds (dbt_project/seeds) drive the wave calendar, benefit rules and payment channels, so a later
year or the 2023 normal scheme only needs new seed rows. Region codes come from the Kemendagri
list of 2020 (the NIK and the applications use Kemendagri codes).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from prakerja.paths import REFERENCE_DIR, SEEDS_DIR

# Bengkulu is missing from the published 2020 per-province counts (the source excerpt was cut).
# Its share is set between Gorontalo (64.3k, 1.2 M inhabitants) and Kalimantan Tengah (86.1k,
# 2.7 M inhabitants) for its ~2.0 M inhabitants. Documented in docs/data-contracts.md.
BENGKULU_ASSUMED_THOUSANDS = 70.0


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text.strip() else None


def _int(text: str) -> int | None:
    return int(text) if text.strip() else None


@dataclass(frozen=True)
class Wave:
    number: int
    year: int
    scheme: str
    planned_open: dt.date
    open: dt.date
    close: dt.date
    selection: dt.date
    quota: int | None
    published_accepted: int | None
    registrants: int | None  # published registrants of the wave, where known


@dataclass(frozen=True)
class BenefitRule:
    scheme: str
    valid_from: dt.date
    valid_to: dt.date
    training_voucher_rp: int
    incentive_tranche_rp: int
    incentive_tranches: int
    survey_incentive_rp: int
    survey_incentives: int
    purchase_deadline_days: int


@dataclass(frozen=True)
class Channel:
    code: str
    active_from: dt.date
    active_to: dt.date | None


@dataclass(frozen=True)
class Province:
    kode_kemendagri: str
    kode_bps: str
    name: str
    beneficiaries_thousands: float
    regencies: tuple[str, ...]  # 4-digit Kemendagri codes


@cache
def waves() -> tuple[Wave, ...]:
    published = {
        int(r["gelombang"]): _int(r["pendaftar_gelombang"])
        for r in _rows(SEEDS_DIR / "ref_waves_2020.csv")
    }
    out = []
    for r in _rows(SEEDS_DIR / "wave_calendar.csv"):
        number = int(r["wave_number"])
        out.append(
            Wave(
                number=number,
                year=int(r["year"]),
                scheme=r["scheme"],
                planned_open=dt.date.fromisoformat(r["planned_open_date"]),
                open=dt.date.fromisoformat(r["registration_open_date"]),
                close=dt.date.fromisoformat(r["registration_close_date"]),
                selection=dt.date.fromisoformat(r["selection_date"]),
                quota=_int(r["quota"]),
                published_accepted=_int(r["published_accepted"]),
                registrants=published.get(number),
            )
        )
    return tuple(sorted(out, key=lambda w: w.number))


@cache
def benefit_rules() -> tuple[BenefitRule, ...]:
    return tuple(
        BenefitRule(
            scheme=r["scheme"],
            valid_from=dt.date.fromisoformat(r["valid_from"]),
            valid_to=dt.date.fromisoformat(r["valid_to"]),
            training_voucher_rp=int(r["training_voucher_rp"]),
            incentive_tranche_rp=int(r["incentive_tranche_rp"]),
            incentive_tranches=int(r["incentive_tranches"]),
            survey_incentive_rp=int(r["survey_incentive_rp"]),
            survey_incentives=int(r["survey_incentives"]),
            purchase_deadline_days=int(r["purchase_deadline_days"]),
        )
        for r in _rows(SEEDS_DIR / "benefit_rules.csv")
    )


def rule_for(scheme: str) -> BenefitRule:
    for rule in benefit_rules():
        if rule.scheme == scheme:
            return rule
    raise KeyError(f"no benefit rule for scheme {scheme!r} in benefit_rules.csv")


@cache
def channels() -> tuple[Channel, ...]:
    return tuple(
        Channel(r["channel_code"], dt.date.fromisoformat(r["active_from"]), _date(r["active_to"]))
        for r in _rows(SEEDS_DIR / "payment_channels.csv")
    )


@cache
def annual_beneficiaries() -> dict[int, int]:
    """Net beneficiaries per year where published (ref_annual_summary.csv `penerima`)."""
    return {
        int(r["tahun"]): int(r["penerima"])
        for r in _rows(SEEDS_DIR / "ref_annual_summary.csv")
        if r["penerima"].strip()
    }


@cache
def provinces_2020() -> tuple[Province, ...]:
    """The 34 provinces of 2020 with Kemendagri codes, regencies and beneficiary weights."""
    shares = {
        r["kode_kemendagri"]: float(r["penerima_ribu"]) if r["penerima_ribu"].strip() else None
        for r in _rows(SEEDS_DIR / "ref_beneficiaries_2020_by_province.csv")
    }
    bps_of = {
        r["kode_kemendagri"]: r["kode_bps"]
        for r in _rows(SEEDS_DIR / "province_crosswalk.csv")
        if r["new_2022"] == "0"
    }
    rows = _rows(REFERENCE_DIR / "kemendagri_2020_provinsi_kabkota.csv")
    regencies: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for r in rows:
        if r["level"] == "provinsi":
            names[r["kode"]] = r["nama"]
        else:
            regencies.setdefault(r["kode_provinsi"], []).append(r["kode"])
    out = []
    for code in sorted(names):
        weight = shares.get(code)
        if weight is None:
            weight = BENGKULU_ASSUMED_THOUSANDS
        out.append(
            Province(code, bps_of[code], names[code], weight, tuple(sorted(regencies[code])))
        )
    return tuple(out)


def reference_file(name: str) -> Path:
    return REFERENCE_DIR / name
