"""`prakerja build`: run `dbt build` on raw.duckdb and write build.duckdb.

`build(settings)` is the plain function (the nightly run and the tests call it); `run` is the CLI.
dbt runs in a subprocess: the project reads every path from the environment (profiles.yml), and a
child process keeps dbt's global state, logging and memory out of the caller (the nightly run
goes on to Great Expectations in the same process). What dbt did is read back from its
run_results.json, so failures are reported per node, readably, without dbt's console noise.

dbt's target/ and logs/ folders live under $PRAKERJA_HOME/dbt/, never in the repository, so two
warehouses (two tests, or a test beside a nightly run) can build at the same time.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prakerja import test_scope
from prakerja.console import info, print_table
from prakerja.errors import GateFailed, UsageError
from prakerja.paths import DBT_PROJECT_DIR
from prakerja.settings import Settings

HELP = "Run dbt build: raw.duckdb -> build.duckdb (exit 1 when a model or test fails)."

# run_results statuses that mean the build did not do what it should.
FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})
# read by dbt_project/macros/tests/increment_scope.sql (`tests_since()`)
TESTS_SINCE_ENV = "PRAKERJA_TESTS_SINCE"
# dbt stdout lines kept when dbt stops before writing run_results (a parse or profile error).
_TAIL_LINES = 25


@dataclass(frozen=True)
class NodeFailure:
    """One model, seed, test or unit test that failed or errored."""

    node: str  # e.g. model.prakerja.fct_applications
    resource_type: str  # model | seed | test | unit_test | snapshot
    status: str  # error | fail | runtime error
    message: str
    failures: int | None = None  # rows returned by a failing test

    def __str__(self) -> str:
        rows = f" ({self.failures} rows)" if self.failures else ""
        name = node_name(self.node)
        return f"{self.resource_type} {name} {self.status}{rows}: {self.message}"


@dataclass
class BuildResult:
    """What `build` did. `failures` are readable strings (the nightly report and the CLI show
    them as they are); `nodes` keeps the structured form."""

    success: bool
    summary: str
    seconds: float
    engine: str = "duckdb"
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    nodes: list[NodeFailure] = field(default_factory=list)
    build_db: Path | None = None
    warnings: list[str] = field(default_factory=list)
    # tests (unique_id) that read only rows loaded since their model's tested-through mark
    tests_since: dict[str, test_scope.Mark] = field(default_factory=dict)


def node_name(unique_id: str) -> str:
    """`test.prakerja.assert_x.1a2b3c` -> `assert_x` (tests end in a hash, models do not)."""
    parts = unique_id.split(".")
    return parts[2] if len(parts) > 2 else unique_id


def dbt_executable() -> str:
    """The dbt next to this Python (the project venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    if beside.exists():
        return str(beside)
    found = shutil.which("dbt")
    if found is None:
        raise UsageError("dbt is not installed in this environment (dbt-core + dbt-duckdb)")
    return found


def dbt_work_dir(settings: Settings) -> Path:
    return settings.home / "dbt"


# dbt threads of a build when PRAKERJA_DBT_THREADS is unset (bench/README.md, 2026-12-07): a
# full build runs one model at a time (two national-scale models side by side contend for the
# cores and the memory limit: --full-refresh 432.0 s against 351.9 s); an incremental one runs
# two nodes at once, so that one node's dbt bookkeeping (Python, 20-40 ms a node over some 400
# nodes) overlaps another's query (one-wave night's dbt 45.9 s -> 39.4 s). One DuckDB database
# serves both threads, under one memory limit.
FULL_BUILD_DBT_THREADS = 1
INCREMENTAL_DBT_THREADS = 2


def dbt_threads_for(settings: Settings, full_refresh: bool = False) -> int:
    """dbt's threads for a build: the setting when given, else by the kind of build."""
    if settings.dbt_threads:
        return settings.dbt_threads
    if test_scope.is_full_build(settings, full_refresh):
        return FULL_BUILD_DBT_THREADS
    return INCREMENTAL_DBT_THREADS


def dbt_env(
    settings: Settings,
    target: str = "duckdb",
    tests_since: Mapping[str, Any] | None = None,
    dbt_threads: int | None = None,
) -> dict[str, str]:
    """The environment profiles.yml and dbt_project.yml read: every path comes from here. The
    tested-through marks (prakerja.test_scope) travel in PRAKERJA_TESTS_SINCE, not as a dbt var:
    a var that changes every night makes dbt parse the whole project again (about 3.5 s), while
    an environment variable the macros read only at execution leaves partial parsing on."""
    work = dbt_work_dir(settings)
    env = dict(os.environ)
    env.update(
        {
            TESTS_SINCE_ENV: json.dumps(dict(tests_since or {})),
            "PRAKERJA_HOME": str(settings.home),
            "PRAKERJA_THREADS": str(settings.threads),
            "PRAKERJA_DBT_THREADS": str(dbt_threads or dbt_threads_for(settings)),
            "PRAKERJA_MEMORY_LIMIT": settings.memory_limit,
            "PRAKERJA_DBT_TARGET": target,
            "DBT_TARGET_PATH": str(work / "target"),
            "DBT_LOG_PATH": str(work / "logs"),
            "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
            "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            # dbt's coloured progress lines are for terminals; ours go through run_results.json
            "DBT_USE_COLORS": "false",
        }
    )
    return env


def run_dbt(
    settings: Settings,
    command: str,
    args: list[str],
    target: str = "duckdb",
    tests_since: Mapping[str, Any] | None = None,
    dbt_threads: int | None = None,
    ahead: DbtAhead | None = None,
) -> subprocess.CompletedProcess[str]:
    """`dbt <command> <args>` in the project, with the warehouse's environment (in `ahead`, a
    dbt process started earlier, when given)."""
    env = dbt_env(settings, target, tests_since, dbt_threads)
    if ahead is not None:
        return ahead.run([command, *args], env)
    # the project is found through cwd and DBT_PROJECT_DIR (`dbt docs generate` has no flag
    # position that works for both `build` and `docs generate`)
    cmd = [dbt_executable(), command, *args]
    return subprocess.run(
        cmd,
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_die_with_parent,
    )


class DbtAhead:
    """A dbt process started ahead of its build (prakerja.dbt_worker): it imports dbt while the
    nightly run ingests, so the build starts with dbt loaded. `run` sends it the build's command
    and environment and waits, like `run_dbt`; `discard` lets it exit unused (safe after `run`)."""

    def __init__(self, settings: Settings) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "prakerja.dbt_worker"],
            cwd=DBT_PROJECT_DIR,
            env=dbt_env(settings),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=_die_with_parent,
        )

    @staticmethod
    def available() -> bool:
        """dbt importable by this Python (the project's venv); else builds run the dbt on PATH."""
        return importlib.util.find_spec("dbt.cli") is not None

    def run(self, argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        request = json.dumps({"argv": argv, "env": env}) + "\n"
        stdout, stderr = self.process.communicate(request)
        return subprocess.CompletedProcess(["dbt", *argv], self.process.returncode, stdout, stderr)

    def discard(self) -> None:
        """Let an unused worker exit; kill one whose `run` was interrupted (as subprocess.run
        kills its child when interrupted)."""
        if self.process.returncode is not None:
            return
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.communicate("")
        else:
            self.process.kill()
            self.process.wait()


def _die_with_parent() -> None:
    """In the dbt child, before exec: ask Linux to SIGTERM it when its parent dies, so a nightly
    killed with SIGKILL does not leave dbt writing build.duckdb (the next run's lock cleanup
    stays the fallback elsewhere)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _read_run_results(path: Path, started: float) -> dict[str, Any] | None:
    """run_results.json of this invocation (an older file from a previous run is ignored)."""
    if not path.exists() or path.stat().st_mtime < started - 1:
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def failures_from_run_results(results: dict[str, Any]) -> tuple[list[NodeFailure], Counter[str]]:
    counts: Counter[str] = Counter()
    failed: list[NodeFailure] = []
    for result in results.get("results", []):
        status = str(result.get("status", "")).lower()
        counts[status] += 1
        if status not in FAILED_STATUSES:
            continue
        node = str(result.get("unique_id", "?"))
        message = " ".join(str(result.get("message") or "").split())
        failed.append(
            NodeFailure(
                node=node,
                resource_type=node.split(".")[0],
                status=status,
                message=message[:500],
                failures=result.get("failures"),
            )
        )
    return failed, counts


def _tail(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(lines[-_TAIL_LINES:])


def build(
    settings: Settings,
    *,
    select: list[str] | None = None,
    exclude: list[str] | None = None,
    full_refresh: bool = False,
    all_tests: bool = False,
    engine: str = "duckdb",
    ahead: DbtAhead | None = None,
) -> BuildResult:
    """Run `dbt build` (seeds, models, tests, unit tests) from raw.duckdb into build.duckdb.

    Raises UsageError when raw.duckdb is missing or dbt cannot start (profile, parse errors);
    returns success=False with one entry per failed node when a model or test fails. Tests on
    the incremental facts read only their untested rows unless `all_tests` (prakerja.test_scope).
    """
    if engine == "spark":
        return _build_on_spark(settings)
    if engine != "duckdb":
        raise UsageError(f"unknown engine {engine!r} (duckdb or spark)")
    if not settings.raw_db.exists():
        raise UsageError(f"{settings.raw_db} does not exist: run `prakerja ingest` first")
    settings.home.mkdir(parents=True, exist_ok=True)

    args: list[str] = []
    if select:
        # only tests whose every parent is selected: a relationship test to an unselected
        # model would fail on a table this run does not build
        args += ["--select", *select, "--indirect-selection", "cautious"]
    if exclude:
        args += ["--exclude", *exclude]
    if full_refresh:
        args.append("--full-refresh")
    scope = test_scope.scope_for_build(settings, full_refresh=full_refresh, all_tests=all_tests)

    threads = dbt_threads_for(settings, full_refresh)
    started = time.time()
    completed = run_dbt(
        settings, "build", args, tests_since=scope, dbt_threads=threads, ahead=ahead
    )
    seconds = time.time() - started
    results = _read_run_results(dbt_work_dir(settings) / "target" / "run_results.json", started)
    if results is None:
        # dbt stopped before running anything: a configuration problem, not bad data
        raise UsageError(
            "dbt build could not start (exit "
            f"{completed.returncode}):\n{_tail(completed.stdout + completed.stderr)}"
        )
    manifest_path = dbt_work_dir(settings) / "target" / "manifest.json"
    test_scope.record_after_build(
        settings, results, json.loads(manifest_path.read_text(encoding="utf-8")), scope
    )
    nodes, counts = failures_from_run_results(results)
    warnings = [
        str(r.get("unique_id")) for r in results.get("results", []) if r.get("status") == "warn"
    ]
    success = completed.returncode == 0 and not nodes
    if not success and not nodes:
        # dbt failed without a failed node (e.g. an error after the run): keep its own words
        nodes = [NodeFailure("dbt", "dbt", "error", _tail(completed.stdout + completed.stderr))]
    summary = (
        f"dbt build {'passed' if success else 'FAILED'} in {seconds:.1f} s "
        f"({threads} thread{'s' if threads > 1 else ''}): "
    ) + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    if scope:
        summary += f"; {len(scope)} tests on incremental models read only their new rows"
    return BuildResult(
        success=success,
        summary=summary,
        seconds=seconds,
        counts=dict(counts),
        failures=[str(node) for node in nodes],
        nodes=nodes,
        build_db=settings.build_db,
        warnings=warnings,
        tests_since=scope,
    )


def _build_on_spark(settings: Settings) -> BuildResult:
    """The same project on local Spark (prakerja.spark_engine, owned by the Spark work)."""
    from prakerja.spark_engine import build_on_spark

    result = build_on_spark(settings)
    failures = [str(f) for f in result.failures]
    return BuildResult(
        success=result.success,
        summary=f"dbt build on Spark {'passed' if result.success else 'FAILED'} "
        f"in {result.seconds:.1f} s",
        seconds=result.seconds,
        engine="spark",
        failures=failures,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    parser.add_argument(
        "--select", "-s", nargs="+", metavar="SELECTOR", help="dbt node selection (default all)"
    )
    parser.add_argument("--exclude", nargs="+", metavar="SELECTOR", help="dbt nodes to skip")
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental facts and marts from scratch instead of adding new loads",
    )
    parser.add_argument(
        "--all-tests",
        action="store_true",
        help="run every test on whole tables (by default tests on the incremental facts read "
        "only their new rows, with a whole-table run at least every PRAKERJA_FULL_TESTS_DAYS)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    result = build(
        settings,
        select=args.select,
        exclude=args.exclude,
        full_refresh=args.full_refresh,
        all_tests=args.all_tests,
        engine=args.engine,
    )
    info(result.summary)
    for warning in result.warnings:
        info(f"warning: {warning}")
    if not result.success:
        if result.nodes:
            print_table(
                "dbt failures",
                ["node", "type", "status", "rows", "message"],
                [
                    (node_name(n.node), n.resource_type, n.status, n.failures, n.message)
                    for n in result.nodes
                ],
            )
        else:
            for failure in result.failures:
                info(failure)
        names = ", ".join(node_name(n.node) for n in result.nodes)
        raise GateFailed(
            f"{len(result.failures)} dbt node(s) failed ({names}); build.duckdb is incomplete"
        )
    return 0


__all__ = ["BuildResult", "NodeFailure", "build", "run_dbt"]
