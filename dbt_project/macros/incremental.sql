{#- The large facts and the wave-grain marts are incremental on DuckDB: delete+insert of the
    changed keys (a fact's rows, a mart's waves). Spark without Delta has neither merge nor
    delete+insert, and insert_overwrite without partitions would replace the whole table with
    the new rows only: there they are rebuilt as tables. -#}
{% macro fact_materialization() -%}
    {%- if target.type == 'spark' -%}table{%- else -%}incremental{%- endif -%}
{%- endmacro %}

{% macro fact_incremental_strategy() -%}
    delete+insert
{%- endmacro %}

{#- True for a row loaded after the newest load already in this fact (its watermark). -#}
{% macro loaded_after_watermark(column) -%}
    {{ column }} > (
        select coalesce(max(source_loaded_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
        from {{ this }}
    )
{%- endmacro %}

{#- Rows whose newest contributing load is newer than anything already in the fact. Facts
    combine several raw tables (an application, then its selection decree days later), so the
    newest `_loaded_at` over all of them decides; delete+insert on the key replaces old rows. -#}
{% macro newer_than_loaded(column) -%}
    {%- if is_incremental() -%}
    where {{ loaded_after_watermark(column) }}
    {%- endif -%}
{%- endmacro %}

{#- In an incremental run, keeps only the rows whose key (an application, by default) a
    pre-hook listed in the model's table of changed keys (`save_changed_keys` below: those with
    any contributing row loaded after the watermark). Pruning every input before the joins
    makes an increment cost in proportion to the new loads, not to the whole history;
    `newer_than_loaded` still decides which joined rows are written. -#}
{% macro among_changed_keys(key='application_id') -%}
    {%- if is_incremental() -%}
    where {{ key }} in (select {{ key }} from {{ changed_keys_relation() }})
    {%- endif -%}
{%- endmacro %}

{#- The applications a fact's driving table refers to. Left-joining all applications (40 M at
    national scale, with their 64-character participant keys) to the payments built the join's
    hash table on every application; only the few million named by `relation` can match, so the
    rest are dropped first (fct_incentive_payments: 33 s -> 16-19 s; on survey responses and
    enrollments it measured no gain). In an incremental run the changed applications are fewer
    still and decide alone. -#}
{% macro among_referenced_applications(relation) -%}
    {%- if is_incremental() -%}
    {{ among_changed_keys() }}
    {%- else -%}
    where application_id in (select distinct application_id from {{ relation }})
    {%- endif -%}
{%- endmacro %}

{#- The temporary table holding an incremental model's changed keys (one per model, in the
    connection that builds it). -#}
{% macro changed_keys_relation() -%}
    temp.main.{{ adapter.quote(this.identifier ~ '__changed_keys') }}
{%- endmacro %}

{#- Pre-hook of an incremental model: writes the keys (applications, by default) with any
    contributing row loaded after the model's watermark to a temporary table (`changed_keys_relation`). `inputs`
    lists the relations that contribute, each a dict with `relation`, optionally `loaded_at` (the
    load-time column, default `loaded_at`) and `where` (a further condition, e.g. only completed
    enrollments). A table, not a CTE: DuckDB then knows how few ids there are and skips the
    staging views' row groups that cannot hold them; fct_applications' select of one national
    wave, 800,000 applications among 40 M, took 3.5-4.3 s with the ids as a CTE (also
    materialized) and 0.4 s with them as a table. `key` names another key to list instead
    (dim_participants: the people). Renders nothing in a full build. -#}
{% macro save_changed_keys(inputs, key='application_id') -%}
    {%- if is_incremental() -%}
create or replace temporary table {{ changed_keys_relation() }} as
    {%- for input in inputs %}
    select {{ key }} from {{ input.relation }}
    where {% if input.where %}{{ input.where }} and {% endif -%}
        {{ loaded_after_watermark(input.loaded_at or 'loaded_at') }}
    {%- if not loop.last %}
    union
    {%- endif %}
    {%- endfor %}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook of an incremental model: drops its table of changed keys. -#}
{% macro drop_changed_keys() -%}
    {%- if is_incremental() -%}
drop table if exists {{ changed_keys_relation() }}
    {%- endif -%}
{%- endmacro %}

{#- The `changed_waves` CTE of a wave-grain model (incremental runs only): the waves with a row
    of any of `relations` (the facts it reads) loaded after the model's newest
    `source_loaded_at`. Every cell of such a model sums rows of one wave, so recomputing these
    waves and replacing them whole (delete+insert on wave_number) gives the table a full build
    would; the other waves read nothing. This rests on what ingestion and the facts guarantee:
    raw is append-only with unique keys, a fact row is rewritten (with a newer
    `source_loaded_at`), never deleted, and its wave is its application's, which never changes.
    Then the `wave_loads` CTE (every run): per wave read, the newest `source_loaded_at` among
    all rows of `relations` in that wave, also those the model filters out (a survey incentive
    in a mart of training incentives), with its wave as `loads_wave_number`; each row of the
    wave carries it as its `source_loaded_at`. The newest over the table is then the newest row
    read, so a wave is recomputed once per new load, not every night while a filtered-out row
    is the newest. -#}
{% macro changed_waves(relations) -%}
    {%- if is_incremental() -%}
changed_waves as (
    {%- for relation in relations %}
    select wave_number from {{ relation }}
    where {{ loaded_after_watermark('source_loaded_at') }}
    {%- if not loop.last %}
    union
    {%- endif %}
    {%- endfor %}
),

    {% endif -%}
wave_loads as (
    select wave_number as loads_wave_number, max(source_loaded_at) as wave_source_loaded_at
    from (
        {%- for relation in relations %}
        select wave_number, source_loaded_at from {{ relation }}
        where {{ in_changed_waves() }}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as loads
    group by wave_number
),

{%- endmacro %}

{#- A condition keeping the rows of the changed waves in an incremental run (`true` in a full
    build). Filtering every input before its joins and aggregates keeps a night's cost in
    proportion to the waves it touches. -#}
{% macro in_changed_waves(column='wave_number') -%}
    {%- if is_incremental() -%}
    {{ column }} in (select wave_number from changed_waves)
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}
