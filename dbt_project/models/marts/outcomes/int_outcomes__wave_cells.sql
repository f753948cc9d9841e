{{ config(
    materialized=fact_materialization(),
    incremental_strategy=fact_incremental_strategy(),
    unique_key='wave_number',
    on_schema_change='fail',
    meta={'scoped_tests': false},
) }}
-- Survey answers summed per wave, province, gender, first course bought, survey and arm: the
-- part of mart_outcomes that reads the 18 M answers, incremental by wave (changed_waves). The
-- course's category and the province's TPT are joined by mart_outcomes, every night, so a new
-- catalogue or BPS round reaches every wave without recomputing these cells. Not served
-- (publish copies dim_, fct_ and mart_ tables only).
with
{{ changed_waves([ref('fct_survey_responses'), ref('fct_enrollments')]) }}
responses as (
    select * from {{ ref('fct_survey_responses') }}
    where {{ in_changed_waves() }}
),

first_courses as (
    select application_id, course_listing_key
    from (
        select
            application_id,
            course_listing_key,
            row_number() over (
                partition by application_id order by purchased_date, enrollment_id
            ) as purchase_rank
        from {{ ref('fct_enrollments') }}
        where {{ in_changed_waves() }}
    ) as ranked
    where purchase_rank = 1
),

labelled as (
    select
        r.*,
        -- the control group bought no training: no course, whatever the data says
        case when r.arm = 'control' then null else f.course_listing_key end
            as first_course_listing_key,
        -- an answer of an unknown application names no person
        r.participant_key is not null as has_person
    from responses as r
    left join first_courses as f on r.application_id = f.application_id
),

-- One row per person and cell first: the counts of people below become plain sums, instead of
-- distinct aggregates over every answer. A person has one application, hence one first
-- course, per wave, so cells of one course category in mart_outcomes add up to its people.
-- Grouped by the application (twelve characters), which within a wave stands for its person,
-- rather than by the 64-character participant_key (macros/people.sql); answers of an unknown
-- application (no person) are summed but counted as nobody, as before.
per_person as (
    select
        wave_number,
        province_code_bps,
        gender,
        first_course_listing_key,
        survey_type,
        arm,
        application_id,
        has_person,
        max(case when is_employed then 1 else 0 end) as employed,
        max(case when has_new_job then 1 else 0 end) as new_job,
        max(case when started_business then 1 else 0 end) as started_business,
        max(case when skills_improved then 1 else 0 end) as skills_improved,
        sum(monthly_income_rp) as income_sum,
        count(monthly_income_rp) as income_answers
    from labelled
    group by wave_number, province_code_bps, gender, first_course_listing_key, survey_type, arm,
        application_id, has_person
)

select
    cast(wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(province_code_bps as {{ dbt.type_string() }}) as province_code_bps,
    cast(gender as {{ dbt.type_string() }}) as gender,
    cast(first_course_listing_key as {{ dbt.type_string() }}) as first_course_listing_key,
    cast(survey_type as {{ dbt.type_string() }}) as survey_type,
    cast(arm as {{ dbt.type_string() }}) as arm,
    {{ to_count(people_in_wave('has_person')) }} as respondents,
    {{ to_count('sum(case when has_person then employed else 0 end)') }} as employed,
    {{ to_count('sum(case when has_person then new_job else 0 end)') }} as new_job,
    {{ to_count('sum(case when has_person then started_business else 0 end)') }}
        as started_business,
    {{ to_count('sum(case when has_person then skills_improved else 0 end)') }} as skills_improved,
    cast(sum(income_sum) as decimal(38,2)) as income_sum_rp,
    {{ to_count('sum(income_answers)') }} as income_answers,
    cast(max(wave_source_loaded_at) as {{ dbt.type_timestamp() }}) as source_loaded_at
from per_person
left join wave_loads on per_person.wave_number = wave_loads.loads_wave_number
group by wave_number, province_code_bps, gender, first_course_listing_key, survey_type, arm
