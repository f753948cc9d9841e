{#- People meeting `condition` in a group whose key includes wave_number. A person applies to a
    wave at most once (tested: unique participant_key + wave_number on fct_applications), so
    counting applications counts people there, without a distinct hash table per measure
    (fifteen of them made mart_wave_funnel take 252 s at national scale). -#}
{% macro people_in_wave(condition='true') -%}
    count(case when {{ condition }} then 1 end)
{%- endmacro %}
