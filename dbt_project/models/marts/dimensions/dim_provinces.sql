with crosswalk as (
    select * from {{ ref('province_crosswalk') }}
),

parents as (
    select nama_provinsi, kode_bps from crosswalk
)

select
    cast(c.kode_bps as {{ dbt.type_string() }}) as province_code_bps,
    cast(c.kode_kemendagri as {{ dbt.type_string() }}) as province_code_kemendagri,
    cast(c.nama_provinsi as {{ dbt.type_string() }}) as province_name,
    cast(coalesce(p.kode_bps, c.kode_bps) as {{ dbt.type_string() }}) as parent_province_code_bps,
    c.new_2022 = 1 as is_new_2022,
    c.codes_differ = 1 as codes_differ
from crosswalk as c
left join parents as p on c.parent_province_pre_2022 = p.nama_provinsi
