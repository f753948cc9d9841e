"""Dampak: the programme's effect estimated from the selection lottery (mart_impact_estimates)
and the balance of the two groups (mart_impact_balance). docs/impact.md explains the method.

The page's own labels live here (LABELS below, Indonesian first) because they are used nowhere
else; numbers go through the dashboard's formatters and the one suppression function."""

from __future__ import annotations

from contextlib import AbstractContextManager

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import impact_queries as q
from dashboard import ui
from dashboard.i18n import current_language, fmt_decimal, fmt_int, fmt_pct, fmt_rp, t
from dashboard.suppression import Rate, suppress

LABELS: dict[str, tuple[str, str]] = {
    "intro": (
        "Di setiap gelombang, peserta dipilih **secara undian** di antara pendaftar yang memenuhi "
        "syarat. Karena itu pendaftar yang memenuhi syarat tetapi tidak terpilih menjadi "
        "**kelompok pembanding** yang adil: selisih hasil survei evaluasi (sekitar 90 hari "
        "setelah insentif pertama) antara yang terpilih dan yang tidak terpilih memperkirakan "
        "dampak **terpilih menjadi peserta** (*intention to treat*).",
        "In every wave, participants were **drawn by lottery** among eligible applicants. Eligible "
        "applicants who were not drawn are therefore a fair **comparison group**: the difference "
        "in evaluation-survey outcomes (about 90 days after the first incentive) between those "
        "selected and those not selected estimates the effect of **being selected** "
        "(intention to treat).",
    ),
    "caveats": (
        "**Yang tidak dikatakan angka ini:** ini bukan dampak bagi setiap orang, dan bukan "
        "dampak pelatihan tertentu. Perkiraan ini sah hanya jika undian benar-benar acak (lihat "
        "tabel keseimbangan), jika yang menjawab survei sebanding di kedua kelompok, jika "
        "peserta tidak memengaruhi hasil pendaftar lain, dan dengan catatan bahwa pendaftar yang "
        "tidak terpilih boleh mendaftar lagi dan terpilih di gelombang berikutnya (yang "
        "memperkecil selisih). Interval 95% menunjukkan ketidakpastian karena sampel; baris yang "
        "diberi tanda peringatan jangan dibaca sebagai dampak.",
        "**What these figures do not say:** they are not the effect for every person, nor the "
        "effect of any particular course. The estimate holds only if the lottery was truly "
        "random (see the balance table), if survey respondents are comparable in both groups, if "
        "participants did not change other applicants' outcomes, and bearing in mind that "
        "applicants not selected may apply again and be selected in a later wave (which shrinks "
        "the difference). The 95% interval shows sampling uncertainty; rows with a warning "
        "should not be read as an effect.",
    ),
    "outcome": ("Hasil", "Outcome"),
    "o_new_job": ("Mendapat pekerjaan baru", "Found a new job"),
    "o_employed": ("Bekerja", "Employed"),
    "o_monthly_income_rp": ("Pendapatan bulanan", "Monthly income"),
    "o_started_business": ("Memulai usaha", "Started a business"),
    "headline": ("Semua gelombang, semua pendaftar", "All waves, all applicants"),
    "headline_value": (
        "Selisih {diff} (interval 95%: {low} s.d. {high}); {rel} dibanding kelompok pembanding",
        "Difference {diff} (95% interval: {low} to {high}); {rel} relative to the comparison group",
    ),
    "section_subgroups": (
        "Dampak per kelompok wilayah dan jenis kelamin",
        "Effect by region and gender",
    ),
    "section_waves": ("Dampak per gelombang", "Effect by wave"),
    "section_balance": ("Keseimbangan karakteristik awal", "Balance of baseline characteristics"),
    "how_forest": (
        "Titik = selisih rata-rata (terpilih − tidak terpilih) di antara pendaftar yang memenuhi "
        "syarat dan menjawab survei evaluasi; garis = interval 95%. Semua gelombang: koefisien "
        "OLS dengan efek tetap gelombang dan galat baku HC1; per gelombang: selisih rata-rata "
        "dengan galat baku Welch. Titik kosong = ada peringatan. Sumber: mart_impact_estimates. "
        "Filter provinsi, jenis kelamin dan umur tidak berlaku di halaman ini.",
        "Dot = difference in means (selected − not selected) among eligible applicants who "
        "answered the evaluation survey; line = 95% interval. All waves: OLS coefficient with wave "
        "fixed effects and HC1 standard error; per wave: difference in means with the Welch "
        "standard error. Hollow dot = a warning is raised. Source: mart_impact_estimates. The "
        "province, gender and age filters do not apply on this page.",
    ),
    "how_waves": (
        "Per gelombang dalam rentang gelombang yang dipilih; baris pertama = semua gelombang.",
        "Per wave within the chosen wave range; first row = all waves.",
    ),
    "how_balance": (
        "Selisih terstandar = (rata-rata terpilih − tidak terpilih) / akar((varians1 + varians0) "
        "/ 2). Undian yang adil membuatnya dekat nol; |nilai| > 0,1 ditandai. Di sel kecil, "
        "kebetulan saja bisa melewati 0,1. Sumber: mart_impact_balance.",
        "Standardised difference = (mean selected − not selected) / sqrt((var1 + var0) / 2). A "
        "fair lottery keeps it near zero; |value| > 0.1 is flagged. In small cells chance alone "
        "can exceed 0.1. Source: mart_impact_balance.",
    ),
    "population": ("Populasi", "Population"),
    "p_eligible_applicants": (
        "Semua pendaftar yang memenuhi syarat (apakah undiannya acak?)",
        "All eligible applicants (was the lottery random?)",
    ),
    "p_evaluation_respondents": (
        "Penjawab survei evaluasi (apakah sampel analisis sebanding?)",
        "Evaluation respondents (is the analysed sample comparable?)",
    ),
    "scope": ("Gelombang", "Wave"),
    "all_waves": ("Semua gelombang", "All waves"),
    "cell": ("Kelompok", "Group"),
    "wave_label": ("Gelombang {n}", "Wave {n}"),
    "n_treatment": ("n terpilih", "n selected"),
    "n_control": ("n tidak terpilih", "n not selected"),
    "mean_treatment": ("Rata-rata terpilih", "Mean, selected"),
    "mean_control": ("Rata-rata tidak terpilih", "Mean, not selected"),
    "difference": ("Selisih", "Difference"),
    "ci_low": ("Batas bawah 95%", "95% lower"),
    "ci_high": ("Batas atas 95%", "95% upper"),
    "response_rate_treatment": ("Tingkat jawab terpilih", "Response rate, selected"),
    "response_rate_control": ("Tingkat jawab tidak terpilih", "Response rate, not selected"),
    "warnings": ("Peringatan", "Warnings"),
    "w_small": ("sel kecil (<30 per kelompok)", "small cell (<30 per arm)"),
    "w_response": ("tingkat jawab berbeda", "response rates differ"),
    "w_balance": ("tidak seimbang", "imbalanced"),
    "covariate": ("Karakteristik", "Characteristic"),
    "std_difference": ("Selisih terstandar", "Standardised difference"),
    "is_imbalanced": ("Tidak seimbang", "Imbalanced"),
    "pp": ("poin persen", "percentage points"),
    "g_all": ("Semua", "All"),
    "g_java": ("Jawa", "Java"),
    "g_sumatra": ("Sumatra", "Sumatra"),
    "g_kalimantan": ("Kalimantan", "Kalimantan"),
    "g_sulawesi": ("Sulawesi", "Sulawesi"),
    "g_east": ("Bali, Nusa Tenggara, Maluku, Papua", "Bali, Nusa Tenggara, Maluku, Papua"),
    "g_unknown": ("Tidak diketahui", "Unknown"),
    "g_female": ("Perempuan", "Female"),
    "g_male": ("Laki-laki", "Male"),
    "response_note": (
        "Tingkat jawab = penjawab / pendaftar memenuhi syarat di kelompok itu (data survei tidak "
        "mencatat siapa yang diundi untuk disurvei tetapi tidak menjawab).",
        "Response rate = respondents / eligible applicants of the arm (the survey delivery does "
        "not record who was sampled but did not answer).",
    ),
}
COVARIATE_LABELS: dict[str, tuple[str, str]] = {
    "age_years": ("Umur (tahun)", "Age (years)"),
    "female": ("Perempuan", "Female"),
    "education_primary_or_less": ("Pendidikan: SD atau kurang", "Education: primary or less"),
    "education_junior_secondary": ("Pendidikan: SMP", "Education: junior secondary"),
    "education_senior_secondary": ("Pendidikan: SMA/SMK", "Education: senior secondary"),
    "education_diploma": ("Pendidikan: diploma", "Education: diploma"),
    "education_bachelor": ("Pendidikan: S1", "Education: bachelor"),
    "education_postgraduate": ("Pendidikan: S2/S3", "Education: postgraduate"),
    "employment_laid_off": ("Status: terkena PHK", "Status: laid off"),
    "employment_furloughed": ("Status: dirumahkan", "Status: furloughed"),
    "employment_job_seeker": ("Status: pencari kerja", "Status: job seeker"),
    "employment_micro_entrepreneur": ("Status: usaha mikro", "Status: micro-entrepreneur"),
    "employment_employed": ("Status: bekerja", "Status: employed"),
}
# Every number on an estimate row rests on both arms: hide it when the smaller arm is under 10.
ESTIMATE_RATES = {
    column: Rate(denominator="n_smaller_arm")
    for column in (
        "mean_treatment", "mean_control", "difference", "std_error", "ci_low", "ci_high",
        "relative_difference", "response_rate_treatment", "response_rate_control",
    )
}  # fmt: skip
BALANCE_RATES = {
    column: Rate(denominator="n_smaller_arm")
    for column in ("mean_treatment", "mean_control", "std_difference")
}


