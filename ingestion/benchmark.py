"""Throughput of `ingest` against DuckDB's bare read of the same files (the ceiling).

    python -m ingestion.benchmark INBOX [--threads N]

Runs both into throw-away DuckDB files under a temporary folder and prints one JSON object:
rows, seconds and rows per second of each, and their ratio. Results go to bench/ingest.md.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import duckdb

from ingestion.api import delivery_files, ingest
from prakerja.settings import DEFAULT_MEMORY_LIMIT, Settings


def bare_read(
    files: list[Path], db: Path, threads: int, memory_limit: str
) -> tuple[int, float, float]:
    """Each CSV/Parquet file into its own table with read_csv / read_parquet defaults."""
    conn = duckdb.connect(str(db))
    conn.execute(f"set threads = {threads}; set memory_limit = '{memory_limit}'")
    conn.execute("set enable_progress_bar = false")
    rows = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for i, path in enumerate(files):
        if path.suffix == ".parquet":
            source = f"read_parquet('{path}')"
        elif path.suffix == ".csv" and not path.name.startswith("bps_tabel"):
            source = (
                f"read_csv('{path}', header = true, ignore_errors = true, "
                "strict_mode = false, null_padding = true)"
            )
        else:
            continue
        conn.execute(f"create table t{i} as select * from {source}")
        rows += conn.execute(f"select count(*) from t{i}").fetchall()[0][0]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    conn.close()
    return rows, seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("inbox", type=Path)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default=DEFAULT_MEMORY_LIMIT)
    args = parser.parse_args()
    files = delivery_files(args.inbox)
    with tempfile.TemporaryDirectory() as tmp:
        bare_rows, bare_seconds, bare_cpu = bare_read(
            files, Path(tmp) / "bare.duckdb", args.threads, args.memory_limit
        )
        settings = Settings.from_env(
            {
                "PRAKERJA_HOME": str(Path(tmp) / "warehouse"),
                "PRAKERJA_THREADS": str(args.threads),
                "PRAKERJA_MEMORY_LIMIT": args.memory_limit,
            }
        )
        started, cpu_started = time.perf_counter(), time.process_time()
        reports = ingest(settings, args.inbox)
        ingest_seconds = time.perf_counter() - started
        ingest_cpu = time.process_time() - cpu_started
    rows = sum(r.rows_read for r in reports if not r.file.startswith("bps_tabel"))
    result = {
        "files": len(files),
        "rows": rows,
        "rows_bare": bare_rows,
        "bare_seconds": round(bare_seconds, 2),
        "ingest_seconds": round(ingest_seconds, 2),
        "bare_rows_per_second": round(bare_rows / bare_seconds),
        "ingest_rows_per_second": round(rows / ingest_seconds),
        "ratio_ingest_to_bare": round((rows / ingest_seconds) / (bare_rows / bare_seconds), 3),
        # CPU seconds of the whole process (DuckDB's threads included): on a shared machine the
        # fairer comparison, since wall time depends on what else runs.
        "bare_cpu_seconds": round(bare_cpu, 2),
        "ingest_cpu_seconds": round(ingest_cpu, 2),
        "cpu_ratio_ingest_to_bare": round(bare_cpu / ingest_cpu, 3),
        "per_file_seconds": {r.file: r.seconds for r in reports},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
