{{ config(severity='warn') }}
-- Each Sakernas round of a programme year counts every net beneficiary of that year once, in
-- both province systems (the 2022 Papua provinces fold into their parents in 34-province rounds).
-- A warning, not an error: a round BPS published without some province leaves that province's
-- beneficiaries out of the round, and the warning names the round.
with coverage as (
    select survey_period, province_system, year, sum(beneficiaries) as beneficiaries
    from {{ ref('mart_province_coverage') }}
    group by survey_period, province_system, year
),

yearly as (
    select w.year, count(distinct a.participant_key) as beneficiaries
    from {{ ref('fct_applications') }} as a
    inner join {{ ref('dim_waves') }} as w on a.wave_number = w.wave_number
    where a.is_net_beneficiary
    group by w.year
)

select c.*, y.beneficiaries as year_beneficiaries
from coverage as c
inner join yearly as y on c.year = y.year
where c.beneficiaries <> y.beneficiaries