def label(key: str, **fields: object) -> str:
    indonesian, english = LABELS[key]
    text = english if current_language() == "en" else indonesian
    return text.format(**fields) if fields else text


def covariate_label(name: str) -> str:
    indonesian, english = COVARIATE_LABELS.get(name, (name, name))
    return english if current_language() == "en" else indonesian


def row_label(row: pd.Series) -> str:
    if row["wave_scope"] != "all_waves" and row["dimension"] == "all":
        return label("wave_label", n=int(row["wave_number"]))
    if row["dimension"] == "all" and row["wave_scope"] == "all_waves":
        return label("all_waves")
    key = f"g_{row['dimension_value']}"
    return label(key) if key in LABELS else str(row["dimension_value"])


def scale(outcome: str) -> float:
    """Shares are shown in percentage points, income in rupiah."""
    return 100.0 if outcome in q.SHARE_OUTCOMES else 1.0


def fmt_effect(value: object, outcome: str) -> str:
    if isinstance(value, str):
        return value
    if outcome in q.SHARE_OUTCOMES:
        return fmt_decimal(float(value) * 100, 1) + " " + label("pp")  # type: ignore[arg-type]
    return fmt_rp(value)


def fmt_level(value: object, outcome: str) -> str:
    return fmt_pct(value) if outcome in q.SHARE_OUTCOMES else fmt_rp(value)


