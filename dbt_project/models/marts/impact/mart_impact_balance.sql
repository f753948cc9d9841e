-- Balance of baseline characteristics between selected and not-selected eligible applicants.
-- Standardised difference = (mean_t - mean_c) / sqrt((var_t + var_c) / 2); a lottery leaves it
-- near zero, so |std diff| > 0.1 flags a broken lottery (population eligible_applicants) or
-- differential survey response (population evaluation_respondents).
-- The all-waves row uses the within-wave differences weighted as in the pooled estimate
-- (n_w p_w (1 - p_w)), so waves with different selection rates do not create a false gap.
{% set education_levels = [
    'primary_or_less', 'junior_secondary', 'senior_secondary', 'diploma', 'bachelor',
    'postgraduate'] %}
{% set employment_statuses = [
    'laid_off', 'furloughed', 'job_seeker', 'micro_entrepreneur', 'employed'] %}
-- The sample's distinct covariate profiles with their head counts (int_impact__wave_cells,
-- incremental by wave), summed over island groups: a few thousand cells instead of 20 M
-- applications, before the 13 covariates multiply the rows.
with cells as (
    select population, wave_number, treated, age_years, gender, education, employment_status,
        sum(applicants) as n
    from {{ ref('int_impact__wave_cells') }}
    group by population, wave_number, treated, age_years, gender, education, employment_status
),

covariate_values as (
    select population, wave_number, treated, n, 'age_years' as covariate, age_years as x
    from cells
    where age_years is not null
    union all
    select population, wave_number, treated, n, 'female' as covariate,
        cast(case when gender = 'female' then 1 else 0 end as double) as x
    from cells
    where gender is not null
    {% for level in education_levels %}
    union all
    select population, wave_number, treated, n, 'education_{{ level }}' as covariate,
        cast(case when education = '{{ level }}' then 1 else 0 end as double) as x
    from cells
    where education is not null
    {% endfor %}
    {% for status in employment_statuses %}
    union all
    select population, wave_number, treated, n, 'employment_{{ status }}' as covariate,
        cast(case when employment_status = '{{ status }}' then 1 else 0 end as double) as x
    from cells
    where employment_status is not null
    {% endfor %}
),

arm_by_wave as (
    select
        population,
        wave_number,
        covariate,
        {{ weighted_arm_moments('x', 'n') }}
    from covariate_values
    group by population, wave_number, covariate
),

arm_all_waves as (
    select
        population,
        covariate,
        {{ weighted_arm_moments('x', 'n') }}
    from covariate_values
    group by population, covariate
),

-- Within-wave difference and its weight n_w p_w (1 - p_w); zero weight when a wave has one arm.
wave_weights as (
    select
        population,
        covariate,
        mean_t - mean_c as difference,
        cast(n_t as double) * n_c / (n_t + n_c) as weight
    from arm_by_wave
    where n_t > 0 and n_c > 0
),

fixed_effects_difference as (
    select
        population,
        covariate,
        sum(weight * difference) / sum(weight) as difference
    from wave_weights
    group by population, covariate
),

per_wave as (
    select
        population,
        concat('wave_', lpad(cast(wave_number as {{ dbt.type_string() }}), 2, '0')) as wave_scope,
        wave_number,
        covariate,
        n_t,
        n_c,
        mean_t,
        mean_c,
        var_t,
        var_c,
        mean_t - mean_c as difference
    from arm_by_wave
),

all_waves as (
    select
        a.population,
        'all_waves' as wave_scope,
        cast(null as integer) as wave_number,
        a.covariate,
        a.n_t,
        a.n_c,
        a.mean_t,
        a.mean_c,
        a.var_t,
        a.var_c,
        f.difference
    from arm_all_waves as a
    left join fixed_effects_difference as f
        on a.population = f.population and a.covariate = f.covariate
),

combined as (
    select * from per_wave
    union all
    select * from all_waves
),

standardised as (
    select
        *,
        sqrt((coalesce(var_t, 0) + coalesce(var_c, 0)) / 2) as pooled_sd
    from combined
)

select
    cast(population as {{ dbt.type_string() }}) as population,
    cast(wave_scope as {{ dbt.type_string() }}) as wave_scope,
    cast(wave_number as integer) as wave_number,
    cast(covariate as {{ dbt.type_string() }}) as covariate,
    cast(n_t as bigint) as n_treatment,
    cast(n_c as bigint) as n_control,
    cast(mean_t as double) as mean_treatment,
    cast(mean_c as double) as mean_control,
    cast(sqrt(var_t) as double) as sd_treatment,
    cast(sqrt(var_c) as double) as sd_control,
    cast(difference as double) as difference,
    cast(
        case
            when pooled_sd > 0 then difference / pooled_sd
            when difference = 0 then 0.0
        end as double
    ) as std_difference,
    -- No standardised difference (one arm empty, or a constant that differs) counts as failing:
    -- balance cannot be shown there.
    case
        when pooled_sd > 0 then abs(difference / pooled_sd) > 0.1
        when difference = 0 then false
        else true
    end as is_imbalanced
from standardised
