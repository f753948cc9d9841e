"""The Dampak page through Streamlit's AppTest, on the dashboard's serving fixture plus impact
marts that dbt built from simulated lottery data (tests/test_impact_support.py)."""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from prakerja.paths import DASHBOARD_DIR
from tests.test_dashboard_fixture import build_serving_fixture
from tests.test_impact_support import Scenario, build_impact, simulate

APP = str(DASHBOARD_DIR / "app.py")
IMPACT_TABLES = ("mart_impact_estimates", "mart_impact_balance")


@pytest.fixture(scope="module")
def impact_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("impact_dash")
    built = build_impact(simulate(Scenario(seed=5)), work / "dbt")
    home = work / "warehouse"
    serving = build_serving_fixture(home)
    with duckdb.connect(str(serving)) as con:
        con.execute("attach ? as built (read_only)", [str(built)])
        for table in IMPACT_TABLES:
            con.execute(f"create table {table} as select * from built.main.{table}")
        # One subgroup with only 6 controls: suppression must hide it everywhere.
        con.execute(
            "update mart_impact_estimates set n_control = 6 "
            "where dimension_value = 'east' and wave_scope = 'all_waves'"
        )
    return home


def run_dampak(home: Path, monkeypatch: pytest.MonkeyPatch, lang: str = "id") -> AppTest:
    monkeypatch.setenv("PRAKERJA_HOME", str(home))
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("pages/dampak.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def decode(values: Any) -> list[float]:
    """Plotly's JSON arrays, including its base64 typed-array form."""
    if isinstance(values, dict) and "bdata" in values:
        raw = base64.b64decode(values["bdata"])
        return [float(v) for v in np.frombuffer(raw, dtype=values["dtype"])]
    return [float("nan") if v is None else float(v) for v in values]


def served(home: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(home / "serving" / "current.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_forest_plot_shows_the_estimates_and_their_intervals(
    impact_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_dampak(impact_home, monkeypatch)
    assert at.title[0].value == "Dampak"
    forest = figures(at)[0]
    points: list[float] = []
    upper: list[float] = []
    for trace in forest["data"]:
        points += [x for x in decode(trace["x"]) if not math.isnan(x)]
        upper += [u for u in decode(trace["error_x"]["array"]) if not math.isnan(u)]
    expected = served(
        impact_home,
        "select difference * 100, (ci_high - difference) * 100 from mart_impact_estimates "
        "where outcome = 'new_job' and wave_scope = 'all_waves' and n_control >= 10",
    )
    # The default outcome (new job) in percentage points, one point per unsuppressed subgroup.
    assert sorted(points) == pytest.approx(sorted(row[0] for row in expected))
    assert sorted(upper) == pytest.approx(sorted(row[1] for row in expected))
    # The line at zero that the intervals are read against.
    assert any(shape.get("x0") == 0 for shape in forest["layout"]["shapes"])


def test_small_subgroup_is_suppressed(impact_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_dampak(impact_home, monkeypatch)
    subgroups = at.dataframe[0].value
    east = subgroups[subgroups["Kelompok"].str.startswith("Bali")].iloc[0]
    assert east["n tidak terpilih"] == "<10"
    assert east["Selisih"] == "<10"
    assert all("<10" not in str(v) for v in subgroups.iloc[0])  # 'Semua gelombang' stays


def test_balance_table_lists_every_characteristic(
    impact_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_dampak(impact_home, monkeypatch)
    balance = at.dataframe[-1].value
    assert len(balance) == 13
    assert set(balance["Tidak seimbang"]) <= {"Ya", "Tidak"}


def test_english_switch_translates_the_explanation(
    impact_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    indonesian = run_dampak(impact_home, monkeypatch, "id")
    english = run_dampak(impact_home, monkeypatch, "en")
    assert "undian" in indonesian.markdown[0].value
    assert "lottery" in english.markdown[0].value
    assert english.title[0].value == "Impact"
    assert "Difference" in english.dataframe[0].value.columns
    # Percentage points: a comma decimal in Indonesian, a point in English.
    assert "poin persen" in str(indonesian.metric[0].value)
    assert "percentage points" in str(english.metric[0].value)


def test_release_without_impact_marts_shows_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "warehouse"
    build_serving_fixture(home)
    at = run_dampak(home, monkeypatch)
    assert any("mart_impact_estimates" in w.value for w in at.warning)
