"""`prakerja build` as a command: exit 2 without raw.duckdb, exit 1 with a readable report when a
dbt test finds bad data, and null (never invented) unemployed counts when BPS provincial counts
were not delivered."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from prakerja.build import build, failures_from_run_results
from prakerja.cli import main
from tests.test_dbt_support import make_raw, rows, settings_for


def test_build_without_raw_duckdb_exits_2_and_says_what_to_run(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build"]) == 2
    err = "".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "raw.duckdbdoesnotexist" in err and "prakerjaingest" in err
    assert not (home / "build.duckdb").exists()


def test_docs_without_a_build_exits_2(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs", "--no-serve"]) == 2
    assert "prakerjabuild" in "".join(capsys.readouterr().err.split())


def test_run_results_failures_are_read_per_node() -> None:
    results = {
        "results": [
            {"unique_id": "model.prakerja.dim_waves", "status": "success", "message": "OK"},
            {
                "unique_id": "test.prakerja.assert_paid_never_exceeds_due",
                "status": "fail",
                "message": "Got 2 results,\n configured to fail if != 0",
                "failures": 2,
            },
            {"unique_id": "model.prakerja.mart_x", "status": "error", "message": "Binder Error"},
            {"unique_id": "model.prakerja.mart_y", "status": "skipped", "message": None},
        ]
    }
    failed, counts = failures_from_run_results(results)
    assert [str(f) for f in failed] == [
        "test assert_paid_never_exceeds_due fail (2 rows): "
        "Got 2 results, configured to fail if != 0",
        "model mart_x error: Binder Error",
    ]
    assert counts == {"success": 1, "fail": 1, "error": 1, "skipped": 1}


@pytest.mark.slow
def test_bad_data_fails_the_build_with_exit_1_and_names_the_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "warehouse"
    settings = settings_for(home)
    make_raw(settings.raw_db, labour_force_province=False)

    # Without the provincial counts the coverage mart still builds, its counts left null.
    coverage = build(settings, select=["+mart_province_coverage"])
    assert coverage.success, coverage.failures
    assert rows(
        settings.build_db,
        "select count(*), count(unemployed), count(beneficiaries_per_1000_unemployed), "
        "count(tpt_percent) from mart_province_coverage where survey_period = date '2020-08-01'",
    ) == [(34, 0, 0, 34)]

    # A fifth training tranche paid to someone already paid four: more than the scheme's due.
    with duckdb.connect(str(settings.raw_db)) as con:
        con.execute(
            "insert into registration.payments "
            "select 'PAY-EXTRA-' || id_pembayaran, id_pendaftaran, jenis, termin, kanal, jumlah, "
            "tanggal_jadwal, tanggal_bayar, status, alasan_gagal, 'L9', 'pembayaran_extra.csv', "
            "_file_checksum, _row_number, _loaded_at from registration.payments "
            "where jenis = 'insentif_pelatihan' and termin = 1 and id_pendaftaran in ("
            "  select id_pendaftaran from registration.payments"
            "  where jenis = 'insentif_pelatihan' and status = 'berhasil'"
            "  group by id_pendaftaran having count(*) = 4"
            ") order by id_pembayaran limit 1"
        )
    monkeypatch.setenv("PRAKERJA_HOME", str(home))
    assert main(["build", "--select", "+assert_paid_never_exceeds_due"]) == 1
    captured = capsys.readouterr()
    said = "".join((captured.out + captured.err).split())
    assert "assert_paid_never_exceeds_due" in said
    assert "FAILED" in said
