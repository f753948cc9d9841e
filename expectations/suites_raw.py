"""Suites on raw.duckdb: volume, completeness, distributions, benefit rules, calendar dates.

Ingestion already rejects row-level contract violations into audit.quarantine; these suites look
at what it let through and at whole loads: how much arrived, how much was rejected, whether the
mix of people still resembles the published programme, and whether the rules from the seeds
(benefit amounts, wave calendar) hold in what was loaded. Aggregating checks are written as
`UnexpectedRowsExpectation` queries that return one row of measurements only when they fail, so
the measurement is what the summary shows as the observed value.
"""

from __future__ import annotations

from collections.abc import Sequence

from expectations import reference as ref
from expectations.spec import Check, Severity, unexpected_rows

NOT_NULL = "ExpectColumnValuesToNotBeNull"


def _rows(
    suite: str,
    check_id: str,
    schema: str,
    table: str,
    query: str,
    severity: Severity,
    expected: str,
    column: str | None = None,
) -> Check:
    return unexpected_rows(suite, check_id, "raw", schema, table, query, severity, expected, column)


def _latest_batch_cte() -> str:
    # The loads of the latest ingest run: every load this close to the newest one.
    return f"""
latest_batch as (
    select *
    from {{batch}}
    where started_at >= (select max(started_at) from {{batch}})
        - interval {ref.BATCH_WINDOW_HOURS} hour
)"""


def volume_checks() -> list[Check]:
    suite = "raw_volume"
    checks = [
        _rows(
            suite,
            "latest_load_not_empty",
            "audit",
            "load_audit",
            """
with ranked as (
    select entity, file, rows_loaded,
        row_number() over (partition by entity order by started_at desc, load_id desc) as rn
    from {batch}
    where status = 'loaded'
)
select entity, file, rows_loaded from ranked where rn = 1 and rows_loaded = 0
""",
            "critical",
            "the latest loaded file of every entity has rows",
        ),
        _rows(
            suite,
            "latest_load_vs_earlier_median",
            "audit",
            "load_audit",
            f"""
with ranked as (
    select entity, file, rows_loaded,
        row_number() over (partition by entity order by started_at desc, load_id desc) as rn
    from {{batch}}
    where status = 'loaded'
),
earlier as (
    select entity, median(rows_loaded) as median_rows
    from ranked
    where rn > 1
    group by entity
)
select r.entity, r.file, r.rows_loaded, e.median_rows
from ranked as r
join earlier as e on e.entity = r.entity
where r.rn = 1 and r.rows_loaded < {ref.LOAD_VS_MEDIAN_MIN} * e.median_rows
order by r.entity
""",
            "warning",
            f"latest file of each entity >= {ref.LOAD_VS_MEDIAN_MIN:.0%} of the median of its "
            "earlier files",
        ),
        _rows(
            suite,
            "quarantine_share_latest_batch",
            "audit",
            "load_audit",
            f"""
with {_latest_batch_cte()},
per_entity as (
    select entity, sum(rows_read) as rows_read, sum(rows_rejected) as rows_rejected
    from latest_batch
    where status = 'loaded'
    group by entity
)
select entity, rows_read, rows_rejected,
    round(rows_rejected / rows_read, 4) as rejected_share
from per_entity
where rows_read > 0 and rows_rejected > {ref.QUARANTINE_SHARE_CRITICAL} * rows_read
order by rejected_share desc
""",
            "critical",
            f"rejected rows <= {ref.QUARANTINE_SHARE_CRITICAL:.1%} of the rows read, per entity, "
            "in the latest batch of loads",
        ),
        _rows(
            suite,
            "no_rejected_files_latest_batch",
            "audit",
            "load_audit",
            f"""
with {_latest_batch_cte()}
select file, entity, errors from latest_batch where status = 'rejected'
""",
            "warning",
            "no whole file rejected in the latest batch of loads",
        ),
    ]
    for table in ("applications", "selection", "enrollments", "payments"):
        checks.append(
            Check(
                suite=suite,
                check_id=f"{table}_not_empty",
                database="raw",
                schema="registration",
                table=table,
                expectation="ExpectTableRowCountToBeBetween",
                kwargs={"min_value": 1},
                severity="critical",
                expected="at least one row",
            )
        )
    return checks


REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "applications": (
        "participant_key",
        "gelombang",
        "jenis_kelamin",
        "birth_year",
        "kode_provinsi",
        "waktu_daftar",
    ),
    "selection": ("id_pendaftaran", "terpilih"),
    "payments": ("id_pendaftaran", "jumlah", "kanal", "tanggal_jadwal", "status"),
}


