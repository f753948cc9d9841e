{{ config(
    materialized=fact_materialization(),
    unique_key='enrollment_id',
    incremental_strategy=fact_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ save_changed_keys([
        {'relation': ref('stg_registration__enrollments')},
        {'relation': ref('fct_applications'), 'loaded_at': 'source_loaded_at'},
    ]) }}",
    post_hook="{{ drop_changed_keys() }}",
) }}

with
enrollments as (
    select * from {{ ref('stg_registration__enrollments') }}
    {{ among_changed_keys() }}
),

applications as (
    select * from {{ ref('fct_applications') }}
    {{ among_changed_keys() }}
),

courses as (
    select * from {{ ref('stg_providers__courses') }}
),

rules as (
    select scheme, purchase_deadline_days from {{ ref('benefit_rules') }}
),

joined as (
    select
        e.enrollment_id,
        e.application_id,
        a.participant_key,
        a.wave_number,
        {{ course_listing_key('e.course_code', 'e.platform_code') }} as course_listing_key,
        e.course_code,
        e.platform_code,
        c.provider_code,
        e.purchased_date,
        e.price_rp,
        e.is_completed,
        e.completed_date,
        e.rating,
        {{ dbt.datediff('a.selection_date', 'e.purchased_date', 'day') }}
            as days_selection_to_purchase,
        r.purchase_deadline_days,
        case
            when a.source_loaded_at > e.loaded_at then a.source_loaded_at
            else e.loaded_at
        end as source_loaded_at
    from enrollments as e
    left join applications as a on e.application_id = a.application_id
    left join courses as c
        on e.course_code = c.course_code and e.platform_code = c.platform_code
    left join rules as r on a.scheme = r.scheme
)

select
    cast(enrollment_id as {{ dbt.type_string() }}) as enrollment_id,
    cast(application_id as {{ dbt.type_string() }}) as application_id,
    cast(participant_key as {{ dbt.type_string() }}) as participant_key,
    cast(wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(course_listing_key as {{ dbt.type_string() }}) as course_listing_key,
    cast(course_code as {{ dbt.type_string() }}) as course_code,
    cast(platform_code as {{ dbt.type_string() }}) as platform_code,
    cast(provider_code as {{ dbt.type_string() }}) as provider_code,
    cast(purchased_date as date) as purchased_date,
    {{ to_rupiah('price_rp') }} as price_rp,
    cast(is_completed as boolean) as is_completed,
    cast(completed_date as date) as completed_date,
    cast(rating as {{ dbt.type_int() }}) as rating,
    cast(days_selection_to_purchase as {{ dbt.type_int() }}) as days_selection_to_purchase,
    cast(days_selection_to_purchase <= purchase_deadline_days as boolean)
        as bought_within_30_days,
    cast(source_loaded_at as {{ dbt.type_timestamp() }}) as source_loaded_at
from joined
{{ newer_than_loaded('source_loaded_at') }}
