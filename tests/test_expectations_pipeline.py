"""The suites on data from the real pipeline: `prakerja generate` (demo scale, waves 1-2), then
`prakerja ingest` (and `prakerja build` for the clean data). Clean data passes every suite, raw
and marts. Deliveries generated with --defect-rate trip a critical expectation honestly:
ingestion quarantines the defective rows, and the share of rejected rows is what the volume
suite bounds, so `prakerja check` exits 1 and names it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from expectations.api import check
from prakerja.cli import main
from prakerja.settings import Settings

RAW_SUITES = ["raw_volume", "raw_completeness", "raw_distribution", "raw_benefit_rules"]
RAW_SUITES.append("raw_calendar")


def _prakerja(home: Path, *args: str, allowed: tuple[int, ...] = (0,)) -> None:
    env = {**os.environ, "PRAKERJA_HOME": str(home)}
    env.pop("PRAKERJA_PII_KEY", None)  # generated data: the demo key
    done = subprocess.run(
        [sys.executable, "-m", "prakerja.cli", *args], env=env, capture_output=True, text=True
    )
    if done.returncode not in allowed:
        pytest.fail(
            f"prakerja {args[0]} exited {done.returncode}:\n{done.stderr[-3000:]}"
            f"\n{done.stdout[-3000:]}"
        )


def _warehouse(home: Path, defect_rate: float, build: bool = False) -> Settings:
    inbox = home / "inbox"
    _prakerja(
        home, "generate", "--scale", "demo", "--seed", "1", "--waves", "1-2",
        "--defect-rate", str(defect_rate), "--out", str(inbox),
    )  # fmt: skip
    # Exit 1 means a whole file was rejected: the defect run may do that (the volume suite
    # reports it). Anything else is a broken ingestion, not a data-quality finding.
    _prakerja(home, "ingest", allowed=(0, 1) if defect_rate else (0,))
    if build:
        _prakerja(home, "build")
    return Settings.from_env({"PRAKERJA_HOME": str(home)})


@pytest.fixture(scope="session")
def clean_generated(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return _warehouse(tmp_path_factory.mktemp("gen_clean") / "warehouse", 0.0, build=True)


@pytest.fixture(scope="session")
def defective_generated(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return _warehouse(tmp_path_factory.mktemp("gen_defects") / "warehouse", 0.02)


def test_clean_generated_data_passes_every_suite(clean_generated: Settings) -> None:
    result = check(clean_generated)
    failed = [(r.check_id, r.observed_value) for r in result.results if not r.success]
    assert failed == []
    assert result.success
    assert {r.suite for r in result.results} >= {"raw_volume", "mart_reconciliation"}
    assert result.data_docs is not None


def test_defect_rate_data_fails_a_critical_expectation(
    defective_generated: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PRAKERJA_HOME", str(defective_generated.home))
    monkeypatch.setenv("COLUMNS", "250")
    args = ["check", "--no-data-docs"]
    for suite in RAW_SUITES:
        args += ["--suite", suite]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "quarantine_share_latest_batch" in out
    assert "critical" in out
