"""The dashboard's parts on their own: number formats, the suppression rule, the data module
(parameters, new releases, lock retry, missing file) and the `prakerja dashboard` command."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard import data
from dashboard.command import command_line, environment
from dashboard.filters import Filters
from dashboard.i18n import (
    LABELS,
    fmt_decimal,
    fmt_int,
    fmt_pct,
    fmt_rp,
    fmt_rp_compact,
    plotly_separators,
)
from dashboard.suppression import MARKER, Rate, numeric, suppress
from prakerja.cli import main as cli_main
from prakerja.errors import UsageError
from prakerja.settings import Settings
from tests.test_dashboard_fixture import build_serving_fixture

# -- language -----------------------------------------------------------------------------


def test_number_formats_per_language() -> None:
    # The formats the issue asks for, written out.
    assert fmt_rp(1234567, "id") == "Rp1.234.567"
    assert fmt_rp(1234567, "en") == "Rp1,234,567"
    assert fmt_pct(0.123, lang="id") == "12,3%"
    assert fmt_pct(0.123, lang="en") == "12.3%"
    assert fmt_int(5509055, "id") == "5.509.055"
    assert fmt_decimal(1234.5, 2, "id") == "1.234,50"
    assert fmt_decimal(1234.5, 2, "en") == "1,234.50"
    assert fmt_int(MARKER, "id") == MARKER  # the marker passes through every formatter
    assert fmt_rp(None, "en") == "–"
    assert fmt_rp_compact(22_082_400_000, "id") == "Rp22,1 miliar"
    assert fmt_rp_compact(22_082_400_000, "en") == "Rp22.1 billion"
    assert plotly_separators("id") == ",." and plotly_separators("en") == ".,"


def test_every_label_exists_in_both_languages() -> None:
    for key, (indonesian, english) in LABELS.items():
        assert indonesian.strip() and english.strip(), key
        # The same placeholders in both, or .format() breaks in one language only.
        assert indonesian.count("{") == english.count("{"), key


# -- suppression ----------------------------------------------------------------------------


def test_suppression_hides_small_counts_and_unsafe_rates() -> None:
    frame = pd.DataFrame(
        {
            "group": ["a", "b", "c", "d"],
            "registered": [0, 4, 10, 200],
            "selected": [0, 3, 9, 120],
            "rate": [float("nan"), 0.75, 0.9, 0.6],
            "median_days": [None, 5.0, 6.0, 7.0],
        }
    )
    out = suppress(
        frame,
        counts=["registered", "selected"],
        rates={
            "rate": Rate(denominator="registered", numerator="selected"),
            "median_days": Rate(denominator="registered"),
        },
    )
    assert out.registered.tolist() == [0, MARKER, 10, 200]  # zero discloses nobody
    assert out.selected.tolist() == [0, MARKER, MARKER, 120]
    # c: denominator 10 is fine, but the numerator 9 would come back as 0.9 x 10.
    assert out.rate.tolist()[1:] == [MARKER, MARKER, 0.6]
    assert out.median_days.tolist()[1:] == [MARKER, 6.0, 7.0]
    assert frame.registered.tolist() == [0, 4, 10, 200], "the input is not modified"
    plotted = numeric(out, ["registered", "rate"])
    assert plotted.registered.isna().tolist() == [False, True, False, False]


# -- data access ----------------------------------------------------------------------------


@pytest.fixture()
def serving(home: Path) -> Path:
    return build_serving_fixture(home)


def test_nothing_published_raises_not_published(home: Path) -> None:
    with pytest.raises(data.NotPublished):
        data.query("select 1")


def test_user_input_is_a_parameter_never_sql(serving: Path) -> None:
    hostile = Filters(1, 4, province="32' or '1'='1")
    assert data.funnel_by_wave(hostile).empty
    with pytest.raises(ValueError):
        data.funnel_breakdown(Filters(1, 4), "gender; drop table mart_wave_funnel")


def test_filters_narrow_the_sums(serving: Path) -> None:
    everyone = data.funnel_totals(Filters(1, 4)).iloc[0]
    women_wave_1 = data.funnel_totals(Filters(1, 1, gender="female")).iloc[0]
    con = duckdb.connect(str(serving), read_only=True)
    expected = con.execute(
        "select sum(registered) from mart_wave_funnel where wave_number = 1 and gender = 'female'"
    ).fetchall()[0][0]
    con.close()
    assert women_wave_1.registered == expected < everyone.registered


def test_a_new_release_is_read_fresh(serving: Path) -> None:
    before = data.funnel_totals(Filters(1, 4)).iloc[0].registered
    # Publish swaps a finished file in atomically: do the same with changed figures.
    staged = serving.with_name("next.duckdb")
    con = duckdb.connect(str(staged))
    con.execute("attach ? as old (read_only)", [str(serving)])
    con.execute("create table mart_wave_funnel as select * from old.mart_wave_funnel")
    con.execute("update mart_wave_funnel set registered = registered + 1")
    con.close()
    os.replace(staged, serving)
    after = data.funnel_totals(Filters(1, 4)).iloc[0].registered
    rows = 4 * 5 * 2 * 5  # waves x provinces x genders x age bands in the fixture
    assert after == before + rows


def test_a_switch_is_seen_while_another_reader_holds_the_old_release(
    serving: Path, home: Path
) -> None:
    """DuckDB reuses an open database instance per path; the dashboard opens releases by name."""
    from prakerja.publish import switch_current
    from prakerja.settings import Settings

    settings = Settings.from_env()
    releases = settings.releases_dir
    releases.mkdir(parents=True, exist_ok=True)
    first, second = releases / "r1.duckdb", releases / "r2.duckdb"
    os.replace(serving, first)
    switch_current(settings, first)
    before = data.funnel_totals(Filters(1, 4)).iloc[0].registered
    con = duckdb.connect(str(first))
    con.execute("create table bump as select 1 as x")  # a different file for the next release
    con.close()
    data._cached.clear()
    staged = duckdb.connect(str(second))
    staged.execute("attach ? as old (read_only)", [str(first)])
    staged.execute("create table mart_wave_funnel as select * from old.mart_wave_funnel")
    staged.execute("update mart_wave_funnel set registered = registered + 1")
    staged.close()
    holder = duckdb.connect(str(settings.current_db), read_only=True)  # another session, mid-page
    try:
        switch_current(settings, second)
        after = data.funnel_totals(Filters(1, 4)).iloc[0].registered
    finally:
        holder.close()
    assert after == before + 4 * 5 * 2 * 5


def test_a_lock_is_retried_once(serving: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real_read = data._read

    def flaky(
        path: str, stamp: tuple[int, int, int], sql: str, params: tuple[object, ...]
    ) -> pd.DataFrame:
        calls.append(1)
        if len(calls) == 1:
            raise duckdb.IOException('Could not set lock on file "current.duckdb"')
        return real_read(path, stamp, sql, params)

    monkeypatch.setattr(data, "_read", flaky)
    monkeypatch.setattr(data, "RETRY_PAUSE_SECONDS", 0.01)
    frame = data.query("select 42 as answer where ? = 1", (1,))
    assert frame.answer.tolist() == [42] and len(calls) == 2


def test_a_page_shares_one_connection_and_closes_it(
    serving: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[object] = []
    real_connect = data._connect

    def counting(path: str) -> object:
        con = real_connect(path)
        opened.append(con)
        return con

    monkeypatch.setattr(data, "_connect", counting)
    data._cached.clear()
    with data.page_session():
        data.query("select 1 as a where ? = 1", (1,))
        data.query("select 2 as b where ? = 1", (1,))
    assert len(opened) == 1
    with pytest.raises(duckdb.ConnectionException):
        opened[0].execute("select 1")  # type: ignore[attr-defined]
    data.query("select 3 as c where ? = 1", (1,))  # outside a page: its own connection
    assert len(opened) == 2


def test_a_writer_holding_the_file_gives_a_busy_error(serving: Path) -> None:
    """A real lock from another process: after one retry the reader reports busy, no crash."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, sys, time
                con = duckdb.connect({str(serving)!r})
                print("locked", flush=True)
                time.sleep(20)
                """
            ),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
        started = time.monotonic()
        with pytest.raises(data.ServingBusy):
            data.query("select count(*) from dim_provinces where ? = 2", (2,))
        assert time.monotonic() - started >= data.RETRY_PAUSE_SECONDS
    finally:
        holder.kill()
        holder.wait()
    assert data.query("select count(*) as n from dim_provinces where ? = 3", (3,)).n[0] == 38


def test_the_map_has_every_province_in_a_34_province_period(serving: Path) -> None:
    cells = data.coverage_map(pd.Timestamp("2020-08-01"))
    assert len(cells) == 38
    papua = cells.set_index("map_code")
    # The four 2022 provinces are drawn with their parent's figures.
    for new, parent in (("95", "94"), ("96", "94"), ("97", "94"), ("92", "91")):
        assert papua.loc[new, "tpt_percent"] == papua.loc[parent, "tpt_percent"]
        assert bool(papua.loc[new, "is_folded"]) and not bool(papua.loc[parent, "is_folded"])
    recent = data.coverage_map(pd.Timestamp("2024-08-01"))
    assert len(recent) == 38 and not recent.is_folded.any()


def test_geojson_keys_match_dim_provinces(serving: Path) -> None:
    codes = {f["properties"]["kode_bps"] for f in data.province_geojson()["features"]}
    provinces = set(data.options().provinces)
    assert codes == provinces


# -- command --------------------------------------------------------------------------------


def test_command_line_is_headless_offline_and_on_the_port() -> None:
    cmd = command_line(8600)
    # `streamlit run dashboard/app.py` by way of dashboard.launch (legacy pages/ mode off).
    assert cmd[1:4] == ["-m", "dashboard.launch", "run"] and cmd[4].endswith("dashboard/app.py")
    flags = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert flags == {
        "--server.headless": "true",
        "--browser.gatherUsageStats": "false",
        "--server.port": "8600",
        "--logger.hideWelcomeMessage": "true",  # else it asks the internet for our IP
    }
    with pytest.raises(UsageError):
        command_line(0)


def test_prakerja_home_is_passed_through(tmp_path: Path) -> None:
    settings = Settings.from_env({"PRAKERJA_HOME": str(tmp_path / "w")})
    assert environment(settings)["PRAKERJA_HOME"] == str(tmp_path / "w")


def test_cli_rejects_a_bad_port(home: Path) -> None:
    assert cli_main(["dashboard", "--port", "70000"]) == 2


def test_dashboard_process_keeps_heavy_tools_out(serving: Path) -> None:
    """Importing the app's modules must not pull in Great Expectations or dbt."""
    probe = (
        "import sys, dashboard.data, dashboard.ui, dashboard.i18n, dashboard.suppression; "
        "bad = [m for m in ('great_expectations', 'dbt') if m in sys.modules]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"


def test_streamlit_still_has_the_flag_launch_sets() -> None:
    """dashboard.launch sets a Streamlit class attribute (the one st.navigation sets): fail
    loudly the day a Streamlit upgrade renames it, rather than silently serve bare pages."""
    from streamlit.runtime.pages_manager import PagesManager

    assert hasattr(PagesManager, "uses_pages_directory")
