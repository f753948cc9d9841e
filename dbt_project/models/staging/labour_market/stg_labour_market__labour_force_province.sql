{%- set raw_columns = {
    'kode_bps': dbt.type_string(),
    'provinsi': dbt.type_string(),
    'tahun': dbt.type_int(),
    'periode': dbt.type_string(),
    'angkatan_kerja': dbt.type_bigint(),
    'penganggur': dbt.type_bigint(),
    '_load_id': dbt.type_string(),
    '_row_number': dbt.type_bigint(),
    '_loaded_at': dbt.type_timestamp(),
} -%}

with latest as (
    {{ latest_per_key(
        source_or_empty('labour_market', 'labour_force_province', raw_columns),
        ['kode_bps', 'tahun', 'periode'],
    ) }}
)

select
    cast(kode_bps as {{ dbt.type_string() }}) as province_code_bps,
    cast(tahun as {{ dbt.type_int() }}) as survey_year,
    cast(periode as {{ dbt.type_string() }}) as survey_round,
    {{ survey_period('tahun', 'periode') }} as survey_period,
    cast(angkatan_kerja as {{ dbt.type_bigint() }}) as labour_force,
    cast(penganggur as {{ dbt.type_bigint() }}) as unemployed
from latest
