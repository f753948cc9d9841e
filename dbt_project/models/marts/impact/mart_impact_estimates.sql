-- Intention-to-treat estimates of the programme from the selection lottery: follow-up
-- (evaluation survey) outcomes of selected minus not-selected eligible applicants.
-- Per wave: difference in means with the Welch standard error sqrt(s_t^2/n_t + s_c^2/n_c).
-- All waves: the OLS coefficient of treatment in y ~ treat + wave dummies, which is
-- sum_w h_w d_w / sum_w h_w with h_w = n_w p_w (1 - p_w), and its HC1 robust standard error,
-- computed from per-wave sums (see docs/impact.md for the algebra). The per-wave moments come
-- from int_impact__wave_moments, the response counts from int_impact__wave_cells: this model
-- reads no row of the sample itself.
-- Every estimate is made for all applicants and within province groups and genders.
{% set dimensions = ['province_group', 'gender'] %}
{% set z95 = 1.959963984540054 %}
with per_wave as (
    select * from {{ ref('int_impact__wave_moments') }}
),

wave_terms as (
    select
        *,
        mean_t - mean_c as d,
        cast(n_t as double) / (n_t + n_c) as p,
        cast(n_t as double) * n_c / (n_t + n_c) as h,
        -- within-arm sums of squared deviations; a single observation contributes zero
        coalesce(var_t * (n_t - 1), 0) as ss_t,
        coalesce(var_c * (n_c - 1), 0) as ss_c
    from per_wave
),

pooled_coefficient as (
    select
        outcome,
        dimension,
        dimension_value,
        sum(case when h > 0 then h * d else 0 end) / sum(h) as b,
        sum(h) as sum_h,
        sum(n_t + n_c) as n_obs,
        -- parameters: the treatment coefficient plus one intercept per wave present
        count(*) + 1 as n_params,
        sum(n_t) as n_t,
        sum(n_c) as n_c,
        sum(case when n_t > 0 then n_t * mean_t else 0 end) / sum(n_t) as mean_t,
        sum(case when n_c > 0 then n_c * mean_c else 0 end) / sum(n_c) as mean_c,
        count(case when h > 0 then 1 end) as waves_used
    from wave_terms
    group by outcome, dimension, dimension_value
),

-- Sandwich "meat" per wave: sum of (treat - p_w)^2 * residual^2 over the wave, where the
-- full-model residual is y - mean_t + (1 - p_w)(d_w - b) in the selected arm and
-- y - mean_c - p_w (d_w - b) in the other.
pooled_meat as (
    select
        w.outcome,
        w.dimension,
        w.dimension_value,
        sum(
            case
                when w.h > 0 then
                    power(1 - w.p, 2) * (w.ss_t + w.n_t * power((1 - w.p) * (w.d - c.b), 2))
                    + power(w.p, 2) * (w.ss_c + w.n_c * power(w.p * (w.d - c.b), 2))
                else 0
            end
        ) as meat
    from wave_terms as w
    inner join pooled_coefficient as c
        on
            w.outcome = c.outcome
            and w.dimension = c.dimension
            and w.dimension_value = c.dimension_value
    group by w.outcome, w.dimension, w.dimension_value
),

pooled_estimates as (
    select
        c.outcome,
        c.dimension,
        c.dimension_value,
        'all_waves' as wave_scope,
        cast(null as integer) as wave_number,
        'ols_wave_fixed_effects_hc1' as estimator,
        c.n_t,
        c.n_c,
        c.mean_t,
        c.mean_c,
        c.b as difference,
        case
            when c.sum_h > 0 and c.n_obs > c.n_params
                then sqrt(m.meat / power(c.sum_h, 2) * c.n_obs / (c.n_obs - c.n_params))
        end as std_error,
        c.waves_used
    from pooled_coefficient as c
    inner join pooled_meat as m
        on
            c.outcome = m.outcome
            and c.dimension = m.dimension
            and c.dimension_value = m.dimension_value
),

wave_estimates as (
    select
        outcome,
        dimension,
        dimension_value,
        concat('wave_', lpad(cast(wave_number as {{ dbt.type_string() }}), 2, '0')) as wave_scope,
        wave_number,
        'difference_in_means_welch' as estimator,
        n_t,
        n_c,
        mean_t,
        mean_c,
        d as difference,
        case when n_t > 1 and n_c > 1 then sqrt(var_t / n_t + var_c / n_c) end as std_error,
        case when n_t > 0 and n_c > 0 then 1 else 0 end as waves_used
    from wave_terms
),

estimates as (
    select * from wave_estimates
    union all
    select * from pooled_estimates
),

