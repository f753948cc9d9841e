{#- A cast that yields null instead of failing. dbt.safe_cast is a plain cast on DuckDB and
    Spark (STACK.md), so the project keeps its own. -#}
{% macro try_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('try_cast', 'prakerja')(expression, data_type)) }}
{%- endmacro %}

{% macro default__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}