def warnings_text(row: pd.Series) -> str:
    flags = [
        label(key)
        for key, column in (
            ("w_small", "is_small_cell"),
            ("w_response", "response_rates_differ"),
            ("w_balance", "balance_fails"),
        )
        if bool(row[column])
    ]
    return ", ".join(flags) if flags else "–"


def forest(frame: pd.DataFrame, outcome: str) -> go.Figure:
    """A forest plot: one row per cell, the estimate and its 95% interval, zero marked."""
    safe = ui.safe_numeric(frame, counts=["n_smaller_arm"], rates=ESTIMATE_RATES)
    k = scale(outcome)
    safe = safe.reset_index(drop=True)
    labels = [row_label(row) for _, row in safe.iterrows()]
    fig = go.Figure()
    for interpretable, symbol in ((True, "circle"), (False, "circle-open")):
        part = safe[safe["is_interpretable"] == interpretable]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=part["difference"] * k,
                y=[labels[i] for i in part.index],
                mode="markers",
                marker={"symbol": symbol, "size": 10, "color": "#1f4e79"},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (part["ci_high"] - part["difference"]) * k,
                    "arrayminus": (part["difference"] - part["ci_low"]) * k,
                },
                name=label("difference") if interpretable else label("warnings"),
            )
        )
    fig.add_vline(x=0, line_dash="dash", line_color="grey")
    unit = label("pp") if outcome in q.SHARE_OUTCOMES else "Rp"
    fig.update_layout(
        xaxis_title=f"{label('difference')} ({unit})",
        yaxis={"autorange": "reversed"},
        height=120 + 40 * len(safe),
    )
    return fig


