"""The Spark engine's pieces that need no JVM: source relations, settings, usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from prakerja import spark_engine
from prakerja.errors import UsageError
from prakerja.settings import Settings


def test_sources_with_a_catalog_render_as_schema_table_only_while_dbt_runs() -> None:
    from dbt.adapters.spark.relation import SparkRelation
    from dbt_common.exceptions import DbtRuntimeError

    # What the sources declare for DuckDB (raw.duckdb attached as catalog `raw`).
    with pytest.raises(DbtRuntimeError, match="Cannot set database"):
        SparkRelation.create(database="raw", schema="registration", identifier="applications")
    with spark_engine._sources_without_catalog():
        relation = SparkRelation.create(
            database="raw", schema="registration", identifier="applications"
        )
        assert relation.render() == "registration.applications"
    # Undone afterwards: nothing outside the Spark run is changed.
    with pytest.raises(DbtRuntimeError, match="Cannot set database"):
        SparkRelation.create(database="raw", schema="registration", identifier="applications")


def test_spark_state_stays_in_the_work_folder(tmp_path: Path) -> None:
    conf = spark_engine.spark_conf(tmp_path, threads=2)
    assert conf["spark.master"] == "local[2]"
    assert conf["spark.ui.enabled"] == "false"
    assert conf["spark.sql.catalogImplementation"] == "in-memory"
    for key in ("spark.sql.warehouse.dir", "spark.local.dir"):
        assert Path(conf[key]).is_relative_to(tmp_path)
    # Timestamps: UTC wall clock, read as TIMESTAMP (not NTZ), written as microseconds.
    assert conf["spark.sql.session.timeZone"] == "UTC"
    assert conf["spark.sql.parquet.inferTimestampNTZ.enabled"] == "false"


def test_build_without_java_is_a_usage_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spark_engine, "java_available", lambda: False)
    with pytest.raises(UsageError, match="Java"):
        spark_engine.build_on_spark(Settings.from_env())


def test_build_without_raw_data_is_a_usage_error(home: Path, tmp_path: Path) -> None:
    if not spark_engine.java_available():
        pytest.skip("Java (java, JDK 17) is not installed")
    empty = tmp_path / "no-raw"
    empty.mkdir()
    with pytest.raises(UsageError, match="no raw Parquet"):
        spark_engine.build_on_spark(Settings.from_env(), raw_dir=empty)
    with pytest.raises(UsageError, match="prakerja ingest"):
        spark_engine.build_on_spark(Settings.from_env())
