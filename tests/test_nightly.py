"""The nightly run's own logic with small fake steps (tests/test_nightly_fakes.py): what is
published, the gate, the report, the alert, the lock."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import pytest

from prakerja import publish as publishing
from prakerja import run_lock
from prakerja.cli import main
from prakerja.errors import UsageError
from prakerja.nightly import nightly
from prakerja.run_report import RunReport
from prakerja.settings import Settings
from tests.test_nightly_fakes import FakePipeline, fake_check, write_delivery


def settings_for(home: Path, **env: str) -> Settings:
    return Settings.from_env({"PRAKERJA_HOME": str(home), **env})


def served_tables(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
            ).fetchall()
        ]
        return {n: con.execute(f'select count(*) from "{n}"').fetchall()[0][0] for n in names}
    finally:
        con.close()


def query_one(path: Path, sql: str) -> tuple[Any, ...]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return tuple(con.execute(sql).fetchall()[0])
    finally:
        con.close()


@pytest.fixture()
def inbox(home: Path) -> Path:
    folder = home / "inbox"
    write_delivery(folder, "a.csv", [("a1", "1"), ("a2", "2"), ("a3", "x")])
    write_delivery(folder, "b.csv", [("b1", "10")])
    return folder


def test_published_release_holds_served_tables_history_and_release_info(
    home: Path, inbox: Path
) -> None:
    settings = settings_for(home)
    report = nightly(settings, pipeline=FakePipeline())

    assert report.exit_code == 0 and report.status == "published"
    tables = served_tables(settings.current_db)
    # dim_/fct_/mart_ tables, DQ history and release_info; the stg_ view stays behind
    assert set(tables) == {
        "dim_files",
        "fct_rows",
        "mart_totals",
        "dq_runs",
        "dq_results",
        "release_info",
    }
    assert tables["fct_rows"] == 3  # a1, a2, b1; "x" was quarantined
    run_id, info_tables = query_one(settings.current_db, "select run_id, tables from release_info")
    assert run_id == report.run_id
    assert json.loads(info_tables) == {k: v for k, v in tables.items() if k != "release_info"}
    # the run's own data-quality run is in the history it serves
    assert query_one(
        settings.current_db, f"select count(*) from dq_runs where run_id = '{report.run_id}'"
    ) == (1,)
    # current.duckdb is a regular file, the same inode as the release
    release = settings.releases_dir / f"{report.run_id}.duckdb"
    assert not settings.current_db.is_symlink()
    assert os.path.samefile(release, settings.current_db)
    assert publishing.current_run_id(settings) == report.run_id
    # nothing temporary left, the lock released
    assert not list(settings.serving_dir.rglob(".tmp-*"))
    assert not run_lock.lock_path(home).exists()


def test_run_ids_sort_by_time_and_are_unique() -> None:
    from datetime import UTC, datetime

    early = publishing.new_run_id(datetime(2026, 11, 27, 23, 15, tzinfo=UTC))
    late = publishing.new_run_id(datetime(2026, 11, 28, 1, 0, tzinfo=UTC))
    assert early.startswith("20261127T231500Z-") and early < late
    assert publishing.RUN_ID_PATTERN.fullmatch(early)
    many = [publishing.new_run_id() for _ in range(50)]
    assert len(set(many)) == 50 and many == sorted(many)  # in order even within one second


def test_report_lists_steps_rows_and_quarantine_by_rule(home: Path, inbox: Path) -> None:
    settings = settings_for(home)
    report = nightly(settings, pipeline=FakePipeline())

    data = json.loads((settings.reports_dir / f"{report.run_id}.json").read_text())
    assert data == json.loads((settings.reports_dir / "latest.json").read_text())
    assert [s["name"] for s in data["steps"]] == ["ingest", "build", "check", "publish"]
    assert all(s["status"] == "ok" and s["duration_seconds"] >= 0 for s in data["steps"])
    assert data["rows_loaded"] == 3 and data["rows_quarantined"] == 1
    assert data["quarantined_by_rule"] == {"invalid_type": 1}
    assert data["release"]["run_id"] == report.run_id
    markdown = (settings.reports_dir / "latest.md").read_text()
    assert f"# Nightly run {report.run_id}: published (exit 0)" in markdown
    assert "| invalid_type | 1 |" in markdown


def test_rejected_file_is_reported_but_does_not_block_publishing(home: Path, inbox: Path) -> None:
    write_delivery(inbox, "bad_unknown.csv", [("z", "1")])
    settings = settings_for(home)
    report = nightly(settings, pipeline=FakePipeline())

    assert report.exit_code == 0
    assert report.files_rejected == ["bad_unknown.csv"]
    assert report.steps[0].status == "warning"
    assert "bad_unknown.csv: unknown_file" in report.steps[0].errors[0]
    assert served_tables(settings.current_db)["fct_rows"] == 3


def test_failed_critical_check_publishes_nothing_and_exits_1(home: Path, inbox: Path) -> None:
    settings = settings_for(home)
    first = nightly(settings, pipeline=FakePipeline())
    before = settings.current_db.read_bytes()
    write_delivery(inbox, "c.csv", [("c1", "-5")])

    exit_code = _cli_with_fakes(["nightly"])
    assert exit_code == 1
    assert settings.current_db.read_bytes() == before
    assert publishing.current_run_id(settings) == first.run_id
    assert [p.stem for p in publishing.releases(settings)] == [first.run_id]
    latest = json.loads((settings.reports_dir / "latest.json").read_text())
    assert latest["status"] == "gated" and latest["exit_code"] == 1
    assert [s["status"] for s in latest["steps"]] == ["ok", "ok", "failed", "skipped"]
    assert latest["failed_checks"][0]["expectation"] == "values_not_negative"
    # the failed run's data-quality results are kept as history
    con = duckdb.connect(str(settings.raw_db), read_only=True)
    try:
        runs = con.execute("select run_id, success from audit.dq_runs order by run_id").fetchall()
    finally:
        con.close()
    assert runs == [(first.run_id, True), (latest["run_id"], False)]
    # the copy of build.duckdb taken during the check is gone too
    assert not list(settings.serving_dir.rglob(".tmp-*"))


def test_release_copy_is_taken_while_the_check_runs(home: Path, inbox: Path) -> None:
    seen: list[list[str]] = []

    def watching_check(settings: Settings, run_id: str) -> Any:
        # the copy is being (or has been) written under its temporary name, never a release yet
        deadline = time.monotonic() + 30
        while not list(settings.releases_dir.glob(f".tmp-{run_id}.duckdb")):
            assert time.monotonic() < deadline, "no copy of build.duckdb during the check"
            time.sleep(0.01)
        seen.append([p.name for p in settings.releases_dir.iterdir()])
        return fake_check(settings, run_id)

    pipeline = FakePipeline()
    pipeline.check = watching_check
    settings = settings_for(home)
    report = nightly(settings, pipeline=pipeline)

    assert report.exit_code == 0, report.gate
    assert seen == [[f".tmp-{report.run_id}.duckdb"]]
    assert publishing.current_run_id(settings) == report.run_id
    assert "dim_files" in served_tables(settings.current_db)


def test_build_written_during_the_check_is_not_published(home: Path, inbox: Path) -> None:
    def check_then_rebuild(settings: Settings, run_id: str) -> Any:
        outcome = fake_check(settings, run_id)
        deadline = time.monotonic() + 30
        # once the copy has begun, a write makes either the copy or the publish step refuse
        while not list(settings.releases_dir.glob(f".tmp-{run_id}.duckdb")):
            assert time.monotonic() < deadline, "no copy of build.duckdb during the check"
            time.sleep(0.01)
        # a build by hand (no run lock) rewrites build.duckdb after the checks read it
        con = duckdb.connect(str(settings.build_db))
        try:
            con.execute("create table mart_late as select 1 as one")
        finally:
            con.close()
        return outcome

    pipeline = FakePipeline()
    pipeline.check = check_then_rebuild
    settings = settings_for(home)
    report = nightly(settings, pipeline=pipeline)

    assert report.exit_code == 1 and report.status == "gated"
    assert "written during publish" in report.gate
    assert not settings.current_db.exists()
    assert publishing.releases(settings) == []
    assert not list(settings.serving_dir.rglob(".tmp-*"))


def test_release_copy_failing_to_start_is_a_failed_publish_with_a_report(
    home: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(build_db: Path) -> None:
        raise duckdb.IOException(f"Could not set lock on file {build_db}")

    monkeypatch.setattr("prakerja.nightly.checkpointed", locked)
    settings = settings_for(home)
    report = nightly(settings, pipeline=FakePipeline())

    assert report.exit_code == 1 and report.status == "gated"
    assert [s.status for s in report.steps] == ["ok", "ok", "ok", "failed"]
    assert "Could not set lock" in report.gate
    assert not settings.current_db.exists()
    assert (settings.reports_dir / f"{report.run_id}.json").is_file()


def test_failed_dbt_test_publishes_nothing_and_skips_the_check(home: Path, inbox: Path) -> None:
    write_delivery(inbox, "c.csv", [("c1", "666")])
    settings = settings_for(home)
    report = nightly(settings, pipeline=FakePipeline())

    assert report.exit_code == 1 and report.status == "gated"
    assert [s.status for s in report.steps] == ["ok", "failed", "skipped", "skipped"]
    assert report.failed_dbt_nodes == ["test.not_666_fct_rows_value"]
    assert not settings.current_db.exists()
    assert publishing.releases(settings) == []


def test_missing_inbox_is_a_usage_error(home: Path) -> None:
    assert main(["nightly", str(home / "no-such-inbox")]) == 2


def test_step_crashing_with_a_bug_is_reported_and_exits_1(home: Path, inbox: Path) -> None:
    def broken_build(settings: Settings) -> Any:
        raise ZeroDivisionError("division by zero")

    pipeline = FakePipeline()
    pipeline.build = broken_build
    settings = settings_for(home)
    report = nightly(settings, pipeline=pipeline)

    assert report.exit_code == 1
    assert "ZeroDivisionError" in report.gate
    assert "Traceback" in report.steps[1].errors[0]  # the details are in the report
    assert not run_lock.lock_path(home).exists()


# ---------------------------------------------------------------- rollback and pruning


def _publish_with(settings: Settings, inbox: Path, name: str, value: str) -> RunReport:
    write_delivery(inbox, name, [(name, value)])
    report = nightly(settings, pipeline=FakePipeline())
    assert report.exit_code == 0, report.gate
    time.sleep(1.01)  # run ids are to the second; keep them ordered like real nights
    return report


def test_rollback_returns_to_the_previous_release(home: Path, inbox: Path) -> None:
    settings = settings_for(home)
    first = _publish_with(settings, inbox, "c.csv", "1")
    second = _publish_with(settings, inbox, "d.csv", "2")
    assert query_one(settings.current_db, "select run_id from release_info") == (second.run_id,)

    assert main(["publish", "--rollback"]) == 0
    assert query_one(settings.current_db, "select run_id from release_info") == (first.run_id,)
    assert served_tables(settings.current_db)["fct_rows"] == 4
    # the newer release is kept: a rollback is not a deletion
    assert [p.stem for p in publishing.releases(settings)] == [first.run_id, second.run_id]
    # nothing older than the first
    assert main(["publish", "--rollback"]) == 2


def test_old_releases_are_pruned_but_never_the_current_one(home: Path, inbox: Path) -> None:
    settings = settings_for(home, PRAKERJA_KEEP_RELEASES="2")
    runs = [_publish_with(settings, inbox, f"n{i}.csv", str(i)) for i in range(3)]
    assert [p.stem for p in publishing.releases(settings)] == [r.run_id for r in runs[1:]]

    publishing.rollback(settings)  # current -> runs[1], the oldest kept
    fourth = _publish_with(settings, inbox, "n3.csv", "3")
    kept = [p.stem for p in publishing.releases(settings)]
    assert kept == [runs[2].run_id, fourth.run_id]
    publishing.rollback(settings)
    assert publishing.current_run_id(settings) == runs[2].run_id
    # runs[1] was pruned: nothing older to roll back to, and current.duckdb stays put
    with pytest.raises(UsageError, match="oldest release kept"):
        publishing.rollback(settings)
    assert publishing.current_run_id(settings) == runs[2].run_id


def test_manual_publish_requires_a_passed_check_after_the_build(home: Path, inbox: Path) -> None:
    settings = settings_for(home)
    write_delivery(inbox, "c.csv", [("c1", "-5")])
    gated = nightly(settings, pipeline=FakePipeline())
    assert gated.exit_code == 1 and not settings.current_db.exists()

    assert main(["publish"]) == 1  # the latest check failed: the gate holds
    assert not settings.current_db.exists()
    assert main(["publish", "--skip-gate"]) == 0  # an operator may override it, knowingly
    assert settings.current_db.exists()


# ---------------------------------------------------------------- lock


def test_a_live_lock_stops_a_second_run(home: Path, inbox: Path) -> None:
    settings = settings_for(home)
    settings.ensure_dirs()
    ours, _ = run_lock.acquire(home, "20261127T000000Z-aaaaaa", settings.lock_stale_seconds)
    try:
        report = nightly(settings, pipeline=FakePipeline())
    finally:
        run_lock.release(home, ours)
    assert report.exit_code == 1 and report.status == "locked"
    assert "20261127T000000Z-aaaaaa" in report.gate
    assert not settings.current_db.exists() and report.steps == []
    assert not (settings.reports_dir / "latest.json").exists()  # left to the running run


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _write_lock(home: Path, info: run_lock.LockInfo) -> None:
    home.mkdir(parents=True, exist_ok=True)
    run_lock.lock_path(home).write_text(json.dumps(info.__dict__))


def test_stale_lock_of_a_dead_pid_is_cleared_with_a_warning(
    home: Path, inbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = run_lock.LockInfo(_dead_pid(), socket.gethostname(), time.time(), "killed-run")
    _write_lock(home, stale)
    report = nightly(settings_for(home), pipeline=FakePipeline())

    assert report.exit_code == 0
    assert report.stale_lock_cleared == stale.__dict__
    assert "stale lock" in capsys.readouterr().err
    assert not run_lock.lock_path(home).exists()


def test_old_lock_is_stale_even_from_another_host(home: Path, inbox: Path) -> None:
    old = run_lock.LockInfo(1, "other-host", time.time() - 100, "hung-run")
    _write_lock(home, old)
    report = nightly(settings_for(home, PRAKERJA_LOCK_STALE_SECONDS="60"), pipeline=FakePipeline())
    assert report.exit_code == 0 and report.stale_lock_cleared == old.__dict__


def test_young_lock_from_another_host_is_respected(home: Path, inbox: Path) -> None:
    young = run_lock.LockInfo(1, "other-host", time.time() - 5, "remote-run")
    _write_lock(home, young)
    report = nightly(settings_for(home), pipeline=FakePipeline())
    assert report.status == "locked" and run_lock.lock_path(home).exists()


def test_half_written_lock_counts_as_dead(home: Path, inbox: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    run_lock.lock_path(home).write_text("")  # killed between O_EXCL create and write
    assert nightly(settings_for(home), pipeline=FakePipeline()).exit_code == 0


def test_two_runs_started_together_one_publishes(home: Path, inbox: Path) -> None:
    env = {**os.environ, "PRAKERJA_HOME": str(home)}
    command = [sys.executable, "-m", "tests.test_nightly_fakes", "nightly"]
    runs = [
        subprocess.Popen(
            command,
            env=env,
            cwd=Path(__file__).parent.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(r.wait(timeout=120), r.stderr.read() if r.stderr else "") for r in runs]
    codes = sorted(code for code, _ in results)
    # both may publish one after the other if the first finished before the second started;
    # never both at once, and a loser says why
    assert codes in ([0, 0], [0, 1]), results
    if codes == [0, 1]:
        assert any("another nightly run holds" in err for _, err in results)
    assert len(publishing.releases(settings_for(home))) == codes.count(0)


# ---------------------------------------------------------------- alert


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture()
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: ClassVar[list[dict[str, Any]]] = []
    handler = type("Receiver", (_Receiver,), {"received": received})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", received
    finally:
        server.shutdown()
        server.server_close()


def test_gated_run_posts_its_summary_to_the_webhook(
    home: Path, inbox: Path, webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = webhook
    write_delivery(inbox, "c.csv", [("c1", "-5")])
    report = nightly(settings_for(home, PRAKERJA_ALERT_WEBHOOK=url), pipeline=FakePipeline())

    assert report.exit_code == 1
    assert len(received) == 1
    assert received[0]["run_id"] == report.run_id
    assert received[0]["status"] == "gated" and received[0]["exit_code"] == 1
    assert received[0]["failed_checks"][0]["expectation"] == "values_not_negative"


def test_published_run_alerts_only_when_a_file_was_rejected(
    home: Path, inbox: Path, webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = webhook
    settings = settings_for(home, PRAKERJA_ALERT_WEBHOOK=url)
    assert nightly(settings, pipeline=FakePipeline()).exit_code == 0
    assert received == []
    write_delivery(inbox, "bad_x.csv", [("x", "1")])
    assert nightly(settings, pipeline=FakePipeline()).exit_code == 0
    assert [r["files_rejected"] for r in received] == [["bad_x.csv"]]


def test_webhook_down_does_not_change_the_outcome(
    home: Path, inbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    write_delivery(inbox, "c.csv", [("c1", "-5")])
    settings = settings_for(home, PRAKERJA_ALERT_WEBHOOK=f"http://127.0.0.1:{port}/hook")
    started = time.monotonic()
    report = nightly(settings, pipeline=FakePipeline())
    assert report.exit_code == 1
    assert "alert webhook" in capsys.readouterr().err
    assert time.monotonic() - started < 30


def _cli_with_fakes(argv: list[str]) -> int:
    import prakerja.nightly as module
    from tests.test_nightly_fakes import main as fake_main

    original = module.Pipeline
    try:
        return fake_main(argv)
    finally:
        module.Pipeline = original  # type: ignore[misc]


def test_webhook_answering_an_error_is_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    from prakerja.alerts import send_alert

    class Failing(_Receiver):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(500)
            self.end_headers()

    server = http.server.HTTPServer(("127.0.0.1", 0), Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        assert send_alert(url, {"run_id": "x", "status": "gated"}) is False
    finally:
        server.shutdown()
        server.server_close()
    assert "alert webhook" in capsys.readouterr().err


def test_publish_list_shows_the_current_release(
    home: Path, inbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = nightly(settings_for(home), pipeline=FakePipeline())
    capsys.readouterr()
    assert main(["publish", "--list"]) == 0
    out = capsys.readouterr().out
    assert report.run_id in out and "current" in out


def test_lock_of_a_reused_pid_is_stale(home: Path, inbox: Path) -> None:
    # a live process that started after the lock was taken cannot be the lock's owner
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        time.sleep(0.2)
        old = run_lock.LockInfo(sleeper.pid, socket.gethostname(), time.time() - 100, "old-run")
        _write_lock(home, old)
        report = nightly(settings_for(home), pipeline=FakePipeline())
    finally:
        sleeper.kill()
        sleeper.wait()
    assert report.exit_code == 0 and report.stale_lock_cleared == old.__dict__


def test_lock_with_our_own_pid_from_an_earlier_life_is_stale(home: Path, inbox: Path) -> None:
    # containers restart with the same small pids: our pid in a lock we never took is stale
    earlier = run_lock.LockInfo(os.getpid(), socket.gethostname(), time.time(), "before-restart")
    _write_lock(home, earlier)
    assert nightly(settings_for(home), pipeline=FakePipeline()).exit_code == 0


def test_clearing_a_stale_lock_stops_what_the_dead_run_left_running(
    home: Path, inbox: Path
) -> None:
    # a killed run's dbt subprocess would keep raw.duckdb and build.duckdb locked
    orphan = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"],
        env={**os.environ, run_lock.RUN_ID_ENV: "killed-run"},
    )
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _write_lock(
            home, run_lock.LockInfo(_dead_pid(), socket.gethostname(), time.time(), "killed-run")
        )
        report = nightly(settings_for(home), pipeline=FakePipeline())
        assert report.exit_code == 0
        assert orphan.wait(timeout=10) == -9
        assert bystander.poll() is None
    finally:
        for process in (orphan, bystander):
            process.kill()
            process.wait()
    assert run_lock.RUN_ID_ENV not in os.environ or os.environ[run_lock.RUN_ID_ENV] != report.run_id


def test_rollback_works_when_current_was_restored_as_a_copy(home: Path, inbox: Path) -> None:
    import shutil

    settings = settings_for(home)
    first = _publish_with(settings, inbox, "c.csv", "1")
    second = _publish_with(settings, inbox, "d.csv", "2")
    # an operator restored current.duckdb by copying (not linking) the release
    copy = settings.serving_dir / "restored.duckdb"
    shutil.copyfile(settings.releases_dir / f"{second.run_id}.duckdb", copy)
    os.replace(copy, settings.current_db)
    assert publishing.current_run_id(settings) == second.run_id
    assert publishing.rollback(settings) == first.run_id
    assert query_one(settings.current_db, "select run_id from release_info") == (first.run_id,)
