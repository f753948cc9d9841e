{#- The shared vocabulary of docs/architecture.md, written once. Each macro returns a portable
    CASE expression; unknown codes become null so accepted_values tests catch them. -#}

{% macro age_band(age) -%}
    case
        when {{ age }} is null then null
        when {{ age }} < 18 then null
        when {{ age }} <= 25 then '18-25'
        when {{ age }} <= 35 then '26-35'
        when {{ age }} <= 45 then '36-45'
        when {{ age }} <= 60 then '46-60'
        else '61+'
    end
{%- endmacro %}

{% macro translate(expression, mapping) -%}
    case {{ expression }}
    {%- for source_value, target_value in mapping.items() %}
        when '{{ source_value }}' then '{{ target_value }}'
    {%- endfor %}
    end
{%- endmacro %}

{% macro gender_from_code(code) -%}
    {{ translate(code, {'L': 'male', 'P': 'female'}) }}
{%- endmacro %}

{% macro employment_status_from_code(code) -%}
    {{ translate(code, {
        'korban_phk': 'laid_off',
        'dirumahkan': 'furloughed',
        'pencari_kerja': 'job_seeker',
        'usaha_mikro': 'micro_entrepreneur',
        'bekerja': 'employed',
    }) }}
{%- endmacro %}

{% macro education_from_code(code) -%}
    {{ translate(code, {
        'sd_kebawah': 'primary_or_less',
        'smp': 'junior_secondary',
        'sma_smk': 'senior_secondary',
        'diploma': 'diploma',
        's1': 'bachelor',
        's2_s3': 'postgraduate',
    }) }}
{%- endmacro %}

{#- Sakernas round (Feb / Aug) to the first day of its month. -#}
{% macro survey_period(year, round) -%}
    {{ make_date(year, "case " ~ round ~ " when 'Feb' then 2 when 'Aug' then 8 end", 1) }}
{%- endmacro %}

{#- One course sold on one platform: the course code and the platform code joined by `@`
    (neither code may contain `@`, see the contract's patterns). -#}
{% macro course_listing_key(course_code, platform_code) -%}
    {{ dbt.concat([course_code, "'@'", platform_code]) }}
{%- endmacro %}

{#- Kemendagri regency codes PPKK: KK 71 and above are cities (kota), below are regencies. -#}
{% macro is_city_regency(regency_code) -%}
    (cast(substring({{ regency_code }}, 3, 2) as {{ dbt.type_int() }}) >= 71)
{%- endmacro %}
