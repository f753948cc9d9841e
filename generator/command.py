"""`prakerja generate`: synthetic deliveries of the three source families, calibrated to the
published 2020 figures, with an optional share of realistic defects and MANIFEST.json."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from prakerja.errors import UsageError
from prakerja.settings import Settings

HELP = "Write synthetic deliveries of the three source families, calibrated to published figures."


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if math.isnan(value) or not 0.0 <= value <= 0.2:
        raise argparse.ArgumentTypeError(f"must be between 0 and 0.2, got {text}")
    return value


def _waves(text: str) -> list[int]:
    """`1-3,7` -> [1, 2, 3, 7]."""
    out: list[int] = []
    try:
        for part in text.split(","):
            first, _, last = part.partition("-")
            out.extend(range(int(first), int(last or first) + 1))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected wave numbers like 1-3,7, got {text!r}") from exc
    return sorted(set(out))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scale",
        choices=["demo", "small", "national"],
        required=True,
        help="fraction of the 2020 cohort: demo 1/100, small 1/10, national 1/1",
    )
    parser.add_argument(
        "--seed", type=int, required=True, help="random seed (same seed, same bytes)"
    )
    parser.add_argument("--out", required=True, help="output folder (an inbox)")
    parser.add_argument(
        "--defect-rate",
        type=_rate,
        default=0.0,
        help="share of rows of registration and provider files given one "
        "realistic defect each, listed in MANIFEST.json (0 to 0.2; default 0)",
    )
    parser.add_argument(
        "--effect",
        choices=["planted", "none"],
        default="planted",
        help="plant the programme effect on the evaluation survey (default) or not",
    )
    parser.add_argument(
        "--rig-selection",
        action="store_true",
        help="rig the lottery in favour of the employed and higher educated",
    )
    parser.add_argument(
        "--waves",
        type=_waves,
        default=None,
        help="generate only these waves, e.g. 1-3 (default: every wave of --year)",
    )
    parser.add_argument(
        "--year",
        type=int,
        default=2020,
        help="programme year whose waves to generate (from the wave calendar seed)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from generator.api import generate
    from prakerja.console import info, progress

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    with progress() as bar:
        summary = generate(
            args.scale,
            args.seed,
            out,
            args.defect_rate,
            effect=args.effect,
            rig_selection=args.rig_selection,
            waves=args.waves,
            year=args.year,
            progress=bar,
        )
    targets = summary.manifest["calibration_targets"]
    info(
        f"wrote {len(summary.files)} files ({sum(summary.files.values()):,} rows) to {out}: "
        f"{targets['applications']:,} applications, {targets['selected']:,} selected, "
        f"{len(summary.defects):,} defects injected; see {out / 'MANIFEST.json'}"
    )
    return 0
