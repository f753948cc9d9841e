"""Helpers for the impact tests (no tests here): simulated lottery data with a known effect, and
a throw-away dbt project that builds only the impact models on top of those facts.

The harness does not depend on the rest of the dbt project: the tables the impact models read
(fct_applications, fct_survey_responses; dim_participants, which they no longer join, is kept
as a stand-in too) are models over Parquet files, with the columns docs/architecture.md fixes
for them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from prakerja.paths import DBT_PROJECT_DIR, SEEDS_DIR

IMPACT_MODELS = DBT_PROJECT_DIR / "models" / "marts" / "impact"
IMPACT_TESTS = DBT_PROJECT_DIR / "tests" / "impact"
IMPACT_MACROS = (
    "arm_moments.sql",
    "incremental.sql",
    "portable/types.sql",
    "tests/unique_combination_of_columns.sql",
)
# The load time the facts carry (docs/architecture.md); the impact intermediates keep, per
# wave, the newest as their watermark.
LOADED_AT = pd.Timestamp("2026-01-01 02:00:00")

EDUCATION = [
    "primary_or_less",
    "junior_secondary",
    "senior_secondary",
    "diploma",
    "bachelor",
    "postgraduate",
]
EMPLOYMENT = ["laid_off", "furloughed", "job_seeker", "micro_entrepreneur", "employed"]
# Every BPS province code of the crosswalk seed, so each maps to an island group.
PROVINCES = sorted(pd.read_csv(SEEDS_DIR / "province_crosswalk.csv", dtype=str)["kode_bps"])


@dataclass(frozen=True)
class Scenario:
    """How the simulated lottery and its follow-up survey behave."""

    eligible_per_wave: tuple[int, ...] = (2400, 1600, 2000, 1400)
    selection_share: tuple[float, ...] = (0.3, 0.5, 0.7, 0.4)
    new_job_base: tuple[float, ...] = (0.20, 0.25, 0.30, 0.22)
    new_job_relative_effect: float = 0.18
    income_base_rp: float = 2_000_000.0
    income_relative_effect: float = 0.10
    employed_effect: float = 0.05
    business_effect: float = 0.03
    response_rate_treatment: float = 0.6
    response_rate_control: float = 0.6
    # Rigged selection: the lottery favours applicants already employed or with a degree.
    rigged: bool = False
    seed: int = 7
    effects: dict[str, float] = field(default_factory=dict)


def simulate(scenario: Scenario) -> dict[str, pd.DataFrame]:
    """The three facts for one scenario, one row per application / person / response."""
    rng = np.random.default_rng(scenario.seed)
    frames = []
    for wave_index, n in enumerate(scenario.eligible_per_wave):
        wave = wave_index + 1
        education = rng.choice(EDUCATION, size=n, p=[0.1, 0.15, 0.45, 0.1, 0.17, 0.03])
        employment = rng.choice(EMPLOYMENT, size=n, p=[0.3, 0.2, 0.35, 0.1, 0.05])
        share = scenario.selection_share[wave_index]
        if scenario.rigged:
            favoured = (employment == "employed") | np.isin(education, ["bachelor", "postgraduate"])
            prob = np.where(favoured, min(1.0, share * 1.8), share * 0.85)
            treated = rng.random(n) < prob
        else:
            # an exact lottery: a fixed number drawn at random, as the programme does
            treated = np.zeros(n, dtype=bool)
            treated[rng.choice(n, size=round(n * share), replace=False)] = True
        frames.append(
            pd.DataFrame(
                {
                    "wave_number": wave,
                    "is_selected": treated,
                    "education": education,
                    "employment_status": employment,
                    "gender": rng.choice(["female", "male"], size=n, p=[0.45, 0.55]),
                    "province_code_bps": rng.choice(PROVINCES, size=n),
                    "birth_year": rng.integers(1965, 2002, size=n),
                    "new_job_base": scenario.new_job_base[wave_index],
                }
            )
        )
    people = pd.concat(frames, ignore_index=True)
    n_all = len(people)
    people["application_id"] = [f"APP-{i:07d}" for i in range(n_all)]
    people["participant_key"] = [f"{i:064x}" for i in range(n_all)]
    people["registered_at"] = pd.to_datetime("2020-04-11") + pd.to_timedelta(
        people["wave_number"] * 20, unit="D"
    )
    treated = people["is_selected"].to_numpy()
    p_new_job = people["new_job_base"].to_numpy() * np.where(
        treated, 1 + scenario.new_job_relative_effect, 1.0
    )
    # Employed people at registration are likelier to be working later: this is what makes a
    # rigged lottery look like an effect.
    already_working = np.isin(people["employment_status"], ["employed", "micro_entrepreneur"])
    p_employed = 0.35 + 0.4 * already_working + scenario.employed_effect * treated
    income = (
        scenario.income_base_rp
        * np.where(treated, 1 + scenario.income_relative_effect, 1.0)
        * np.where(already_working, 1.4, 1.0)
        * rng.lognormal(mean=-0.08, sigma=0.4, size=n_all)
    ).round(2)
    p_business = 0.1 + scenario.business_effect * treated
    respond_prob = np.where(
        treated, scenario.response_rate_treatment, scenario.response_rate_control
    )
    responded = rng.random(n_all) < respond_prob

    applications = pd.DataFrame(
        {
            "application_id": people["application_id"],
            "participant_key": people["participant_key"],
            "wave_number": people["wave_number"].astype("int32"),
            "registered_at": people["registered_at"],
            "birth_year": people["birth_year"].astype("int32"),
            "province_code_bps": people["province_code_bps"],
            "gender": people["gender"],
            "education": people["education"],
            "employment_status": people["employment_status"],
            "is_verified": True,
            "is_eligible": True,
            "is_selected": people["is_selected"],
            "source_loaded_at": LOADED_AT,
        }
    )
    # Ineligible applicants are outside the lottery: the models must leave them out.
    ineligible = applications.head(50).copy()
    ineligible["application_id"] = ineligible["application_id"].str.replace("APP", "INE")
    ineligible["is_eligible"] = False
    ineligible["is_selected"] = False
    applications = pd.concat([applications, ineligible], ignore_index=True)

    participants = pd.DataFrame(
        {
            "participant_key": pd.concat(
                [people["participant_key"], ineligible["participant_key"]]
            ).drop_duplicates(),
        }
    ).merge(people[["participant_key", "birth_year", "gender"]], on="participant_key")
    participants["birth_year"] = participants["birth_year"].astype("int32")

    respondents = people[responded]
    t_resp = respondents["is_selected"].to_numpy()
    n_resp = len(respondents)
    idx = responded.nonzero()[0]
    surveys = pd.DataFrame(
        {
            "response_id": [f"RSP-{i:07d}" for i in range(n_resp)],
            "application_id": respondents["application_id"].to_numpy(),
            "participant_key": respondents["participant_key"].to_numpy(),
            "wave_number": respondents["wave_number"].astype("int32").to_numpy(),
            "survey_type": "evaluation",
            "arm": np.where(t_resp, "treatment", "control"),
            "survey_date": pd.to_datetime("2020-09-01"),
            "is_employed": rng.random(n_resp) < p_employed[idx],
            "has_new_job": rng.random(n_resp) < p_new_job[idx],
            "monthly_income_rp": income[idx],
            "started_business": rng.random(n_resp) < p_business[idx],
            "source_loaded_at": LOADED_AT,
        }
    )
    # A post-training answer of a participant must not count as a follow-up answer.
    other = surveys[t_resp].head(40).copy()
    other["response_id"] = other["response_id"].str.replace("RSP", "PST")
    other["survey_type"] = "post_training"
    other["has_new_job"] = True
    surveys = pd.concat([surveys, other], ignore_index=True)
    return {
        "fct_applications": applications,
        "dim_participants": participants,
        "fct_survey_responses": surveys,
    }


PROFILE = """impact_harness:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{path}"
      threads: 1
