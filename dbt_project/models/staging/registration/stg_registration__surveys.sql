-- One row per key without a window: ingestion quarantines a key already loaded
-- (duplicate_key), and the unique test on the key fails the build if that ever breaks.
with delivered as (
    select * from {{ source('registration', 'surveys') }}
)

select
    cast(id_respon as {{ dbt.type_string() }}) as response_id,
    cast(id_pendaftaran as {{ dbt.type_string() }}) as application_id,
    {{ translate('jenis_survei', {
        'pasca_pelatihan': 'post_training',
        'pasca_insentif': 'post_incentive',
        'evaluasi': 'evaluation',
    }) }} as survey_type,
    {{ translate('kelompok', {'peserta': 'treatment', 'kontrol': 'control'}) }} as arm,
    cast(tanggal_survei as date) as survey_date,
    cast(bekerja as boolean) as is_employed,
    cast(pekerjaan_baru as boolean) as has_new_job,
    {{ to_rupiah('pendapatan_bulanan') }} as monthly_income_rp,
    cast(memulai_usaha as boolean) as started_business,
    cast(keterampilan_meningkat as boolean) as skills_improved,
    cast(_load_id as {{ dbt.type_string() }}) as load_id,
    cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at
from delivered
