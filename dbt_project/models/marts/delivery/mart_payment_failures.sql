-- Payments that did not arrive: failed or returned, by reason.
with payments as (
    select * from {{ ref('fct_incentive_payments') }}
    where status in ('failed', 'returned')
)

select
    cast(wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(channel as {{ dbt.type_string() }}) as channel,
    cast(status as {{ dbt.type_string() }}) as status,
    cast(coalesce(failure_reason, 'unknown') as {{ dbt.type_string() }}) as failure_reason,
    {{ to_count('count(*)') }} as payments,
    {{ to_rupiah('sum(amount_rp)') }} as amount_rp,
    {{ to_count('count(distinct participant_key)') }} as participants
from payments
group by wave_number, channel, status, coalesce(failure_reason, 'unknown')
