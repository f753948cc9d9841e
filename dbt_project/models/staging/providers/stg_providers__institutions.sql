with latest as (
    {{ latest_per_key(source('providers', 'institutions'), ['kode_lembaga']) }}
)

select
    cast(kode_lembaga as {{ dbt.type_string() }}) as provider_code,
    cast(nama_lembaga as {{ dbt.type_string() }}) as provider_name,
    cast(kode_provinsi as {{ dbt.type_string() }}) as province_code_kemendagri,
    {{ translate('jenis_lembaga', {
        'swasta': 'private',
        'pemerintah': 'government',
        'perguruan_tinggi': 'university',
    }) }} as provider_type,
    cast(tanggal_terdaftar as date) as registered_date
from latest
