"""One pass over a delivery's bytes: its sha256 and where its physical lines are.

DuckDB's CSV reader skips empty lines without a trace and, after a quote that is never closed,
drops every following line. Neither may go unnoticed: a skipped blank line would shift the row
number of every later row (and so every quarantine reason), and dropped lines are lost rows. The
line count taken here, in the same read as the checksum, is what the parsed rows are reconciled
against.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

BLOCK = 1 << 20
BLANK_LINE_ENDS = (b"\n\n", b"\n\r\n")


@dataclass(frozen=True)
class LineScan:
    checksum: str
    lines: int  # physical lines; a last line without a line end counts
    blank_lines: tuple[int, ...]  # 1-based numbers of the empty lines, in order

    @property
    def data_lines(self) -> int:
        """Non-empty lines after the header: what a CSV reader should return as rows."""
        return max(self.lines - 1 - len(self.blank_lines), 0)

    def blank_lines_between_rows(self) -> tuple[int, ...]:
        """Empty lines with a non-empty line after them (trailing ones shift nothing)."""
        last_text_line = self.lines
        blanks = set(self.blank_lines)
        while last_text_line in blanks:
            last_text_line -= 1
        return tuple(n for n in self.blank_lines if n < last_text_line)


def _blank_lines_in(buffer: bytes, newlines_before: int) -> list[int]:
    """Numbers of the empty lines that start inside `buffer`, given the newlines before it."""
    ends = sorted(
        {i for pattern in BLANK_LINE_ENDS for i in _find_all(buffer, pattern)},
    )
    found, counted_to, newlines = [], 0, newlines_before
    for i in ends:
        newlines += buffer.count(b"\n", counted_to, i + 1)
        counted_to = i + 1
        found.append(newlines + 1)  # the empty line begins right after that newline
    return found


def _find_all(buffer: bytes, pattern: bytes) -> list[int]:
    positions, start = [], 0
    while (i := buffer.find(pattern, start)) != -1:
        positions.append(i)
        start = i + 1
    return positions


def scan_file(path: Path) -> LineScan:
    digest = hashlib.sha256()
    newlines = 0
    tail = b""  # the last bytes of the previous block: a line end may straddle two blocks
    blanks: set[int] = set()
    last_byte = b""
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
            buffer = tail + block
            blanks.update(_blank_lines_in(buffer, newlines - tail.count(b"\n")))
            newlines += block.count(b"\n")
            tail = buffer[-2:]
            last_byte = block[-1:]
    lines = newlines + (1 if last_byte not in (b"", b"\n") else 0)
    return LineScan(digest.hexdigest(), lines, tuple(sorted(blanks)))
