"""Helpers for the dbt tests: a small raw.duckdb built from the SQL fixtures in
dbt_project/fixtures/, and one shared build of it per test session (dbt builds are slow on a
busy 2-core machine, so the read-only tests share one). The tests here check the fixture itself.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from prakerja.build import BuildResult, build
from prakerja.paths import DBT_PROJECT_DIR, REFERENCE_DIR
from prakerja.settings import Settings

FIXTURES = DBT_PROJECT_DIR / "fixtures"
# Column names that would mean personal data got past ingestion (contracts/deliveries.yml).
PII_COLUMNS = {
    "nik",
    "nama_lengkap",
    "tanggal_lahir",
    "no_hp",
    "email",
    "alamat",
    "nomor_kartu",
    "nomor_rekening",
}


@dataclass(frozen=True)
class Batch:
    """One ingestion load of programme exports: applications first..last."""

    first: int
    last: int
    load_id: str
    loaded_at: str


FIRST_BATCH = Batch(1, 400, "L1", "2026-11-20 01:00:00")
SECOND_BATCH = Batch(401, 520, "L2", "2026-11-21 01:00:00")


def _script(name: str, **values: object) -> str:
    template = string.Template((FIXTURES / name).read_text(encoding="utf-8"))
    return template.substitute(reference_dir=REFERENCE_DIR.as_posix(), **values)


def make_raw(
    raw_db: Path,
    batches: Sequence[Batch] = (FIRST_BATCH,),
    *,
    labour_force_province: bool = True,
) -> None:
    """Create raw.duckdb with the static tables and the given registration loads."""
    raw_db.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(raw_db)) as con:
        con.execute(_script("raw_static.sql"))
        if labour_force_province:
            con.execute(_script("raw_labour_force_province.sql"))
        for batch in batches:
            add_batch(con, batch)


def add_batch(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    con.execute(
        _script(
            "raw_registration_batch.sql",
            first=batch.first,
            last=batch.last,
            load_id=batch.load_id,
            loaded_at=batch.loaded_at,
        )
    )


def settings_for(home: Path) -> Settings:
    return Settings.from_env({"PRAKERJA_HOME": str(home), "PRAKERJA_MEMORY_LIMIT": "1GB"})


def rows(db: Path, sql: str, params: Iterable[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params or [])).fetchall()


@dataclass(frozen=True)
class BuiltWarehouse:
    settings: Settings
    result: BuildResult


_SHARED: dict[str, BuiltWarehouse] = {}
# The impact marts (another issue) need more people per lottery cell than this fixture has;
# the build on generated data (test_build_generated.py) covers them.
FIXTURE_EXCLUDE = ["path:models/marts/impact"]


def shared_fixture_build(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """The fixture raw.duckdb built once per session (tests must only read it)."""
    if "warehouse" not in _SHARED:
        home = tmp_path_factory.mktemp("dbt_shared") / "warehouse"
        make_raw(home / "raw.duckdb")
        settings = settings_for(home)
        _SHARED["warehouse"] = BuiltWarehouse(settings, build(settings, exclude=FIXTURE_EXCLUDE))
    return _SHARED["warehouse"]


def test_fixture_has_the_raw_layout_of_the_contracts_without_personal_data(tmp_path: Path) -> None:
    raw = tmp_path / "raw.duckdb"
    make_raw(raw)
    columns = rows(
        raw,
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('registration', 'providers', 'labour_market')",
    )
    names = {column for _, _, column in columns}
    assert not names & PII_COLUMNS
    tables = {(schema, table) for schema, table, _ in columns}
    assert ("registration", "applications") in tables
    assert ("labour_market", "labour_force_province") in tables
    lineage = {"_load_id", "_file", "_file_checksum", "_row_number", "_loaded_at"}
    for schema, table in tables:
        assert lineage <= {c for s, t, c in columns if (s, t) == (schema, table)}, table


def test_fixture_batches_append_like_ingestion_loads(tmp_path: Path) -> None:
    raw = tmp_path / "raw.duckdb"
    make_raw(raw, [FIRST_BATCH, SECOND_BATCH], labour_force_province=False)
    loads = rows(
        raw, "select _load_id, count(*) from registration.applications group by 1 order by 1"
    )
    assert loads == [("L1", 400), ("L2", 120)]
    tables = rows(raw, "select table_name from information_schema.tables")
    assert ("labour_force_province",) not in tables
