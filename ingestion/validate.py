"""Set-based validation of the staged rows: every row gets the first rule it breaks (or none).

Produces the temporary view `checked`: `_row_number`, the typed `v_<column>` values the loader
needs (kept_values), `_rule` and `_reason` (the delivered text stays in `staged`). Order of
rules: a malformed line, an exact duplicate row, then each column-level rule over all columns
(missing_required, invalid_type, invalid_value, unknown_code, invalid_nik), then the contract's
row checks, and last duplicate_key among the rows still valid, so that the first valid
occurrence of a key wins.
"""

from __future__ import annotations

import duckdb

from ingestion.contract import Column, Entity
from ingestion.reference_codes import CODE_LIST_TABLES
from ingestion.row_checks import CHECKS, JOINS, Check
from ingestion.typing_sql import literal, masked, quote, raw_text, typed, typed_native

CHECKED = "checked"


def v(column: Column) -> str:
    return quote(f"v_{column.name}")


def r(column: Column) -> str:
    """The delivered value, computed once per row: the text trimmed, empty as NULL (raw_text),
    or a Parquet value already in the contract's type (a `native` column) as it is."""
    return quote(f"r_{column.name}")


def kept_values(entity: Entity) -> list[Column]:
    """Columns whose typed value `checked` keeps: those the raw table stores, the key, and the
    personal ones its derived columns come from (the NIK, the birth date)."""
    kept = {c.name for c in entity.stored_columns} | set(entity.primary_key)
    kept |= {c.name for c in (entity.nik_column, entity.birth_date_column) if c is not None}
    return [c for c in entity.columns if c.name in kept]


def _bound(column: Column, value: object) -> str:
    if column.type == "date":
        return f"date {literal(value)}"
    if column.type == "timestamp":
        return f"timestamp {literal(value)}"
    return str(value)


# The NIK's birth-date digits as numbers, computed once per row beside the code flags
# (`_code_joins`): the NIK checks read them up to nine times (0.29 s per 1.4 M rows when each
# read cast them from text again, 0.16 s once).
NIK_DATE_PARTS = {"_nik_dd": 7, "_nik_mm": 9, "_nik_yy": 11}


def _nik_invalid(column: Column) -> str:
    nik = f"t.{v(column)}"
    dd, mm, yy = (f"t.{name}" for name in NIK_DATE_PARTS)
    day = f"(case when {dd} > 40 then {dd} - 40 else {dd} end)"
    # Two-digit years: a year divisible by 4 is a leap year in 1904-2096, which covers birth
    # dates of applicants; 29 February is allowed then.
    last_day = (
        f"(case when {mm} = 2 then case when {yy} % 4 = 0 then 29 else 28 end "
        f"when {mm} in (4, 6, 9, 11) then 30 else 31 end)"
    )
    return (
        f"not regexp_full_match({nik}, '[0-9]{{16}}') "
        f"or not t._nik_province_known "
        f"or not t._nik_regency_known "
        f"or not ({mm} between 1 and 12) "
        f"or not ({dd} between 1 and 31 or {dd} between 41 and 71) "
        f"or {day} > {last_day}"
    )


def column_checks(entity: Entity) -> list[Check]:
    """Column-level rules of the contract, grouped rule by rule across the columns."""
    cols = entity.columns
    checks: list[Check] = []
    for c in cols:
        if c.required:
            checks.append(Check("missing_required", f"t.{r(c)} is null", c.name, "value required"))
    for c in cols:
        if c.type != "varchar":
            checks.append(
                Check(
                    "invalid_type",
                    f"t.{r(c)} is not null and t.{v(c)} is null",
                    c.name,
                    f"not a valid {c.type}",
                )
            )
    for c in cols:
        value = f"t.{v(c)}"
        if c.accepted_values is not None:
            allowed = ", ".join(literal(a) for a in c.accepted_values)
            checks.append(
                Check(
                    "invalid_value",
                    f"{value} not in ({allowed})",
                    c.name,
                    f"not one of {', '.join(c.accepted_values)}",
                )
            )
        if c.pattern is not None:
            checks.append(
                Check(
                    "invalid_value",
                    f"not regexp_full_match({value}, {literal(c.pattern)})",
                    c.name,
                    f"does not match the pattern {c.pattern}",
                )
            )
        if c.min is not None:
            checks.append(
                Check("invalid_value", f"{value} < {_bound(c, c.min)}", c.name, f"below {c.min}")
            )
        if c.max is not None:
            checks.append(
                Check("invalid_value", f"{value} > {_bound(c, c.max)}", c.name, f"above {c.max}")
            )
    for c in cols:
        if c.code_list is not None:
            checks.append(
                Check(
                    "unknown_code",
                    f"t.{v(c)} is not null and not t.{quote('_known_' + c.name)}",
                    c.name,
                    f"not a known {c.code_list.replace('_', ' ')} code",
                )
            )
    for c in cols:
        if c.format == "nik":
            checks.append(
                Check(
                    "invalid_nik",
                    _nik_invalid(c),
                    c.name,
                    "a NIK has 16 digits: a known province and regency code, a kecamatan, "
                    "a real DDMMYY birth date (day + 40 for women) and a serial",
                )
            )
    return checks


