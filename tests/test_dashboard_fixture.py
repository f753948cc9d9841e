"""A small serving file for the dashboard tests, built from SQL with the served tables' exact
names and columns (docs/architecture.md, "The served tables"), and a helper that serves a
real build.duckdb instead once the pipeline produces one.

The numbers are small and realistic in shape (a funnel that narrows, payments mostly paid) and
deliberately include cells under 10 people (all of Papua, one payment channel) so that
suppression has something to hide. The tests at the bottom check the fixture itself.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from prakerja.paths import SEEDS_DIR

# Papua (94) is the small province: every funnel cell there has fewer than 10 people.
SMALL_PROVINCE = "94"
PROVINCES = ("11", "31", "32", "91", SMALL_PROVINCE)
WAVES = (1, 2, 3, 4)

FIXTURE_SQL = """
create table dim_provinces as
with xw as (select * from read_csv(?, all_varchar = true))
select c.kode_bps as province_code_bps, c.kode_kemendagri as province_code_kemendagri,
    c.nama_provinsi as province_name,
    coalesce(parent.kode_bps, c.kode_bps) as parent_province_code_bps,
    c.new_2022 = '1' as is_new_2022
from xw as c left join xw as parent on parent.nama_provinsi = c.parent_province_pre_2022;

create table dim_waves as
select cast(wave_number as integer) as wave_number, cast(year as integer) as year, scheme,
    cast(planned_open_date as date) as planned_open_date,
    cast(registration_open_date as date) as registration_open_date,
    cast(registration_close_date as date) as registration_close_date,
    cast(selection_date as date) as selection_date, cast(quota as integer) as quota,
    cast(published_accepted as integer) as published_accepted,
    planned_open_date <> registration_open_date as was_postponed, date_precision
from read_csv(?, all_varchar = true) where cast(wave_number as integer) <= 4;

create table dim_platforms as
select * from (values
    ('TOKOPEDIA', 'Tokopedia', 'marketplace', date '2020-04-01', cast(null as date)),
    ('BUKALAPAK', 'Bukalapak', 'marketplace', date '2020-04-01', null),
    ('PINTARIA', 'Pintaria', 'learning_platform', date '2020-04-01', null)
) as t(platform_code, platform_name, platform_type, active_from, active_to);

create table dim_training_providers as
select * from (values
    ('LP001', 'Skill Nusantara', '31', 'private', false, cast(null as varchar)),
    ('LP002', 'Kursus Maju Jaya', '32', 'private', true, 'PINTARIA'),
    ('LP003', 'Balai Latihan Kerja Aceh', '11', 'public', false, null),
    ('LP004', 'Akademi Digital Papua', '94', 'private', false, null)
) as t(provider_code, provider_name, province_code_bps, provider_type,
       has_conflict_of_interest, conflicted_platforms);

create table mart_wave_funnel as
with cells as (
    select w.wave_number, p.province_code_bps, g.gender, a.age_band,
        case when p.province_code_bps = '94' then 3 + (w.wave_number + a.i) % 6
             else 60 + 17 * w.wave_number + 11 * a.i + 23 * g.i
                  + 7 * cast(p.province_code_bps as integer) % 90 end as registered
    from (select unnest([1, 2, 3, 4]) as wave_number) as w
    cross join (select unnest(['11', '31', '32', '91', '94']) as province_code_bps) as p
    cross join (select unnest(['female', 'male']) as gender,
                       unnest([0, 1]) as i) as g
    cross join (select unnest(['18-25', '26-35', '36-45', '46-60', '61+']) as age_band,
                       unnest([0, 1, 2, 3, 4]) as i) as a
), stages as (
    select *, cast(floor(registered * 0.9) as integer) as verified,
        cast(floor(registered * 0.8) as integer) as eligible,
        cast(floor(registered * 0.5) as integer) as selected
    from cells
), after as (
    select *, cast(floor(selected * 0.08) as integer) as revoked from stages
), net as (
    select *, selected - revoked as net_beneficiaries,
        cast(floor((selected - revoked) * 0.95) as integer) as bought_training
    from after
)
select wave_number, province_code_bps, gender, age_band, registered, verified, eligible,
    selected, revoked, net_beneficiaries, bought_training,
    cast(floor(bought_training * 0.9) as integer) as bought_within_30_days,
    cast(floor(bought_training * 0.85) as integer) as completed_training,
    cast(floor(bought_training * 0.8) as integer) as paid_tranche_1,
    cast(floor(bought_training * 0.78) as integer) as paid_tranche_2,
    cast(floor(bought_training * 0.76) as integer) as paid_tranche_3,
    cast(floor(bought_training * 0.74) as integer) as paid_tranche_4,
    cast(floor(bought_training * 0.7) as integer) as paid_all_tranches,
    cast(floor(bought_training * 0.6) as integer) as surveyed
