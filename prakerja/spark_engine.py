"""Run the dbt project on Apache Spark (local PySpark, dbt-spark `method: session`).

`build_on_spark(settings)` is what `prakerja build --engine spark` calls:

1. exports raw.duckdb to Parquet (prakerja.export_raw) unless a folder is given;
2. starts one local SparkSession with a throw-away warehouse, and registers every exported
   file as a Spark table `<schema>.<table>` (the dbt sources' schema and table names);
3. runs `dbt build --target spark` *in this process* (dbtRunner): dbt-spark's session method
   calls `SparkSession.builder.getOrCreate()`, which returns the session prepared in step 2,
   so dbt sees the raw tables without a metastore shared between processes;
4. writes every `dim_`, `fct_` and `mart_` table as one Parquet file,
   `$PRAKERJA_HOME/export/spark_marts/<table>.parquet`, in the column types the DuckDB build
   has (timestamps without time zone), so publish and the dashboard can load them unchanged
   (`load_marts_into_duckdb`).

Why in-process and not a Thrift server: a local Thrift server is a second JVM, a port and a
metastore to share; the session method needs none of them and is what the tests run. On a real
cluster the raw tables are registered by the cluster's own jobs and dbt connects with
`method: thrift` (docs/scale-out.md).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from prakerja.console import info, print_table
from prakerja.errors import DataError, GateFailed, UsageError
from prakerja.export_raw import export_raw
from prakerja.paths import DBT_PROJECT_DIR
from prakerja.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Tables the build hands on to publish and the dashboard (the same prefixes publish copies).
SERVED_PREFIXES = ("dim_", "fct_", "mart_")
# The Spark schema dbt builds into (profiles.yml `spark` output, PRAKERJA_SPARK_SCHEMA).
DEFAULT_SPARK_SCHEMA = "prakerja"


@dataclass(frozen=True)
class ExportedMart:
    table: str
    path: Path
    rows: int


@dataclass
class SparkBuildResult:
    success: bool
    seconds: float
    failures: list[str] = field(default_factory=list)
    marts: list[ExportedMart] = field(default_factory=list)
    out_dir: Path | None = None


def default_marts_dir(settings: Settings) -> Path:
    return settings.home / "export" / "spark_marts"


def java_available() -> bool:
    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))


def spark_conf(work_dir: Path, threads: int) -> dict[str, str]:
    """Settings measured to work on a small machine (STACK.md), all state under `work_dir`."""
    return {
        "spark.master": f"local[{threads}]",
        "spark.app.name": "prakerja-dbt",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "4",
        "spark.default.parallelism": str(threads),
        "spark.driver.memory": "1g",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        # No Hive metastore: the in-memory catalog lives as long as the session, which is all
        # one build needs, and leaves no metastore_db/ or derby.log behind.
        "spark.sql.catalogImplementation": "in-memory",
        "spark.sql.warehouse.dir": str(work_dir / "spark-warehouse"),
        "spark.local.dir": str(work_dir / "spark-tmp"),
        # CREATE TABLE without USING makes a Parquet table, not a Hive text table.
        "spark.sql.legacy.createHiveTableByDefault": "false",
        "spark.sql.sources.default": "parquet",
        # Both engines compute timestamps as UTC wall clocks. DuckDB writes TIMESTAMP as
        # Parquet timestamps not adjusted to UTC, which Spark would read as timestamp_ntz and
        # which then breaks the contracts (STACK.md): read them as plain TIMESTAMP instead.
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.parquet.inferTimestampNTZ.enabled": "false",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        # ANSI mode off is Spark 3.5's default; pinned because it changes cast and overflow
        # behaviour, which the parity test compares against DuckDB.
        "spark.sql.ansi.enabled": "false",
    }


def start_session(work_dir: Path, threads: int) -> SparkSession:
    """The local SparkSession that dbt-spark's session method will pick up with getOrCreate."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    for key, value in spark_conf(work_dir, threads).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _sql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def register_raw_tables(spark: SparkSession, raw_dir: Path) -> list[str]:
    """One Spark table per exported file, named `<schema>.<table>` like the dbt sources."""
    names: list[str] = []
    for path in sorted(raw_dir.glob("*/*.parquet")):
        schema, table = path.parent.name, path.stem
        spark.sql(f"create database if not exists `{schema}`")
        spark.sql(f"drop table if exists `{schema}`.`{table}`")
        spark.sql(
            f"create table `{schema}`.`{table}` using parquet "
            f"options (path {_sql_string(str(path.resolve()))})"
        )
        names.append(f"{schema}.{table}")
    return names