def completeness_checks() -> list[Check]:
    suite = "raw_completeness"
    checks = [
        Check(
            suite=suite,
            check_id=f"{table}_{column}_not_null",
            database="raw",
            schema="registration",
            table=table,
            expectation=NOT_NULL,
            kwargs={"column": column},
            severity="critical",
            expected="no null values",
            column=column,
        )
        for table, columns in REQUIRED_COLUMNS.items()
        for column in columns
    ]
    checks += [
        _rows(
            suite,
            "selection_decree_date_when_selected",
            "registration",
            "selection",
            """
select count(*) as selected_without_date
from {batch}
where terpilih and tanggal_penetapan is null
having count(*) > 0
""",
            "critical",
            "tanggal_penetapan present for every selected application",
            column="tanggal_penetapan",
        ),
        _rows(
            suite,
            "paid_payments_have_paid_date",
            "registration",
            "payments",
            """
select count(*) as paid_without_date
from {batch}
where status = 'berhasil' and tanggal_bayar is null
having count(*) > 0
""",
            "critical",
            "tanggal_bayar present for every successful payment",
            column="tanggal_bayar",
        ),
        _rows(
            suite,
            "selection_rows_have_application",
            "registration",
            "selection",
            """
select count(*) as outcomes_without_application
from {batch} as s
anti join registration.applications as a on a.id_pendaftaran = s.id_pendaftaran
having count(*) > 0
""",
            "warning",
            "every selection outcome belongs to a loaded application",
        ),
    ]
    return checks


def _selected_people_cte() -> str:
    # Distribution checks describe the selected (the beneficiaries the references count).
    return """
selected as (
    select a.*, year(a.waktu_daftar) - a.birth_year as age
    from {batch} as a
    join registration.selection as s on s.id_pendaftaran = a.id_pendaftaran
    where s.terpilih
)"""


AGE = "(year(a.waktu_daftar) - a.birth_year)"  # age at registration


def _share_checks(shares: Sequence[tuple[str, str, ref.Band, str]]) -> list[Check]:
    # Each share is measured by one column of a query batch (one row) and bounded by GX, so the
    # history keeps the observed share of every run, passing or not, and drift can be followed
    # over time. One query for all the shares: GX runs a query batch two or three times (its
    # columns, its row count, the aggregate), and each run joins the 40 M applications to their
    # selection (1.3 s at national scale), so one query per share cost about 16 s a night.
    # (GX query assets must start with `select`: hence no CTE here.)
    columns = ",\n    ".join(f"round({sql}, 4) as {check_id}" for check_id, sql, _, _ in shares)
    query = f"""
select count(*) as selected_people,
    {columns}
from registration.applications as a
join registration.selection as s on s.id_pendaftaran = a.id_pendaftaran
where s.terpilih
"""
    return [
        Check(
            suite="raw_distribution",
            check_id=check_id,
            database="raw",
            schema="registration",
            table="applications",
            expectation="ExpectColumnMinToBeBetween",
            kwargs={"column": check_id, "min_value": band.low, "max_value": band.high},
            severity="warning",
            expected=f"{what} {band.text()}",
            query=query.strip(),
            query_name="shares_of_selected",
        )
        for check_id, _, band, what in shares
    ]


def distribution_checks() -> list[Check]:
    checks = _share_checks(
        [
            (
                "women_share_of_selected",
                "avg(case when jenis_kelamin = 'P' then 1.0 else 0.0 end)",
                ref.WOMEN_SHARE,
                "share of women among the selected",
            ),
            (
                "aged_18_35_share_of_selected",
                f"avg(case when {AGE} between 18 and 35 then 1.0 else 0.0 end)",
                ref.AGED_18_35_SHARE,
                "share aged 18-35 among the selected",
            ),
            (
                "aged_over_60_share_of_selected",
                f"avg(case when {AGE} > 60 then 1.0 else 0.0 end)",
                ref.AGED_OVER_60_SHARE,
                "share aged over 60 among the selected",
            ),
            (
                "not_working_share_of_selected",
                "avg(case when status_pekerjaan <> 'bekerja' then 1.0 else 0.0 end)",
                ref.NOT_WORKING_SHARE,
                "share not working at registration among the selected",
            ),
        ]
    )
    tolerance = ref.PROVINCE_SHARE_TOLERANCE
    checks.append(
        _rows(
            "raw_distribution",
            "province_mix_of_selected",
            "registration",
            "applications",
            f"""
with {_selected_people_cte()},
{ref.province_reference_cte()},
observed as (
    select kode_provinsi, count(*) as people
    from selected
    where kode_provinsi in (select kode_kemendagri from ref_province)
    group by kode_provinsi
),
compared as (
    select r.kode_kemendagri, r.provinsi,
        coalesce(o.people, 0) / sum(coalesce(o.people, 0)) over () as observed_share,
        r.penerima_ribu / sum(r.penerima_ribu) over () as reference_share
    from ref_province as r
    left join observed as o on o.kode_provinsi = r.kode_kemendagri
)
select kode_kemendagri, provinsi, round(observed_share, 4) as observed_share,
    round(reference_share, 4) as reference_share
from compared
where abs(observed_share - reference_share) > {tolerance}
order by abs(observed_share - reference_share) desc
""",
            "warning",
            f"each province's share of the selected within {tolerance * 100:g} percentage "
            "points of its share "
            "of 2020 beneficiaries (ref_beneficiaries_2020_by_province)",
            column="kode_provinsi",
        )
    )
    return checks


