-- mart_impact_estimates has one row per outcome, wave scope and subgroup.
select outcome, wave_scope, dimension, dimension_value, count(*) as rows_per_cell
from {{ ref('mart_impact_estimates') }}
group by outcome, wave_scope, dimension, dimension_value
having count(*) > 1
