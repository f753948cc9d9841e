{{ config(
    materialized=fact_materialization(),
    incremental_strategy=fact_incremental_strategy(),
    unique_key='wave_number',
    on_schema_change='fail',
    meta={'scoped_tests': false},
) }}
-- Rupiah scheduled, paid, failed and returned per wave, province, channel, type and tranche.
-- Incremental by wave: a night recomputes only the waves with new payments (changed_waves).
with
{{ changed_waves([ref('fct_incentive_payments')]) }}
payments as (
    select * from {{ ref('fct_incentive_payments') }}
    where {{ in_changed_waves() }}
)

select
    cast(wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(province_code_bps as {{ dbt.type_string() }}) as province_code_bps,
    cast(channel as {{ dbt.type_string() }}) as channel,
    cast(payment_type as {{ dbt.type_string() }}) as payment_type,
    cast(tranche as {{ dbt.type_int() }}) as tranche,
    {{ to_count('count(distinct participant_key)') }} as participants,
    {{ to_count('count(*)') }} as payments_scheduled,
    {{ to_count("sum(case when status = 'paid' then 1 else 0 end)") }} as payments_paid,
    {{ to_count("sum(case when status = 'failed' then 1 else 0 end)") }} as payments_failed,
    {{ to_count("sum(case when status = 'returned' then 1 else 0 end)") }} as payments_returned,
    {{ to_rupiah('sum(amount_rp)') }} as amount_scheduled_rp,
    {{ to_rupiah("coalesce(sum(case when status = 'paid' then amount_rp end), 0)") }}
        as amount_paid_rp,
    {{ to_rupiah("coalesce(sum(case when status = 'failed' then amount_rp end), 0)") }}
        as amount_failed_rp,
    {{ to_rupiah("coalesce(sum(case when status = 'returned' then amount_rp end), 0)") }}
        as amount_returned_rp,
    cast(max(wave_source_loaded_at) as {{ dbt.type_timestamp() }}) as source_loaded_at
from payments
left join wave_loads on payments.wave_number = wave_loads.loads_wave_number
group by wave_number, province_code_bps, channel, payment_type, tranche
