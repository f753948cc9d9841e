{{ config(meta={'scoped_tests': true}) }}
-- Nobody receives more than the scheme's cap (benefit_rules.total_benefit_rp) for each of their
-- selections: training bought with the voucher plus incentives paid. After a passing build, only
-- the people with an enrolment or payment written since (macros/tests/increment_scope.sql): a
-- person's verdict changes with the money received, and a rewritten application (a selection
-- or revocation arriving) never lowers a cap, since is_selected never turns false again; a new
-- application adds 3.3 M keys a night to check for nothing (19 s against 7.7 s unscoped).
with
{{ touched_since('participant_key', [ref('fct_enrollments'), ref('fct_incentive_payments')]) }}
rules as (
    select scheme, total_benefit_rp, training_voucher_rp from {{ ref('benefit_rules') }}
),

selections as (
    select a.participant_key, sum(r.total_benefit_rp) as cap_rp
    from {{ ref('fct_applications') }} as a
    inner join rules as r on a.scheme = r.scheme
    where a.is_selected and {{ among_touched('a.participant_key') }}
    group by a.participant_key
),

voucher_spend as (
    select participant_key, sum(price_rp) as spent_rp
    from {{ ref('fct_enrollments') }}
    where {{ among_touched('participant_key') }}
    group by participant_key
),

incentives as (
    select participant_key, sum(amount_rp) as paid_rp
    from {{ ref('fct_incentive_payments') }}
    where status = 'paid' and {{ among_touched('participant_key') }}
    group by participant_key
),

received as (
    select participant_key, spent_rp as amount_rp from voucher_spend
    union all
    select participant_key, paid_rp from incentives
),

totals as (
    select participant_key, sum(amount_rp) as received_rp
    from received
    group by participant_key
)

select t.participant_key, t.received_rp, s.cap_rp
from totals as t
left join selections as s on t.participant_key = s.participant_key
where s.cap_rp is null or t.received_rp > s.cap_rp
