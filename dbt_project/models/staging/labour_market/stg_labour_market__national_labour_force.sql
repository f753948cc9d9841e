with latest as (
    {{ latest_per_key(source('labour_market', 'national_labour_force'), ['periode']) }}
)

-- Delivered in millions of persons; the warehouse counts persons.
select
    {{ make_date(
        "substring(periode, 1, 4)",
        "substring(periode, 6, 2)",
        1,
    ) }} as survey_period,
    cast(tpt_persen as decimal(5,2)) as tpt_percent,
    cast(round(angkatan_kerja_juta * 1000000, 0) as {{ dbt.type_bigint() }}) as labour_force,
    cast(round(bekerja_juta * 1000000, 0) as {{ dbt.type_bigint() }}) as employed,
    cast(round(penganggur_juta * 1000000, 0) as {{ dbt.type_bigint() }}) as unemployed
from latest
