"""The impact marts' per-wave intermediates are incremental by wave: after new loads (a new wave,
and a late evaluation answer in an old one), an incremental build recomputes exactly the waves
that changed, and every impact table equals a full refresh."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.test_impact_support import (
    LOADED_AT,
    Scenario,
    dbt_build,
    read_table,
    simulate,
    write_facts,
    write_project,
)

LATE_LOADED_AT = LOADED_AT + pd.Timedelta(days=1)
# Before the increment every row's watermark is moved one second on: still older than the late
# load (the same waves count as changed), but a wave written again gets its real stamp back,
# so the rows that keep this one were not rewritten (DuckDB's rowid is no witness).
MARKED_AT = LOADED_AT + pd.Timedelta(seconds=1)
INTERMEDIATES = [
    "int_impact__evaluation_sample",
    "int_impact__wave_cells",
    "int_impact__wave_moments",
]
MARTS = ["mart_impact_estimates", "mart_impact_balance"]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    columns = [c for c in frame.columns if c != "source_loaded_at"]
    return frame[columns].sort_values(columns).reset_index(drop=True)


@pytest.mark.slow
def test_a_late_load_recomputes_its_waves_and_equals_a_full_refresh(tmp_path: Path) -> None:
    everything = simulate(
        Scenario(eligible_per_wave=(900, 700, 800), selection_share=(0.4, 0.5, 0.6))
    )
    applications, surveys = everything["fct_applications"], everything["fct_survey_responses"]
    # the first night knows waves 1 and 2
    first = {
        "fct_applications": applications[applications["wave_number"] < 3],
        "fct_survey_responses": surveys[surveys["wave_number"] < 3],
        "dim_participants": everything["dim_participants"],
    }
    project = write_project(first, tmp_path)
    dbt_build(project, tmp_path)
    database = tmp_path / "build.duckdb"
    with duckdb.connect(str(database)) as con:
        for model in INTERMEDIATES:
            con.execute(f"update {model} set source_loaded_at = ?", [MARKED_AT.to_pydatetime()])

    # the second night: wave 3, and a later evaluation answer of one wave-1 respondent
    late = surveys[(surveys["wave_number"] == 1) & (surveys["survey_type"] == "evaluation")]
    late = late.head(1).copy()
    late["response_id"] = "RSP-LATE"
    late["survey_date"] = late["survey_date"] + pd.Timedelta(days=30)
    late["monthly_income_rp"] = late["monthly_income_rp"] * 3
    new_rows = surveys["wave_number"] == 3
    second_surveys = surveys.copy()
    second_surveys["source_loaded_at"] = np.where(new_rows, LATE_LOADED_AT, LOADED_AT)
    late["source_loaded_at"] = LATE_LOADED_AT
    second_applications = applications.copy()
    second_applications["source_loaded_at"] = np.where(
        applications["wave_number"] == 3, LATE_LOADED_AT, LOADED_AT
    )
    second = {
        "fct_applications": second_applications,
        "fct_survey_responses": pd.concat([second_surveys, late], ignore_index=True),
        "dim_participants": everything["dim_participants"],
    }
    write_facts(second, tmp_path)
    dbt_build(project, tmp_path)

    incremental = {t: read_table(database, t) for t in [*INTERMEDIATES, *MARTS]}
    for model in INTERMEDIATES:
        stamps = incremental[model].groupby("wave_number")["source_loaded_at"].agg(set)
        # wave 1 (the late answer) and wave 3 (new) recomputed whole; wave 2 untouched
        assert stamps.to_dict() == {
            1: {LATE_LOADED_AT},
            2: {MARKED_AT},
            3: {LATE_LOADED_AT},
        }, model
    with duckdb.connect(str(database)) as con:
        ((income,),) = con.execute(
            "select monthly_income_rp from int_impact__evaluation_sample where application_id = ?",
            [late["application_id"].iloc[0]],
        ).fetchall()
    assert income == pytest.approx(float(late["monthly_income_rp"].iloc[0]))

    dbt_build(project, tmp_path, "--full-refresh")
    for table in [*INTERMEDIATES, *MARTS]:
        refreshed = _sorted(read_table(database, table))
        pd.testing.assert_frame_equal(
            _sorted(incremental[table]), refreshed, check_exact=False, rtol=1e-12
        )
