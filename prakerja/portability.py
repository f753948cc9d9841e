"""The portability lint: fail when a dbt model uses SQL that only DuckDB (or only Spark) accepts.

The project builds on DuckDB every night and must build unchanged on Apache Spark when one
machine is not enough (docs/scale-out.md). Two checks keep it that way:

1. Rules on the model source, Jinja removed (`lint_sql`): each rule is a construct from
   STACK.md that one engine rejects or, worse, runs with another meaning (`"col"` is a string
   literal in Spark). They read the *source* because dbt's own cross-database macros compile to
   DuckDB functions on the duckdb target (`dbt.datediff` becomes `date_diff(...)`): in compiled
   SQL a macro call and a hand-written call look the same, in the source they do not.
2. A transpile of the *compiled* SQL (duckdb target) to the Spark dialect with sqlglot
   (`transpile_errors`): a statement sqlglot cannot parse or cannot express for Spark fails.

Run it by hand: `python -m prakerja.portability [PROJECT_DIR] [--compiled DIR]`.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from prakerja.paths import DBT_PROJECT_DIR


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    portable_form: str


def _rule(name: str, pattern: str, portable_form: str) -> Rule:
    return Rule(name, re.compile(pattern, re.IGNORECASE), portable_form)


# Patterns run on SQL whose comments, string contents and Jinja are blanked out, so a word in a
# comment, a literal or a macro argument never matches.
RULES: tuple[Rule, ...] = (
    _rule("double_colon_cast", r"::", "cast(x as type)"),
    _rule("qualify", r"\bqualify\b", "row_number() in a CTE, filtered in the next CTE"),
    _rule("select_exclude", r"\*\s*(exclude|replace)\b", "list the columns explicitly"),
    _rule("list_literal", r"\[", "dbt.array_construct(...); no [] indexing (1- vs 0-based)"),
    _rule("struct_literal", r"\{|\bstruct_pack\s*\(", "separate columns"),
    _rule("integer_division", r"//", "cast(floor(a / b) as integer)"),
    _rule("generate_series", r"\bgenerate_series\s*\(", "range() or a seed/date spine"),
    _rule("string_split", r"\b(string_split|str_split|string_split_regex)\s*\(", "split_part"),
    _rule(
        "list_function",
        r"\b(list_\w+|list|array_slice|array_length|unnest|flatten)\s*\(",
        "array_agg / dbt.array_construct, or no arrays at all",
    ),
    _rule("arg_max_min", r"\b(arg_max|arg_min|argmax|argmin)\s*\(", "max_by / min_by"),
    _rule(
        "date_diff_direct",
        r"\b(date_diff|datediff|date_sub|date_add|dateadd|datesub)\s*\(",
        "dbt.datediff / dbt.dateadd",
    ),
    _rule("interval_arithmetic", r"\binterval\b", "dbt.dateadd / dbt.datediff"),
    _rule(
        "median_quantile",
        r"\b(median|quantile|quantile_cont|quantile_disc|percentile_approx|approx_quantile)\s*\(",
        "a dispatched percentile macro",
    ),
    _rule(
        "duckdb_only_function",
        r"\b(regexp_matches|regexp_full_match|strftime|strptime|epoch|epoch_ms|epoch_us)\s*\(",
        "one small dispatched macro each",
    ),
    _rule("double_quoted_identifier", r'"', 'bare identifiers (Spark reads "x" as a string)'),
    _rule(
        "distinct_window_function",
        r"\(\s*distinct\b(?:[^()]|\([^()]*\))*\)\s*over\b",
        "count(distinct) in a grouped CTE joined back (Spark has no distinct window functions)",
    ),
    _rule("union_by_name", r"\bunion\s+(all\s+)?by\s+name\b", "union all with explicit columns"),
    _rule("string_agg", r"\b(string_agg|group_concat)\s*\(", "dbt.listagg"),
    _rule("hash_function", r"\bhash\s*\(", "dbt.hash (md5 on both engines)"),
    _rule(
        "duckdb_only_type",
        r"\bas\s+(varchar|text|hugeint|ubigint|uinteger|usmallint|utinyint|timestamptz"
        r"|timestamp_ns|timestamp\s+with\s+time\s+zone)\b",
        "dbt.type_string() / dbt.type_timestamp() / cast to a shared type",
    ),
)


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    rule: str
    text: str
    portable_form: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: `{self.text}` -> {self.portable_form}"


def _blank(text: str) -> str:
    """Same length, newlines kept, so offsets still give the original line numbers."""
    return "".join("\n" if char == "\n" else " " for char in text)


# Jinja first (it may hold quotes), then SQL comments, then the inside of string literals. A
# Jinja string is consumed whole: a hook in a config block is a string holding `{{ ... }}`.
_JINJA_STRING = r"""(?:"[^"]*"|'[^']*'|.)*?"""
_JINJA = re.compile(rf"\{{#.*?#\}}|\{{%{_JINJA_STRING}%\}}|\{{\{{{_JINJA_STRING}\}}\}}", re.DOTALL)
_COMMENT_OR_STRING = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'", re.DOTALL)


