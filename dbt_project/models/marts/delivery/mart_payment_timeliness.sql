{{ config(
    materialized=fact_materialization(),
    incremental_strategy=fact_incremental_strategy(),
    unique_key='wave_number',
    on_schema_change='fail',
    meta={'scoped_tests': false},
) }}
-- How fast the first training incentive arrived after the first completed training, per wave
-- and the channel of that first payment; and the share who received every tranche.
-- Incremental by wave: a night recomputes only the waves with new payments (changed_waves).
with
{{ changed_waves([ref('fct_incentive_payments')]) }}
training_payments as (
    -- `has_person`: whether the payment's application names a person; the counts below need no
    -- more of the 64-character key (one row per application there, and a person applies to a
    -- wave once: macros/people.sql)
    select *, participant_key is not null as has_person
    from {{ ref('fct_incentive_payments') }}
    where payment_type = 'training_incentive' and {{ in_changed_waves() }}
),

rules as (
    select scheme, incentive_tranches from {{ ref('benefit_rules') }}
),

-- per application: the first paid training payment (by date, then tranche, then id) and the
-- number of distinct tranches paid, in one aggregate
paid as (
    select
        application_id,
        {{ first_by(
            ['has_person', 'wave_number', 'scheme', 'channel', 'days_completion_to_payment'],
            ['paid_date', 'tranche', 'payment_id']
        ) }} as first_payment,
        {{ distinct_tranches() }} as tranches_paid
    from training_payments
    where status = 'paid'
    group by application_id
),

first_payments as (
    select
        p.first_payment.has_person as has_person,
        p.first_payment.wave_number as wave_number,
        p.first_payment.channel as channel,
        p.first_payment.days_completion_to_payment as days_completion_to_payment,
        p.tranches_paid >= r.incentive_tranches as has_all_tranches
    from paid as p
    left join rules as r on p.first_payment.scheme = r.scheme
)

select
    cast(wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(channel as {{ dbt.type_string() }}) as channel,
    {{ to_count(people_in_wave('has_person')) }} as participants_paid,
    cast({{ percentile('days_completion_to_payment', 0.5) }} as double)
        as median_days_completion_to_first_payment,
    cast({{ percentile('days_completion_to_payment', 0.9) }} as double)
        as p90_days_completion_to_first_payment,
    {{ to_count(people_in_wave('has_person and has_all_tranches')) }} as paid_all_tranches,
    cast(
        {{ people_in_wave('has_person and has_all_tranches') }}
        / cast({{ people_in_wave('has_person') }} as double)
        as double
    ) as share_paid_all_tranches,
    cast(max(wave_source_loaded_at) as {{ dbt.type_timestamp() }}) as source_loaded_at
from first_payments
left join wave_loads on first_payments.wave_number = wave_loads.loads_wave_number
group by wave_number, channel
