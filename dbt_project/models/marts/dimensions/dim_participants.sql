{{ config(
    materialized=fact_materialization(),
    unique_key='participant_key',
    incremental_strategy=fact_incremental_strategy(),
    on_schema_change='fail',
) }}

-- One row per person: attributes as stated in the person's first application. Incremental
-- like the facts: only the people with an application written since the last build are
-- ranked again, over all their applications.
with
{% if is_incremental() -%}
changed as (
    select participant_key from {{ ref('fct_applications') }}
    where {{ loaded_after_watermark('source_loaded_at') }}
),

{% endif -%}
applications as (
    select * from {{ ref('fct_applications') }}
    {% if is_incremental() -%}
    where participant_key in (select participant_key from changed)
    {%- endif %}
),

ranked as (
    select
        applications.*,
        row_number() over (
            partition by participant_key
            order by registered_at, application_id
        ) as application_rank,
        min(wave_number) over (partition by participant_key) as first_wave,
        max(source_loaded_at) over (partition by participant_key) as newest_loaded_at
    from applications
)

select
    participant_key,
    gender,
    birth_year,
    age_band,
    education,
    employment_status,
    has_disability,
    in_social_registry,
    province_code_bps,
    regency_code_kemendagri,
    is_urban,
    nik_province_code_kemendagri,
    first_wave as first_wave_number,
    newest_loaded_at as source_loaded_at
from ranked
where application_rank = 1
