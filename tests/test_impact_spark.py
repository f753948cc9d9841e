"""The impact models on Apache Spark (local PySpark, dbt-spark `method: session`) give the same
tables as on DuckDB: the SQL is portable, not only lint-clean."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prakerja.spark_engine import java_available, start_session
from tests.test_impact_support import Scenario, build_impact, read_table, simulate, write_project

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(not java_available(), reason="Java (JDK 17) is not installed"),
]

KEYS = {
    "mart_impact_estimates": ["outcome", "wave_scope", "dimension", "dimension_value"],
    "mart_impact_balance": ["population", "wave_scope", "covariate"],
}


def _sorted(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    return frame.sort_values(KEYS[table]).reset_index(drop=True)


def test_spark_build_equals_duckdb_build(tmp_path: Path) -> None:
    from dbt.cli.main import dbtRunner

    facts = simulate(Scenario(eligible_per_wave=(500, 400), selection_share=(0.4, 0.6), seed=3))
    duck = build_impact(facts, tmp_path / "duckdb")
    spark_dir = tmp_path / "spark"
    project = write_project(facts, spark_dir, engine="spark")
    spark = start_session(spark_dir, threads=1)
    try:
        result = dbtRunner().invoke(
            [
                "build",
                "--project-dir", str(project),
                "--profiles-dir", str(project),
                "--target-path", str(spark_dir / "target"),
                "--log-path", str(spark_dir / "logs"),
            ]
        )  # fmt: skip
        assert result.success, result.exception
        on_spark = {table: spark.table(f"impact.{table}").toPandas() for table in KEYS}
    finally:
        spark.stop()
    for table in KEYS:
        expected = _sorted(read_table(duck, table), table)
        actual = _sorted(on_spark[table], table)
        assert list(actual.columns) == list(expected.columns)
        assert len(actual) == len(expected)
        for column in expected.columns:
            left, right = actual[column], expected[column]
            if pd.api.types.is_float_dtype(right):
                # Aggregation order differs between engines: equal to rounding.
                np.testing.assert_allclose(
                    left.astype(float), right.astype(float), rtol=1e-9, atol=1e-9, err_msg=column
                )
            else:
                assert (
                    left.astype(object).where(left.notna(), None).tolist()
                    == right.astype(object).where(right.notna(), None).tolist()
                ), column
