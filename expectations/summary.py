"""The readable summary of a check run: failures first, then a one-line verdict."""

from __future__ import annotations

from collections.abc import Sequence

from expectations.spec import Check, CheckResult
from prakerja.console import info, print_table


def print_summary(result: CheckResult) -> None:
    failed = [*result.failed_critical, *result.failed_warnings]
    if failed:
        print_table(
            f"Failed expectations (run {result.run_id})",
            ("severity", "suite", "expectation", "table", "observed", "expected"),
            (
                (r.severity, r.suite, r.check_id, r.table_name, r.observed_value, r.expected)
                for r in failed
            ),
        )
    passed = len(result.results) - len(failed)
    verdict = "FAILED (critical)" if not result.success else "passed"
    info(
        f"check {verdict}: {len(result.results)} expectations, {passed} passed, "
        f"{len(result.failed_critical)} critical failure(s), "
        f"{len(result.failed_warnings)} warning(s); history in audit.dq_runs/dq_results "
        f"(run {result.run_id})"
    )
    if result.data_docs:
        info(f"Data Docs: {result.data_docs}")


def print_catalog(checks: Sequence[Check]) -> None:
    print_table(
        "Expectations",
        ("suite", "expectation", "severity", "table", "expected"),
        ((c.suite, c.check_id, c.severity, f"{c.schema}.{c.table}", c.expected) for c in checks),
    )
