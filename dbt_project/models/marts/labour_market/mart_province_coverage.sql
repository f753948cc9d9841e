-- Beneficiaries of a year beside the province's unemployed in each Sakernas round of that year.
-- Rounds published for 34 provinces fold the 2022 Papua provinces into their parents, so that
-- beneficiaries and unemployed are counted over the same territory.
with labour as (
    select * from {{ ref('fct_labor_market') }}
    where survey_year >= {{ var('programme_start_year') }}
),

provinces as (
    select * from {{ ref('dim_provinces') }}
),

beneficiaries as (
    select
        a.province_code_bps,
        w.year,
        count(distinct a.participant_key) as beneficiaries
    from {{ ref('fct_applications') }} as a
    inner join {{ ref('dim_waves') }} as w on a.wave_number = w.wave_number
    where a.is_net_beneficiary
    group by a.province_code_bps, w.year
),

-- each delivered province code mapped to the code it is counted under in each system
territories as (
    select province_code_bps, province_code_bps as territory_code, '38' as province_system
    from provinces
    union all
    select province_code_bps, parent_province_code_bps, '34'
    from provinces
),

beneficiaries_by_territory as (
    select
        t.territory_code,
        t.province_system,
        b.year,
        sum(b.beneficiaries) as beneficiaries
    from beneficiaries as b
    inner join territories as t on b.province_code_bps = t.province_code_bps
    group by t.territory_code, t.province_system, b.year
)

select
    cast(l.province_code_bps as {{ dbt.type_string() }}) as province_code_bps,
    cast(l.survey_period as date) as survey_period,
    cast(l.province_system as {{ dbt.type_string() }}) as province_system,
    cast(l.survey_year as {{ dbt.type_int() }}) as year,
    {{ to_count('coalesce(b.beneficiaries, 0)') }} as beneficiaries,
    cast(l.unemployed as {{ dbt.type_bigint() }}) as unemployed,
    cast(l.labour_force as {{ dbt.type_bigint() }}) as labour_force,
    cast(
        case
            when l.unemployed > 0
                then coalesce(b.beneficiaries, 0) * 1000.0 / l.unemployed
        end
        as double
    ) as beneficiaries_per_1000_unemployed,
    cast(l.tpt_percent as decimal(5,2)) as tpt_percent
from labour as l
left join beneficiaries_by_territory as b
    on l.province_code_bps = b.territory_code
    and l.province_system = b.province_system
    and l.survey_year = b.year
