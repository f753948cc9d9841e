-- People at each step of the programme funnel, per wave, province, gender and age band.
with progress as (
    select * from {{ ref('int_application_progress') }}
)

{%- set steps = [
    ('registered', 'true'),
    ('verified', 'is_verified'),
    ('eligible', 'is_eligible'),
    ('selected', 'is_selected'),
    ('revoked', 'is_revoked'),
    ('net_beneficiaries', 'is_net_beneficiary'),
    ('bought_training', 'bought_training'),
    ('bought_within_30_days', 'bought_within_30_days'),
    ('completed_training', 'completed_training'),
    ('paid_tranche_1', 'paid_tranche_1'),
    ('paid_tranche_2', 'paid_tranche_2'),
    ('paid_tranche_3', 'paid_tranche_3'),
    ('paid_tranche_4', 'paid_tranche_4'),
    ('paid_all_tranches', 'paid_all_tranches'),
    ('surveyed', 'surveyed'),
] %}

select
    cast(wave_number as {{ dbt.type_int() }}) as wave_number,
    cast(province_code_bps as {{ dbt.type_string() }}) as province_code_bps,
    cast(gender as {{ dbt.type_string() }}) as gender,
    cast(age_band as {{ dbt.type_string() }}) as age_band,
    {%- for name, condition in steps %}
    {{ to_count(people_in_wave(condition)) }}
        as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
from progress
group by wave_number, province_code_bps, gender, age_band
