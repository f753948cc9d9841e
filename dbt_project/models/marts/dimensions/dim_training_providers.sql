with institutions as (
    select * from {{ ref('stg_providers__institutions') }}
),

ownership as (
    select * from {{ ref('stg_providers__ownership') }}
),

crosswalk as (
    select kode_bps, kode_kemendagri from {{ ref('province_crosswalk') }}
),

conflicts as (
    select
        provider_code,
        {{ dbt.listagg('platform_code', "','", "order by platform_code") }} as conflicted_platforms
    from ownership
    group by provider_code
)

select
    i.provider_code,
    i.provider_name,
    cast(x.kode_bps as {{ dbt.type_string() }}) as province_code_bps,
    i.province_code_kemendagri,
    i.provider_type,
    i.registered_date,
    c.provider_code is not null as has_conflict_of_interest,
    cast(c.conflicted_platforms as {{ dbt.type_string() }}) as conflicted_platforms
from institutions as i
left join crosswalk as x on i.province_code_kemendagri = x.kode_kemendagri
left join conflicts as c on i.provider_code = c.provider_code
