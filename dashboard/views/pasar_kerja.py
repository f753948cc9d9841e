"""Pasar Kerja: choropleth of TPT and beneficiaries per 1,000 unemployed by province with a
period control; participant outcomes beside TPT (mart_province_coverage, mart_outcomes)."""

from __future__ import annotations

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from dashboard import data, ui
from dashboard.i18n import current_language, fmt_month, t
from dashboard.suppression import Rate

st.title(t("page_pasar_kerja"))
lang = current_language()  # bound now: option labels are formatted outside this run
f = ui.filters()

# TPT first: it covers every province; unemployed counts (the per-1,000 denominator) are
# published for only some provinces and periods.
MAP_MEASURES = ("tpt_percent", "beneficiaries_per_1000_unemployed")
MAP_RATES = {
    # Beneficiaries per 1,000 unemployed times the shown unemployed count gives the
    # beneficiaries back: hidden together with a count under 10.
    "beneficiaries_per_1000_unemployed": Rate(denominator="unemployed", numerator="beneficiaries")
}

with ui.section("coverage_map"):
    periods = data.coverage_periods()
    left, right = st.columns(2)
    with left:
        period = st.selectbox(
            t("period"),
            periods,
            key="pasar_kerja_period",
            format_func=lambda p: fmt_month(p, lang),
        )
    with right:
        measure = st.radio(
            t("map_measure"),
            MAP_MEASURES,
            format_func=lambda m: t(m, lang),
            horizontal=True,
            key="pasar_kerja_m",
        )
    if period is None:
        st.info(t("no_rows"))
    else:
        cells = data.coverage_map(period)
        plot = ui.safe_numeric(cells, counts=["beneficiaries"], rates=MAP_RATES)
        fig = px.choropleth(
            plot,
            geojson=data.province_geojson(),
            locations="map_code",
            featureidkey="properties.kode_bps",
            color=measure,
            hover_name="province_name",
            hover_data={"map_code": False, "tpt_percent": True, "beneficiaries": True},
            color_continuous_scale="YlOrRd",
            labels={m: t(m) for m in (*MAP_MEASURES, "beneficiaries")},
        )
        # Provinces without a value stay visible, in grey, under the coloured layer.
        fig.add_trace(
            go.Choropleth(
                geojson=data.province_geojson(),
                locations=plot["map_code"],
                featureidkey="properties.kode_bps",
                z=[0] * len(plot),
                colorscale=[[0, "#e5e5e5"], [1, "#e5e5e5"]],
                showscale=False,
                hoverinfo="skip",
            )
        )
        fig.data = (fig.data[-1], *fig.data[:-1])
        fig.update_geos(fitbounds="locations", visible=False)
        fig.update_layout(height=420)
        ui.chart(fig, how_key="how_map", f=None)
        st.caption(t("map_attribution"))
        # The table lists each data row once: the folded copies exist only on the map.
        ui.table(
            cells[~cells.is_folded.astype(bool)],
            {
                "data_code": "text",
                "province_name": "text",
                "tpt_percent": "dec2",
                "unemployed": "int",
                "beneficiaries": "int",
                "beneficiaries_per_1000_unemployed": "dec2",
            },
            how_key="how_map",
            f=None,
            counts=["beneficiaries"],
            rates=MAP_RATES,
            name="cakupan_provinsi",
        )

with ui.section("outcomes_vs_tpt"):
    outcomes = data.outcomes_by_province(f)
    counts = ["respondents", "employed", "new_job"]
    rates = {
        "employed_share": Rate(denominator="respondents", numerator="employed"),
        "new_job_share": Rate(denominator="respondents", numerator="new_job"),
        "mean_monthly_income_rp": Rate(denominator="respondents"),
    }
    plot = ui.safe_numeric(outcomes, counts=counts, rates=rates).dropna(
        subset=["employed_share", "tpt_percent"]
    )
    fig = px.scatter(
        plot,
        x="tpt_percent",
        y="employed_share",
        size="respondents",
        hover_name="province_name",
        labels={
            "tpt_percent": t("tpt_percent"),
            "employed_share": t("employed_share"),
            "respondents": t("respondents"),
        },
    )
    fig.update_yaxes(tickformat=".0%")
    dims = ("wave_range", "province", "gender")
    ui.chart(fig, how_key="how_outcomes", f=f, dimensions=dims)
    ui.table(
        outcomes,
        {
            "province_name": "text",
            "respondents": "int",
            "employed_share": "pct",
            "new_job_share": "pct",
            "mean_monthly_income_rp": "rp",
            "tpt_percent": "dec2",
        },
        how_key="how_outcomes",
        f=f,
        dimensions=dims,
        counts=counts,
        rates=rates,
        name="hasil_vs_tpt",
    )

st.caption(t("suppression_note"))
