"""`prakerja export-raw`: raw.duckdb -> one Parquet file per table, in types Spark can read.

The Spark engine (prakerja.spark_engine) reads the raw layer from these files. Spark cannot
read some Parquet types DuckDB writes (TIMESTAMP_NS, TIME, UUID, INTERVAL make the whole file
unreadable), so every column is cast to a type both engines read the same way: timestamps
become microsecond TIMESTAMP (UTC wall clock), the rest of the odd types become text or wide
integers/decimals. The layout is `<out>/<schema>/<table>.parquet`.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from prakerja.console import info, print_table
from prakerja.errors import DataError, UsageError
from prakerja.settings import Settings

if TYPE_CHECKING:
    import duckdb

HELP = "Export raw.duckdb tables as Parquet for the Spark engine."

# Schemas DuckDB creates by itself: never part of the raw layer.
_SYSTEM_SCHEMAS = {"information_schema", "pg_catalog"}

# DuckDB type (as information_schema reports it) -> the type the export casts it to.
# Timestamps: Spark reads microsecond timestamps only (DuckDB's cast rounds nanoseconds);
# TIMESTAMPTZ is turned into the UTC wall clock so that both engines see a plain TIMESTAMP.
# Unsigned integers: Spark has none, so each widens to the next signed type that holds every
# value.
_CASTS: dict[str, str] = {
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIME": "varchar",
    "TIME WITH TIME ZONE": "varchar",
    "TIME_NS": "varchar",
    "UUID": "varchar",
    "INTERVAL": "varchar",
    "JSON": "varchar",
    "BIT": "varchar",
    "VARINT": "varchar",
    "BIGNUM": "varchar",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "decimal(20,0)",
    # 128-bit integers can exceed decimal(38,0), Spark's widest: text keeps every value.
    "HUGEINT": "varchar",
    "UHUGEINT": "varchar",
}


@dataclass(frozen=True)
class ExportedTable:
    schema: str
    table: str
    path: Path
    rows: int


def default_out_dir(settings: Settings) -> Path:
    return settings.home / "export" / "raw"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def column_expression(name: str, data_type: str) -> str:
    """The select-list item that turns one DuckDB column into a Spark-readable one."""
    upper = data_type.upper()
    column = _quote(name)
    if upper == "TIMESTAMP WITH TIME ZONE":
        return f"timezone('UTC', {column}) as {column}"
    if upper.startswith("ENUM"):
        return f"cast({column} as varchar) as {column}"
    target = _CASTS.get(upper)
    if target is None:
        return column
    return f"cast({column} as {target}) as {column}"


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    rows = con.execute(
        """
        select table_schema, table_name
        from information_schema.tables
        where table_catalog = current_database() and table_type = 'BASE TABLE'
        order by table_schema, table_name
        """
    ).fetchall()
    return [(schema, table) for schema, table in rows if schema not in _SYSTEM_SCHEMAS]


def _select_sql(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    columns = con.execute(
        """
        select column_name, data_type
        from information_schema.columns
        where table_catalog = current_database() and table_schema = ? and table_name = ?
        order by ordinal_position
        """,
        [schema, table],
    ).fetchall()
    select_list = ",\n  ".join(column_expression(name, data_type) for name, data_type in columns)
    return f"select\n  {select_list}\nfrom {_quote(schema)}.{_quote(table)}"


def export_raw(settings: Settings, out: Path | None = None) -> list[ExportedTable]:
    """Write every raw.duckdb table to `<out>/<schema>/<table>.parquet` (default under
    `$PRAKERJA_HOME/export/raw`). Each file is written beside its final name and renamed, so a
    reader never sees half a file."""
    import duckdb

    if not settings.raw_db.exists():
        raise UsageError(f"{settings.raw_db} does not exist: run `prakerja ingest` first")
    out_dir = (out or default_out_dir(settings)).resolve()
    exported: list[ExportedTable] = []
    try:
        con = duckdb.connect(str(settings.raw_db), read_only=True)
    except duckdb.Error as exc:
        raise DataError(f"cannot open {settings.raw_db}: {exc}") from exc
    try:
        # Timestamps with time zone are exported as the UTC wall clock whatever the host's zone.
        con.execute("set TimeZone = 'UTC'")
        con.execute("set enable_progress_bar = false")
        for schema, table in _tables(con):
            target = out_dir / schema / f"{table}.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.partial")
            sql = _select_sql(con, schema, table)
            escaped = str(partial).replace("'", "''")
            con.execute(f"copy ({sql}) to '{escaped}' (format parquet, compression zstd)")
            os.replace(partial, target)
            rows = con.execute(f"select count(*) from {_quote(schema)}.{_quote(table)}")
            count = rows.fetchall()[0][0]
            exported.append(ExportedTable(schema, table, target, int(count)))
    finally:
        con.close()
    return exported


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder to write <schema>/<table>.parquet into (default $PRAKERJA_HOME/export/raw)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    exported = export_raw(settings, args.out)
    if not exported:
        raise DataError(f"{settings.raw_db} holds no tables to export")
    print_table(
        "raw layer exported as Parquet",
        ["schema", "table", "rows", "file"],
        [(t.schema, t.table, t.rows, t.path) for t in exported],
    )
    info(f"{len(exported)} tables exported")
    return 0
