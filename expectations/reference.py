"""Reference figures and thresholds the suites compare against.

Reference data comes from the dbt seeds (read here, never copied as constants), turned into
small SQL `values` lists so each check stays one self-contained query pushed down to DuckDB.
Bands for published shares that are not in a seed carry their source (FACTS.md entries).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from prakerja.paths import SEEDS_DIR


def read_seed(name: str, seeds_dir: Path = SEEDS_DIR) -> list[dict[str, str]]:
    with (seeds_dir / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _literal(value: object) -> str:
    if value is None or value == "":
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def values_cte(name: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """`name(col, ...) as (select * from (values (...), ...))` for a `with` clause."""
    body = ",\n        ".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows)
    cols = ", ".join(columns)
    return f"{name} as (\n    select * from (values\n        {body}\n    ) as v({cols})\n)"


def _int_or_none(text: str) -> int | None:
    return int(text) if text.strip() else None


def wave_calendar_cte() -> str:
    rows = [
        (
            int(r["wave_number"]),
            r["scheme"],
            r["registration_open_date"],
            r["registration_close_date"],
            r["selection_date"],
            _int_or_none(r["published_accepted"]),
        )
        for r in read_seed("wave_calendar")
    ]
    columns = ("wave_number", "scheme", "open_date", "close_date", "selection_date", "accepted")
    return values_cte("wave_calendar", columns, rows)


def benefit_rules_cte() -> str:
    columns = (
        "scheme",
        "valid_from",
        "valid_to",
        "training_voucher_rp",
        "incentive_tranche_rp",
        "incentive_tranches",
        "survey_incentive_rp",
        "survey_incentives",
    )
    rows = [
        (
            r["scheme"],
            r["valid_from"],
            r["valid_to"],
            int(r["training_voucher_rp"]),
            int(r["incentive_tranche_rp"]),
            int(r["incentive_tranches"]),
            int(r["survey_incentive_rp"]),
            int(r["survey_incentives"]),
        )
        for r in read_seed("benefit_rules")
    ]
    return values_cte("benefit_rules", columns, rows)


def province_reference_cte() -> str:
    """2020 beneficiaries by province (thousands), keyed by both code systems; a province
    without a published figure (Bengkulu) is left out of the comparison."""
    rows = [
        (r["kode_bps"], r["kode_kemendagri"], r["provinsi"], float(r["penerima_ribu"]))
        for r in read_seed("ref_beneficiaries_2020_by_province")
        if r["penerima_ribu"].strip()
    ]
    columns = ("kode_bps", "kode_kemendagri", "provinsi", "penerima_ribu")
    return values_cte("ref_province", columns, rows)


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    source: str

    def text(self) -> str:
        return f"between {self.low:g} and {self.high:g} ({self.source})"


# Published shares among 2020 beneficiaries, with room for sampling noise at demo scale.
WOMEN_SHARE = Band(0.40, 0.50, "PMO Laporan 2020: 45% women")
AGED_18_35_SHARE = Band(0.65, 0.83, "PMO surveys 2020: 71-77% aged 18-35")
AGED_OVER_60_SHARE = Band(0.0, 0.05, "PMO Laporan 2020: 2% aged over 60")
NOT_WORKING_SHARE = Band(0.80, 0.95, "PMO survey of 2.4 M recipients: 88% not working")
# A province's share of the selected may differ from its 2020 published share by this much.
PROVINCE_SHARE_TOLERANCE = 0.015
# A wave's share of the selected (among waves with a published accepted count) may differ from
# its published share by this much: the generator matches them exactly, rounding aside.
WAVE_SHARE_TOLERANCE = 0.01

# Volume and quarantine thresholds for the latest batch of loads.
QUARANTINE_SHARE_CRITICAL = 0.005  # above 0.5% rejected rows a delivery is not trusted
LOAD_VS_MEDIAN_MIN = 0.2  # latest file of an entity vs the median of its earlier files
BATCH_WINDOW_HOURS = 12  # loads this close to the newest one belong to the latest batch

# Funnel ratios per wave (national), from the published 2020 funnel: ~40 M registered,
# ~20 M verified, 5.6 M cards, 5.2 M bought training, 4.94 M completed, ~4.9 M paid.
FUNNEL_BANDS: dict[tuple[str, str], Band] = {
    ("verified", "registered"): Band(0.2, 0.8, "~20 M of 40 M verified"),
    ("bought_training", "selected"): Band(0.8, 1.0, "5.2 M of 5.6 M bought training"),
    ("completed_training", "bought_training"): Band(0.8, 1.0, "4.94 M of 5.2 M completed"),
    ("paid_tranche_1", "completed_training"): Band(0.8, 1.0, "~4.9 M of 4.94 M paid"),
}
