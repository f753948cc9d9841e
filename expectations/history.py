"""DQ history in raw.duckdb (schema audit), the persistent database; build.duckdb is rebuilt
every night, so history there would not survive. The publish step copies both tables into the
serving file. Columns follow docs/architecture.md (dq_runs, dq_results)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from expectations.spec import CheckResult

DDL = """
create schema if not exists audit;
create table if not exists audit.dq_runs (
    run_id varchar primary key,
    started_at timestamp not null,
    finished_at timestamp not null,
    success boolean not null,
    critical_failures integer not null,
    warnings integer not null,
    expectations integer not null
);
create table if not exists audit.dq_results (
    run_id varchar not null,
    suite varchar not null,
    expectation_id varchar not null,
    table_name varchar not null,
    column_name varchar,
    expectation_type varchar not null,
    severity varchar not null,
    success boolean not null,
    observed_value varchar,
    expected varchar,
    checked_at timestamp not null,
    primary key (run_id, suite, expectation_id)
);
"""


def write_history(raw_db: Path, result: CheckResult) -> None:
    """Append one run. Checking again under the same run id (a retried nightly step) replaces
    that run's rows, in one transaction, instead of failing on the primary key."""
    import duckdb

    finished = datetime.fromisoformat(result.finished_at)
    with duckdb.connect(str(raw_db)) as con:
        con.execute(DDL)
        con.execute("begin transaction")
        con.execute("delete from audit.dq_results where run_id = ?", [result.run_id])
        con.execute("delete from audit.dq_runs where run_id = ?", [result.run_id])
        con.execute(
            "insert into audit.dq_runs values (?, ?, ?, ?, ?, ?, ?)",
            [
                result.run_id,
                datetime.fromisoformat(result.started_at),
                finished,
                result.success,
                len(result.failed_critical),
                len(result.failed_warnings),
                len(result.results),
            ],
        )
        con.executemany(
            "insert into audit.dq_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    result.run_id,
                    r.suite,
                    r.check_id,
                    r.table_name,
                    r.column_name,
                    r.expectation_type,
                    r.severity,
                    r.success,
                    r.observed_value,
                    r.expected,
                    finished,
                ]
                for r in result.results
            ],
        )
        con.execute("commit")
