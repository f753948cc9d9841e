"""`prakerja generate` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse

from prakerja.errors import UsageError
from prakerja.settings import Settings

HELP = "Write synthetic deliveries of the three source families, calibrated to published figures."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", choices=["demo", "small", "national"], required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--defect-rate", type=float, default=0.0)


def run(args: argparse.Namespace, settings: Settings) -> int:
    raise UsageError("'prakerja generate' is not available yet")
