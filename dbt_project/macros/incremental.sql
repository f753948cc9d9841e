{#- Incremental strategy of the large facts per engine: DuckDB deletes and re-inserts the
    changed keys; Spark without Delta has no merge, so it overwrites the changed partitions
    (the Spark target sets partitioning when it lands). -#}
{% macro fact_incremental_strategy() -%}
    {%- if target.type == 'spark' -%}insert_overwrite{%- else -%}delete+insert{%- endif -%}
{%- endmacro %}

{#- Rows whose newest contributing load is newer than anything already in the fact. Facts
    combine several raw tables (an application, then its selection decree days later), so the
    newest `_loaded_at` over all of them decides; delete+insert on the key replaces old rows. -#}
{% macro newer_than_loaded(column) -%}
    {%- if is_incremental() -%}
    where {{ column }} > (
        select coalesce(max(source_loaded_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
        from {{ this }}
    )
    {%- endif -%}
{%- endmacro %}
