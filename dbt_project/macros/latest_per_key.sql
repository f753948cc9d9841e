{#- Rows of a raw table, one per primary key: the latest load wins (then the latest file row).
    Ingestion already quarantines a key repeated across loads; this keeps staging correct even
    if a correction is ever re-delivered on purpose. Portable: a row_number subquery, no QUALIFY. -#}
{% macro latest_per_key(relation, key_columns) -%}
    select ranked.*
    from (
        select
            src.*,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by src._loaded_at desc, src._load_id desc, src._row_number desc
            ) as _key_rank
        from {{ relation }} as src
    ) as ranked
    where ranked._key_rank = 1
{%- endmacro %}
