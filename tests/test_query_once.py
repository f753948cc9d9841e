"""Each check's own SQL runs once per check run (expectations/query_once.py).

GX asks for an unexpected-rows query twice (its rows, then `COUNT(*)` over it) and for a query
batch once per metric; the runner runs each such query once into a temporary table. These tests
run real checks through GX on a small DuckDB file and look at what reached DuckDB.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

pytest.importorskip("great_expectations")

from sqlalchemy import event
from sqlalchemy.engine import Engine

from expectations import query_once, runner
from expectations.spec import Check, unexpected_rows

# distinctive text in the body of each query, to find the statements that carried it
ORPHANS = "orphan_rows_marker"
SHARES = "share_marker"
LARGE = "large_marker"


@pytest.fixture()
def raw_db(tmp_path: Path) -> Path:
    path = tmp_path / "raw.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema s")
        con.execute("create table s.parent as select range as id from range(1, 101)")
        # ids 101-103 have no parent: three orphans
        con.execute("create table s.child as select range as id from range(1, 104)")
    return path


def _checks() -> list[Check]:
    orphans = unexpected_rows(
        "suite_a",
        "children_have_parents",
        "raw",
        "s",
        "child",
        f"""
select c.id
from {{batch}} as c
anti join s.parent as p on p.id = c.id
where '{ORPHANS}' <> ''
order by c.id
""",
        "critical",
        "every child has a parent",
    )
    share = f"""
select avg(case when id <= 50 then 1.0 else 0.0 end) as low_share,
    count(*) as n
from s.parent
where '{SHARES}' <> ''
"""
    shares = [
        Check(
            suite="suite_b",
            check_id=f"share_{column}",
            database="raw",
            schema="s",
            table="parent",
            expectation="ExpectColumnMinToBeBetween",
            kwargs={"column": column, "min_value": low, "max_value": high},
            severity="warning",
            expected=f"{column} between {low} and {high}",
            query=share.strip(),
            query_name="shares",
        )
        for column, low, high in (("low_share", 0.4, 0.6), ("n", 100, 100))
    ]
    large = unexpected_rows(
        "suite_a",
        "no_large_ids",
        "raw",
        "s",
        "child",
        f"select id from {{batch}} where id > 102 and '{LARGE}' <> ''",
        "warning",
        "no id above 102",
    )
    return [orphans, large, *shares]


@pytest.fixture()
def statements() -> Iterator[list[str]]:
    """Every statement SQLAlchemy handed to DuckDB, as executed (after any rewriting)."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "after_cursor_execute", record)
    yield seen
    event.remove(Engine, "after_cursor_execute", record)


@pytest.fixture()
def instances(monkeypatch: pytest.MonkeyPatch) -> list[query_once.QueryOnce]:
    made: list[query_once.QueryOnce] = []

    class Recording(query_once.QueryOnce):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(runner, "QueryOnce", Recording)
    return made


def test_each_query_runs_once_and_the_results_are_the_querys(
    raw_db: Path, statements: list[str], instances: list[query_once.QueryOnce]
) -> None:
    results = {r.check_id: r for r in runner.run_checks(_checks(), {"raw": raw_db}, "t-once", None)}

    orphans = results["children_have_parents"]
    assert not orphans.success
    assert orphans.observed_value == ("3 unexpected row(s): id=101; id=102; id=103")
    assert results["share_low_share"].success
    assert results["share_low_share"].observed_value == "0.5"
    assert results["share_n"].observed_value == "100"

    # Three queries, each run once into a table; GX's own statements (the rows, the count, the
    # min of each column, the row count, the column reflection) all read the tables instead.
    (once,) = instances
    assert results["no_large_ids"].observed_value == "1 unexpected row(s): id=103"
    assert once.materialized == 3
    carried = [s for s in statements if ORPHANS in s or SHARES in s or LARGE in s]
    assert carried == [], carried
    reads = [s for s in statements if query_once.TEMP_PREFIX in s]
    assert len(reads) >= 4, reads


def test_without_it_gx_runs_each_query_several_times(
    raw_db: Path, statements: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the module is for: the same checks without it send each query more than once."""
    monkeypatch.setattr(runner, "QueryOnce", lambda queries: query_once.QueryOnce([]))
    results = runner.run_checks(_checks(), {"raw": raw_db}, "t-many", None)

    assert {r.check_id: r.success for r in results} == {
        "children_have_parents": False,
        "no_large_ids": False,
        "share_low_share": True,
        "share_n": True,
    }
    assert sum(ORPHANS in s for s in statements) >= 2
    assert sum(LARGE in s for s in statements) >= 2
    assert sum(SHARES in s for s in statements) >= 2


def test_a_failing_query_still_reports_duckdbs_error(raw_db: Path) -> None:
    broken = unexpected_rows(
        "suite_a",
        "reads_a_missing_table",
        "raw",
        "s",
        "child",
        "select c.id from {batch} as c anti join s.no_such_table as p on p.id = c.id",
        "critical",
        "never runs",
    )
    # a check after the failing one still runs on the same connection
    checks = [broken, *_checks()]
    results = {r.check_id: r for r in runner.run_checks(checks, {"raw": raw_db}, "t-err", None)}

    failed = results["reads_a_missing_table"]
    assert not failed.success
    assert failed.observed_value.startswith("error:")
    assert "no_such_table" in failed.observed_value
    assert results["children_have_parents"].observed_value.startswith("3 unexpected row(s)")
    assert results["share_low_share"].observed_value == "0.5"


def test_renderings_are_the_texts_gx_sends_and_match_whole() -> None:
    query = "select c.id from {batch} as c where c.id > 1;\n"
    aliased, joined = query_once.gx_renderings(query, "s.t")
    batch = "(SELECT * \nFROM s.t \nWHERE true)"
    assert aliased == f"select c.id from {batch} AS subselect as c where c.id > 1"
    assert joined == f"select c.id from {batch} as c where c.id > 1"
    assert query_once.gx_renderings("select 1 as n ; ") == ["select 1 as n"]
    assert query_once.gx_renderings("select '{unpaired' from {batch}", "s.t") == []
    whole = query_once._whole("select * from s.t")
    assert whole.search("SELECT COUNT(*) FROM (select * from s.t) AS x")
    assert whole.search("select * from s.t2") is None  # another table
