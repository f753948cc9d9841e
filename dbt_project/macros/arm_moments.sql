{#- Per-arm count, mean and sample variance of `value`, for rows with a 0/1 `treated` column:
    the moments every balance and effect estimate in marts/impact starts from. -#}
{% macro arm_moments(value) -%}
        sum(case when treated = 1 then 1 else 0 end) as n_t,
        sum(case when treated = 0 then 1 else 0 end) as n_c,
        avg(case when treated = 1 then {{ value }} end) as mean_t,
        avg(case when treated = 0 then {{ value }} end) as mean_c,
        var_samp(case when treated = 1 then {{ value }} end) as var_t,
        var_samp(case when treated = 0 then {{ value }} end) as var_c
{%- endmacro %}