-- Response: respondents over eligible applicants of the arm (the delivery does not list who was
-- sampled but did not answer, so the arm's eligible applicants are the denominator).
-- Response: respondents over eligible applicants of the arm (the delivery does not list who was
-- sampled but did not answer, so the arm's eligible applicants are the denominator), counted
-- from the sample's profile cells per wave: everyone ('all') and each subgroup dimension.
profile_cells as (
    select * from {{ ref('int_impact__wave_cells') }}
),

arm_counts as (
    {{ by_reporting_cell('profile_cells', dimensions) }}
),

response_by_wave as (
    select
        dimension,
        dimension_value,
        wave_number,
        {%- for arm, flag in [('t', 1), ('c', 0)] %}
        sum(case when treated = {{ flag }} and population = 'eligible_applicants' then applicants
            else 0 end) as eligible_{{ arm }},
        sum(case when treated = {{ flag }} and population = 'evaluation_respondents'
            then applicants else 0 end) as respondents_{{ arm }}{{ ',' if not loop.last }}
        {%- endfor %}
    from arm_counts
    group by dimension, dimension_value, wave_number
),

response_cells as (
    select
        dimension,
        dimension_value,
        concat('wave_', lpad(cast(wave_number as {{ dbt.type_string() }}), 2, '0')) as wave_scope,
        eligible_t,
        eligible_c,
        respondents_t,
        respondents_c
    from response_by_wave
    union all
    select
        dimension,
        dimension_value,
        'all_waves' as wave_scope,
        sum(eligible_t) as eligible_t,
        sum(eligible_c) as eligible_c,
        sum(respondents_t) as respondents_t,
        sum(respondents_c) as respondents_c
    from response_by_wave
    group by dimension, dimension_value
),

response_rates as (
    select
        *,
        case when eligible_t > 0 then cast(respondents_t as double) / eligible_t end as rate_t,
        case when eligible_c > 0 then cast(respondents_c as double) / eligible_c end as rate_c,
        case
            when eligible_t > 0 and eligible_c > 0
                then cast(respondents_t + respondents_c as double) / (eligible_t + eligible_c)
        end as rate_pooled
    from response_cells
),

response_tests as (
    select
        *,
        -- two-proportion z statistic of the response rates
        case
            when rate_pooled > 0 and rate_pooled < 1
                then (rate_t - rate_c) / sqrt(
                    rate_pooled * (1 - rate_pooled)
                    * (cast(1 as double) / eligible_t + cast(1 as double) / eligible_c)
                )
        end as z_response
    from response_rates
),

balance as (
    select
        wave_scope,
        max(case when is_imbalanced then 1 else 0 end) as any_imbalanced
    from {{ ref('mart_impact_balance') }}
    where population = 'evaluation_respondents'
    group by wave_scope
),

flagged as (
    select
        e.*,
        e.difference - {{ z95 }} * e.std_error as ci_low,
        e.difference + {{ z95 }} * e.std_error as ci_high,
        r.eligible_t,
        r.eligible_c,
        r.rate_t,
        r.rate_c,
        r.z_response,
        coalesce(e.n_t < 30 or e.n_c < 30, true) as is_small_cell,
        coalesce(abs(r.rate_t - r.rate_c) > 0.05 or abs(r.z_response) > {{ z95 }}, true)
            as response_rates_differ,
        coalesce(b.any_imbalanced = 1, true) as balance_fails
    from estimates as e
    left join response_tests as r
        on
            e.dimension = r.dimension
            and e.dimension_value = r.dimension_value
            and e.wave_scope = r.wave_scope
    left join balance as b
        on e.wave_scope = b.wave_scope
)

select
    cast(outcome as {{ dbt.type_string() }}) as outcome,
    cast(wave_scope as {{ dbt.type_string() }}) as wave_scope,
    cast(dimension as {{ dbt.type_string() }}) as dimension,
    cast(dimension_value as {{ dbt.type_string() }}) as dimension_value,
    cast(wave_number as integer) as wave_number,
    cast(estimator as {{ dbt.type_string() }}) as estimator,
    cast(n_t as bigint) as n_treatment,
    cast(n_c as bigint) as n_control,
    cast(mean_t as double) as mean_treatment,
    cast(mean_c as double) as mean_control,
    cast(difference as double) as difference,
    cast(std_error as double) as std_error,
    cast(ci_low as double) as ci_low,
    cast(ci_high as double) as ci_high,
    cast(case when mean_c <> 0 then difference / mean_c end as double) as relative_difference,
    cast(waves_used as integer) as waves_used,
    cast(eligible_t as bigint) as eligible_treatment,
    cast(eligible_c as bigint) as eligible_control,
    cast(rate_t as double) as response_rate_treatment,
    cast(rate_c as double) as response_rate_control,
    cast(z_response as double) as response_rate_z,
    is_small_cell,
    response_rates_differ,
    balance_fails,
    not (is_small_cell or response_rates_differ or balance_fails) as is_interpretable
from flagged
