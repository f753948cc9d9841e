select
    course_listing_key,
    course_code,
    platform_code,
    provider_code,
    title,
    category,
    mode,
    list_price_rp,
    duration_hours,
    listed_from,
    listed_to
from {{ ref('stg_providers__courses') }}
