"""Every label the dashboard shows, in Bahasa Indonesia (default) and English, and the number
formats of each language. Pages never write a user-facing string directly: they call `t()`.

Number formats follow each language's convention: Indonesian uses a dot for thousands and a
comma for decimals (Rp1.234.567; 12,3%), English the reverse (Rp1,234,567; 12.3%).
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
LANGUAGE_KEY = "lang"

# One entry per label: (Indonesian, English).
LABELS: dict[str, tuple[str, str]] = {
    # app shell
    "app_title": ("Dasbor Evaluasi Kartu Prakerja", "Kartu Prakerja Evaluation Dashboard"),
    "language": ("Bahasa / Language", "Bahasa / Language"),
    "filters": ("Filter (berlaku di semua halaman)", "Filters (apply on every page)"),
    "wave_range": ("Rentang gelombang", "Wave range"),
    "province": ("Provinsi", "Province"),
    "gender": ("Jenis kelamin", "Gender"),
    "age_band": ("Kelompok umur", "Age band"),
    "all": ("Semua", "All"),
    "release": ("Rilis", "Release"),
    "published_at": ("Diterbitkan", "Published"),
    "not_published_title": ("Belum ada data yang diterbitkan", "Nothing has been published yet"),
    "not_published_body": (
        "Berkas `serving/current.duckdb` belum ada di {home}. Jalankan `prakerja nightly` "
        "(atau `make demo`); dasbor akan menampilkan rilis pertama begitu terbit.",
        "There is no `serving/current.duckdb` in {home} yet. Run `prakerja nightly` "
        "(or `make demo`); the dashboard shows the first release as soon as it is published.",
    ),
    "missing_table": (
        "Tabel `{table}` tidak ada di rilis ini; bagian ini dilewati.",
        "Table `{table}` is not in this release; this section is skipped.",
    ),
    "busy": (
        "Data sedang diganti oleh rilis baru; muat ulang halaman sebentar lagi.",
        "The data is being replaced by a new release; reload the page in a moment.",
    ),
    "no_rows": ("Tidak ada data untuk filter ini.", "No data for these filters."),
    "download_csv": ("Unduh CSV", "Download CSV"),
    "suppression_note": (
        "Sel berisi kurang dari 10 orang disembunyikan (<10), juga rasio dengan penyebut di "
        "bawah 10 orang; berlaku juga untuk unduhan.",
        "Cells of fewer than 10 people are suppressed (<10), as are rates whose denominator is "
        "under 10 people; downloads included.",
    ),
    "source": ("Sumber", "Source"),
    "filters_applied": ("filter", "filters"),
    "no_filters": ("tanpa filter", "no filters"),
    # pages
    "page_ringkasan": ("Ringkasan", "Summary"),
    "page_pendaftaran": ("Pendaftaran & Seleksi", "Registration & Selection"),
    "page_penyaluran": ("Penyaluran Insentif", "Incentive Disbursement"),
    "page_penyedia": ("Penyedia Pelatihan", "Training Providers"),
    "page_pasar_kerja": ("Pasar Kerja", "Labour Market"),
    "page_kualitas_data": ("Kualitas Data", "Data Quality"),
    "page_dampak": ("Dampak", "Impact"),
    # measures
    "wave_number": ("Gelombang", "Wave"),
    "registered": ("Mendaftar", "Registered"),
    "verified": ("Terverifikasi", "Verified"),
    "eligible": ("Memenuhi syarat", "Eligible"),
    "selected": ("Terpilih (SK)", "Selected (SK)"),
    "revoked": ("Dicabut", "Revoked"),
    "net_beneficiaries": ("Penerima bersih", "Net beneficiaries"),
    "bought_training": ("Membeli pelatihan", "Bought training"),
    "bought_within_30_days": ("Membeli ≤30 hari", "Bought within 30 days"),
    "completed_training": ("Menyelesaikan pelatihan", "Completed training"),
    "paid_tranche_1": ("Insentif tahap 1", "Incentive tranche 1"),
    "paid_all_tranches": ("Semua tahap dibayar", "All tranches paid"),
    "surveyed": ("Mengisi survei", "Surveyed"),
    "selection_rate": ("Tingkat seleksi", "Selection rate"),
    "revocation_rate": ("Tingkat pencabutan", "Revocation rate"),
    "amount_paid_rp": ("Dibayar (Rp)", "Paid (Rp)"),
    "amount_scheduled_rp": ("Dijadwalkan (Rp)", "Scheduled (Rp)"),
    "amount_failed_rp": ("Gagal (Rp)", "Failed (Rp)"),
    "paid_share": ("Realisasi", "Paid share"),
    "participants": ("Peserta", "Participants"),
    "payments": ("Pembayaran", "Payments"),
    "amount_rp": ("Nilai (Rp)", "Amount (Rp)"),
    "channel": ("Kanal", "Channel"),
    "status": ("Status", "Status"),
    "failure_reason": ("Alasan", "Reason"),
    "participants_paid": ("Peserta dibayar", "Participants paid"),
    "median_days": ("Median hari selesai→bayar", "Median days completion→payment"),
    "p90_days": ("P90 hari selesai→bayar", "P90 days completion→payment"),
    "share_paid_all_tranches": ("Porsi semua tahap dibayar", "Share paid all tranches"),
    "provider_name": ("Lembaga pelatihan", "Training provider"),
    "platform_name": ("Platform", "Platform"),
    "platform_code": ("Platform", "Platform"),
    "enrollments": ("Pendaftaran kelas", "Enrolments"),
    "completions": ("Kelulusan", "Completions"),
    "completion_rate": ("Tingkat penyelesaian", "Completion rate"),
    "avg_rating": ("Rata-rata rating", "Average rating"),
    "price_rp": ("Harga (Rp)", "Price (Rp)"),
    "revenue_rp": ("Pendapatan (Rp)", "Revenue (Rp)"),
    "enrollment_share": ("Pangsa platform", "Platform share"),
    "hhi": ("HHI", "HHI"),
    "has_conflict_of_interest": ("Konflik kepentingan", "Conflict of interest"),
    "conflicted_platforms": ("Platform terkait", "Related platforms"),
    "provider_code": ("Kode lembaga", "Provider code"),
    "province_name": ("Provinsi", "Province"),
    "province_code_bps": ("Kode BPS", "BPS code"),
    "data_code": ("Kode BPS", "BPS code"),
    "tpt_percent": ("TPT (%)", "Unemployment rate (%)"),
    "beneficiaries": ("Penerima", "Beneficiaries"),
    "unemployed": ("Penganggur", "Unemployed"),
    "beneficiaries_per_1000_unemployed": (
        "Penerima per 1.000 penganggur",
        "Beneficiaries per 1,000 unemployed",
    ),
    "period": ("Periode survei (Sakernas)", "Survey period (Sakernas)"),
    "map_measure": ("Ukuran di peta", "Measure on the map"),
    "respondents": ("Responden", "Respondents"),
    "employed_share": ("Porsi bekerja", "Share employed"),
    "new_job_share": ("Porsi pekerjaan baru", "Share with a new job"),
    "mean_monthly_income_rp": ("Rata-rata pendapatan bulanan (Rp)", "Mean monthly income (Rp)"),
    "breakdown": ("Rincian menurut", "Break down by"),
    "stage": ("Tahap", "Stage"),
    "people": ("Orang", "People"),
    "value": ("Nilai", "Value"),
    "count": ("Jumlah", "Count"),
    "run": ("Mulai", "Started"),
    "measure": ("Ukuran", "Measure"),
    # data quality
    "run_id": ("ID run", "Run id"),
    "started_at": ("Mulai", "Started"),
    "success": ("Berhasil", "Passed"),
    "critical_failures": ("Gagal kritis", "Critical failures"),
    "warnings": ("Peringatan", "Warnings"),
    "expectations": ("Ekspektasi", "Expectations"),
    "suite": ("Suite", "Suite"),
    "table_name": ("Tabel", "Table"),
    "column_name": ("Kolom", "Column"),
    "expectation_type": ("Jenis ekspektasi", "Expectation type"),
    "severity": ("Tingkat", "Severity"),
    "observed_value": ("Nilai teramati", "Observed value"),
    "expected": ("Diharapkan", "Expected"),
    "latest_run": ("Run malam terakhir", "Latest nightly run"),
    "failed_expectations": ("Ekspektasi yang gagal", "Failed expectations"),
    "dq_trend": ("Tren kualitas data", "Data quality trend"),
    "all_passed": ("Semua ekspektasi lolos.", "Every expectation passed."),
    "yes": ("Ya", "Yes"),
    "no": ("Tidak", "No"),
    # section titles
    "headline": ("Angka utama", "Headline figures"),
    "trend_by_wave": ("Tren per gelombang", "Trend by wave"),
    "funnel": ("Corong peserta", "Participant funnel"),
    "funnel_by_wave": ("Corong per gelombang", "Funnel by wave"),
    "revocations": ("Pencabutan kepesertaan", "Revoked memberships"),
    "paid_vs_due": ("Rupiah dibayar vs dijadwalkan", "Rupiah paid vs due"),
    "by_channel": ("Menurut kanal pembayaran", "By payment channel"),
    "timeliness": ("Ketepatan waktu pembayaran", "Payment timeliness"),
    "failures": ("Pembayaran gagal atau dikembalikan", "Failed or returned payments"),
    "scorecards": ("Rapor lembaga pelatihan", "Provider scorecards"),
    "platform_market": ("Pangsa platform dan HHI", "Platform shares and HHI"),
    "price_rating": (
        "Harga vs rating vs penyelesaian",
        "Price vs rating vs completion",
    ),
    "conflicts": ("Tanda konflik kepentingan", "Conflict-of-interest flags"),
    "coverage_map": ("Peta provinsi", "Province map"),
    "outcomes_vs_tpt": ("Hasil peserta di samping TPT", "Participant outcomes beside TPT"),
    "map_attribution": (
        'Peta: "Indonesia GeoJSON & TopoJSON Maps (38 Provinces)", Deny Herianto, CC BY 4.0; '
        "kode BPS/Kemendagri ditambahkan. Periode 34 provinsi: empat provinsi Papua baru (2022) "
        "diberi nilai provinsi induknya.",
        'Map: "Indonesia GeoJSON & TopoJSON Maps (38 Provinces)", Deny Herianto, CC BY 4.0; '
        "BPS/Kemendagri codes added. 34-province periods: the four new (2022) Papua provinces "
        "show their parent province's value.",
    ),
    # how each figure is computed (one line each; {filters} lists the filters applied)
    "how_headline": (
        "Jumlah orang per tahap dari mart_wave_funnel; Rp dibayar = jumlah amount_paid_rp dari "
        "mart_disbursement ({filters}).",
        "People per stage summed from mart_wave_funnel; Rp paid = sum of amount_paid_rp from "
        "mart_disbursement ({filters}).",
    ),
    "how_trend": (
        "Jumlah registered, selected dan net_beneficiaries per gelombang dari mart_wave_funnel "
        "({filters}).",
        "Sum of registered, selected and net_beneficiaries per wave from mart_wave_funnel "
        "({filters}).",
    ),
    "how_funnel": (
        "Jumlah orang di tiap tahap dari mart_wave_funnel ({filters}).",
        "People at each stage summed from mart_wave_funnel ({filters}).",
    ),
    "how_breakdown": (
        "Jumlah per kelompok dari mart_wave_funnel; tingkat seleksi = selected / registered "
        "({filters}).",
        "Sums per group from mart_wave_funnel; selection rate = selected / registered ({filters}).",
    ),
    "how_revocations": (
        "revoked dan selected dijumlah per gelombang dari mart_wave_funnel; tingkat = revoked / "
        "selected ({filters}).",
        "revoked and selected summed per wave from mart_wave_funnel; rate = revoked / selected "
        "({filters}).",
    ),
    "how_paid_vs_due": (
        "Jumlah amount_scheduled_rp dan amount_paid_rp per gelombang dari mart_disbursement "
        "({filters}).",
        "Sum of amount_scheduled_rp and amount_paid_rp per wave from mart_disbursement "
        "({filters}).",
    ),
    "how_by_channel": (
        "Jumlah per kanal dari mart_disbursement; realisasi = amount_paid_rp / "
        "amount_scheduled_rp; peserta = tahap terbesar per gelombang, provinsi dan kanal "
        "({filters}).",
        "Sums per channel from mart_disbursement; paid share = amount_paid_rp / "
        "amount_scheduled_rp; participants = largest tranche per wave, province and channel "
        "({filters}).",
    ),
    "how_timeliness": (
        "Median dan P90 hari dari selesai pelatihan ke pembayaran pertama per gelombang dan "
        "kanal, langsung dari mart_payment_timeliness ({filters}).",
        "Median and P90 days from training completion to first payment per wave and channel, "
        "as stored in mart_payment_timeliness ({filters}).",
    ),
    "how_failures": (
        "Jumlah payments, amount_rp dan participants per kanal, status dan alasan dari "
        "mart_payment_failures, tanpa status paid ({filters}).",
        "Sum of payments, amount_rp and participants per channel, status and reason from "
        "mart_payment_failures, status paid excluded ({filters}).",
    ),
    "how_scorecards": (
        "Per lembaga dan platform dari mart_provider_scorecard: enrollments dan completions "
        "dijumlah; tingkat = completions / enrollments; rating dan harga = rata-rata tertimbang "
        "enrollments dari nilai per gelombang ({filters}).",
        "Per provider and platform from mart_provider_scorecard: enrollments and completions "
        "summed; rate = completions / enrollments; rating and price = enrolment-weighted mean of "
        "the per-wave values ({filters}).",
    ),
    "how_platform_market": (
        "enrollment_share dan hhi (0-10.000) per gelombang dan platform, langsung dari "
        "mart_platform_market ({filters}).",
        "enrollment_share and hhi (0-10,000) per wave and platform, as stored in "
        "mart_platform_market ({filters}).",
    ),
    "how_price_rating": (
        "Satu titik per lembaga dan platform dari mart_provider_scorecard (sama dengan rapor); "
        "ukuran titik = enrollments ({filters}).",
        "One point per provider and platform from mart_provider_scorecard (as in the "
        "scorecards); point size = enrollments ({filters}).",
    ),
    "how_conflicts": (
        "Lembaga dengan has_conflict_of_interest dari dim_training_providers, dengan enrollments "
        "dari mart_provider_scorecard ({filters}).",
        "Providers with has_conflict_of_interest in dim_training_providers, with enrollments "
        "from mart_provider_scorecard ({filters}).",
    ),
    "how_map": (
        "tpt_percent dan beneficiaries_per_1000_unemployed (= beneficiaries / unemployed × "
        "1.000) per provinsi dan periode dari mart_province_coverage ({filters}).",
        "tpt_percent and beneficiaries_per_1000_unemployed (= beneficiaries / unemployed × "
        "1,000) per province and period from mart_province_coverage ({filters}).",
    ),
    "how_outcomes": (
        "Responden survei evaluasi kelompok perlakuan dari mart_outcomes; porsi = employed / "
        "respondents; TPT = rata-rata province_tpt_percent ({filters}).",
        "Treatment-arm respondents to the evaluation survey from mart_outcomes; share = employed "
        "/ respondents; TPT = mean province_tpt_percent ({filters}).",
    ),
    "how_dq_latest": (
        "Baris terakhir dq_runs menurut started_at; gagal = baris dq_results run itu dengan "
        "success = false.",
        "Latest dq_runs row by started_at; failures = that run's dq_results rows with success = "
        "false.",
    ),
    "how_dq_trend": (
        "critical_failures dan warnings per run dari dq_runs.",
        "critical_failures and warnings per run from dq_runs.",
    ),
    # vocabulary of the marts
    "v_female": ("Perempuan", "Female"),
    "v_male": ("Laki-laki", "Male"),
    "v_paid": ("Dibayar", "Paid"),
    "v_failed": ("Gagal", "Failed"),
    "v_returned": ("Dikembalikan", "Returned"),
    "v_critical": ("Kritis", "Critical"),
    "v_warning": ("Peringatan", "Warning"),
    "v_training_incentive": ("Insentif pelatihan", "Training incentive"),
    "v_survey_incentive": ("Insentif survei", "Survey incentive"),
}


def current_language() -> str:
    """The language chosen in the sidebar (kept in st.session_state); Indonesian by default."""
    try:
        import streamlit as st

        lang = st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
    except Exception:  # outside a Streamlit session (plain Python, tests)
        lang = DEFAULT_LANGUAGE
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None, **fields: Any) -> str:
    """The label `key` in `lang` (default: the chosen language), with `{fields}` filled in."""
    lang = lang or current_language()
    indonesian, english = LABELS[key]
    text = english if lang == "en" else indonesian
    return text.format(**fields) if fields else text


def vocab(value: object, lang: str | None = None) -> str:
    """A stored vocabulary value (female, failed, ...) in the chosen language; unknown values
    (channel codes, reasons) are shown as stored."""
    key = f"v_{value}"
    return t(key, lang) if key in LABELS else str(value)


def _separators(lang: str) -> tuple[str, str]:
    """(thousands, decimal) separators."""
    return (",", ".") if lang == "en" else (".", ",")


def _group(text: str, lang: str) -> str:
    """Swap Python's en-style separators (1,234.5) for the language's own."""
    thousands, decimal = _separators(lang)
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def _missing(value: object) -> bool:
    """None, NaN, NaT and pandas' NA (nullable columns) all count as missing."""
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # not a scalar
        return False


