"""People: who applies, where they live, and their NIK.

Every attribute is a pure function of (seed, person id) (see randomness.uniform), so a person
who applies again in a later wave shows the same NIK, name and birth date. Only the NIK serial
needs a global view (unique within kecamatan and birth date), computed once by `nik_serials`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from generator import calibration, reference, vocab
from generator.randomness import choose, uniform

EPOCH = dt.date(1970, 1, 1)
AGE_REFERENCE = dt.date(2020, 4, 1)  # ages are those at the start of the 2020 programme


class F:
    """Hash fields: one per independent attribute draw."""

    PROVINCE, REGENCY, ELSEWHERE, NIK_PROVINCE, NIK_REGENCY, KECAMATAN = range(6)
    GENDER, AGE_BAND, AGE, BIRTH_DAY, EDUCATION, EMPLOYMENT = range(6, 12)
    DISABILITY, REGISTRY, FIRST, FAMILY, HAS_FAMILY, STREET = range(12, 18)
    HOUSE, RT, RW, PHONE_PREFIX, PHONE, EMAIL_DOMAIN, EMAIL_NUMBER, INCOME = range(18, 26)


@dataclass(frozen=True)
class Geography:
    province_codes: np.ndarray  # Kemendagri 2-digit, as int
    regency_codes: np.ndarray  # Kemendagri 4-digit, as int
    regency_province: np.ndarray  # province index of each regency
    province_weights: np.ndarray
    regency_cdf: np.ndarray  # province index + cumulative share within province


def geography() -> Geography:
    provinces = reference.provinces_2020()
    codes, owner, cdf = [], [], []
    for i, p in enumerate(provinces):
        # Cities (third digit 7) are denser than regencies: weight 1.5 against 1.
        w = np.array([1.5 if c[2] == "7" else 1.0 for c in p.regencies])
        codes.extend(int(c) for c in p.regencies)
        owner.extend([i] * len(p.regencies))
        cdf.extend(i + np.cumsum(w) / w.sum())
    return Geography(
        province_codes=np.array([int(p.kode_kemendagri) for p in provinces]),
        regency_codes=np.array(codes),
        regency_province=np.array(owner),
        province_weights=calibration.province_weights(),
        regency_cdf=np.array(cdf),
    )


def _regency(geo: Geography, province: np.ndarray, u: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(geo.regency_cdf, province + u, side="right")
    return np.minimum(idx, len(geo.regency_codes) - 1)


@dataclass
class People:
    """Attributes of a set of people (arrays aligned with `ids`)."""

    ids: np.ndarray
    province: np.ndarray  # index into Geography.province_codes (domicile)
    regency: np.ndarray  # index into Geography.regency_codes (domicile)
    nik_regency: np.ndarray  # where the NIK was first issued
    kecamatan: np.ndarray
    female: np.ndarray
    birth: np.ndarray  # days since 1970-01-01
    education: np.ndarray
    employment: np.ndarray
    disability: np.ndarray
    registry: np.ndarray
    income_base: np.ndarray  # monthly income potential, rupiah

    def nik_base(self, geo: Geography) -> np.ndarray:
        """The first 12 NIK digits `PPKKCCDDMMYY` as an integer."""
        dates = (np.datetime64("1970-01-01") + self.birth.astype("timedelta64[D]")).astype("M8[D]")
        years = dates.astype("M8[Y]").astype(np.int64) + 1970
        months = dates.astype("M8[M]").astype(np.int64) % 12 + 1
        days = (dates - dates.astype("M8[M]")).astype(np.int64) + 1 + 40 * self.female
        ppkk = geo.regency_codes[self.nik_regency].astype(np.int64)
        return ppkk * 10**8 + self.kecamatan * 10**6 + days * 10**4 + months * 10**2 + years % 100


def people(seed: int, ids: np.ndarray, geo: Geography) -> People:
    def u(field: int) -> np.ndarray:
        return uniform(seed, ids, field)

    n_prov = len(geo.province_codes)
    province = choose(u(F.PROVINCE), geo.province_weights)
    regency = _regency(geo, province, u(F.REGENCY))
    # 5-10% hold a NIK first issued in another province (moved since).
    elsewhere = u(F.ELSEWHERE) < calibration.NIK_ELSEWHERE_SHARE
    other = choose(u(F.NIK_PROVINCE), geo.province_weights)
    other = np.where(other == province, (other + 1) % n_prov, other)
    nik_regency = np.where(elsewhere, _regency(geo, other, u(F.NIK_REGENCY)), regency)
    band = choose(u(F.AGE_BAND), vocab.AGE_SHARES)
    lows = np.array([b[0] for b in vocab.AGE_BANDS])
    highs = np.array([b[1] for b in vocab.AGE_BANDS])
    age = lows[band] + np.floor(u(F.AGE) * (highs[band] - lows[band] + 1)).astype(np.int64)
    ref_day = (AGE_REFERENCE - EPOCH).days
    # Born `age` whole years before the reference date, on a random day of that year of life.
    birth = ref_day - np.floor((age + u(F.BIRTH_DAY) * 0.997) * 365.25).astype(np.int64) - 1
    education = choose(u(F.EDUCATION), vocab.EDUCATION_SHARES)
    edu_factor = np.array([0.7, 0.8, 1.0, 1.25, 1.5, 2.0])[education]
    # Log-normal income potential around Rp2.5 M a month, higher with education.
    z = np.sqrt(-2 * np.log(1 - u(F.INCOME)))  # Rayleigh radius -> half-normal scale
    income = 2_500_000 * edu_factor * np.exp(0.35 * (z - 1.25))
    return People(
        ids=ids,
        province=province,
        regency=regency,
        nik_regency=nik_regency,
        kecamatan=1 + np.floor(u(F.KECAMATAN) * 20).astype(np.int64),
        female=u(F.GENDER) < calibration.WOMEN_SHARE,
        birth=birth,
        education=education,
        employment=choose(u(F.EMPLOYMENT), vocab.EMPLOYMENT_SHARES),
        disability=u(F.DISABILITY) < calibration.DISABILITY_SHARE,
        registry=u(F.REGISTRY) < vocab.SOCIAL_REGISTRY_SHARE,
        income_base=np.round(income, -3),
    )


def nik_serials(seed: int, n_people: int, geo: Geography, chunk: int = 2_000_000) -> np.ndarray:
    """Serial `SSSS` per person: 1 + rank among people sharing `PPKKCCDDMMYY` (unique NIKs)."""
    base = np.empty(n_people, dtype=np.int64)
    for start in range(0, n_people, chunk):
        ids = np.arange(start, min(start + chunk, n_people), dtype=np.int64)
        base[start : start + len(ids)] = people(seed, ids, geo).nik_base(geo)
    order = np.argsort(base, kind="stable")
    sorted_base = base[order]
    del base
    first = np.r_[True, sorted_base[1:] != sorted_base[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(n_people), 0))
    rank = np.arange(n_people) - group_start + 1
    if n_people and rank.max() > 9999:
        raise RuntimeError("more than 9,999 people share a NIK prefix and birth date")
    serial = np.empty(n_people, dtype=np.uint16)
    serial[order] = rank
    return serial


def nik_strings(p: People, geo: Geography, serials: np.ndarray) -> np.ndarray:
    return p.nik_base(geo) * 10_000 + serials[p.ids].astype(np.int64)
