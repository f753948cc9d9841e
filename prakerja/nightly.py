"""`prakerja nightly` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse

from prakerja.errors import UsageError
from prakerja.settings import Settings

HELP = "Ingest, build, check and publish under one run id."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inbox", nargs="?")


def run(args: argparse.Namespace, settings: Settings) -> int:
    raise UsageError("'prakerja nightly' is not available yet")
