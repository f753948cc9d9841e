select
    platform_code,
    platform_name,
    platform_type,
    active_from,
    active_to
from {{ ref('stg_providers__platforms') }}
