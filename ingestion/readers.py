"""Read one delivery into the temporary view `staged`: every contract column as text (or, from
Parquet, in its own type when that is already the contract's), the 1-based data row number
(`_row_number`, header excluded) and, for a line that could not be split into the declared
columns, `_malformed` (why; the line itself is not kept: it may hold PII).

DuckDB parses CSV and Parquet (never sniffing types: text, cast later). xlsx and the BPS table
layout are small publications read with openpyxl / the csv module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingestion.contract import Entity
from ingestion.file_checks import FileRejected, check_columns, first_lines, sniff_csv
from ingestion.line_scan import LineScan
from ingestion.typing_sql import native_fits, trimmed

STAGED = "staged"
# A line DuckDB rejected that holds only spaces or tabs: a blank line to a reader, not a row.
SPACES_ONLY = "trim(csv_line, ' \t\r') = ''"
STAGED_ROWS = "staged_rows"


def _stage(conn: duckdb.DuckDBPyConnection, select_sql: str) -> None:
    """Make `staged` the view `select_sql`. A view, not a table: for a clean CSV it is the read
    itself renumbered, so a national-scale file is not copied once more before validation."""
    conn.execute(f"create or replace temp view {STAGED} as {select_sql}")


def _stage_table(conn: duckdb.DuckDBPyConnection, select_sql: str) -> None:
    conn.execute(f"create or replace temp table {STAGED_ROWS} as {select_sql}")
    _stage(conn, f"select * from {STAGED_ROWS}")


@dataclass
class ReadResult:
    fmt: str
    delimiter: str = ","
    notes: list[str] = field(default_factory=list)
    # Contract columns staged in their own Parquet type instead of as text (see native_fits).
    native_columns: frozenset[str] = frozenset()


def _required(entity: Entity) -> list[str]:
    return [c.name for c in entity.columns if c.required]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select_contract_columns(entity: Entity, present: tuple[str, ...], source: str) -> str:
    """Contract columns as varchar (NULL when an optional column is absent), in contract order."""
    parts = []
    for column in entity.columns:
        if column.name in present:
            parts.append(
                f"cast({source}.{_quote(column.name)} as varchar) as {_quote(column.name)}"
            )
        else:
            parts.append(f"cast(null as varchar) as {_quote(column.name)}")
    return ", ".join(parts)


def read_csv(
    conn: duckdb.DuckDBPyConnection, path: Path, entity: Entity, scan: LineScan
) -> ReadResult:
    dialect = sniff_csv(path)
    required = _required(entity)
    if any(name not in dialect.header for name in required):
        later = first_lines(path, dialect.delimiter, dialect.header_line)
        check_columns(path.name, dialect.header, required, later)
    unnamed = tuple(f"_unnamed_{i}" for i in range(1, dialect.unnamed_trailing + 1))
    columns = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in dialect.header + unnamed) + "}"
    conn.execute("drop table if exists reject_errors; drop table if exists reject_scans")
    # strict_mode without null_padding turns a truncated or ragged line into a rejected line
    # (with its line number) instead of silently shifting or padding values. DuckDB numbers
    # lines from the start of the file, skipped empty lines included.
    relation = f"""read_csv('{path}', header = true, delim = '{dialect.delimiter}',
        skip = {dialect.header_line - 1}, quote = '"', escape = '"', columns = {columns},
        auto_detect = false, strict_mode = true, null_padding = false, store_rejects = true,
        encoding = 'utf-8')"""
    try:
        # With preserve_insertion_order the table's rowid is the good row's ordinal in the file
        # (no row_number() window, which runs on one thread).
        conn.execute(f"create or replace temp table read_good as select * from {relation}")
    except duckdb.Error as exc:
        raise FileRejected(
            "unreadable_file", f"{path.name}: cannot be parsed as CSV: {exc}"
        ) from exc
    encoding = conn.execute(
        "select count(*), min(line) from reject_errors where error_type = 'INVALID ENCODING'"
    ).fetchall()[0]
    if encoding[0]:
        raise FileRejected(
            "unreadable_file",
            f"{path.name}: {encoding[0]} line(s) are not valid UTF-8, the first on line "
            f"{encoding[1]}; nothing of the file was loaded (export it again as UTF-8)",
        )
    rejected_lines = _reconcile_lines(conn, path, scan, dialect.header_line)
    notes = _csv_notes(path, entity, dialect.header, dialect.header_line, unnamed)
    empty = _count_empty_rows(conn, path, dialect.header + unnamed, rejected_lines, notes)
    contract_columns = _select_contract_columns(entity, dialect.header, "g")
    malformed = _unnamed_values(unnamed)
    not_empty = f"where not ({_all_empty(dialect.header + unnamed)})" if empty else ""
    blank_lines = scan.blank_lines_between_rows(dialect.header_line)
    if blank_lines or rejected_lines:
        conn.execute("create or replace temp table blank_lines (line bigint)")
        if blank_lines:
            conn.execute("insert into blank_lines select unnest(?)", [list(blank_lines)])
        _stage_table(
            conn,
            _with_rejected_lines(
                entity, contract_columns, malformed, not_empty, dialect.header_line
            ),
        )
    else:
        _stage(
            conn,
            f"select g.rowid + 1 as _row_number, {malformed} as _malformed, "
            f"{contract_columns} from read_good as g {not_empty}",
        )
    return ReadResult(fmt="csv", delimiter=dialect.delimiter, notes=notes)


def _all_empty(names: tuple[str, ...]) -> str:
    """SQL: every field of the row is missing or blank (a line of separators only)."""
    return " and ".join(f"coalesce({trimmed('g.' + _quote(n))}, '') = ''" for n in names)


def _count_empty_rows(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    names: tuple[str, ...],
    rejected_lines: int,
    notes: list[str],
) -> int:
    """Rows that are not rows: lines of spaces only (rejected by DuckDB) and rows whose every
    field is empty. Each kind found is said in `notes`; returns the number of empty rows."""
    if rejected_lines:
        query = f"select count(distinct line) from reject_errors where {SPACES_ONLY}"
        spaces = int(conn.execute(query).fetchall()[0][0])
        if spaces:
            notes.append(
                f"{path.name}: {spaces} line(s) holding only spaces are not rows and were skipped"
            )
    # The conjunction stops at the first filled field, so a normal row costs one test.
    query = f"select count(*) from read_good as g where {_all_empty(names)}"
    empty = int(conn.execute(query).fetchall()[0][0])
    if empty:
        notes.append(
            f"{path.name}: {empty} row(s) with every field empty (only separators) are not "
            "rows and were skipped"
        )
    return empty


def _unnamed_values(unnamed: tuple[str, ...]) -> str:
    """SQL for `_malformed`: why a row is malformed when it has a value under no column name."""
    if not unnamed:
        return "cast(null as varchar)"
    filled = " or ".join(f"coalesce(trim(g.{_quote(n)}), '') <> ''" for n in unnamed)
    return (
        f"case when {filled} then 'value in a column without a name (after the last named "
        "column)' end"
    )


def _reconcile_lines(
    conn: duckdb.DuckDBPyConnection, path: Path, scan: LineScan, header_line: int
) -> int:
    """Every non-empty line must come back as a row or a rejected line. DuckDB drops the lines
    after a quote that is never closed; such a file is rejected whole (nothing silently lost).
    Returns the number of rejected lines."""
    good, rejected = conn.execute(
        "select (select count(*) from read_good), (select count(distinct line) from reject_errors)"
    ).fetchall()[0]
    missing = scan.data_lines(header_line) - int(good) - int(rejected)
    if missing <= 0:
        return int(rejected)  # all lines accounted for (fewer rows than lines: quoted breaks)
    unterminated = conn.execute(
        "select min(line) from reject_errors where error_type = 'UNQUOTED VALUE'"
    ).fetchall()[0][0]
    if unterminated is not None:
        raise FileRejected(
            "unreadable_file",
            f"{path.name}: line {unterminated} opens a quote that is never closed, so the "
            f"{missing} line(s) after it cannot be split into rows; nothing of the file was "
            "loaded (fix the quoting and deliver it again)",
        )
    return int(rejected)


def _csv_notes(
    path: Path,
    entity: Entity,
    header: tuple[str, ...],
    header_line: int,
    unnamed: tuple[str, ...],
) -> list[str]:
    notes = []
    if header_line > 1:
        notes.append(
            f"{path.name}: {header_line - 1} empty line(s) before the header were skipped; "
            f"row numbers count from the header on line {header_line}"
        )
    extra = [name for name in header if name not in {c.name for c in entity.columns}]
    if extra:
        notes.append(f"{path.name}: columns not in the contract were ignored: {', '.join(extra)}")
    if unnamed:
        notes.append(
            f"{path.name}: the header ends with {len(unnamed)} separator(s) after the last "
            "column name; those unnamed columns must be empty"
        )
    return notes


def _with_rejected_lines(
    entity: Entity, contract_columns: str, malformed: str, not_empty: str, header_line: int
) -> str:
    """Good rows renumbered around the rejected lines, plus one row per rejected line (a line
    of spaces only is not a row: it counts as an empty line).

    A row's number is its line's number in the file minus the header's. DuckDB numbers a
    rejected line that way, but returns good rows in file order without the rejected lines and
    without empty ones (`blank_lines`); each good row's number is its ordinal plus the number of
    rejected or empty lines before it, found with an ASOF join on "good rows seen before"."""
    nulls = ", ".join(f"cast(null as varchar) as {_quote(c.name)}" for c in entity.columns)
    return f"""
        with lines as (
            select line - {header_line} as row_number,
                   case when not bool_and({SPACES_ONLY}) then min(error_type) end as error_type,
                   min(error_message) as error_message
            from reject_errors
            group by line
            union all
            select line - {header_line}, null, null from blank_lines
        ),
        skipped as (
            select row_number, error_type, error_message,
                   row_number - row_number() over (order by row_number) as good_before
            from lines
        ),
        shifts as (
            select good_before, count(*) over (order by good_before) as shift
            from skipped
            qualify row_number() over (partition by good_before order by row_number desc) = 1
        ),
        good as (
            select g.rowid + 1 + coalesce(s.shift, 0) as _row_number,
                   {malformed} as _malformed,
                   {contract_columns}
            from read_good as g
            asof left join shifts as s on g.rowid + 1 > s.good_before
            {not_empty}
        ),
        bad as (
            select row_number as _row_number,
                   lower(error_type) || ': ' || regexp_replace(
                       error_message, '^.*(Expected Number of Columns.*)$', '\\1'
                   ) as _malformed,
                   {nulls}
            from skipped
            where error_type is not null
        )
        select * from good
        union all
        select * from bad
    """


def read_parquet(conn: duckdb.DuckDBPyConnection, path: Path, entity: Entity) -> ReadResult:
    try:
        described = conn.execute(f"describe select * from read_parquet('{path}')").fetchall()
    except duckdb.Error as exc:
        raise FileRejected(
            "unreadable_file", f"{path.name}: not a readable Parquet file: {exc}"
        ) from exc
    # lower-cased name -> (name as written in the file, DuckDB type)
    found = {str(row[0]).lower(): (str(row[0]), str(row[1])) for row in described}
    check_columns(path.name, tuple(found), _required(entity))
    selects, native = [], set()
    for column in entity.columns:
        if column.name not in found:
            selects.append(f"cast(null as varchar) as {_quote(column.name)}")
            continue
        original, duckdb_type = found[column.name]
        if native_fits(column, duckdb_type):
            # Already the contract's type: kept as is, checked without a round trip via text.
            native.add(column.name)
            selects.append(f"{_quote(original)} as {_quote(column.name)}")
        else:
            # Other typed values become their canonical text (dates ISO, decimals with a point)
            # and go through the same checks and casts as CSV text.
            selects.append(f"cast({_quote(original)} as varchar) as {_quote(column.name)}")
    try:
        _stage_table(
            conn,
            f"""select file_row_number + 1 as _row_number, cast(null as varchar) as _malformed,
                   {", ".join(selects)}
            from read_parquet('{path}', file_row_number = true)""",
        )
    except duckdb.Error as exc:
        raise FileRejected("unreadable_file", f"{path.name}: cannot read Parquet: {exc}") from exc
    contract = {c.name for c in entity.columns}
    extra = [original for name, (original, _) in found.items() if name not in contract]
    notes = (
        [f"{path.name}: columns not in the contract were ignored: {', '.join(extra)}"]
        if extra
        else []
    )
    return ReadResult(fmt="parquet", notes=notes, native_columns=frozenset(native))


def cell_text(value: object) -> str | None:
    """An xlsx cell as the text a CSV export would hold."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def xlsx_sheets(path: Path) -> list[tuple[str, list[list[str | None]]]]:
    """Every sheet as (name, rows as text), trailing empty rows dropped (xlsx deliveries are
    small catalogues and tables)."""
    import zipfile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise FileRejected(
            "unreadable_file", f"{path.name}: not a readable xlsx workbook: {exc}"
        ) from exc
    sheets = []
    try:
        for sheet in workbook.worksheets:
            rows = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            while rows and all(v is None for v in rows[-1]):
                rows.pop()
            sheets.append((sheet.title, rows))
    finally:
        workbook.close()
    return sheets


