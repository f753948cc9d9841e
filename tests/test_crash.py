"""kill -9 at every point of a nightly run (tests/test_nightly_fakes.py steps, the real
orchestrator and publisher in a subprocess): current.duckdb always opens and is either unchanged
or the complete new release, and the next run clears the stale lock, loads each file once and
serves what an uninterrupted run serves."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from prakerja import publish as publishing
from prakerja import run_lock
from prakerja.crash_points import POINTS
from prakerja.nightly import nightly
from prakerja.settings import Settings
from tests.test_nightly_fakes import FakePipeline, write_delivery

REPO = Path(__file__).resolve().parent.parent
# Points at which current.duckdb has already been switched to the new release.
SWITCHED = {"switch.replaced", "publish.pruned", "nightly.reported"}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _served_counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where regexp_matches(table_name, '^(dim|fct|mart)_')"
            ).fetchall()
        ]
        return {n: con.execute(f"select count(*) from {n}").fetchall()[0][0] for n in names}
    finally:
        con.close()


def _first_night(home: Path) -> tuple[Settings, str]:
    settings = Settings.from_env({"PRAKERJA_HOME": str(home)})
    write_delivery(settings.inbox, "a.csv", [("a1", "1"), ("a2", "x")])
    write_delivery(settings.inbox, "b.csv", [("b1", "2")])
    first = nightly(settings, pipeline=FakePipeline())
    assert first.exit_code == 0
    # the second night brings a new delivery
    write_delivery(settings.inbox, "c.csv", [("c1", "3"), ("c2", "4")])
    return settings, first.run_id


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    settings, _ = _first_night(tmp_path_factory.mktemp("reference") / "warehouse")
    assert nightly(settings, pipeline=FakePipeline()).exit_code == 0
    return _served_counts(settings.current_db)


def test_every_step_has_crash_points() -> None:
    steps = {point.split(".")[0] for point in POINTS}
    assert {"ingest", "build", "check", "publish", "switch"} <= steps
    assert len(POINTS) >= 10


@pytest.mark.parametrize("point", POINTS)
def test_kill_9_leaves_serving_whole_and_the_next_run_recovers(
    point: str, tmp_path: Path, uninterrupted: dict[str, int]
) -> None:
    settings, first_run = _first_night(tmp_path / "warehouse")
    before = _sha256(settings.current_db)

    env = {**os.environ, "PRAKERJA_HOME": str(settings.home), "PRAKERJA_CRASH_AT": point}
    killed = subprocess.Popen(
        [sys.executable, "-m", "tests.test_nightly_fakes", "nightly"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, stderr = killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL, stderr
    lock = run_lock.read_lock(run_lock.lock_path(settings.home))
    assert lock is not None and lock.pid == killed.pid  # the lock is left behind, as in life
    crashed_run = lock.run_id

    con = duckdb.connect(str(settings.current_db), read_only=True)  # opens: never half-written
    try:
        served_run = con.execute("select run_id from release_info").fetchall()[0][0]
    finally:
        con.close()
    if point in SWITCHED:
        assert served_run == crashed_run
        assert os.path.samefile(
            settings.current_db, settings.releases_dir / f"{crashed_run}.duckdb"
        )
    else:
        assert served_run == first_run
        assert _sha256(settings.current_db) == before

    recovery = nightly(settings, pipeline=FakePipeline())
    assert recovery.exit_code == 0, recovery.gate
    assert recovery.stale_lock_cleared is not None
    assert recovery.stale_lock_cleared["pid"] == killed.pid
    con = duckdb.connect(str(settings.raw_db), read_only=True)
    try:
        loads = con.execute(
            "select file, count(*) from audit.load_audit where status = 'loaded' "
            "group by file order by file"
        ).fetchall()
        raw_rows = con.execute("select count(*) from data.rows").fetchall()[0][0]
    finally:
        con.close()
    assert loads == [("a.csv", 1), ("b.csv", 1), ("c.csv", 1)]
    assert raw_rows == 4
    assert _served_counts(settings.current_db) == uninterrupted
    assert publishing.current_run_id(settings) == recovery.run_id
    assert not list(settings.serving_dir.rglob(".tmp-*"))
    assert not run_lock.lock_path(settings.home).exists()


def test_dbt_child_dies_with_a_killed_parent(tmp_path: Path) -> None:
    """run_dbt's children get PR_SET_PDEATHSIG: a nightly killed with SIGKILL takes dbt along."""
    script = (
        "import subprocess, sys, time\n"
        "from prakerja.build import _die_with_parent\n"
        "child = subprocess.Popen(['sleep', '120'], preexec_fn=_die_with_parent)\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    os.kill(child_pid, 0)  # alive while the parent lives
    parent.kill()
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child_pid, 0)
        except ProcessLookupError:
            return
        stat = Path(f"/proc/{child_pid}/stat")
        if not stat.exists() or stat.read_text().split()[2] == "Z":
            return  # dead; a zombie only waits for a reaper
        time.sleep(0.1)
    raise AssertionError(f"dbt's stand-in {child_pid} outlived its killed parent")
