"""Readers of serving/current.duckdb during nightly runs: separate processes opening a read-only
connection per query never get an error, and never see rows of two releases in one query."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from prakerja import publish as publishing
from prakerja.nightly import nightly
from prakerja.settings import Settings
from tests.test_nightly_fakes import FakePipeline, write_delivery

# One query that ties three tables of a release together: release_info's row counts, the fact
# table and the mart built from it, and the data-quality run recorded under the same run id.
# A reader seeing a mix of two releases would find them disagree.
CONSISTENCY_QUERY = """
select r.run_id, r.tables,
       (select count(*) from fct_rows) as fct_rows,
       (select row_count from mart_totals) as mart_rows,
       (select count(*) from dq_runs d where d.run_id = r.run_id) as own_dq_runs
from release_info r
"""

READER = """
import json, sys, time, duckdb
path, out, stop = sys.argv[1:4]
query = sys.stdin.read()
with open(out, "w") as handle:
    while True:
        stopping = __import__("os").path.exists(stop)
        try:
            con = duckdb.connect(path, read_only=True)
            try:
                row = con.execute(query).fetchall()
            finally:
                con.close()
            handle.write(json.dumps({"rows": row}) + "\\n")
        except Exception as exc:
            handle.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\\n")
        if stopping:
            break
"""


def _check_row(row: list[object]) -> str:
    run_id, tables, fct_rows, mart_rows, own_dq_runs = row
    declared = json.loads(str(tables))["fct_rows"]
    assert declared == fct_rows == mart_rows, row
    assert own_dq_runs == 1, row
    return str(run_id)


def test_readers_never_fail_nor_mix_releases_during_nightly_runs(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"PRAKERJA_HOME": str(tmp_path / "warehouse"), "PRAKERJA_KEEP_RELEASES": "2"}
    )
    write_delivery(settings.inbox, "n00.csv", [("r0", "1")])
    assert nightly(settings, pipeline=FakePipeline()).exit_code == 0

    stop = tmp_path / "stop"
    outputs = [tmp_path / f"reader{i}.jsonl" for i in range(2)]
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(settings.current_db), str(out), str(stop)],
            stdin=subprocess.PIPE,
            text=True,
        )
        for out in outputs
    ]
    for reader in readers:
        assert reader.stdin is not None
        reader.stdin.write(CONSISTENCY_QUERY)
        reader.stdin.close()
    published = []
    try:
        time.sleep(0.5)
        for night in range(1, 7):  # each night brings a delivery with a different row count
            write_delivery(
                settings.inbox, f"n{night:02}.csv", [(f"r{night}-{i}", "1") for i in range(night)]
            )
            report = nightly(settings, pipeline=FakePipeline())
            assert report.exit_code == 0
            published.append(report.run_id)
    finally:
        stop.touch()
        for reader in readers:
            reader.wait(timeout=60)

    seen: set[str] = set()
    queries = 0
    for out in outputs:
        for line in out.read_text().splitlines():
            result = json.loads(line)
            assert "error" not in result, result
            seen.add(_check_row(result["rows"][0]))
            queries += 1
    assert queries > 20
    # the readers ran across the switches: they saw several releases, each one whole
    assert len(seen & set(published)) >= 2
    assert published[-1] in seen


def test_reader_holding_the_file_open_keeps_its_release_through_switch_and_prune(
    tmp_path: Path,
) -> None:
    settings = Settings.from_env(
        {"PRAKERJA_HOME": str(tmp_path / "warehouse"), "PRAKERJA_KEEP_RELEASES": "1"}
    )
    write_delivery(settings.inbox, "a.csv", [("a", "1")])
    first = nightly(settings, pipeline=FakePipeline())
    held = duckdb.connect(str(settings.current_db), read_only=True)
    try:
        write_delivery(settings.inbox, "b.csv", [("b", "2"), ("c", "3")])
        second = nightly(settings, pipeline=FakePipeline())
        assert second.exit_code == 0  # the open reader did not block publishing
        # the first release is pruned from the folder, yet the open reader still reads it whole
        assert [p.stem for p in publishing.releases(settings)] == [second.run_id]
        assert _check_row(list(held.execute(CONSISTENCY_QUERY).fetchall()[0])) == first.run_id
        # DuckDB caches the database instance per path inside a process: while `held` is
        # open, even a new connection of this process reads the old release (the dashboard
        # must not keep connections open); another process already sees the new one.
        assert _run_id_in_this_process(settings.current_db) == first.run_id
        assert _run_id_in_another_process(settings.current_db) == second.run_id
    finally:
        held.close()
    assert _run_id_in_this_process(settings.current_db) == second.run_id
    assert os.path.samefile(settings.current_db, publishing.releases(settings)[-1])


def _run_id_in_this_process(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return _check_row(list(con.execute(CONSISTENCY_QUERY).fetchall()[0]))
    finally:
        con.close()


def _run_id_in_another_process(path: Path) -> str:
    script = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(con.execute('select run_id from release_info').fetchall()[0][0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()
