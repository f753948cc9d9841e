{{ config(meta={'scoped_tests': true}) }}
-- Training bought on one application never costs more than the scheme's voucher. After a
-- passing build, only the applications with an enrolment written since (touched_since): the
-- application gives only the scheme, which is its wave's and never changes.
with
{{ touched_since('application_id', [ref('fct_enrollments')]) }}
spend as (
    select e.application_id, a.scheme, sum(e.price_rp) as spent_rp
    from {{ ref('fct_enrollments') }} as e
    inner join {{ ref('fct_applications') }} as a on e.application_id = a.application_id
    where {{ among_touched('e.application_id') }}
    group by e.application_id, a.scheme
)

select s.*, r.training_voucher_rp
from spend as s
left join {{ ref('benefit_rules') }} as r on s.scheme = r.scheme
where r.training_voucher_rp is null or s.spent_rp > r.training_voucher_rp
