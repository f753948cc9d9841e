"""Split one wave's deliveries into a wave of N applications and the rest, for the incremental
nightly of issue 8 ("adding one wave of 800,000 applications").

The generated national waves have 1.4 M to 6.7 M applications (wave 11: 3.26 M), calibrated to
the programme's published figures. The first N applications of the wave's registration file,
with every row of its other files that names one of them (selection, revocation, training,
payments, surveys), make a wave of N applications; the remaining rows make the rest. CSV lines
are copied as delivered (quoting, delimiter, BOM and number formats untouched); Parquet rows
are copied with their schema by DuckDB.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from ingestion.file_checks import sniff_csv

APPLICATIONS_PREFIX = "pendaftaran_"
KEY = "id_pendaftaran"
DONE = ".split-done"


class _LineRecorder:
    """Feeds csv.reader line by line and keeps the raw text of the current record."""

    def __init__(self, handle: TextIO) -> None:
        self._handle = handle
        self.lines: list[str] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._handle)
        self.lines.append(line)
        return line


def _split_csv(source: Path, first: Path, rest: Path, keep: set[str] | None, n: int) -> set[str]:
    """Write the rows of `source` naming a kept application to `first`, the others to `rest`.
    With `keep` None (the registration file), the first `n` rows are kept; returns their keys."""
    kept: set[str] = set()
    # the delimiter and header as ingestion reads them (blank lines above it, any case)
    dialect = sniff_csv(source)
    column = dialect.header.index(KEY)
    with (
        source.open(encoding="utf-8", newline="") as handle,
        (first / source.name).open("w", encoding="utf-8", newline="") as out_first,
        (rest / source.name).open("w", encoding="utf-8", newline="") as out_rest,
    ):
        header = "".join(handle.readline() for _ in range(dialect.header_line))
        out_first.write(header)
        out_rest.write(header)
        recorder = _LineRecorder(handle)
        for row in csv.reader(recorder, delimiter=dialect.delimiter):
            raw = "".join(recorder.lines)
            recorder.lines.clear()
            # ingestion trims values; a blank or short line names no application: the rest
            key = row[column].strip() if len(row) > column else None
            taken = keep is None and len(kept) < n and bool(key)
            if taken or (keep is not None and key in keep):
                kept.add(str(key))
                out_first.write(raw)
            else:
                out_rest.write(raw)
    return kept


def _split_parquet(source: Path, first: Path, rest: Path, keep: set[str]) -> None:
    import duckdb
    import pyarrow as pa

    con = duckdb.connect()
    try:
        con.register("kept", pa.table({"key": sorted(keep)}))
        taken = f"trim({KEY}) in (select key from kept)"
        # a row without a key names no application: it goes to the rest
        for target, test in ((first, taken), (rest, f"{KEY} is null or not ({taken})")):
            out = str(target / source.name).replace("'", "''")
            con.execute(
                f"copy (select * from read_parquet(?) where {test}) to '{out}' (format parquet)",
                [str(source)],
            )
    finally:
        con.close()


def split_wave(wave: Path, first: Path, rest: Path, applications: int) -> None:
    """Split the deliveries in `wave` (one wave's files and MANIFEST.json) into `first`, a wave
    of `applications` applications, and `rest`. Reuses an earlier split of the same size."""
    marker = f"{DONE}-{applications}"
    if (first / marker).exists() and (rest / marker).exists():
        return
    for folder in (first, rest):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    files = sorted(p for p in wave.iterdir() if p.name != "MANIFEST.json")
    [registration] = [p for p in files if p.name.startswith(APPLICATIONS_PREFIX)]
    keep = _split_csv(registration, first, rest, None, applications)
    if len(keep) < applications:
        raise ValueError(f"{registration.name} has only {len(keep)} applications")
    for path in files:
        if path == registration:
            continue
        if path.suffix == ".parquet":
            _split_parquet(path, first, rest, keep)
        else:
            _split_csv(path, first, rest, keep, applications)
    for folder in (first, rest):  # the generated-data marker travels with both
        shutil.copy(wave / "MANIFEST.json", folder / "MANIFEST.json")
        (folder / marker).touch()