from net;

create table mart_disbursement as
with cells as (
    select f.wave_number, f.province_code_bps, c.channel, 'training_incentive' as payment_type,
        t.tranche,
        cast(floor(sum(f.paid_tranche_1) * c.share) as integer) as participants
    from mart_wave_funnel as f
    cross join (select unnest(['BNI', 'OVO', 'GOPAY', 'LINKAJA', 'DANA']) as channel,
                       unnest([0.3, 0.25, 0.25, 0.15, 0.05]) as share) as c
    cross join (select unnest([1, 2, 3, 4]) as tranche) as t
    group by f.wave_number, f.province_code_bps, c.channel, c.share, t.tranche
)
select wave_number, province_code_bps, channel, payment_type, tranche, participants,
    participants as payments_scheduled,
    participants - participants // 20 - participants // 50 as payments_paid,
    participants // 20 as payments_failed, participants // 50 as payments_returned,
    cast(participants * 600000 as decimal(18, 2)) as amount_scheduled_rp,
    cast((participants - participants // 20 - participants // 50) * 600000 as decimal(18, 2))
        as amount_paid_rp,
    cast((participants // 20) * 600000 as decimal(18, 2)) as amount_failed_rp
from cells;

create table mart_payment_timeliness as
select wave_number, channel,
    case when channel = 'DANA' then 6 else 40 * wave_number + 13 * ch end as participants_paid,
    cast(5 + wave_number + ch as double) as median_days_completion_to_first_payment,
    cast(12 + 2 * wave_number + ch as double) as p90_days_completion_to_first_payment,
    case when channel = 'DANA' then 4 else 30 * wave_number + 9 * ch end as paid_all_tranches,
    case when channel = 'DANA' then 4 / 6 else (30 * wave_number + 9 * ch)
        / (40 * wave_number + 13 * ch) end as share_paid_all_tranches
from (select unnest([1, 2, 3, 4]) as wave_number)
cross join (select unnest(['BNI', 'OVO', 'GOPAY', 'LINKAJA', 'DANA']) as channel,
                   unnest([1, 2, 3, 4, 5]) as ch);

create table mart_payment_failures as
select wave_number, channel, status, failure_reason, payments,
    cast(payments * 600000 as decimal(18, 2)) as amount_rp, payments as participants
from (values
    (1, 'BNI', 'paid', '', 900), (1, 'BNI', 'failed', 'account_closed', 25),
    (1, 'OVO', 'failed', 'account_not_verified', 40), (2, 'OVO', 'returned', 'name_mismatch', 12),
    (2, 'DANA', 'failed', 'account_not_verified', 4), (3, 'GOPAY', 'failed', 'limit_exceeded', 18),
    (4, 'LINKAJA', 'returned', 'name_mismatch', 7), (4, 'BNI', 'failed', 'account_closed', 31)
) as t(wave_number, channel, status, failure_reason, payments);

create table mart_provider_scorecard as
with base as (
    select w.wave_number, p.provider_code, p.provider_name, l.platform_code, l.platform_name,
        case when p.provider_code = 'LP004' then 5 else 30 + 25 * p.i + 10 * w.wave_number
             + 15 * l.j end as enrollments,
        p.has_conflict_of_interest, p.i, l.j
    from (select unnest([1, 2, 3, 4]) as wave_number) as w
    cross join (select *, row_number() over (order by provider_code) as i
                from dim_training_providers) as p
    cross join (select *, row_number() over (order by platform_code) as j
                from dim_platforms) as l
), platform_totals as (
    select wave_number, platform_code, sum(enrollments) as platform_enrollments
    from base group by all
), wave_totals as (
    select wave_number, sum(enrollments) as wave_enrollments from base group by all
), shares as (
    select t.wave_number, t.platform_code,
        t.platform_enrollments / w.wave_enrollments as share
    from platform_totals as t join wave_totals as w using (wave_number)
), hhi as (
    select wave_number, sum(power(100 * share, 2)) as hhi from shares group by all
)
select b.wave_number, b.provider_code, b.platform_code, b.provider_name, b.platform_name,
    b.enrollments, cast(floor(b.enrollments * (0.6 + 0.08 * b.i)) as integer) as completions,
    floor(b.enrollments * (0.6 + 0.08 * b.i)) / b.enrollments as completion_rate,
    3.9 + 0.2 * b.i - 0.1 * b.j as avg_rating,
    cast(700000 + 50000 * b.j + 25000 * b.i as decimal(18, 2)) as median_price_rp,
    cast(b.enrollments * (700000 + 50000 * b.j + 25000 * b.i) as decimal(18, 2))
        as revenue_rp,
    b.j as courses_sold, b.has_conflict_of_interest, s.share as platform_enrollment_share,
    h.hhi as platform_hhi
from base as b
join shares as s using (wave_number, platform_code)
join hhi as h using (wave_number);

create table mart_platform_market as
select wave_number, platform_code, sum(enrollments) as enrollments,
    sum(revenue_rp) as revenue_rp, max(platform_enrollment_share) as enrollment_share,
    max(platform_hhi) as hhi
from mart_provider_scorecard group by all;

create table mart_province_coverage as
with periods as (
    select * from (values (date '2020-08-01', '34'), (date '2024-08-01', '38'))
        as t(survey_period, province_system)
), provinces as (
    select distinct case when pr.province_system = '34' then d.parent_province_code_bps
        else d.province_code_bps end as province_code_bps, pr.survey_period,
        pr.province_system
    from dim_provinces as d cross join periods as pr
)
select p.province_code_bps, p.survey_period, p.province_system,
    year(p.survey_period) as year,
    case when p.province_code_bps = '94' then 7
         when p.province_code_bps in ('95', '96', '97', '92') then 3
         else 500 + 37 * cast(p.province_code_bps as integer) end as beneficiaries,
    20000 + 900 * cast(p.province_code_bps as integer) as unemployed,
    400000 + 9000 * cast(p.province_code_bps as integer) as labour_force,
    1000.0 * (case when p.province_code_bps = '94' then 7
                   when p.province_code_bps in ('95', '96', '97', '92') then 3
                   else 500 + 37 * cast(p.province_code_bps as integer) end)
        / (20000 + 900 * cast(p.province_code_bps as integer))
        as beneficiaries_per_1000_unemployed,
    round(3 + (cast(p.province_code_bps as integer) % 7) * 0.9
        + case when year(p.survey_period) = 2020 then 1.5 else 0 end, 2) as tpt_percent
from provinces as p;

-- As in the real BPS compilation, unemployed counts are missing for some provinces.
update mart_province_coverage
set unemployed = null, labour_force = null, beneficiaries_per_1000_unemployed = null
where province_code_bps > '80';

create table mart_outcomes as
select f.wave_number, f.province_code_bps, f.gender, c.course_category, 'evaluation'
        as survey_type, a.arm,
    cast(floor(sum(f.surveyed) * c.share) as integer) as respondents,
    cast(floor(sum(f.surveyed) * c.share * a.employed) as integer) as employed,
    cast(floor(sum(f.surveyed) * c.share * 0.2) as integer) as new_job,
    cast(floor(sum(f.surveyed) * c.share * 0.1) as integer) as started_business,
    cast(floor(sum(f.surveyed) * c.share * 0.8) as integer) as skills_improved,
    cast(2400000 + 100000 * f.wave_number as decimal(18, 2)) as mean_monthly_income_rp,
    max(cov.tpt_percent) as province_tpt_percent
from mart_wave_funnel as f
cross join (select unnest(['digital', 'sales', 'none']) as course_category,
                   unnest([0.6, 0.4, 0.3]) as share) as c
cross join (select unnest(['treatment', 'control']) as arm,
                   unnest([0.55, 0.45]) as employed) as a
left join mart_province_coverage as cov
    on cov.province_code_bps = f.province_code_bps and cov.survey_period = date '2020-08-01'
where (a.arm = 'control') = (c.course_category = 'none')
group by f.wave_number, f.province_code_bps, f.gender, c.course_category, a.arm, c.share,
    a.employed;

create table dq_runs as
select * from (values
    ('20261125T010000', timestamp '2026-11-25 01:00:00', timestamp '2026-11-25 01:04:00',
        true, 0, 2, 48),
    ('20261126T010000', timestamp '2026-11-26 01:00:00', timestamp '2026-11-26 01:04:30',
        true, 0, 1, 48),
    ('20261127T010000', timestamp '2026-11-27 01:00:00', timestamp '2026-11-27 01:05:00',
        true, 0, 3, 50)
) as t(run_id, started_at, finished_at, success, critical_failures, warnings, expectations);

create table dq_results as
select * from (values
    ('20261127T010000', 'marts', 'mart_wave_funnel.rows', 'mart_wave_funnel', null,
        'expect_table_row_count_to_be_between', 'warning', false, '198', '200..100000',
        timestamp '2026-11-27 01:04:00'),
    ('20261127T010000', 'raw', 'registration.tpt_range', 'registration', 'tpt_percent',
        'expect_column_values_to_be_between', 'warning', false, '0.2% out of range', '0..40',
        timestamp '2026-11-27 01:03:00'),
    ('20261127T010000', 'marts', 'mart_disbursement.paid_le_scheduled', 'mart_disbursement',
        'amount_paid_rp', 'expect_column_pair_values_a_to_be_greater_than_b', 'critical', true,
        '0', '0', timestamp '2026-11-27 01:04:10')
) as t(run_id, suite, expectation_id, table_name, column_name, expectation_type, severity,
       success, observed_value, expected, checked_at);

create table release_info as
select '20261127T010000' as run_id, timestamp '2026-11-27 01:06:00' as published_at,
    'abc1234' as git_revision, 17 as tables;
"""


def build_serving_fixture(home: Path) -> Path:
    """Write $home/serving/current.duckdb from FIXTURE_SQL; returns its path."""
    path = home / "serving" / "current.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        statements = [s for s in FIXTURE_SQL.split(";") if s.strip()]
        params = iter(
            [[str(SEEDS_DIR / "province_crosswalk.csv")], [str(SEEDS_DIR / "wave_calendar.csv")]]
        )
        for statement in statements:
            con.execute(statement, next(params) if "read_csv(?" in statement else [])
    finally:
        con.close()
    return path


def serve_build(build_db: Path, home: Path) -> Path:
    """Copy every dim_/fct_/mart_/dq_/release table of a real build.duckdb into
    $home/serving/current.duckdb (what the publish step does), for tests that run before
    publish exists."""
    path = home / "serving" / "current.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("attach ? as build (read_only)", [str(build_db)])
        tables = con.execute(
            "select table_name from duckdb_tables() where database_name = 'build' "
            "and (regexp_matches(table_name, '^(dim|fct|mart|dq)_') "
            "or table_name = 'release_info')"
        ).fetchall()
        for (table,) in tables:
            schema = con.execute(
                "select schema_name from duckdb_tables() where database_name = 'build' "
                "and table_name = ?",
                [table],
            ).fetchall()[0][0]
            # Identifiers come from the catalogue, not from input: quoting is enough.
            con.execute(f'create table "{table}" as select * from build."{schema}"."{table}"')
        con.execute("detach build")
    finally:
        con.close()
    return path


def test_fixture_has_the_agreed_columns(tmp_path: Path) -> None:
    """The fixture is only useful if it matches docs/architecture.md's served tables."""
    path = build_serving_fixture(tmp_path)
    agreed = {
        "mart_wave_funnel": "wave_number province_code_bps gender age_band registered verified "
        "eligible selected revoked net_beneficiaries bought_training bought_within_30_days "
        "completed_training paid_tranche_1 paid_tranche_2 paid_tranche_3 paid_tranche_4 "
        "paid_all_tranches surveyed",
        "mart_disbursement": "wave_number province_code_bps channel payment_type tranche "
        "participants payments_scheduled payments_paid payments_failed payments_returned "
        "amount_scheduled_rp amount_paid_rp amount_failed_rp",
        "mart_province_coverage": "province_code_bps survey_period province_system year "
        "beneficiaries unemployed labour_force beneficiaries_per_1000_unemployed tpt_percent",
        "dim_provinces": "province_code_bps province_code_kemendagri province_name "
        "parent_province_code_bps is_new_2022",
    }
    con = duckdb.connect(str(path), read_only=True)
    try:
        for table, columns in agreed.items():
            found = {
                row[0]
                for row in con.execute(
                    "select column_name from duckdb_columns() where table_name = ?", [table]
                ).fetchall()
            }
            assert set(columns.split()) <= found, (table, set(columns.split()) - found)
        parents = dict(
            con.execute(
                "select province_code_bps, parent_province_code_bps from dim_provinces"
            ).fetchall()
        )
        small = con.execute(
            "select count(*) from mart_wave_funnel where registered between 1 and 9"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert len(parents) == 38
    assert parents["95"] == "94" and parents["92"] == "91" and parents["31"] == "31"
    assert small > 0, "the fixture must contain cells under 10 people"
