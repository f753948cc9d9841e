{{ config(
    materialized=fact_materialization(),
    incremental_strategy=fact_incremental_strategy(),
    unique_key='wave_number',
    on_schema_change='fail',
    meta={'scoped_tests': false},
) }}
-- Per wave, arm and reporting cell (everyone, each island group, each gender): the count, mean
-- and sample variance of each follow-up outcome among the evaluation respondents with a value.
-- mart_impact_estimates needs nothing more of the sample: its Welch differences use these
-- moments as they are, and its pooled estimate and HC1 error are sums over waves of them.
-- Incremental by wave (changed_waves): a night reads the sample of the waves with new rows.
{% set outcomes = ['new_job', 'employed', 'monthly_income_rp', 'started_business'] %}
{% set dimensions = ['province_group', 'gender'] %}
with
{{ changed_waves([ref('int_impact__evaluation_sample')]) }}
eligible_sample as (
    select * from {{ ref('int_impact__evaluation_sample') }}
    where {{ in_changed_waves() }}
),

-- The sample once per reporting cell: everyone ('all') and each subgroup dimension.
sample_cells as (
    {{ by_reporting_cell('eligible_sample', dimensions) }}
),

outcome_values as (
    {% for outcome in outcomes %}
    select '{{ outcome }}' as outcome, dimension, dimension_value, wave_number, treated,
        {{ outcome }} as y
    from sample_cells
    where responded = 1 and {{ outcome }} is not null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

per_wave as (
    select
        outcome,
        dimension,
        dimension_value,
        wave_number,
        {{ arm_moments('y') }}
    from outcome_values
    group by outcome, dimension, dimension_value, wave_number
)

select
    cast(w.outcome as {{ dbt.type_string() }}) as outcome,
    cast(w.dimension as {{ dbt.type_string() }}) as dimension,
    cast(w.dimension_value as {{ dbt.type_string() }}) as dimension_value,
    cast(w.wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(w.n_t as bigint) as n_t,
    cast(w.n_c as bigint) as n_c,
    cast(w.mean_t as double) as mean_t,
    cast(w.mean_c as double) as mean_c,
    cast(w.var_t as double) as var_t,
    cast(w.var_c as double) as var_c,
    cast(l.wave_source_loaded_at as {{ dbt.type_timestamp() }}) as source_loaded_at
from per_wave as w
left join wave_loads as l
    on w.wave_number = l.loads_wave_number
