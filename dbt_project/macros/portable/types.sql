{#- Money in rupiah: decimal(18,2) everywhere (docs/architecture.md). Spark and DuckDB disagree
    on the precision of sum(decimal), so contracted models cast sums through this macro. -#}
{% macro type_rupiah() -%}
    decimal(18,2)
{%- endmacro %}

{% macro to_rupiah(expression) -%}
    cast({{ expression }} as {{ type_rupiah() }})
{%- endmacro %}

{#- A count of rows or people, as the contracts declare it. -#}
{% macro to_count(expression) -%}
    cast({{ expression }} as {{ dbt.type_bigint() }})
{%- endmacro %}
