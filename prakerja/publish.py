"""`prakerja publish` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse

from prakerja.errors import UsageError
from prakerja.settings import Settings

HELP = "Publish the built marts to serving/current.duckdb, or roll back."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rollback", action="store_true")


def run(args: argparse.Namespace, settings: Settings) -> int:
    raise UsageError("'prakerja publish' is not available yet")
