"""`prakerja check`: run the Great Expectations suites and store their results as history.

Great Expectations is imported only inside `run` (it costs ~5 s and ~260 MiB).
"""

from __future__ import annotations

import argparse

from prakerja.settings import Settings

HELP = (
    "Run the Great Expectations suites on raw.duckdb and build.duckdb, print a summary, "
    "store the results in audit.dq_runs/dq_results (raw.duckdb) and build Data Docs under "
    "$PRAKERJA_HOME/reports/data_docs/. Exit 1 when a critical expectation fails."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--suite",
        action="append",
        metavar="NAME",
        help="run only this suite (repeatable), e.g. raw_volume, mart_funnel",
    )
    parser.add_argument("--run-id", help="run id stored in the history (default: dq-<UTC time>)")
    parser.add_argument("--no-data-docs", action="store_true", help="skip building Data Docs")
    parser.add_argument(
        "--list", action="store_true", help="list the suites and expectations, run nothing"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from expectations.api import check, select_checks
    from expectations.summary import print_catalog, print_summary

    if args.list:
        print_catalog(select_checks(args.suite))
        return 0

    result = check(
        settings,
        run_id=args.run_id,
        suites=args.suite,
        build_data_docs=not args.no_data_docs,
    )
    print_summary(result)
    return 0 if result.success else 1
