{#- Tests scoped to the increment. `prakerja build` passes marks, read by `tests_since()`
    below: a mapping {test unique_id: timestamp}, the tests that passed, in an earlier build,
    on every row of their incremental model up to that load time (prakerja/test_scope.py). A
    test on such a model then reads only the rows written since, instead of the whole 40 M-row
    table, where that proves the same thing:
    - row-level tests judge each row alone, and the older rows were tested when they were
      written and have not been rewritten since;
    - `unique` on the model's own unique_key: delete+insert removed every older row with a key
      it wrote, so a repeated key can only be among the new rows;
    - `unique_combination_of_columns`: a repeated combination that involves a new row is found
      among the rows sharing a combination with a new row (a semi-join on the new rows, so the
      40 M-row table is probed, not grouped); two older rows were tested together when the
      later of them was written.
    Staging views configured `meta={'scoped_tests': true}` (one row per raw row; raw is
    append-only) are scoped the same way on their `loaded_at`: row-level tests, and `unique` as
    the semi-join above (a view has no delete+insert: a repeat of an older key can be a new
    row). test_scope.py drops a view's mark when its definition changed (_definition_hash).
    Singular tests configured `meta={'scoped_tests': true}` read the keys touched since
    (`touched_since` below). Every other test (aggregates, the other singular tests) still reads
    the whole table, and so does every test missing from `tests_since` (a new one, or one whose
    arguments changed: dbt names it anew). -#}

{#- The marks of this build, {test unique_id: timestamp, or {model: timestamp} for a scoped
    singular test}, from the environment variable PRAKERJA_TESTS_SINCE (prakerja/build.py), read
    only at execution. A dbt var would do, but one that changes every night turns dbt's partial
    parsing off (the whole project parsed again, about 3.5 s a build at national scale). -#}
{% macro tests_since() -%}
    {%- if execute -%}
        {%- do return(fromjson(env_var('PRAKERJA_TESTS_SINCE', '{}'))) -%}
    {%- endif -%}
    {%- do return({}) -%}
{%- endmacro %}

{% macro default__get_where_subquery(relation) -%}
    {#- dbt's own version, plus the increment condition -#}
    {%- set conditions = [] -%}
    {%- if config.get('where', '') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- set increment = increment_condition(relation) -%}
    {%- if increment -%}
        {%- do conditions.append(increment) -%}
    {%- endif -%}
    {#- aliased only for a semi-join on the new rows, so that a `where` config naming the table
        keeps working everywhere else -#}
    {%- set alias = ' as dbt_tested' if 'dbt_tested.' in increment else '' -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }}{{ alias }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The condition on `relation` (aliased `dbt_tested` when the condition names it) that keeps
    the rows this test must read since `tests_since`, or '' when it must read the whole table. -#}
{% macro increment_condition(relation) -%}
    {%- set marks = tests_since() -%}
    {%- set metadata = model.get('test_metadata') if model is mapping else none -%}
    {%- set tested_id = model.get('attached_node') if model is mapping else none -%}
    {%- if not (execute and marks and metadata and tested_id) -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set tested = graph.nodes.get(tested_id) -%}
    {%- if tested is none -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set view = tested.config.materialized == 'view'
        and tested.config.get('meta', {}).get('scoped_tests') -%}
    {%- if tested.config.materialized != 'incremental' and not view -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set since = marks.get(model.get('unique_id')) -%}
    {%- if not since -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set row_level = metadata.name in [
        'not_null', 'accepted_values', 'relationships', 'not_null_where', 'expression_is_true'
    ] -%}
    {%- set own_key = not view and metadata.name == 'unique'
        and metadata.kwargs.get('column_name') == tested.config.unique_key -%}
    {%- set written_since = ('loaded_at' if view else 'source_loaded_at') ~ ' > cast(\''
        ~ since ~ '\' as ' ~ dbt.type_timestamp() ~ ')' -%}
    {%- if row_level or own_key -%}
        {%- do return(written_since) -%}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- if metadata.name == 'unique_combination_of_columns' -%}
        {%- set columns = metadata.kwargs.get('combination_of_columns', []) -%}
    {%- elif metadata.name == 'unique' and view -%}
        {%- set columns = [metadata.kwargs.get('column_name')] -%}
    {%- endif -%}
    {%- if columns -%}
        {%- set shared = [] -%}
        {%- for column in columns -%}
            {%- do shared.append(
                'increment.' ~ column ~ ' is not distinct from dbt_tested.' ~ column
            ) -%}
        {%- endfor -%}
        {%- if shared -%}
            {%- do return(
                'exists (select 1 from ' ~ relation ~ ' as increment where increment.'
                ~ written_since ~ ' and ' ~ shared | join(' and ') ~ ')'
            ) -%}
        {%- endif -%}
    {%- endif -%}
    {%- do return('') -%}
{%- endmacro %}

{#- Singular tests configured `meta={'scoped_tests': true}` check each key (a person, an
    application) over all its rows; prakerja/test_scope.py lists them under every incremental
    model they read, so a mark moves only when they passed too. With marks (`tests_since` gives
    such a test {model: mark}), it reads only the keys with a row written since its model's
    mark in any of `relations` (`touched_since`, then `among_touched`): a key's verdict changes
    only when one of its rows does, and a rewritten row gets a newer `source_loaded_at`.
    Without marks (first build, --all-tests, a model rebuilt, the periodic whole-table run)
    they read every key. -#}
{% macro touched_since(key, relations) -%}
    {%- set since = tests_since().get(model.get('unique_id')) if execute else none -%}
    {%- if since -%}
touched as (
    {%- for relation in relations %}
    select {{ key }} from {{ relation }}
    where source_loaded_at > cast('{{ since[relation.identifier] }}' as {{ dbt.type_timestamp() }})
    {%- if not loop.last %}
    union
    {%- endif %}
    {%- endfor %}
),

    {% endif -%}
{%- endmacro %}

{#- The condition keeping the keys of the `touched` CTE (`true` when the test reads them all). -#}
{% macro among_touched(column) -%}
    {%- if execute and tests_since().get(model.get('unique_id')) -%}
    {{ column }} in (select * from touched)
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}
