"""File writers: each delivery's format as the source system exports it, byte-deterministic.

- `csv`: UTF-8, `,`, LF, strings quoted only where a value needs it (`needed`: all text).
- `csv_semicolon`: `;`, decimal comma and DD/MM/YYYY dates (formatted by the builder).
- `csv_bom_crlf`: UTF-8 with BOM and CRLF line ends (a Windows export).
- `parquet`: typed columns, zstd, fixed writer options, no timestamps of "now".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

FORMATS = ("csv", "csv_semicolon", "csv_bom_crlf", "parquet")


class Writer:
    """Appends Arrow chunks to one delivery file."""

    def __init__(self, path: Path, fmt: str, quote_all_text: bool = False) -> None:
        self.path = path
        self.fmt = fmt
        self.rows = 0
        self._quote = "needed" if quote_all_text else "none"
        self._parquet: pq.ParquetWriter | None = None
        self._csv: pacsv.CSVWriter | None = None
        self._text: io.TextIOWrapper | None = None
        self._sink: pa.OSFile | None = None

    def write(self, table: pa.Table, truncate_row: int | None = None) -> None:
        """Append rows; `truncate_row` (0-based in this chunk) is cut after two fields."""
        if self.fmt == "parquet":
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(
                    str(self.path), table.schema, compression="zstd", compression_level=3,
                    use_dictionary=True, write_statistics=True, version="2.6",
                    data_page_version="1.0",
                )  # fmt: skip
            self._parquet.write_table(table, row_group_size=1_000_000)
        elif self.fmt == "csv_bom_crlf":
            if self._text is None:
                self._text = self.path.open("w", encoding="utf-8-sig", newline="")
                csv.writer(self._text, lineterminator="\r\n").writerow(table.column_names)
            out = csv.writer(self._text, lineterminator="\r\n")
            for i, row in enumerate(_rows(table)):
                out.writerow(row[:2] if i == truncate_row else row)
        else:
            if self._csv is None:
                self._sink = pa.OSFile(str(self.path), "wb")
                options = pacsv.WriteOptions(
                    include_header=True,
                    delimiter=";" if self.fmt == "csv_semicolon" else ",",
                    quoting_style=self._quote,
                )
                self._csv = pacsv.CSVWriter(self._sink, table.schema, write_options=options)
            self._csv.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._csv is not None:
            self._csv.close()
        if self._sink is not None:
            self._sink.close()
        if self._text is not None:
            self._text.close()


def _rows(table: pa.Table) -> Iterable[list[str]]:
    columns = [c.to_pylist() for c in table.columns]
    for values in zip(*columns, strict=True):
        yield ["" if v is None else str(v) for v in values]
