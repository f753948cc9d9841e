with latest as (
    {{ latest_per_key(source('providers', 'platforms'), ['kode_platform']) }}
)

select
    cast(kode_platform as {{ dbt.type_string() }}) as platform_code,
    cast(nama_platform as {{ dbt.type_string() }}) as platform_name,
    {{ translate('jenis', {'swasta': 'private', 'pemerintah': 'government'}) }} as platform_type,
    cast(tanggal_mulai as date) as active_from,
    cast(tanggal_berakhir as date) as active_to
from latest
