"""The dashboard through Streamlit's AppTest: every page renders, filters change the numbers,
no count of 1-9 people is shown or downloaded, the English switch changes labels and number
formats, and the app explains an empty or partial warehouse instead of failing."""

from __future__ import annotations

import base64
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.i18n import LABELS, t
from prakerja.paths import DASHBOARD_DIR
from tests.test_dashboard_fixture import SMALL_PROVINCE, build_serving_fixture

APP = str(DASHBOARD_DIR / "app.py")
PAGES = ("ringkasan", "pendaftaran", "penyaluran", "penyedia", "pasar_kerja", "kualitas_data")
TITLE_KEYS = {p: f"page_{p}" for p in PAGES}
# Stored column names that count people (or payments of people): none may show 1-9.
COUNT_COLUMNS = {
    "registered",
    "verified",
    "eligible",
    "selected",
    "revoked",
    "net_beneficiaries",
    "bought_training",
    "bought_within_30_days",
    "completed_training",
    "paid_tranche_1",
    "paid_all_tranches",
    "surveyed",
    "participants",
    "participants_paid",
    "payments",
    "enrollments",
    "completions",
    "respondents",
    "beneficiaries",
}


@pytest.fixture(scope="module")
def serving_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("dash") / "warehouse"
    build_serving_fixture(home)
    return home