def _reason(file_name: str, entity: Entity, check: Check) -> str:
    where = f"{literal(file_name + ' row ')} || t._row_number"
    if check.column is None:
        return f"{where} || {literal(': ' + check.message)}"
    column = entity.column(check.column)
    return (
        f"{where} || {literal(f', column {column.name}, value ' + chr(39))} || "
        f"{masked(column, f'cast(t.{r(column)} as varchar)')} || "
        f"{literal(chr(39) + ': ' + check.message)}"
    )


def _code_joins(entity: Entity) -> tuple[list[str], list[str]]:
    """Left joins to the code lists (hash joins, not per-row subqueries) and the flags they set."""
    joins, flags = [], []
    for i, c in enumerate(entity.columns):
        if c.code_list is not None:
            table = CODE_LIST_TABLES[c.code_list]
            joins.append(f"left join {table} as code_{i} on code_{i}.code = t0.{v(c)}")
            flags.append(f"code_{i}.code is not null as {quote('_known_' + c.name)}")
        if c.format == "nik":
            joins.append(
                f"left join ref_kemendagri_province as nik_p on nik_p.code = left(t0.{v(c)}, 2)"
            )
            joins.append(
                f"left join ref_kemendagri_regency as nik_r on nik_r.code = left(t0.{v(c)}, 4)"
            )
            flags.append("nik_p.code is not null as _nik_province_known")
            flags.append("nik_r.code is not null as _nik_regency_known")
            flags.extend(
                f"try_cast(substr(t0.{v(c)}, {start}, 2) as integer) as {name}"
                for name, start in NIK_DATE_PARTS.items()
            )
    return joins, flags


def build_checked(
    conn: duckdb.DuckDBPyConnection,
    entity: Entity,
    file_name: str,
    thousands_dot: bool,
    native: frozenset[str] = frozenset(),
) -> None:
    """native: columns staged in their contract type (Parquet), typed without text casts."""
    raw_columns = ", ".join(quote(c.name) for c in entity.columns)
    trimmed_columns = ", ".join(
        f"{quote(c.name) if c.name in native else raw_text(c)} as {r(c)}" for c in entity.columns
    )
    typed_columns = ", ".join(
        f"{typed_native(c) if c.name in native else typed(c, thousands_dot, r(c))} as {v(c)}"
        for c in entity.columns
    )
    code_joins, code_flags = _code_joins(entity)
    same_row = " and ".join(
        f"c.{quote(c.name)} is not distinct from r.{quote(c.name)}" for c in entity.columns
    )
    # The key as the loader will type it (the same expressions as `t0` below), read from
    # `staged` directly.
    typed_key = ", ".join(
        typed_native(c) if c.name in native else typed(c, thousands_dot, raw_text(c))
        for c in (entity.column(k) for k in entity.primary_key)
    )
    flags = "".join(f", {flag}" for flag in code_flags)
    # Typed values, duplicate marks and code flags: a CTE of the next statement, not a table
    # of its own (one materialisation less per file).
    typed_sql = f"""
        with hashed as materialized (
            -- One 64-bit hash of each row's typed key, and one grouping on it, find both kinds
            -- of duplicates: an exact copy of a row has the same key, and so does a row that
            -- reuses a key. Only the rows whose key hash repeats (usually none) are compared
            -- further, on their real values (a collision is not a copy); no window partitioned
            -- by every column, and no second grouping of all keys for duplicate_key.
            select _row_number, hash({typed_key}) as key_hash
            from staged
            where _malformed is null
        ),
        repeated_hashes as (
            select key_hash from hashed group by 1 having count(*) > 1
        ),
        candidates as (
            select s.*
            from staged as s
            semi join (
                select h._row_number
                from hashed as h
                semi join repeated_hashes as x on x.key_hash = h.key_hash
            ) as c on c._row_number = s._row_number
        ),
        repeated as (
            select {raw_columns}, min(_row_number) as _dup_first
            from candidates
            group by all
            having count(*) > 1
        ),
        copies as (
            -- each candidate's number and, for an exact copy, its first occurrence's
            select c._row_number, r._dup_first
            from candidates as c
            left join repeated as r on {same_row}
        ),
        marked as (
            select s.*, d._dup_first, d._row_number is not null as _key_repeats
            from staged as s
            left join copies as d on d._row_number = s._row_number
        ),
        trimmed as (
            select marked.*, {trimmed_columns} from marked
        ),
        t0 as (
            select trimmed.*, {typed_columns} from trimmed
        )
        select t0.*{flags}
        from t0
        {" ".join(code_joins)}
    """
    checks = column_checks(entity) + CHECKS.get(entity.entity, [])
    # One CASE finds the index of the first broken check; rule and reason are then looked up by
    # that index, so the (costly) conditions are evaluated once per row, reasons only for
    # rejected rows.
    conditions = ["t._malformed is not null", "t._row_number > t._dup_first"]
    rules = ["malformed_row", "duplicate_row"]
    reasons = [
        f"{literal(file_name + ' row ')} || t._row_number "
        f"|| ': line does not split into the declared columns (' || t._malformed || ')'",
        f"{literal(file_name + ' row ')} || t._row_number "
        f"|| ': exact duplicate of row ' || t._dup_first",
    ]
    for check in checks:
        conditions.append(f"coalesce({check.condition}, false)")
        rules.append(check.rule)
        reasons.append(_reason(file_name, entity, check))
    first_broken = " ".join(f"when {c} then {i}" for i, c in enumerate(conditions))
    rule_of = " ".join(f"when {i} then {literal(r)}" for i, r in enumerate(rules))
    reason_of = " ".join(f"when {i} then {r}" for i, r in enumerate(reasons))
    joins = "\n".join(JOINS.get(entity.entity, []))
    # Only the typed values the loader needs, rule and reason are kept: the delivered text is
    # read again from `staged` for the few quarantined rows, and personal fields that are
    # dropped (and have no rule) are then never even trimmed.
    typed_names = ", ".join(f"t.{v(c)}" for c in kept_values(entity))
    conn.execute(
        f"""
        create or replace temp table pre_key as
        with typed as ({typed_sql}),
        found as (
            select t.*, case {first_broken} end as _check
            from typed as t
            {joins}
        )
        select t._row_number, {typed_names}, t._key_repeats,
               case t._check {rule_of} end as _rule,
               case t._check {reason_of} end as _reason
        from found as t
        """
    )
    _mark_duplicate_keys(conn, entity, file_name)


