"""Shared fixtures. In CI (PRAKERJA_CI_STRICT=1) a skipped test fails: CI installs every tool
the tests need (Chromium, Java), so a skip there would hide a missing install step."""

from __future__ import annotations

import os

import pytest

STRICT = os.environ.get("PRAKERJA_CI_STRICT") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every tool must be installed: {report.longrepr}"


@pytest.fixture()
def home(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """An empty PRAKERJA_HOME for one test."""
    path = tmp_path / "warehouse"
    monkeypatch.setenv("PRAKERJA_HOME", str(path))
    monkeypatch.delenv("PRAKERJA_PII_KEY", raising=False)
    return path
