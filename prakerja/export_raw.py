"""`prakerja export-raw` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse

from prakerja.errors import UsageError
from prakerja.settings import Settings

HELP = "Export raw.duckdb tables as Parquet for the Spark engine."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out")


def run(args: argparse.Namespace, settings: Settings) -> int:
    raise UsageError("'prakerja export-raw' is not available yet")
