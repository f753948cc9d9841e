"""The `prakerja` command: one CLI that fronts every job.

Each subcommand lives in the module that does its work, which exposes `HELP`,
`add_arguments(parser)` and `run(args, settings) -> int`. Those modules import their heavy
dependencies (dbt, Great Expectations, Streamlit) inside `run`, so `--help` stays fast.

Exit codes: 0 ok, 1 data or gate failure, 2 usage, input or configuration error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from prakerja import __version__
from prakerja.console import error
from prakerja.errors import PrakerjaError
from prakerja.settings import Settings

COMMANDS: dict[str, str] = {
    "generate": "generator.command",
    "ingest": "ingestion.command",
    "build": "prakerja.build",
    "check": "expectations.command",
    "publish": "prakerja.publish",
    "nightly": "prakerja.nightly",
    "dashboard": "dashboard.command",
    "docs": "prakerja.docs_site",
    "export-raw": "prakerja.export_raw",
}

EPILOG = "exit codes: 0 ok, 1 data or gate failure, 2 usage, input or configuration error"


def _parser() -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    parser = argparse.ArgumentParser(
        prog="prakerja",
        description="Kartu Prakerja evaluation warehouse: generate, ingest, build, check, "
        "publish and serve. Settings come from environment variables (PRAKERJA_HOME, ...).",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"prakerja {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    modules: dict[str, ModuleType] = {}
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        modules[name] = module
        cmd = sub.add_parser(
            name,
            help=module.HELP,
            description=module.HELP,
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(cmd)
    return parser, modules


def main(argv: Sequence[str] | None = None) -> int:
    parser, modules = _parser()
    args = parser.parse_args(argv)  # exits 2 on usage errors
    try:
        settings = Settings.from_env()
        return int(modules[args.command].run(args, settings))
    except PrakerjaError as exc:
        error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        error("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
