"""The dbt process a nightly run starts ahead of its build (prakerja.dbt_worker): it runs the
command it is sent exactly as the `dbt` executable does, and exits quietly when not used."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from pathlib import Path

from prakerja.build import DbtAhead, dbt_env, dbt_executable
from prakerja.paths import DBT_PROJECT_DIR
from tests.test_dbt_support import settings_for


def _plain_dbt(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [dbt_executable(), *argv],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _untimed(output: str) -> str:
    """dbt's output without the time it prefixes to each line."""
    return re.sub(r"(?m)^\d\d:\d\d:\d\d\s+", "", output)


def test_the_worker_runs_a_command_like_the_dbt_executable(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "warehouse")
    env = dbt_env(settings)
    ahead = DbtAhead(settings)
    result = ahead.run(["debug", "--config-dir"], env)
    plain = _plain_dbt(["debug", "--config-dir"], env)
    assert result.returncode == plain.returncode == 0
    assert str(DBT_PROJECT_DIR) in result.stdout
    assert _untimed(result.stdout) == _untimed(plain.stdout)
    ahead.discard()  # after run: nothing left to do, no error
    assert ahead.process.returncode == 0


def test_the_worker_parses_the_project_into_the_warehouse(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "warehouse")
    result = DbtAhead(settings).run(["parse"], dbt_env(settings))
    assert result.returncode == 0, result.stdout[-2000:]
    assert (settings.home / "dbt" / "target" / "manifest.json").exists()


def test_a_bad_command_fails_in_the_worker_as_in_dbt(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "warehouse")
    env = dbt_env(settings)
    result = DbtAhead(settings).run(["no-such-command"], env)
    plain = _plain_dbt(["no-such-command"], env)
    assert result.returncode == plain.returncode == 2
    assert "no-such-command" in result.stderr


def test_the_worker_sees_the_environment_it_is_sent(tmp_path: Path) -> None:
    """The build's environment (its tested-through marks, threads) is known only after
    ingestion, so it travels with the command, not with the process start: here `dbt debug`
    names a profile directory that only the sent environment gives."""
    settings = settings_for(tmp_path / "warehouse")
    env = {**dbt_env(settings), "DBT_PROFILES_DIR": str(tmp_path / "no-profiles-here")}
    result = DbtAhead(settings).run(["debug", "--config-dir"], env)
    assert result.returncode == 0
    assert str(tmp_path / "no-profiles-here") in result.stdout


def test_an_unused_worker_exits_0_promptly(tmp_path: Path) -> None:
    ahead = DbtAhead(settings_for(tmp_path / "warehouse"))
    started = time.monotonic()
    ahead.discard()
    assert ahead.process.returncode == 0
    assert time.monotonic() - started < 60


def test_a_worker_interrupted_while_running_is_killed(tmp_path: Path) -> None:
    """The run ends on an error while dbt works (the request sent, its answer not read):
    `discard` stops dbt instead of waiting for its build."""
    settings = settings_for(tmp_path / "warehouse")
    ahead = DbtAhead(settings)
    assert ahead.process.stdin is not None
    ahead.process.stdin.write(json.dumps({"argv": ["parse"], "env": dbt_env(settings)}) + "\n")
    ahead.process.stdin.close()  # as communicate() does before it waits
    ahead.discard()
    assert ahead.process.returncode == -signal.SIGKILL
