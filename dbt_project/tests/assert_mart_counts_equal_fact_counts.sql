-- Counts in the marts add up to the facts. People are counted once per cell; a person lives in
-- one province with one gender and age band per wave, so cells of a wave add up to the wave.
-- A person applies to a wave at most once (unique participant_key + wave_number on
-- fct_applications), so people per wave are applications: plain counts here, not a distinct
-- over 40 M 64-character keys (that ran out of memory at national scale).
-- The wave-grain marts are compared wave by wave: they are rebuilt a wave at a time
-- (docs/marts.md), so a wave left stale in these measures shows here even when the totals agree.
with application_waves as (
    select
        wave_number,
        count(*) as applications,
        sum(case when is_net_beneficiary then 1 else 0 end) as net_beneficiaries
    from {{ ref('fct_applications') }}
    group by wave_number
),

payment_waves as (
    select wave_number, count(*) as payments
    from {{ ref('fct_incentive_payments') }}
    group by wave_number
),

funnel_waves as (
    select wave_number, sum(registered) as registered, sum(net_beneficiaries) as net_beneficiaries
    from {{ ref('mart_wave_funnel') }}
    group by wave_number
),

targeting_waves as (
    select wave_number, sum(applicants) as applicants, sum(beneficiaries) as beneficiaries
    from {{ ref('mart_targeting') }}
    group by wave_number
),

disbursement_waves as (
    select wave_number, sum(payments_scheduled) as payments
    from {{ ref('mart_disbursement') }}
    group by wave_number
),

per_wave as (
    select
        'mart_wave_funnel.registered' as measure,
        coalesce(m.wave_number, f.wave_number) as wave_number,
        m.registered as mart_count,
        f.applications as fact_count
    from funnel_waves as m
    full outer join application_waves as f on m.wave_number = f.wave_number
    union all
    select
        'mart_wave_funnel.net_beneficiaries',
        coalesce(m.wave_number, f.wave_number),
        m.net_beneficiaries,
        f.net_beneficiaries
    from funnel_waves as m
    full outer join application_waves as f on m.wave_number = f.wave_number
    union all
    select
        'mart_targeting.applicants',
        coalesce(m.wave_number, f.wave_number),
        m.applicants,
        f.applications
    from targeting_waves as m
    full outer join application_waves as f on m.wave_number = f.wave_number
    union all
    select
        'mart_targeting.beneficiaries',
        coalesce(m.wave_number, f.wave_number),
        m.beneficiaries,
        f.net_beneficiaries
    from targeting_waves as m
    full outer join application_waves as f on m.wave_number = f.wave_number
    union all
    select
        'mart_disbursement.payments_scheduled',
        coalesce(m.wave_number, f.wave_number),
        m.payments,
        f.payments
    from disbursement_waves as m
    full outer join payment_waves as f on m.wave_number = f.wave_number
),

totals as (
    select
        'mart_payment_failures.payments' as measure,
        cast(null as {{ dbt.type_int() }}) as wave_number,
        (select sum(payments) from {{ ref('mart_payment_failures') }}) as mart_count,
        (
            select count(*) from {{ ref('fct_incentive_payments') }}
            where status in ('failed', 'returned')
        ) as fact_count
    union all
    select
        'mart_platform_market.enrollments',
        null,
        (select sum(enrollments) from {{ ref('mart_platform_market') }}),
        (select count(*) from {{ ref('fct_enrollments') }})
    union all
    select
        'mart_provider_scorecard.enrollments',
        null,
        (select sum(enrollments) from {{ ref('mart_provider_scorecard') }}),
        (select count(*) from {{ ref('fct_enrollments') }})
)

select * from per_wave
where coalesce(mart_count, 0) <> coalesce(fact_count, 0)
union all
select * from totals
where coalesce(mart_count, 0) <> coalesce(fact_count, 0)
