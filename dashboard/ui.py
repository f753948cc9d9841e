"""Layout helpers shared by every page, so a page is a short list of "query, then show".

Every table and chart goes through `table()` / `chart()` / `metric()`, which:
- apply the one suppression function (dashboard.suppression.suppress) before anything is shown
  or downloaded;
- write the one-line "how this figure is computed, from which mart" caption;
- format numbers for the chosen language (tables as text, Plotly through layout.separators);
- offer every table as a CSV download (the suppressed frame, stored column names, so a number
  can be traced back to the mart).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.filters import Filters, current
from dashboard.i18n import (
    fmt_decimal,
    fmt_int,
    fmt_pct,
    fmt_rp,
    fmt_rp_compact,
    plotly_separators,
    t,
    vocab,
)
from dashboard.suppression import Rate, numeric, suppress

# Plotly's geo charts download a world topojson from cdn.plot.ly even when the base map is
# hidden; offline that fails and the map stays blank. Our maps draw only the bundled province
# GeoJSON, so an empty topology served inline is enough. Plotly appends "<name>.json" to this
# URL: after the "#" it is a fragment, which a data: URL ignores.
_EMPTY_TOPOLOGY = json.dumps(
    {
        "type": "Topology",
        "arcs": [],
        "objects": {
            layer: {"type": "GeometryCollection", "geometries": []}
            for layer in ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")
        },
    },
    separators=(",", ":"),
)
PLOTLY_CONFIG = {
    "topojsonURL": "data:application/json," + quote(_EMPTY_TOPOLOGY) + "#",
    "displaylogo": False,
}

# How a column is shown: int, rp, pct (a 0..1 share), pct_points (already in %), dec1, dec2,
# vocab (a stored vocabulary value), bool, text.
Formats = Mapping[str, str]

_FORMATTERS: dict[str, Callable[[Any], str]] = {
    "int": fmt_int,
    "rp": fmt_rp,
    "rp_compact": fmt_rp_compact,
    "pct": fmt_pct,
    "pct_points": lambda v: fmt_decimal(v, 1) if isinstance(v, str) else fmt_decimal(v, 1) + "%",
    "dec1": lambda v: fmt_decimal(v, 1),
    "dec2": lambda v: fmt_decimal(v, 2),
    "vocab": vocab,
    "bool": lambda v: t("yes") if v is True or v == 1 else t("no"),
    "text": lambda v: "–" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v),
}


def filters() -> Filters:
    """The cross-page filters (drawn in app.py's sidebar)."""
    return current(data.options().waves)


def describe(f: Filters, *dimensions: str) -> str:
    """'filters: wave 1–4, province Aceh' for the dimensions a figure is filtered by."""
    options = data.options()
    parts: list[str] = []
    for dim in dimensions:
        if dim == "wave_range":
            parts.append(f"{t('wave_number').lower()} {f.wave_from}–{f.wave_to}")
        elif dim == "province" and f.province is not None:
            parts.append(f"{t('province').lower()} {options.provinces.get(f.province, f.province)}")
        elif dim == "gender" and f.gender is not None:
            parts.append(f"{t('gender').lower()} {vocab(f.gender).lower()}")
        elif dim == "age_band" and f.age_band is not None:
            parts.append(f"{t('age_band').lower()} {f.age_band}")
    return f"{t('filters_applied')}: {', '.join(parts)}" if parts else t("no_filters")


def how(key: str, f: Filters | None = None, *dimensions: str) -> None:
    """The one-line definition under a chart or table."""
    scope = describe(f, *dimensions) if f is not None else t("no_filters")
    st.caption(f"ℹ️ {t(key, filters=scope)}")


@contextmanager
def section(title_key: str, title: str | None = None) -> Iterator[None]:
    """A titled section that degrades to a notice when its table is missing from the release
    or the file is being swapped, instead of failing the whole page. `title` overrides the
    translated `title_key` (for pages that keep their own labels)."""
    st.subheader(title or t(title_key))
    try:
        yield
    except data.MissingTable as exc:
        st.warning(t("missing_table", table=exc.table))
    except data.ServingBusy:
        st.warning(t("busy"))


def display_frame(frame: pd.DataFrame, formats: Formats) -> pd.DataFrame:
    """The (already suppressed) frame as text in the chosen language, headers translated."""
    shown = pd.DataFrame(index=frame.index)
    for column, kind in formats.items():
        shown[t(column)] = [_FORMATTERS[kind](v) for v in frame[column].tolist()]
    return shown.reset_index(drop=True)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def table(
    frame: pd.DataFrame,
    formats: Formats,
    *,
    how_key: str,
    f: Filters | None,
    dimensions: Sequence[str] = (),
    counts: Sequence[str] = (),
    rates: Mapping[str, Rate] | None = None,
    name: str,
) -> pd.DataFrame:
    """Suppress, show, explain and offer as CSV. Returns the suppressed frame."""
    safe = suppress(frame, counts, rates)
    if safe.empty:
        st.info(t("no_rows"))
    else:
        st.dataframe(display_frame(safe, formats), hide_index=True, width="stretch")
    how(how_key, f, *dimensions)
    st.download_button(
        t("download_csv"),
        data=csv_bytes(safe[list(formats)]),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"download_{name}",
    )
    return safe


def safe_numeric(
    frame: pd.DataFrame, counts: Sequence[str] = (), rates: Mapping[str, Rate] | None = None
) -> pd.DataFrame:
    """The frame suppressed and turned back into numbers (suppressed cells become gaps), for a
    chart: a chart never sees a value a table would hide."""
    return numeric(suppress(frame, counts, rates), [*counts, *(rates or {})])


def chart(
    fig: Any,
    *,
    how_key: str,
    f: Filters | None,
    dimensions: Sequence[str] = (),
    legend_title: str = "",
) -> None:
    """Show a Plotly figure with the language's number separators and its definition line."""
    fig.update_layout(
        separators=plotly_separators(),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend_title_text=legend_title,
    )
    if fig.layout.xaxis.title.text == t("wave_number"):
        fig.update_xaxes(dtick=1)  # waves are whole numbers: no "1,5" ticks
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG)
    how(how_key, f, *dimensions)


def metric(label_key: str, value: Any, kind: str = "int") -> None:
    """A headline number; a count of 1-9 people is suppressed like any cell."""
    if kind == "int":
        value = suppress(pd.DataFrame({"v": [value]}), counts=["v"]).iloc[0]["v"]
    st.metric(t(label_key), _FORMATTERS[kind](value))


def labelled(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Translate column names and vocabulary values for chart axes and legends."""
    out = frame.rename(columns={c: t(c) for c in columns})
    return out
