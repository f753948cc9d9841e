"""`ingest(settings, inbox)`: load every new delivery of the inbox into raw.duckdb.

Per file: recognise the source from its name (contract file_pattern), skip it when the same bytes
were already loaded (sha256), read it as text, validate set-based, pseudonymise, and write rows,
quarantine and audit in one transaction. A file that cannot be read at all is rejected alone; the
rest of the inbox still loads.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import duckdb

from ingestion.bps_table import read_bps_table
from ingestion.contract import Entity, load_contracts, match_entity
from ingestion.file_checks import FileRejected, declared_format
from ingestion.line_scan import LineScan, scan_file
from ingestion.loader import load_checked, write_audit
from ingestion.pseudonymise import register_key
from ingestion.readers import ReadResult, read_csv, read_parquet, read_xlsx
from ingestion.reference_codes import register_reference_tables
from ingestion.report import FileReport
from ingestion.validate import build_checked
from ingestion.warehouse import ensure_layout
from prakerja.console import warn
from prakerja.errors import UsageError
from prakerja.settings import DEMO_PII_KEY, Settings

MANIFEST_NAME = "MANIFEST.json"


def is_synthetic_inbox(inbox: Path) -> bool:
    """True when the generator marked the inbox as generated sample data."""
    manifest = inbox / MANIFEST_NAME
    if not manifest.is_file():
        return False
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("synthetic") is True
    except (OSError, ValueError, AttributeError):
        return False


def resolve_pii_key(settings: Settings, synthetic: bool) -> str:
    if settings.pii_key:
        return settings.pii_key
    if not synthetic:
        raise UsageError(
            "PRAKERJA_PII_KEY is not set: it is required to ingest deliveries that are not "
            f'marked as generated sample data ({MANIFEST_NAME} with "synthetic": true)'
        )
    warn("PRAKERJA_PII_KEY is not set: using the demo key, allowed only for generated data")
    return DEMO_PII_KEY


def delivery_files(inbox: Path) -> list[Path]:
    """Files to consider, in name order (the manifest, hidden and partial files are not
    deliveries)."""
    return sorted(
        p
        for p in inbox.iterdir()
        if p.is_file()
        and p.name != MANIFEST_NAME
        and not p.name.startswith((".", "~$"))
        and not p.name.endswith((".tmp", ".part"))
    )


def connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    settings.home.mkdir(parents=True, exist_ok=True)
    try:
        conn = duckdb.connect(str(settings.raw_db))
    except duckdb.Error as exc:
        raise UsageError(f"cannot open {settings.raw_db}: {exc}") from exc
    conn.execute(f"set threads = {int(settings.threads)}")
    conn.execute(f"set memory_limit = '{settings.memory_limit}'")
    conn.execute("set enable_progress_bar = false")
    conn.execute("set preserve_insertion_order = true")
    return conn


def _already_loaded(conn: duckdb.DuckDBPyConnection, checksum: str) -> str | None:
    found = conn.execute(
        "select file from audit.load_audit where file_checksum = ? and status = 'loaded' "
        "order by finished_at limit 1",
        [checksum],
    ).fetchall()
    return str(found[0][0]) if found else None


def _read(
    conn: duckdb.DuckDBPyConnection, path: Path, entity: Entity, scan: LineScan
) -> ReadResult:
    if path.stat().st_size == 0:
        raise FileRejected("empty_file", f"{path.name}: the file is empty (0 bytes)")
    fmt = declared_format(path, entity.formats)
    if entity.layout == "bps_wide":
        return read_bps_table(conn, path, entity, fmt)
    if fmt == "parquet":
        return read_parquet(conn, path, entity)
    if fmt == "xlsx":
        return read_xlsx(conn, path, entity)
    return read_csv(conn, path, entity, scan)


def ingest_file(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    entities: list[Entity],
    *,
    is_synthetic: bool,
    scanned: Future[LineScan] | None = None,
) -> FileReport:
    """scanned: the file's line scan started ahead (see `ingest`); scanned here when None."""
    started = time.monotonic()
    started_at = datetime.now()
    entity = match_entity(path.name, entities)
    report = FileReport(
        file=path.name,
        source=entity.entity if entity else None,
        status="rejected",
        table=entity.qualified_table if entity else None,
        load_id=uuid.uuid4().hex,
    )
    try:
        scan = scanned.result() if scanned is not None else None
        if scan is None or not scan.still_matches(path):
            scan = scan_file(path)  # scanned ahead, then changed: scan what will be read
        report.file_checksum = scan.checksum
        if entity is None:
            raise FileRejected(
                "unknown_file", f"{path.name}: no delivery contract matches this file name"
            )
        previous = _already_loaded(conn, report.file_checksum)
        if previous is not None:
            report.status = "duplicate"
            report.notes.append(f"{path.name}: same content (sha256) already loaded as {previous}")
            write_audit(conn, report, entity, is_synthetic=is_synthetic, started_at=started_at)
            return report
        result = _read(conn, path, entity, scan)
        report.format = result.fmt
        report.notes.extend(result.notes)
        try:
            build_checked(
                conn,
                entity,
                path.name,
                thousands_dot=result.delimiter == ";",
                native=result.native_columns,
            )
            load_checked(conn, entity, report, is_synthetic=is_synthetic, started_at=started_at)
        except duckdb.Error as exc:
            # Validation is written to never fail on data; if DuckDB still does, the file is
            # rejected alone (its transaction rolled back) rather than stopping the inbox.
            raise FileRejected(
                "unreadable_file", f"{path.name}: could not be validated: {exc}"
            ) from exc
    except FileRejected as exc:
        report.status = "rejected"
        report.rows_read = report.rows_loaded = report.rows_rejected = 0
        report.rule_counts = {}
        report.file_rule = exc.rule
        report.errors = [f"{exc.rule}: {exc.message}"]
        write_audit(conn, report, entity, is_synthetic=is_synthetic, started_at=started_at)
    finally:
        report.seconds = round(time.monotonic() - started, 3)
    return report


def ingest(
    settings: Settings,
    inbox: Path | None = None,
    *,
    on_file: Callable[[FileReport], None] | None = None,
) -> list[FileReport]:
    """Load every delivery in `inbox` (default $PRAKERJA_HOME/inbox); one report per file."""
    inbox = settings.inbox if inbox is None else Path(inbox)
    if not inbox.is_dir():
        raise UsageError(f"inbox {inbox} does not exist or is not a folder")
    synthetic = is_synthetic_inbox(inbox)
    key = resolve_pii_key(settings, synthetic)
    entities = load_contracts()
    files = delivery_files(inbox)
    conn = connect(settings)
    try:
        ensure_layout(conn, entities)
        register_reference_tables(conn)
        register_key(conn, key)
        reports = []
        # The next file's checksum and line scan (about a second per GB) run in this thread
        # pool while DuckDB works on the current file; hashlib, file reads and DuckDB release
        # the GIL. Measured: 0-3 % of ingestion's wall time (bench/ingest.md, fourth pass).
        scanner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="line-scan")
        try:
            upcoming = scanner.submit(scan_file, files[0]) if files else None
            for i, path in enumerate(files):
                scanned = upcoming
                upcoming = scanner.submit(scan_file, files[i + 1]) if i + 1 < len(files) else None
                report = ingest_file(conn, path, entities, is_synthetic=synthetic, scanned=scanned)
                reports.append(report)
                if on_file is not None:
                    on_file(report)
        finally:
            # after an error or Ctrl-C, do not wait for a scan nobody will read
            scanner.shutdown(wait=False, cancel_futures=True)
        return reports
    finally:
        conn.close()
