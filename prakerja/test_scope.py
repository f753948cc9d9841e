"""Which rows of the incremental facts the dbt tests of a build must read.

An incremental build writes a few million rows into 40 M-row facts; reading the whole facts
again in every test cost more than writing them. dbt_project/macros/tests/increment_scope.sql
restricts the tests where that proves the same thing to rows with `source_loaded_at` after the
fact's *tested-through* mark (row-level tests, and `unique` on a fact's own key), or to those
rows and the older ones sharing a combination with them (`unique_combination_of_columns`); the
marks are passed as the dbt var `tests_since` ({test unique_id: timestamp}).

The marks live in `$PRAKERJA_HOME/dbt/tested_through.json`, per fact: `tested_through`,
`full_tests_at` (when its tests last read the whole table) and `tests` (the tests that passed
with it). A fact's mark moves to its newest `source_loaded_at` only when, in one build, its
model succeeded and every test attached to it ran and passed; any other outcome leaves the old
mark, so rows a failed build wrote are tested again by the next one. Only the tests listed
with the mark are scoped: a test added (or whose arguments changed) reads the whole table once.
A fact's tests read the whole table:
- on a first build, a `--full-refresh`, or when build.duckdb or the fact table is missing, or
  the table's newest `source_loaded_at` is older than the mark (it was rebuilt or restored,
  so its rows are not the ones tested before);
- when its last whole-table test run is PRAKERJA_FULL_TESTS_DAYS old, and on
  `prakerja build --all-tests` (a parent dimension that lost a key is caught there).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from prakerja.settings import Settings

STATE_FILE = "tested_through.json"
# dbt statuses of a node that did its job
_PASSED = frozenset({"success", "pass"})


def state_path(settings: Settings) -> Path:
    return settings.home / "dbt" / STATE_FILE


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _read(settings: Settings) -> dict[str, Any]:
    try:
        data = json.loads(state_path(settings).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(settings: Settings, data: dict[str, Any]) -> None:
    path = state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)


def _newest_loads(build_db: Path) -> dict[str, str | None]:
    """Each table of build.duckdb that carries a `source_loaded_at` watermark, with its newest."""
    import duckdb

    con = duckdb.connect(str(build_db), read_only=True)
    try:
        tables = [
            str(row[0])
            for row in con.execute(
                "select table_name from information_schema.columns "
                "where table_schema = 'main' and column_name = 'source_loaded_at'"
            ).fetchall()
        ]
        newest: dict[str, str | None] = {}
        for table in tables:
            (value,) = con.execute(f'select max(source_loaded_at) from "{table}"').fetchall()[0]
            newest[table] = None if value is None else value.isoformat(sep=" ")
        return newest
    finally:
        con.close()


def scope_for_build(settings: Settings, *, full_refresh: bool, all_tests: bool) -> dict[str, str]:
    """The `tests_since` var for this build: {test unique_id: tested-through timestamp} for the
    tests that may read only new rows. Forgets the marks that can no longer be trusted."""
    if full_refresh or not settings.build_db.exists():
        _write(settings, {})
        return {}
    facts: dict[str, dict[str, Any]] = dict(_read(settings).get("facts", {}))
    newest = _newest_loads(settings.build_db)
    kept = {
        fact: marks
        for fact, marks in facts.items()
        if newest.get(fact) is not None
        and datetime.fromisoformat(str(newest[fact]))
        >= datetime.fromisoformat(marks["tested_through"])
    }
    if kept != facts:
        _write(settings, {"facts": kept})
    if all_tests:
        return {}
    period = timedelta(days=settings.full_tests_days)
    return {
        test: marks["tested_through"]
        for marks in kept.values()
        if _now() - datetime.fromisoformat(marks["full_tests_at"]) < period
        for test in marks.get("tests", [])
    }


def record_after_build(
    settings: Settings,
    run_results: dict[str, Any],
    manifest: dict[str, Any],
    scope: dict[str, str],
) -> None:
    """Move the mark of every incremental fact whose model and attached tests all passed in
    this build (and note a whole-table test run for those that `scope` left out)."""
    status = {str(r.get("unique_id")): str(r.get("status")) for r in run_results.get("results", [])}
    nodes: dict[str, Any] = manifest.get("nodes", {})
    tests_of: dict[str, list[str]] = {}
    for unique_id, node in nodes.items():
        attached = node.get("attached_node")
        if node.get("resource_type") == "test" and attached:
            tests_of.setdefault(str(attached), []).append(unique_id)
    passed: dict[str, list[str]] = {}  # fact -> the tests that passed with it
    for unique_id, node in nodes.items():
        if node.get("resource_type") != "model":
            continue
        if node.get("config", {}).get("materialized") != "incremental":
            continue
        tests = sorted(tests_of.get(unique_id, []))
        if all(status.get(check) in _PASSED for check in [unique_id, *tests]):
            passed[str(node.get("alias") or node.get("name"))] = tests
    if not passed or not settings.build_db.exists():
        return
    facts: dict[str, dict[str, Any]] = dict(_read(settings).get("facts", {}))
    now = _now().isoformat()
    newest_loads = _newest_loads(settings.build_db)
    for fact, tests in passed.items():
        newest = newest_loads.get(fact)
        if newest is None:
            continue
        scoped = any(test in scope for test in tests)
        full_at = facts.get(fact, {}).get("full_tests_at") if scoped else now
        if full_at is not None:
            facts[fact] = {
                "tested_through": newest,
                "full_tests_at": full_at,
                "tests": tests,
            }
    _write(settings, {"facts": facts})


__all__ = ["record_after_build", "scope_for_build", "state_path"]
