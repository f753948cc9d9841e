with latest as (
    {{ latest_per_key(source('labour_market', 'tpt_province'), ['kode_bps', 'tahun', 'periode']) }}
)

select
    cast(kode_bps as {{ dbt.type_string() }}) as province_code_bps,
    cast(tahun as {{ dbt.type_int() }}) as survey_year,
    cast(periode as {{ dbt.type_string() }}) as survey_round,
    {{ survey_period('tahun', 'periode') }} as survey_period,
    cast(tpt_persen as decimal(5,2)) as tpt_percent
from latest
