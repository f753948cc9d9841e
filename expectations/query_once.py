"""Run each check's own SQL once per check run, however many times GX asks for it.

Great Expectations resolves every metric of an expectation with its own statement: an
`UnexpectedRowsExpectation` runs its query once for the rows and again inside `COUNT(*)`, and a
query asset's query runs once per metric computed on it (three times for the shares of the
selected). On the national warehouse that was about 7 s of a 20 s check: the orphan-selection
anti join ran twice (5.7 s, then 2.8 s), the province mix twice, the shares three times.

`QueryOnce.attach(engine)` listens to the SQLAlchemy engine GX queries through. The first time
a statement contains one of the given queries, as GX rendered it (`{batch}` substituted), that
text runs once into a temporary table of GX's own connection (it persists: expectations.gx_shim),
and every statement, that one included, reads the table in its place. The expectations keep
their SQL as written (the committed GX context and Data Docs show it unchanged); the rows are
the ones the query returns, since they are its result; only the repeats go. A statement that
matches nothing runs as it came, and a query that fails raises DuckDB's own error, as it would
have without this.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from string import Formatter
from typing import Any

TEMP_PREFIX = "prakerja_check_query_"


def _pattern(query: str) -> re.Pattern[str]:
    """A regex matching `query` as GX renders it: the literal text with each `{batch}` (or any
    other field) standing for whatever GX substitutes, e.g. `(SELECT * FROM t WHERE true)`."""
    parts: list[str] = []
    for literal, field, _, _ in Formatter().parse(query):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(r"(?:.+?)")
    return re.compile("".join(parts), re.DOTALL)


class QueryOnce:
    """The queries of one check run and the temporary tables holding their results."""

    def __init__(self, queries: Iterable[str]) -> None:
        # GX strips trailing semicolons and whitespace from a query before it renders it
        unique = dict.fromkeys(q.rstrip("; \t\r\n\v\f") for q in queries if q.strip())
        self._patterns = []
        for query in unique:
            try:
                self._patterns.append(_pattern(query))
            except ValueError:  # unpaired braces: GX rejects the query itself, and says why
                continue
        self._tables: dict[tuple[int, str], str] = {}  # (connection, rendered query) -> table
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
        for pattern in self._patterns:
            found = pattern.search(statement)
            if found is None:
                continue
            rendered = found.group(0)
            # a temporary table lives in one DuckDB connection: key it by the DBAPI connection
            dbapi = conn.connection.dbapi_connection
            self._connections.setdefault(id(dbapi), dbapi)
            key = (id(dbapi), rendered)
            table = self._tables.get(key)
            if table is None:
                table = f"temp.main.{TEMP_PREFIX}{len(self._tables) + 1}"
                _create_outside_transaction(conn, cursor, table, rendered)
                self._tables[key] = table
                self.materialized += 1
            statement = statement.replace(rendered, f"select * from {table}")
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
