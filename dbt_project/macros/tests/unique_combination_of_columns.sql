{#- Composite primary keys: no two rows share the combination (dbt_utils is unreachable here). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
with duplicates as (
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as occurrences
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
)
select * from duplicates
{% endtest %}
