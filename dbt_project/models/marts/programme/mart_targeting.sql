{{ config(
    materialized=fact_materialization(),
    incremental_strategy=fact_incremental_strategy(),
    unique_key='wave_number',
    on_schema_change='fail',
    meta={'scoped_tests': false},
) }}
-- Who the programme reached: beneficiaries (net of revocations) by their situation at
-- registration, beside all applicants, per wave, province, gender and age band.
-- Incremental by wave: a night recomputes only the waves with new applications (changed_waves).
with
{{ changed_waves([ref('fct_applications')]) }}
applications as (
    select * from {{ ref('fct_applications') }}
    where {{ in_changed_waves() }}
)

{%- set beneficiary_measures = [
    ('beneficiaries', 'true'),
    ('not_working', "employment_status in ('laid_off', 'furloughed', 'job_seeker')"),
    ('laid_off', "employment_status = 'laid_off'"),
    ('furloughed', "employment_status = 'furloughed'"),
    ('job_seekers', "employment_status = 'job_seeker'"),
    ('micro_entrepreneurs', "employment_status = 'micro_entrepreneur'"),
    ('employed', "employment_status = 'employed'"),
    ('with_disability', 'has_disability'),
    ('in_social_registry', 'in_social_registry'),
    ('urban', 'is_urban'),
    ('rural', 'not is_urban'),
    ('primary_or_less', "education = 'primary_or_less'"),
] %}

select
    cast(wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(province_code_bps as {{ dbt.type_string() }}) as province_code_bps,
    cast(gender as {{ dbt.type_string() }}) as gender,
    cast(age_band as {{ dbt.type_string() }}) as age_band,
    {{ to_count(people_in_wave()) }} as applicants,
    {{ to_count(people_in_wave("employment_status in ('laid_off', 'furloughed', 'job_seeker')")) }}
        as applicants_not_working,
    {%- for name, condition in beneficiary_measures %}
    {{ to_count(people_in_wave("is_net_beneficiary and " ~ condition)) }}
        as {{ name }},
    {%- endfor %}
    cast(max(wave_source_loaded_at) as {{ dbt.type_timestamp() }}) as source_loaded_at
from applications
left join wave_loads on applications.wave_number = wave_loads.loads_wave_number
group by wave_number, province_code_bps, gender, age_band
