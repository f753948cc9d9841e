"""The engine comparison itself: it finds each kind of difference, so a zero in the parity test
means something. No Spark needed: the 'Spark' side here is Parquet written by DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb

from prakerja.engine_parity import FLOAT_DECIMALS, compare_builds, describe
from prakerja.spark_engine import load_marts_into_duckdb

_FUNNEL = """
    select * from (values
        (1, '31', 'female', 10::bigint, cast(1.50 as decimal(18,2)), 0.1 + 0.2),
        (1, '31', 'male', 12::bigint, cast(2.00 as decimal(18,2)), 0.5),
        (2, '32', 'female', 7::bigint, cast(3.25 as decimal(18,2)), 1.0 / 3)
    ) as t(wave_number, province_code_bps, gender, registered, amount_rp, share)
"""


def _setup(tmp_path: Path, spark_sql: str) -> tuple[Path, Path]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    build = tmp_path / "build.duckdb"
    marts = tmp_path / "spark_marts"
    marts.mkdir()
    con = duckdb.connect(str(build))
    con.execute(f"create table mart_wave_funnel as {_FUNNEL}")
    con.execute("create table stg_ignored as select 1 as x")  # not a served table
    con.execute(f"copy ({spark_sql}) to '{marts / 'mart_wave_funnel.parquet'}' (format parquet)")
    con.close()
    return build, marts


def test_identical_tables_compare_equal(tmp_path: Path) -> None:
    build, marts = _setup(tmp_path, f"select * from ({_FUNNEL}) order by gender desc")
    (difference,) = compare_builds(build, marts)
    assert difference.table == "mart_wave_funnel"
    assert difference.equal, describe([difference])
    assert difference.rows == 3


def test_a_changed_value_counts_once_in_each_direction(tmp_path: Path) -> None:
    changed = (
        "select * replace (case when registered = 7 then 8 else registered end as registered) "
        f"from ({_FUNNEL})"
    )
    build, marts = _setup(tmp_path, changed)
    (difference,) = compare_builds(build, marts)
    assert (difference.only_in_duckdb, difference.only_in_spark) == (1, 1)
    assert "mart_wave_funnel" in describe([difference])


def test_a_duplicated_row_is_a_difference(tmp_path: Path) -> None:
    duplicated = f"select * from ({_FUNNEL}) union all select * from ({_FUNNEL}) limit 4"
    build, marts = _setup(tmp_path, duplicated)
    (difference,) = compare_builds(build, marts)
    assert (difference.only_in_duckdb, difference.only_in_spark) == (0, 1)


def test_a_type_difference_is_reported_even_when_values_agree(tmp_path: Path) -> None:
    widened = f"select * replace (cast(amount_rp as decimal(38,2)) as amount_rp) from ({_FUNNEL})"
    build, marts = _setup(tmp_path, widened)
    (difference,) = compare_builds(build, marts)
    assert (difference.only_in_duckdb, difference.only_in_spark) == (0, 0)
    assert not difference.equal
    assert "amount_rp" in difference.problems[0]


def test_floats_agree_within_the_documented_rounding_only(tmp_path: Path) -> None:
    # Summation order moves the last bits of a double: tolerated.
    tiny = f"select * replace (share + 1e-12 as share) from ({_FUNNEL})"
    build, marts = _setup(tmp_path, tiny)
    assert compare_builds(build, marts)[0].equal
    # A difference the rounding would keep is not.
    visible = (
        f"select * replace (share + {10.0 ** -(FLOAT_DECIMALS - 1)} as share) from ({_FUNNEL})"
    )
    build2, marts2 = _setup(tmp_path / "visible", visible)
    assert not compare_builds(build2, marts2)[0].equal


def test_missing_and_extra_tables_are_reported(tmp_path: Path) -> None:
    build, marts = _setup(tmp_path, _FUNNEL)
    (marts / "mart_wave_funnel.parquet").rename(marts / "mart_other.parquet")
    by_table = {d.table: d for d in compare_builds(build, marts)}
    assert "wrote no" in by_table["mart_wave_funnel"].problems[0]
    assert "only the Spark build" in by_table["mart_other"].problems[0]


def test_spark_marts_load_into_duckdb_by_bare_name(tmp_path: Path) -> None:
    _, marts = _setup(tmp_path, _FUNNEL)
    serving = tmp_path / "serving.duckdb"
    assert load_marts_into_duckdb(marts, serving) == ["mart_wave_funnel"]
    con = duckdb.connect(str(serving), read_only=True)
    assert con.execute("select sum(registered) from mart_wave_funnel").fetchall() == [(29,)]
    con.close()
