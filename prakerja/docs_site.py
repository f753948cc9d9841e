"""`prakerja docs` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse

from prakerja.errors import UsageError
from prakerja.settings import Settings

HELP = "Generate and serve the dbt documentation site."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8080)


def run(args: argparse.Namespace, settings: Settings) -> int:
    raise UsageError("'prakerja docs' is not available yet")
