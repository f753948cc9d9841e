"""`prakerja build` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse

from prakerja.errors import UsageError
from prakerja.settings import Settings

HELP = "Run dbt build: raw.duckdb -> build.duckdb."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")


def run(args: argparse.Namespace, settings: Settings) -> int:
    raise UsageError("'prakerja build' is not available yet")
