{#- `name as {{ not_materialized() }} (...)`: DuckDB materializes a CTE read more than once;
    for a CTE that is a whole large table, reading the table twice is far cheaper than writing
    it out first (dim_participants' full build at national scale, 36.7 M applications: its
    select, timed with `arg_min` as the aggregate, 46.0 s -> 17.3 s; the materialized copy
    spilled 10 GB to disk). Other engines inline CTEs anyway, and Spark has no such hint: it
    renders nothing there. -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'prakerja')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}