def fmt_int(value: object, lang: str | None = None) -> str:
    """1.234.567 (id) / 1,234,567 (en). Strings (such as the suppression marker) pass as is."""
    if isinstance(value, str):
        return value
    if _missing(value):
        return "–"
    return _group(f"{round(float(value)):,d}", lang or current_language())  # type: ignore[arg-type]


def fmt_decimal(value: object, digits: int = 1, lang: str | None = None) -> str:
    """1.234,5 (id) / 1,234.5 (en)."""
    if isinstance(value, str):
        return value
    if _missing(value):
        return "–"
    return _group(f"{float(value):,.{digits}f}", lang or current_language())  # type: ignore[arg-type]


def fmt_rp(value: object, lang: str | None = None) -> str:
    """Rp1.234.567 (id) / Rp1,234,567 (en): whole rupiah."""
    if isinstance(value, str) or _missing(value):
        return fmt_int(value, lang)
    return "Rp" + fmt_int(value, lang)


_SCALES = {
    "id": ((1e12, "triliun"), (1e9, "miliar"), (1e6, "juta")),
    "en": ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")),
}


def fmt_rp_compact(value: object, lang: str | None = None) -> str:
    """Rp22,1 miliar (id) / Rp22.1 billion (en): for headline figures that must fit a tile."""
    lang = lang or current_language()
    if isinstance(value, str) or _missing(value):
        return fmt_int(value, lang)
    for size, word in _SCALES[lang]:
        if abs(float(value)) >= size:  # type: ignore[arg-type]
            return f"Rp{fmt_decimal(float(value) / size, 1, lang)} {word}"  # type: ignore[arg-type]
    return fmt_rp(value, lang)


def fmt_pct(value: object, digits: int = 1, lang: str | None = None) -> str:
    """A share in 0..1 as 12,3% (id) / 12.3% (en)."""
    if isinstance(value, str) or _missing(value):
        return fmt_int(value, lang)
    return fmt_decimal(float(value) * 100, digits, lang) + "%"  # type: ignore[arg-type]


MONTHS = {
    "id": [
        *("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus"),
        *("September", "Oktober", "November", "Desember"),
    ],
    "en": [
        *("January", "February", "March", "April", "May", "June", "July", "August"),
        *("September", "October", "November", "December"),
    ],
}


def fmt_month(value: Any, lang: str | None = None) -> str:
    """A survey period (first day of a month) as 'Agustus 2020' / 'August 2020'."""
    return f"{MONTHS[lang or current_language()][value.month - 1]} {value.year}"


def plotly_separators(lang: str | None = None) -> str:
    """Plotly's `layout.separators`: the decimal character, then the thousands character."""
    thousands, decimal = _separators(lang or current_language())
    return decimal + thousands
