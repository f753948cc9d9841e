"""The portability lint: each rule catches its construct, portable SQL passes, and the dbt
project itself (sources, and compiled SQL transpiled to Spark) has no finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from prakerja.paths import DBT_PROJECT_DIR
from prakerja.portability import (
    RULES,
    compiled_model_files,
    lint_project,
    lint_sql,
    mask_sql,
    transpile_errors,
    transpile_project,
)

# One small DuckDB-only statement per rule: the lint must name exactly that rule.
BAD_SQL: dict[str, str] = {
    "double_colon_cast": "select amount::int as amount from t",
    "qualify": "select * from t qualify row_number() over (partition by k order by v) = 1",
    "select_exclude": "select * exclude (nik) from t",
    "list_literal": "select x from t where x in ([1, 2])",
    "struct_literal": "select {'a': 1} as s from t",
    "integer_division": "select a // 2 as half from t",
    "generate_series": "select * from generate_series(1, 10) as g(n)",
    "string_split": "select string_split(codes, ',') as parts from t",
    "list_function": "select list_sum(amounts) as total from t",
    "arg_max_min": "select arg_max(channel, paid_date) as last_channel from t",
    "date_diff_direct": "select date_diff('day', a, b) as days from t",
    "interval_arithmetic": "select paid_date - interval 30 day as due from t",
    "median_quantile": "select median(price) as median_price from t",
    "duckdb_only_function": "select strftime(paid_date, '%Y-%m') as ym from t",
    "double_quoted_identifier": 'select "amount" from t',
    "distinct_window_function": (
        "select count(distinct tranche) over (partition by application_id) as n from t"
    ),
    "union_by_name": "select a from t union all by name select a from u",
    "string_agg": "select string_agg(code, ',') as codes from t",
    "hash_function": "select hash(participant_key) as h from t",
    "duckdb_only_type": "select cast(code as varchar) as code from t",
}


def test_every_rule_has_a_bad_example() -> None:
    assert set(BAD_SQL) == {rule.name for rule in RULES}


@pytest.mark.parametrize("rule", sorted(BAD_SQL))
def test_rule_catches_its_construct(rule: str) -> None:
    found = {v.rule for v in lint_sql(BAD_SQL[rule])}
    assert found == {rule}


PORTABLE_MODEL = """
{{ config(materialized="table", alias="fct_x") }}
-- a comment may say x::int, qualify or "quoted" without a finding
/* nor a block comment: string_split(a, ',') // list_value() */
with ranked as (
    select
        cast(amount as {{ dbt.type_int() }}) as amount,
        {{ dbt.datediff("scheduled_date", "paid_date", "day") }} as days_late,
        {{ percentile("price_rp", 0.5) }} as median_price_rp,
        'it''s text with :: and // and [brackets] and "quotes"' as note,
        row_number() over (partition by payment_id order by loaded_at desc) as key_rank
    from {{ ref('stg_registration__payments') }}
)
select amount, days_late, median_price_rp, note
from ranked
where key_rank = 1
"""


def test_portable_model_with_jinja_comments_and_strings_passes() -> None:
    assert lint_sql(PORTABLE_MODEL) == []


def test_jinja_strings_holding_jinja_are_masked_whole() -> None:
    # a config block whose hook is a string holding `{{ ... }}` and quotes of both kinds
    sql = (
        "{{ config(\n    pre_hook=\"{{ save_changed_keys([\n        {'relation': ref('a')},\n"
        '    ]) }}",\n    post_hook="{{ drop_changed_keys() }}",\n) }}\nselect "x" from t'
    )
    violations = lint_sql(sql, "models/x.sql")
    # only the SQL's own double-quoted identifier, on its line; nothing inside the config
    assert {(v.line, v.rule) for v in violations} == {(7, "double_quoted_identifier")}


def test_masking_keeps_line_numbers() -> None:
    sql = "select\n  {{ ref('a') }} as x,\n  -- c\n  amount::int\nfrom t"
    masked = mask_sql(sql)
    assert len(masked) == len(sql)
    assert masked.count("\n") == sql.count("\n")
    (violation,) = lint_sql(sql, "models/x.sql")
    assert (violation.path, violation.line, violation.rule) == (
        "models/x.sql",
        4,
        "double_colon_cast",
    )


def test_transpile_reports_sql_that_does_not_parse() -> None:
    assert transpile_errors("select a from t where (b > 1") != []
    assert transpile_errors("select cast(a as integer) as a from t where b > 1") == []


def test_macros_for_other_adapters_may_use_duckdb_sql(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "macros").mkdir()
    (tmp_path / "macros" / "fmt.sql").write_text(
        "{% macro ym(x) %}{{ return(adapter.dispatch('ym', 'prakerja')(x)) }}{% endmacro %}\n"
        "{% macro default__ym(x) %}strftime({{ x }}, '%Y-%m'){% endmacro %}\n"
        "{% macro duckdb__ym(x) %}strftime({{ x }}, '%Y-%m'){% endmacro %}\n"
        "{% macro spark__ym(x) %}date_format({{ x }}, 'yyyy-MM'){% endmacro %}\n"
        "{% macro shared(x) %}\n  {{ x }}::int\n{% endmacro %}\n",
        encoding="utf-8",
    )
    findings = lint_project(tmp_path)
    # default__ym is overridden on Spark and duckdb__ym never runs there; `shared` runs on both.
    assert [(v.path, v.line, v.rule) for v in findings] == [
        ("macros/fmt.sql", 6, "double_colon_cast")
    ]


def test_dbt_project_sources_are_portable() -> None:
    findings = lint_project(DBT_PROJECT_DIR)
    assert findings == [], "DuckDB-only SQL in the dbt project:\n" + "\n".join(map(str, findings))


def _write_empty_raw(home: Path) -> None:
    """dbt compile opens build.duckdb and attaches raw.duckdb: give it an empty raw layer."""
    import duckdb

    home.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(home / "raw.duckdb"))
    for schema in ("registration", "providers", "labour_market", "audit"):
        con.execute(f"create schema if not exists {schema}")
    con.close()


def test_compiled_models_transpile_to_spark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dbt.cli.main import dbtRunner

    home = tmp_path / "warehouse"
    _write_empty_raw(home)
    monkeypatch.setenv("PRAKERJA_HOME", str(home))
    target = tmp_path / "target"
    result = dbtRunner().invoke(
        [
            "compile",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target",
            "duckdb",
            "--target-path",
            str(target),
            "--log-path",
            str(tmp_path / "logs"),
            "--quiet",
        ]
    )
    assert result.success, f"dbt compile failed: {result.exception}"
    compiled = target / "compiled"
    assert list(compiled_model_files(compiled)), "dbt compile wrote no model SQL"
    findings = transpile_project(compiled)
    assert findings == [], "compiled SQL Spark cannot take:\n" + "\n".join(map(str, findings))
