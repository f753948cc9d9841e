{{ config(
    materialized=fact_materialization(),
    unique_key='response_id',
    incremental_strategy=fact_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ save_changed_keys([
        {'relation': ref('stg_registration__surveys')},
        {'relation': ref('fct_applications'), 'loaded_at': 'source_loaded_at'},
    ]) }}",
    post_hook="{{ drop_changed_keys() }}",
) }}

with
surveys as (
    select * from {{ ref('stg_registration__surveys') }}
    {{ among_changed_keys() }}
),

applications as (
    select * from {{ ref('fct_applications') }}
    {{ among_changed_keys() }}
),

joined as (
    select
        s.*,
        a.participant_key,
        a.wave_number,
        a.province_code_bps,
        a.gender,
        case
            when a.source_loaded_at > s.loaded_at then a.source_loaded_at
            else s.loaded_at
        end as source_loaded_at
    from surveys as s
    left join applications as a on s.application_id = a.application_id
)

select
    cast(response_id as {{ dbt.type_string() }}) as response_id,
    cast(application_id as {{ dbt.type_string() }}) as application_id,
    cast(participant_key as {{ dbt.type_string() }}) as participant_key,
    cast(wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(province_code_bps as {{ dbt.type_string() }}) as province_code_bps,
    cast(gender as {{ dbt.type_string() }}) as gender,
    cast(survey_type as {{ dbt.type_string() }}) as survey_type,
    cast(arm as {{ dbt.type_string() }}) as arm,
    cast(survey_date as date) as survey_date,
    cast(is_employed as boolean) as is_employed,
    cast(has_new_job as boolean) as has_new_job,
    {{ to_rupiah('monthly_income_rp') }} as monthly_income_rp,
    cast(started_business as boolean) as started_business,
    cast(skills_improved as boolean) as skills_improved,
    cast(source_loaded_at as {{ dbt.type_timestamp() }}) as source_loaded_at
from joined
{{ newer_than_loaded('source_loaded_at') }}
