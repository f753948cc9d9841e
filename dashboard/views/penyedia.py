"""Penyedia Pelatihan: provider scorecards, platform shares and HHI, price vs rating vs
completion, conflict-of-interest flags (mart_provider_scorecard, mart_platform_market,
dim_training_providers)."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard import data, ui
from dashboard.i18n import t
from dashboard.suppression import Rate

WAVES = ("wave_range",)
COUNTS = ["enrollments", "completions"]
# Ratings, prices and revenue of fewer than 10 enrolments describe those few people.
RATES = {
    "completion_rate": Rate(denominator="enrollments", numerator="completions"),
    "avg_rating": Rate(denominator="enrollments"),
    "price_rp": Rate(denominator="enrollments"),
    "revenue_rp": Rate(denominator="enrollments"),
}

st.title(t("page_penyedia"))
f = ui.filters()

with ui.section("scorecards"):
    cards = data.provider_scorecard(f)
    ui.table(
        cards,
        {
            "provider_name": "text",
            "platform_name": "text",
            "enrollments": "int",
            "completions": "int",
            "completion_rate": "pct",
            "avg_rating": "dec2",
            "price_rp": "rp",
            "revenue_rp": "rp",
            "has_conflict_of_interest": "bool",
        },
        how_key="how_scorecards",
        f=f,
        dimensions=WAVES,
        counts=COUNTS,
        rates=RATES,
        name="rapor_lembaga",
    )

with ui.section("price_rating"):
    plot = ui.safe_numeric(cards, counts=COUNTS, rates=RATES).dropna(
        subset=["price_rp", "avg_rating", "completion_rate"]
    )
    plot["has_conflict_of_interest"] = plot["has_conflict_of_interest"].map(
        lambda v: t("yes") if v else t("no")
    )
    fig = px.scatter(
        plot,
        x="price_rp",
        y="avg_rating",
        size="enrollments",
        color="completion_rate",
        symbol="has_conflict_of_interest",
        hover_name="provider_name",
        hover_data=["platform_name"],
        color_continuous_scale="Viridis",
        labels={
            "price_rp": t("price_rp"),
            "avg_rating": t("avg_rating"),
            "completion_rate": t("completion_rate"),
            "enrollments": t("enrollments"),
            "has_conflict_of_interest": t("has_conflict_of_interest"),
            "platform_name": t("platform_name"),
        },
    )
    # Legend (conflict of interest) below the plot, away from the colour bar.
    fig.update_layout(
        coloraxis_colorbar={"tickformat": ".0%"},
        legend={"orientation": "h", "y": -0.25},
    )
    ui.chart(
        fig,
        how_key="how_price_rating",
        f=f,
        dimensions=WAVES,
        legend_title=t("has_conflict_of_interest"),
    )

with ui.section("platform_market"):
    market = data.platform_market(f)
    left, right = st.columns(2)
    with left:
        fig = px.bar(
            market,
            x="wave_number",
            y="enrollment_share",
            color="platform_name",
            labels={
                "wave_number": t("wave_number"),
                "enrollment_share": t("enrollment_share"),
                "platform_name": t("platform_name"),
            },
        )
        fig.update_yaxes(tickformat=".0%")
        ui.chart(fig, how_key="how_platform_market", f=f, dimensions=WAVES)
    with right:
        hhi = market.groupby("wave_number", as_index=False)["hhi"].max()
        fig = px.line(
            hhi,
            x="wave_number",
            y="hhi",
            markers=True,
            labels={"wave_number": t("wave_number"), "hhi": t("hhi")},
        )
        # 1,500 and 2,500: the usual thresholds of a moderately / highly concentrated market.
        fig.add_hline(y=1500, line_dash="dot", line_color="orange")
        fig.add_hline(y=2500, line_dash="dot", line_color="red")
        ui.chart(fig, how_key="how_platform_market", f=f, dimensions=WAVES)
    ui.table(
        market,
        {
            "wave_number": "text",
            "platform_name": "text",
            "enrollments": "int",
            "revenue_rp": "rp",
            "enrollment_share": "pct",
            "hhi": "int",
        },
        how_key="how_platform_market",
        f=f,
        dimensions=WAVES,
        counts=["enrollments"],
        rates={
            "revenue_rp": Rate(denominator="enrollments"),
            "enrollment_share": Rate(denominator="enrollments"),
        },
        name="pangsa_platform",
    )

with ui.section("conflicts"):
    ui.table(
        data.conflicts(f),
        {
            "provider_code": "text",
            "provider_name": "text",
            "conflicted_platforms": "text",
            "enrollments": "int",
        },
        how_key="how_conflicts",
        f=f,
        dimensions=WAVES,
        counts=["enrollments"],
        name="konflik_kepentingan",
    )

st.caption(t("suppression_note"))
