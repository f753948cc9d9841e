-- One row per person: attributes as stated in the person's first application.
with applications as (
    select * from {{ ref('fct_applications') }}
),

ranked as (
    select
        applications.*,
        row_number() over (
            partition by participant_key
            order by registered_at, application_id
        ) as application_rank,
        min(wave_number) over (partition by participant_key) as first_wave
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
    first_wave as first_wave_number
from ranked
where application_rank = 1
