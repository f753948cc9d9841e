"""The impact marts, built by dbt on simulated lottery data, against textbook computations:
Welch differences per wave (numpy, scipy's Welch t), the OLS coefficient of treatment with wave
dummies and its HC1 standard error (explicit matrix algebra), recovery of planted effects,
consistency with zero when there is none, and the balance / response / small-cell flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tests.test_impact_support import Scenario, build_impact, read_table, simulate

OUTCOME_COLUMNS = {
    "new_job": "has_new_job",
    "employed": "is_employed",
    "monthly_income_rp": "monthly_income_rp",
    "started_business": "started_business",
}


def _build(tmp_path_factory: pytest.TempPathFactory, name: str, scenario: Scenario):
    workdir = tmp_path_factory.mktemp(name)
    facts = simulate(scenario)
    database = build_impact(facts, workdir)
    return (
        facts,
        read_table(database, "mart_impact_estimates"),
        read_table(database, "mart_impact_balance"),
    )


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory):
    # A 95% interval misses its target one time in twenty, so with four outcomes some seeds
    # miss one: the seed is fixed (the default seed 7 draws a business share 2.3 SE high).
    return _build(tmp_path_factory, "planted", Scenario(seed=8))


@pytest.fixture(scope="module")
def no_effect(tmp_path_factory: pytest.TempPathFactory):
    scenario = Scenario(
        new_job_relative_effect=0.0,
        income_relative_effect=0.0,
        employed_effect=0.0,
        business_effect=0.0,
        seed=11,
    )
    return _build(tmp_path_factory, "no_effect", scenario)


@pytest.fixture(scope="module")
def rigged(tmp_path_factory: pytest.TempPathFactory):
    scenario = Scenario(
        new_job_relative_effect=0.0,
        income_relative_effect=0.0,
        employed_effect=0.0,
        business_effect=0.0,
        rigged=True,
        seed=13,
    )
    return _build(tmp_path_factory, "rigged", scenario)


@pytest.fixture(scope="module")
def uneven_response(tmp_path_factory: pytest.TempPathFactory):
    """Few applicants, and the control group answers far less often than the selected."""
    scenario = Scenario(
        eligible_per_wave=(90, 70),
        selection_share=(0.5, 0.5),
        new_job_base=(0.2, 0.3),
        response_rate_treatment=0.9,
        response_rate_control=0.3,
        seed=17,
    )
    return _build(tmp_path_factory, "uneven", scenario)


def _respondents(facts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Evaluation answers of eligible applicants with their arm, straight from the facts."""
    applications = facts["fct_applications"]
    eligible = applications[applications["is_eligible"]]
    surveys = facts["fct_survey_responses"]
    evaluation = surveys[surveys["survey_type"] == "evaluation"].drop(columns="wave_number")
    merged = evaluation.merge(
        eligible[["application_id", "is_selected", "gender", "province_code_bps", "wave_number"]],
        on="application_id",
    )
    merged["treat"] = merged["is_selected"].astype(float)
    return merged


def _row(estimates: pd.DataFrame, outcome: str, scope: str, value: str = "all") -> pd.Series:
    hit = estimates[
        (estimates["outcome"] == outcome)
        & (estimates["wave_scope"] == scope)
        & (estimates["dimension_value"] == value)
    ]
    assert len(hit) == 1, (outcome, scope, value)
    return hit.iloc[0]


def _ols_wave_dummies_hc1(y: np.ndarray, treat: np.ndarray, wave: pd.Series) -> tuple[float, float]:
    """Textbook OLS of y on treat + wave dummies; HC1 = n/(n-k) (X'X)^-1 X' diag(e^2) X (X'X)^-1."""
    dummies = pd.get_dummies(wave, drop_first=True, dtype=float).to_numpy()
    x = np.column_stack([np.ones(len(y)), treat, dummies])
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    residuals = y - x @ beta
    meat = (x * residuals[:, None] ** 2).T @ x
    n, k = x.shape
    covariance = xtx_inv @ meat @ xtx_inv * n / (n - k)
    return float(beta[1]), float(np.sqrt(covariance[1, 1]))