@contextmanager
def _sources_without_catalog() -> Iterator[None]:
    """Let dbt-spark accept sources declared with a database (catalog).

    The sources say `database: raw` because on DuckDB raw.duckdb is attached as catalog `raw`.
    dbt-spark has no catalog level (it renders `schema.table` only) but refuses any relation
    whose database differs from its schema ("Cannot set database in spark!") at parse time.
    The portable declaration is `database: "{{ 'raw' if target.type != 'spark' else
    '<schema>' }}"` in the sources files (docs/scale-out.md); until the sources say so, this
    drops the database of relations built while dbt runs here, which changes nothing that
    dbt-spark renders. Active only inside `run_dbt_on_spark`, and undone afterwards.
    """
    from dbt.adapters.spark.relation import SparkRelation

    original = SparkRelation.__post_init__

    def _post_init(self: SparkRelation) -> None:
        if self.database and self.database != self.schema:
            object.__setattr__(self, "path", self.path.replace(database=None))
        original(self)

    SparkRelation.__post_init__ = _post_init  # type: ignore[method-assign]
    try:
        yield
    finally:
        SparkRelation.__post_init__ = original  # type: ignore[method-assign]


def run_dbt_on_spark(
    project_dir: Path,
    work_dir: Path,
    *,
    threads: int,
    schema: str = DEFAULT_SPARK_SCHEMA,
    command: str = "build",
    extra_args: Sequence[str] = (),
) -> list[str]:
    """`dbt <command> --target spark` in this process; returns readable failures (empty = ok).
    dbt's target and log folders go to `work_dir` so a Spark run never touches the DuckDB
    build's target/ folder."""
    from dbt.cli.main import dbtRunner

    os.environ["PRAKERJA_SPARK_SCHEMA"] = schema
    os.environ["PRAKERJA_THREADS"] = str(threads)
    os.environ.setdefault("PRAKERJA_SPARK_METHOD", "session")
    args = [
        command,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target",
        "spark",
        "--target-path",
        str(work_dir / "dbt-target"),
        "--log-path",
        str(work_dir / "dbt-logs"),
        "--threads",
        str(threads),
        *extra_args,
    ]
    with _sources_without_catalog():
        result = dbtRunner().invoke(args)
    failures: list[str] = []
    if result.exception is not None:
        failures.append(f"dbt {command} on Spark stopped: {result.exception}")
    for node_result in getattr(result.result, "results", None) or []:
        status = str(getattr(node_result, "status", "")).lower()
        if status in {"error", "fail", "runtime error"}:
            node = getattr(node_result, "node", None)
            name = getattr(node, "unique_id", "?")
            message = (getattr(node_result, "message", "") or "").strip().splitlines()
            failures.append(f"{name}: {status}: {message[0] if message else ''}")
    if not result.success and not failures:
        failures.append(f"dbt {command} on Spark failed (see {work_dir / 'dbt-logs'})")
    return failures


