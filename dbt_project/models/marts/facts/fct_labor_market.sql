with tpt as (
    select * from {{ ref('stg_labour_market__tpt_province') }}
),

counts as (
    select * from {{ ref('stg_labour_market__labour_force_province') }}
),

provinces as (
    select kode_bps, new_2022 from {{ ref('province_crosswalk') }}
),

keys as (
    select province_code_bps, survey_period from tpt
    union
    select province_code_bps, survey_period from counts
),

-- a round is in the 38-province system once BPS reports any of the 2022 Papua provinces
period_systems as (
    select
        k.survey_period,
        max(case when p.new_2022 = 1 then 1 else 0 end) as has_new_provinces
    from keys as k
    left join provinces as p on k.province_code_bps = p.kode_bps
    group by k.survey_period
)

select
    cast(k.province_code_bps as {{ dbt.type_string() }}) as province_code_bps,
    cast(k.survey_period as date) as survey_period,
    cast(extract(year from k.survey_period) as {{ dbt.type_int() }}) as survey_year,
    cast(case extract(month from k.survey_period) when 2 then 'Feb' else 'Aug' end
        as {{ dbt.type_string() }}) as survey_round,
    cast(t.tpt_percent as decimal(5,2)) as tpt_percent,
    cast(c.labour_force as {{ dbt.type_bigint() }}) as labour_force,
    cast(c.unemployed as {{ dbt.type_bigint() }}) as unemployed,
    cast(case when s.has_new_provinces = 1 then '38' else '34' end as {{ dbt.type_string() }})
        as province_system
from keys as k
inner join period_systems as s on k.survey_period = s.survey_period
left join tpt as t
    on k.province_code_bps = t.province_code_bps and k.survey_period = t.survey_period
left join counts as c
    on k.province_code_bps = c.province_code_bps and k.survey_period = c.survey_period
