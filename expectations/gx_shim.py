"""The one place where Great Expectations is adapted to DuckDB (GX is pinned at exactly 1.24.1).

Why a shim: GX's SQL path through duckdb-engine fails every expectation with
`MetricResolutionError: list index out of range`. GX's `execute_query()` runs the query inside
`with engine.connect()` and calls `fetchall()` after the block has closed the connection; closing
rolls back DuckDB's transaction and discards the result. GX keeps one persisted connection, which
avoids this, only for the dialects in the private tuple
`sqlalchemy_execution_engine._PERSISTED_CONNECTION_DIALECTS`. Adding "duckdb" to that tuple makes
every expectation push down to DuckDB and return real values (engine options such as StaticPool
or AUTOCOMMIT do not help; see STACK.md). tests/test_gx_shim.py fails the day this stops working.

The persisted connection then stays open after validation. DuckDB refuses a second connection to
the same file with a different configuration in one process (ours read-only, the history
writer read-write), so `release()` closes it and disposes the engines when checks are done.

Regex expectations are deliberately not used (GX has no DuckDB regex dialect either): ingestion
already enforces the contract patterns row by row.
"""

from __future__ import annotations

from typing import Any

PINNED_GX_VERSION = "1.24.1"
DUCKDB_DIALECT = "duckdb"


class _DialectName(str):
    """A dialect name that GX's code can use both ways it does: `name in tuple` (string
    equality) and `dialect.value.startswith(...)` (enum style)."""

    @property
    def value(self) -> str:
        return str(self)


def apply() -> None:
    """Make GX keep one persisted connection for DuckDB. Idempotent; import GX lazily."""
    import great_expectations
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine_module

    if great_expectations.__version__ != PINNED_GX_VERSION:
        # The shim touches a private name: a different version must be re-verified first.
        raise RuntimeError(
            f"expectations.gx_shim was written for great-expectations {PINNED_GX_VERSION}, "
            f"found {great_expectations.__version__}: re-run tests/test_gx_shim.py and update it"
        )
    dialects = engine_module._PERSISTED_CONNECTION_DIALECTS
    if DUCKDB_DIALECT not in dialects:
        engine_module._PERSISTED_CONNECTION_DIALECTS = (*dialects, _DialectName(DUCKDB_DIALECT))


def is_applied() -> bool:
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine_module

    return DUCKDB_DIALECT in engine_module._PERSISTED_CONNECTION_DIALECTS


def release(datasource: Any) -> None:
    """Close the persisted connection and dispose the engines of a GX SQL datasource."""
    execution_engine = datasource.get_execution_engine()
    connection = getattr(execution_engine, "_connection", None)
    if connection is not None:
        connection.close()
        execution_engine._connection = None
    execution_engine.engine.dispose()
    datasource.get_engine().dispose()
