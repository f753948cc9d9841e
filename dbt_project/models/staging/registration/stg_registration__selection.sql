with latest as (
    {{ latest_per_key(source('registration', 'selection'), ['id_pendaftaran']) }}
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
from latest
