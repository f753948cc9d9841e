"""`prakerja export-raw`: every raw table becomes a Parquet file in types Spark can read, with
the same values DuckDB holds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from prakerja.cli import main
from prakerja.export_raw import export_raw
from prakerja.settings import Settings

# Parquet physical/logical types that make a file unreadable for Spark 3.5 (STACK.md).
_SPARK_UNREADABLE = (pa.types.is_time, pa.types.is_duration)


def _make_raw(path: Path) -> None:
    """A tiny raw.duckdb with the types ingestion writes plus the ones Spark cannot read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("create schema registration")
    con.execute("create schema audit")
    con.execute(
        """
        create table registration.applications as
        select * from (values
            ('APP-000001', 1, 'a1b2', 1990, '31', cast('2020-04-11 10:15:30.123456' as timestamp),
             true, cast(3500000.50 as decimal(18,2)), cast('2020-04-11' as date)),
            ('APP-000002', 2, 'c3d4', 2001, '94', cast('2020-04-28 23:59:59' as timestamp),
             false, cast(600000 as decimal(18,2)), cast('2020-04-28' as date))
        ) as t(id_pendaftaran, gelombang, participant_key, birth_year, nik_province_code,
               _loaded_at, disabilitas, harga, tanggal)
        """
    )
    con.execute(
        """
        create table audit.odd_types as
        select
            cast('2020-04-11 10:15:30.123456789' as timestamp_ns) as at_ns,
            cast('2020-04-11 10:15:30+07' as timestamptz) as at_tz,
            cast('10:15:30' as time) as at_time,
            cast('5f0c6b1e-6a3b-4c1d-9a4e-0d3c2b1a0f9e' as uuid) as an_uuid,
            interval 3 day as an_interval,
            cast(18446744073709551615 as ubigint) as a_ubigint,
            cast(170141183460469231731687303715884105727 as hugeint) as a_hugeint
        """
    )
    con.close()


def test_export_writes_one_file_per_table_with_identical_values(home: Path) -> None:
    settings = Settings.from_env()
    _make_raw(settings.raw_db)
    exported = export_raw(settings)

    by_name = {(t.schema, t.table): t for t in exported}
    assert set(by_name) == {("registration", "applications"), ("audit", "odd_types")}
    apps = by_name[("registration", "applications")]
    assert apps.path == home / "export" / "raw" / "registration" / "applications.parquet"
    assert apps.rows == 2

    # The exported file holds exactly the rows and the types of the raw table.
    con = duckdb.connect(str(settings.raw_db), read_only=True)
    path = str(apps.path)
    for left, right in (
        ("registration.applications", f"read_parquet('{path}')"),
        (f"read_parquet('{path}')", "registration.applications"),
    ):
        diff = con.execute(f"select * from {left} except all select * from {right}").fetchall()
        assert diff == []
    raw_types = con.execute("describe registration.applications").fetchall()
    parquet_types = con.execute(f"describe select * from read_parquet('{path}')").fetchall()
    con.close()
    assert [(r[0], r[1]) for r in parquet_types] == [(r[0], r[1]) for r in raw_types]
    # No half-written files are left beside the exports.
    assert not list((home / "export").rglob("*.partial"))


def test_export_casts_types_spark_cannot_read(home: Path) -> None:
    settings = Settings.from_env()
    _make_raw(settings.raw_db)
    exported = {t.table: t for t in export_raw(settings)}
    table = pq.read_table(exported["odd_types"].path)
    schema = table.schema

    for field in schema:
        assert not any(check(field.type) for check in _SPARK_UNREADABLE), field
        if pa.types.is_timestamp(field.type):
            assert field.type.unit == "us", field
            assert field.type.tz is None, field
    row = table.to_pylist()[0]
    # DuckDB's cast rounds nanoseconds to the nearest microsecond.
    assert row["at_ns"] == dt.datetime(2020, 4, 11, 10, 15, 30, 123457)
    # 10:15:30 at UTC+7 is 03:15:30 UTC.
    assert row["at_tz"] == dt.datetime(2020, 4, 11, 3, 15, 30)
    assert row["at_time"] == "10:15:30"
    assert row["an_uuid"] == "5f0c6b1e-6a3b-4c1d-9a4e-0d3c2b1a0f9e"
    assert row["a_ubigint"] == 18446744073709551615
    assert row["a_hugeint"] == "170141183460469231731687303715884105727"


def test_export_to_chosen_folder_via_cli(home: Path, tmp_path: Path) -> None:
    settings = Settings.from_env()
    _make_raw(settings.raw_db)
    out = tmp_path / "elsewhere"
    assert main(["export-raw", "--out", str(out)]) == 0
    assert (out / "registration" / "applications.parquet").is_file()
    assert (out / "audit" / "odd_types.parquet").is_file()


def test_export_without_raw_db_is_a_usage_error(home: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["export-raw"]) == 2
    assert "run `prakerja ingest` first" in capsys.readouterr().err
