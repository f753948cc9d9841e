-- mart_impact_balance has one row per population, wave scope and covariate.
select population, wave_scope, covariate, count(*) as rows_per_cell
from {{ ref('mart_impact_balance') }}
group by population, wave_scope, covariate
having count(*) > 1
