"""Cross-column rules of the contracts (`row_checks`), each written once, as SQL.

Each check is a condition that is TRUE when the row breaks the rule. It runs after the
column-level checks, so it may assume every typed value `t.v_<column>` parsed and passed its own
rules (NULL only where the column is optional). Lookups come from the reference tables joined in
`JOINS` (wave calendar, payment channels, benefit rules): no figure of the programme is a
constant here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    rule: str
    condition: str
    column: str | None
    message: str


# Extra joins the entity's checks use (aliases w, ch, br), added to the validation query.
JOINS: dict[str, list[str]] = {
    "applications": [
        "left join ref_wave as w on w.code = t.v_gelombang",
    ],
    "selection": [
        "left join ref_wave as w on w.code = t.v_gelombang",
    ],
    "enrollments": [
        "left join ref_benefit_rules as br "
        "on t.v_tanggal_beli between br.valid_from and br.valid_to",
    ],
    "payments": [
        "left join ref_payment_channel as ch on ch.code = t.v_kanal",
        "left join ref_benefit_rules as br "
        "on t.v_tanggal_jadwal between br.valid_from and br.valid_to",
    ],
}


CHECKS: dict[str, list[Check]] = {
    "applications": [
        Check(
            "nik_mismatch",
            # DDMMYY of the birth date, 40 added to the day for women (jenis_kelamin P); the
            # NIK's digits as numbers come from the validator (NIK_DATE_PARTS).
            "t._nik_dd <> day(t.v_tanggal_lahir) + "
            "case when t.v_jenis_kelamin = 'P' then 40 else 0 end "
            "or t._nik_mm <> month(t.v_tanggal_lahir) "
            "or t._nik_yy <> year(t.v_tanggal_lahir) % 100",
            "nik",
            "the NIK's DDMMYY does not match tanggal_lahir and jenis_kelamin (day + 40 for women)",
        ),
        Check(
            "invalid_value",
            "not starts_with(t.v_kode_kabkota, t.v_kode_provinsi)",
            "kode_kabkota",
            "the regency is not in kode_provinsi",
        ),
        Check(
            "date_out_of_range",
            "cast(t.v_waktu_daftar as date) < w.registration_open_date "
            "or cast(t.v_waktu_daftar as date) > w.registration_close_date + interval 1 day",
            "waktu_daftar",
            "outside the wave's registration window (plus one day)",
        ),
        Check(
            "date_out_of_range",
            "t.v_tanggal_lahir + interval 18 year > cast(t.v_waktu_daftar as date)",
            "tanggal_lahir",
            "applicant younger than 18 at registration",
        ),
    ],
    "selection": [
        Check(
            "invalid_value",
            "(t.v_terpilih and not t.v_memenuhi_syarat) "
            "or (t.v_memenuhi_syarat and not t.v_lolos_verifikasi)",
            "terpilih",
            "terpilih implies memenuhi_syarat implies lolos_verifikasi",
        ),
        Check(
            "missing_required",
            "t.v_terpilih and t.v_tanggal_penetapan is null",
            "tanggal_penetapan",
            "required when terpilih",
        ),
        Check(
            "date_out_of_range",
            "t.v_tanggal_penetapan < w.registration_close_date "
            "or t.v_tanggal_penetapan > w.registration_close_date + interval 60 day",
            "tanggal_penetapan",
            "not within 60 days after the wave's registration close",
        ),
    ],
    "enrollments": [
        Check(
            "date_out_of_range",
            "t.v_tanggal_selesai < t.v_tanggal_beli",
            "tanggal_selesai",
            "completion before purchase (tanggal_beli)",
        ),
        Check(
            "missing_required",
            "t.v_status = 'selesai' and t.v_tanggal_selesai is null",
            "tanggal_selesai",
            "required when status is selesai",
        ),
        Check(
            "amount_out_of_rules",
            "t.v_harga > br.training_voucher_rp",
            "harga",
            "above the training voucher of the scheme in force on tanggal_beli",
        ),
    ],
    "payments": [
        Check(
            "amount_out_of_rules",
            "case t.v_jenis "
            "when 'insentif_pelatihan' then t.v_jumlah <> br.incentive_tranche_rp "
            "or t.v_termin > br.incentive_tranches "
            "when 'insentif_survei' then t.v_jumlah <> br.survey_incentive_rp "
            "or t.v_termin > br.survey_incentives end",
            "jumlah",
            "not the scheme's amount for this kind of payment, "
            "or a tranche beyond the scheme's count",
        ),
        Check(
            "date_out_of_range",
            "t.v_tanggal_jadwal < ch.active_from or t.v_tanggal_bayar < ch.active_from",
            "tanggal_jadwal",
            "before the payment channel was active",
        ),
        Check(
            "date_out_of_range",
            "t.v_tanggal_bayar < t.v_tanggal_jadwal - interval 7 day",
            "tanggal_bayar",
            "paid more than 7 days before the scheduled date",
        ),
        Check(
            "missing_required",
            "t.v_status = 'berhasil' and t.v_tanggal_bayar is null",
            "tanggal_bayar",
            "required when status is berhasil",
        ),
        Check(
            "missing_required",
            "t.v_status in ('gagal', 'dikembalikan') and t.v_alasan_gagal is null",
            "alasan_gagal",
            "required when status is gagal or dikembalikan",
        ),
    ],
}
