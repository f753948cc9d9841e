-- One row per key without a window: ingestion quarantines a key already loaded
-- (duplicate_key), and the unique test on the key fails the build if that ever breaks.
with delivered as (
    select * from {{ source('registration', 'selection') }}
)

select
    cast(id_pendaftaran as {{ dbt.type_string() }}) as application_id,
    cast(gelombang as {{ dbt.type_int() }}) as wave_number,
    cast(lolos_verifikasi as boolean) as is_verified,
    cast(memenuhi_syarat as boolean) as is_eligible,
    cast(terpilih as boolean) as is_selected,
    cast(tanggal_penetapan as date) as selection_date,
    cast(_load_id as {{ dbt.type_string() }}) as load_id,
    cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at
from delivered
