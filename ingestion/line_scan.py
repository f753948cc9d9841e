"""One pass over a delivery's bytes: its sha256 and where its physical lines are.

DuckDB's CSV reader skips empty lines without a trace and, after a quote that is never closed,
drops every following line. Neither may go unnoticed: a skipped blank line would shift the row
number of every later row (and so every quarantine reason), and dropped lines are lost rows. The
line count taken here, in the same read as the checksum, is what the parsed rows are reconciled
against.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BLOCK = 1 << 20
NEWLINE, CARRIAGE_RETURN = 0x0A, 0x0D


@dataclass(frozen=True)
class LineScan:
    checksum: str
    lines: int  # physical lines; a last line without a line end counts
    blank_lines: tuple[int, ...]  # 1-based numbers of the empty lines, in order
    size: int  # the file's size and mtime when the scan began (see `still_matches`)
    mtime_ns: int

    def still_matches(self, path: Path) -> bool:
        """False when the file changed since it was scanned (a delivery still being written):
        its checksum and line count would not describe what DuckDB reads."""
        stat = path.stat()
        return (stat.st_size, stat.st_mtime_ns) == (self.size, self.mtime_ns)

    def data_lines(self, header_line: int = 1) -> int:
        """Non-empty lines after the header (on line `header_line`): what a CSV reader should
        return as rows."""
        blanks_after = sum(1 for n in self.blank_lines if n > header_line)
        return max(self.lines - header_line - blanks_after, 0)

    def blank_lines_between_rows(self, header_line: int = 1) -> tuple[int, ...]:
        """Empty lines after the header with a non-empty line after them (trailing ones shift
        nothing)."""
        last_text_line = self.lines
        blanks = set(self.blank_lines)
        while last_text_line in blanks:
            last_text_line -= 1
        return tuple(n for n in self.blank_lines if header_line < n < last_text_line)


def scan_file(path: Path, block_size: int = BLOCK) -> LineScan:
    digest = hashlib.sha256()
    newlines = 0  # newlines before the current block
    offset = 0  # file offset of the current block
    last_newline = -1  # file offset of the last newline seen, -1 before the first
    last_byte = 0
    first_byte = -1
    blanks: list[int] = []
    # The checksum runs in a second thread (hashlib releases the GIL on large buffers) while
    # this one finds the line ends with numpy (bytes.find per pattern cost more than sha256).
    with path.open("rb") as handle, ThreadPoolExecutor(max_workers=1) as hasher:
        stat = os.fstat(handle.fileno())
        while block := handle.read(block_size):
            hashed = hasher.submit(digest.update, block)
            data = np.frombuffer(block, dtype=np.uint8)
            ends = np.flatnonzero(data == NEWLINE)
            if first_byte < 0:
                first_byte = block[0]
            if len(ends) and last_newline < 0:
                # the file's first line is empty: its newline at offset 0, or 1 after a CR
                first = offset + int(ends[0])
                if first == 0 or (first == 1 and first_byte == CARRIAGE_RETURN):
                    blanks.append(1)
            elif len(ends):
                # an empty line that straddles the previous block: "\n|\n", "\n|\r\n", "\n\r|\n"
                gap = offset + int(ends[0]) - last_newline
                between = block[0] if last_newline + 1 >= offset else last_byte
                if gap == 1 or (gap == 2 and between == CARRIAGE_RETURN):
                    blanks.append(newlines + 1)
            # a line end followed by an empty line: the next newline 1 byte on, or 2 over a CR
            gaps = np.diff(ends)
            empty_next = (gaps == 1) | ((gaps == 2) & (data[ends[:-1] + 1] == CARRIAGE_RETURN))
            # the k-th newline of the block (0-based) ends line newlines + k + 1; the empty line
            # after it is the next one
            blanks.extend(int(k) + newlines + 2 for k in np.flatnonzero(empty_next))
            if len(ends):
                last_newline = offset + int(ends[-1])
            newlines += len(ends)
            offset += len(block)
            last_byte = block[-1]
            hashed.result()
    lines = newlines + (1 if offset and last_byte != NEWLINE else 0)
    return LineScan(digest.hexdigest(), lines, tuple(blanks), stat.st_size, stat.st_mtime_ns)