def export_marts(
    spark: SparkSession, schema: str, out_dir: Path, work_dir: Path
) -> list[ExportedMart]:
    """Every served table of `schema` as `<out_dir>/<table>.parquet` (one file each).
    Timestamps are written without time zone, which DuckDB reads as TIMESTAMP, the type the
    DuckDB build has; every other Spark type maps onto the DuckDB type of the same name."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampType

    out_dir.mkdir(parents=True, exist_ok=True)
    tables = sorted(
        row.tableName
        for row in spark.sql(f"show tables in `{schema}`").collect()
        if not row.isTemporary and row.tableName.startswith(SERVED_PREFIXES)
    )
    exported: list[ExportedMart] = []
    for table in tables:
        frame = spark.table(f"`{schema}`.`{table}`")
        columns = [
            F.col(f"`{f.name}`").cast("timestamp_ntz").alias(f.name)
            if isinstance(f.dataType, TimestampType)
            else F.col(f"`{f.name}`")
            for f in frame.schema.fields
        ]
        staging = work_dir / "marts" / table
        frame.select(*columns).coalesce(1).write.mode("overwrite").parquet(str(staging))
        parts = sorted(staging.glob("part-*.parquet"))
        if len(parts) != 1:
            raise DataError(f"Spark wrote {len(parts)} files for {table}, expected one")
        target = out_dir / f"{table}.parquet"
        partial = target.with_name(f".{target.name}.partial")
        shutil.move(str(parts[0]), partial)
        os.replace(partial, target)
        exported.append(ExportedMart(table, target, frame.count()))
    return exported


@contextmanager
def _work_dir(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="prakerja-spark-") as tmp:
        yield Path(tmp)


def build_on_spark(
    settings: Settings,
    *,
    raw_dir: Path | None = None,
    out_dir: Path | None = None,
    project_dir: Path = DBT_PROJECT_DIR,
    dbt_args: Sequence[str] = (),
    work_dir: Path | None = None,
) -> SparkBuildResult:
    """The whole dbt project on local Spark; marts to `out_dir` (default
    `$PRAKERJA_HOME/export/spark_marts`). Raises UsageError when Java or raw data is missing;
    returns success=False with the failures when a model or test fails."""
    if not java_available():
        raise UsageError("the Spark engine needs Java 17 (apt-get install openjdk-17-jre-headless)")
    started = time.perf_counter()
    out = (out_dir or default_marts_dir(settings)).resolve()
    with _work_dir(work_dir) as work:
        if raw_dir is None:
            raw_dir = work / "raw"
            export_raw(settings, raw_dir)
        if not any(raw_dir.glob("*/*.parquet")):
            raise UsageError(f"no raw Parquet files under {raw_dir}: run `prakerja export-raw`")
        spark = start_session(work, settings.threads)
        try:
            registered = register_raw_tables(spark, raw_dir)
            info(f"Spark: {len(registered)} raw tables registered from {raw_dir}")
            failures = run_dbt_on_spark(
                project_dir, work, threads=settings.threads, extra_args=dbt_args
            )
            marts: list[ExportedMart] = []
            if not failures:
                marts = export_marts(spark, DEFAULT_SPARK_SCHEMA, out, work)
        finally:
            spark.stop()
    return SparkBuildResult(
        success=not failures,
        seconds=time.perf_counter() - started,
        failures=failures,
        marts=marts,
        out_dir=out,
    )


def run_build(settings: Settings, dbt_args: Sequence[str] = ()) -> int:
    """`prakerja build --engine spark`: build, print the served tables, exit code 0; a failed
    model or test raises GateFailed (exit 1), missing Java or raw data UsageError (exit 2)."""
    result = build_on_spark(settings, dbt_args=dbt_args)
    if not result.success:
        raise GateFailed(
            f"dbt build on Spark failed ({len(result.failures)} failures):\n"
            + "\n".join(result.failures)
        )
    print_table(
        f"served tables built on Spark ({result.seconds:.0f} s)",
        ["table", "rows", "file"],
        [(m.table, m.rows, m.path) for m in result.marts],
    )
    return 0


def load_marts_into_duckdb(marts_dir: Path, database: Path) -> list[str]:
    """Create (or replace) one table per `<table>.parquet` in `database`, default schema, by
    bare name: what publish and the dashboard read."""
    import duckdb

    tables: list[str] = []
    con = duckdb.connect(str(database))
    try:
        for path in sorted(marts_dir.glob("*.parquet")):
            escaped = str(path).replace("'", "''")
            con.execute(
                f'create or replace table "{path.stem}" as '
                f"select * from read_parquet('{escaped}')"
            )
            tables.append(path.stem)
    finally:
        con.close()
    return tables