def estimates_table(frame: pd.DataFrame, outcome: str, name: str) -> None:
    safe = suppress(
        frame, counts=["n_treatment", "n_control", "n_smaller_arm"], rates=ESTIMATE_RATES
    )
    shown = pd.DataFrame(
        {
            label("cell"): [row_label(row) for _, row in safe.iterrows()],
            label("n_treatment"): [fmt_int(v) for v in safe["n_treatment"]],
            label("n_control"): [fmt_int(v) for v in safe["n_control"]],
            label("mean_treatment"): [fmt_level(v, outcome) for v in safe["mean_treatment"]],
            label("mean_control"): [fmt_level(v, outcome) for v in safe["mean_control"]],
            label("difference"): [fmt_effect(v, outcome) for v in safe["difference"]],
            label("ci_low"): [fmt_effect(v, outcome) for v in safe["ci_low"]],
            label("ci_high"): [fmt_effect(v, outcome) for v in safe["ci_high"]],
            label("response_rate_treatment"): [fmt_pct(v) for v in safe["response_rate_treatment"]],
            label("response_rate_control"): [fmt_pct(v) for v in safe["response_rate_control"]],
            label("warnings"): [warnings_text(row) for _, row in safe.iterrows()],
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    download(safe.drop(columns=["n_smaller_arm"]), name)


def download(frame: pd.DataFrame, name: str) -> None:
    st.download_button(
        t("download_csv"),
        data=ui.csv_bytes(frame),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"download_{name}",
    )


def section(key: str) -> AbstractContextManager[None]:
    """ui.section with this page's own title."""
    return ui.section(key, title=label(key))


def headline(pooled: pd.DataFrame, outcome: str) -> None:
    everyone = pooled[pooled["dimension"] == "all"]
    if everyone.empty:
        return
    row = suppress(everyone, counts=["n_smaller_arm"], rates=ESTIMATE_RATES).iloc[0]
    st.metric(
        f"{label('headline')} · {label(f'o_{outcome}')}", fmt_effect(row["difference"], outcome)
    )
    if isinstance(row["difference"], str):
        return
    text = label(
        "headline_value",
        diff=fmt_effect(row["difference"], outcome),
        low=fmt_effect(row["ci_low"], outcome),
        high=fmt_effect(row["ci_high"], outcome),
        rel=fmt_pct(row["relative_difference"]),
    )
    if not row["is_interpretable"]:
        text += f" · ⚠️ {warnings_text(row)}"
    st.caption(text)


def estimates_section(frame: pd.DataFrame, outcome: str, how: str, name: str) -> None:
    if frame.empty:
        st.info(t("no_rows"))
        return
    st.plotly_chart(forest(frame, outcome), width="stretch", key=f"forest_{name}")
    st.caption(f"ℹ️ {how}")
    estimates_table(frame, outcome, name)


def balance_chart(safe: pd.DataFrame) -> go.Figure:
    numbers = ui.safe_numeric(safe, counts=["n_smaller_arm"], rates=BALANCE_RATES)
    fig = go.Figure(
        go.Bar(
            x=numbers["std_difference"],
            y=[covariate_label(c) for c in numbers["covariate"]],
            orientation="h",
            marker_color=["#c0392b" if bad else "#1f4e79" for bad in numbers["is_imbalanced"]],
        )
    )
    for edge in (-0.1, 0.1):
        fig.add_vline(x=edge, line_dash="dash", line_color="grey")
    fig.update_layout(
        xaxis_title=label("std_difference"),
        yaxis={"autorange": "reversed"},
        height=120 + 28 * len(numbers),
    )
    return fig


def balance_section(scopes: list[str]) -> None:
    population = st.radio(
        label("population"),
        q.POPULATIONS,
        format_func=lambda p: label(f"p_{p}"),
        key="dampak_population",
    )
    scope = st.selectbox(
        label("scope"),
        scopes,
        format_func=lambda s: (
            label("all_waves") if s == "all_waves" else label("wave_label", n=int(s.split("_")[1]))
        ),
        key="dampak_balance_scope",
    )
    frame = q.balance(population, scope)
    if frame.empty:
        st.info(t("no_rows"))
        return
    safe = suppress(
        frame, counts=["n_treatment", "n_control", "n_smaller_arm"], rates=BALANCE_RATES
    )
    st.plotly_chart(balance_chart(safe), width="stretch", key="balance_chart")
    st.caption(f"ℹ️ {label('how_balance')}")
    shown = pd.DataFrame(
        {
            label("covariate"): [covariate_label(c) for c in safe["covariate"]],
            label("n_treatment"): [fmt_int(v) for v in safe["n_treatment"]],
            label("n_control"): [fmt_int(v) for v in safe["n_control"]],
            label("mean_treatment"): [fmt_decimal(v, 3) for v in safe["mean_treatment"]],
            label("mean_control"): [fmt_decimal(v, 3) for v in safe["mean_control"]],
            label("std_difference"): [fmt_decimal(v, 3) for v in safe["std_difference"]],
            label("is_imbalanced"): [t("yes") if v else t("no") for v in safe["is_imbalanced"]],
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    download(safe.drop(columns=["n_smaller_arm"]), f"dampak_keseimbangan_{population}_{scope}")


st.title(t("page_dampak"))
st.markdown(label("intro"))
st.info(label("caveats"))
f = ui.filters()

outcome = st.radio(
    label("outcome"),
    q.OUTCOMES,
    format_func=lambda o: label(f"o_{o}"),
    horizontal=True,
    key="dampak_outcome",
)

with section("section_subgroups"):
    pooled = q.pooled_by_subgroup(outcome)
    headline(pooled, outcome)
    estimates_section(pooled, outcome, label("how_forest"), f"dampak_{outcome}_kelompok")

with section("section_waves"):
    waves = q.by_wave(outcome, f.wave_from, f.wave_to)
    how = f"{label('how_forest')} {label('how_waves')}"
    estimates_section(waves, outcome, how, f"dampak_{outcome}_gelombang")
    st.caption(label("response_note"))

with section("section_balance"):
    balance_section(q.balance_scopes())
