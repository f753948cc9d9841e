{#- A DATE from year, month and day expressions (both engines call it make_date; dispatched so
    an engine without it gets its own form in one place). -#}
{% macro make_date(year, month, day) -%}
    {{ return(adapter.dispatch('make_date', 'prakerja')(year, month, day)) }}
{%- endmacro %}

{% macro default__make_date(year, month, day) -%}
    make_date(cast({{ year }} as {{ dbt.type_int() }}), cast({{ month }} as {{ dbt.type_int() }}), cast({{ day }} as {{ dbt.type_int() }}))
{%- endmacro %}
