with waves as (
    select * from {{ ref('wave_calendar') }}
),

rules as (
    select * from {{ ref('benefit_rules') }}
)

select
    cast(w.wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(w.year as {{ dbt.type_int() }}) as year,
    cast(w.scheme as {{ dbt.type_string() }}) as scheme,
    cast(w.planned_open_date as date) as planned_open_date,
    cast(w.registration_open_date as date) as registration_open_date,
    cast(w.registration_close_date as date) as registration_close_date,
    cast(w.selection_date as date) as selection_date,
    cast(w.quota as {{ dbt.type_bigint() }}) as quota,
    cast(w.published_accepted as {{ dbt.type_bigint() }}) as published_accepted,
    -- the 2020 pause: wave 4 was due 28 May 2020 and opened on 8 August 2020
    w.registration_open_date > w.planned_open_date as was_postponed,
    cast({{ dbt.datediff('w.planned_open_date', 'w.registration_open_date', 'day') }}
        as {{ dbt.type_int() }}) as days_postponed,
    cast(w.date_precision as {{ dbt.type_string() }}) as date_precision,
    {{ to_rupiah('r.total_benefit_rp') }} as total_benefit_rp,
    cast(r.incentive_tranches as {{ dbt.type_int() }}) as incentive_tranches,
    cast(r.purchase_deadline_days as {{ dbt.type_int() }}) as purchase_deadline_days
from waves as w
left join rules as r on w.scheme = r.scheme
