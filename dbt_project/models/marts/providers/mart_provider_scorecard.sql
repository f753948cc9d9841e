-- Training providers per wave and platform: sales, completion, rating, price, and whether the
-- provider is owned by or affiliated with the platform that sells its courses.
with enrollments as (
    select * from {{ ref('fct_enrollments') }}
),

providers as (
    select * from {{ ref('dim_training_providers') }}
),

platforms as (
    select * from {{ ref('dim_platforms') }}
),

ownership as (
    select provider_code, platform_code from {{ ref('stg_providers__ownership') }}
),

market as (
    select wave_number, platform_code, enrollment_share, hhi
    from {{ ref('mart_platform_market') }}
),

scores as (
    select
        wave_number,
        provider_code,
        platform_code,
        count(*) as enrollments,
        sum(case when is_completed then 1 else 0 end) as completions,
        avg(rating) as avg_rating,
        {{ percentile('price_rp', 0.5) }} as median_price_rp,
        sum(price_rp) as revenue_rp,
        count(distinct course_code) as courses_sold
    from enrollments
    group by wave_number, provider_code, platform_code
)

select
    cast(s.wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(s.provider_code as {{ dbt.type_string() }}) as provider_code,
    cast(s.platform_code as {{ dbt.type_string() }}) as platform_code,
    cast(pr.provider_name as {{ dbt.type_string() }}) as provider_name,
    cast(pl.platform_name as {{ dbt.type_string() }}) as platform_name,
    {{ to_count('s.enrollments') }} as enrollments,
    {{ to_count('s.completions') }} as completions,
    cast(s.completions / cast(s.enrollments as double) as double) as completion_rate,
    cast(s.avg_rating as double) as avg_rating,
    {{ to_rupiah('s.median_price_rp') }} as median_price_rp,
    {{ to_rupiah('s.revenue_rp') }} as revenue_rp,
    {{ to_count('s.courses_sold') }} as courses_sold,
    cast(o.provider_code is not null as boolean) as has_conflict_of_interest,
    cast(m.enrollment_share as double) as platform_enrollment_share,
    cast(m.hhi as double) as platform_hhi
from scores as s
left join providers as pr on s.provider_code = pr.provider_code
left join platforms as pl on s.platform_code = pl.platform_code
left join ownership as o
    on s.provider_code = o.provider_code and s.platform_code = o.platform_code
left join market as m on s.wave_number = m.wave_number and s.platform_code = m.platform_code
