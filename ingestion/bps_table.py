"""The BPS table layout (table 543 style): a title row, header rows with the year and the round
(Februari / Agustus) per column, one row per province by BPS's upper-case name, INDONESIA last,
"-" or "..." where not available. Melted here into the long rows of the tpt_province contract.

These are small publications (about 40 rows), read with the csv module or openpyxl.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import duckdb

from ingestion.contract import Entity
from ingestion.file_checks import FileRejected, sniff_csv
from ingestion.readers import ReadResult, register_rows, xlsx_rows
from ingestion.typing_sql import PERIOD_ALIASES
from prakerja.paths import SEEDS_DIR

MISSING_MARKS = {"", "-", "--", "...", "..", "—", "–", "na", "n/a"}
NATIONAL_NAMES = {"INDONESIA", "NASIONAL"}

# Spellings BPS and other publications use that plain normalisation does not reach.
NAME_ALIASES: dict[str, str] = {
    "NAD": "ACEH",
    "NANGGROE ACEH DARUSSALAM": "ACEH",
    "BANGKA BELITUNG": "KEPULAUAN BANGKA BELITUNG",
    "BABEL": "KEPULAUAN BANGKA BELITUNG",
    "JAKARTA": "DKI JAKARTA",
    "DAERAH KHUSUS IBUKOTA JAKARTA": "DKI JAKARTA",
    "YOGYAKARTA": "DAERAH ISTIMEWA YOGYAKARTA",
    "IRIAN JAYA BARAT": "PAPUA BARAT",
    "IRIAN JAYA": "PAPUA",
}


def normalise_name(name: str) -> str:
    """Upper case, punctuation to spaces, BPS abbreviations spelled out."""
    text = re.sub(r"[^A-Z0-9 ]", " ", name.upper())
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^(PROVINSI|PROV) ", "", text)
    text = re.sub(r"^KEP ", "KEPULAUAN ", text)
    text = re.sub(r"^(D I|DI) ", "DAERAH ISTIMEWA ", text)
    return NAME_ALIASES.get(text, text)


def province_codes() -> dict[str, str]:
    """Normalised crosswalk name -> BPS code."""
    with (SEEDS_DIR / "province_crosswalk.csv").open(encoding="utf-8") as handle:
        return {
            normalise_name(row["nama_provinsi"]): row["kode_bps"] for row in csv.DictReader(handle)
        }


def _csv_rows(path: Path) -> list[list[str | None]]:
    dialect = sniff_csv(
        path, check_header=False
    )  # encoding and delimiter (the "header" here is the title row)
    text = path.read_text(encoding="utf-8-sig")
    rows = [
        [(c.strip() or None) for c in row]
        for row in csv.reader(io.StringIO(text), delimiter=dialect.delimiter)
    ]
    while rows and all(c is None for c in rows[-1]):
        rows.pop()
    return rows


def _period(cell: str | None) -> str | None:
    if cell is None:
        return None
    return PERIOD_ALIASES.get(cell.strip().lower())


def melt(
    rows: list[list[str | None]], file_name: str
) -> tuple[list[tuple[int, dict[str, str | None]]], list[str]]:
    """Long records (data row number, values) and notes about what was left out."""
    header_at = next(
        (i for i, row in enumerate(rows) if sum(_period(c) is not None for c in row) >= 1), None
    )
    if header_at is None:
        raise FileRejected(
            "missing_column", f"{file_name}: no header row with Februari / Agustus found"
        )
    years: dict[int, str] = {}
    for i in range(header_at - 1, -1, -1):
        found = {j: re.search(r"(19|20)\d\d", c or "") for j, c in enumerate(rows[i])}
        if any(found.values()):
            current = None
            for j in range(max(len(rows[i]), len(rows[header_at]))):
                match = found.get(j)
                if match:
                    current = match.group(0)
                if current is not None:
                    years[j] = current
            break
    columns = {j: (years.get(j), _period(c)) for j, c in enumerate(rows[header_at]) if _period(c)}
    if not columns or any(year is None for year, _ in columns.values()):
        raise FileRejected("missing_column", f"{file_name}: header rows lack the year of a round")
    codes = province_codes()
    records: list[tuple[int, dict[str, str | None]]] = []
    notes: list[str] = []
    for number, row in enumerate(rows[header_at + 1 :], start=1):
        name = row[0] if row else None
        cells = {j: (row[j] if j < len(row) else None) for j in columns}
        if name is None or all((c or "").lower() in MISSING_MARKS for c in cells.values()):
            continue  # footnotes, source lines, empty rows: not data
        if normalise_name(name) in NATIONAL_NAMES:
            notes.append(
                f"{file_name} row {number}: national row {name!r} not loaded "
                "(national figures come from bps_angkatan_kerja_nasional)"
            )
            continue
        code = codes.get(normalise_name(name), name)
        for j, (year, period) in columns.items():
            value = cells[j]
            if (value or "").strip().lower() in MISSING_MARKS:
                continue
            records.append(
                (
                    number,
                    {
                        "kode_bps": code,
                        "provinsi": name,
                        "tahun": year,
                        "periode": period,
                        "tpt_persen": value,
                    },
                )
            )
    return records, notes


def read_bps_table(
    conn: duckdb.DuckDBPyConnection, path: Path, entity: Entity, fmt: str
) -> ReadResult:
    rows = xlsx_rows(path) if fmt == "xlsx" else _csv_rows(path)
    if not rows:
        raise FileRejected("empty_file", f"{path.name}: the file is empty")
    records, notes = melt(rows, path.name)
    register_rows(conn, entity, records)
    delimiter = (
        ";" if fmt == "csv" and sniff_csv(path, check_header=False).delimiter == ";" else ","
    )
    return ReadResult(fmt=fmt, delimiter=delimiter, notes=notes)
