-- Survey outcomes by cohort (wave), province, gender, course category, survey and arm, beside
-- the province's open unemployment rate in August of the wave's year.
-- The answers are summed per wave and first course by int_outcomes__wave_cells (incremental
-- by wave); here the course becomes its category and the province's TPT is joined.
with cells as (
    select * from {{ ref('int_outcomes__wave_cells') }}
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

categorised as (
    select
        c.*,
        case
            when c.arm = 'control' then 'none'
            else coalesce(k.category, 'no_training')
        end as course_category
    from cells as c
    left join courses as k on c.first_course_listing_key = k.course_listing_key
),

grouped as (
    select
        c.wave_number,
        c.province_code_bps,
        c.gender,
        c.course_category,
        c.survey_type,
        c.arm,
        min(w.year) as cohort_year,
        sum(c.respondents) as respondents,
        sum(c.employed) as employed,
        sum(c.new_job) as new_job,
        sum(c.started_business) as started_business,
        sum(c.skills_improved) as skills_improved,
        -- the mean over every answer, as avg() would give
        sum(c.income_sum_rp) / cast(nullif(sum(c.income_answers), 0) as double)
            as mean_monthly_income_rp
    from categorised as c
    left join waves as w on c.wave_number = w.wave_number
    group by c.wave_number, c.province_code_bps, c.gender, c.course_category, c.survey_type,
        c.arm
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
