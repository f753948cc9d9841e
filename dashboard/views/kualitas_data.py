"""Kualitas Data: the latest nightly run, its failed expectations, the trend (dq_runs,
dq_results). No people counts here, so nothing needs suppressing."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard import data, ui
from dashboard.i18n import t, vocab

st.title(t("page_kualitas_data"))

with ui.section("latest_run"):
    runs = data.dq_runs()
    if runs.empty:
        st.info(t("no_rows"))
    else:
        latest = runs.iloc[-1]
        cols = st.columns(4)
        with cols[0]:
            st.metric(t("success"), t("yes") if bool(latest.success) else t("no"))
        with cols[1]:
            ui.metric("critical_failures", latest.critical_failures, kind="text")
        with cols[2]:
            ui.metric("warnings", latest.warnings, kind="text")
        with cols[3]:
            ui.metric("expectations", latest.expectations, kind="text")
        st.caption(
            f"{t('run_id')}: `{latest.run_id}` · {t('started_at')}: {str(latest.started_at)[:16]}"
        )
        ui.how("how_dq_latest")

        st.markdown(f"**{t('failed_expectations')}**")
        failed = data.dq_failed(str(latest.run_id))
        failed["severity"] = failed["severity"].map(vocab)
        if failed.empty:
            st.success(t("all_passed"))
        else:
            ui.table(
                failed,
                {
                    "suite": "text",
                    "table_name": "text",
                    "column_name": "text",
                    "expectation_type": "text",
                    "severity": "text",
                    "observed_value": "text",
                    "expected": "text",
                },
                how_key="how_dq_latest",
                f=None,
                name="ekspektasi_gagal",
            )

with ui.section("dq_trend"):
    runs = data.dq_runs()  # cached: no second read of the file
    if not runs.empty:
        runs["run"] = runs["started_at"].astype(str).str[:16]
        trend = runs.melt(
            id_vars="run",
            value_vars=["critical_failures", "warnings"],
            var_name="measure",
            value_name="value",
        )
        trend["measure"] = trend["measure"].map(t)
        fig = px.bar(
            trend,
            x="run",
            y="value",
            color="measure",
            barmode="group",
            labels={"run": t("started_at"), "value": t("count")},
        )
        # Counts of failed checks: whole numbers from zero, also when every run passed.
        fig.update_yaxes(rangemode="tozero", range=[0, max(1.0, float(trend.value.max()) * 1.1)])
        fig.update_xaxes(type="category")
        ui.chart(fig, how_key="how_dq_trend", f=None)
        ui.table(
            runs,
            {
                "run_id": "text",
                "run": "text",
                "success": "bool",
                "critical_failures": "int",
                "warnings": "int",
                "expectations": "int",
            },
            how_key="how_dq_trend",
            f=None,
            name="riwayat_kualitas_data",
        )
