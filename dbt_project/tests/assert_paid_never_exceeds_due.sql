{{ config(meta={'scoped_tests': true}) }}
-- No application is paid more incentive than its scheme makes due: tranches x tranche amount
-- for the training incentive, surveys x survey incentive for the survey incentive. After a
-- passing build, only the applications with a payment written since (touched_since).
with
{{ touched_since('application_id', [ref('fct_incentive_payments')]) }}
payments as (
    select * from {{ ref('fct_incentive_payments') }}
    where status = 'paid' and {{ among_touched('application_id') }}
),

rules as (
    select * from {{ ref('benefit_rules') }}
),

paid as (
    select application_id, scheme, payment_type, sum(amount_rp) as paid_rp
    from payments
    group by application_id, scheme, payment_type
),

due as (
    select
        p.application_id,
        p.payment_type,
        p.paid_rp,
        case p.payment_type
            when 'training_incentive' then r.incentive_tranche_rp * r.incentive_tranches
            when 'survey_incentive' then r.survey_incentive_rp * r.survey_incentives
        end as due_rp
    from paid as p
    left join rules as r on p.scheme = r.scheme
)

select *
from due
where due_rp is null or paid_rp > due_rp
