{#- 1 when one of a group's payments meeting `condition` is of `tranche`, else 0. -#}
{% macro tranche_flag(tranche, condition='true') -%}
    max(case when {{ condition }} and tranche = {{ tranche }} then 1 else 0 end)
{%- endmacro %}

{#- The number of distinct tranches among a group's payments meeting `condition`. Tranches are
    1-4 (the delivery contract; tested on fct_incentive_payments), so it is the sum of one flag
    per tranche, not a count(distinct): that took 5 s of mart_wave_funnel's 14 s at national
    scale. The flags are tranche_flag's, so an aggregate that also selects them (as
    mart_wave_funnel does) computes each once. -#}
{% macro distinct_tranches(condition='true') -%}
    {%- for tranche in range(1, 5) -%}
    {{ tranche_flag(tranche, condition) }}{{ ' + ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
