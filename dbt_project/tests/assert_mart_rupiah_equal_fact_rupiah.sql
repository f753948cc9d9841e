-- Every rupiah in the marts is a rupiah of the facts: totals agree exactly, and wave by wave
-- for mart_disbursement (rebuilt a wave at a time, docs/marts.md).
with fact_waves as (
    select
        wave_number,
        sum(amount_rp) as scheduled_rp,
        sum(case when status = 'paid' then amount_rp end) as paid_rp
    from {{ ref('fct_incentive_payments') }}
    group by wave_number
),

mart_waves as (
    select
        wave_number,
        sum(amount_scheduled_rp) as scheduled_rp,
        sum(amount_paid_rp) as paid_rp
    from {{ ref('mart_disbursement') }}
    group by wave_number
),

checks as (
    select
        'mart_disbursement.amount_scheduled_rp' as measure,
        coalesce(m.wave_number, f.wave_number) as wave_number,
        m.scheduled_rp as mart_total,
        f.scheduled_rp as fact_total
    from mart_waves as m
    full outer join fact_waves as f on m.wave_number = f.wave_number
    union all
    select
        'mart_disbursement.amount_paid_rp',
        coalesce(m.wave_number, f.wave_number),
        m.paid_rp,
        f.paid_rp
    from mart_waves as m
    full outer join fact_waves as f on m.wave_number = f.wave_number
    union all
    select
        'mart_payment_failures.amount_rp',
        null,
        (select sum(amount_rp) from {{ ref('mart_payment_failures') }}),
        (
            select sum(amount_rp) from {{ ref('fct_incentive_payments') }}
            where status in ('failed', 'returned')
        )
    union all
    select
        'mart_provider_scorecard.revenue_rp',
        null,
        (select sum(revenue_rp) from {{ ref('mart_provider_scorecard') }}),
        (select sum(price_rp) from {{ ref('fct_enrollments') }})
    union all
    select
        'mart_platform_market.revenue_rp',
        null,
        (select sum(revenue_rp) from {{ ref('mart_platform_market') }}),
        (select sum(price_rp) from {{ ref('fct_enrollments') }})
)

select *
from checks
where coalesce(mart_total, 0) <> coalesce(fact_total, 0)
