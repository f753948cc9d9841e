"""The per-file result of an ingestion run (the `--report-json` objects) and its summary table."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class FileReport:
    """One delivered file. The first seven fields are the interface fixed in DESIGN.md."""

    file: str
    source: str | None
    status: str  # loaded | duplicate | rejected
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    errors: list[str] = field(default_factory=list)
    # Additions: where it went and why rows were quarantined.
    table: str | None = None
    file_checksum: str | None = None
    load_id: str | None = None
    format: str | None = None
    file_rule: str | None = None  # the whole-file rule when status is rejected
    rule_counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def write_report_json(reports: list[FileReport], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps([r.to_dict() for r in reports], indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


def print_summary(reports: list[FileReport]) -> None:
    from prakerja.console import print_table

    rows = []
    for r in reports:
        rules = ", ".join(f"{rule} {n}" for rule, n in sorted(r.rule_counts.items()))
        problem = r.file_rule or rules
        rows.append(
            (
                r.file,
                r.source or "?",
                r.status,
                r.rows_read,
                r.rows_loaded,
                r.rows_rejected,
                problem,
            )
        )
    print_table(
        "ingestion",
        ("file", "source", "status", "read", "loaded", "quarantined", "rules / problem"),
        rows,
    )
