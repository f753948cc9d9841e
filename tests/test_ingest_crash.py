"""A run killed (SIGKILL) inside the transaction of a file leaves nothing of that file; the next
run loads it whole and the warehouse ends identical to an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from ingestion.api import ingest
from ingestion.loader import PAUSE_ENV, PAUSE_FILE_ENV
from prakerja.settings import Settings
from tests.fixtures.ingest.builders import (
    PAYMENT_COLUMNS,
    application,
    csv_text,
    mark_synthetic,
    payment,
    write,
)

REPO = Path(__file__).resolve().parent.parent
# Compared without the columns that differ by construction between two runs.
VOLATILE = {"_load_id", "_loaded_at", "load_id", "started_at", "finished_at"}


def _inbox(path: Path) -> Path:
    mark_synthetic(path)
    rows = [application(i) for i in range(1, 8)]
    rows[3]["nik"] = "1234"  # one quarantined row, so quarantine is part of the comparison
    write(path, "pendaftaran_gel01.csv", csv_text(rows))
    write(path, "pendaftaran_gel02.csv", csv_text([application(i) for i in range(8, 12)]))
    write(
        path, "pembayaran_gel01.csv", csv_text([payment(i) for i in range(1, 4)], PAYMENT_COLUMNS)
    )
    return path


def _snapshot(home: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(home / "raw.duckdb"), read_only=True) as conn:
        tables = conn.execute(
            "select schema_name, table_name from duckdb_tables() order by all"
        ).fetchall()
        snapshot = {}
        for schema, table in tables:
            columns = [
                r[0]
                for r in conn.execute(f'describe "{schema}"."{table}"').fetchall()
                if r[0] not in VOLATILE
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = conn.execute(f'select {select} from "{schema}"."{table}" order by all')
            snapshot[f"{schema}.{table}"] = rows.fetchall()
    return snapshot


def test_kill_mid_file_then_rerun_equals_uninterrupted_run(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path / "inbox")
    killed_home = tmp_path / "killed"
    marker = tmp_path / "in-transaction"
    env = {
        **os.environ,
        "PRAKERJA_HOME": str(killed_home),
        PAUSE_ENV: str(marker),
        PAUSE_FILE_ENV: "pendaftaran_gel02.csv",  # the second file: the first is committed
    }
    env.pop("PRAKERJA_PII_KEY", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "prakerja.cli", "ingest", str(inbox)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert process.poll() is None, "ingestion ended before reaching the pause point"
            assert time.monotonic() < deadline, "ingestion never reached the pause point"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    after_kill = _snapshot(killed_home)
    files = {r[0] for r in after_kill["audit.load_audit"]}  # load_id is left out
    assert files == {"pembayaran_gel01.csv", "pendaftaran_gel01.csv"}
    assert all(r[-3] != "pendaftaran_gel02.csv" for r in after_kill["registration.applications"])

    settings = Settings.from_env({"PRAKERJA_HOME": str(killed_home)})
    statuses = {r.file: r.status for r in ingest(settings, inbox)}
    assert statuses == {
        "pembayaran_gel01.csv": "duplicate",
        "pendaftaran_gel01.csv": "duplicate",
        "pendaftaran_gel02.csv": "loaded",
    }

    clean_home = tmp_path / "clean"
    ingest(Settings.from_env({"PRAKERJA_HOME": str(clean_home)}), inbox)
    killed, clean = _snapshot(killed_home), _snapshot(clean_home)
    # The audit differs only by the duplicate entries of the re-run.
    killed["audit.load_audit"] = [r for r in killed["audit.load_audit"] if r[4] != "duplicate"]
    assert killed == clean
    assert len(clean["registration.applications"]) == 10
