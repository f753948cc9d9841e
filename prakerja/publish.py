"""`prakerja publish`: copy the built marts into a release file and switch serving/current.duckdb.

Write-audit-publish, the publish half. A release is written under a temporary name in
serving/releases/, fsynced and renamed to `<run_id>.duckdb`; only then does
serving/current.duckdb change, by `os.replace` of a fresh hard link to the release. So:
- a reader that opens current.duckdb gets one whole, finished file, the old or the new one;
  a reader that already has it open keeps reading the old inode, undisturbed;
- current.duckdb stays a regular file (not a symlink), readable by any tool, and a crash at any
  point leaves it either unchanged or fully switched;
- nothing ever writes to a file that a reader can open, so DuckDB's one-writer lock never bites.
The last `settings.keep_releases` releases are kept (and always the current one), so
`prakerja publish --rollback` can switch back to the previous one.

The gate (dbt tests and critical expectations passed) is the nightly run's job; run by hand,
`prakerja publish` requires the latest Great Expectations run to have passed after the last build.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from prakerja import run_lock
from prakerja.console import info, print_table, warn
from prakerja.crash_points import crash_point
from prakerja.errors import DataError, GateFailed, UsageError
from prakerja.paths import CONTRACTS_FILE, REPO_ROOT
from prakerja.settings import Settings

if TYPE_CHECKING:
    import duckdb

HELP = (
    "Publish the built marts, dims and data-quality history to serving/current.duckdb "
    "(a new release, switched atomically), or roll back to the previous release."
)

SERVED_PREFIXES = ("dim_", "fct_", "mart_")
RUN_ID_PATTERN = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}")
_TMP_PREFIX = ".tmp-"

# Columns the data-quality history has in the serving file when `prakerja check` has not run yet
# (docs/architecture.md, "The served tables"): the dashboard can rely on the tables existing.
DQ_RUNS_COLUMNS = (
    "run_id varchar, started_at timestamp, finished_at timestamp, success boolean, "
    "critical_failures integer, warnings integer, expectations integer"
)
DQ_RESULTS_COLUMNS = (
    "run_id varchar, suite varchar, expectation_id varchar, table_name varchar, "
    "column_name varchar, expectation_type varchar, severity varchar, success boolean, "
    "observed_value varchar, expected varchar, checked_at timestamp"
)


@dataclass
class Release:
    run_id: str
    path: Path
    published_at: str
    git_revision: str | None
    tables: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "path": str(self.path),
            "published_at": self.published_at,
            "git_revision": self.git_revision,
            "tables": self.tables,
        }


_last_run_id_tick: tuple[str, int] = ("", -1)


def new_run_id(now: datetime | None = None) -> str:
    """Sortable by time: UTC to the second, then the microsecond as five hex digits (strictly
    increasing within a process, so two runs in one second still sort in order), then one random
    hex digit."""
    global _last_run_id_tick
    now = now or datetime.now(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    tick = now.microsecond  # below 16**5
    if _last_run_id_tick[0] == stamp and tick <= _last_run_id_tick[1]:
        tick = _last_run_id_tick[1] + 1
    _last_run_id_tick = (stamp, tick)
    return f"{stamp}-{tick:05x}{secrets.randbelow(16):x}"


def git_revision() -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    revision = result.stdout.strip()
    return revision if result.returncode == 0 and revision else None


def pii_column_names() -> set[str]:
    """Names of the delivered personal columns (contract `pii: hash|drop`), lower case."""
    import yaml

    contracts = yaml.safe_load(CONTRACTS_FILE.read_text(encoding="utf-8"))
    names: set[str] = set()
    for delivery in contracts.get("deliveries", []):
        for column in delivery.get("columns", []):
            if column.get("pii"):
                names.add(str(column["name"]).lower())
    return names


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _served_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str]]:
    """(schema, table) of every dim_/fct_/mart_ table in `catalog`; a name found in two schemas
    is an error, since the serving file has one flat namespace."""
    rows = con.execute(
        """
        select table_schema, table_name
        from information_schema.tables
        where table_catalog = ?
        order by table_name, table_schema
        """,
        [catalog],
    ).fetchall()
    found: dict[str, str] = {}
    for schema, table in rows:
        if not str(table).startswith(SERVED_PREFIXES):
            continue
        if table in found:
            raise DataError(
                f"build.duckdb has {table} in two schemas ({found[table]}, {schema}): "
                "the serving file needs one"
            )
        found[table] = schema
    return [(schema, table) for table, schema in sorted(found.items())]


def checkpointed(build_db: Path) -> None:
    """Fold a WAL dbt left beside build.duckdb into the file, so a byte copy of the file is the
    whole database. The content does not change, so neither does the modification time that
    `latest_check_passed` compares with the last data-quality run."""
    import duckdb

    if not build_db.with_name(build_db.name + ".wal").exists():
        return
    before = build_db.stat()
    con = duckdb.connect(str(build_db))  # fails while a build holds the file
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    os.utime(build_db, ns=(before.st_atime_ns, before.st_mtime_ns))


def _keep_only_served(con: duckdb.DuckDBPyConnection) -> list[str]:
    """In the copied build file: make every served relation a table in `main`, then drop
    everything else (staging views that point at raw.duckdb, seeds, other schemas). raw.duckdb
    and build.duckdb are attached, so a served view can still be read once into a table.
    Returns the served names."""
    catalog = con.execute("select current_database()").fetchall()[0][0]
    served = _served_tables(con, catalog)
    if not served:
        raise DataError("build.duckdb has no dim_/fct_/mart_ tables to publish")
    kinds = dict(
        con.execute(
            "select table_schema || '.' || table_name, table_type from information_schema.tables "
            "where table_catalog = ?",
            [catalog],
        ).fetchall()
    )
    for schema, table in served:
        if schema == "main" and kinds[f"{schema}.{table}"] == "BASE TABLE":
            continue
        # a view, or a custom dbt schema: the serving file has tables in the default one only
        staged = _quote(f"{_TMP_PREFIX}{table}")
        con.execute(f"create table main.{staged} as select * from {_quote(schema)}.{_quote(table)}")
        if schema == "main":
            con.execute(f"drop view main.{_quote(table)}")
        con.execute(f"alter table main.{staged} rename to {_quote(table)}")
    names = {table for _, table in served}
    others = con.execute(
        """
        select table_name, table_type
        from information_schema.tables
        where table_catalog = ? and table_schema = 'main'
        order by table_type desc  -- views first: they may read the tables
        """,
        [catalog],
    ).fetchall()
    for name, kind in others:
        if name not in names:
            con.execute(f"drop {'view' if kind == 'VIEW' else 'table'} main.{_quote(name)}")
            crash_point("publish.copying")
    for (schema,) in con.execute(
        "select schema_name from information_schema.schemata where catalog_name = ? "
        "and schema_name not in ('main', 'information_schema', 'pg_catalog')",
        [catalog],
    ).fetchall():
        con.execute(f"drop schema {_quote(schema)} cascade")
    return sorted(names)


def _copy_dq_history(con: duckdb.DuckDBPyConnection, has_raw: bool) -> None:
    present: set[str] = set()
    if has_raw:
        present = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'raw' and table_schema = 'audit'"
            ).fetchall()
        }
    for table, columns in (("dq_runs", DQ_RUNS_COLUMNS), ("dq_results", DQ_RESULTS_COLUMNS)):
        if table in present:
            con.execute(f"create table main.{table} as select * from raw.audit.{table}")
        else:
            warn(f"raw.duckdb has no audit.{table} yet: publishing it empty")
            con.execute(f"create table main.{table} ({columns})")


def _check_no_pii_columns(con: duckdb.DuckDBPyConnection) -> None:
    """A last guard at the boundary: no served column may carry a delivered personal field's
    name. The content scan against clear values lives in the tests."""
    personal = pii_column_names()
    rows = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = current_database()"
    ).fetchall()
    leaks = sorted(f"{t}.{c}" for t, c in rows if str(c).lower() in personal)
    if leaks:
        raise GateFailed(f"personal columns would be published: {', '.join(leaks)}")


@dataclass(frozen=True)
class BuildCopy:
    """A byte copy of build.duckdb under the release's temporary name (invisible to readers and
    to `releases()`; `clean_leftovers` removes it if the run dies), with the source file's
    identity when it was taken, so that `write_release` can tell it is still current."""

    run_id: str
    tmp: Path
    source: tuple[int, int, int]  # (inode, size, mtime_ns) of build.duckdb


def _identity(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _remove_release_files(tmp: Path) -> None:
    tmp.unlink(missing_ok=True)
    tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)


def copy_build(settings: Settings, run_id: str) -> BuildCopy:
    """The release starts as a byte copy of build.duckdb (seconds, in the kernel), trimmed later
    to the served tables, instead of re-inserting every row of the four 40 M-row facts. No DuckDB
    connection here: the nightly run copies while the checks hold build.duckdb open (DuckDB
    allows one handle per file and process), and `write_release` checks, with the file attached,
    that the copy is of the file as it still is."""
    if not RUN_ID_PATTERN.fullmatch(run_id):
        raise UsageError(f"run id {run_id!r} is not of the form 20261127T231500Z-1a2b3c")
    if not settings.build_db.exists():
        raise UsageError(f"{settings.build_db} does not exist: run `prakerja build` first")
    settings.releases_dir.mkdir(parents=True, exist_ok=True)
    if (settings.releases_dir / f"{run_id}.duckdb").exists():
        raise UsageError(f"release {run_id} already exists")
    tmp = settings.releases_dir / f"{_TMP_PREFIX}{run_id}.duckdb"
    _remove_release_files(tmp)
    checkpointed(settings.build_db)
    before = _identity(settings.build_db)
    try:
        shutil.copyfile(settings.build_db, tmp)
        if _identity(settings.build_db) != before:
            raise DataError(f"{settings.build_db} was written during publish: try again")
    except BaseException:
        _remove_release_files(tmp)
        raise
    return BuildCopy(run_id, tmp, before)


def discard_copy(copy: BuildCopy) -> None:
    """Remove a copy that will not be published (the gate said no)."""
    _remove_release_files(copy.tmp)


def write_release(settings: Settings, run_id: str, copy: BuildCopy | None = None) -> Release:
    """Write serving/releases/<run_id>.duckdb from build.duckdb (or from `copy`, taken while the
    checks ran) and raw.duckdb's DQ history. The file appears under its final name only once
    complete and on disk."""
    import duckdb

    if copy is None:
        copy = copy_build(settings, run_id)
    elif copy.run_id != run_id:
        raise UsageError(f"the copy of build.duckdb is for run {copy.run_id}, not {run_id}")
    final = settings.releases_dir / f"{run_id}.duckdb"
    tmp = copy.tmp

    revision = git_revision()
    published_at = datetime.now(UTC).replace(microsecond=0)
    tables: dict[str, int] = {}
    con = duckdb.connect(":memory:", config={"threads": settings.threads})
    try:
        con.execute(f"set memory_limit = '{settings.memory_limit}'")
        con.execute("set enable_progress_bar = false")  # it prints even without a terminal
        # Attached read-only until the copy is trimmed: a build still writing the file makes
        # this fail (DuckDB's file lock), and no build can start writing it meanwhile. Under
        # its dbt name, so the copied views that read it (dbt qualifies them) still resolve.
        con.execute(f"attach '{settings.build_db}' as build (read_only)")
        if (
            settings.build_db.with_name(settings.build_db.name + ".wal").exists()
            or _identity(settings.build_db) != copy.source
        ):
            raise DataError(f"{settings.build_db} was written during publish: try again")
        con.execute(f"attach '{tmp}' as release")
        con.execute("use release")
        has_raw = settings.raw_db.exists()
        if has_raw:
            con.execute(f"attach '{settings.raw_db}' as raw (read_only)")
        served = _keep_only_served(con)
        con.execute("detach build")
        _copy_dq_history(con, has_raw)
        if has_raw:
            con.execute("detach raw")
        for table in [*served, "dq_runs", "dq_results"]:
            (count,) = con.execute(f"select count(*) from main.{_quote(table)}").fetchall()[0]
            tables[table] = int(count)
        con.execute(
            "create table main.release_info (run_id varchar, published_at timestamp, "
            "git_revision varchar, tables varchar)"
        )
        con.execute(
            "insert into main.release_info values (?, ?, ?, ?)",
            [run_id, published_at.replace(tzinfo=None), revision, json.dumps(tables)],
        )
        _check_no_pii_columns(con)
        con.execute("checkpoint release")
    except BaseException:
        con.close()
        _remove_release_files(tmp)
        raise
    con.close()
    crash_point("publish.copied")
    wal = tmp.with_name(tmp.name + ".wal")
    if wal.exists():  # checkpoint + close leave none; a WAL would not travel with the rename
        raise DataError(f"{wal} left behind after checkpoint: refusing to publish")
    _fsync_path(tmp)
    crash_point("publish.synced")
    os.replace(tmp, final)
    _fsync_path(settings.releases_dir)
    crash_point("publish.renamed")
    return Release(run_id, final, published_at.isoformat(), revision, tables)


def switch_current(settings: Settings, release: Path) -> None:
    """Point serving/current.duckdb at `release` in one rename: a new hard link under a temporary
    name, then os.replace over current.duckdb (atomic on POSIX within one directory)."""
    link = settings.serving_dir / f"{_TMP_PREFIX}current.duckdb"
    link.unlink(missing_ok=True)
    os.link(release, link)
    crash_point("switch.linked")
    os.replace(link, settings.current_db)
    _fsync_path(settings.serving_dir)
    crash_point("switch.replaced")


def releases(settings: Settings) -> list[Path]:
    """Finished releases, oldest first (run ids sort by time)."""
    if not settings.releases_dir.exists():
        return []
    return sorted(
        path
        for path in settings.releases_dir.glob("*.duckdb")
        if RUN_ID_PATTERN.fullmatch(path.stem)
    )


def current_release(settings: Settings) -> Path | None:
    """The release current.duckdb is: the release with the same inode (a hard link, as publish
    makes it), else the release named by its release_info (a copy restored by hand)."""
    try:
        current = settings.current_db.stat()
    except FileNotFoundError:
        return None
    kept = releases(settings)
    for path in kept:
        stat = path.stat()
        if (stat.st_ino, stat.st_dev) == (current.st_ino, current.st_dev):
            return path
    named = _served_run_id(settings.current_db)
    return next((path for path in kept if path.stem == named), None)


def _served_run_id(path: Path) -> str | None:
    import duckdb

    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        rows = con.execute("select run_id from release_info").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return str(rows[0][0]) if rows else None


def current_run_id(settings: Settings) -> str | None:
    path = current_release(settings)
    return path.stem if path else None


def clean_leftovers(settings: Settings) -> list[Path]:
    """Remove temporary files a killed run left in serving/ (only under the run lock)."""
    removed: list[Path] = []
    for folder in (settings.serving_dir, settings.releases_dir):
        if folder.exists():
            for path in folder.glob(f"{_TMP_PREFIX}*"):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def prune(settings: Settings) -> list[Path]:
    """Keep the newest `keep_releases` releases and the current one; delete the rest. A reader
    holding a deleted release open keeps reading it: the inode lives until it closes."""
    keep = set(releases(settings)[-settings.keep_releases :])
    current = current_release(settings)
    if current:
        keep.add(current)
    removed = [path for path in releases(settings) if path not in keep]
    for path in removed:
        path.unlink()
    return removed


def publish(settings: Settings, run_id: str, copy: BuildCopy | None = None) -> Release:
    """Write the release for `run_id` (from `copy` when the nightly run took it during the
    checks), switch current.duckdb to it, prune old releases. The caller holds the run lock
    and has checked the gate."""
    settings.ensure_dirs()
    if copy is None:
        clean_leftovers(settings)
    release = write_release(settings, run_id, copy)
    switch_current(settings, release.path)
    prune(settings)
    crash_point("publish.pruned")
    return release


def rollback(settings: Settings) -> str:
    """Switch current.duckdb to the release before the current one; returns its run id."""
    available = releases(settings)
    current = current_release(settings)
    if current is None:
        raise UsageError("nothing is published: there is no release to roll back from")
    older = [path for path in available if path.name < current.name]
    if not older:
        raise UsageError(f"{current.stem} is the oldest release kept: nothing to roll back to")
    switch_current(settings, older[-1])
    return older[-1].stem


def latest_check_passed(settings: Settings) -> tuple[bool, str]:
    """Whether the latest `prakerja check` run passed and ran after the last build."""
    import duckdb

    if not settings.raw_db.exists():
        return False, f"{settings.raw_db} does not exist"
    con = duckdb.connect(str(settings.raw_db), read_only=True)
    try:
        present = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'dq_runs'"
        ).fetchall()[0][0]
        if not present:
            return False, "no data-quality run is recorded (audit.dq_runs)"
        rows = con.execute(
            "select run_id, success, finished_at from audit.dq_runs "
            "order by finished_at desc nulls last limit 1"
        ).fetchall()
    finally:
        con.close()
    if not rows:
        return False, "no data-quality run is recorded (audit.dq_runs)"
    run_id, success, finished_at = rows[0]
    if not success:
        return False, f"the latest data-quality run {run_id} failed a critical expectation"
    built = datetime.fromtimestamp(settings.build_db.stat().st_mtime, UTC).replace(tzinfo=None)
    if finished_at is not None and finished_at < built:
        return False, f"build.duckdb changed after the latest data-quality run {run_id}"
    return True, f"data-quality run {run_id} passed"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--rollback",
        action="store_true",
        help="switch current.duckdb back to the release before the current one",
    )
    group.add_argument("--list", action="store_true", help="list the releases kept")
    parser.add_argument(
        "--run-id", help="release id (default: a new one, UTC time and a random suffix)"
    )
    parser.add_argument(
        "--skip-gate",
        action="store_true",
        help="publish even if the latest data-quality run did not pass (for recovery only)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.list:
        current = current_release(settings)
        rows = [
            (p.stem, "current" if p == current else "", f"{p.stat().st_size / 1e6:.1f} MB")
            for p in releases(settings)
        ]
        print_table("releases", ["run id", "", "size"], rows)
        return 0
    run_id = args.run_id or new_run_id()
    with run_lock.held(settings.home, f"publish-{run_id}", settings.lock_stale_seconds):
        if args.rollback:
            previous = current_run_id(settings)
            target = rollback(settings)
            info(f"rolled back serving/current.duckdb from {previous} to {target}")
            return 0
        if not args.skip_gate:
            passed, why = latest_check_passed(settings)
            if not passed:
                raise GateFailed(f"not publishing: {why} (run `prakerja check`)")
        started = time.monotonic()
        release = publish(settings, run_id)
    info(
        f"published {release.run_id}: {len(release.tables)} tables in "
        f"{time.monotonic() - started:.1f} s -> {settings.current_db}"
    )
    return 0
