"""The run report: what each step of a nightly run did, as JSON (for machines and the alert
webhook) and Markdown (for people), in $PRAKERJA_HOME/reports/<run_id>.{json,md} plus
latest.{json,md}."""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass
class StepReport:
    name: str
    status: str = "pending"  # ok | warning | failed | skipped | pending
    started_at: str | None = None
    duration_seconds: float | None = None
    summary: str = ""
    errors: list[str] = field(default_factory=list)
    _started: float = field(default=0.0, repr=False)

    def start(self) -> None:
        self.started_at = _now()
        self._started = time.monotonic()

    def finish(self, status: str, summary: str = "", errors: list[str] | None = None) -> None:
        self.status = status
        self.duration_seconds = round(time.monotonic() - self._started, 2)
        self.summary = summary
        self.errors = list(errors or [])


@dataclass
class RunReport:
    run_id: str
    inbox: str
    status: str = "running"  # published | gated | failed | locked | usage_error
    exit_code: int | None = None
    started_at: str = field(default_factory=_now)
    finished_at: str | None = None
    duration_seconds: float | None = None
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    gate: str = ""  # why nothing was published, in one sentence
    steps: list[StepReport] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    quarantined_by_rule: dict[str, int] = field(default_factory=dict)
    failed_checks: list[dict[str, Any]] = field(default_factory=list)
    warning_checks: list[dict[str, Any]] = field(default_factory=list)
    failed_dbt_nodes: list[str] = field(default_factory=list)
    release: dict[str, Any] | None = None
    previous_release: str | None = None
    stale_lock_cleared: dict[str, Any] | None = None
    _started: float = field(default_factory=time.monotonic, repr=False)

    def step(self, name: str) -> StepReport:
        step = StepReport(name)
        self.steps.append(step)
        return step

    def finish(self, status: str, exit_code: int, gate: str = "") -> None:
        self.status = status
        self.exit_code = exit_code
        self.gate = gate
        self.finished_at = _now()
        self.duration_seconds = round(time.monotonic() - self._started, 2)

    @property
    def rows_loaded(self) -> int:
        return sum(int(f.get("rows_loaded") or 0) for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(int(f.get("rows_rejected") or 0) for f in self.files)

    @property
    def files_rejected(self) -> list[str]:
        return sorted(str(f["file"]) for f in self.files if f.get("status") == "rejected")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("_started")
        for step in data["steps"]:
            step.pop("_started")
        data["rows_loaded"] = self.rows_loaded
        data["rows_quarantined"] = self.rows_rejected
        data["files_rejected"] = self.files_rejected
        return data

    def to_markdown(self) -> str:
        data = self.as_dict()
        lines = [
            f"# Nightly run {self.run_id}: {self.status} (exit {self.exit_code})",
            "",
            f"- started {self.started_at}, finished {self.finished_at}, "
            f"{self.duration_seconds} s on {self.host} (pid {self.pid})",
            f"- inbox: `{self.inbox}`",
        ]
        if self.gate:
            lines.append(f"- **not published**: {self.gate}")
        if self.release:
            lines.append(f"- published release `{self.release['run_id']}`")
        if self.previous_release:
            lines.append(f"- previous release `{self.previous_release}`")
        if self.stale_lock_cleared:
            lines.append(f"- cleared a stale lock of run `{self.stale_lock_cleared['run_id']}`")
        lines += ["", "## Steps", "", "| step | status | seconds | summary |", "|---|---|---|---|"]
        for step in self.steps:
            lines.append(
                f"| {step.name} | {step.status} | {step.duration_seconds or ''} | {step.summary} |"
            )
        errors = [(s.name, e) for s in self.steps for e in s.errors]
        if errors:
            lines += ["", "## Errors", ""] + [f"- {name}: {_one_line(e)}" for name, e in errors]
        lines += [
            "",
            "## Files",
            "",
            f"{len(self.files)} files, {data['rows_loaded']} rows loaded, "
            f"{data['rows_quarantined']} quarantined.",
            "",
        ]
        if self.files:
            lines += ["| file | status | read | loaded | quarantined |", "|---|---|---|---|---|"]
            for f in self.files:
                lines.append(
                    f"| {f['file']} | {f['status']} | {f.get('rows_read')} | "
                    f"{f.get('rows_loaded')} | {f.get('rows_rejected')} |"
                )
        if self.quarantined_by_rule:
            lines += ["", "## Quarantined rows by rule", "", "| rule | rows |", "|---|---|"]
            for rule, count in sorted(self.quarantined_by_rule.items()):
                lines.append(f"| {rule} | {count} |")
        for title, checks in (
            ("Failed critical checks", self.failed_checks),
            ("Failed warning checks", self.warning_checks),
        ):
            if checks:
                lines += ["", f"## {title}", ""]
                lines += [f"- {_one_line(json.dumps(c, default=str))}" for c in checks]
        if self.failed_dbt_nodes:
            lines += ["", "## Failed dbt nodes", ""] + [f"- {n}" for n in self.failed_dbt_nodes]
        if self.release:
            lines += ["", "## Release tables", "", "| table | rows |", "|---|---|"]
            for table, rows in sorted(self.release.get("tables", {}).items()):
                lines.append(f"| {table} | {rows} |")
        return "\n".join(lines) + "\n"

    def write(self, reports_dir: Path, latest: bool = True) -> Path:
        """Write <run_id>.json/.md and (unless `latest` is False) replace latest.json/.md
        atomically."""
        reports_dir.mkdir(parents=True, exist_ok=True)
        payload = json.dumps(self.as_dict(), indent=2, default=str) + "\n"
        markdown = self.to_markdown()
        outputs = [(f"{self.run_id}.json", payload), (f"{self.run_id}.md", markdown)]
        if latest:
            outputs += [("latest.json", payload), ("latest.md", markdown)]
        for name, text in outputs:
            _write_atomic(reports_dir / name, text)
        return reports_dir / f"{self.run_id}.json"


def _one_line(text: str, limit: int = 400) -> str:
    flat = " ".join(str(text).split()).replace("|", "/")
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
