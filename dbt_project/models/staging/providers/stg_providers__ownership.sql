with latest as (
    {{ latest_per_key(source('providers', 'ownership'), ['kode_lembaga', 'kode_platform']) }}
)

select
    cast(kode_lembaga as {{ dbt.type_string() }}) as provider_code,
    cast(kode_platform as {{ dbt.type_string() }}) as platform_code,
    {{ translate('hubungan', {
        'milik_platform': 'owned_by_platform',
        'afiliasi': 'affiliated',
        'pemegang_saham_sama': 'common_shareholder',
    }) }} as relationship
from latest
