{{ config(
    materialized=fact_materialization(),
    incremental_strategy=fact_incremental_strategy(),
    unique_key='wave_number',
    on_schema_change='fail',
    meta={'scoped_tests': false},
) }}
-- The evaluation sample collapsed to its distinct baseline profiles per wave and arm, with their
-- head counts, in two populations: every eligible applicant, and the evaluation respondents.
-- mart_impact_balance computes its moments from these cells, and mart_impact_estimates its
-- response rates (eligible and respondents per island group and gender). A few thousand cells
-- a wave instead of millions of applications; incremental by wave (changed_waves).
with
{{ changed_waves([ref('int_impact__evaluation_sample')]) }}
eligible_sample as (
    select * from {{ ref('int_impact__evaluation_sample') }}
    where {{ in_changed_waves() }}
),

populations as (
    select 'eligible_applicants' as population, wave_number, treated, province_group, gender,
        age_years, education, employment_status
    from eligible_sample
    union all
    select 'evaluation_respondents' as population, wave_number, treated, province_group, gender,
        age_years, education, employment_status
    from eligible_sample
    where responded = 1
)

select
    cast(p.population as {{ dbt.type_string() }}) as population,
    cast(p.wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(p.treated as {{ dbt.type_int() }}) as treated,
    cast(p.province_group as {{ dbt.type_string() }}) as province_group,
    cast(p.gender as {{ dbt.type_string() }}) as gender,
    cast(p.age_years as double) as age_years,
    cast(p.education as {{ dbt.type_string() }}) as education,
    cast(p.employment_status as {{ dbt.type_string() }}) as employment_status,
    {{ to_count('count(*)') }} as applicants,
    cast(max(l.wave_source_loaded_at) as {{ dbt.type_timestamp() }}) as source_loaded_at
from populations as p
left join wave_loads as l
    on p.wave_number = l.loads_wave_number
group by p.population, p.wave_number, p.treated, p.province_group, p.gender, p.age_years,
    p.education, p.employment_status
