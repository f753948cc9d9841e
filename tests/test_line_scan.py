"""The line scan behind row numbers and the reconciliation: line count, blank lines and sha256,
whatever the block boundaries."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from ingestion.line_scan import scan_file


def reference_scan(data: bytes) -> tuple[str, int, tuple[int, ...]]:
    """Line by line, the obvious way: a line is blank when empty once its "\\r" is dropped."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the line end of the last line
    blank = tuple(n for n, line in enumerate(lines, 1) if line in (b"", b"\r"))
    return hashlib.sha256(data).hexdigest(), len(lines), blank


CASES = [
    b"",
    b"a,b\n1,2\n",
    b"a,b\n1,2",
    b"a,b\n\n1,2\n\n\n",
    b"a,b\r\n1,2\r\n\r\n3,4\r\n",
    b"\n\na\n",
    b"a\n\r\n\r\n\n",
    b"\r\n\r\na,b\r\n1,2\r\n",
    b"\r\na",
    b"\n",
]


@pytest.mark.parametrize("data", CASES)
@pytest.mark.parametrize("block_size", [1, 2, 3, 5, 1 << 20])
def test_scan_matches_a_line_by_line_reading(tmp_path: Path, data: bytes, block_size: int) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    scan = scan_file(path, block_size)
    assert (scan.checksum, scan.lines, scan.blank_lines) == reference_scan(data)


def test_scan_on_random_lines_across_block_boundaries(tmp_path: Path) -> None:
    rng = random.Random(7)
    pieces = [b"", b"x", b"12,ab", b"\r"]
    data = b"".join(rng.choice(pieces) + rng.choice([b"\n", b"\r\n"]) for _ in range(5000))
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    expected = reference_scan(data)
    assert expected[2], "the sample must contain blank lines"
    for block_size in (7, 64, 4096):
        scan = scan_file(path, block_size)
        assert (scan.checksum, scan.lines, scan.blank_lines) == expected


def test_a_scan_knows_when_its_file_changed_after_it(tmp_path: Path) -> None:
    # A file scanned ahead may still be growing when it is read: its checksum and line count
    # would then describe fewer rows than DuckDB reads.
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\n1,2\n")
    scan = scan_file(path)
    assert scan.still_matches(path)
    with path.open("ab") as handle:
        handle.write(b"3,4\n")
    assert not scan.still_matches(path)
    assert scan_file(path).lines == scan.lines + 1
