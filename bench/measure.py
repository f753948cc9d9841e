"""Run one command as a child process and measure wall time, CPU time and peak memory."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Measurement:
    name: str
    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    exit_code: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def measure(
    name: str, argv: Sequence[str], env: Mapping[str, str] | None = None, log: str | None = None
) -> Measurement:
    """wait4() gives the child's own rusage: its peak RSS (and its children's) and CPU time."""
    stdout = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    try:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), env=dict(env or os.environ), stdout=stdout, stderr=stdout
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    finally:
        if log:
            stdout.close()  # type: ignore[union-attr]
    return Measurement(
        name=name,
        wall_s=round(wall, 2),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 2),
        peak_rss_mib=round(usage.ru_maxrss / 1024, 1),
        exit_code=os.waitstatus_to_exitcode(status),
    )
