"""Pendaftaran & Seleksi: the funnel by wave, province, gender and age band; revocations
(mart_wave_funnel)."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard import data, ui
from dashboard.i18n import current_language, t, vocab
from dashboard.suppression import Rate

PEOPLE = ("wave_range", "province", "gender", "age_band")

st.title(t("page_pendaftaran"))
lang = current_language()  # bound now: option labels are formatted outside this run
f = ui.filters()

with ui.section("funnel"):
    totals = data.funnel_totals(f)
    stages = list(data.FUNNEL_STAGES)
    safe = ui.safe_numeric(totals, counts=stages)
    plot = safe[stages].T.reset_index()
    plot.columns = ["stage", "people"]
    plot["stage"] = plot["stage"].map(t)
    fig = px.funnel(plot, x="people", y="stage", labels={"people": t("people"), "stage": ""})
    fig.update_traces(texttemplate="%{x:,.0f}")  # whole people, not "195,338k"
    ui.chart(fig, how_key="how_funnel", f=f, dimensions=PEOPLE)

with ui.section("funnel_by_wave"):
    by_wave = data.funnel_by_wave(f)
    ui.table(
        by_wave,
        {"wave_number": "text", **dict.fromkeys(stages, "int")},
        how_key="how_funnel",
        f=f,
        dimensions=PEOPLE,
        counts=stages,
        name="corong_per_gelombang",
    )

with ui.section("breakdown"):
    by = st.radio(
        t("breakdown"),
        data.BREAKDOWNS,
        format_func=lambda key: t(key, lang),
        horizontal=True,
        key="pendaftaran_breakdown",
        label_visibility="collapsed",
    )
    groups = data.funnel_breakdown(f, by)
    if by == "gender":
        groups["grp"] = groups["grp"].map(vocab)
    counts = ["registered", "selected", "net_beneficiaries"]
    rates = {"selection_rate": Rate(denominator="registered", numerator="selected")}
    plot = ui.safe_numeric(groups, counts=counts, rates=rates)
    fig = px.bar(
        plot,
        x="grp",
        y="selection_rate",
        labels={"grp": t(by), "selection_rate": t("selection_rate")},
    )
    fig.update_yaxes(tickformat=".0%")
    ui.chart(fig, how_key="how_breakdown", f=f, dimensions=PEOPLE)
    groups = groups.rename(columns={"grp": by})
    ui.table(
        groups,
        {by: "text", **dict.fromkeys(counts, "int"), "selection_rate": "pct"},
        how_key="how_breakdown",
        f=f,
        dimensions=PEOPLE,
        counts=counts,
        rates=rates,
        name=f"seleksi_per_{by}",
    )

with ui.section("revocations"):
    rev = by_wave[["wave_number", "selected", "revoked"]].copy()
    rev["revocation_rate"] = rev.revoked / rev.selected.where(rev.selected > 0)
    rates = {"revocation_rate": Rate(denominator="selected", numerator="revoked")}
    plot = ui.safe_numeric(rev, counts=["selected", "revoked"], rates=rates)
    fig = px.bar(
        plot,
        x="wave_number",
        y="revoked",
        labels={"wave_number": t("wave_number"), "revoked": t("revoked")},
    )
    ui.chart(fig, how_key="how_revocations", f=f, dimensions=PEOPLE)
    ui.table(
        rev,
        {"wave_number": "text", "selected": "int", "revoked": "int", "revocation_rate": "pct"},
        how_key="how_revocations",
        f=f,
        dimensions=PEOPLE,
        counts=["selected", "revoked"],
        rates=rates,
        name="pencabutan_per_gelombang",
    )

st.caption(t("suppression_note"))