"""

PROJECT = """name: impact_harness
version: "1.0"
profile: impact_harness
config-version: 2
model-paths: ["models"]
test-paths: ["tests"]
macro-paths: ["macros"]
"""


SPARK_PROFILE = """impact_harness:
  target: spark
  outputs:
    spark:
      type: spark
      method: session
      host: localhost
      schema: impact
      threads: 1
"""


def write_facts(facts: dict[str, pd.DataFrame], workdir: Path) -> None:
    """The facts as the Parquet files the harness's fixture models read (rewritten between two
    builds to deliver new loads)."""
    for name, frame in facts.items():
        # Microsecond timestamps: Spark cannot read pandas' default nanoseconds.
        frame.to_parquet(
            workdir / f"{name}.parquet",
            index=False,
            coerce_timestamps="us",
            allow_truncated_timestamps=True,
        )


def write_project(facts: dict[str, pd.DataFrame], workdir: Path, engine: str = "duckdb") -> Path:
    """A dbt project holding copies of the impact models and tests, the facts as stand-in models
    over Parquet files, and a profile for `engine` (duckdb or spark); returns its folder."""
    project = workdir / "dbt"
    (project / "models" / "fixtures").mkdir(parents=True)
    # Copies, not symlinks: dbt does not follow symlinked folders when it looks for files.
    shutil.copytree(IMPACT_MODELS, project / "models" / "impact")
    shutil.copytree(IMPACT_TESTS, project / "tests" / "impact")
    # the project macros the impact models call: the moments, the incremental-by-wave
    # configuration, the portable casts and the composite-key test
    (project / "macros").mkdir()
    for macro in IMPACT_MACROS:
        shutil.copy(DBT_PROJECT_DIR / "macros" / macro, project / "macros")
    write_facts(facts, workdir)
    for name in facts:
        parquet = workdir / f"{name}.parquet"
        reader = f"parquet.`{parquet}`" if engine == "spark" else f"read_parquet('{parquet}')"
        (project / "models" / "fixtures" / f"{name}.sql").write_text(f"select * from {reader}\n")
    if engine == "spark":
        # The project's Spark type macros (`spark__cast`): contracts declare `varchar`, which
        # Spark rejects without a length; the project maps it to `string` there.
        shutil.copytree(DBT_PROJECT_DIR / "macros" / "spark", project / "macros" / "spark")
    profile = SPARK_PROFILE if engine == "spark" else PROFILE.format(path=workdir / "build.duckdb")
    (project / "profiles.yml").write_text(profile)
    (project / "dbt_project.yml").write_text(PROJECT)
    return project


def dbt_build(project: Path, workdir: Path, *args: str) -> None:
    """`dbt build` of the harness project (extra `args`, e.g. --full-refresh); fails the test
    with dbt's output when dbt fails."""
    # A subprocess, not dbtRunner: dbt-duckdb keeps its connection open in the calling process,
    # which would stop the test from opening the file read-only afterwards.
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "build",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(workdir / "target"),
            "--log-path",
            str(workdir / "logs"),
            "--quiet",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"dbt build failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")


def build_impact(facts: dict[str, pd.DataFrame], workdir: Path) -> Path:
    """Build the impact models and their tests on `facts` with DuckDB; return the DuckDB file."""
    dbt_build(write_project(facts, workdir), workdir)
    return workdir / "build.duckdb"


def read_table(database: Path, table: str) -> pd.DataFrame:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        return con.sql(f"select * from {table}").df()