def _mark_duplicate_keys(conn: duckdb.DuckDBPyConnection, entity: Entity, file_name: str) -> None:
    keys = [entity.column(k) for k in entity.primary_key]
    key_list = ", ".join(v(k) for k in keys)
    same_key = " and ".join(f"d.{v(k)} = p.{v(k)}" for k in keys)
    in_target = " and ".join(f"x.{quote(k.name)} = c.{v(k)}" for k in keys)
    shown = " || '/' || ".join(f"coalesce(cast(p.{v(k)} as varchar), '')" for k in keys)
    key_names = "/".join(k.name for k in keys)
    key_prefix = literal(f", column {key_names}, value " + chr(39))
    row = f"{literal(file_name + ' row ')} || p._row_number || {key_prefix} || {shown}"
    # Only the rows that lose their key are written out (a handful); `checked` is a view that
    # lays them over pre_key, so a national-scale file is not copied once more.
    conn.execute(
        f"""
        create or replace temp table duplicate_keys as
        with candidates as (
            select {key_list} from pre_key where _rule is null
        ),
        repeated as (
            -- keys used twice or more by valid rows of this file: the first row keeps it (only
            -- rows whose key hash repeats can share a key, see build_checked)
            select {key_list}, min(_row_number) as _key_first
            from pre_key
            where _rule is null and _key_repeats
            group by all
            having count(*) > 1
        ),
        loaded as (
            -- keys of this file already in the raw table; the file's keys are the build side
            select distinct c.*
            from candidates as c
            semi join {entity.qualified_table} as x on {in_target}
        ),
        marked as (
            select p._row_number,
                   case when l.{v(keys[0])} is not null
                        then {row} || ''': key already loaded by an earlier delivery'
                        when p._row_number > d._key_first
                        then {row} || ''': key already used by row ' || d._key_first
                             || ' of this file'
                   end as _reason
            from pre_key as p
            left join repeated as d on {same_key}
            left join loaded as l on {same_key.replace("d.", "l.")}
            where p._rule is null and (d._key_first is not null or l.{v(keys[0])} is not null)
        )
        select _row_number, _reason from marked where _reason is not null
        """
    )
    if not conn.execute("select count(*) from duplicate_keys").fetchall()[0][0]:
        # Usually no row loses its key: `checked` is then pre_key itself, and the loader's
        # reads of it (insert, quarantine, counts, first errors) join nothing.
        conn.execute(f"create or replace temp view {CHECKED} as select * from pre_key")
        return
    conn.execute(
        f"""
        create or replace temp view {CHECKED} as
        select p.* replace (
            case when k._row_number is not null then 'duplicate_key' else p._rule end as _rule,
            coalesce(k._reason, p._reason) as _reason
        )
        from pre_key as p
        left join duplicate_keys as k on k._row_number = p._row_number
        """
    )
