"""Queries of the Dampak (impact) page, over the data module's cached read-only access.

The SQL texts are constants and every choice travels as a `?` parameter (dashboard.data.query).
They return small frames: the impact marts are already aggregated per outcome, wave and subgroup.
"""

from __future__ import annotations

import pandas as pd

from dashboard import data

OUTCOMES = ("new_job", "employed", "monthly_income_rp", "started_business")
# Yes/no outcomes are shares (differences in percentage points); income is rupiah per month.
SHARE_OUTCOMES = ("new_job", "employed", "started_business")
POPULATIONS = ("eligible_applicants", "evaluation_respondents")

_ESTIMATE_COLUMNS = """
    outcome, wave_scope, wave_number, dimension, dimension_value, estimator,
    n_treatment, n_control, least(n_treatment, n_control) as n_smaller_arm,
    mean_treatment, mean_control, difference, std_error, ci_low, ci_high, relative_difference,
    response_rate_treatment, response_rate_control,
    is_small_cell, response_rates_differ, balance_fails, is_interpretable
"""

_POOLED_SQL = f"""
select {_ESTIMATE_COLUMNS}
from mart_impact_estimates
where outcome = ? and wave_scope = 'all_waves'
order by
    case dimension when 'all' then 0 when 'province_group' then 1 else 2 end,
    dimension_value
"""

_BY_WAVE_SQL = f"""
select {_ESTIMATE_COLUMNS}
from mart_impact_estimates
where outcome = ? and dimension = 'all'
    and (wave_scope = 'all_waves' or wave_number between ? and ?)
order by wave_number nulls first
"""

_BALANCE_SQL = """
select
    covariate, n_treatment, n_control, least(n_treatment, n_control) as n_smaller_arm,
    mean_treatment, mean_control, std_difference, is_imbalanced
from mart_impact_balance
where population = ? and wave_scope = ?
order by covariate
"""

_BALANCE_SCOPES_SQL = """
select distinct wave_scope, wave_number
from mart_impact_balance
order by wave_number nulls first
"""


def pooled_by_subgroup(outcome: str) -> pd.DataFrame:
    """All waves together (wave fixed effects): everyone, each island group, each gender."""
    return data.query(_POOLED_SQL, (outcome,))


def by_wave(outcome: str, wave_from: int, wave_to: int) -> pd.DataFrame:
    """Everyone, per wave in the chosen range, and the all-waves estimate first."""
    return data.query(_BY_WAVE_SQL, (outcome, wave_from, wave_to))


def balance(population: str, wave_scope: str) -> pd.DataFrame:
    return data.query(_BALANCE_SQL, (population, wave_scope))


def balance_scopes() -> list[str]:
    frame = data.query(_BALANCE_SCOPES_SQL)
    return [str(scope) for scope in frame["wave_scope"].tolist()]
