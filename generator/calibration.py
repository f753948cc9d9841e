"""Calibration targets: published 2020 figures scaled to demo (1/100), small (1/10), national.

Every scaled total is an exact integer: totals are rounded half up once, and per-wave figures
are allocated from them by the largest-remainder method, so they add up exactly and each wave
is within one person of its proportional share. Tests recompute these from the same seeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from generator import reference

SCALES: dict[str, Fraction] = {
    "demo": Fraction(1, 100),
    "small": Fraction(1, 10),
    "national": Fraction(1, 1),
}

# Revoked memberships in 2020, not included in the 5,509,055 net beneficiaries (PMO Laporan
# 2020, reported by Kompas 1 Mar 2021; also in the note of ref_annual_summary.csv).
REVOKED_2020 = 478_619
# Applications in the 2020 waves: "40 M registrants in 10 batches by 30 Oct 2020" (PMO, okezone
# 3 Nov 2020); wave 11 adds little, so the total of 11 waves is kept at about 40 M.
APPLICATIONS_2020 = 40_000_000
# Funnel and profile rates (FACTS.md 1.6-1.9): 19-20 M of 40 M passed e-mail, phone, NIK and KK
# verification; 5.6 M cards, 5.2 M bought training, 4.94 M completed by 30 Oct 2020.
SELECTED_2020 = 5_509_055 + REVOKED_2020
VERIFIED_SHARE = 0.4875
ELIGIBLE_SHARE_OF_VERIFIED = 0.95  # the rest are excluded (civil servants, officials, ...)
COMPLETED_PER_SELECTED = 4.94 / 5.6
WOMEN_SHARE = 0.45
DISABILITY_SHARE = 0.05
NIK_ELSEWHERE_SHARE = 0.07  # NIK issued in another province than the domicile (5-10%)
# Share of a wave's applications made by people who applied before without being selected.
REAPPLICATION_SHARE = 0.2


def round_half_up(value: Fraction) -> int:
    return int((value + Fraction(1, 2)) // 1)


def allocate(total: int, weights: list[int] | list[float]) -> list[int]:
    """Largest-remainder allocation of `total` over `weights`: exact sum, ties by position."""
    w = [Fraction(x) for x in weights]
    whole = sum(w)
    if total == 0 or whole == 0:
        return [0] * len(w)
    quotas = [total * x / whole for x in w]
    base = [int(q // 1) for q in quotas]
    left = total - sum(base)
    order = sorted(range(len(w)), key=lambda i: (-(quotas[i] - base[i]), i))
    for i in order[:left]:
        base[i] += 1
    return base


@dataclass(frozen=True)
class WaveTarget:
    number: int
    applications: int
    selected: int
    revoked: int

    @property
    def net(self) -> int:
        return self.selected - self.revoked


@dataclass(frozen=True)
class Targets:
    scale: str
    fraction: Fraction
    year: int
    net_beneficiaries: int
    revoked: int
    applications: int
    waves: tuple[WaveTarget, ...]
    national_selected: tuple[int, ...]
    national_applications: tuple[int, ...]

    @property
    def selected(self) -> int:
        return self.net_beneficiaries + self.revoked

    def as_dict(self) -> dict[str, object]:
        return {
            "scale": self.scale,
            "fraction": str(self.fraction),
            "year": self.year,
            "net_beneficiaries": self.net_beneficiaries,
            "revoked": self.revoked,
            "selected": self.selected,
            "applications": self.applications,
            "completed_per_selected": round(COMPLETED_PER_SELECTED, 4),
            "verified_share_of_applications": VERIFIED_SHARE,
            "women_share": WOMEN_SHARE,
            "disability_share": DISABILITY_SHARE,
            "nik_elsewhere_share": NIK_ELSEWHERE_SHARE,
            "waves": [
                {
                    "gelombang": w.number,
                    "applications": w.applications,
                    "selected": w.selected,
                    "revoked": w.revoked,
                    "net": w.net,
                }
                for w in self.waves
            ],
        }


def national_selected(waves: tuple[reference.Wave, ...], selected_total: int) -> list[int]:
    """Selected per wave at full scale: published count, else quota, else the remainder."""
    known = [w.published_accepted or w.quota for w in waves]
    rest = selected_total - sum(k for k in known if k)
    unknown = [i for i, k in enumerate(known) if not k]
    fill = allocate(max(rest, 0), [1] * len(unknown))
    out = [k or 0 for k in known]
    for i, n in zip(unknown, fill, strict=True):
        out[i] = n
    return out


def national_applications(
    waves: tuple[reference.Wave, ...], selected: list[int], total: int
) -> list[int]:
    """Registrants per wave: published where known, the rest spread in proportion to selected."""
    known = [w.registrants for w in waves]
    rest = total - sum(k for k in known if k)
    unknown = [i for i, k in enumerate(known) if not k]
    fill = allocate(max(rest, 0), [selected[i] for i in unknown])
    out = [k or 0 for k in known]
    for i, n in zip(unknown, fill, strict=True):
        out[i] = n
    return out


def targets(scale: str, year: int = 2020) -> Targets:
    fraction = SCALES[scale]
    waves = tuple(w for w in reference.waves() if w.year == year)
    if not waves:
        raise ValueError(f"the wave calendar has no waves in {year}")
    # Only 2020's revocations are published; other years use 2020's revocation rate.
    rate = Fraction(REVOKED_2020, reference.annual_beneficiaries()[2020])
    net_full = reference.annual_beneficiaries().get(year)
    if net_full is None:  # a later year without a published total: its waves' quotas
        quotas = [w.published_accepted or w.quota for w in waves]
        if not all(quotas):
            raise ValueError(f"no published total for {year} and waves without a quota")
        net_full = round_half_up(sum(q for q in quotas if q) / (1 + rate))
    revoked_full = REVOKED_2020 if year == 2020 else round_half_up(net_full * rate)
    sel_full = national_selected(waves, net_full + revoked_full)
    # Other years keep 2020's ratio of applications to selected (about 6.7).
    app_total = (
        APPLICATIONS_2020
        if year == 2020
        else round_half_up(sum(sel_full) * Fraction(APPLICATIONS_2020, SELECTED_2020))
    )
    app_full = national_applications(waves, sel_full, app_total)
    net = round_half_up(net_full * fraction)
    revoked = round_half_up(revoked_full * fraction)
    applications = round_half_up(sum(app_full) * fraction)
    sel = allocate(net + revoked, sel_full)
    rev = allocate(revoked, sel_full)
    apps = allocate(applications, app_full)
    return Targets(
        scale=scale,
        fraction=fraction,
        year=year,
        net_beneficiaries=net,
        revoked=revoked,
        applications=applications,
        waves=tuple(
            WaveTarget(w.number, a, s, r) for w, a, s, r in zip(waves, apps, sel, rev, strict=True)
        ),
        national_selected=tuple(sel_full),
        national_applications=tuple(app_full),
    )


def province_weights() -> np.ndarray:
    weights = np.array([p.beneficiaries_thousands for p in reference.provinces_2020()])
    return weights / weights.sum()
