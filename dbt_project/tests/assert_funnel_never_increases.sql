-- A funnel step never holds more people than the step before it, in any cell of the funnel.
with funnel as (
    select * from {{ ref('mart_wave_funnel') }}
),

{%- set chain = [
    ('registered', 'verified'),
    ('verified', 'eligible'),
    ('eligible', 'selected'),
    ('selected', 'net_beneficiaries'),
    ('selected', 'revoked'),
    ('selected', 'bought_training'),
    ('bought_training', 'bought_within_30_days'),
    ('bought_training', 'completed_training'),
    ('completed_training', 'paid_tranche_1'),
    ('completed_training', 'paid_all_tranches'),
    ('selected', 'surveyed'),
] %}

violations as (
    {%- for earlier, later in chain %}
    select
        wave_number, province_code_bps, gender, age_band,
        '{{ later }} > {{ earlier }}' as violation,
        {{ later }} - {{ earlier }} as excess
    from funnel
    where {{ later }} > {{ earlier }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from violations
