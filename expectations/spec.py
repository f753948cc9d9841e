"""What a check is and what a run returns: plain data, no Great Expectations import here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["critical", "warning"]
Database = Literal["raw", "build"]


@dataclass(frozen=True)
class Check:
    """One expectation on one table.

    `expectation` is the GX class name (e.g. "ExpectColumnValuesToNotBeNull") and `kwargs` its
    arguments; `UnexpectedRowsExpectation` takes an `unexpected_rows_query` whose rows are the
    offending rows (shown as the observed value). With `query`, the batch is that query's result
    (a GX query asset, still computed by DuckDB) instead of the table: used to measure one
    figure (e.g. a share) that an aggregate expectation then bounds, so the observed value is
    the figure itself. `table` stays the table the figure is about. `expected` is the readable
    expectation that the summary and the history show beside the observed value. Checks with
    the same `query_name` (and query) share one batch: their figures are columns of one result,
    computed once instead of once per check.
    """

    suite: str
    check_id: str
    database: Database
    schema: str
    table: str
    expectation: str
    kwargs: Mapping[str, Any]
    severity: Severity
    expected: str
    column: str | None = None
    query: str | None = None
    query_name: str | None = None


@dataclass(frozen=True)
class ResultRow:
    """The outcome of one check, as stored in audit.dq_results."""

    suite: str
    check_id: str
    table_name: str
    column_name: str | None
    expectation_type: str
    severity: Severity
    success: bool
    observed_value: str
    expected: str


@dataclass
class CheckResult:
    """A whole run: `success` is False when any critical expectation failed."""

    run_id: str
    started_at: str
    finished_at: str
    results: list[ResultRow] = field(default_factory=list)
    data_docs: str | None = None

    @property
    def failed_critical(self) -> list[ResultRow]:
        return [r for r in self.results if not r.success and r.severity == "critical"]

    @property
    def failed_warnings(self) -> list[ResultRow]:
        return [r for r in self.results if not r.success and r.severity == "warning"]

    @property
    def success(self) -> bool:
        return not self.failed_critical


UNEXPECTED_ROWS = "UnexpectedRowsExpectation"


def unexpected_rows(
    suite: str,
    check_id: str,
    database: str,
    schema: str,
    table: str,
    query: str,
    severity: Severity,
    expected: str,
    column: str | None = None,
) -> Check:
    """A check that passes when `query` (SQL pushed down to DuckDB) returns no rows."""
    return Check(
        suite=suite,
        check_id=check_id,
        database=database,
        schema=schema,
        table=table,
        expectation=UNEXPECTED_ROWS,
        kwargs={"unexpected_rows_query": query.strip()},
        severity=severity,
        expected=expected,
        column=column,
    )
