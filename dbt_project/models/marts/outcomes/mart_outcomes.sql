-- Survey outcomes by cohort (wave), province, gender, course category, survey and arm, beside
-- the province's open unemployment rate in August of the wave's year.
with responses as (
    select * from {{ ref('fct_survey_responses') }}
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
    ) as ranked
    where purchase_rank = 1
),

courses as (
    select course_listing_key, category from {{ ref('dim_courses') }}
),

waves as (
    select wave_number, year from {{ ref('dim_waves') }}
),

provinces as (
    select province_code_bps, parent_province_code_bps from {{ ref('dim_provinces') }}
),

august_tpt as (
    select province_code_bps, survey_year, province_system, tpt_percent
    from {{ ref('fct_labor_market') }}
    where survey_round = 'Aug'
),

labelled as (
    select
        r.*,
        w.year as cohort_year,
        case
            when r.arm = 'control' then 'none'
            else coalesce(c.category, 'no_training')
        end as course_category
    from responses as r
    left join waves as w on r.wave_number = w.wave_number
    left join first_courses as f on r.application_id = f.application_id
    left join courses as c on f.course_listing_key = c.course_listing_key
),

-- One row per person and cell first: the five distinct counts of people below become plain
-- sums, instead of five distinct aggregates over every answer.
per_person as (
    select
        wave_number,
        province_code_bps,
        gender,
        course_category,
        survey_type,
        arm,
        participant_key,
        min(cohort_year) as cohort_year,
        max(case when is_employed then 1 else 0 end) as employed,
        max(case when has_new_job then 1 else 0 end) as new_job,
        max(case when started_business then 1 else 0 end) as started_business,
        max(case when skills_improved then 1 else 0 end) as skills_improved,
        sum(monthly_income_rp) as income_sum,
        count(monthly_income_rp) as income_answers
    from labelled
    group by wave_number, province_code_bps, gender, course_category, survey_type, arm,
        participant_key
),

grouped as (
    select
        wave_number,
        province_code_bps,
        gender,
        course_category,
        survey_type,
        arm,
        min(cohort_year) as cohort_year,
        count(participant_key) as respondents,
        sum(case when participant_key is not null then employed else 0 end) as employed,
        sum(case when participant_key is not null then new_job else 0 end) as new_job,
        sum(case when participant_key is not null then started_business else 0 end)
            as started_business,
        sum(case when participant_key is not null then skills_improved else 0 end)
            as skills_improved,
        -- the mean over every answer, as avg() would give
        sum(income_sum) / cast(nullif(sum(income_answers), 0) as double)
            as mean_monthly_income_rp
    from per_person
    group by wave_number, province_code_bps, gender, course_category, survey_type, arm
)

select
    cast(g.wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(g.province_code_bps as {{ dbt.type_string() }}) as province_code_bps,
    cast(g.gender as {{ dbt.type_string() }}) as gender,
    cast(g.course_category as {{ dbt.type_string() }}) as course_category,
    cast(g.survey_type as {{ dbt.type_string() }}) as survey_type,
    cast(g.arm as {{ dbt.type_string() }}) as arm,
    {{ to_count('g.respondents') }} as respondents,
    {{ to_count('g.employed') }} as employed,
    {{ to_count('g.new_job') }} as new_job,
    {{ to_count('g.started_business') }} as started_business,
    {{ to_count('g.skills_improved') }} as skills_improved,
    {{ to_rupiah('g.mean_monthly_income_rp') }} as mean_monthly_income_rp,
    -- the province itself, or its pre-2022 parent in rounds published for 34 provinces
    cast(coalesce(own.tpt_percent, parent.tpt_percent) as decimal(5,2)) as province_tpt_percent
from grouped as g
left join provinces as p on g.province_code_bps = p.province_code_bps
left join august_tpt as own
    on g.province_code_bps = own.province_code_bps and g.cohort_year = own.survey_year
left join august_tpt as parent
    on p.parent_province_code_bps = parent.province_code_bps
    and g.cohort_year = parent.survey_year
