"""A tiny warehouse (raw.duckdb + build.duckdb) with the documented layout, for the check tests.

Built from the seeds so that clean data resembles the published programme: waves in proportion
to the published accepted counts, provinces in proportion to the 2020 beneficiaries, 45% women,
~74% aged 18-35, 88% not working. Only the columns the suites read are created. The real
pipeline (generate -> ingest -> build) is exercised by test_expectations_pipeline.py when it is
available; this fixture keeps the suites testable on their own and fast.
"""

from __future__ import annotations

import csv
import string
from pathlib import Path

import duckdb

from prakerja.paths import SEEDS_DIR

SELECTED = 2000  # people selected; as many applicants again were not


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _weights_sql(name: str, rows: list[tuple[object, float]], key: str) -> str:
    """A table of (key, lo, hi) cumulative share intervals, to assign people by quantile."""
    total = sum(w for _, w in rows)
    parts, acc = [], 0.0
    for value, weight in rows:
        low, acc = acc, acc + weight / total
        parts.append(f"('{value}', {low!r}, {acc if value != rows[-1][0] else 1.0001!r})")
    return (
        f"create temp table {name} as select * from (values {', '.join(parts)}) as v({key}, lo, hi)"
    )


def build_warehouse(home: Path, selected: int = SELECTED, applications_per_person: int = 2) -> None:
    """Write raw.duckdb and build.duckdb under `home`. The benchmark in bench/check.md calls it
    with national-scale counts (5.5 M selected, 7 applications each)."""
    home.mkdir(parents=True, exist_ok=True)
    calendar = _seed("wave_calendar")
    # Waves without a published accepted count get their quota; wave 11 the 2020 remainder.
    waves = [
        (r["wave_number"], float(r["published_accepted"] or r["quota"] or 390_533))
        for r in calendar
    ]
    provinces = [
        (r["kode_kemendagri"], float(r["penerima_ribu"] or 20.0))
        for r in _seed("ref_beneficiaries_2020_by_province")
    ]
    with duckdb.connect(str(home / "raw.duckdb")) as con:
        con.execute(_weights_sql("wave_weights", waves, "wave"))
        con.execute(_weights_sql("province_weights", provinces, "province"))
        con.execute(
            f"""
create temp table calendar as
select cast(wave_number as integer) as wave_number, registration_open_date as open_date,
    registration_close_date as close_date, selection_date
from read_csv('{SEEDS_DIR / "wave_calendar.csv"}', all_varchar = false)
"""
        )
        con.execute(
            f"""
create temp table people as
with numbers as (select cast(range as bigint) as j from range({selected}))
select n.j,
    cast(w.wave as integer) as wave,
    p.province,
    case when (n.j * 37) % 100 < 45 then 'P' else 'L' end as gender,
    case when (n.j * 53) % 100 < 74 then 18 + (n.j * 53) % 100 % 18
         when (n.j * 53) % 100 < 98 then 36 + (n.j * 53) % 100 % 25
         else 61 + (n.j * 53) % 5 end as age,
    case when (n.j * 61) % 100 < 88
         then ['korban_phk', 'dirumahkan', 'pencari_kerja', 'usaha_mikro'][1 + n.j % 4]
         else 'bekerja' end as employment,
    n.j % 100 < 93 as bought,
    n.j % 100 < 88 as completed
from numbers as n
join wave_weights as w on n.j / {selected} >= w.lo and n.j / {selected} < w.hi
join province_weights as p
    on (n.j * 7919) % {selected} / {selected} >= p.lo
    and (n.j * 7919) % {selected} / {selected} < p.hi
"""
        )
        con.execute(
            string.Template(
                """
create schema registration;
create schema audit;
-- Each person applied several times in the same wave: selected once (s = 1), then not.
create table registration.applications as
select 'APP-' || lpad(cast(p.j as varchar), 5, '0') || '-' || s as id_pendaftaran,
    p.wave as gelombang, p.gender as jenis_kelamin, p.province as kode_provinsi,
    p.employment as status_pekerjaan,
    least(cast(c.open_date as timestamp) + to_days(p.j % 3) + to_hours(9),
          cast(c.close_date as timestamp) + to_hours(9)) as waktu_daftar,
    sha256('person-' || p.j || '-' || s) as participant_key,
    2020 - p.age as birth_year, s = 1 as selected, p.j
from people as p
join calendar as c on c.wave_number = p.wave
cross join (select cast(range as integer) + 1 as s from range($applications)) as t;

create table registration.selection as
select id_pendaftaran, gelombang,
    selected or j % 2 = 0 as lolos_verifikasi,
    selected or j % 4 = 0 as memenuhi_syarat,
    selected as terpilih,
    case when selected then cast(c.selection_date as date) end as tanggal_penetapan
from registration.applications as a
join calendar as c on c.wave_number = a.gelombang;

create table registration.enrollments as
select 'TRX-' || a.id_pendaftaran as id_transaksi, a.id_pendaftaran,
    s.tanggal_penetapan + 3 as tanggal_beli,
    cast(100000 + (p.j % 9) * 100000 as decimal(18, 2)) as harga,
    case when p.completed then 'selesai' else 'belum_selesai' end as status
from registration.applications as a
join registration.selection as s on s.id_pendaftaran = a.id_pendaftaran
join people as p on p.j = a.j
where a.selected and p.bought;

create table registration.payments as
select 'PAY-' || a.id_pendaftaran || '-' || k.termin || k.jenis as id_pembayaran,
    a.id_pendaftaran, k.jenis, k.termin, 'BNI' as kanal,
    cast(k.amount as decimal(18, 2)) as jumlah,
    s.tanggal_penetapan + 30 * k.termin as tanggal_jadwal,
    s.tanggal_penetapan + 30 * k.termin as tanggal_bayar,
    'berhasil' as status
from registration.applications as a
join registration.selection as s on s.id_pendaftaran = a.id_pendaftaran
join people as p on p.j = a.j
cross join (values ('insentif_pelatihan', 1, 600000), ('insentif_pelatihan', 2, 600000),
                   ('insentif_pelatihan', 3, 600000), ('insentif_pelatihan', 4, 600000),
                   ('insentif_survei', 1, 50000)) as k(jenis, termin, amount)
where a.selected and p.completed;

create table audit.load_audit as
with files as (
    select 'applications' as entity, 'pendaftaran' as prefix, gelombang, count(*) as n
    from registration.applications group by all
    union all
    select 'selection', 'seleksi', gelombang, count(*) from registration.selection group by all
    union all
    select 'enrollments', 'transaksi_pelatihan', a.gelombang, count(*)
    from registration.enrollments join registration.applications as a using (id_pendaftaran)
    group by all
    union all
    select 'payments', 'pembayaran', a.gelombang, count(*)
    from registration.payments join registration.applications as a using (id_pendaftaran)
    group by all
)
select entity || '-' || lpad(cast(gelombang as varchar), 2, '0') as load_id,
    prefix || '_gel' || lpad(cast(gelombang as varchar), 2, '0') || '.csv' as file,
    'registration' as family, entity, 'loaded' as status,
    n as rows_read, n as rows_loaded, cast(0 as bigint) as rows_rejected, '[]' as errors,
    true as is_synthetic,
    timestamp '2026-11-27 01:00:00' + to_minutes(gelombang) as started_at,
    timestamp '2026-11-27 01:00:30' + to_minutes(gelombang) as finished_at
from files;
"""
            ).substitute(applications=applications_per_person)
        )
    _build_marts(home)


