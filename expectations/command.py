"""`prakerja check` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse

from prakerja.errors import UsageError
from prakerja.settings import Settings

HELP = "Run the Great Expectations suites and store their results as history."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--suite", action="append")


def run(args: argparse.Namespace, settings: Settings) -> int:
    raise UsageError("'prakerja check' is not available yet")
