-- Platform market per wave: enrolment shares and their Herfindahl-Hirschman index
-- (sum of squared percentage shares: 10,000 = one platform sells everything).
with enrollments as (
    select * from {{ ref('fct_enrollments') }}
),

per_platform as (
    select
        wave_number,
        platform_code,
        count(*) as enrollments,
        sum(price_rp) as revenue_rp
    from enrollments
    group by wave_number, platform_code
),

shares as (
    select
        per_platform.*,
        enrollments / cast(sum(enrollments) over (partition by wave_number) as double)
            as enrollment_share
    from per_platform
)

select
    cast(wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(platform_code as {{ dbt.type_string() }}) as platform_code,
    {{ to_count('enrollments') }} as enrollments,
    {{ to_rupiah('revenue_rp') }} as revenue_rp,
    cast(enrollment_share as double) as enrollment_share,
    cast(
        sum((enrollment_share * 100) * (enrollment_share * 100)) over (partition by wave_number)
        as double
    ) as hhi
from shares
