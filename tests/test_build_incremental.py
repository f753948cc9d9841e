"""The large facts are incremental (delete+insert on their key, driven by the newest contributing
load, each input pruned to the changed applications first); after a second ingestion load, an
incremental build must equal a full refresh, including rows of the first load that a later load
changed (a revocation, and a completed training that moves a payment's first completion date)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from prakerja import test_scope
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
# The wave-grain models, incremental by wave (delete+insert of the waves with new fact rows):
# four marts and the answers summed per wave that mart_outcomes reads.
WAVE_MARTS = [
    "mart_wave_funnel",
    "mart_targeting",
    "mart_disbursement",
    "mart_payment_timeliness",
    "int_outcomes__wave_cells",
]
# Only the incremental models (the facts, dim_participants built from fct_applications, and the
# wave-grain models) and mart_outcomes, a table over int_outcomes__wave_cells, are rebuilt
# between the snapshots (their tests run with them).
FACT_SELECTION = [*FACTS, "dim_participants", *WAVE_MARTS, "mart_outcomes"]
LATE_LOAD_ID = "L3"
LATE_LOADED_AT = "2026-11-22 01:00:00"


def _snapshot(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        return {
            table: con.execute(f"select * from {table} order by all").fetchall()
            for table in FACT_SELECTION
        }


def _revoke_later(settings: Settings, paid: bool = False) -> str:
    """Deliver, in a later load, the revocation of a selected first-load application (with
    `paid`, one that was paid a training incentive: its payments are rewritten too)."""
    paid_only = (
        "and s.id_pendaftaran in (select id_pendaftaran from registration.payments "
        "where jenis = 'insentif_pelatihan' and status = 'berhasil') "
        if paid
        else ""
    )
    with duckdb.connect(str(settings.raw_db)) as con:
        found = con.execute(
            "select s.id_pendaftaran from registration.selection as s "
            "where s.terpilih and s._load_id = ? and s.id_pendaftaran not in "
            f"(select id_pendaftaran from registration.revocations) {paid_only}"
            "order by 1 limit 1",
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
    funnel_sql = (run_sql / "programme" / "mart_wave_funnel.sql").read_text()
    assert "delete from" in funnel_sql.lower()
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


# a count column per wave-grain mart, set to -1 before an incremental build to see which rows
# the build rewrote (DuckDB's rowid is no witness: a checkpoint compacts deleted rows)
MARKED_COLUMN = {
    "mart_wave_funnel": "registered",
    "mart_targeting": "applicants",
    "mart_disbursement": "payments_scheduled",
    "mart_payment_timeliness": "participants_paid",
    "int_outcomes__wave_cells": "respondents",
}


def _mark_every_row(settings: Settings) -> None:
    with duckdb.connect(str(settings.build_db)) as con:
        for mart, column in MARKED_COLUMN.items():
            con.execute(f"update {mart} set {column} = -1")


def _waves_rewritten(settings: Settings) -> dict[str, tuple[set[int], set[int]]]:
    """Per mart: (waves whose rows were all rewritten, waves whose rows all kept the mark)."""
    out: dict[str, tuple[set[int], set[int]]] = {}
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        for mart, column in MARKED_COLUMN.items():
            found = con.execute(
                f"select wave_number, bool_and({column} >= 0), bool_and({column} = -1) "
                f"from {mart} group by wave_number"
            ).fetchall()
            out[mart] = ({w for w, new, _ in found if new}, {w for w, _, kept in found if kept})
    return out


@pytest.mark.slow
def test_wave_marts_recompute_only_the_waves_a_late_load_touched(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "warehouse")
    make_raw(settings.raw_db, [FIRST_BATCH, SECOND_BATCH])
    first = build(settings, exclude=FIXTURE_EXCLUDE)
    assert first.success, first.failures
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        waves = {w for (w,) in con.execute("select wave_number from dim_waves").fetchall()}
        built_waves = {
            mart: {w for (w,) in con.execute(f"select distinct wave_number from {mart}").fetchall()}
            for mart in WAVE_MARTS
        }
    _mark_every_row(settings)

    # one application of one wave, paid a training incentive, revoked in a later load
    revoked = _revoke_later(settings, paid=True)
    # the marks break the singular tests (a funnel that grows, marts that no longer add up to
    # the facts), rightly: this build leaves them out, the full refresh below runs them
    incremental = build(settings, select=FACT_SELECTION, exclude=["test_type:singular"])
    assert incremental.success, incremental.failures
    rewritten = _waves_rewritten(settings)
    after_increment = _snapshot(settings)
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        ((wave,),) = con.execute(
            "select wave_number from fct_applications where application_id = ?", [revoked]
        ).fetchall()
    assert wave in waves

    # every wave-grain model reads a fact the revocation rewrote (the application, its
    # payments, enrolments and answers): each recomputes that wave, and that wave alone
    for mart in WAVE_MARTS:
        assert rewritten[mart] == ({wave}, built_waves[mart] - {wave}), mart
    # the marts' tests read their whole tables every time: no tested-through mark for them
    marks = json.loads(test_scope.state_path(settings).read_text(encoding="utf-8"))
    assert {*FACTS, "dim_participants"} <= set(marks["facts"])
    assert not [model for model in marks["facts"] if model.startswith(("mart_", "int_"))]

    refreshed = build(settings, select=FACT_SELECTION, full_refresh=True)
    assert refreshed.success, refreshed.failures
    after_refresh = _snapshot(settings)
    for mart in ("mart_wave_funnel", "mart_targeting"):  # the recomputed wave is right
        recomputed = [r for r in after_increment[mart] if r[0] == wave]
        assert recomputed, mart
        assert recomputed == [r for r in after_refresh[mart] if r[0] == wave], mart
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        revoked_in_funnel = con.execute(
            "select sum(revoked) from mart_wave_funnel where wave_number = ?", [wave]
        ).fetchall()
        revoked_in_fact = con.execute(
            "select count(*) from fct_applications where wave_number = ? and is_revoked", [wave]
        ).fetchall()
    assert revoked_in_funnel == revoked_in_fact

    # a wave left stale is caught even when the totals still agree: move one registration
    # between two waves of the funnel and the reconciliation test fails
    with duckdb.connect(str(settings.build_db)) as con:
        first_wave, second_wave = sorted(built_waves["mart_wave_funnel"])[:2]
        for wave_number, change in ((first_wave, -1), (second_wave, 1)):
            con.execute(
                "update mart_wave_funnel set registered = registered + ? where rowid = "
                "(select min(rowid) from mart_wave_funnel where wave_number = ?)",
                [change, wave_number],
            )
    reconciled = build(settings, select=["assert_mart_counts_equal_fact_counts"])
    assert not reconciled.success
    assert [f.split(" (")[0] for f in reconciled.failures] == [
        "test assert_mart_counts_equal_fact_counts fail"
    ]
    assert "2 rows" in reconciled.failures[0]
