"""The large facts are incremental (delete+insert on their key, driven by the newest contributing
load, each input pruned to the changed applications first); after a second ingestion load, an
incremental build must equal a full refresh, including rows of the first load that a later load
changed (a revocation, and a completed training that moves a payment's first completion date)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from prakerja.build import build
from prakerja.settings import Settings
from tests.test_dbt_support import (
    FIRST_BATCH,
    FIXTURE_EXCLUDE,
    SECOND_BATCH,
    add_batch,
    make_raw,
    settings_for,
)

FACTS = ["fct_applications", "fct_enrollments", "fct_incentive_payments", "fct_survey_responses"]
# Only the incremental models (the facts and dim_participants, built from fct_applications) are
# rebuilt between the snapshots (their tests run with them).
FACT_SELECTION = [*FACTS, "dim_participants"]
LATE_LOAD_ID = "L3"
LATE_LOADED_AT = "2026-11-22 01:00:00"


def _snapshot(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        return {
            table: con.execute(f"select * from {table} order by all").fetchall()
            for table in FACT_SELECTION
        }


def _revoke_later(settings: Settings) -> str:
    """Deliver, in a later load, the revocation of a selected first-load application."""
    with duckdb.connect(str(settings.raw_db)) as con:
        found = con.execute(
            "select s.id_pendaftaran from registration.selection as s "
            "where s.terpilih and s._load_id = ? and s.id_pendaftaran not in "
            "(select id_pendaftaran from registration.revocations) order by 1 limit 1",
            [FIRST_BATCH.load_id],
        ).fetchall()
        application_id = str(found[0][0])
        con.execute(
            "insert into registration.revocations values (?, date '2020-06-01', "
            "'permintaan_sendiri', ?, 'pencabutan_late.csv', repeat('0', 64), 1, "
            "cast(? as timestamp))",
            [application_id, LATE_LOAD_ID, LATE_LOADED_AT],
        )
    return application_id


def _complete_earlier_later(settings: Settings) -> tuple[str, object]:
    """Deliver, in a later load, a second completed training of a first-load application with
    a training incentive, finished a day before its first one: only the enrollments changed, yet
    the payment's `first_completed_date` must move."""
    with duckdb.connect(str(settings.raw_db)) as con:
        found = con.execute(
            "select e.id_transaksi, e.id_pendaftaran, e.tanggal_selesai - 1 "
            "from registration.enrollments as e "
            "join registration.payments as p on p.id_pendaftaran = e.id_pendaftaran "
            "where e.status = 'selesai' and e._load_id = ? and p.jenis = 'insentif_pelatihan' "
            # not the application revoked later: this path must change nothing else
            "and e.id_pendaftaran not in (select id_pendaftaran from registration.revocations "
            "where _load_id = ?) order by 1 limit 1",
            [FIRST_BATCH.load_id, LATE_LOAD_ID],
        ).fetchall()
        enrollment_id, application_id, earlier = found[0]
        con.execute(
            "insert into registration.enrollments by name "
            "select * replace (id_transaksi || '-B' as id_transaksi, "
            "tanggal_selesai - 1 as tanggal_selesai, ? as _load_id, "
            "cast(? as timestamp) as _loaded_at) "
            "from registration.enrollments where id_transaksi = ?",
            [LATE_LOAD_ID, LATE_LOADED_AT, enrollment_id],
        )
    return str(application_id), earlier


@pytest.mark.slow
def test_incremental_build_after_new_loads_equals_a_full_refresh(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "warehouse")
    make_raw(settings.raw_db, [FIRST_BATCH])
    first = build(settings, exclude=FIXTURE_EXCLUDE)
    assert first.success, first.failures

    with duckdb.connect(str(settings.raw_db)) as con:
        add_batch(con, SECOND_BATCH)
    revoked = _revoke_later(settings)
    completed_again, earlier = _complete_earlier_later(settings)

    incremental = build(settings, select=FACT_SELECTION)
    assert incremental.success, incremental.failures
    # the facts really ran as increments: dbt deleted and re-inserted changed keys
    run_sql = settings.home / "dbt" / "target" / "run" / "prakerja" / "models" / "marts"
    applications_sql = (run_sql / "facts" / "fct_applications.sql").read_text()
    assert "delete from" in applications_sql.lower()
    participants_sql = (run_sql / "dimensions" / "dim_participants.sql").read_text()
    assert "delete from" in participants_sql.lower()
    after_increment = _snapshot(settings)

    refreshed = build(settings, select=FACT_SELECTION, full_refresh=True)
    assert refreshed.success, refreshed.failures
    after_refresh = _snapshot(settings)

    for table in FACT_SELECTION:
        assert after_increment[table] == after_refresh[table], table
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        loads = con.execute(
            "select count(*), count(distinct application_id) from fct_applications"
        ).fetchall()
        late = con.execute(
            "select is_revoked, is_net_beneficiary from fct_applications where application_id = ?",
            [revoked],
        ).fetchall()
        first_completed = con.execute(
            "select distinct first_completed_date from fct_incentive_payments "
            "where application_id = ? and payment_type = 'training_incentive'",
            [completed_again],
        ).fetchall()
    assert loads == [(SECOND_BATCH.last, SECOND_BATCH.last)]
    assert late == [(True, False)]
    assert first_completed == [(earlier,)]
