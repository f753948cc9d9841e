"""The dashboard on a real release: generated demo data (two waves) through `prakerja nightly`
(ingest, dbt build, checks, publish), then every page through AppTest. Slow (minutes)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from prakerja.paths import REPO_ROOT
from tests.test_dashboard_app import APP, COUNT_COLUMNS, PAGES, shown_counts

pytestmark = pytest.mark.slow


def _prakerja(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRAKERJA_")}
    return subprocess.run(
        [sys.executable, "-m", "prakerja.cli", *args],
        env={**env, "PRAKERJA_HOME": str(home)},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )


@pytest.fixture(scope="module")
def real_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("dash_real") / "warehouse"
    generated = _prakerja(
        [
            "generate",
            "--scale",
            "demo",
            "--seed",
            "1",
            "--waves",
            "1-2",
            "--out",
            str(home / "inbox"),
        ],
        home,
    )
    assert generated.returncode == 0, generated.stderr
    night = _prakerja(["nightly", str(home / "inbox")], home)
    assert night.returncode == 0, night.stderr[-3000:]
    assert (home / "serving" / "current.duckdb").exists()
    return home


@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_a_real_release(
    page: str, real_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import streamlit as st

    monkeypatch.setenv("PRAKERJA_HOME", str(real_home))
    captured: dict[str, bytes] = {}
    original = st.download_button

    def recording(label: str, data: object, file_name: str | None = None, **kw: object) -> object:
        captured[str(file_name)] = data if isinstance(data, bytes) else str(data).encode()
        return original(label, data, file_name=file_name, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(st, "download_button", recording)
    at = AppTest.from_file(APP, default_timeout=120).run()
    if page != "ringkasan":
        captured.clear()
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning, [w.value for w in at.warning]  # no missing mart in a real release
    assert len(at.dataframe) >= 1 and len(captured) == len(at.dataframe)
    assert not [n for n in shown_counts(at) if 1 <= n <= 9]
    for name, payload in captured.items():
        frame = pd.read_csv(io.BytesIO(payload), dtype=str, keep_default_na=False)
        for column in COUNT_COLUMNS & set(frame.columns):
            numbers = pd.to_numeric(frame[column], errors="coerce").dropna()
            assert not ((numbers >= 1) & (numbers <= 9)).any(), (name, column)
