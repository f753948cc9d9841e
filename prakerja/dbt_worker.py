"""A dbt process started before its command is known: `python -m prakerja.dbt_worker`.

Importing dbt takes 4-5 s of Python on the bench machine, and a nightly run used to pay it
after ingestion, before dbt's first node. The nightly run starts this worker as it begins
(prakerja.build.DbtAhead); the worker imports dbt while the files load, then reads one request,
a JSON line `{"argv": [...], "env": {...}}`, and runs it exactly as the `dbt` executable would
(same entry point, same exit codes, output on its stdout and stderr). An empty line or the end
of stdin means the run will not build: it exits 0.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    from dbt.cli.main import cli

    line = sys.stdin.readline()
    if not line.strip():
        return 0
    request = json.loads(line)
    # the build's environment as run_dbt would have given the dbt executable
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["dbt", *request["argv"]]
    return int(cli() or 0)


if __name__ == "__main__":
    sys.exit(main())
