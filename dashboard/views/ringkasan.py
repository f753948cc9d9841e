"""Ringkasan: headline figures and trends by wave (mart_wave_funnel, mart_disbursement)."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard import data, ui
from dashboard.i18n import t

PEOPLE = ("wave_range", "province", "gender", "age_band")

st.title(t("page_ringkasan"))
f = ui.filters()

with ui.section("headline"):
    totals = data.funnel_totals(f).iloc[0]
    cols = st.columns(3)
    with cols[0]:
        ui.metric("registered", totals.registered)
        ui.metric("selected", totals.selected)
    with cols[1]:
        ui.metric("net_beneficiaries", totals.net_beneficiaries)
        ui.metric("completed_training", totals.completed_training)
    with cols[2]:
        ui.metric("paid_all_tranches", totals.paid_all_tranches)
        ui.metric("amount_paid_rp", data.paid_total(f), kind="rp_compact")
    ui.how("how_headline", f, *PEOPLE)

with ui.section("trend_by_wave"):
    measures = ["registered", "selected", "net_beneficiaries"]
    by_wave = data.funnel_by_wave(f)
    plot = ui.safe_numeric(by_wave, counts=measures).melt(
        id_vars="wave_number", value_vars=measures, var_name="measure", value_name="people"
    )
    plot["measure"] = plot["measure"].map(t)
    fig = px.line(
        plot,
        x="wave_number",
        y="people",
        color="measure",
        markers=True,
        labels={"wave_number": t("wave_number"), "people": t("people")},
    )
    ui.chart(fig, how_key="how_trend", f=f, dimensions=PEOPLE)
    ui.table(
        by_wave,
        {"wave_number": "text", **dict.fromkeys(measures, "int")},
        how_key="how_trend",
        f=f,
        dimensions=PEOPLE,
        counts=measures,
        name="ringkasan_per_gelombang",
    )

st.caption(t("suppression_note"))
