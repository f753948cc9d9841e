"""The GX-on-DuckDB shim: fails the day it stops working (GX upgrade, private name gone).

Without the shim GX returns no observed value on DuckDB (the result is discarded when GX closes
its connection); with it, expectations push down and DuckDB computes the value.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

gx = pytest.importorskip("great_expectations")

from expectations import gx_shim  # noqa: E402


@pytest.fixture(scope="module")
def duck_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shim") / "t.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema s")
        con.execute("create table s.t as select range as n from range(1, 101)")
    return path


def _mean_of_n(path: Path) -> tuple[bool, object, object]:
    """Validate one expectation pushed down to DuckDB; return success, observed value, error."""
    context = gx.get_context(mode="ephemeral")
    datasource = context.data_sources.add_sql(
        "shim_test",
        connection_string=f"duckdb:///{path}",
        kwargs={"connect_args": {"read_only": True}},
    )
    batch_definition = datasource.add_table_asset(
        "t", table_name="t", schema_name="s"
    ).add_batch_definition_whole_table("all")
    try:
        batch = batch_definition.get_batch()
        result = batch.validate(
            gx.expectations.ExpectColumnMeanToBeBetween(column="n", min_value=50, max_value=51)
        )
        error = (result.exception_info or {}).get("exception_message")
        return bool(result.success), result.result.get("observed_value"), error
    finally:
        gx_shim.release(datasource)


def test_gx_is_the_pinned_version_and_the_private_tuple_exists() -> None:
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine_module

    assert gx.__version__ == gx_shim.PINNED_GX_VERSION
    assert isinstance(engine_module._PERSISTED_CONNECTION_DIALECTS, tuple)


def test_without_the_shim_duckdb_results_are_lost(
    duck_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine_module

    original = tuple(d for d in engine_module._PERSISTED_CONNECTION_DIALECTS if d != "duckdb")
    monkeypatch.setattr(engine_module, "_PERSISTED_CONNECTION_DIALECTS", original)
    success, observed, _ = _mean_of_n(duck_file)
    # If this starts passing, GX fixed the bug: the shim can then be removed.
    assert not success
    assert observed is None


def test_with_the_shim_the_check_pushes_down_and_observes(duck_file: Path) -> None:
    gx_shim.apply()
    gx_shim.apply()  # idempotent
    assert gx_shim.is_applied()
    success, observed, error = _mean_of_n(duck_file)
    assert error is None
    assert success
    assert observed == pytest.approx(50.5)  # mean of 1..100, computed by DuckDB


def test_release_lets_a_writer_open_the_file(duck_file: Path) -> None:
    gx_shim.apply()
    _mean_of_n(duck_file)  # releases in its finally block
    with duckdb.connect(str(duck_file)) as con:  # read-write, same process
        con.execute("create or replace table s.written as select 1 as x")
