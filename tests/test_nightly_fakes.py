"""Small stand-ins for ingest, build and check, shaped like the real steps' interfaces, so the
nightly run's own logic (lock, gate, publish, switch, report, alert, crash safety) is tested in
well under a second per run. The real pipeline is exercised in tests/test_nightly_pipeline.py.

- ingest: every `*.csv` in the inbox (`id,value`) loads once by sha256 checksum, in one DuckDB
  transaction per file (rows + audit), like the real ingestion; a file named `bad_*` is
  rejected whole; a row whose value is not a number is quarantined with rule invalid_type.
- build: rebuilds build.duckdb with dim_/fct_/mart_ tables and a stg_ view (not served); a
  value of 666 fails a "dbt test".
- check: records a run in raw.duckdb audit.dq_runs/dq_results; a negative value fails a
  critical expectation, a value over 1000 a warning one.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path
from typing import Any

import duckdb

from prakerja.nightly import Pipeline, StepOutcome
from prakerja.settings import Settings


def write_delivery(inbox: Path, name: str, rows: list[tuple[str, str]]) -> Path:
    inbox.mkdir(parents=True, exist_ok=True)
    path = inbox / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "value"])
        writer.writerows(rows)
    return path


def fake_ingest(settings: Settings, inbox: Path) -> list[dict[str, Any]]:
    con = duckdb.connect(str(settings.raw_db))
    try:
        con.execute("create schema if not exists audit")
        con.execute("create schema if not exists data")
        con.execute(
            "create table if not exists audit.load_audit (file varchar, file_checksum varchar, "
            "status varchar, rows_read integer, rows_loaded integer, rows_rejected integer)"
        )
        con.execute(
            "create table if not exists audit.quarantine (file varchar, row_number integer, "
            "rule varchar)"
        )
        con.execute(
            "create table if not exists data.rows (file varchar, id varchar, value integer)"
        )
        reports = []
        for path in sorted(inbox.glob("*.csv")):
            checksum = hashlib.sha256(path.read_bytes()).hexdigest()
            seen = con.execute(
                "select count(*) from audit.load_audit where file_checksum = ? "
                "and status = 'loaded'",
                [checksum],
            ).fetchall()[0][0]
            with path.open(encoding="utf-8") as handle:
                rows = list(csv.reader(handle))[1:]
            report: dict[str, Any] = {
                "file": path.name,
                "source": "fake",
                "rows_read": len(rows),
                "errors": [],
                "rule_counts": {},
            }
            if seen:
                report.update(status="duplicate", rows_loaded=0, rows_rejected=0)
            elif path.name.startswith("bad_"):
                report.update(
                    status="rejected",
                    rows_loaded=0,
                    rows_rejected=len(rows),
                    errors=["unknown_file: no contract matches"],
                )
            else:
                good = [(i, v) for i, v in rows if v.lstrip("-").isdigit()]
                bad = [n for n, (_, v) in enumerate(rows, 1) if not v.lstrip("-").isdigit()]
                con.execute("begin transaction")
                for ident, value in good:
                    con.execute(
                        "insert into data.rows values (?, ?, ?)", [path.name, ident, int(value)]
                    )
                for number in bad:
                    con.execute(
                        "insert into audit.quarantine values (?, ?, 'invalid_type')",
                        [path.name, number],
                    )
                report.update(status="loaded", rows_loaded=len(good), rows_rejected=len(bad))
                if bad:
                    report["rule_counts"] = {"invalid_type": len(bad)}
                con.execute(
                    "insert into audit.load_audit values (?, ?, 'loaded', ?, ?, ?)",
                    [path.name, checksum, len(rows), len(good), len(bad)],
                )
                con.execute("commit")
            reports.append(report)
        return reports
    finally:
        con.close()


def fake_build(settings: Settings) -> StepOutcome:
    settings.build_db.unlink(missing_ok=True)
    con = duckdb.connect(str(settings.build_db))
    try:
        con.execute(f"attach '{settings.raw_db}' as raw (read_only)")
        con.execute("create view stg_rows as select * from raw.data.rows")
        con.execute("create table fct_rows as select id, value, file from stg_rows")
        con.execute(
            "create table dim_files as select file, count(*) as row_count from stg_rows "
            "group by file"
        )
        con.execute(
            "create table mart_totals as select count(*) as row_count, "
            "coalesce(sum(value), 0) as value_sum from stg_rows"
        )
        failing = con.execute("select count(*) from fct_rows where value = 666").fetchall()[0][0]
    finally:
        con.close()
    if failing:
        return StepOutcome(
            False,
            "1 of 1 dbt test failed",
            ["not_666_fct_rows_value"],
            failed_nodes=["test.not_666_fct_rows_value"],
        )
    return StepOutcome(True, "dbt build passed")


def fake_check(settings: Settings, run_id: str) -> StepOutcome:
    con = duckdb.connect(str(settings.raw_db))
    try:
        con.execute(f"attach '{settings.build_db}' as build (read_only)")
        negatives = con.execute("select count(*) from build.fct_rows where value < 0").fetchall()
        large = con.execute("select count(*) from build.fct_rows where value > 1000").fetchall()
        critical_ok, warning_ok = negatives[0][0] == 0, large[0][0] == 0
        con.execute(
            "create table if not exists audit.dq_runs (run_id varchar, started_at timestamp, "
            "finished_at timestamp, success boolean, critical_failures integer, "
            "warnings integer, expectations integer)"
        )
        con.execute(
            "create table if not exists audit.dq_results (run_id varchar, suite varchar, "
            "expectation_id varchar, table_name varchar, column_name varchar, "
            "expectation_type varchar, severity varchar, success boolean, "
            "observed_value varchar, expected varchar, checked_at timestamp)"
        )
        con.execute(
            "insert into audit.dq_runs values (?, now(), now(), ?, ?, ?, 2)",
            [run_id, critical_ok, int(not critical_ok), int(not warning_ok)],
        )
        for name, severity, ok, observed in (
            ("values_not_negative", "critical", critical_ok, negatives[0][0]),
            ("values_at_most_1000", "warning", warning_ok, large[0][0]),
        ):
            con.execute(
                "insert into audit.dq_results values (?, 'marts', ?, 'fct_rows', 'value', "
                "'expect_column_values_to_be_between', ?, ?, ?, '0', now())",
                [run_id, name, severity, ok, str(observed)],
            )
    finally:
        con.close()
    critical = [] if critical_ok else [{"expectation": "values_not_negative", "table": "fct_rows"}]
    warnings = [] if warning_ok else [{"expectation": "values_at_most_1000", "table": "fct_rows"}]
    return StepOutcome(
        critical_ok,
        f"{len(critical)} critical and {len(warnings)} warning expectations failed",
        [str(c) for c in critical],
        critical,
        warnings,
    )


class FakePipeline(Pipeline):
    def __init__(self) -> None:
        super().__init__(fake_ingest, fake_build, fake_check)


def main(argv: list[str]) -> int:
    """`python -m tests.test_nightly_fakes nightly INBOX`: the real CLI with the fake steps, for
    subprocess tests (crash, concurrent runs)."""
    from prakerja import nightly
    from prakerja.cli import main as cli_main

    nightly.Pipeline = FakePipeline  # type: ignore[misc]
    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
