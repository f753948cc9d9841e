"""One nightly run at a time: a lock file in PRAKERJA_HOME created with O_EXCL.

The file holds the owner's pid, host, start time and run id as JSON. A lock is stale, and is
cleared with a warning, when its pid is dead on this host or it is older than
`settings.lock_stale_seconds` (a run killed on another host, or a hung one). A lock from another
host that is younger than that is respected: we cannot see that host's processes.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from prakerja.console import warn
from prakerja.errors import PrakerjaError

LOCK_NAME = "nightly.lock"
# Set in the environment of a run, so the processes it starts (dbt runs in a subprocess) carry
# it: when a killed run's lock is cleared, its orphaned children are found by it and stopped
# before they can hold raw.duckdb or build.duckdb against the next run.
RUN_ID_ENV = "PRAKERJA_RUN_ID"

# Run ids whose lock this process holds: tells a lock of ours from one an earlier process with
# the same pid left behind.
_HELD_HERE: set[str] = set()


class LockHeld(PrakerjaError):
    """Another run holds the lock: this run did nothing and publishes nothing (exit 1)."""

    exit_code = 1


@dataclass(frozen=True)
class LockInfo:
    pid: int
    host: str
    started_at: float  # unix seconds
    run_id: str

    def describe(self) -> str:
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started_at))
        return f"run {self.run_id} (pid {self.pid} on {self.host}, started {started})"


def lock_path(home: Path) -> Path:
    return home / LOCK_NAME


def read_lock(path: Path) -> LockInfo | None:
    """The lock's owner, or None when there is no lock. An unreadable file (a run killed between
    create and write) is reported as an owner with pid 0, which counts as dead."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
        return LockInfo(
            int(data["pid"]), str(data["host"]), float(data["started_at"]), str(data["run_id"])
        )
    except (ValueError, KeyError, TypeError):
        return LockInfo(0, socket.gethostname(), path.stat().st_mtime, "unknown")


def _process_start(pid: int) -> float | None:
    """When `pid` started (unix seconds), from /proc; None where /proc is not available."""
    try:
        boot = next(
            float(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, StopIteration, IndexError, ValueError):
        return None


def _pid_alive(pid: int, since: float) -> bool:
    """Whether the process that took the lock at `since` still runs: the pid exists, is not a
    zombie, and did not start after the lock was taken (pids are reused, in containers soon)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    if state == "Z":  # killed, not yet reaped by its parent: runs no code
        return False
    started = _process_start(pid)
    return started is None or started <= since + 1.0


def stale_reason(info: LockInfo, stale_seconds: int, now: float | None = None) -> str | None:
    """Why the lock may be cleared, or None when its owner may still be running."""
    now = time.time() if now is None else now
    age = now - info.started_at
    if age > stale_seconds:
        return f"older than {stale_seconds} s ({age:.0f} s)"
    if info.host == socket.gethostname():
        if info.pid == os.getpid():
            if info.run_id in _HELD_HERE:
                return None
            return f"pid {info.pid} is this process, which never took this lock"
        if not _pid_alive(info.pid, info.started_at):
            return f"pid {info.pid} is not running on this host"
    return None


def leftover_processes(run_id: str) -> list[int]:
    """Processes (other than this one) whose environment carries `run_id` (Linux /proc)."""
    marker = f"{RUN_ID_ENV}={run_id}".encode()
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            pid = int(entry.name)
            if pid != os.getpid() and marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(pid)
        except (OSError, ValueError):
            continue
    return found


def stop_leftovers(run_id: str, wait_seconds: float = 10.0) -> list[int]:
    """SIGKILL what a dead run left running, and wait until it is gone."""
    import signal

    pids = leftover_processes(run_id)
    for pid in pids:
        warn(f"stopping pid {pid}, left running by the dead run {run_id}")
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            continue
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline and leftover_processes(run_id):
        time.sleep(0.05)
    return pids


def _create(path: Path, info: LockInfo) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(info), handle)
        handle.flush()
        os.fsync(handle.fileno())
    return True


def acquire(home: Path, run_id: str, stale_seconds: int) -> tuple[LockInfo, LockInfo | None]:
    """Take the lock for `run_id`. Returns (our lock, the stale lock cleared or None).
    Raises LockHeld when a live run holds it."""
    home.mkdir(parents=True, exist_ok=True)
    path = lock_path(home)
    ours = LockInfo(os.getpid(), socket.gethostname(), time.time(), run_id)
    cleared: LockInfo | None = None
    for _ in range(3):  # another process may clear or take it between our steps
        if _create(path, ours):
            _HELD_HERE.add(run_id)
            return ours, cleared
        owner = read_lock(path)
        if owner is None:
            continue
        reason = stale_reason(owner, stale_seconds)
        if reason is None:
            raise LockHeld(f"another nightly run holds {path}: {owner.describe()}")
        warn(f"clearing a stale lock left by {owner.describe()}: {reason}")
        if owner.host == socket.gethostname() and owner.run_id != "unknown":
            stop_leftovers(owner.run_id)
        # Rename before unlinking so that two runs clearing at once cannot delete a fresh lock.
        grave = path.with_name(f"{LOCK_NAME}.stale.{os.getpid()}")
        try:
            os.replace(path, grave)
        except FileNotFoundError:
            continue
        if read_lock(grave) == owner:
            grave.unlink()
            cleared = owner
        else:  # we moved a fresh lock taken in between: put it back and respect it
            os.replace(grave, path)
    raise LockHeld(f"could not take {path}: it keeps changing owner")


def release(home: Path, ours: LockInfo) -> None:
    """Remove the lock if it is still ours (never someone else's)."""
    path = lock_path(home)
    if read_lock(path) == ours:
        path.unlink(missing_ok=True)
    _HELD_HERE.discard(ours.run_id)


@contextmanager
def held(home: Path, run_id: str, stale_seconds: int) -> Iterator[tuple[LockInfo, LockInfo | None]]:
    ours, cleared = acquire(home, run_id, stale_seconds)
    try:
        yield ours, cleared
    finally:
        release(home, ours)