def xlsx_rows(path: Path) -> list[list[str | None]]:
    """All rows of the first sheet as text."""
    sheets = xlsx_sheets(path)
    return sheets[0][1] if sheets else []


def _header(row: list[str | None]) -> tuple[str, ...]:
    return tuple((v or "").strip().lower() for v in row)


def register_rows(
    conn: duckdb.DuckDBPyConnection,
    entity: Entity,
    records: list[tuple[int, dict[str, str | None]]],
) -> None:
    """Stage small, already split rows (xlsx, BPS tables) as the `staged` view."""
    import pyarrow as pa

    data: dict[str, list[object]] = {
        "_row_number": [r for r, _ in records],
        "_malformed": [values.get("_malformed") for _, values in records],
    }
    for column in entity.columns:
        data[column.name] = [values.get(column.name) for _, values in records]
    schema = pa.schema(
        [("_row_number", pa.int64()), ("_malformed", pa.string())]
        + [(c.name, pa.string()) for c in entity.columns]
    )
    table = pa.Table.from_pydict(data, schema=schema)
    conn.register("staged_arrow", table)
    try:
        _stage_table(conn, "select * from staged_arrow")
    finally:
        conn.unregister("staged_arrow")


def read_xlsx(conn: duckdb.DuckDBPyConnection, path: Path, entity: Entity) -> ReadResult:
    """The first sheet, or the first whose header holds the contract's required columns (a
    workbook may open with a notes sheet, "Keterangan")."""
    sheets = [(name, rows) for name, rows in xlsx_sheets(path) if rows]
    if not sheets:
        raise FileRejected("empty_file", f"{path.name}: the workbook's sheets are empty")
    required = _required(entity)
    chosen = next(
        ((name, rows) for name, rows in sheets if all(c in _header(rows[0]) for c in required)),
        sheets[0],
    )
    sheet, rows = chosen
    header = _header(rows[0])
    check_columns(path.name, header, required, [[v or "" for v in r] for r in rows[1:21]])
    width = len(header)
    records: list[tuple[int, dict[str, str | None]]] = []
    empty = 0
    for number, row in enumerate(rows[1:], start=1):
        if all(v is None for v in row):
            empty += 1  # an emptied spreadsheet row, as a blank line in a CSV: not a row
            continue
        values: dict[str, str | None] = {}
        if any(v is not None for v in row[width:]):
            values["_malformed"] = f"too many columns: expected {width}, found {len(row)}"
        else:
            values = {name: row[i] if i < len(row) else None for i, name in enumerate(header)}
        records.append((number, values))
    register_rows(conn, entity, records)
    notes = [f"{path.name}: {empty} empty row(s) between the rows were skipped"] if empty else []
    if sheet != sheets[0][0]:
        notes.append(f"{path.name}: rows read from sheet {sheet!r} (the first with the header)")
    return ReadResult(fmt="xlsx", notes=notes)