@pytest.mark.parametrize("outcome", list(OUTCOME_COLUMNS))
def test_per_wave_difference_and_se_are_welch(planted, outcome: str) -> None:
    facts, estimates, _ = planted
    answers = _respondents(facts)
    for wave, in_wave in answers.groupby("wave_number"):
        y = in_wave[OUTCOME_COLUMNS[outcome]].astype(float)
        selected = y[in_wave["treat"] == 1].to_numpy()
        control = y[in_wave["treat"] == 0].to_numpy()
        difference = selected.mean() - control.mean()
        se = np.sqrt(selected.var(ddof=1) / len(selected) + control.var(ddof=1) / len(control))
        row = _row(estimates, outcome, f"wave_{wave:02d}")
        assert row["n_treatment"] == len(selected) and row["n_control"] == len(control)
        assert row["difference"] == pytest.approx(difference, rel=1e-9, abs=1e-12)
        assert row["std_error"] == pytest.approx(se, rel=1e-9)
        welch = stats.ttest_ind(selected, control, equal_var=False)
        assert row["difference"] / row["std_error"] == pytest.approx(welch.statistic, rel=1e-9)
        assert row["ci_low"] == pytest.approx(difference - stats.norm.ppf(0.975) * se, rel=1e-9)


@pytest.mark.parametrize("outcome", list(OUTCOME_COLUMNS))
@pytest.mark.parametrize("subgroup", ["all", "female", "java"])
def test_pooled_estimate_is_ols_with_wave_dummies_hc1(planted, outcome: str, subgroup: str) -> None:
    facts, estimates, _ = planted
    answers = _respondents(facts)
    if subgroup == "female":
        answers = answers[answers["gender"] == "female"]
    elif subgroup == "java":
        answers = answers[answers["province_code_bps"].str.startswith("3")]
    coefficient, se = _ols_wave_dummies_hc1(
        answers[OUTCOME_COLUMNS[outcome]].astype(float).to_numpy(),
        answers["treat"].to_numpy(),
        answers["wave_number"],
    )
    row = _row(estimates, outcome, "all_waves", subgroup)
    assert row["estimator"] == "ols_wave_fixed_effects_hc1"
    assert row["difference"] == pytest.approx(coefficient, rel=1e-9, abs=1e-12)
    assert row["std_error"] == pytest.approx(se, rel=1e-9)


def test_planted_effects_are_inside_the_95_percent_intervals(planted) -> None:
    facts, estimates, _ = planted
    scenario = Scenario(seed=8)
    answers = _respondents(facts)
    # The all-waves estimand: within-wave effects weighted by n_w p_w (1 - p_w).
    per_wave = answers.groupby("wave_number")["treat"].agg(["size", "mean"])
    weights = per_wave["size"] * per_wave["mean"] * (1 - per_wave["mean"])
    new_job_effect = np.array(scenario.new_job_base) * scenario.new_job_relative_effect
    planted_absolute = {
        "new_job": float((weights.to_numpy() * new_job_effect).sum() / weights.sum()),
        "employed": scenario.employed_effect,
        "started_business": scenario.business_effect,
    }
    for outcome, effect in planted_absolute.items():
        row = _row(estimates, outcome, "all_waves")
        assert row["ci_low"] <= effect <= row["ci_high"], (outcome, effect, row.to_dict())
    # Income is planted as a relative effect: compare on the control mean's scale.
    income = _row(estimates, "monthly_income_rp", "all_waves")
    relative_low = income["ci_low"] / income["mean_control"]
    relative_high = income["ci_high"] / income["mean_control"]
    assert relative_low <= scenario.income_relative_effect <= relative_high
    # ... and a 10% income gain over ~4,500 respondents is well beyond chance.
    assert income["ci_low"] > 0


def test_no_effect_gives_intervals_around_zero(no_effect) -> None:
    _, estimates, _ = no_effect
    pooled = estimates[(estimates["wave_scope"] == "all_waves") & (estimates["dimension"] == "all")]
    assert len(pooled) == len(OUTCOME_COLUMNS)
    for _, row in pooled.iterrows():
        assert row["ci_low"] <= 0 <= row["ci_high"], row.to_dict()
    # Over every cell, about 95% of intervals should cover zero (not all: they are 95% intervals).
    covered = ((estimates["ci_low"] <= 0) & (estimates["ci_high"] >= 0)).mean()
    assert covered >= 0.85


