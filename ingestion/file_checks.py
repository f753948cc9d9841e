"""Whole-file problems: what a delivery is (format, encoding, delimiter, header) before any row
is read, and the error that rejects a file as a whole."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

# How many bytes decide the format and the encoding: the header and a good sample of rows.
SNIFF_BYTES = 1 << 16
UTF8_BOM = b"\xef\xbb\xbf"
EXTENSIONS = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".xlsx": "xlsx"}
# Separators seen in exports: `,` and `;` (Excel with an Indonesian list separator), tab and `|`
# (database dumps). The header line's most frequent one wins; a tie goes to the earlier.
DELIMITERS = (",", ";", "\t", "|")


class FileRejected(Exception):
    """The file cannot be loaded at all; `rule` is one of contract.FILE_RULES."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str
    header: tuple[str, ...]  # lower-cased names, without unnamed trailing columns
    has_bom: bool
    # 1-based physical line of the header: empty lines before it are skipped, and a row's
    # number is its line minus this one.
    header_line: int = 1
    # Empty names after the last named column: the header line ends with separators, as some
    # exports write every line. Their values belong nowhere (a row with one is malformed).
    unnamed_trailing: int = 0


def content_format(head: bytes) -> str:
    """What the bytes are, whatever the name says."""
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    return "csv"


def declared_format(path: Path, formats: tuple[str, ...]) -> str:
    """The format the name declares; wrong_format when the contract does not allow it or the
    bytes are something else (e.g. a Parquet file named .csv)."""
    declared = EXTENSIONS.get(path.suffix.lower())
    if declared is None:
        raise FileRejected(
            "wrong_format",
            f"{path.name}: extension {path.suffix or '(none)'!r} is not a delivery format "
            f"(the contract allows {', '.join(formats)})",
        )
    if declared not in formats:
        raise FileRejected(
            "wrong_format",
            f"{path.name}: {declared} is not accepted for this delivery "
            f"(the contract allows {', '.join(formats)})",
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    actual = content_format(head)
    if actual != declared:
        raise FileRejected(
            "wrong_format", f"{path.name}: named .{declared} but its content is {actual}"
        )
    return declared


def sniff_csv(path: Path, *, check_header: bool = True) -> CsvDialect:
    """Encoding, delimiter and header of a CSV delivery, from its first bytes only."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    has_bom = head.startswith(UTF8_BOM)
    body = head[len(UTF8_BOM) :] if has_bom else head
    if b"\x00" in body:
        raise FileRejected(
            "unreadable_file", f"{path.name}: contains NUL bytes (UTF-16 or binary?), not UTF-8"
        )
    try:
        # Incremental decoding tolerates a multi-byte character cut by the sample's end.
        text = codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise FileRejected(
            "unreadable_file",
            f"{path.name}: not UTF-8 (line {line}, byte "
            f"{exc.start}: {body[exc.start : exc.start + 1]!r}); nothing of the file was loaded "
            "(export it again as UTF-8)",
        ) from exc
    if not text.strip():
        raise FileRejected("empty_file", f"{path.name}: the file is empty")
    lines = text.split("\n")
    leading_blank = next(i for i, line in enumerate(lines) if line.rstrip("\r"))
    # splitlines also ends a line at a lone CR (old Mac exports, which DuckDB reads too).
    first = lines[leading_blank].lstrip("\r").splitlines()[0]
    delimiter = max(DELIMITERS, key=first.count)
    header = [name.strip().strip('"').strip().lower() for name in first.split(delimiter)]
    unnamed_trailing = 0
    while len(header) > 1 and header[-1] == "":
        header.pop()
        unnamed_trailing += 1
    if check_header and (len(set(header)) != len(header) or "" in header):
        raise FileRejected(
            "unreadable_file",
            f"{path.name}: header (line {leading_blank + 1}) has empty or repeated column "
            f"names: {first!r}",
        )
    return CsvDialect(
        delimiter=delimiter,
        header=tuple(header),
        has_bom=has_bom,
        header_line=leading_blank + 1,
        unnamed_trailing=unnamed_trailing,
    )


def check_columns(
    file_name: str,
    present: tuple[str, ...],
    required: list[str],
    later_rows: list[list[str]] | None = None,
) -> None:
    """Reject a file whose header lacks a required column. `later_rows` (the first rows after
    the header, split) let the error point at the real header below a title or note line."""
    missing = [name for name in required if name not in present]
    if not missing:
        return
    message = (
        f"{file_name}: missing required column(s) {', '.join(missing)} "
        f"(found: {', '.join(present)})"
    )
    for offset, row in enumerate(later_rows or [], start=1):
        names = {(value or "").strip().strip('"').strip().lower() for value in row}
        if all(name in names for name in required):
            message += (
                f"; the header looks to be {offset} row(s) lower: remove the title or note "
                "row(s) above it and deliver the file again"
            )
            break
    raise FileRejected("missing_column", message)


def first_lines(path: Path, delimiter: str, header_line: int, count: int = 20) -> list[list[str]]:
    """Up to `count` lines after the header, split naively (only to recognise a header)."""
    with path.open("rb") as handle:
        text = handle.read(SNIFF_BYTES).decode("utf-8-sig", errors="replace")
    lines = text.splitlines()[header_line : header_line + count]
    return [line.split(delimiter) for line in lines]
