"""The CLI: help on every subcommand, documented exit codes, settings from the environment."""

from __future__ import annotations

import subprocess
import sys

import pytest

from prakerja.build import dbt_env, dbt_threads_for
from prakerja.cli import COMMANDS, main
from prakerja.errors import ConfigError
from prakerja.settings import Settings


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for name in COMMANDS:
        assert name in text


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_on_every_subcommand(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    assert exc.value.code == 0
    assert "exit codes" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2


def test_bad_argument_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["generate", "--scale", "galactic", "--seed", "1", "--out", "x"])
    assert exc.value.code == 2


def test_installed_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "prakerja.cli", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.startswith("prakerja ")


def test_settings_defaults_and_locations(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings.from_env({"PRAKERJA_HOME": str(tmp_path)})
    assert settings.home == tmp_path.resolve()
    assert settings.raw_db == tmp_path / "raw.duckdb"
    assert settings.current_db == tmp_path / "serving" / "current.duckdb"
    assert settings.pii_key is None
    assert settings.keep_releases == 7


def test_dbt_threads_are_their_own_setting_and_reach_dbt(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Unset, dbt's threads depend on the build: one model at a time for a full build (each
    # already uses every DuckDB thread), two nodes at once for an incremental one. DuckDB's
    # threads stay PRAKERJA_THREADS; a value given is used for every build.
    default = Settings.from_env({"PRAKERJA_HOME": str(tmp_path)})
    assert (default.dbt_threads, default.threads) == (None, 2)
    assert dbt_threads_for(default) == 1  # no build.duckdb yet: a full build
    default.build_db.write_bytes(b"")
    assert dbt_threads_for(default) == 2
    assert dbt_threads_for(default, full_refresh=True) == 1
    given = Settings.from_env({"PRAKERJA_HOME": str(tmp_path), "PRAKERJA_DBT_THREADS": "3"})
    assert dbt_threads_for(given) == dbt_threads_for(given, full_refresh=True) == 3
    env = dbt_env(given)
    assert (env["PRAKERJA_DBT_THREADS"], env["PRAKERJA_THREADS"]) == ("3", "2")
    assert dbt_env(default, dbt_threads=1)["PRAKERJA_DBT_THREADS"] == "1"
    assert dbt_env(default)["PRAKERJA_DBT_THREADS"] == "2"  # the rule, when not told
    with pytest.raises(ConfigError, match="PRAKERJA_DBT_THREADS"):
        Settings.from_env({"PRAKERJA_DBT_THREADS": "0"})


def test_settings_reject_bad_numbers() -> None:
    with pytest.raises(ConfigError, match="PRAKERJA_KEEP_RELEASES"):
        Settings.from_env({"PRAKERJA_KEEP_RELEASES": "many"})


def test_configuration_error_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRAKERJA_THREADS", "zero")
    assert main(["build"]) == 2
