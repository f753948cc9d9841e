"""`prakerja check`: every family of expectation passes on clean data and catches a seeded
defect of its kind; exit codes; history across runs; Data Docs.

The clean warehouse is built once per session (tests/test_expectations_warehouse.py); each defect
test copies it and seeds one defect with SQL on the copy, then runs only the suite concerned.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from expectations.api import check
from expectations.spec import CheckResult
from prakerja.cli import main
from prakerja.errors import UsageError
from prakerja.settings import Settings
from tests.test_expectations_warehouse import build_warehouse


@pytest.fixture(scope="session")
def clean_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("dq") / "warehouse"
    build_warehouse(home)
    return home


@pytest.fixture(scope="session")
def clean_result(clean_home: Path, tmp_path_factory: pytest.TempPathFactory) -> CheckResult:
    # Run on a copy so the session warehouse keeps no history and stays the pristine source.
    home = tmp_path_factory.mktemp("dq_clean") / "warehouse"
    shutil.copytree(clean_home, home)
    return check(Settings.from_env({"PRAKERJA_HOME": str(home)}), run_id="clean-run")


def _copy(clean_home: Path, tmp_path: Path) -> Settings:
    home = tmp_path / "warehouse"
    shutil.copytree(clean_home, home)
    return Settings.from_env({"PRAKERJA_HOME": str(home)})


def _seed_defect(db: Path, sql: str) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute(sql)


def _failed(result: CheckResult) -> dict[str, str]:
    return {r.check_id: r.severity for r in result.results if not r.success}


def test_clean_data_passes_every_expectation(clean_result: CheckResult) -> None:
    failed = [(r.check_id, r.observed_value) for r in clean_result.results if not r.success]
    assert failed == []
    assert clean_result.success
    suites = {r.suite for r in clean_result.results}
    assert {"raw_volume", "raw_completeness", "raw_distribution", "raw_benefit_rules"} <= suites
    assert {"raw_calendar", "mart_reconciliation", "mart_funnel"} <= suites
    assert "mart_province_coverage" in suites


def test_every_expectation_carries_a_severity(clean_result: CheckResult) -> None:
    assert {r.severity for r in clean_result.results} == {"critical", "warning"}


def test_clean_run_observes_real_values(clean_result: CheckResult) -> None:
    # Pushed down to DuckDB, a row count is the table's real size, not an empty placeholder.
    by_id = {r.check_id: r for r in clean_result.results}
    assert by_id["applications_not_empty"].observed_value.isdigit()
    assert int(by_id["applications_not_empty"].observed_value) > 0
    # The fixture makes 45 of every 100 selected people women; DuckDB measures the share.
    assert float(by_id["women_share_of_selected"].observed_value) == pytest.approx(0.45, abs=1e-3)


def test_data_docs_are_built(clean_result: CheckResult) -> None:
    assert clean_result.data_docs is not None
    index = Path(clean_result.data_docs)
    assert index.is_file()
    assert "reports/data_docs" in index.as_posix()
    assert list(index.parent.glob("validations/**/*.html"))


# One seeded defect per family: (suite, database file, SQL on the copy, check expected to fail,
# its severity).
DEFECTS = {
    "volume_quarantine": (
        "raw_volume",
        "raw.duckdb",
        "update audit.load_audit set rows_read = rows_read + 40, rows_rejected = 40 "
        "where entity = 'applications' and file = 'pendaftaran_gel05.csv'",
        "quarantine_share_latest_batch",
        "critical",
    ),
    "volume_empty_latest_load": (
        "raw_volume",
        "raw.duckdb",
        "update audit.load_audit set rows_loaded = 0, rows_rejected = rows_read "
        "where file = 'pembayaran_gel11.csv'",
        "latest_load_not_empty",
        "critical",
    ),
    "completeness": (
        "raw_completeness",
        "raw.duckdb",
        "update registration.applications set birth_year = null where j % 50 = 0",
        "applications_birth_year_not_null",
        "critical",
    ),
    "distribution": (
        "raw_distribution",
        "raw.duckdb",
        "update registration.applications set jenis_kelamin = 'L' where j % 3 = 0",
        "women_share_of_selected",
        "warning",
    ),
    "province_mix": (
        "raw_distribution",
        "raw.duckdb",
        "update registration.applications set kode_provinsi = '32' where kode_provinsi = '35'",
        "province_mix_of_selected",
        "warning",
    ),
    "benefit_rule_amounts": (
        "raw_benefit_rules",
        "raw.duckdb",
        "update registration.payments set jumlah = 650000 "
        "where jenis = 'insentif_pelatihan' and termin = 2 and id_pendaftaran like 'APP-001%'",
        "payment_amounts_follow_benefit_rules",
        "critical",
    ),
    "selection_without_application": (
        "raw_completeness",
        "raw.duckdb",
        "delete from registration.applications where id_pendaftaran in "
        "(select id_pendaftaran from registration.selection order by 1 limit 3)",
        "selection_rows_have_application",
        "warning",
    ),
    "calendar_dates": (
        "raw_calendar",
        "raw.duckdb",
        # Wave 4 registered before its postponed opening (8 Aug 2020): the planned date.
        "update registration.applications set waktu_daftar = timestamp '2020-05-28 09:00:00' "
        "where gelombang = 4 and j % 10 = 0",
        "registration_inside_wave_window",
        "critical",
    ),
    "reconciliation": (
        "mart_reconciliation",
        "build.duckdb",
        "update mart_wave_funnel set selected = selected * 2, eligible = eligible * 2, "
        "verified = verified * 2, registered = registered * 2 where wave_number = 1",
        "wave_shares_match_published_accepted",
        "critical",
    ),
    "funnel_band": (
        "mart_funnel",
        "build.duckdb",
        "update mart_wave_funnel set completed_training = 0, paid_tranche_1 = 0 "
        "where wave_number = 3",
        "completed_training_per_bought_training_in_band",
        "warning",
    ),
    "province_coverage": (
        "mart_province_coverage",
        "build.duckdb",
        "delete from mart_province_coverage where province_code_bps = '94'",
        "every_province_in_coverage_mart",
        "critical",
    ),
}


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_family_catches_its_seeded_defect(
    name: str, clean_home: Path, clean_result: CheckResult, tmp_path: Path
) -> None:
    suite, db_name, sql, check_id, severity = DEFECTS[name]
    clean = {r.check_id: r for r in clean_result.results}
    assert clean[check_id].success, "the check must pass on clean data first"

    settings = _copy(clean_home, tmp_path)
    _seed_defect(settings.home / db_name, sql)
    result = check(settings, suites=[suite], build_data_docs=False)

    failed = _failed(result)
    assert failed.get(check_id) == severity
    assert result.success is (severity != "critical")
    row = next(r for r in result.results if r.check_id == check_id)
    assert row.observed_value and row.observed_value != clean[check_id].observed_value


def test_missing_province_in_funnel_is_critical(clean_home: Path, tmp_path: Path) -> None:
    settings = _copy(clean_home, tmp_path)
    _seed_defect(
        settings.build_db, "update mart_wave_funnel set selected = 0 where province_code_bps = '91'"
    )
    result = check(settings, suites=["mart_province_coverage"], build_data_docs=False)
    assert _failed(result) == {"every_province_has_beneficiaries": "critical"}
    row = next(r for r in result.results if not r.success)
    assert "province_code_bps=91" in row.observed_value


def test_history_accumulates_across_runs(clean_home: Path, tmp_path: Path) -> None:
    settings = _copy(clean_home, tmp_path)
    first = check(settings, suites=["raw_volume"], build_data_docs=False)
    second = check(settings, suites=["raw_volume"], build_data_docs=False)
    assert first.run_id != second.run_id
    with duckdb.connect(str(settings.raw_db), read_only=True) as con:
        runs = con.execute(
            "select run_id, success, expectations from audit.dq_runs order by started_at"
        ).fetchall()
        per_run = con.execute(
            "select run_id, count(*) from audit.dq_results group by run_id order by run_id"
        ).fetchall()
    assert [r[0] for r in runs] == [first.run_id, second.run_id]
    assert all(success for _, success, _ in runs)
    assert sorted(per_run) == sorted(
        [(first.run_id, len(first.results)), (second.run_id, len(second.results))]
    )


def test_exit_codes(clean_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _copy(clean_home, tmp_path)
    monkeypatch.setenv("PRAKERJA_HOME", str(settings.home))
    assert main(["check", "--suite", "raw_volume", "--no-data-docs"]) == 0

    _seed_defect(
        settings.raw_db,
        "update audit.load_audit set rows_read = rows_read + 50, rows_rejected = 50 "
        "where entity = 'payments'",
    )
    assert main(["check", "--suite", "raw_volume", "--no-data-docs"]) == 1

    monkeypatch.setenv("PRAKERJA_HOME", str(tmp_path / "nowhere"))
    assert main(["check", "--no-data-docs"]) == 2


def test_summary_names_the_failed_expectation(
    clean_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = _copy(clean_home, tmp_path)
    _seed_defect(
        settings.raw_db,
        "update registration.payments set jumlah = 700000 where jenis = 'insentif_pelatihan'",
    )
    monkeypatch.setenv("PRAKERJA_HOME", str(settings.home))
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["check", "--suite", "raw_benefit_rules", "--no-data-docs"]) == 1
    captured = capsys.readouterr()
    assert "payment_amounts_follow_benefit_rules" in captured.out
    assert "critical" in captured.out
    assert "FAILED" in captured.err


def test_missing_build_database_is_a_usage_error(clean_home: Path, tmp_path: Path) -> None:
    settings = _copy(clean_home, tmp_path)
    settings.build_db.unlink()
    with pytest.raises(UsageError, match=r"build\.duckdb"):
        check(settings, build_data_docs=False)


def test_unknown_suite_is_a_usage_error(clean_home: Path, tmp_path: Path) -> None:
    settings = _copy(clean_home, tmp_path)
    with pytest.raises(UsageError, match="unknown suite"):
        check(settings, suites=["no_such_suite"], build_data_docs=False)


def test_command_module_does_not_import_great_expectations() -> None:
    import subprocess
    import sys

    code = (
        "import sys, expectations.command; "
        "sys.exit(1 if 'great_expectations' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_list_shows_every_suite_without_a_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PRAKERJA_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["check", "--list"]) == 0
    out = capsys.readouterr().out
    for suite in ("raw_volume", "raw_calendar", "mart_reconciliation", "mart_province_coverage"):
        assert suite in out


def test_missing_table_and_failing_query_are_reported_not_raised(
    clean_home: Path, tmp_path: Path
) -> None:
    settings = _copy(clean_home, tmp_path)
    _seed_defect(settings.raw_db, "drop table registration.applications")
    result = check(settings, suites=["raw_completeness"], build_data_docs=False)
    by_id = {r.check_id: r for r in result.results}
    assert by_id["applications_birth_year_not_null"].observed_value == (
        "table registration.applications missing"
    )
    # This check runs on selection but joins applications: DuckDB's error is the observed value.
    orphan_check = by_id["selection_rows_have_application"]
    assert not orphan_check.success
    assert orphan_check.observed_value.startswith("error:")
    assert "applications" in orphan_check.observed_value
    assert not result.success
