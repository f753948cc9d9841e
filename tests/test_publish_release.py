"""A release is a byte copy of build.duckdb trimmed to what is served: the served tables in the
default schema, the data-quality history and release_info, nothing else (no staging view that
points at raw.duckdb, no seed, no other schema), and no change left behind in a WAL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from prakerja import publish as publishing
from prakerja.errors import DataError
from prakerja.settings import Settings

RUN_ID = "20261129T080000Z-00000a"


def _settings(home: Path) -> Settings:
    settings = Settings.from_env({"PRAKERJA_HOME": str(home)})
    settings.ensure_dirs()
    return settings


def _raw(settings: Settings) -> None:
    con = duckdb.connect(str(settings.raw_db))
    try:
        con.execute("create schema data")
        con.execute("create table data.rows as select range as id from range(5)")
    finally:
        con.close()


def _build(settings: Settings, sql: list[str], keep_wal: bool = False) -> None:
    con = duckdb.connect(str(settings.build_db))
    try:
        con.execute(f"attach '{settings.raw_db}' as raw (read_only)")
        if keep_wal:  # as if the writer died before its last checkpoint
            con.execute("pragma disable_checkpoint_on_shutdown")
            con.execute("set wal_autocheckpoint = '1TB'")
        for statement in sql:
            con.execute(statement)
    finally:
        con.close()


def _objects(path: Path) -> set[tuple[str, str, str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "select table_schema, table_name, table_type from information_schema.tables"
        ).fetchall()
        return {(str(s), str(n), str(t)) for s, n, t in rows}
    finally:
        con.close()


def test_release_keeps_served_tables_and_drops_everything_else(home: Path) -> None:
    settings = _settings(home)
    _raw(settings)
    _build(
        settings,
        [
            "create view main.stg_rows as select * from raw.data.rows",
            "create table main.province_crosswalk as select 1 as seed_value",
            "create table main.fct_rows as select id from main.stg_rows",
            # dbt qualifies what its views read with the database name
            'create view main.mart_rows as select count(*) as n from "build"."main"."stg_rows"',
            "create schema marts_custom",
            "create table marts_custom.dim_ids as select id from main.stg_rows where id < 2",
            "create schema dbt_test__audit",
            "create table dbt_test__audit.failures as select 1 as x",
        ],
    )

    release = publishing.write_release(settings, RUN_ID)

    assert _objects(release.path) == {
        ("main", "fct_rows", "BASE TABLE"),
        ("main", "mart_rows", "BASE TABLE"),  # a served view is read once into a table
        ("main", "dim_ids", "BASE TABLE"),  # a custom schema's table moves to the default one
        ("main", "dq_runs", "BASE TABLE"),
        ("main", "dq_results", "BASE TABLE"),
        ("main", "release_info", "BASE TABLE"),
    }
    assert release.tables == {
        "dim_ids": 2,
        "fct_rows": 5,
        "mart_rows": 1,
        "dq_runs": 0,
        "dq_results": 0,
    }
    con = duckdb.connect(str(release.path), read_only=True)
    try:
        assert con.execute("select n from mart_rows").fetchall() == [(5,)]
        schemas = {
            row[0]
            for row in con.execute(
                "select schema_name from information_schema.schemata "
                "where catalog_name = current_database()"
            ).fetchall()
        }
    finally:
        con.close()
    assert "marts_custom" not in schemas and "dbt_test__audit" not in schemas
    assert not release.path.with_name(release.path.name + ".wal").exists()
    # build.duckdb itself is untouched
    assert ("main", "stg_rows", "VIEW") in _objects(settings.build_db)


def test_changes_still_in_the_build_wal_are_published(home: Path) -> None:
    settings = _settings(home)
    _raw(settings)
    _build(settings, ["create table main.fct_rows as select * from raw.data.rows"])
    _build(settings, ["insert into main.fct_rows values (99)"], keep_wal=True)
    assert settings.build_db.with_name("build.duckdb.wal").exists()

    release = publishing.write_release(settings, RUN_ID)

    assert release.tables["fct_rows"] == 6


def test_the_check_gate_still_holds_after_the_wal_is_folded_in(home: Path) -> None:
    settings = _settings(home)
    _raw(settings)
    _build(settings, ["create table main.fct_rows as select * from raw.data.rows"], keep_wal=True)
    built = settings.build_db.stat().st_mtime_ns

    publishing.write_release(settings, RUN_ID)

    # folding the WAL in changes no content: build.duckdb keeps the time the gate compares
    assert settings.build_db.stat().st_mtime_ns == built


def test_a_build_writing_the_file_stops_publish(home: Path) -> None:
    settings = _settings(home)
    _raw(settings)
    _build(settings, ["create table main.fct_rows as select * from raw.data.rows"])
    # another process holds build.duckdb for writing, as dbt does during a build
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
            " time.sleep(60)",
            str(settings.build_db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        with pytest.raises(duckdb.IOException, match="lock"):
            publishing.write_release(settings, RUN_ID)
    finally:
        writer.kill()
        writer.wait()
    assert not list(settings.releases_dir.iterdir())


def test_nothing_to_serve_is_an_error_and_leaves_no_file(home: Path) -> None:
    settings = _settings(home)
    _raw(settings)
    _build(settings, ["create view main.stg_rows as select * from raw.data.rows"])

    with pytest.raises(DataError, match="no dim_/fct_/mart_ tables"):
        publishing.write_release(settings, RUN_ID)

    assert not list(settings.releases_dir.iterdir())
