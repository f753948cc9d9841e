"""`prakerja docs [--port N]`: generate the dbt documentation site and serve it.

`generate_docs(settings)` runs `dbt docs generate --static`, which writes one self-contained
HTML file (manifest and catalog inlined, no CDN needed) under $PRAKERJA_HOME/dbt/target/. The
catalog reads build.duckdb, so run `prakerja build` first. `serve(directory, port)` serves the
folder with the standard library's http.server until interrupted.
"""

from __future__ import annotations

import argparse
import functools
import http.server
from pathlib import Path

from prakerja.build import dbt_work_dir, run_dbt
from prakerja.console import info
from prakerja.errors import DataError, UsageError
from prakerja.settings import Settings

HELP = "Generate the dbt documentation site (static HTML) and serve it on http://localhost:PORT."

STATIC_PAGE = "static_index.html"


def generate_docs(settings: Settings) -> Path:
    """Write the static docs page and return its path."""
    if not settings.build_db.exists():
        raise UsageError(f"{settings.build_db} does not exist: run `prakerja build` first")
    completed = run_dbt(settings, "docs", ["generate", "--static"])
    page = dbt_work_dir(settings) / "target" / STATIC_PAGE
    if completed.returncode != 0 or not page.exists():
        tail = "\n".join((completed.stdout + completed.stderr).strip().splitlines()[-20:])
        raise DataError(f"dbt docs generate failed (exit {completed.returncode}):\n{tail}")
    # index.html is what a browser asks for at "/": make it the self-contained page
    (page.parent / "index.html").write_bytes(page.read_bytes())
    return page


def make_server(directory: Path, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server for the docs folder on localhost (port 0 picks a free port)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(directory: Path, port: int) -> None:
    with make_server(directory, port) as server:
        info(f"dbt docs at http://localhost:{server.server_address[1]}/ (Ctrl+C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            info("stopped")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--no-serve", action="store_true", help="only generate the site and print its path"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, got {args.port}")
    page = generate_docs(settings)
    info(f"dbt docs written to {page}")
    if not args.no_serve:
        serve(page.parent, args.port)
    return 0
