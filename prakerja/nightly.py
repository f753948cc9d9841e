"""`prakerja nightly [INBOX]`: ingest, build, check and publish under one run id.

Write-audit-publish: everything is written and audited away from what readers see (raw.duckdb,
build.duckdb), and serving/current.duckdb changes only when the gate passes, in one atomic switch.

The gate, and what each outcome means for the exit code (fixed by DESIGN.md):
- a rejected file (unreadable, unknown, wrong format) or quarantined rows: reported and alerted,
  but they do not block publishing what did load. One bad delivery must not hold back a night of
  good ones; the file stays visible in the report, load_audit and the alert until it is fixed.
- a failed dbt model or test, or a failed critical expectation: nothing is published, exit 1.
- any other error inside a step: nothing is published, exit 1 (the report holds the details).
- another run holding the lock: this run does nothing, exit 1.
- a missing inbox, raw.duckdb or bad settings: exit 2.
A failed or gated run POSTs its JSON summary to PRAKERJA_ALERT_WEBHOOK when set.
"""

from __future__ import annotations

import argparse
import os
import threading
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any

from prakerja import run_lock
from prakerja.alerts import send_alert
from prakerja.build import DbtAhead
from prakerja.console import error, info, print_table, warn
from prakerja.crash_points import arm_during, crash_point
from prakerja.errors import DataError, UsageError
from prakerja.publish import (
    BuildCopy,
    checkpointed,
    clean_leftovers,
    copy_build,
    current_run_id,
    discard_copy,
    new_run_id,
    publish,
)
from prakerja.run_report import RunReport, StepReport
from prakerja.settings import Settings

HELP = (
    "Ingest, build, check and publish under one run id (exit 0 published, 1 a gate failed and "
    "nothing was published, 2 usage or configuration error)."
)


@dataclass
class StepOutcome:
    """What the orchestrator needs from a step, whatever its own result type."""

    ok: bool
    summary: str = ""
    errors: list[str] = field(default_factory=list)
    failed_checks: list[dict[str, Any]] = field(default_factory=list)
    warning_checks: list[dict[str, Any]] = field(default_factory=list)
    failed_nodes: list[str] = field(default_factory=list)


IngestStep = Callable[[Settings, Path], list[dict[str, Any]]]
BuildStep = Callable[[Settings], StepOutcome]
CheckStep = Callable[[Settings, str], StepOutcome]


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    for method in ("as_dict", "to_dict", "model_dump"):
        if callable(getattr(value, method, None)):
            return dict(getattr(value, method)())
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return dict(vars(value))


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def real_ingest(settings: Settings, inbox: Path) -> list[dict[str, Any]]:
    from ingestion.api import ingest

    return [_as_dict(report) for report in ingest(settings, inbox=inbox)]


def real_build(settings: Settings, ahead: DbtAhead | None = None) -> StepOutcome:
    """prakerja.build.build: dbt build in a subprocess (`ahead`, when the run started one);
    success is False when any model, seed, test or unit test failed (failures are readable
    strings, one per node)."""
    from prakerja.build import build

    result = build(settings, ahead=ahead)
    failures = [str(f) for f in result.failures]
    return StepOutcome(bool(result.success), str(result.summary), failures, failed_nodes=failures)


def real_check(settings: Settings, run_id: str) -> StepOutcome:
    """expectations.api.check: `success` is False when a critical expectation failed; it
    appends the run to raw.duckdb audit.dq_runs/dq_results under our run id."""
    from expectations.api import check

    result = check(settings, run_id=run_id)
    critical = [_as_dict(row) for row in result.failed_critical]
    warnings = [_as_dict(row) for row in result.failed_warnings]
    summary = (
        f"{len(result.results)} expectations: {len(critical)} critical and "
        f"{len(warnings)} warning failed"
    )
    errors = [
        f"{c.get('suite')}/{c.get('check_id')} on {c.get('table_name')}"
        f"{'.' + str(c['column_name']) if c.get('column_name') else ''}: "
        f"observed {c.get('observed_value')}, expected {c.get('expected')}"
        for c in critical
    ]
    return StepOutcome(bool(result.success), summary, errors, critical, warnings)


@dataclass
class Pipeline:
    """The steps a nightly run calls; tests swap in small fakes, production uses the real ones."""

    ingest: IngestStep = real_ingest
    build: BuildStep = real_build
    check: CheckStep = real_check


