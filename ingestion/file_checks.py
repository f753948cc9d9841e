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


class FileRejected(Exception):
    """The file cannot be loaded at all; `rule` is one of contract.FILE_RULES."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str
    header: tuple[str, ...]
    has_bom: bool


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
        raise FileRejected(
            "unreadable_file",
            f"{path.name}: not UTF-8 (byte {exc.start}: {body[exc.start : exc.start + 1]!r})",
        ) from exc
    if not text.strip():
        raise FileRejected("empty_file", f"{path.name}: the file is empty")
    first = text.lstrip("\r\n").splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = tuple(name.strip().strip('"').strip().lower() for name in first.split(delimiter))
    if check_header and (len(set(header)) != len(header) or "" in header):
        raise FileRejected(
            "unreadable_file", f"{path.name}: header has empty or repeated column names: {first!r}"
        )
    return CsvDialect(delimiter=delimiter, header=header, has_bom=has_bom)


def check_columns(file_name: str, present: tuple[str, ...], required: list[str]) -> None:
    missing = [name for name in required if name not in present]
    if missing:
        raise FileRejected(
            "missing_column",
            f"{file_name}: missing required column(s) {', '.join(missing)} "
            f"(found: {', '.join(present)})",
        )
