{#- dbt.listagg on Spark: dbt-spark ignores the order_by clause (collect_list keeps no order), so
    the same model gives 'A,B' on DuckDB and 'B,A' on Spark. When the list is ordered by the
    measure itself (`order by x`, `order by x desc`), sorting the collected array gives the
    DuckDB result; any other ordering still warns, as dbt-spark does. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- set collected = 'collect_list(' ~ measure ~ ')' -%}
  {%- if order_by_clause -%}
    {%- set words = order_by_clause.strip().lower().split() -%}
    {%- if words[:2] == ['order', 'by'] and words[2:3] == [measure.strip().lower()]
          and words[3:] in ([], ['asc'], ['desc']) -%}
      {%- set collected = 'array_sort(' ~ collected ~ ')' -%}
      {%- if words[3:] == ['desc'] -%}
        {%- set collected = 'reverse(' ~ collected ~ ')' -%}
      {%- endif -%}
    {%- else -%}
      {{ exceptions.warn("order_by_clause '" ~ order_by_clause ~ "' is not supported for listagg on Spark") }}
    {%- endif -%}
  {%- endif -%}
  {%- if limit_num -%}
    {%- set collected = 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' -%}
  {%- endif -%}
  array_join({{ collected }}, {{ delimiter_text }})
{%- endmacro %}
