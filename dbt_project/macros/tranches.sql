{#- The number of distinct tranches among a group's payments meeting `condition`. Tranches are
    1-4 (the delivery contract; tested on fct_incentive_payments), so it is the sum of one flag
    per tranche, not a count(distinct): that took 5 s of mart_wave_funnel's 14 s at national
    scale. Each flag is written as int_application_progress writes its paid_tranche_N, so an
    aggregate holding both computes each once. -#}
{% macro distinct_tranches(condition='true') -%}
    {%- for tranche in range(1, 5) -%}
    max(case when {{ condition }} and tranche = {{ tranche }} then 1 else 0 end)
    {{- ' + ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
