{{ config(
    materialized=fact_materialization(),
    unique_key='payment_id',
    incremental_strategy=fact_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ save_changed_keys([
        {'relation': ref('stg_registration__payments')},
        {'relation': ref('fct_applications'), 'loaded_at': 'source_loaded_at'},
        {'relation': ref('stg_registration__enrollments'), 'where': 'is_completed'},
    ]) }}",
    post_hook="{{ drop_changed_keys() }}",
) }}

with
payments as (
    select * from {{ ref('stg_registration__payments') }}
    {{ among_changed_keys() }}
),

applications as (
    select * from {{ ref('fct_applications') }}
    {{ among_referenced_applications(ref('stg_registration__payments')) }}
),

enrollments as (
    select * from {{ ref('stg_registration__enrollments') }}
    {{ among_changed_keys() }}
),

-- the training incentive is due after the first completed training of the application
completions as (
    select
        application_id,
        min(completed_date) as first_completed_date,
        max(loaded_at) as loaded_at
    from enrollments
    where is_completed
    group by application_id
),

joined as (
    select
        p.payment_id,
        p.application_id,
        a.participant_key,
        a.wave_number,
        a.province_code_bps,
        a.scheme,
        p.payment_type,
        p.tranche,
        p.channel,
        p.amount_rp,
        p.scheduled_date,
        p.paid_date,
        p.status,
        p.failure_reason,
        c.first_completed_date,
        case
            when p.paid_date is not null and c.first_completed_date is not null
                then {{ dbt.datediff('c.first_completed_date', 'p.paid_date', 'day') }}
        end as days_completion_to_payment,
        case
            when a.source_loaded_at > p.loaded_at
                and a.source_loaded_at >= coalesce(c.loaded_at, a.source_loaded_at)
                then a.source_loaded_at
            when c.loaded_at > p.loaded_at then c.loaded_at
            else p.loaded_at
        end as source_loaded_at
    from payments as p
    left join applications as a on p.application_id = a.application_id
    left join completions as c on p.application_id = c.application_id
)

select
    cast(payment_id as {{ dbt.type_string() }}) as payment_id,
    cast(application_id as {{ dbt.type_string() }}) as application_id,
    cast(participant_key as {{ dbt.type_string() }}) as participant_key,
    cast(wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(province_code_bps as {{ dbt.type_string() }}) as province_code_bps,
    cast(scheme as {{ dbt.type_string() }}) as scheme,
    cast(payment_type as {{ dbt.type_string() }}) as payment_type,
    cast(tranche as {{ dbt.type_int() }}) as tranche,
    cast(channel as {{ dbt.type_string() }}) as channel,
    {{ to_rupiah('amount_rp') }} as amount_rp,
    cast(scheduled_date as date) as scheduled_date,
    cast(paid_date as date) as paid_date,
    cast(status as {{ dbt.type_string() }}) as status,
    cast(failure_reason as {{ dbt.type_string() }}) as failure_reason,
    cast(first_completed_date as date) as first_completed_date,
    cast(days_completion_to_payment as {{ dbt.type_int() }}) as days_completion_to_payment,
    cast(source_loaded_at as {{ dbt.type_timestamp() }}) as source_loaded_at
from joined
{{ newer_than_loaded('source_loaded_at') }}
