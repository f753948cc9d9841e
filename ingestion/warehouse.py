"""The raw.duckdb layout: schemas, one table per contract raw_table, and the audit tables."""

from __future__ import annotations

import duckdb

from ingestion.contract import SQL_TYPES, Entity
from ingestion.typing_sql import quote

LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_load_id", "varchar"),
    ("_file", "varchar"),
    ("_file_checksum", "varchar"),
    ("_row_number", "bigint"),
    ("_loaded_at", "timestamp"),
)

AUDIT_DDL = """
create schema if not exists audit;
create table if not exists audit.load_audit (
    load_id varchar not null,
    file varchar not null,
    file_checksum varchar,
    family varchar,
    entity varchar,
    status varchar not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_rejected bigint not null,
    errors varchar not null,
    is_synthetic boolean not null,
    started_at timestamp not null,
    finished_at timestamp not null
);
create table if not exists audit.quarantine (
    load_id varchar not null,
    file varchar not null,
    file_checksum varchar not null,
    entity varchar not null,
    row_number bigint not null,
    rule varchar not null,
    reason varchar not null,
    record varchar
);
"""


def table_ddl(entity: Entity) -> str:
    columns = [f"{quote(c.name)} {SQL_TYPES[c.type]}" for c in entity.stored_columns]
    columns += [f"{name} {kind}" for name, kind in LINEAGE_COLUMNS]
    return (
        f"create schema if not exists {entity.family};\n"
        f"create table if not exists {entity.qualified_table} ({', '.join(columns)});"
    )


def ensure_layout(conn: duckdb.DuckDBPyConnection, entities: list[Entity]) -> None:
    """Create what is missing (idempotent), in one transaction."""
    conn.execute("begin transaction")
    conn.execute(AUDIT_DDL)
    for entity in entities:
        conn.execute(table_ddl(entity))
    conn.execute("commit")