def _build_marts(home: Path) -> None:
    with duckdb.connect(str(home / "build.duckdb")) as con:
        con.execute(f"attach '{home / 'raw.duckdb'}' as raw (read_only)")
        con.execute(
            f"""
create table dim_provinces as
select kode_bps as province_code_bps, kode_kemendagri as province_code_kemendagri,
    nama_provinsi as province_name, new_2022 = 1 as is_new_2022
from read_csv('{SEEDS_DIR / "province_crosswalk.csv"}', all_varchar = true,
    columns = {{'nama_provinsi': 'varchar', 'kode_bps': 'varchar', 'kode_kemendagri': 'varchar',
               'codes_differ': 'integer', 'new_2022': 'integer',
               'parent_province_pre_2022': 'varchar'}}, header = true);

create table fct_applications as
select a.id_pendaftaran as application_id, a.gelombang as wave_number,
    d.province_code_bps, case a.jenis_kelamin when 'P' then 'female' else 'male' end as gender,
    case when 2020 - a.birth_year <= 25 then '18-25' when 2020 - a.birth_year <= 35 then '26-35'
         when 2020 - a.birth_year <= 45 then '36-45' when 2020 - a.birth_year <= 60 then '46-60'
         else '61+' end as age_band,
    s.lolos_verifikasi as is_verified, s.memenuhi_syarat as is_eligible,
    s.terpilih as is_selected
from raw.registration.applications as a
join raw.registration.selection as s using (id_pendaftaran)
join dim_provinces as d on d.province_code_kemendagri = a.kode_provinsi;

create table fct_incentive_payments as
select p.id_pembayaran as payment_id, p.id_pendaftaran as application_id, f.wave_number,
    f.province_code_bps, p.jenis as payment_type, p.termin as tranche, p.kanal as channel,
    p.jumlah as amount_rp, 'paid' as status
from raw.registration.payments as p
join fct_applications as f on f.application_id = p.id_pendaftaran;

create table mart_wave_funnel as
with bought as (select distinct id_pendaftaran,
        status = 'selesai' as completed from raw.registration.enrollments),
paid as (select application_id, count(distinct tranche) as tranches
    from fct_incentive_payments where payment_type = 'insentif_pelatihan' group by all)
select f.wave_number, f.province_code_bps, f.gender, f.age_band,
    count(*) as registered,
    count(*) filter (where f.is_verified) as verified,
    count(*) filter (where f.is_eligible) as eligible,
    count(*) filter (where f.is_selected) as selected,
    0 as revoked,
    count(*) filter (where f.is_selected) as net_beneficiaries,
    count(b.id_pendaftaran) as bought_training,
    count(b.id_pendaftaran) as bought_within_30_days,
    count(*) filter (where b.completed) as completed_training,
    count(*) filter (where p.tranches >= 1) as paid_tranche_1,
    count(*) filter (where p.tranches >= 2) as paid_tranche_2,
    count(*) filter (where p.tranches >= 3) as paid_tranche_3,
    count(*) filter (where p.tranches >= 4) as paid_tranche_4,
    count(*) filter (where p.tranches >= 4) as paid_all_tranches,
    0 as surveyed
from fct_applications as f
left join bought as b on b.id_pendaftaran = f.application_id
left join paid as p on p.application_id = f.application_id
group by all;

create table mart_disbursement as
select wave_number, province_code_bps, channel, payment_type, tranche,
    count(*) as payments_scheduled, count(*) as payments_paid,
    sum(amount_rp) as amount_scheduled_rp, sum(amount_rp) as amount_paid_rp
from fct_incentive_payments
group by all;

create table mart_province_coverage as
select province_code_bps, date '2020-08-01' as survey_period, '34' as province_system
from dim_provinces
where not is_new_2022;
"""
        )


def test_fixture_has_the_documented_layout(tmp_path: Path) -> None:
    build_warehouse(tmp_path)
    with duckdb.connect(str(tmp_path / "raw.duckdb"), read_only=True) as con:
        tables = {
            f"{s}.{t}"
            for s, t in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        selected = con.execute(
            "select count(*) from registration.selection where terpilih"
        ).fetchone()
    assert {"registration.applications", "registration.payments", "audit.load_audit"} <= tables
    assert selected == (SELECTED,)
