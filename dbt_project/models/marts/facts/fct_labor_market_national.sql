select
    cast(survey_period as date) as survey_period,
    cast(tpt_percent as decimal(5,2)) as tpt_percent,
    cast(labour_force as {{ dbt.type_bigint() }}) as labour_force,
    cast(employed as {{ dbt.type_bigint() }}) as employed,
    cast(unemployed as {{ dbt.type_bigint() }}) as unemployed
from {{ ref('stg_labour_market__national_labour_force') }}
