"""SQL that turns delivered text into contract types, accepting Indonesian export conventions.

Casts are explicit and never sniffed: a value that does not parse becomes NULL here and the row
is quarantined as invalid_type by the validator (the raw text is compared with the typed value).
"""

from __future__ import annotations

from ingestion.contract import Column


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def raw_text(column: Column) -> str:
    """The delivered value, trimmed; empty means missing."""
    return f"nullif({trimmed(quote(column.name))}, '')"


def trimmed(text: str) -> str:
    """SQL: `trim(text)`, which removes the Unicode space separators (category Zs) at both ends,
    called only where it can change something. In ASCII text the one such character is U+0020,
    so an ASCII value that neither begins nor ends with a space is returned as it is: trim() on
    every value was a third of the validation pass of a national-scale file (measured: 6.9 s ->
    5.4 s for 6.67 M applications), since nearly no value needs it."""
    return (
        f"case when {text} like ' %' or {text} like '% ' or strlen({text}) <> length({text}) "
        f"then trim({text}) else {text} end"
    )


# Values the BPS tables spell in Indonesian, normalised to the contract's accepted values.
PERIOD_ALIASES: dict[str, str] = {
    "feb": "Feb",
    "februari": "Feb",
    "february": "Feb",
    "aug": "Aug",
    "agu": "Aug",
    "agt": "Aug",
    "agustus": "Aug",
    "august": "Aug",
}


def _plausible_year(parsed: str) -> str:
    # A year like 20201 parses as a DuckDB date but breaks date arithmetic in the row checks:
    # outside 1800-2200 it is a typing error of the export (invalid_type), not a date.
    return f"case when year({parsed}) between 1800 and 2200 then {parsed} end"


def _day_first(raw: str) -> str:
    """SQL: the text may be a day-first date (DD/MM/YYYY or DD-MM-YYYY, then a time)."""
    return f"({raw} like '%/%' or regexp_matches({raw}, '^[0-9]{{1,2}}-[0-9]{{1,2}}-[0-9]{{4}}'))"


def _amount(text: str, thousands_dot: bool, kind: str = "decimal(18,2)") -> str:
    """SQL: a number in either locale as `kind`, NULL when it does not parse.

    A comma is the decimal comma (`600.000,50`), except where the text can only be English
    thousands groups: `600,000.00` (a dot after the commas) or `1,250,000` (two commas or
    more). Read as Indonesian, the first would silently become 600.00. In a file that is not
    `;`-separated, a lone comma before three digits (`600,000`) is either: not guessed."""
    groups = "+" if thousands_dot else "{2,}"
    english = r"-?[0-9]{1,3}(,[0-9]{3})+[.][0-9]+|-?[0-9]{1,3}(,[0-9]{3}){2,}"
    lone_comma = f"regexp_full_match({text}, '-?[0-9]{{1,3}},[0-9]{{3}}')"
    ambiguous = "" if thousands_dot else f"when {lone_comma} then null "
    with_comma = (
        f"case when regexp_full_match({text}, '{english}') "
        f"then try_cast(replace({text}, ',', '') as {kind}) {ambiguous}"
        f"else try_cast(replace(replace({text}, '.', ''), ',', '.') as {kind}) end"
    )
    return (
        f"case when {text} like '%,%' then {with_comma} "
        # The cheap contains() first: most amounts have no dot and skip the regex.
        f"when contains({text}, '.') "
        f"and regexp_full_match({text}, '-?[0-9]{{1,3}}([.][0-9]{{3}}){groups}') "
        f"then try_cast(replace({text}, '.', '') as {kind}) "
        f"else try_cast({text} as {kind}) end"
    )


def _whole_number(raw: str, thousands_dot: bool) -> str:
    """SQL: an integer, NULL unless the text is a whole number.

    DuckDB's own cast rounds ("1.5" becomes 2, ".5" 1) and reads "0x1F" as 31: a wave, a
    tranche or a labour-force count would then load silently changed. Plain digits take the
    cast; anything else is read like an amount (same locale rules: "2.527.000" is 2527000 in
    any file, "4,0" or "4.0" is 4) and must have no fraction. Three digits after a lone
    separator that is not the file's thousands dot ("1,000"; "4.000" in a comma-separated
    file) are a thousands group in one convention and a fraction in the other: not guessed."""
    number = _amount(raw, thousands_dot, "decimal(38,10)")
    ambiguous = "[,]" if thousands_dot else "[.,]"
    return (
        # RE2 is cheaper here than ltrim() with a character set (measured: 0.035 s against
        # 0.22 s per 1.4 M values).
        f"case when regexp_full_match({raw}, '[+-]?[0-9]+') then try_cast({raw} as integer) "
        f"when regexp_full_match({raw}, '[+-]?[0-9]{{1,3}}{ambiguous}[0-9]{{3}}') then null "
        f"when {number} = trunc({number}) then try_cast({number} as integer) end"
    )


