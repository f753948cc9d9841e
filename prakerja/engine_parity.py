"""Compare the Spark build (Parquet marts) with the DuckDB build (build.duckdb), row by row.

For every served table (`dim_`, `fct_`, `mart_`) of the DuckDB build: the Spark file must exist,
have the same column names and DuckDB types, and the same rows in both directions (EXCEPT ALL
each way, so duplicates count). Types are compared as DuckDB reads the Spark file, which is
what publish would load.

Floating-point columns are the one place where exact equality is not required: sums and
averages of doubles are computed in a different order by the two engines (Spark per partition,
DuckDB per thread) and can differ in the last bits. Such columns are rounded to
`FLOAT_DECIMALS` places on both sides before comparing; DECIMAL, integer, text, date and
timestamp columns are compared exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prakerja.spark_engine import SERVED_PREFIXES

FLOAT_DECIMALS = 6
_FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}


@dataclass
class TableDifference:
    table: str
    problems: list[str] = field(default_factory=list)
    only_in_duckdb: int = 0
    only_in_spark: int = 0
    rows: int = 0

    @property
    def equal(self) -> bool:
        return not self.problems and self.only_in_duckdb == 0 and self.only_in_spark == 0


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _normalised(column: str, data_type: str) -> str:
    if data_type.upper() in _FLOAT_TYPES:
        return f"round({_quote(column)}, {FLOAT_DECIMALS}) as {_quote(column)}"
    return _quote(column)


def compare_builds(build_db: Path, spark_marts_dir: Path) -> list[TableDifference]:
    """One TableDifference per served table of the DuckDB build (and per Spark-only file)."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        con.execute("set enable_progress_bar = false")
        escaped = str(build_db).replace("'", "''")
        con.execute(f"attach '{escaped}' as duck (read_only)")
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'duck' and table_schema = 'main' "
                "and table_type = 'BASE TABLE' order by table_name"
            ).fetchall()
            if name.startswith(SERVED_PREFIXES)
        ]
        results = [_compare_table(con, table, spark_marts_dir) for table in tables]
        extra = sorted({p.stem for p in spark_marts_dir.glob("*.parquet")} - set(tables))
        results += [TableDifference(t, ["only the Spark build has this table"]) for t in extra]
        return results
    finally:
        con.close()


def _compare_table(con: object, table: str, spark_marts_dir: Path) -> TableDifference:
    import duckdb

    assert isinstance(con, duckdb.DuckDBPyConnection)
    result = TableDifference(table)
    path = spark_marts_dir / f"{table}.parquet"
    if not path.is_file():
        result.problems.append(f"the Spark build wrote no {path.name}")
        return result
    spark_rel = f"read_parquet('{str(path).replace(chr(39), chr(39) * 2)}')"
    duck_rel = f"duck.main.{_quote(table)}"
    duck_cols = [(r[0], r[1]) for r in con.execute(f"describe select * from {duck_rel}").fetchall()]
    spark_cols = [
        (r[0], r[1]) for r in con.execute(f"describe select * from {spark_rel}").fetchall()
    ]
    if sorted(duck_cols) != sorted(spark_cols):
        duck_only = sorted(set(duck_cols) - set(spark_cols))
        spark_only = sorted(set(spark_cols) - set(duck_cols))
        result.problems.append(f"columns differ: duckdb {duck_only} vs spark {spark_only}")
    # Rows are compared over the columns both have, Spark's cast to DuckDB's type, so one type
    # difference does not hide whether the values agree.
    spark_names = {name for name, _ in spark_cols}
    shared = [(name, data_type) for name, data_type in duck_cols if name in spark_names]
    if not shared:
        return result
    duck_select = ", ".join(_normalised(n, t) for n, t in shared)
    spark_select = ", ".join(
        _normalised(n, t).replace(_quote(n), f"cast({_quote(n)} as {t})", 1) for n, t in shared
    )
    left = f"select {duck_select} from {duck_rel}"
    right = f"select {spark_select} from {spark_rel}"
    result.only_in_duckdb = _count(con, f"{left} except all {right}")
    result.only_in_spark = _count(con, f"{right} except all {left}")
    result.rows = _count(con, f"select 1 from {duck_rel}")
    return result


def _count(con: object, sql: str) -> int:
    import duckdb

    assert isinstance(con, duckdb.DuckDBPyConnection)
    return int(con.execute(f"select count(*) from ({sql})").fetchall()[0][0])


def describe(differences: list[TableDifference]) -> str:
    lines = []
    for d in differences:
        if d.equal:
            continue
        detail = "; ".join(d.problems)
        lines.append(
            f"{d.table}: {d.only_in_duckdb} rows only in DuckDB, {d.only_in_spark} only in "
            f"Spark{'; ' + detail if detail else ''}"
        )
    return "\n".join(lines)
