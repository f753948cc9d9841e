"""BPS labour-market tables: the published wide layout (title row, year and Februari/Agustus
header rows, upper-case province names, "-" for missing, INDONESIA last) and the long form."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from ingestion.api import ingest
from ingestion.bps_table import normalise_name, province_codes
from prakerja.paths import SEEDS_DIR
from prakerja.settings import Settings
from tests.fixtures.ingest.builders import mark_synthetic, write


def crosswalk() -> dict[str, str]:
    with (SEEDS_DIR / "province_crosswalk.csv").open(encoding="utf-8") as handle:
        return {row["nama_provinsi"]: row["kode_bps"] for row in csv.DictReader(handle)}


@pytest.mark.parametrize(
    ("published", "crosswalk_name"),
    [
        ("KEP. BANGKA BELITUNG", "Kepulauan Bangka Belitung"),
        ("DI YOGYAKARTA", "Daerah Istimewa Yogyakarta"),
        ("D.I. YOGYAKARTA", "Daerah Istimewa Yogyakarta"),
        ("DKI JAKARTA", "DKI Jakarta"),
        ("KEP. RIAU", "Kepulauan Riau"),
        ("RIAU", "Riau"),
        ("PAPUA BARAT", "Papua Barat"),
        ("  Nusa  Tenggara Timur ", "Nusa Tenggara Timur"),
    ],
)
def test_bps_spellings_map_to_the_crosswalk_code(published: str, crosswalk_name: str) -> None:
    assert province_codes()[normalise_name(published)] == crosswalk()[crosswalk_name]


def test_every_crosswalk_name_maps_to_its_own_code() -> None:
    codes = province_codes()
    for name, code in crosswalk().items():
        assert codes[normalise_name(name.upper())] == code


WIDE = """Tingkat Pengangguran Terbuka (TPT) Menurut Provinsi (Persen);;;;
Provinsi;Tingkat Pengangguran Terbuka (TPT) (Persen);;;
;2019;;2020;
;Februari;Agustus;Februari;Agustus
ACEH;5,53;6,17;5,42;6,59
KEP. BANGKA BELITUNG;3,62;3,58;-;5,25
DI YOGYAKARTA;2,41;3,14;3,38;4,57
ATLANTIS;1,00;-;-;-
INDONESIA;5,01;5,23;4,99;7,07
Sumber: Badan Pusat Statistik;;;;
"""


def test_wide_table_is_melted(tmp_path: Path) -> None:
    home = tmp_path / "warehouse"
    inbox = tmp_path / "inbox"
    mark_synthetic(inbox)
    write(inbox, "bps_tabel_tpt_2019_2020.csv", WIDE, encoding="utf-8-sig", newline="\r\n")
    report = ingest(Settings.from_env({"PRAKERJA_HOME": str(home)}), inbox)[0]
    codes = crosswalk()
    with duckdb.connect(str(home / "raw.duckdb"), read_only=True) as conn:
        rows = conn.execute(
            "select kode_bps, tahun, periode, cast(tpt_persen as varchar) "
            "from labour_market.tpt_province order by all"
        ).fetchall()
        rejected = conn.execute("select rule, reason from audit.quarantine").fetchall()
    aceh, babel, diy = (
        codes["Aceh"],
        codes["Kepulauan Bangka Belitung"],
        codes["Daerah Istimewa Yogyakarta"],
    )
    assert rows == sorted(
        [
            (aceh, 2019, "Feb", "5.53"),
            (aceh, 2019, "Aug", "6.17"),
            (aceh, 2020, "Feb", "5.42"),
            (aceh, 2020, "Aug", "6.59"),
            (babel, 2019, "Feb", "3.62"),
            (babel, 2019, "Aug", "3.58"),
            (babel, 2020, "Aug", "5.25"),  # "-" in 2020 Feb: not a row
            (diy, 2019, "Feb", "2.41"),
            (diy, 2019, "Aug", "3.14"),
            (diy, 2020, "Feb", "3.38"),
            (diy, 2020, "Aug", "4.57"),
        ]
    )
    # An unknown province name is a quarantined row naming the value, not a silent drop.
    assert [r[0] for r in rejected] == ["unknown_code"]
    assert "ATLANTIS" in rejected[0][1]
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (12, 11, 1)
    assert any("INDONESIA" in note for note in report.notes)


def test_long_form_accepts_februari_agustus(tmp_path: Path) -> None:
    home = tmp_path / "warehouse"
    inbox = tmp_path / "inbox"
    mark_synthetic(inbox)
    write(
        inbox,
        "bps_tpt_provinsi_2021.csv",
        "kode_bps,provinsi,tahun,periode,tpt_persen\n"
        "11,Aceh,2021,Februari,6.30\n"
        "11,Aceh,2021,Agustus,6.30\n"
        "11,Aceh,2021,Maret,6.00\n",
    )
    report = ingest(Settings.from_env({"PRAKERJA_HOME": str(home)}), inbox)[0]
    assert (report.rows_loaded, report.rule_counts) == (2, {"invalid_value": 1})
    with duckdb.connect(str(home / "raw.duckdb"), read_only=True) as conn:
        periods = conn.execute("select periode from labour_market.tpt_province order by 1")
        assert periods.fetchall() == [("Aug",), ("Feb",)]


@pytest.mark.parametrize(
    ("sep", "labour_force", "expected"),
    [
        (";", "2.527.000", 2527000),
        (";", "2.527", 2527),  # Indonesian thousands dot
        (",", "2.527.000", 2527000),
        (",", "2,527,000", 2527000),  # English thousands commas
        (",", "2,527", None),  # 2527 or 2.527: not guessed
        (",", "2527000", 2527000),
        (",", "2.527", None),  # 2527 or 2.527: rejected, not rounded to 3
        (",", "2527000.5", None),
    ],
)
def test_labour_force_counts_in_either_number_format(
    tmp_path: Path, sep: str, labour_force: str, expected: int | None
) -> None:
    home = tmp_path / "warehouse"
    inbox = tmp_path / "inbox"
    mark_synthetic(inbox)
    header = ["kode_bps", "provinsi", "tahun", "periode", "angkatan_kerja", "penganggur"]
    row = ["11", "Aceh", "2020", "Aug", f'"{labour_force}"', "167000"]
    write(
        inbox,
        "bps_angkatan_kerja_provinsi_2020.csv",
        sep.join(header) + "\n" + sep.join(row) + "\n",
    )
    report = ingest(Settings.from_env({"PRAKERJA_HOME": str(home)}), inbox)[0]
    with duckdb.connect(str(home / "raw.duckdb"), read_only=True) as conn:
        loaded = conn.execute(
            "select angkatan_kerja from labour_market.labour_force_province"
        ).fetchall()
    if expected is None:
        assert (report.rows_loaded, report.rule_counts) == (0, {"invalid_type": 1})
        assert loaded == []
    else:
        assert (report.rows_loaded, report.rows_rejected) == (1, 0), report.errors
        assert loaded == [(expected,)]