def test_balance_passes_for_a_fair_lottery(planted) -> None:
    _, estimates, balance = planted
    pooled = balance[balance["wave_scope"] == "all_waves"]
    assert set(pooled["population"]) == {"eligible_applicants", "evaluation_respondents"}
    assert len(pooled) == 2 * 13  # age, female, 6 education levels, 5 employment statuses
    assert not pooled["is_imbalanced"].any(), pooled[pooled["is_imbalanced"]].to_dict("records")
    all_waves = estimates[estimates["wave_scope"] == "all_waves"]
    assert not all_waves["balance_fails"].any()


def test_balance_std_difference_matches_a_direct_computation(planted) -> None:
    facts, _, balance = planted
    applications = facts["fct_applications"]
    eligible = applications[applications["is_eligible"] & (applications["wave_number"] == 2)]
    x = (eligible["employment_status"] == "laid_off").astype(float)
    selected, control = x[eligible["is_selected"]], x[~eligible["is_selected"]]
    expected = (selected.mean() - control.mean()) / np.sqrt(
        (selected.var(ddof=1) + control.var(ddof=1)) / 2
    )
    row = balance[
        (balance["population"] == "eligible_applicants")
        & (balance["wave_scope"] == "wave_02")
        & (balance["covariate"] == "employment_laid_off")
    ].iloc[0]
    assert row["std_difference"] == pytest.approx(expected, rel=1e-9)
    assert row["n_treatment"] + row["n_control"] == len(eligible)


def test_rigged_selection_is_flagged(rigged) -> None:
    _, estimates, balance = rigged
    eligible = balance[
        (balance["population"] == "eligible_applicants") & (balance["wave_scope"] == "all_waves")
    ].set_index("covariate")
    for favoured in ("employment_employed", "education_bachelor"):
        assert eligible.loc[favoured, "is_imbalanced"], favoured
        assert eligible.loc[favoured, "std_difference"] > 0.1
    # Every wave's lottery is rigged, so every wave shows it.
    per_wave = balance[
        (balance["population"] == "eligible_applicants")
        & (balance["covariate"] == "employment_employed")
        & (balance["wave_scope"] != "all_waves")
    ]
    assert per_wave["is_imbalanced"].all()
    pooled = estimates[estimates["wave_scope"] == "all_waves"]
    assert pooled["balance_fails"].all()
    assert not pooled["is_interpretable"].any()


def test_uneven_response_and_small_cells_are_flagged(uneven_response) -> None:
    facts, estimates, _ = uneven_response
    pooled = _row(estimates, "new_job", "all_waves")
    assert pooled["response_rate_treatment"] - pooled["response_rate_control"] > 0.3
    assert pooled["response_rates_differ"]
    answers = _respondents(facts)
    applications = facts["fct_applications"]
    eligible = applications[applications["is_eligible"]]
    assert pooled["eligible_treatment"] == eligible["is_selected"].sum()
    assert pooled["response_rate_treatment"] == pytest.approx(
        (answers["treat"] == 1).sum() / eligible["is_selected"].sum()
    )
    # With 35-45 applicants per arm and wave, a 30% response leaves fewer than 30 controls.
    per_wave = estimates[estimates["wave_scope"] != "all_waves"]
    assert per_wave["is_small_cell"].all()
    assert not estimates["is_interpretable"].any()


def test_ineligible_and_other_surveys_are_left_out(planted) -> None:
    facts, estimates, _ = planted
    applications = facts["fct_applications"]
    eligible = applications[applications["is_eligible"]]
    pooled = _row(estimates, "new_job", "all_waves")
    assert pooled["eligible_treatment"] + pooled["eligible_control"] == len(eligible)
    answers = _respondents(facts)
    assert pooled["n_treatment"] + pooled["n_control"] == len(answers)


def test_every_province_falls_in_one_of_five_island_groups(planted) -> None:
    _, estimates, _ = planted
    groups = estimates[estimates["dimension"] == "province_group"]
    assert set(groups["dimension_value"]) == {"sumatra", "java", "kalimantan", "sulawesi", "east"}
    pooled = groups[(groups["wave_scope"] == "all_waves") & (groups["outcome"] == "new_job")]
    # The groups partition the applicants: their eligible counts add up to everyone's.
    everyone = _row(estimates, "new_job", "all_waves")
    assert pooled["eligible_treatment"].sum() == everyone["eligible_treatment"]
    assert pooled["eligible_control"].sum() == everyone["eligible_control"]