def benefit_rule_checks() -> list[Check]:
    suite = "raw_benefit_rules"
    return [
        _rows(
            suite,
            "payment_amounts_follow_benefit_rules",
            "registration",
            "payments",
            f"""
with {ref.benefit_rules_cte()},
checked as (
    select p.jenis, p.termin, p.jumlah, r.scheme,
        case p.jenis
            when 'insentif_pelatihan' then r.incentive_tranche_rp
            when 'insentif_survei' then r.survey_incentive_rp
        end as allowed_amount,
        case p.jenis
            when 'insentif_pelatihan' then r.incentive_tranches
            when 'insentif_survei' then r.survey_incentives
        end as allowed_tranches
    from {{batch}} as p
    left join benefit_rules as r
        on p.tanggal_jadwal between cast(r.valid_from as date) and cast(r.valid_to as date)
)
select coalesce(scheme, 'no scheme in force') as scheme, jenis, count(*) as payments,
    min(jumlah) as min_amount, max(jumlah) as max_amount, max(termin) as max_tranche
from checked
where scheme is null or jumlah <> allowed_amount or termin > allowed_tranches
group by all
""",
            "critical",
            "each payment is the tranche or survey incentive of the scheme in force on its "
            "scheduled date, within the scheme's number of tranches (benefit_rules seed)",
            column="jumlah",
        ),
        _rows(
            suite,
            "training_price_within_voucher",
            "registration",
            "enrollments",
            f"""
with {ref.benefit_rules_cte()}
select coalesce(r.scheme, 'no scheme in force') as scheme, count(*) as purchases,
    max(e.harga) as max_price
from {{batch}} as e
left join benefit_rules as r
    on e.tanggal_beli between cast(r.valid_from as date) and cast(r.valid_to as date)
where r.scheme is null or e.harga > r.training_voucher_rp
group by all
""",
            "critical",
            "each training price at most the voucher of the scheme in force on the purchase date",
            column="harga",
        ),
    ]


def calendar_checks() -> list[Check]:
    suite = "raw_calendar"
    return [
        _rows(
            suite,
            "registration_inside_wave_window",
            "registration",
            "applications",
            # applications counted per wave and day first: the calendar is then joined to a few
            # hundred rows, not to 40 M (1.2 s -> 0.1 s a run at national scale)
            f"""
with {ref.wave_calendar_cte()},
registration_days as (
    select gelombang, cast(waktu_daftar as date) as registered_on, count(*) as applications,
        min(waktu_daftar) as first_registered, max(waktu_daftar) as last_registered
    from {{batch}}
    group by gelombang, cast(waktu_daftar as date)
)
select d.gelombang, sum(d.applications) as applications,
    min(d.first_registered) as first_registered, max(d.last_registered) as last_registered,
    min(w.open_date) as window_opens, min(w.close_date) as window_closes
from registration_days as d
left join wave_calendar as w on w.wave_number = d.gelombang
where w.wave_number is null
    or d.registered_on < cast(w.open_date as date)
    or d.registered_on > cast(w.close_date as date) + interval 1 day
group by d.gelombang
""",
            "critical",
            "waktu_daftar inside its wave's registration window (plus one day), wave_calendar seed",
            column="waktu_daftar",
        ),
        _rows(
            suite,
            "selection_decree_after_wave_close",
            "registration",
            "selection",
            f"""
with {ref.wave_calendar_cte()}
select s.gelombang, count(*) as decrees,
    min(s.tanggal_penetapan) as first_decree, max(s.tanggal_penetapan) as last_decree,
    min(w.close_date) as wave_closes
from {{batch}} as s
left join wave_calendar as w on w.wave_number = s.gelombang
where s.tanggal_penetapan is not null
    and (w.wave_number is null
        or s.tanggal_penetapan < cast(w.close_date as date)
        or s.tanggal_penetapan > cast(w.close_date as date) + interval 60 day)
group by s.gelombang
""",
            "critical",
            "tanggal_penetapan from the wave's registration close to 60 days after",
            column="tanggal_penetapan",
        ),
    ]


def raw_checks() -> list[Check]:
    return [
        *volume_checks(),
        *completeness_checks(),
        *distribution_checks(),
        *benefit_rule_checks(),
        *calendar_checks(),
    ]
