"""Tests on the incremental facts read only the rows written since the last build that tested
them (prakerja/test_scope.py, dbt_project/macros/tests/increment_scope.sql): a failed build
leaves its rows to be tested again, the whole-table run comes back on schedule, a uniqueness
other than the fact's key reads the rows sharing a value with a new row, singular tests that
check a key over all its rows read the keys touched since they passed, and tests the scope
cannot prove (aggregates, the reconciliation tests) always read the whole table."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from prakerja import test_scope
from prakerja.build import build
from prakerja.paths import DBT_PROJECT_DIR
from prakerja.settings import Settings
from tests.test_dbt_support import FIRST_BATCH, FIXTURE_EXCLUDE, make_raw, settings_for

# the incremental models: the four registration facts and the participants dimension
INCREMENTAL = {
    "dim_participants",
    "fct_applications",
    "fct_enrollments",
    "fct_incentive_payments",
    "fct_survey_responses",
}
# the staging views that opt in (one row per append-only raw row): marked on `loaded_at`
STAGING_VIEWS = {
    f"stg_registration__{entity}"
    for entity in ("applications", "selection", "revocations", "enrollments", "payments", "surveys")
}
# the singular tests that set mart totals against the facts (they read whole tables)
RECONCILIATION = ["assert_mart_counts_equal_fact_counts", "assert_mart_rupiah_equal_fact_rupiah"]
# the singular tests that check a key over all its rows, scoped to the keys touched since
SCOPED_SINGULAR = {
    "assert_no_person_exceeds_benefit_cap": [
        "fct_applications",
        "fct_enrollments",
        "fct_incentive_payments",
    ],
    "assert_paid_never_exceeds_due": ["fct_incentive_payments"],
    "assert_voucher_spend_within_voucher": ["fct_applications", "fct_enrollments"],
}
COMPILED_TESTS = Path("dbt", "target", "compiled", "prakerja", "models", "marts", "facts")


def _compiled_test(settings: Settings, prefix: str, mentioning: str = "") -> str:
    """The compiled SQL of the one test whose file starts with `prefix` and mentions
    `mentioning` (dbt shortens long test names to a hash)."""
    folder = settings.home / COMPILED_TESTS / "_models.yml"
    texts = [path.read_text(encoding="utf-8") for path in folder.glob(f"{prefix}*.sql")]
    [text] = [text for text in texts if mentioning in text]
    return text


def _add_bad_application(settings: Settings, loaded_at: datetime) -> None:
    """A selected application without its selection date (not_null_where fails on it), as if
    written by a build at `loaded_at`; its own id and person, so no whole-table test sees it."""
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute(
            "insert into fct_applications by name select * replace ('APP-BAD' as application_id, "
            "'PK-BAD' as participant_key, null as selection_date, ? as source_loaded_at) "
            "from fct_applications where is_selected limit 1",
            [loaded_at],
        )


def _state(settings: Settings) -> dict[str, dict[str, str]]:
    facts: dict[str, dict[str, str]] = json.loads(
        test_scope.state_path(settings).read_text(encoding="utf-8")
    ).get("facts", {})
    return facts


@pytest.mark.slow
def test_fact_tests_read_only_untested_rows_until_they_pass(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "warehouse")
    make_raw(settings.raw_db, [FIRST_BATCH])
    first = build(settings, exclude=FIXTURE_EXCLUDE)
    assert first.success, first.failures
    assert first.tests_since == {}  # a first build tests whole tables
    marks = _state(settings)
    assert set(marks) == INCREMENTAL | STAGING_VIEWS
    tested_through = datetime.fromisoformat(marks["fct_applications"]["tested_through"])
    assert tested_through == datetime.fromisoformat(FIRST_BATCH.loaded_at)

    # a test the marks do not list (as if just added) reads its whole table once
    state = json.loads(test_scope.state_path(settings).read_text(encoding="utf-8"))
    enrollments = state["facts"]["fct_enrollments"]
    [new_test] = [t for t in enrollments["tests"] if ".not_null_fct_enrollments_price_rp." in t]
    enrollments["tests"].remove(new_test)
    test_scope.state_path(settings).write_text(json.dumps(state), encoding="utf-8")

    # an old bad row, below the mark, is outside the scope: scoped tests do not read it (the
    # reconciliation tests would: the marts, incremental by wave, never counted a row slipped
    # in below their own mark, so they are left out here)
    _add_bad_application(settings, tested_through - timedelta(days=1))
    scoped = build(settings, exclude=[*FIXTURE_EXCLUDE, *RECONCILIATION])
    assert scoped.success, scoped.failures
    for model in INCREMENTAL:
        assert any(f"_{model}_" in test for test in scoped.tests_since), model
    assert new_test not in scoped.tests_since
    assert "source_loaded_at" not in _compiled_test(settings, "not_null_fct_enrollments_price_rp")
    # ... and is listed with the mark from now on
    assert new_test in _state(settings)["fct_enrollments"]["tests"]
    not_null = _compiled_test(settings, "not_null_where_fct_applications_selection_date")
    assert "source_loaded_at > cast('2026-11-20 01:00:00'" in not_null
    unique_key = _compiled_test(settings, "unique_fct_applications_application_id")
    assert "source_loaded_at >" in unique_key
    # (participant, wave) is not the fact's key: the scoped test reads the rows that share a
    # combination with a new row (test_a_new_row_repeating_an_older_combination_is_caught)
    combination = _compiled_test(settings, "unique_combination_of_columns", "participant_key")
    assert "fct_applications" in combination
    assert "exists (select 1 from" in combination
    assert "increment.source_loaded_at > cast('2026-11-20 01:00:00'" in combination
    # ... and the whole-table run finds it
    full = build(settings, exclude=FIXTURE_EXCLUDE, all_tests=True)
    assert not full.success
    assert any("not_null_where_fct_applications_selection_date" in f for f in full.failures)


@pytest.mark.slow
def test_a_new_row_repeating_an_older_combination_is_caught(tmp_path: Path) -> None:
    """The scoped (participant, wave) uniqueness test reads the new rows and the older rows
    that share their combination: a new application of a person to a wave they applied to in
    an older build is a repeat, although the older row is below the mark."""
    settings = settings_for(tmp_path / "warehouse")
    make_raw(settings.raw_db, [FIRST_BATCH])
    assert build(settings, exclude=FIXTURE_EXCLUDE).success
    mark = datetime.fromisoformat(_state(settings)["fct_applications"]["tested_through"])
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute(
            "insert into fct_applications by name select * replace ('APP-TWIN' as "
            "application_id, ? as source_loaded_at) "
            "from fct_applications where not is_selected order by application_id limit 1",
            [mark + timedelta(hours=1)],
        )
    scoped = build(settings, exclude=FIXTURE_EXCLUDE)
    assert any("unique_combination_of_columns" in test for test in scoped.tests_since)
    assert not scoped.success
    assert any("unique_combination_of_columns_fct_applications" in f for f in scoped.failures)
    assert _state(settings)["fct_applications"]["tested_through"] == mark.isoformat(sep=" ")


@pytest.mark.slow
def test_rows_of_a_failed_build_are_tested_again_by_the_next(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "warehouse")
    make_raw(settings.raw_db, [FIRST_BATCH])
    assert build(settings, exclude=FIXTURE_EXCLUDE).success
    before = _state(settings)["fct_applications"]
    newer = datetime.fromisoformat(before["tested_through"]) + timedelta(hours=1)
    _add_bad_application(settings, newer)

    for _ in range(2):  # the mark does not move past rows whose tests failed
        failed = build(settings, exclude=FIXTURE_EXCLUDE)
        assert not failed.success
        assert any("not_null_where_fct_applications_selection_date" in f for f in failed.failures)
        assert _state(settings)["fct_applications"] == before

    # a full refresh rebuilds the fact from the raw rows, tests it whole and sets the mark again
    refreshed = build(settings, exclude=FIXTURE_EXCLUDE, full_refresh=True)
    assert refreshed.success, refreshed.failures
    assert refreshed.tests_since == {}
    assert _state(settings)["fct_applications"]["tested_through"] == before["tested_through"]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


MARK = "2026-11-20 01:00:00"


def _settings_with_marks(
    tmp_path: Path, full_tests_at: datetime, days: int = 7, newest_b: str = MARK
) -> Settings:
    tmp_path.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env(
        {"PRAKERJA_HOME": str(tmp_path), "PRAKERJA_FULL_TESTS_DAYS": str(days)}
    )
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute(f"create table fct_a as select timestamp '{MARK}' as source_loaded_at")
        con.execute(f"create table fct_b as select timestamp '{newest_b}' as source_loaded_at")
    state = test_scope.state_path(settings)
    state.parent.mkdir(parents=True)
    state.write_text(
        json.dumps(
            {
                "facts": {
                    fact: {
                        "tested_through": MARK,
                        "full_tests_at": full_tests_at.isoformat(),
                        "tests": [f"test.p.not_null_{fact}_x.1"],
                    }
                    for fact in ("fct_a", "fct_b", "fct_gone")
                }
            }
        )
    )
    return settings


SCOPED = {"test.p.not_null_fct_a_x.1": MARK, "test.p.not_null_fct_b_x.1": MARK}


def test_scope_keeps_marks_only_while_they_can_be_trusted(tmp_path: Path) -> None:
    recent = _now() - timedelta(days=1)
    settings = _settings_with_marks(tmp_path, recent)
    # a fact table that is no longer there loses its mark; the tests of the others are scoped
    scope = test_scope.scope_for_build(settings, full_refresh=False, all_tests=False)
    assert scope == SCOPED
    assert set(_state(settings)) == {"fct_a", "fct_b"}
    # --all-tests reads whole tables but keeps the marks
    assert test_scope.scope_for_build(settings, full_refresh=False, all_tests=True) == {}
    assert set(_state(settings)) == {"fct_a", "fct_b"}
    # a full refresh forgets them
    assert test_scope.scope_for_build(settings, full_refresh=True, all_tests=False) == {}
    assert _state(settings) == {}


def test_a_table_older_than_its_mark_was_rebuilt_and_loses_it(tmp_path: Path) -> None:
    settings = _settings_with_marks(tmp_path, _now(), newest_b="2026-11-19 01:00:00")
    scope = test_scope.scope_for_build(settings, full_refresh=False, all_tests=False)
    assert scope == {"test.p.not_null_fct_a_x.1": MARK}
    assert set(_state(settings)) == {"fct_a"}


def test_whole_table_run_comes_back_after_the_configured_days(tmp_path: Path) -> None:
    settings = _settings_with_marks(tmp_path, _now() - timedelta(days=3), days=3)
    assert test_scope.scope_for_build(settings, full_refresh=False, all_tests=False) == {}
    settings = _settings_with_marks(tmp_path / "b", _now() - timedelta(days=2), days=3)
    assert test_scope.scope_for_build(settings, full_refresh=False, all_tests=False) == SCOPED


def test_missing_build_file_forgets_every_mark(tmp_path: Path) -> None:
    settings = _settings_with_marks(tmp_path, _now())
    settings.build_db.unlink()
    assert test_scope.scope_for_build(settings, full_refresh=False, all_tests=False) == {}
    assert _state(settings) == {}


def _overpay(settings: Settings, nth: int, loaded_at: datetime) -> str:
    """A fifth paid training tranche for the nth application paid all four, as if written by
    a build at `loaded_at`: the application is paid more than is due."""
    with duckdb.connect(str(settings.build_db)) as con:
        ((application_id,),) = con.execute(
            "select application_id from fct_incentive_payments "
            "where status = 'paid' and payment_type = 'training_incentive' "
            "group by application_id having count(*) = 4 order by 1 limit 1 offset ?",
            [nth],
        ).fetchall()
        con.execute(
            "insert into fct_incentive_payments by name select * replace "
            "(payment_id || '-EXTRA' as payment_id, ? as source_loaded_at) "
            "from fct_incentive_payments where application_id = ? and status = 'paid' "
            "and payment_type = 'training_incentive' order by payment_id limit 1",
            [loaded_at, application_id],
        )
    return str(application_id)


@pytest.mark.slow
def test_singular_tests_read_the_keys_touched_since_they_passed(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "warehouse")
    make_raw(settings.raw_db, [FIRST_BATCH])
    assert build(settings, exclude=FIXTURE_EXCLUDE).success
    state = json.loads(test_scope.state_path(settings).read_text(encoding="utf-8"))
    reads = {test.split(".")[-1]: facts for test, facts in state["singular"].items()}
    assert reads == SCOPED_SINGULAR
    for test, facts in state["singular"].items():  # listed under each fact it reads
        assert all(test in state["facts"][fact]["tests"] for fact in facts)
    mark = datetime.fromisoformat(state["facts"]["fct_incentive_payments"]["tested_through"])

    # below the mark: already tested, not read again; above it: read, with the rest of its
    # application's payments, and caught
    _overpay(settings, 0, mark - timedelta(days=1))
    _overpay(settings, 1, mark + timedelta(hours=1))
    scoped = build(settings, exclude=[*FIXTURE_EXCLUDE, *RECONCILIATION])
    failed = {f.split(" fail")[0]: f.split(":")[0] for f in scoped.failures}
    assert failed.pop("test assert_paid_never_exceeds_due") == (
        "test assert_paid_never_exceeds_due fail (1 rows)"
    )
    # the person may also pass the benefit cap now; if so, only the one touched
    assert failed in (
        {},
        {
            "test assert_no_person_exceeds_benefit_cap": (
                "test assert_no_person_exceeds_benefit_cap fail (1 rows)"
            )
        },
    )
    compiled = (
        settings.home / "dbt" / "target" / "compiled" / "prakerja" / "tests"
    ) / "assert_paid_never_exceeds_due.sql"
    assert f"source_loaded_at > cast('{mark.isoformat(sep=' ')}'" in compiled.read_text()
    assert scoped.tests_since["test.prakerja.assert_paid_never_exceeds_due"] == {
        "fct_incentive_payments": mark.isoformat(sep=" ")
    }
    # the failure holds the marks of the facts it reads
    after = json.loads(test_scope.state_path(settings).read_text(encoding="utf-8"))
    assert after["facts"]["fct_incentive_payments"] == state["facts"]["fct_incentive_payments"]

    # the whole-table run reads every application and finds both
    full = build(settings, exclude=[*FIXTURE_EXCLUDE, *RECONCILIATION], all_tests=True)
    assert "test assert_paid_never_exceeds_due fail (2 rows)" in [
        f.split(":")[0] for f in full.failures
    ]


def test_a_view_keeps_its_mark_only_while_its_definition_is_unchanged(tmp_path: Path) -> None:
    settings = _settings_with_marks(tmp_path, _now())
    path = "models/staging/registration/stg_registration__payments.sql"
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute(f"create table stg_v as select timestamp '{MARK}' as loaded_at")
    state = json.loads(test_scope.state_path(settings).read_text(encoding="utf-8"))
    view_mark = {
        "tested_through": MARK,
        "full_tests_at": _now().isoformat(),
        "tests": ["test.p.unique_stg_v_id.1"],
        "column": "loaded_at",
        "path": path,
    }
    state["facts"]["stg_v"] = {**view_mark, "definition": test_scope._definition_hash(path)}
    test_scope.state_path(settings).write_text(json.dumps(state), encoding="utf-8")
    scope = test_scope.scope_for_build(settings, full_refresh=False, all_tests=False)
    assert scope == {**SCOPED, "test.p.unique_stg_v_id.1": MARK}

    # the view's SQL, a macro or dbt_project.yml changed since: its rows are not those tested
    state = json.loads(test_scope.state_path(settings).read_text(encoding="utf-8"))
    state["facts"]["stg_v"]["definition"] = "0" * 64
    test_scope.state_path(settings).write_text(json.dumps(state), encoding="utf-8")
    assert test_scope.scope_for_build(settings, full_refresh=False, all_tests=False) == SCOPED
    assert "stg_v" not in _state(settings)


def test_a_singular_test_is_scoped_only_while_every_fact_it_reads_is(tmp_path: Path) -> None:
    settings = _settings_with_marks(tmp_path, _now(), newest_b="2026-11-21 01:00:00")
    state = json.loads(test_scope.state_path(settings).read_text(encoding="utf-8"))
    state["facts"]["fct_b"]["tested_through"] = "2026-11-21 01:00:00"
    for fact in ("fct_a", "fct_b", "fct_gone"):
        state["facts"][fact]["tests"] += ["test.p.assert_ab", "test.p.assert_a_gone"]
    state["singular"] = {
        "test.p.assert_ab": ["fct_a", "fct_b"],
        "test.p.assert_a_gone": ["fct_a", "fct_gone"],
    }
    test_scope.state_path(settings).write_text(json.dumps(state), encoding="utf-8")
    scope = test_scope.scope_for_build(settings, full_refresh=False, all_tests=False)
    # each fact's own mark (load times interleave across facts); none when a fact lost its mark
    assert scope["test.p.assert_ab"] == {"fct_a": MARK, "fct_b": "2026-11-21 01:00:00"}
    assert "test.p.assert_a_gone" not in scope
    # the singular map survives the marks being pruned
    assert json.loads(test_scope.state_path(settings).read_text())["singular"] == state["singular"]


@pytest.mark.slow
def test_staging_unique_reads_new_rows_and_the_older_rows_sharing_their_key(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path / "warehouse")
    make_raw(settings.raw_db, [FIRST_BATCH])
    assert build(settings, exclude=FIXTURE_EXCLUDE).success
    marks = _state(settings)
    view = marks["stg_registration__payments"]
    assert view["column"] == "loaded_at"
    assert any(".unique_stg_registration__payments_payment_id." in t for t in view["tests"])
    # a later load repeating an older payment id (ingestion would quarantine it)
    with duckdb.connect(str(settings.raw_db)) as con:
        con.execute(
            "insert into registration.payments by name select * replace "
            "('L9' as _load_id, timestamp '2026-11-23 01:00:00' as _loaded_at) "
            "from registration.payments order by id_pembayaran limit 1"
        )
    scoped = build(settings, exclude=FIXTURE_EXCLUDE)
    assert not scoped.success
    assert any(
        f.startswith("test unique_stg_registration__payments_payment_id") for f in scoped.failures
    )
    compiled = next(
        (settings.home / "dbt" / "target" / "compiled" / "prakerja" / "models" / "staging").rglob(
            "unique_stg_registration__payments_payment_id*.sql"
        )
    ).read_text()
    assert "exists (select 1 from" in compiled
    assert f"increment.loaded_at > cast('{view['tested_through']}'" in compiled
    assert _state(settings)["stg_registration__payments"] == view


def test_the_definition_hash_moves_with_what_a_view_is_made_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    monkeypatch.setattr(test_scope, "DBT_PROJECT_DIR", project)
    path = "models/staging/registration/stg_registration__payments.sql"
    before = test_scope._definition_hash(path)
    assert test_scope._definition_hash(path) == before
    for changed in (
        "macros/vocabulary.sql",
        "models/staging/registration/_sources.yml",
        path,
        "dbt_project.yml",
    ):
        file = project / changed
        original = file.read_text(encoding="utf-8")
        file.write_text(original + "\n-- changed\n", encoding="utf-8")
        assert test_scope._definition_hash(path) != before, changed
        file.write_text(original, encoding="utf-8")
    assert test_scope._definition_hash(path) == before
    # another staging folder's files do not move it
    (project / "models/staging/providers/_models.yml").write_text("changed", encoding="utf-8")
    assert test_scope._definition_hash(path) == before
