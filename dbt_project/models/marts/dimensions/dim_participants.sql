{{ config(
    materialized=fact_materialization(),
    unique_key='participant_key',
    incremental_strategy=fact_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ save_changed_keys(
        [{'relation': ref('fct_applications'), 'loaded_at': 'source_loaded_at'}],
        key='participant_key',
    ) }}",
    post_hook="{{ drop_changed_keys() }}",
) }}

-- One row per person: attributes as stated in the person's first application. Incremental
-- like the facts: only the people with an application written since the last build are
-- derived again, over all their applications.
-- In a full build `applications` is the whole fact, read twice rather than materialized
-- (macros/portable/not_materialized.sql); in an incremental one it is the few changed people's
-- applications, which DuckDB keeps once for both reads.
with
applications as {{ not_materialized() if not is_incremental() }} (
    select * from {{ ref('fct_applications') }}
    {{ among_changed_keys('participant_key') }}
),

-- each person's first application (earliest registration, ties to the smallest id), taken as
-- its id and joined back: cheaper than ranking every application in a window (36.2 s -> 30.9 s
-- for 29.7 M people, macros/portable/first_by.sql). The join's hash table holds these ids and
-- two values only; the person's key comes from the application side (an application names its
-- person), so the 64-character keys are not stored in it.
people as (
    select
        {{ first_value_by('application_id', ['registered_at', 'application_id']) }}
            as first_application_id,
        min(wave_number) as first_wave_number,
        max(source_loaded_at) as source_loaded_at
    from applications
    group by participant_key
)

select
    a.participant_key,
    a.gender,
    a.birth_year,
    a.age_band,
    a.education,
    a.employment_status,
    a.has_disability,
    a.in_social_registry,
    a.province_code_bps,
    a.regency_code_kemendagri,
    a.is_urban,
    a.nik_province_code_kemendagri,
    p.first_wave_number,
    p.source_loaded_at
from applications as a
inner join people as p on a.application_id = p.first_application_id
