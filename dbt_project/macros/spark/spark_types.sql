{#- Type names written once for both engines (contracts' data_type, seeds' column_types) that
    Spark spells differently. Spark 3.5 rejects a VARCHAR without a length
    ([DATATYPE_MISSING_SIZE]) and has no TIMESTAMPTZ; every other type the project declares
    (integer, bigint, double, boolean, date, timestamp, decimal(p,s)) it reads as written.
    Used only by the spark__ macros in this folder. -#}
{% macro spark_type_name(data_type) -%}
    {%- set name = (data_type | string).strip() -%}
    {%- set lowered = name.lower() -%}
    {%- if lowered in ('varchar', 'text', 'character varying', 'bpchar', 'string')
          or lowered.startswith('varchar(') or lowered.startswith('character varying(') -%}
        string
    {%- elif lowered in ('timestamptz', 'timestamp with time zone') -%}
        timestamp
    {%- else -%}
        {{ name }}
    {%- endif -%}
{%- endmacro %}

{#- dbt.cast() on Spark: the contract check builds `cast(null as <data_type>)` for every
    contracted column through this macro, so `data_type: varchar` works on both engines. -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_type_name(type) }})
{%- endmacro %}
