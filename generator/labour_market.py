"""BPS labour-market deliveries: real published figures, copied from reference/, never generated.

Provincial TPT goes out twice, over different period ranges so the two never overlap: the
older rounds in the layout BPS publishes (table 543: title row, year and round header rows,
upper-case province names, INDONESIA last, "-" where not available), the recent ones in long
form. Values are copied as the text they have in the reference files.
"""

from __future__ import annotations

import csv
from pathlib import Path

from prakerja.paths import REFERENCE_DIR, SEEDS_DIR

TABLE_RANGES = ((2005, 2011), (2012, 2018))  # BPS layout; long form from 2019 on
LONG_FROM = 2019
TITLE = "Tingkat Pengangguran Terbuka Menurut Provinsi (Persen)"
ROUNDS = (("Feb", "Februari"), ("Aug", "Agustus"))
# Where BPS's upper-case name is not simply the upper-cased name.
BPS_NAMES = {
    "Kepulauan Bangka Belitung": "KEP. BANGKA BELITUNG",
    "Kepulauan Riau": "KEP. RIAU",
    "Daerah Istimewa Yogyakarta": "DI YOGYAKARTA",
}


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _provinces_34() -> list[tuple[str, str]]:
    rows = _read(SEEDS_DIR / "province_crosswalk.csv")
    return [
        (r["kode_bps"], BPS_NAMES.get(r["nama_provinsi"], r["nama_provinsi"].upper()))
        for r in sorted(rows, key=lambda r: r["kode_bps"])
        if r["new_2022"] == "0"
    ]


def _write(path: Path, rows: list[list[str]]) -> int:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return len(rows)


def tpt_table(path: Path, first: int, last: int) -> int:
    """BPS layout. Returns the records it holds in the contract's grain (province, year,
    round): the province values that are not "-"; the INDONESIA row is national data."""
    tpt = _read(REFERENCE_DIR / "tpt_provinsi_feb_aug_2005_2024_long.csv")
    value = {(r["kode_bps"], int(r["tahun"]), r["periode"]): r["tpt_persen"] for r in tpt}
    national = {
        (int(r["date"][:4]), "Feb" if r["date"][5:7] == "02" else "Aug"): r["unemployment_rate"]
        for r in _read(REFERENCE_DIR / "bps_ier_unemployment-rate_cleaned.csv")
    }
    periods = [(y, code, label) for y in range(first, last + 1) for code, label in ROUNDS]
    rows = [[TITLE] + [""] * len(periods)]
    rows.append(["Provinsi"] + [str(y) for y, _, _ in periods])
    rows.append([""] + [label for _, _, label in periods])
    for code, name in _provinces_34():
        rows.append([name] + [value.get((code, y, p), "-") for y, p, _ in periods])
    rows.append(["INDONESIA"] + [national.get((y, p), "-") for y, p, _ in periods])
    _write(path, rows)
    return sum(cell != "-" for row in rows[3:-1] for cell in row[1:])


def tpt_long(path: Path) -> int:
    tpt = _read(REFERENCE_DIR / "tpt_provinsi_feb_aug_2005_2024_long.csv")
    columns = ["kode_bps", "provinsi", "tahun", "periode", "tpt_persen"]
    data = [[r[c] for c in columns] for r in tpt if int(r["tahun"]) >= LONG_FROM]
    return _write(path, [columns, *data]) - 1


def national(path: Path) -> int:
    """National headline figures; of the two 2019-08 rows only BPS's revised one is kept."""
    rows = _read(REFERENCE_DIR / "national_labour_force_2019_2024_compiled.csv")
    columns = ["periode", "tpt_persen", "angkatan_kerja_juta", "bekerja_juta", "penganggur_juta"]
    # The first 2019-08 row is the figure as originally published, later revised by BPS.
    kept = [r for r in rows if "later revised" not in r["note"].lower()]
    return _write(path, [columns, *[[r[c] for c in columns] for r in kept]]) - 1


def labour_force_province(path: Path) -> int:
    """Provincial labour force and unemployed persons where BPS published them (partial)."""
    columns = ["kode_bps", "provinsi", "tahun", "periode", "angkatan_kerja", "penganggur"]
    sources = [REFERENCE_DIR / "bps_unemployed_by_province_compiled_partial.csv"]
    incoming = REFERENCE_DIR / "incoming"
    if incoming.is_dir():
        sources += sorted(p for p in incoming.glob("*unemployed*.csv"))
    merged: dict[tuple[str, str, str], list[str]] = {}
    for source in sources:  # a later file (incoming) replaces the same province and round
        for r in _read(source):
            if all(c in r for c in columns):
                merged[(r["kode_bps"], r["tahun"], r["periode"])] = [r[c] for c in columns]
    data = [merged[k] for k in sorted(merged)]
    return _write(path, [columns, *data]) - 1


def write_all(out: Path) -> dict[str, int]:
    """Write every labour-market delivery; returns data rows per file name."""
    counts: dict[str, int] = {}
    for first, last in TABLE_RANGES:
        name = f"bps_tabel_tpt_{first}_{last}.csv"
        counts[name] = tpt_table(out / name, first, last)
    counts[f"bps_tpt_provinsi_{LONG_FROM}_2024.csv"] = tpt_long(
        out / f"bps_tpt_provinsi_{LONG_FROM}_2024.csv"
    )
    counts["bps_angkatan_kerja_nasional.csv"] = national(out / "bps_angkatan_kerja_nasional.csv")
    counts["bps_angkatan_kerja_provinsi_2020_2024.csv"] = labour_force_province(
        out / "bps_angkatan_kerja_provinsi_2020_2024.csv"
    )
    return counts
