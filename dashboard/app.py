"""The Streamlit app: language switch, cross-page filters, navigation.

Run with `prakerja dashboard` (or `streamlit run dashboard/app.py`). It reads
$PRAKERJA_HOME/serving/current.duckdb read-only through dashboard.data only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from dashboard import data
from dashboard.filters import AGE_BAND_KEY, ALL, GENDER_KEY, PROVINCE_KEY, WAVE_KEY
from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGE_KEY, LANGUAGES, current_language, t, vocab

HERE = Path(__file__).parent

# (file relative to this folder, label key, url path). No icons: material icons fetch fonts
# from the internet, and emoji show as empty boxes where no emoji font is installed.
# The page files live in views/, not pages/: a pages/ folder beside the main script switches
# Streamlit to its legacy multipage mode (see dashboard/launch.py).
PAGES = (
    ("views/ringkasan.py", "page_ringkasan", "ringkasan"),
    ("views/pendaftaran.py", "page_pendaftaran", "pendaftaran"),
    ("views/penyaluran.py", "page_penyaluran", "penyaluran"),
    ("views/penyedia.py", "page_penyedia", "penyedia"),
    ("views/pasar_kerja.py", "page_pasar_kerja", "pasar-kerja"),
    ("views/kualitas_data.py", "page_kualitas_data", "kualitas-data"),
)
# The Dampak page is written separately: listed only if its file exists (either folder).
DAMPAK = ("pages/dampak.py", "views/dampak.py")


def page_files() -> list[tuple[str, str, str]]:
    """The pages to register, Dampak before Kualitas Data when present."""
    pages = list(PAGES)
    dampak = next((f for f in DAMPAK if (HERE / f).exists()), None)
    if dampak:
        pages.insert(len(pages) - 1, (dampak, "page_dampak", "dampak"))
    return pages


def language_switch() -> None:
    if LANGUAGE_KEY not in st.session_state:
        st.session_state[LANGUAGE_KEY] = DEFAULT_LANGUAGE
    st.sidebar.radio(
        t("language"),
        LANGUAGES,
        key=LANGUAGE_KEY,
        format_func=lambda code: {"id": "Bahasa Indonesia", "en": "English"}[code],
        horizontal=True,
    )


def _select(
    label_key: str, options: list[object], key: str, fmt: Callable[[object], str], lang: str
) -> None:
    """A sidebar selectbox whose choice lives in st.session_state[key].

    The widget itself has a per-language key: a selectbox keeps showing the label of its
    selected option in the old language when only format_func changes, so a language switch
    creates a fresh widget, opened on the stored choice."""
    current = st.session_state.get(key, ALL)
    if current not in options:  # stale (an earlier release had other values)
        current = ALL
    st.session_state[key] = st.sidebar.selectbox(
        t(label_key), options, index=options.index(current), key=f"{key}__{lang}", format_func=fmt
    )


def filter_sidebar(options: data.Options) -> None:
    # Option labels are computed later, outside this run's context: bind the language now.
    lang = current_language()
    st.sidebar.markdown(f"**{t('filters')}**")
    lo, hi = options.waves
    waves = list(range(lo, hi + 1))
    chosen = st.session_state.get(WAVE_KEY)
    if chosen is not None and not (isinstance(chosen, tuple | list) and set(chosen) <= set(waves)):
        del st.session_state[WAVE_KEY]  # stale (an earlier release had other waves)
    if len(waves) > 1:
        # `value` as a pair makes it a range slider; the widget's key keeps the choice.
        st.sidebar.select_slider(t("wave_range"), options=waves, value=(lo, hi), key=WAVE_KEY)
    _select(
        "province",
        [ALL, *options.provinces],
        PROVINCE_KEY,
        lambda c: t("all", lang) if c == ALL else f"{options.provinces[str(c)]} ({c})",
        lang,
    )
    _select(
        "gender",
        [ALL, *options.genders],
        GENDER_KEY,
        lambda v: t("all", lang) if v == ALL else vocab(v, lang),
        lang,
    )
    _select(
        "age_band",
        [ALL, *options.age_bands],
        AGE_BAND_KEY,
        lambda v: t("all", lang) if v == ALL else str(v),
        lang,
    )


def release_footer() -> None:
    try:
        info = data.release()
    except data.DataError:
        return
    if info:
        st.sidebar.caption(
            f"{t('release')}: `{info.get('run_id')}` · {t('published_at')}: "
            f"{str(info.get('published_at'))[:16]}"
        )


def not_published() -> None:
    st.title(t("app_title"))
    st.info(f"**{t('not_published_title')}**\n\n" + t("not_published_body", home=_home()))


def busy() -> None:
    st.title(t("app_title"))
    st.warning(t("busy"))


def _home() -> str:
    return str(data.serving_file().parent.parent)


def main() -> None:
    st.set_page_config(page_title=t("app_title"), layout="wide")
    language_switch()
    # The queries of one render share one short-lived read-only connection (closed at the end).
    with data.page_session():
        render()


def render() -> None:
    try:
        options = data.options()
    except data.NotPublished:
        st.navigation([st.Page(not_published, title=t("app_title"), url_path="ringkasan")]).run()
        return
    except (data.ServingBusy, data.MissingTable):
        st.navigation([st.Page(busy, title=t("app_title"), url_path="ringkasan")]).run()
        return
    filter_sidebar(options)
    release_footer()
    pages = [
        st.Page(str(HERE / file), title=t(label), url_path=url) for file, label, url in page_files()
    ]
    st.navigation(pages).run()


main()
