"""Ingestion of generated deliveries (demo scale, one wave) with injected defects: the quarantine
must equal the generator's defect manifest exactly, no row may be lost, and no clear personal
value may exist anywhere in raw.duckdb."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ingestion.api import ingest
from ingestion.contract import load_contracts, match_entity
from ingestion.report import FileReport
from prakerja.settings import Settings


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator.api import generate

    out = tmp_path_factory.mktemp("generated")
    generate("demo", 1, out, 0.01, waves=[1])
    return out


@pytest.fixture(scope="module")
def loaded(generated: Path, tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("warehouse")
    reports = ingest(Settings.from_env({"PRAKERJA_HOME": str(home)}), generated)
    return home, reports


def _manifest(generated: Path) -> dict:
    return json.loads((generated / "MANIFEST.json").read_text(encoding="utf-8"))


def test_quarantine_equals_the_defect_manifest(generated: Path, loaded) -> None:
    home, _ = loaded
    expected = {(d["file"], d["row"], d["rule"]) for d in _manifest(generated)["defects"]}
    assert expected, "the generator injected no defects: the test would prove nothing"
    with duckdb.connect(str(home / "raw.duckdb"), read_only=True) as conn:
        got = conn.execute("select file, row_number, rule from audit.quarantine").fetchall()
    assert len(got) == len(set(got))
    assert set(got) == expected


def test_every_file_loads_and_no_row_is_lost(generated: Path, loaded) -> None:
    home, reports = loaded
    by_file: dict[str, FileReport] = {r.file: r for r in reports}
    entities = load_contracts()
    files = {f["file"]: f["rows"] for f in _manifest(generated)["files"]}
    assert set(by_file) == set(files)
    for name, rows in files.items():
        report = by_file[name]
        assert report.status == "loaded", report.errors
        assert report.rows_read == report.rows_loaded + report.rows_rejected
        entity = match_entity(name, entities)
        assert entity is not None
        if entity.layout != "bps_wide":  # a wide BPS table melts into one row per cell
            assert report.rows_read == rows, name
    with duckdb.connect(str(home / "raw.duckdb"), read_only=True) as conn:
        for entity in {e.qualified_table: e for e in entities}.values():
            per_file = dict(
                conn.execute(
                    f"select _file, count(*) from {entity.qualified_table} group by _file"
                ).fetchall()
            )
            for name, count in per_file.items():
                assert count == by_file[name].rows_loaded, name
        quarantined = dict(
            conn.execute("select file, count(*) from audit.quarantine group by file").fetchall()
        )
        for name, report in by_file.items():
            assert quarantined.get(name, 0) == report.rows_rejected, name


def test_rerun_loads_nothing_twice(generated: Path, loaded) -> None:
    home, first = loaded
    with duckdb.connect(str(home / "raw.duckdb"), read_only=True) as conn:
        before = conn.execute("select count(*) from registration.applications").fetchall()
    again = ingest(Settings.from_env({"PRAKERJA_HOME": str(home)}), generated)
    assert {r.status for r in again} == {"duplicate"}
    assert len(again) == len(first)
    with duckdb.connect(str(home / "raw.duckdb"), read_only=True) as conn:
        after = conn.execute("select count(*) from registration.applications").fetchall()
    assert before == after


# Columns of the deliveries that hold personal values (contract pii: hash or drop), except the
# birth date: a date alone also appears legitimately as a purchase or payment date.
CLEAR_COLUMNS = ("nik", "nama_lengkap", "no_hp", "email", "alamat", "nomor_rekening", "nomor_kartu")


# Digit runs (NIK, phone, account and card numbers) and e-mail-like tokens inside longer text.
TOKEN_PATTERN = """'[0-9]{8,}|[^\\s"'',:]+@[^\\s"'',:]+'"""


def test_no_clear_personal_value_anywhere_in_raw(generated: Path, loaded) -> None:
    home, _ = loaded
    conn = duckdb.connect()
    conn.execute("create table clear_values (value varchar)")
    for path in sorted(generated.iterdir()):
        if path.suffix not in (".csv", ".parquet") or not path.name.startswith(
            ("pendaftaran_", "seleksi_", "pembayaran_")
        ):
            continue
        reader = (
            f"read_csv('{path}', all_varchar = true, header = true, strict_mode = false, "
            "null_padding = true, ignore_errors = true)"
            if path.suffix == ".csv"
            else f"read_parquet('{path}')"
        )
        columns = {r[0] for r in conn.execute(f"describe select * from {reader}").fetchall()}
        for column in CLEAR_COLUMNS:
            if column in columns:
                conn.execute(
                    f"insert into clear_values select distinct trim(cast({column} as varchar)) "
                    f"from {reader} where {column} is not null and length(trim({column})) > 3"
                )
    clear_count = conn.execute("select count(distinct value) from clear_values").fetchall()[0][0]
    assert clear_count > 1000, "no clear values collected: the scan would prove nothing"
    # Positive control: the token scan finds clear values hidden in a reason-like text.
    sample = conn.execute("select value from clear_values where value like '%@%' limit 1")
    email = sample.fetchall()[0][0]
    probe = f'row 7, value "{email}": x; {{"k":"{email}"}}'
    hits = conn.execute(
        f"select count(*) from (select unnest(regexp_extract_all(?, {TOKEN_PATTERN})) as t) "
        "join clear_values on t = value",
        [probe],
    ).fetchall()[0][0]
    assert hits >= 1
    conn.execute(f"attach '{home / 'raw.duckdb'}' as raw (read_only)")
    columns = conn.execute(
        "select schema_name, table_name, column_name from duckdb_columns() "
        "where database_name = 'raw' and data_type = 'VARCHAR'"
    ).fetchall()
    assert ("audit", "quarantine", "record") in columns
    leaks = []
    for schema, table, column in columns:
        target = f'raw."{schema}"."{table}"'
        # Whole values, every quoted JSON value, and every digit run / e-mail-like token.
        found = conn.execute(
            f"""
            with tokens as (
                select "{column}" as token from {target}
                union all
                select unnest(regexp_extract_all("{column}", '"([^"]*)"', 1)) from {target}
                union all
                select unnest(regexp_extract_all("{column}", {TOKEN_PATTERN})) from {target}
            )
            select distinct token from tokens join clear_values on tokens.token = clear_values.value
            limit 5
            """
        ).fetchall()
        if found:
            leaks.append((schema, table, column, [f[0][:4] + "..." for f in found]))
    assert leaks == []