@pytest.fixture()
def with_home(serving_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PRAKERJA_HOME", str(serving_home))
    return serving_home


@pytest.fixture()
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    """Every CSV the app offers, by file name (AppTest does not keep download payloads)."""
    captured: dict[str, bytes] = {}
    original = st.download_button

    def recording(label: str, data: Any, file_name: str | None = None, **kwargs: Any) -> Any:
        captured[str(file_name)] = data if isinstance(data, bytes) else str(data).encode()
        return original(label, data, file_name=file_name, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    yield captured


def run_page(
    page: str, lang: str = "id", captured: dict[str, bytes] | None = None, **state: Any
) -> AppTest:
    """Run the app, then show `page` (the first run shows the default page, Ringkasan)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page != "ringkasan":
        if captured is not None:
            captured.clear()  # keep only the downloads of the page under test
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def decode(values: Any) -> list[Any]:
    """Plotly's JSON arrays, including its base64 typed-array form."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values) if isinstance(values, list | tuple) else []


def parse_count(text: str) -> int | None:
    """'1.234' or '1,234' -> 1234; the marker and dashes -> None."""
    cleaned = text.replace(".", "").replace(",", "")
    return int(cleaned) if cleaned.isdigit() else None


def shown_counts(at: AppTest, lang: str = "id") -> list[int]:
    """Every count cell of every displayed table, plus every headline metric of people."""
    count_headers = {t(c, lang) for c in COUNT_COLUMNS if c in LABELS}
    found: list[int] = []
    for frame in (el.value for el in at.dataframe):
        for header in frame.columns:
            if header in count_headers:
                found += [n for n in map(parse_count, frame[header].astype(str)) if n is not None]
    for metric in at.metric:
        if metric.label in count_headers:
            number = parse_count(str(metric.value))
            if number is not None:
                found.append(number)
    return found


# -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_sources_and_downloads(
    page: str, with_home: Path, downloads: dict[str, bytes]
) -> None:
    at = run_page(page, captured=downloads)
    assert [el.value for el in at.title] == [t(TITLE_KEYS[page], "id")]
    captions = " ".join(el.value for el in at.caption)
    # Every figure names the table it comes from.
    assert "mart_" in captions or "dq_runs" in captions
    assert len(at.dataframe) >= 1
    assert len(downloads) == len(at.dataframe), "every table has its CSV download"
    for name, payload in downloads.items():
        assert name.endswith(".csv")
        pd.read_csv(io.BytesIO(payload))  # a readable CSV


def test_province_filter_changes_headline_numbers(with_home: Path) -> None:
    everyone = run_page("ringkasan")
    west_java = run_page("ringkasan", f_province="32")
    con = duckdb.connect(str(with_home / "serving" / "current.duckdb"), read_only=True)
    try:
        expected = con.execute(
            "select sum(registered) from mart_wave_funnel where province_code_bps = '32'"
        ).fetchall()[0][0]
        national = con.execute("select sum(registered) from mart_wave_funnel").fetchall()[0][0]
    finally:
        con.close()
    label = t("registered", "id")
    values = {
        "all": next(m.value for m in everyone.metric if m.label == label),
        "32": next(m.value for m in west_java.metric if m.label == label),
    }
    assert parse_count(values["32"]) == expected
    assert parse_count(values["all"]) == national
    assert values["all"] != values["32"]


def test_wave_filter_changes_the_funnel_table(with_home: Path) -> None:
    all_waves = run_page("pendaftaran")
    first_two = run_page("pendaftaran", f_waves=(1, 2))
    waves_header = t("wave_number", "id")
    assert list(all_waves.dataframe[0].value[waves_header]) == ["1", "2", "3", "4"]
    assert list(first_two.dataframe[0].value[waves_header]) == ["1", "2"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("narrow", [False, True])
def test_no_count_between_1_and_9_is_shown_or_downloaded(
    page: str, narrow: bool, with_home: Path, downloads: dict[str, bytes]
) -> None:
    # Narrowed to the small province, one gender and one age band, most cells are under 10.
    state = (
        {"f_province": SMALL_PROVINCE, "f_gender": "female", "f_age_band": "18-25"}
        if narrow
        else {}
    )
    at = run_page(page, captured=downloads, **state)
    shown = shown_counts(at)
    assert not [n for n in shown if 1 <= n <= 9], shown
    for name, payload in downloads.items():
        frame = pd.read_csv(io.BytesIO(payload), dtype=str, keep_default_na=False)
        for column in COUNT_COLUMNS & set(frame.columns):
            numbers = pd.to_numeric(frame[column], errors="coerce").dropna()
            assert not ((numbers >= 1) & (numbers <= 9)).any(), (name, column)


def test_small_province_is_suppressed_not_hidden(
    with_home: Path, downloads: dict[str, bytes]
) -> None:
    """Papua's cells (one gender, one age band) are all under 10: the marker must appear on
    screen and in the CSV, and the charts must not carry the hidden values."""
    at = run_page("ringkasan", f_province=SMALL_PROVINCE, f_gender="female", f_age_band="18-25")
    cells = [str(v) for el in at.dataframe for col in el.value for v in el.value[col]]
    assert "<10" in cells
    assert any(b"<10" in payload for payload in downloads.values())
    for figure in figures(at):
        for trace in figure["data"]:
            ys = [y for y in decode(trace.get("y")) if y is not None and not np.isnan(y)]
            assert not [y for y in ys if 1 <= y <= 9], trace.get("name")


def test_english_switch_changes_labels_and_number_format(with_home: Path) -> None:
    indonesian = run_page("ringkasan", lang="id")
    english = run_page("ringkasan", lang="en")
    assert indonesian.title[0].value == "Ringkasan"
    assert english.title[0].value == "Summary"
    id_value = next(m.value for m in indonesian.metric if m.label == t("registered", "id"))
    en_value = next(m.value for m in english.metric if m.label == t("registered", "en"))
    assert parse_count(id_value) == parse_count(en_value) > 1000
    assert "." in id_value and "," not in id_value
    assert "," in en_value and "." not in en_value
    id_rp = next(m.value for m in indonesian.metric if m.label == t("amount_paid_rp", "id"))
    en_rp = next(m.value for m in english.metric if m.label == t("amount_paid_rp", "en"))
    assert id_rp.startswith("Rp") and en_rp.startswith("Rp")
    assert "miliar" in id_rp and "billion" in en_rp  # the fixture pays some Rp20 billion
    # Plotly draws with the language's separators too.
    assert {f["layout"]["separators"] for f in figures(indonesian)} == {",."}
    assert {f["layout"]["separators"] for f in figures(english)} == {".,"}


def test_percentages_follow_the_language(with_home: Path) -> None:
    for lang, decimal in (("id", ","), ("en", ".")):
        header = t("selection_rate", lang)
        at = run_page("pendaftaran", lang=lang)
        shown = next(el.value[header] for el in at.dataframe if header in el.value.columns)
        assert shown.str.endswith("%").all()
        assert all(decimal in v for v in shown if v != "<10"), list(shown)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_nothing_published_yet(lang: str, home: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    assert t("not_published_title", lang) in at.info[0].value


def test_missing_mart_degrades_to_a_notice(
    serving_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "warehouse"
    (home / "serving").mkdir(parents=True)
    shutil.copy(serving_home / "serving" / "current.duckdb", home / "serving" / "current.duckdb")
    con = duckdb.connect(str(home / "serving" / "current.duckdb"))
    con.execute("drop table mart_outcomes")
    con.close()
    monkeypatch.setenv("PRAKERJA_HOME", str(home))
    at = run_page("pasar_kerja")
    assert t("missing_table", "id", table="mart_outcomes") in [w.value for w in at.warning]
    assert len(at.get("plotly_chart")) >= 1  # the map section still renders


def test_dampak_page_is_listed_only_when_its_file_exists(with_home: Path, tmp_path: Path) -> None:
    copy = tmp_path / "dashboard"
    shutil.copytree(DASHBOARD_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for place in ("pages", "views"):
        (copy / place / "dampak.py").unlink(missing_ok=True)
    at = AppTest.from_file(str(copy / "app.py"), default_timeout=60).run()
    assert not at.exception
    (copy / "pages").mkdir(exist_ok=True)
    (copy / "pages" / "other.py").write_text("", encoding="utf-8")
    with pytest.raises(ValueError):
        at.switch_page("pages/other.py")  # a file that is not registered cannot be opened
    (copy / "pages" / "dampak.py").write_text(
        "import streamlit as st\n\nst.title('Dampak')\n", encoding="utf-8"
    )
    at = AppTest.from_file(str(copy / "app.py"), default_timeout=60).run()
    at.switch_page("pages/dampak.py").run()
    assert not at.exception
    assert at.title[0].value == "Dampak"


def test_filters_survive_a_language_and_page_switch(with_home: Path) -> None:
    at = run_page("ringkasan", f_province="32")
    at.sidebar.radio[0].set_value("en").run()
    at.switch_page("views/pendaftaran.py").run()
    assert not at.exception
    assert at.title[0].value == t("page_pendaftaran", "en")
    box = next(s for s in at.sidebar.selectbox if s.label == t("province", "en"))
    assert box.value == "32"
    assert "All" in box.options and "Semua" not in box.options
    # The definition lines name the chosen province (names are stored in Indonesian).
    assert "province Jawa Barat" in " ".join(c.value for c in at.caption)
