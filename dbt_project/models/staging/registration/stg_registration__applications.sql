-- One row per key without a window: ingestion quarantines a key already loaded
-- (duplicate_key), and the unique test on the key fails the build if that ever breaks.
with delivered as (
    select * from {{ source('registration', 'applications') }}
)

select
    cast(id_pendaftaran as {{ dbt.type_string() }}) as application_id,
    cast(gelombang as {{ dbt.type_int() }}) as wave_number,
    cast(participant_key as {{ dbt.type_string() }}) as participant_key,
    cast(birth_year as {{ dbt.type_int() }}) as birth_year,
    cast(nik_province_code as {{ dbt.type_string() }}) as nik_province_code_kemendagri,
    {{ gender_from_code('jenis_kelamin') }} as gender,
    cast(kode_provinsi as {{ dbt.type_string() }}) as province_code_kemendagri,
    cast(kode_kabkota as {{ dbt.type_string() }}) as regency_code_kemendagri,
    {{ education_from_code('pendidikan') }} as education,
    {{ employment_status_from_code('status_pekerjaan') }} as employment_status,
    cast(disabilitas as boolean) as has_disability,
    cast(terdaftar_dtks as boolean) as in_social_registry,
    cast(waktu_daftar as {{ dbt.type_timestamp() }}) as registered_at,
    cast(_load_id as {{ dbt.type_string() }}) as load_id,
    cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at
from delivered
