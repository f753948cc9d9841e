"""`check(settings)`: run the suites, keep the history, build Data Docs. Called by
`prakerja check` and by the nightly run (which gates publishing on `CheckResult.success`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from expectations.spec import Check, CheckResult, Database
from prakerja.errors import UsageError
from prakerja.settings import Settings


def all_checks() -> list[Check]:
    from expectations.suites_marts import mart_checks
    from expectations.suites_raw import raw_checks

    return [*raw_checks(), *mart_checks()]


def suite_names() -> list[str]:
    return sorted({c.suite for c in all_checks()})


def data_docs_dir(settings: Settings) -> Path:
    return settings.reports_dir / "data_docs"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def select_checks(suites: Sequence[str] | None) -> list[Check]:
    checks = all_checks()
    if not suites:
        return checks
    known = {c.suite for c in checks}
    unknown = sorted(set(suites) - known)
    if unknown:
        raise UsageError(
            f"unknown suite(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    return [c for c in checks if c.suite in suites]


def check(
    settings: Settings,
    run_id: str | None = None,
    suites: Sequence[str] | None = None,
    build_data_docs: bool = True,
) -> CheckResult:
    """Run the selected suites (all by default) and append the results to audit.dq_runs and
    audit.dq_results in raw.duckdb. Raises UsageError when a needed DuckDB file is missing."""
    from expectations.history import write_history
    from expectations.runner import run_checks

    checks = select_checks(suites)
    databases: dict[Database, Path] = {"raw": settings.raw_db}
    if any(c.database == "build" for c in checks):
        databases["build"] = settings.build_db
    for name, path in databases.items():
        if not path.is_file():
            hint = "run `prakerja ingest` first" if name == "raw" else "run `prakerja build` first"
            raise UsageError(f"{path} not found: {hint}")

    started = _now()
    run_id = run_id or "dq-" + started.strftime("%Y%m%dT%H%M%S%fZ")
    docs = data_docs_dir(settings) if build_data_docs else None
    # The same DuckDB limits as ingestion and build: the check shares the machine with them.
    config = {"memory_limit": settings.memory_limit, "threads": str(settings.threads)}
    results = run_checks(checks, databases, run_id, docs, config)
    result = CheckResult(
        run_id=run_id,
        started_at=started.isoformat(),
        finished_at=_now().isoformat(),
        results=results,
        data_docs=str(docs / "index.html") if docs and (docs / "index.html").is_file() else None,
    )
    write_history(settings.raw_db, result)
    return result
