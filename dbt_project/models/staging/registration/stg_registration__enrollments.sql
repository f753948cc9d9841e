-- One row per key without a window: ingestion quarantines a key already loaded
-- (duplicate_key), and the unique test on the key fails the build if that ever breaks.
with delivered as (
    select * from {{ source('registration', 'enrollments') }}
)

select
    cast(id_transaksi as {{ dbt.type_string() }}) as enrollment_id,
    cast(id_pendaftaran as {{ dbt.type_string() }}) as application_id,
    cast(kode_pelatihan as {{ dbt.type_string() }}) as course_code,
    cast(kode_platform as {{ dbt.type_string() }}) as platform_code,
    cast(tanggal_beli as date) as purchased_date,
    {{ to_rupiah('harga') }} as price_rp,
    status = 'selesai' as is_completed,
    cast(tanggal_selesai as date) as completed_date,
    cast(nilai_ulasan as {{ dbt.type_int() }}) as rating,
    cast(_load_id as {{ dbt.type_string() }}) as load_id,
    cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at
from delivered
