"""`prakerja dashboard [--port N]`: serve the Streamlit app on serving/current.duckdb.

Streamlit is started as a child process, `streamlit run dashboard/app.py` by way of
dashboard.launch (which only switches off Streamlit's legacy pages/ mode first, see there), so
this module imports nothing heavy; the app reads $PRAKERJA_HOME, passed through the environment.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from prakerja.errors import UsageError
from prakerja.paths import DASHBOARD_DIR
from prakerja.settings import Settings

HELP = "Serve the Streamlit dashboard on serving/current.duckdb (read-only)."
DEFAULT_PORT = 8501


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT})"
    )


def command_line(port: int) -> list[str]:
    """The Streamlit command: headless, no usage statistics (offline), on `port`."""
    if not 1 <= port <= 65535:
        raise UsageError(f"--port must be between 1 and 65535, got {port}")
    return [
        sys.executable,
        "-m",
        "dashboard.launch",
        "run",
        str(DASHBOARD_DIR / "app.py"),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.port",
        str(port),
        # Headless Streamlit looks up the machine's external IP on the internet to print it;
        # without the welcome message it does not. serve() prints the local URL instead.
        "--logger.hideWelcomeMessage",
        "true",
    ]


def environment(settings: Settings) -> dict[str, str]:
    """The child's environment: ours, with PRAKERJA_HOME resolved to the settings' home."""
    return {**os.environ, "PRAKERJA_HOME": str(settings.home)}


def serve(settings: Settings, port: int = DEFAULT_PORT) -> int:
    """Run the dashboard until interrupted; returns Streamlit's exit code."""
    cmd = command_line(port)
    if not settings.current_db.exists():
        # Not an error: the app itself explains this state and picks up the first release.
        print(f"note: nothing published yet at {settings.current_db}", file=sys.stderr)
    print(f"dashboard: http://localhost:{port} (PRAKERJA_HOME={settings.home})", file=sys.stderr)
    try:
        return subprocess.call(cmd, env=environment(settings))
    except KeyboardInterrupt:
        return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    return serve(settings, args.port)
