"""`prakerja ingest` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse

from prakerja.errors import UsageError
from prakerja.settings import Settings

HELP = "Validate, pseudonymise and load every new delivery in the inbox into raw.duckdb."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inbox", nargs="?")
    parser.add_argument("--report-json")


def run(args: argparse.Namespace, settings: Settings) -> int:
    raise UsageError("'prakerja ingest' is not available yet")
