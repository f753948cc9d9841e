{{ config(
    materialized=fact_materialization(),
    unique_key='application_id',
    incremental_strategy=fact_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ save_changed_keys([
        {'relation': ref('stg_registration__applications')},
        {'relation': ref('stg_registration__selection')},
        {'relation': ref('stg_registration__revocations')},
    ]) }}",
    post_hook="{{ drop_changed_keys() }}",
) }}

with
applications as (
    select * from {{ ref('stg_registration__applications') }}
    {{ among_changed_keys() }}
),

selection as (
    select * from {{ ref('stg_registration__selection') }}
    {{ among_changed_keys() }}
),

revocations as (
    select * from {{ ref('stg_registration__revocations') }}
    {{ among_changed_keys() }}
),

crosswalk as (
    select kode_bps, kode_kemendagri from {{ ref('province_crosswalk') }}
),

waves as (
    select wave_number, year, scheme from {{ ref('wave_calendar') }}
),

joined as (
    select
        a.application_id,
        a.participant_key,
        a.wave_number,
        a.registered_at,
        -- Kemendagri and BPS codes differ in Papua: join only through the crosswalk
        x.kode_bps as province_code_bps,
        a.province_code_kemendagri,
        a.regency_code_kemendagri,
        a.nik_province_code_kemendagri,
        a.gender,
        a.birth_year,
        cast(extract(year from a.registered_at) as {{ dbt.type_int() }}) - a.birth_year
            as age_at_registration,
        a.education,
        a.employment_status,
        a.has_disability,
        a.in_social_registry,
        {{ is_city_regency('a.regency_code_kemendagri') }} as is_urban,
        coalesce(s.is_verified, false) as is_verified,
        coalesce(s.is_eligible, false) as is_eligible,
        coalesce(s.is_selected, false) as is_selected,
        s.selection_date,
        r.application_id is not null as is_revoked,
        r.revoked_date,
        r.revocation_reason,
        w.scheme,
        -- the newest load that contributed to this row drives the incremental refresh
        case
            when s.loaded_at > a.loaded_at and s.loaded_at >= coalesce(r.loaded_at, s.loaded_at)
                then s.loaded_at
            when r.loaded_at > a.loaded_at then r.loaded_at
            else a.loaded_at
        end as source_loaded_at
    from applications as a
    left join selection as s on a.application_id = s.application_id
    left join revocations as r on a.application_id = r.application_id
    left join crosswalk as x on a.province_code_kemendagri = x.kode_kemendagri
    left join waves as w on a.wave_number = w.wave_number
)

select
    cast(application_id as {{ dbt.type_string() }}) as application_id,
    cast(participant_key as {{ dbt.type_string() }}) as participant_key,
    cast(wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(registered_at as {{ dbt.type_timestamp() }}) as registered_at,
    cast(province_code_bps as {{ dbt.type_string() }}) as province_code_bps,
    cast(province_code_kemendagri as {{ dbt.type_string() }}) as province_code_kemendagri,
    cast(regency_code_kemendagri as {{ dbt.type_string() }}) as regency_code_kemendagri,
    cast(nik_province_code_kemendagri as {{ dbt.type_string() }}) as nik_province_code_kemendagri,
    cast(gender as {{ dbt.type_string() }}) as gender,
    cast(birth_year as {{ dbt.type_int() }}) as birth_year,
    cast({{ age_band('age_at_registration') }} as {{ dbt.type_string() }}) as age_band,
    cast(education as {{ dbt.type_string() }}) as education,
    cast(employment_status as {{ dbt.type_string() }}) as employment_status,
    cast(has_disability as boolean) as has_disability,
    cast(in_social_registry as boolean) as in_social_registry,
    cast(is_urban as boolean) as is_urban,
    cast(is_verified as boolean) as is_verified,
    cast(is_eligible as boolean) as is_eligible,
    cast(is_selected as boolean) as is_selected,
    cast(selection_date as date) as selection_date,
    cast(is_revoked as boolean) as is_revoked,
    cast(revoked_date as date) as revoked_date,
    cast(revocation_reason as {{ dbt.type_string() }}) as revocation_reason,
    cast(is_selected and not is_revoked as boolean) as is_net_beneficiary,
    cast(scheme as {{ dbt.type_string() }}) as scheme,
    cast(source_loaded_at as {{ dbt.type_timestamp() }}) as source_loaded_at
from joined
{{ newer_than_loaded('source_loaded_at') }}
