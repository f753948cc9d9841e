"""Which rows of the incremental facts the dbt tests of a build must read.

An incremental build writes a few million rows into 40 M-row facts; reading the whole facts
again in every test cost more than writing them. dbt_project/macros/tests/increment_scope.sql
restricts the tests where that proves the same thing to rows with `source_loaded_at` after the
fact's *tested-through* mark (row-level tests, and `unique` on a fact's own key), or to those
rows and the older ones sharing a combination with them (`unique_combination_of_columns`); the
marks are passed to dbt in the environment variable PRAKERJA_TESTS_SINCE ({test unique_id:
timestamp}; the macro `tests_since()` reads it).

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
Incremental models configured `meta: {scoped_tests: false}` get no mark: the wave-grain marts,
which replace whole waves, so a rewritten row can change without a newer `source_loaded_at`;
their tests read the whole (small) table every time.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

from prakerja.paths import DBT_PROJECT_DIR
from prakerja.settings import Settings

STATE_FILE = "tested_through.json"
# the load-time column of the marked relations: the incremental models' newest contributing
# load, and the staging views' raw `_loaded_at`
FACT_COLUMN = "source_loaded_at"
VIEW_COLUMN = "loaded_at"
# a test's mark: a timestamp, or {fact: timestamp} for a singular test reading several facts
Mark = str | dict[str, str]
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


def _newest_loads(settings: Settings, columns: dict[str, str]) -> dict[str, str | None]:
    """The newest value of each marked relation's load-time column ({relation: column}), None
    for a relation or column that is missing."""
    import duckdb

    con = duckdb.connect(str(settings.build_db), read_only=True)
    try:
        if settings.raw_db.exists():  # the staging views read it, as `raw` (profiles.yml)
            path = str(settings.raw_db).replace("'", "''")
            con.execute(f"attach '{path}' as raw (read_only)")
        present = {
            (str(table), str(column))
            for table, column in con.execute(
                "select table_name, column_name from information_schema.columns "
                "where table_schema = 'main'"
            ).fetchall()
        }
        newest: dict[str, str | None] = {}
        for relation, column in columns.items():
            if (relation, column) not in present:
                newest[relation] = None
                continue
            (value,) = con.execute(f'select max("{column}") from "{relation}"').fetchall()[0]
            newest[relation] = None if value is None else value.isoformat(sep=" ")
        return newest
    finally:
        con.close()


def _definition_hash(path: str) -> str:
    """What a staging view's rows are made of besides raw: its SQL file, the sources and models
    yml beside it, every macro, the project and profile files, and the dbt and DuckDB versions
    (casts and type macros live there). A view reads raw anew with today's SQL, so rows tested
    under another definition are not the rows it gives now."""
    digest = hashlib.sha256()
    model = DBT_PROJECT_DIR / path
    files = [model, DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    files += sorted(model.parent.glob("*.yml"))
    files += sorted((DBT_PROJECT_DIR / "macros").rglob("*.sql"))
    for file in files:
        digest.update(str(file.relative_to(DBT_PROJECT_DIR)).encode())
        digest.update(file.read_bytes() if file.exists() else b"")
    for package in ("dbt-core", "dbt-duckdb", "duckdb"):
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()


def is_full_build(settings: Settings, full_refresh: bool) -> bool:
    """A build that writes every model from scratch: `--full-refresh`, or no build.duckdb yet."""
    return full_refresh or not settings.build_db.exists()


def scope_for_build(settings: Settings, *, full_refresh: bool, all_tests: bool) -> dict[str, Mark]:
    """The `tests_since` marks for this build: {test unique_id: tested-through timestamp} for the
    tests that may read only new rows ({fact: timestamp} for a scoped singular test, one per
    fact it reads: load times interleave across facts, so one mark for all would read far more
    than the rows written since). Forgets the marks that can no longer be trusted."""
    if is_full_build(settings, full_refresh):
        _write(settings, {})
        return {}
    state = _read(settings)
    facts: dict[str, dict[str, Any]] = dict(state.get("facts", {}))
    newest = _newest_loads(
        settings, {fact: marks.get("column", FACT_COLUMN) for fact, marks in facts.items()}
    )
    kept = {
        fact: marks
        for fact, marks in facts.items()
        if newest.get(fact) is not None
        and datetime.fromisoformat(str(newest[fact]))
        >= datetime.fromisoformat(marks["tested_through"])
        # a view whose SQL (or a macro) changed gives other rows than those tested
        and ("definition" not in marks or marks["definition"] == _definition_hash(marks["path"]))
    }
    if kept != facts:
        _write(settings, {**state, "facts": kept})
    if all_tests:
        return {}
    period = timedelta(days=settings.full_tests_days)
    fresh = {
        fact: marks
        for fact, marks in kept.items()
        if _now() - datetime.fromisoformat(marks["full_tests_at"]) < period
    }
    singular: dict[str, list[str]] = state.get("singular", {})
    scope: dict[str, Mark] = {}
    singular_marks: dict[str, dict[str, str]] = {}  # {fact: mark} for each fact it reads
    for fact, marks in fresh.items():
        for test in marks.get("tests", []):
            if test in singular:
                singular_marks.setdefault(test, {})[fact] = marks["tested_through"]
            else:
                scope[test] = marks["tested_through"]
    for test, marks_of in singular_marks.items():
        if set(marks_of) == set(singular[test]):  # else a fact it reads lost or aged its mark
            scope[test] = marks_of
    return scope


def _name(node: dict[str, Any]) -> str:
    """A model's relation name in build.duckdb."""
    return str(node.get("alias") or node.get("name"))


