"""Load one validated delivery: good rows, quarantine and audit in ONE transaction, so that a run
killed mid-file leaves nothing of the file and the next run loads it whole."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime

import duckdb

from ingestion.contract import Column, Entity
from ingestion.pseudonymise import hmac_sql
from ingestion.readers import STAGED
from ingestion.report import FileReport
from ingestion.typing_sql import literal, quote
from ingestion.validate import CHECKED, v
from ingestion.warehouse import LINEAGE_COLUMNS

# Test hook (crash safety): when PAUSE_ENV names a path, the loader writes that file once it is
# inside the transaction of a delivery with rows (only the one named by PAUSE_FILE_ENV, if set),
# then sleeps, so that a test can SIGKILL the process exactly there. Unset in production.
PAUSE_ENV = "PRAKERJA_INGEST_PAUSE_IN_TRANSACTION"
PAUSE_FILE_ENV = "PRAKERJA_INGEST_PAUSE_FILE"
ERRORS_SHOWN = 20


def derived_sql(entity: Entity, column: Column) -> str:
    """How each derived column is computed from the PII before the PII is dropped."""
    nik = entity.nik_column
    if column.name == "participant_key" and nik is not None:
        return hmac_sql(f"c.{v(nik)}")
    if column.name == "nik_province_code" and nik is not None:
        return f"left(c.{v(nik)}, 2)"
    birth = entity.birth_date_column
    if column.name == "birth_year" and birth is not None:
        return f"cast(year(c.{v(birth)}) as integer)"
    raise ValueError(f"{entity.entity}: no derivation for column {column.name}")


def record_sql(entity: Entity) -> str:
    """A quarantined row as JSON text: delivered non-PII text (`s`, the staged row), the NIK only
    as its key."""
    # As text whatever the staged type (a Parquet date, number or boolean may be staged as is).
    parts = [
        f"{literal(c.name)}, cast(s.{quote(c.name)} as varchar)"
        for c in entity.columns
        if not c.is_pii
    ]
    nik = entity.nik_column
    if nik is not None:
        raw_nik = f"nullif(trim(s.{quote(nik.name)}), '')"
        parts.append(f"'participant_key', {hmac_sql(raw_nik)}")
    return f"cast(json_object({', '.join(parts)}) as varchar)"


def _pause_for_crash_test(file_name: str) -> None:
    marker = os.environ.get(PAUSE_ENV)
    if marker and os.environ.get(PAUSE_FILE_ENV, file_name) == file_name:
        with open(marker, "w", encoding="utf-8") as handle:
            handle.write(str(os.getpid()))
        time.sleep(60)


def load_checked(
    conn: duckdb.DuckDBPyConnection,
    entity: Entity,
    report: FileReport,
    *,
    is_synthetic: bool,
    started_at: datetime,
) -> None:
    """Write `checked` to the raw table, quarantine and audit; fills the report's counts."""
    assert report.load_id and report.file_checksum
    stored = entity.stored_columns
    derived_names = {c.name for c in entity.derived}
    values = [derived_sql(entity, c) if c.name in derived_names else f"c.{v(c)}" for c in stored]
    lineage = [
        literal(report.load_id),
        literal(report.file),
        literal(report.file_checksum),
        "c._row_number",
        "current_localtimestamp()",
    ]
    target_columns = [quote(c.name) for c in stored] + [name for name, _ in LINEAGE_COLUMNS]
    conn.execute("begin transaction")
    try:
        conn.execute(
            f"""insert into {entity.qualified_table} ({", ".join(target_columns)})
            select {", ".join(values + lineage)}
            from {CHECKED} as c where c._rule is null"""
        )
        conn.execute(
            f"""insert into audit.quarantine
            select {literal(report.load_id)}, {literal(report.file)},
                   {literal(report.file_checksum)}, {literal(entity.entity)},
                   c._row_number, c._rule, c._reason, {record_sql(entity)}
            from {CHECKED} as c join {STAGED} as s on s._row_number = c._row_number
            where c._rule is not null"""
        )
        counts = conn.execute(f"select _rule, count(*) from {CHECKED} group by _rule").fetchall()
        report.rule_counts = {str(rule): int(n) for rule, n in counts if rule is not None}
        report.rows_loaded = sum(int(n) for rule, n in counts if rule is None)
        report.rows_rejected = sum(report.rule_counts.values())
        report.rows_read = report.rows_loaded + report.rows_rejected
        shown = conn.execute(
            f"select _reason from {CHECKED} where _rule is not null "
            f"order by _row_number limit {ERRORS_SHOWN}"
        ).fetchall()
        report.errors = [str(r[0]) for r in shown]
        if report.rows_rejected > ERRORS_SHOWN:
            report.errors.append(
                f"... and {report.rows_rejected - ERRORS_SHOWN} more rows in audit.quarantine "
                f"(load_id {report.load_id})"
            )
        report.status = "loaded"
        write_audit(conn, report, entity, is_synthetic=is_synthetic, started_at=started_at)
        if report.rows_read:
            _pause_for_crash_test(report.file)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise


def write_audit(
    conn: duckdb.DuckDBPyConnection,
    report: FileReport,
    entity: Entity | None,
    *,
    is_synthetic: bool,
    started_at: datetime,
) -> None:
    conn.execute(
        "insert into audit.load_audit values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "current_localtimestamp())",
        [
            report.load_id,
            report.file,
            report.file_checksum,
            entity.family if entity else None,
            entity.entity if entity else None,
            report.status,
            report.rows_read,
            report.rows_loaded,
            report.rows_rejected,
            json.dumps(report.errors, ensure_ascii=False),
            is_synthetic,
            started_at,
        ],
    )
