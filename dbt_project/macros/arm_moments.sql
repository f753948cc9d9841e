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

{#- The same moments from rows that stand for `weight` identical observations each (a sample
    collapsed to its distinct values first): n, the weighted mean, and the sample variance from
    the weighted sums of x and x squared (exact for the 0/1 covariates and whole ages this is
    used on). -#}
{% macro weighted_arm_moments(value, weight) -%}
    {%- for arm, flag in [('t', 1), ('c', 0)] %}
        {%- set in_arm = 'case when treated = ' ~ flag ~ ' then ' ~ weight %}
        {%- set n = 'sum(' ~ in_arm ~ ' end)' %}
        {%- set sum_x = 'sum(' ~ in_arm ~ ' * ' ~ value ~ ' end)' %}
        {%- set sum_xx = 'sum(' ~ in_arm ~ ' * ' ~ value ~ ' * ' ~ value ~ ' end)' %}
        coalesce({{ n }}, 0) as n_{{ arm }},
        {{ sum_x }} / {{ n }} as mean_{{ arm }},
        case when {{ n }} > 1 then
            greatest(0.0, ({{ sum_xx }} - {{ sum_x }} * {{ sum_x }} / {{ n }}) / ({{ n }} - 1))
        end as var_{{ arm }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Every row of the CTE `relation` once per reporting cell of the impact marts: everyone
    (dimension 'all') and once per subgroup dimension (a column of `relation`), as `dimension`
    and `dimension_value` before the row's own columns. -#}
{% macro by_reporting_cell(relation, dimensions) -%}
    select 'all' as dimension, 'all' as dimension_value, {{ relation }}.* from {{ relation }}
    {%- for dim in dimensions %}
    union all
    select '{{ dim }}' as dimension, {{ dim }} as dimension_value, {{ relation }}.*
    from {{ relation }}
    {%- endfor %}
{%- endmacro %}