def record_after_build(
    settings: Settings,
    run_results: dict[str, Any],
    manifest: dict[str, Any],
    scope: dict[str, Mark],
) -> None:
    """Move the mark of every incremental fact whose model and attached tests all passed in
    this build (and note a whole-table test run for those that `scope` left out)."""
    status = {str(r.get("unique_id")): str(r.get("status")) for r in run_results.get("results", [])}
    nodes: dict[str, Any] = manifest.get("nodes", {})
    tests_of: dict[str, list[str]] = {}
    singular: dict[str, list[str]] = {}  # a scoped singular test -> the models it reads
    for unique_id, node in nodes.items():
        if node.get("resource_type") != "test":
            continue
        attached = node.get("attached_node")
        if attached:
            tests_of.setdefault(str(attached), []).append(unique_id)
        elif node.get("config", {}).get("meta", {}).get("scoped_tests") is True:
            # a singular test that reads only what changed since its mark: listed under every
            # model it reads, so none of their marks moves past a failure of it
            for parent in node.get("depends_on", {}).get("nodes", []):
                tests_of.setdefault(str(parent), []).append(unique_id)
                singular.setdefault(unique_id, []).append(str(parent))
    passed: dict[str, list[str]] = {}  # fact -> the tests that passed with it
    marked: set[str] = set()  # the models that carry a mark
    extra: dict[str, dict[str, str]] = {}  # a marked view -> its column and definition
    for unique_id, node in nodes.items():
        if node.get("resource_type") != "model":
            continue
        config = node.get("config", {})
        name = _name(node)
        opted = config.get("meta", {}).get("scoped_tests")
        if config.get("materialized") == "view":
            # only views that opt in: one row per append-only raw row, with its load time
            if opted is not True or VIEW_COLUMN not in node.get("columns", {}):
                continue
            path = str(node.get("original_file_path"))
            extra[name] = {
                "column": VIEW_COLUMN,
                "path": path,
                "definition": _definition_hash(path),
            }
        # the wave-grain marts replace whole waves: a rewritten cell can change without a newer
        # source_loaded_at, so their tests (on a few thousand rows) always read the whole table
        elif config.get("materialized") != "incremental" or opted is False:
            continue
        marked.add(unique_id)
        tests = sorted(tests_of.get(unique_id, []))
        if all(status.get(check) in _PASSED for check in [unique_id, *tests]):
            passed[name] = tests
    if not passed or not settings.build_db.exists():
        return
    facts: dict[str, dict[str, Any]] = dict(_read(settings).get("facts", {}))
    now = _now().isoformat()
    newest_loads = _newest_loads(
        settings,
        {fact: extra.get(fact, {}).get("column", FACT_COLUMN) for fact in passed},
    )
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
                **extra.get(fact, {}),
            }
    # the marked models each scoped singular test reads (seeds and other tables aside)
    reads = {
        test: sorted(_name(nodes[p]) for p in parents if p in marked)
        for test, parents in singular.items()
    }
    _write(settings, {"facts": facts, "singular": reads})


__all__ = ["is_full_build", "record_after_build", "scope_for_build", "state_path"]
