"""Penyaluran Insentif: rupiah paid vs due, timeliness, failures by channel
(mart_disbursement, mart_payment_timeliness, mart_payment_failures)."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard import data, ui
from dashboard.i18n import t, vocab
from dashboard.suppression import Rate

WAVE_PROVINCE = ("wave_range", "province")

st.title(t("page_penyaluran"))
f = ui.filters()

# Rupiah sums over fewer than 10 people would disclose their payments: hidden with them.
PER_PERSON = {
    "amount_scheduled_rp": Rate(denominator="participants"),
    "amount_paid_rp": Rate(denominator="participants"),
    "amount_failed_rp": Rate(denominator="participants"),
    "paid_share": Rate(denominator="participants"),
}

with ui.section("paid_vs_due"):
    by_wave = data.disbursement_by_wave(f)
    money = ["amount_scheduled_rp", "amount_paid_rp"]
    plot = ui.safe_numeric(by_wave, counts=["participants"], rates=PER_PERSON).melt(
        id_vars="wave_number", value_vars=money, var_name="measure", value_name="rp"
    )
    plot["measure"] = plot["measure"].map(t)
    fig = px.bar(
        plot,
        x="wave_number",
        y="rp",
        color="measure",
        barmode="group",
        labels={"wave_number": t("wave_number"), "rp": "Rp"},
    )
    ui.chart(fig, how_key="how_paid_vs_due", f=f, dimensions=WAVE_PROVINCE)
    ui.table(
        by_wave,
        {
            "wave_number": "text",
            "participants": "int",
            "amount_scheduled_rp": "rp",
            "amount_paid_rp": "rp",
            "amount_failed_rp": "rp",
            "paid_share": "pct",
        },
        how_key="how_paid_vs_due",
        f=f,
        dimensions=WAVE_PROVINCE,
        counts=["participants"],
        rates=PER_PERSON,
        name="rupiah_per_gelombang",
    )

with ui.section("by_channel"):
    channels = data.disbursement_by_channel(f)
    ui.table(
        channels,
        {
            "channel": "text",
            "participants": "int",
            "amount_scheduled_rp": "rp",
            "amount_paid_rp": "rp",
            "paid_share": "pct",
        },
        how_key="how_by_channel",
        f=f,
        dimensions=WAVE_PROVINCE,
        counts=["participants"],
        rates=PER_PERSON,
        name="rupiah_per_kanal",
    )

with ui.section("timeliness"):
    timely = data.timeliness(f)
    rates = {
        "median_days": Rate(denominator="participants_paid"),
        "p90_days": Rate(denominator="participants_paid"),
        "share_paid_all_tranches": Rate(
            denominator="participants_paid", numerator="paid_all_tranches"
        ),
    }
    counts = ["participants_paid", "paid_all_tranches"]
    plot = ui.safe_numeric(timely, counts=counts, rates=rates)
    fig = px.line(
        plot,
        x="wave_number",
        y="median_days",
        color="channel",
        markers=True,
        labels={"wave_number": t("wave_number"), "median_days": t("median_days")},
    )
    ui.chart(fig, how_key="how_timeliness", f=f, dimensions=("wave_range",))
    ui.table(
        timely,
        {
            "wave_number": "text",
            "channel": "text",
            "participants_paid": "int",
            "median_days": "dec1",
            "p90_days": "dec1",
            "share_paid_all_tranches": "pct",
        },
        how_key="how_timeliness",
        f=f,
        dimensions=("wave_range",),
        counts=counts,
        rates=rates,
        name="ketepatan_waktu",
    )

with ui.section("failures"):
    failed = data.failures(f)
    failed["status"] = failed["status"].map(vocab)
    rates = {"amount_rp": Rate(denominator="participants")}
    # Payments are not people, but 1-9 payments would point at 1-9 people: hidden as well.
    counts = ["payments", "participants"]
    plot = ui.safe_numeric(failed, counts=counts, rates=rates)
    fig = px.bar(
        plot,
        x="channel",
        y="participants",
        color="failure_reason",
        labels={"channel": t("channel"), "participants": t("participants")},
    )
    ui.chart(fig, how_key="how_failures", f=f, dimensions=("wave_range",))
    ui.table(
        failed,
        {
            "channel": "text",
            "status": "text",
            "failure_reason": "text",
            "payments": "int",
            "participants": "int",
            "amount_rp": "rp",
        },
        how_key="how_failures",
        f=f,
        dimensions=("wave_range",),
        counts=counts,
        rates=rates,
        name="pembayaran_gagal",
    )

st.caption(t("suppression_note"))
