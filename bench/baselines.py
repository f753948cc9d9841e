"""Baselines that bound each stage: the same work done by bare DuckDB, without the framework.

Run as `python -m bench.baselines <name> ...`, each in its own child process so that
bench.measure can read its CPU time and peak memory.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

from prakerja.settings import Settings


def _connect(db_path: str) -> duckdb.DuckDBPyConnection:
    """A connection under the same DuckDB memory limit as the stage it bounds (the settings of
    PRAKERJA_MEMORY_LIMIT): a baseline allowed more memory would measure the limit, not the
    framework."""
    con = duckdb.connect(db_path)
    con.execute("set enable_progress_bar = false")
    con.execute(f"set memory_limit = '{Settings.from_env().memory_limit}'")
    return con


def bare_read(inbox: Path, db_path: Path) -> int:
    """DuckDB's own read_csv / read_parquet of every delivery into a table, no validation."""
    db_path.unlink(missing_ok=True)
    con = _connect(str(db_path))
    n = 0
    for i, path in enumerate(sorted(inbox.iterdir())):
        suffix = path.suffix.lower()
        if suffix == ".csv":
            source = f"read_csv('{path}', all_varchar = true, header = true)"
        elif suffix == ".parquet":
            source = f"read_parquet('{path}')"
        else:
            continue
        con.execute(f"create table t{i} as select * from {source}")
        n += 1
    con.close()
    return n


def _topological(manifest: dict[str, object]) -> list[str]:
    nodes: dict[str, dict[str, object]] = manifest["nodes"]  # type: ignore[assignment]
    order: list[str] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen or uid not in nodes:
            return
        seen.add(uid)
        for dep in nodes[uid].get("depends_on", {}).get("nodes", []):  # type: ignore[union-attr]
            visit(dep)
        order.append(uid)

    for uid in sorted(nodes):
        visit(uid)
    return order


def compiled_sql(target_dir: Path, build_db: Path, raw_db: Path, out_db: Path) -> int:
    """Run dbt's compiled SQL of every model (as tables or views) and test, straight in DuckDB.

    Seeds are copied from the dbt-built database first (loading CSVs is not model work).
    The database is opened under dbt's catalog name so the compiled references resolve.
    """
    manifest = json.loads((target_dir / "manifest.json").read_text())
    catalog = build_db.stem
    out_db.unlink(missing_ok=True)
    work = out_db.parent / f"{catalog}.duckdb"
    work.unlink(missing_ok=True)
    con = _connect(str(work))
    # the build's DuckDB settings (dbt_project/profiles.yml), so the bound runs the same engine
    con.execute("set preserve_insertion_order = false")
    con.execute(f"attach '{raw_db}' as raw (read_only)")
    con.execute(f"attach '{build_db}' as dbt_built (read_only)")
    nodes: dict[str, dict[str, object]] = manifest["nodes"]  # type: ignore[assignment]
    for node in nodes.values():
        if node["resource_type"] == "seed":
            con.execute(f"create schema if not exists {node['schema']}")
            con.execute(
                f"create table {node['schema']}.{node['alias']} as "
                f"select * from dbt_built.{node['schema']}.{node['alias']}"
            )
    con.execute("detach dbt_built")
    ran = 0
    for uid in _topological(manifest):
        node = nodes[uid]
        kind = node["resource_type"]
        sql = node.get("compiled_code")
        if not sql:
            continue
        if kind == "model":
            materialized = node["config"]["materialized"]  # type: ignore[index]
            if materialized == "ephemeral":
                continue
            relation = "view" if materialized == "view" else "table"
            con.execute(f"create schema if not exists {node['schema']}")
            con.execute(f"create or replace {relation} {node['schema']}.{node['alias']} as {sql}")
            ran += 1
        elif kind == "test":
            con.execute(f"select count(*) from ({sql}) as t").fetchall()
            ran += 1
    con.close()
    work.replace(out_db)
    return ran


def aggregate_checks(db_paths: list[Path], results_json: Path) -> int:
    """One aggregate query per expectation the checks ran, over the same tables."""
    checks = json.loads(results_json.read_text())
    con = _connect(":memory:")
    for i, db in enumerate(db_paths):
        con.execute(f"attach '{db}' as db{i} (read_only)")
    ran = 0
    for check in checks:
        table, column = check["table"], check.get("column")
        expr = f"count({column}), count(distinct {column})" if column else "count(*)"
        for i in range(len(db_paths)):
            try:
                con.execute(f"select {expr} from db{i}.{table}").fetchall()
                ran += 1
                break
            except duckdb.Error:
                continue
    con.close()
    return ran


def main(argv: list[str]) -> int:
    name, *args = argv
    if name == "bare_read":
        print(bare_read(Path(args[0]), Path(args[1])))
    elif name == "compiled_sql":
        print(compiled_sql(*(Path(a) for a in args)))
    elif name == "aggregate_checks":
        print(aggregate_checks([Path(a) for a in args[1:]], Path(args[0])))
    else:
        raise SystemExit(f"unknown baseline {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
