-- Counts in the marts add up to the facts. People are counted once per cell; a person lives in
-- one province with one gender and age band per wave, so cells of a wave add up to the wave.
-- A person applies to a wave at most once (unique participant_key + wave_number on
-- fct_applications), so people per wave are applications: plain counts here, not a distinct
-- over 40 M 64-character keys (that ran out of memory at national scale).
with checks as (
    select
        'mart_wave_funnel.registered' as measure,
        (select sum(registered) from {{ ref('mart_wave_funnel') }}) as mart_count,
        (select count(*) from {{ ref('fct_applications') }}) as fact_count
    union all
    select
        'mart_wave_funnel.net_beneficiaries',
        (select sum(net_beneficiaries) from {{ ref('mart_wave_funnel') }}),
        (select count(*) from {{ ref('fct_applications') }} where is_net_beneficiary)
    union all
    select
        'mart_targeting.beneficiaries',
        (select sum(beneficiaries) from {{ ref('mart_targeting') }}),
        (select sum(net_beneficiaries) from {{ ref('mart_wave_funnel') }})
    union all
    select
        'mart_disbursement.payments_scheduled',
        (select sum(payments_scheduled) from {{ ref('mart_disbursement') }}),
        (select count(*) from {{ ref('fct_incentive_payments') }})
    union all
    select
        'mart_payment_failures.payments',
        (select sum(payments) from {{ ref('mart_payment_failures') }}),
        (
            select count(*) from {{ ref('fct_incentive_payments') }}
            where status in ('failed', 'returned')
        )
    union all
    select
        'mart_platform_market.enrollments',
        (select sum(enrollments) from {{ ref('mart_platform_market') }}),
        (select count(*) from {{ ref('fct_enrollments') }})
    union all
    select
        'mart_provider_scorecard.enrollments',
        (select sum(enrollments) from {{ ref('mart_provider_scorecard') }}),
        (select count(*) from {{ ref('fct_enrollments') }})
)

select *
from checks
where coalesce(mart_count, 0) <> coalesce(fact_count, 0)
