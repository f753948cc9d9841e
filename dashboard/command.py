"""`prakerja dashboard` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse

from prakerja.errors import UsageError
from prakerja.settings import Settings

HELP = "Serve the Streamlit dashboard on serving/current.duckdb."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8501)


def run(args: argparse.Namespace, settings: Settings) -> int:
    raise UsageError("'prakerja dashboard' is not available yet")
