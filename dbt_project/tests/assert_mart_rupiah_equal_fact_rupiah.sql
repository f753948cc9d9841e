-- Every rupiah in the marts is a rupiah of the facts: totals agree exactly.
with checks as (
    select
        'mart_disbursement.amount_scheduled_rp' as measure,
        (select sum(amount_scheduled_rp) from {{ ref('mart_disbursement') }}) as mart_total,
        (select sum(amount_rp) from {{ ref('fct_incentive_payments') }}) as fact_total
    union all
    select
        'mart_disbursement.amount_paid_rp',
        (select sum(amount_paid_rp) from {{ ref('mart_disbursement') }}),
        (select sum(amount_rp) from {{ ref('fct_incentive_payments') }} where status = 'paid')
    union all
    select
        'mart_payment_failures.amount_rp',
        (select sum(amount_rp) from {{ ref('mart_payment_failures') }}),
        (
            select sum(amount_rp) from {{ ref('fct_incentive_payments') }}
            where status in ('failed', 'returned')
        )
    union all
    select
        'mart_provider_scorecard.revenue_rp',
        (select sum(revenue_rp) from {{ ref('mart_provider_scorecard') }}),
        (select sum(price_rp) from {{ ref('fct_enrollments') }})
    union all
    select
        'mart_platform_market.revenue_rp',
        (select sum(revenue_rp) from {{ ref('mart_platform_market') }}),
        (select sum(price_rp) from {{ ref('fct_enrollments') }})
)

select *
from checks
where coalesce(mart_total, 0) <> coalesce(fact_total, 0)
