"""Run checks through Great Expectations, pushed down to DuckDB, and build Data Docs.

The GX context is ephemeral and assembled from code on every run: the suites are derived from
the seeds and the thresholds in `expectations.reference`, and the DuckDB paths come from the
settings, so nothing in the repository changes at run time (concurrent runs and tests cannot
collide). GX groups expectations by batch, so each of our suites becomes one GX suite per table,
named `<suite>.<schema>.<table>`; results are mapped back through the expectation's meta.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from expectations.query_once import QueryOnce, gx_renderings
from expectations.spec import UNEXPECTED_ROWS, Check, Database, ResultRow

MAX_ROWS_SHOWN = 5
MAX_OBSERVED_CHARS = 600


@dataclass(frozen=True)
class SuitePlan:
    """One GX suite as the runner builds it: the checks of one of our suites on one batch.

    `asset` is the batch name, `<schema>.<table>`, or `<schema>.<table>.<check_id>` for a check
    with its own query (a query asset of its own, hence a suite of its own), or
    `<schema>.<table>.<query_name>` for the checks sharing one query."""

    suite: str
    database: Database
    schema: str
    table: str
    asset: str
    query: str | None
    checks: tuple[Check, ...]

    @property
    def name(self) -> str:
        return f"{self.suite}.{self.asset}"


def plan_suites(checks: Sequence[Check]) -> list[SuitePlan]:
    """Group checks into GX suites: one per (our suite, batch), in the checks' order. The runner
    and the committed file context (expectations/export_context.py) both build from this."""
    groups: dict[tuple[str, Database, str, str, str], list[Check]] = {}
    queries: dict[tuple[Database, str], str | None] = {}  # GX keeps one asset per name
    for check in checks:
        asset = f"{check.schema}.{check.table}"
        if check.query:
            asset = f"{asset}.{check.query_name or check.check_id}"
        key = (check.suite, check.database, check.schema, check.table, asset)
        if queries.setdefault((check.database, asset), check.query) != check.query:
            raise ValueError(f"{check.check_id}: query {check.query_name} differs from the first")
        groups.setdefault(key, []).append(check)
    return [
        SuitePlan(suite, database, schema, table, asset, members[0].query, tuple(members))
        for (suite, database, schema, table, asset), members in groups.items()
    ]


def check_queries(checks: Iterable[Check]) -> list[str]:
    """The SQL of the checks that carry their own (query batches, unexpected-rows queries), as
    GX sends it, for query_once."""
    texts: list[str] = []
    for check in checks:
        if check.query:
            texts += gx_renderings(check.query)
        elif check.expectation == UNEXPECTED_ROWS:
            # on its table (on a query batch GX renders {batch} otherwise; it then runs as sent)
            query = str(check.kwargs["unexpected_rows_query"])
            texts += gx_renderings(query, f"{check.schema}.{check.table}")
    return texts


def gx_expectation(check: Check) -> Any:
    """The GX expectation of a check; our severity and ids travel in its meta."""
    import great_expectations as gx

    expectation_class = getattr(gx.expectations, check.expectation)
    meta = {"severity": check.severity, "check_id": check.check_id, "suite": check.suite}
    return expectation_class(**dict(check.kwargs), meta=meta, description=check.expected)


def existing_tables(
    database: Path, config: Mapping[str, str] | None = None
) -> set[tuple[str, str]]:
    """(schema, table) pairs present in a DuckDB file, read-only; the connection is closed
    before GX opens the file (one configuration per file and process)."""
    import duckdb

    with duckdb.connect(str(database), read_only=True, config=dict(config or {})) as con:
        rows = con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    return {(schema, table) for schema, table in rows}


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def observed_text(expectation: str, success: bool, result: Mapping[str, Any]) -> str:
    """A short, readable observed value for the summary and the history table."""
    if expectation == "UnexpectedRowsExpectation":
        count = result.get("observed_value", 0)
        if success:
            return "0 unexpected rows"
        rows = (result.get("details") or {}).get("unexpected_rows") or []
        shown = "; ".join(
            ", ".join(f"{k}={_format_value(v)}" for k, v in row.items())
            for row in rows[:MAX_ROWS_SHOWN]
        )
        more = f" (+{len(rows) - MAX_ROWS_SHOWN} more)" if len(rows) > MAX_ROWS_SHOWN else ""
        text = f"{count} unexpected row(s): {shown}{more}"
    elif "unexpected_count" in result:
        text = (
            f"{result['unexpected_count']} unexpected of {result.get('element_count')} "
            f"({_format_value(result.get('unexpected_percent') or 0.0)}%)"
        )
    else:
        text = _format_value(result.get("observed_value"))
    return text[:MAX_OBSERVED_CHARS]


def exception_message(info: Mapping[str, Any] | None) -> str | None:
    """GX reports a failed metric either flat or keyed by metric id: find the message."""
    if not info:
        return None
    if info.get("exception_message"):
        return str(info["exception_message"])
    for value in info.values():
        if isinstance(value, Mapping) and value.get("exception_message"):
            return str(value["exception_message"])
    return None


def _result_row(check: Check, success: bool, observed: str) -> ResultRow:
    return ResultRow(
        suite=check.suite,
        check_id=check.check_id,
        table_name=f"{check.schema}.{check.table}",
        column_name=check.column,
        expectation_type=check.expectation,
        severity=check.severity,
        success=success,
        observed_value=observed,
        expected=check.expected,
    )


def run_checks(
    checks: Iterable[Check],
    databases: Mapping[Database, Path],
    run_id: str,
    data_docs_dir: Path | None,
    duckdb_config: Mapping[str, str] | None = None,
) -> list[ResultRow]:
    """Validate every check and return one result per check, in the order given.
    `duckdb_config` (e.g. memory_limit, threads) applies to every DuckDB connection."""
    checks = list(checks)
    config = dict(duckdb_config or {})
    present = {name: existing_tables(path, config) for name, path in databases.items()}
    runnable: list[Check] = []
    missing: dict[str, ResultRow] = {}
    for check in checks:
        if (check.schema, check.table) in present[check.database]:
            runnable.append(check)
        else:
            missing[f"{check.suite}.{check.check_id}"] = _result_row(
                check, False, f"table {check.schema}.{check.table} missing"
            )
    done = _validate_with_gx(runnable, databases, run_id, data_docs_dir, config) if runnable else {}
    results = []
    for check in checks:
        key = f"{check.suite}.{check.check_id}"
        results.append(done.get(key) or missing.get(key))
    return [r for r in results if r is not None]


def _validate_with_gx(
    checks: list[Check],
    databases: Mapping[Database, Path],
    run_id: str,
    data_docs_dir: Path | None,
    duckdb_config: dict[str, str],
) -> dict[str, ResultRow]:
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from expectations import gx_shim

    gx_shim.apply()
    # GX warns on every cross-table query that does not filter on {batch}: ours do on purpose.
    logging.getLogger("great_expectations").setLevel(logging.ERROR)

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if data_docs_dir is not None:
        context.add_data_docs_site(
            "prakerja",
            {
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(data_docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )

    datasources = {
        name: context.data_sources.add_sql(
            name,
            connection_string=f"duckdb:///{path}",
            kwargs={"connect_args": {"read_only": True, "config": duckdb_config}},
        )
        for name, path in databases.items()
        if any(c.database == name for c in checks)
    }
    assets: dict[tuple[Database, str], Any] = {}
    definitions = []
    for plan in plan_suites(checks):
        key = (plan.database, plan.asset)
        if key not in assets:
            source = datasources[plan.database]
            if plan.query:
                asset = source.add_query_asset(plan.asset, query=plan.query)
            else:
                asset = source.add_table_asset(
                    plan.asset, table_name=plan.table, schema_name=plan.schema
                )
            assets[key] = asset.add_batch_definition_whole_table("all")
        suite = context.suites.add(gx.ExpectationSuite(plan.name))
        for check in plan.checks:
            suite.add_expectation(gx_expectation(check))
        definitions.append(
            context.validation_definitions.add(
                gx.ValidationDefinition(name=suite.name, data=assets[key], suite=suite)
            )
        )

    # each check's own SQL runs once, not once per metric GX computes from it (query_once.py)
    once = QueryOnce(check_queries(checks))
    engines = [source.get_execution_engine().engine for source in datasources.values()]
    for engine in engines:
        once.attach(engine)
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name="prakerja_check",
            validation_definitions=definitions,
            actions=[],
            result_format={"result_format": "COMPLETE"},
        )
    )
    by_key = {f"{c.suite}.{c.check_id}": c for c in checks}
    done: dict[str, ResultRow] = {}
    try:
        outcome = checkpoint.run(run_id=RunIdentifier(run_name=run_id))
        if data_docs_dir is not None:
            # Once, after every suite ran: GX's UpdateDataDocsAction rebuilds the site index
            # once per validation result, 22 times (about 4 s of a 12 s demo check).
            context.build_data_docs(site_names=["prakerja"])
        for validation in outcome.run_results.values():
            for item in validation.results:
                meta = item.expectation_config.meta or {}
                key = f"{meta.get('suite')}.{meta.get('check_id')}"
                check = by_key[key]
                error = exception_message(item.exception_info)
                if error:
                    observed = f"error: {str(error).splitlines()[0][:300]}"
                    done[key] = _result_row(check, False, observed)
                else:
                    observed = observed_text(check.expectation, bool(item.success), item.result)
                    done[key] = _result_row(check, bool(item.success), observed)
    finally:
        for engine in engines:
            once.detach(engine)
        for datasource in datasources.values():
            gx_shim.release(datasource)
    return done