class _Gate(Exception):
    """A step said no: stop, publish nothing."""

    def __init__(self, reason: str, exit_code: int = 1) -> None:
        super().__init__(reason)
        self.exit_code = exit_code


def _quarantine_by_rule(files: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for report in files:
        for key in ("rule_counts", "rejected_by_rule", "rules"):
            value = report.get(key)
            if isinstance(value, Mapping):
                for rule, count in value.items():
                    counts[str(rule)] = counts.get(str(rule), 0) + int(count)
                break
    return counts


def _run_step(report: RunReport, name: str, body: Callable[[StepReport], None]) -> None:
    """Run one step with its crash points and timing; turn its failures into a gate."""
    step = report.step(name)
    crash_point(f"{name}.before")
    step.start()
    timer = arm_during(name)
    try:
        body(step)
    except _Gate:
        raise
    except UsageError as exc:
        step.finish("failed", str(exc), [str(exc)])
        raise _Gate(f"{name}: {exc}", exit_code=2) from exc
    except DataError as exc:  # GateFailed included
        step.finish("failed", str(exc), [str(exc)])
        raise _Gate(f"{name} failed: {exc}") from exc
    except Exception as exc:  # an unexpected error must still leave a report and an alert
        step.finish("failed", f"{type(exc).__name__}: {exc}", [traceback.format_exc()])
        raise _Gate(f"{name} failed unexpectedly: {type(exc).__name__}: {exc}") from exc
    finally:
        if timer is not None:
            timer.cancel()
    crash_point(f"{name}.after")


def _warm_check_imports() -> None:
    """Import Great Expectations (5-7 s of Python) while dbt builds in its subprocess and one
    core is mostly idle; the check step then finds it loaded. A failure here is not one: the
    check imports it again and reports what goes wrong."""
    try:
        import great_expectations  # noqa: F401
        import sqlalchemy  # noqa: F401
    except Exception:  # pragma: no cover - the check step raises it where it is reported
        pass


class _EarlyCopy:
    """The release's byte copy of build.duckdb, taken in a thread while the checks run (a file
    copy, in the kernel, beside checks that read the files): the publish step then trims it,
    adds the data-quality history and switches. Invisible until then (a temporary name);
    removed when the gate says no."""

    def __init__(self, settings: Settings, run_id: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="release-copy")
        try:
            clean_leftovers(settings)  # under the run lock, before the new temporary file
            checkpointed(settings.build_db)  # before the checks open the file read-only
        except Exception as exc:  # raised in the publish step, which reports it
            self._future: Future[BuildCopy] = Future()
            self._future.set_exception(exc)
        else:
            self._future = self._pool.submit(copy_build, settings, run_id)

    def result(self) -> BuildCopy:
        """The copy; re-raises the copy's error in the publish step."""
        return self._future.result()

    def close(self, published: bool) -> None:
        """Wait for the copy; unless it was published, remove it (after a gate or an error,
        nothing is published)."""
        try:
            if not published:
                discard_copy(self._future.result())
        except Exception:  # the copy failed: it removed its own file
            pass
        finally:
            self._pool.shutdown()


def _steps(settings: Settings, inbox: Path, report: RunReport, pipeline: Pipeline) -> None:
    def ingest(step: StepReport) -> None:
        report.files = pipeline.ingest(settings, inbox)
        report.quarantined_by_rule = _quarantine_by_rule(report.files)
        rejected = [f["file"] for f in report.files if f.get("status") == "rejected"]
        loaded = [f for f in report.files if f.get("status") == "loaded"]
        summary = (
            f"{len(loaded)} files loaded, {len(rejected)} rejected, "
            f"{report.rows_loaded} rows loaded, {report.rows_rejected} quarantined"
        )
        errors = [f"{f['file']}: {e}" for f in report.files for e in _items(f.get("errors"))]
        step.finish("warning" if rejected else "ok", summary, errors)

    def build(step: StepReport) -> None:
        if pipeline.check is real_check:
            threading.Thread(target=_warm_check_imports, name="warm-imports", daemon=True).start()
        outcome = pipeline.build(settings) if ahead is None else real_build(settings, ahead)
        report.failed_dbt_nodes = outcome.failed_nodes if not outcome.ok else []
        step.finish("ok" if outcome.ok else "failed", outcome.summary, outcome.errors)
        if not outcome.ok:
            raise _Gate(f"dbt build failed: {outcome.summary}")

    def check(step: StepReport) -> None:
        outcome = pipeline.check(settings, report.run_id)
        report.failed_checks = outcome.failed_checks
        report.warning_checks = outcome.warning_checks
        status = "failed" if not outcome.ok else "warning" if outcome.warning_checks else "ok"
        step.finish(status, outcome.summary, outcome.errors)
        if not outcome.ok:
            raise _Gate(f"critical expectations failed: {outcome.summary}")

    early: _EarlyCopy | None = None

    def publish_step(step: StepReport) -> None:
        assert early is not None
        release = publish(settings, report.run_id, early.result())
        report.release = release.as_dict()
        step.finish(
            "ok",
            f"{len(release.tables)} tables -> {settings.current_db} "
            "(build.duckdb copied while the checks ran)",
        )

    # dbt imports (4-5 s of Python) while the files load, not after (prakerja.dbt_worker)
    ahead = DbtAhead(settings) if pipeline.build is real_build and DbtAhead.available() else None
    try:
        _run_step(report, "ingest", ingest)
        _run_step(report, "build", build)
    finally:
        if ahead is not None:
            ahead.discard()
    settings.ensure_dirs()
    early = _EarlyCopy(settings, report.run_id)
    published = False
    try:
        _run_step(report, "check", check)
        _run_step(report, "publish", publish_step)
        published = True
    finally:
        early.close(published)


def nightly(
    settings: Settings,
    inbox: Path | None = None,
    pipeline: Pipeline | None = None,
    run_id: str | None = None,
) -> RunReport:
    """Run the whole night; returns the report (its exit_code is the CLI's)."""
    pipeline = pipeline or Pipeline()
    inbox = (inbox or settings.inbox).resolve()
    report = RunReport(run_id or new_run_id(), str(inbox))
    if not inbox.is_dir():
        raise UsageError(f"inbox {inbox} does not exist or is not a folder")
    settings.ensure_dirs()
    try:
        lock = run_lock.acquire(settings.home, report.run_id, settings.lock_stale_seconds)
    except run_lock.LockHeld as exc:
        report.finish("locked", exc.exit_code, str(exc))
        _write_report(settings, report, latest=False)
        _alert(settings, report)
        return report
    ours, cleared = lock
    previous_env = os.environ.get(run_lock.RUN_ID_ENV)
    os.environ[run_lock.RUN_ID_ENV] = report.run_id  # inherited by the steps' subprocesses
    try:
        crash_point("nightly.locked")
        if cleared is not None:
            report.stale_lock_cleared = asdict(cleared)
        report.previous_release = current_run_id(settings)
        try:
            _steps(settings, inbox, report, pipeline)
        except _Gate as gate:
            for step in report.steps:  # the steps after a gate did not run
                if step.status == "pending":
                    step.status = "skipped"
            for name in ("ingest", "build", "check", "publish"):
                if name not in {s.name for s in report.steps}:
                    report.step(name).status = "skipped"
            report.finish(
                "gated" if gate.exit_code == 1 else "usage_error", gate.exit_code, str(gate)
            )
        else:
            report.finish("published", 0)
        _write_report(settings, report, latest=True)
        crash_point("nightly.reported")
    finally:
        run_lock.release(settings.home, ours)
        if previous_env is None:
            os.environ.pop(run_lock.RUN_ID_ENV, None)
        else:
            os.environ[run_lock.RUN_ID_ENV] = previous_env
    if report.exit_code or report.files_rejected:
        _alert(settings, report)
    return report


def _write_report(settings: Settings, report: RunReport, latest: bool) -> None:
    try:
        report.write(settings.reports_dir, latest=latest)
    except OSError as exc:  # a full disk must not hide the run's outcome
        warn(f"could not write the run report: {exc}")


def _alert(settings: Settings, report: RunReport) -> None:
    if settings.alert_webhook:
        send_alert(settings.alert_webhook, report.as_dict())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inbox", nargs="?", help="folder of delivered files (default: $PRAKERJA_HOME/inbox)"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    inbox = Path(args.inbox) if args.inbox else None
    report = nightly(settings, inbox)
    print_table(
        f"nightly run {report.run_id}",
        ["step", "status", "seconds", "summary"],
        [(s.name, s.status, s.duration_seconds, s.summary) for s in report.steps],
    )
    where = settings.reports_dir / f"{report.run_id}.md"
    if report.exit_code == 0:
        info(f"published {report.run_id} in {report.duration_seconds} s; report {where}")
    else:
        error(f"{report.status}: {report.gate}; nothing was published; report {where}")
    return int(report.exit_code or 0)
