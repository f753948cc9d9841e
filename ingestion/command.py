"""`prakerja ingest [INBOX] [--report-json PATH]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from prakerja.settings import Settings

HELP = "Validate, pseudonymise and load every new delivery in the inbox into raw.duckdb."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inbox", nargs="?", help="folder of delivered files (default: $PRAKERJA_HOME/inbox)"
    )
    parser.add_argument(
        "--report-json",
        metavar="PATH",
        help="write one JSON object per file (file, source, status, rows_read, rows_loaded, "
        "rows_rejected, errors, ...)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    # Heavy imports (duckdb, pyarrow) only when the command runs.
    from ingestion.api import delivery_files, ingest
    from ingestion.report import print_summary, write_report_json
    from prakerja.console import error, info, progress

    inbox = Path(args.inbox) if args.inbox else settings.inbox
    total = len(delivery_files(inbox)) if inbox.is_dir() else 0
    with progress() as bar:
        task = bar.add_task("ingest", total=total)
        reports = ingest(settings, inbox, on_file=lambda _r: bar.advance(task))
    print_summary(reports)
    for report in reports:
        if report.status == "rejected":
            for message in report.errors:
                error(message)
        else:
            for note in report.notes:
                info(f"note: {note}")
    if args.report_json:
        write_report_json(reports, Path(args.report_json))
    return 1 if any(r.status == "rejected" for r in reports) else 0