def typed(column: Column, thousands_dot: bool, raw: str) -> str:
    """SQL expression for the column in its contract type (NULL when missing or unparseable).

    thousands_dot: the file uses Indonesian number formatting (`;`-separated exports), where
    "600.000" is six hundred thousand; elsewhere a lone dot is a decimal point.
    raw: the delivered text as raw_text() gives it (the query computes it once per row).
    """
    kind = column.type
    if kind == "varchar":
        if column.accepted_values == ("Feb", "Aug"):
            cases = " ".join(
                f"when {literal(k)} then {literal(v)}" for k, v in PERIOD_ALIASES.items()
            )
            return f"coalesce(case lower({raw}) {cases} end, {raw})"
        if column.code_list == "kemendagri_regency":
            # Kemendagri writes regency codes "32.01"; the contract's code is "3201".
            return (
                f"case when contains({raw}, '.') then "
                rf"regexp_replace({raw}, '^([0-9]{{2}})[.]([0-9]{{2}})$', '\1\2') else {raw} end"
            )
        return raw
    if kind == "integer":
        return _whole_number(raw, thousands_dot)
    if kind == "decimal":
        # An amount exported with its display format ("Rp600.000", "Rp 1.250.000,00", "IDR
        # 600000") is read without the currency, its dots as thousands (the rupiah format);
        # only rows that did not parse are retried.
        without_currency = rf"regexp_replace({raw}, '^(rp|idr)[.]?\s*', '', 'i')"
        return (
            f"coalesce({_amount(raw, thousands_dot)}, case when regexp_matches({raw}, "
            f"'^(rp|idr)', 'i') then {_amount(without_currency, True)} end)"
        )
    if kind == "date":
        # ISO dates take the fast cast; strptime only for the DD/MM/YYYY and DD-MM-YYYY rows.
        parsed = (
            f"coalesce(try_cast({raw} as date), case when {_day_first(raw)} then "
            f"cast(try_strptime({raw}, ['%d/%m/%Y', '%d-%m-%Y']) as date) end)"
        )
        return _plausible_year(parsed)
    if kind == "timestamp":
        formats = ", ".join(
            f"'%d{sep}%m{sep}%Y{time}'" for sep in "/-" for time in (" %H:%M:%S", " %H:%M", "")
        )
        parsed = (
            f"coalesce(try_cast({raw} as timestamp), case when {_day_first(raw)} then "
            f"try_strptime({raw}, [{formats}]) end)"
        )
        return _plausible_year(parsed)
    if kind == "boolean":
        return (
            # Not "t"/"f": in an Indonesian export "T" is Tidak (no), in an English one true.
            f"case when lower({raw}) in ('1', 'y', 'ya', 'true') then true "
            f"when lower({raw}) in ('0', 'n', 'tidak', 'false') then false end"
        )
    raise ValueError(f"unknown contract type {kind!r} for column {column.name}")


# Parquet column types that hold a contract type's values exactly: such a column is validated in
# its own type (no round trip through text). Anything else (doubles, timestamps for dates,
# strings) goes through the text casts, as CSV does.
_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")
_NATIVE_TYPES: dict[str, tuple[str, ...]] = {
    "integer": _INTEGER_TYPES,
    "decimal": (*_INTEGER_TYPES, "DECIMAL"),
    "date": ("DATE",),
    "timestamp": ("TIMESTAMP",),
    "boolean": ("BOOLEAN",),
}


def native_fits(column: Column, duckdb_type: str) -> bool:
    """True when a Parquet column of `duckdb_type` can be validated in its own type."""
    family = duckdb_type.upper().split("(")[0].removeprefix("U")
    return family in _NATIVE_TYPES.get(column.type, ())


def typed_native(column: Column) -> str:
    """The contract-typed value of a column read in a type that native_fits."""
    name = quote(column.name)
    if column.type == "integer":
        return f"try_cast({name} as integer)"
    if column.type == "decimal":
        return f"try_cast({name} as decimal(18,2))"
    if column.type in ("date", "timestamp"):
        return _plausible_year(name)
    return name


def masked(column: Column, raw: str) -> str:
    """The raw value as a reason may show it: personal values never appear in clear.
    raw: the delivered value as trimmed text, empty as NULL."""
    if column.format == "nik":
        # The first four digits are the province and regency code: enough to read the reason.
        return f"coalesce(left({raw}, 4) || repeat('*', greatest(length({raw}) - 4, 0)), '')"
    if column.is_pii:
        return f"case when {raw} is null then '' else '<masked>' end"
    return f"coalesce(left({raw}, 60), '')"
