{{ config(
    materialized=fact_materialization(),
    incremental_strategy=fact_incremental_strategy(),
    unique_key='wave_number',
    on_schema_change='fail',
) }}
-- One row per eligible application: the lottery's population. Arm = the lottery outcome
-- (is_selected), whatever happened after (revocation, no training): intention to treat.
-- The follow-up (evaluation) survey answers are joined where the applicant responded.
-- Stored and incremental by wave (changed_waves), so that a night reads the applications and
-- answers of the waves with new rows only; the impact marts read it through the per-wave
-- summaries int_impact__wave_cells and int_impact__wave_moments. Unlike the small wave-grain
-- models, its tests are scoped to the rows written since they last passed (17 M rows at
-- national scale): every row of a recomputed wave carries the wave's newest load, which is
-- newer than anything in the table before (that is why the wave was recomputed).
-- Portable SQL only (runs on DuckDB and Spark): CTEs, cast(), case, row_number.
with
{{ changed_waves([ref('fct_applications'), ref('fct_survey_responses')]) }}
eligible as (
    select
        application_id,
        participant_key,
        wave_number,
        province_code_bps,
        gender,
        education,
        employment_status,
        registered_at,
        -- the application's own birth year: ingestion checks it against the NIK's date digits,
        -- so every application of one person carries the same (no join to dim_participants)
        birth_year,
        case when is_selected then 1 else 0 end as treated
    from {{ ref('fct_applications') }}
    where is_eligible and {{ in_changed_waves() }}
),

-- A repeated evaluation answer for one application keeps the latest (the survey's final word).
evaluation_ranked as (
    select
        application_id,
        survey_date,
        is_employed,
        has_new_job,
        monthly_income_rp,
        started_business,
        row_number() over (
            partition by application_id order by survey_date desc, response_id desc
        ) as answer_rank
    from {{ ref('fct_survey_responses') }}
    where survey_type = 'evaluation' and {{ in_changed_waves() }}
),

evaluation as (
    select *
    from evaluation_ranked
    where answer_rank = 1
)

select
    cast(e.application_id as {{ dbt.type_string() }}) as application_id,
    cast(e.wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(e.treated as {{ dbt.type_int() }}) as treated,
    cast(e.province_code_bps as {{ dbt.type_string() }}) as province_code_bps,
    -- Five island groups from the BPS code's first digit: 1 and 2 (21 Kepulauan Riau) Sumatra,
    -- 3 Java, 6 Kalimantan, 7 Sulawesi; 5 (Bali, Nusa Tenggara), 8 (Maluku) and 9 (Papua)
    -- together as the east.
    cast(
        case substr(e.province_code_bps, 1, 1)
            when '1' then 'sumatra'
            when '2' then 'sumatra'
            when '3' then 'java'
            when '6' then 'kalimantan'
            when '7' then 'sulawesi'
            when '5' then 'east'
            when '8' then 'east'
            when '9' then 'east'
            else 'unknown'
        end as {{ dbt.type_string() }}
    ) as province_group,
    cast(e.gender as {{ dbt.type_string() }}) as gender,
    cast(e.education as {{ dbt.type_string() }}) as education,
    cast(e.employment_status as {{ dbt.type_string() }}) as employment_status,
    cast(extract(year from e.registered_at) - e.birth_year as double) as age_years,
    cast(case when v.application_id is null then 0 else 1 end as {{ dbt.type_int() }}) as responded,
    -- 0/1 as double: a 1.0 literal is a decimal on Spark, whose averages would be rounded.
    cast(case when v.is_employed then 1 when not v.is_employed then 0 end as double) as employed,
    cast(case when v.has_new_job then 1 when not v.has_new_job then 0 end as double) as new_job,
    cast(v.monthly_income_rp as double) as monthly_income_rp,
    cast(case when v.started_business then 1 when not v.started_business then 0 end as double)
        as started_business,
    cast(l.wave_source_loaded_at as {{ dbt.type_timestamp() }}) as source_loaded_at
from eligible as e
left join evaluation as v
    on e.application_id = v.application_id
left join wave_loads as l
    on e.wave_number = l.loads_wave_number
