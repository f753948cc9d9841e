"""Alerting: POST a failed or gated run's JSON summary to PRAKERJA_ALERT_WEBHOOK.

An alert must never turn a run's outcome into another one: a webhook that is down, slow or
answers an error is reported as a warning, and the run keeps its own exit code.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping

from prakerja.console import warn

TIMEOUT_SECONDS = 10.0


def send_alert(url: str, summary: Mapping[str, object], timeout: float = TIMEOUT_SECONDS) -> bool:
    """POST `summary` as JSON; True when the receiver answered 2xx."""
    body = json.dumps(summary, default=str).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "prakerja-nightly"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            ok = 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError) as exc:
        warn(f"alert webhook {url} unreachable: {exc}")
        return False
    if not ok:
        warn(f"alert webhook {url} answered {response.status}")
    return ok
