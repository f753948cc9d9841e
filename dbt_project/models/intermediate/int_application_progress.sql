-- One row per application: how far it went after selection (training, incentives, surveys).
with applications as (
    select * from {{ ref('fct_applications') }}
),

rules as (
    select scheme, incentive_tranches from {{ ref('benefit_rules') }}
),

enrollments as (
    select
        application_id,
        count(*) as purchases,
        max(case when bought_within_30_days then 1 else 0 end) as bought_within_30_days,
        max(case when is_completed then 1 else 0 end) as completed
    from {{ ref('fct_enrollments') }}
    group by application_id
),

training_payments as (
    select
        application_id,
        {{ distinct_tranches("status = 'paid'") }} as tranches_paid,
        {{ tranche_flag(1, "status = 'paid'") }} as paid_tranche_1,
        {{ tranche_flag(2, "status = 'paid'") }} as paid_tranche_2,
        {{ tranche_flag(3, "status = 'paid'") }} as paid_tranche_3,
        {{ tranche_flag(4, "status = 'paid'") }} as paid_tranche_4
    from {{ ref('fct_incentive_payments') }}
    where payment_type = 'training_incentive'
    group by application_id
),

surveys as (
    select application_id, count(*) as responses
    from {{ ref('fct_survey_responses') }}
    where arm = 'treatment'
    group by application_id
)

select
    a.application_id,
    a.participant_key,
    a.wave_number,
    a.province_code_bps,
    a.gender,
    a.age_band,
    a.is_verified,
    a.is_eligible,
    a.is_selected,
    a.is_revoked,
    a.is_net_beneficiary,
    coalesce(e.purchases, 0) > 0 as bought_training,
    coalesce(e.bought_within_30_days, 0) = 1 as bought_within_30_days,
    coalesce(e.completed, 0) = 1 as completed_training,
    coalesce(p.paid_tranche_1, 0) = 1 as paid_tranche_1,
    coalesce(p.paid_tranche_2, 0) = 1 as paid_tranche_2,
    coalesce(p.paid_tranche_3, 0) = 1 as paid_tranche_3,
    coalesce(p.paid_tranche_4, 0) = 1 as paid_tranche_4,
    -- "all tranches" is the scheme's count (4 in the semi-bansos years, 1 from 2023)
    coalesce(p.tranches_paid, 0) >= r.incentive_tranches as paid_all_tranches,
    coalesce(s.responses, 0) > 0 as surveyed
from applications as a
left join rules as r on a.scheme = r.scheme
left join enrollments as e on a.application_id = e.application_id
left join training_payments as p on a.application_id = p.application_id
left join surveys as s on a.application_id = s.application_id
