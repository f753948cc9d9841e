"""Run each check's own SQL once per check run, however many times GX asks for it.

Great Expectations resolves every metric of an expectation with its own statement: an
`UnexpectedRowsExpectation` runs its query once for the rows and again inside `COUNT(*)`, and a
query asset's query runs once per metric computed on it (three times for the shares of the
selected). On the national warehouse that was about 7 s of a 20 s check: the orphan-selection
anti join ran twice (5.7 s, then 2.8 s), the province mix twice, the shares three times.

`QueryOnce.attach(engine)` listens to the SQLAlchemy engine GX queries through. The first time
a statement contains one of the checks' queries exactly as GX renders it (`gx_renderings`), that
text runs once into a temporary table of GX's own connection (it persists: expectations.gx_shim),
and every statement, that one included, reads the table in its place. The expectations keep
their SQL as written (the committed GX context and Data Docs show it unchanged); the rows are
the ones the query returns, since they are its result; only the repeats go. A statement that
holds no such text runs as it came (a GX that renders differently loses the speed, not a
result: tests/test_query_once.py says so), and a query that fails raises DuckDB's own error, as
it would have without this.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

TEMP_PREFIX = "prakerja_check_query_"


def gx_renderings(query: str, batch_table: str | None = None) -> list[str]:
    """The texts GX 1.24 sends for `query`: stripped of trailing semicolons and whitespace, with
    `{batch}` replaced by the whole-table batch of `batch_table` (`schema.table`), aliased
    `subselect` unless the query joins (then the query aliases it itself). A query asset's query
    has no `{batch}` and is sent as it is. Empty when the query's braces do not format (GX
    then rejects the query itself, and says why)."""
    stripped = query.rstrip("; \t\r\n\v\f")
    if not stripped:
        return []
    if batch_table is None:
        return [stripped]
    # SQLAlchemy's compiled form of GX's whole-table batch, line breaks included
    subquery = f"(SELECT * \nFROM {batch_table} \nWHERE true)"
    try:
        return [
            stripped.format(batch=f"{subquery} AS subselect"),
            stripped.format(batch=subquery),
        ]
    except (KeyError, IndexError, ValueError):
        return []


def _whole(text: str) -> re.Pattern[str]:
    """`text` as a whole in a statement: not the start of a longer name (`from t` in `from t2`)."""
    return re.compile(re.escape(text) + r"(?![A-Za-z0-9_])")


class QueryOnce:
    """The queries of one check run and the temporary tables holding their results."""

    def __init__(self, renderings: Iterable[str]) -> None:
        # longest first, so that a query holding another one as a part is found whole
        longest_first = sorted(set(renderings), key=len, reverse=True)
        self._texts = [(text, _whole(text)) for text in longest_first]
        self._tables: dict[tuple[int, str], str] = {}  # (connection, query text) -> table
        # the DuckDB connections those tables live in, held so that no later connection (GX's
        # inspector opens and closes its own) can take the id of one that is gone
        self._connections: dict[int, Any] = {}
        self.materialized = 0  # queries run into a table (for tests and profiling)

    def attach(self, engine: Any) -> None:
        """Listen on a SQLAlchemy engine (GX's execution engine's `.engine`)."""
        from sqlalchemy import event

        event.listen(engine, "before_cursor_execute", self._rewrite, retval=True)

    def detach(self, engine: Any) -> None:
        from sqlalchemy import event

        if event.contains(engine, "before_cursor_execute", self._rewrite):
            event.remove(engine, "before_cursor_execute", self._rewrite)

    def _rewrite(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> tuple[str, Any]:
        for text, pattern in self._texts:
            if pattern.search(statement) is None:
                continue
            # a temporary table lives in one DuckDB connection: key it by the DBAPI connection
            dbapi = conn.connection.dbapi_connection
            self._connections.setdefault(id(dbapi), dbapi)
            key = (id(dbapi), text)
            table = self._tables.get(key)
            if table is None:
                table = f"temp.main.{TEMP_PREFIX}{len(self._tables) + 1}"
                _create_outside_transaction(conn, cursor, table, text)
                self._tables[key] = table
                self.materialized += 1
            # the table name is ours: no backslash or group reference for `sub` to expand
            statement = pattern.sub(f"select * from {table}", statement)
        return statement, parameters


def _create_outside_transaction(conn: Any, cursor: Any, table: str, query: str) -> None:
    """Create the table in a transaction of its own. SQLAlchemy has already begun one on this
    DuckDB connection, and GX rolls its connection back after reflecting a query asset's
    columns: a table created inside would vanish with it. GX only reads (the files are opened
    read-only), so ending its transaction here and beginning another changes nothing it sees."""
    in_transaction = bool(conn.in_transaction())
    if in_transaction:
        cursor.execute("commit")
    try:
        cursor.execute(f"create or replace temporary table {table} as {query}")
    finally:
        if in_transaction:
            cursor.execute("begin transaction")
