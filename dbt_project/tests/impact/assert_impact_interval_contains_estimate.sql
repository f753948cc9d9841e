-- The 95% interval is centred on the estimate and never inverted.
select outcome, wave_scope, dimension, dimension_value, ci_low, difference, ci_high
from {{ ref('mart_impact_estimates') }}
where std_error is not null
    and (ci_low > difference or ci_high < difference or std_error < 0)
