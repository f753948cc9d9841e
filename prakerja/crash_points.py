"""A test-only hook that kills the process at a named point, to prove the nightly run is crash-safe.

`PRAKERJA_CRASH_AT=<point>` makes `crash_point(<point>)` send SIGKILL to its own process: no
`finally`, no `atexit`, no flush, exactly what an OOM killer or a power cut leaves behind.
`PRAKERJA_CRASH_AT=<step>.during:<seconds>` arms a timer when `<step>` starts, so the kill lands
inside code this package does not own (ingestion, dbt, Great Expectations) without hooks there.
Unset (production), both calls cost one dictionary lookup.
"""

from __future__ import annotations

import os
import signal
import threading

ENV_VAR = "PRAKERJA_CRASH_AT"

# Every point the nightly run passes, in order; tests iterate over these.
POINTS: tuple[str, ...] = (
    "nightly.locked",
    "ingest.before",
    "ingest.after",
    "build.before",
    "build.after",
    "check.before",
    "check.after",
    "publish.copying",
    "publish.copied",
    "publish.synced",
    "publish.renamed",
    "switch.linked",
    "switch.replaced",
    "publish.pruned",
    "nightly.reported",
)


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def crash_point(name: str) -> None:
    """Die here if the test hook names this point."""
    if os.environ.get(ENV_VAR) == name:
        _kill()


def arm_during(step: str) -> threading.Timer | None:
    """Start a timer that kills the process `<seconds>` into `step`; the caller cancels it when
    the step ends, so a step shorter than the delay is not interrupted."""
    spec = os.environ.get(ENV_VAR, "")
    prefix = f"{step}.during:"
    if not spec.startswith(prefix):
        return None
    timer = threading.Timer(float(spec[len(prefix) :]), _kill)
    timer.daemon = True
    timer.start()
    return timer