def mask_sql(sql: str) -> str:
    """Blank out Jinja, comments and string contents (quotes kept) without moving anything."""
    masked = _JINJA.sub(lambda m: _blank(m.group(0)), sql)

    def _mask(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("'"):
            return "'" + _blank(token[1:-1]) + "'"
        return _blank(token)

    return _COMMENT_OR_STRING.sub(_mask, masked)


def lint_sql(sql: str, path: str = "<sql>") -> list[Violation]:
    """Every rule violation in one SQL (or dbt model source) text."""
    masked = mask_sql(sql)
    lines = sql.splitlines()
    violations: list[Violation] = []
    for rule in RULES:
        for match in rule.pattern.finditer(masked):
            line = masked.count("\n", 0, match.start()) + 1
            text = lines[line - 1].strip() if line <= len(lines) else match.group(0)
            violations.append(Violation(path, line, rule.name, text, rule.portable_form))
    return sorted(violations, key=lambda v: (v.path, v.line, v.rule))


def transpile_errors(sql: str, path: str = "<sql>") -> list[Violation]:
    """Compiled DuckDB SQL -> Spark SQL with sqlglot; a parse or unsupported error is a finding.
    The Spark text is parsed back as Spark SQL so that a translation Spark's grammar does not
    accept fails here rather than on a cluster."""
    import sqlglot
    from sqlglot.errors import ErrorLevel, SqlglotError

    try:
        statements = sqlglot.transpile(
            sql,
            read="duckdb",
            write="spark",
            error_level=ErrorLevel.RAISE,
            unsupported_level=ErrorLevel.RAISE,
        )
        for statement in statements:
            sqlglot.parse(statement, read="spark", error_level=ErrorLevel.RAISE)
    except SqlglotError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [Violation(path, 1, "transpile_to_spark", first_line, "portable SQL")]
    return []


# Adapter prefixes of dispatched macro implementations that never run on Spark.
_OTHER_ADAPTERS = ("duckdb__", "postgres__", "snowflake__", "bigquery__", "redshift__")
_MACRO_BLOCK = re.compile(
    r"\{%-?\s*(macro|test)\s+(\w+)\s*\(.*?%\}(.*?)\{%-?\s*end(?:macro|test)\s*-?%\}",
    re.DOTALL,
)


def _macro_blocks(text: str) -> Iterator[tuple[str, str, int]]:
    """(name, body, first line) of every macro/test block of a macro file."""
    for match in _MACRO_BLOCK.finditer(text):
        yield match.group(2), match.group(3), text.count("\n", 0, match.start(3)) + 1


def _spark_macro_names(project_dir: Path) -> set[str]:
    names: set[str] = set()
    for path in (project_dir / "macros").rglob("*.sql"):
        for name, _, _ in _macro_blocks(path.read_text(encoding="utf-8")):
            if name.startswith("spark__"):
                names.add(name.removeprefix("spark__"))
    return names


def _runs_on_spark(name: str, spark_overrides: set[str]) -> bool:
    if name.startswith(_OTHER_ADAPTERS):
        return False
    return not (name.startswith("default__") and name.removeprefix("default__") in spark_overrides)


def lint_project(project_dir: Path = DBT_PROJECT_DIR) -> list[Violation]:
    """Rules on every model, singular test and snapshot source, and on every macro that Spark
    would execute (dispatched implementations for other adapters are allowed DuckDB SQL)."""
    violations: list[Violation] = []
    for folder in ("models", "tests", "snapshots", "analyses"):
        for path in sorted((project_dir / folder).rglob("*.sql")):
            rel = str(path.relative_to(project_dir))
            violations.extend(lint_sql(path.read_text(encoding="utf-8"), rel))
    spark_overrides = _spark_macro_names(project_dir)
    for path in sorted((project_dir / "macros").rglob("*.sql")):
        rel = str(path.relative_to(project_dir))
        text = path.read_text(encoding="utf-8")
        for name, body, first_line in _macro_blocks(text):
            if not _runs_on_spark(name, spark_overrides):
                continue
            for v in lint_sql(body, rel):
                line = v.line + first_line - 1
                violations.append(Violation(rel, line, v.rule, v.text, v.portable_form))
    return violations


def compiled_model_files(compiled_dir: Path) -> Iterable[Path]:
    """`target/compiled/<project>/models/**.sql` (singular tests compile elsewhere)."""
    return sorted(compiled_dir.glob("*/models/**/*.sql"))


def transpile_project(compiled_dir: Path) -> list[Violation]:
    violations: list[Violation] = []
    for path in compiled_model_files(compiled_dir):
        rel = str(path.relative_to(compiled_dir))
        violations.extend(transpile_errors(path.read_text(encoding="utf-8"), rel))
    return violations


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project_dir", nargs="?", type=Path, default=DBT_PROJECT_DIR)
    parser.add_argument("--compiled", type=Path, help="target/compiled folder of a dbt compile")
    args = parser.parse_args(argv)
    findings = lint_project(args.project_dir)
    if args.compiled:
        findings += transpile_project(args.compiled)
    for finding in findings:
        print(finding)
    print(f"{len(findings)} portability finding(s)", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
