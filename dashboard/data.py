"""All data access of the dashboard: parameterised, cached queries on serving/current.duckdb.

Why it is built this way:
- Each query opens a short-lived read-only connection and closes it at once. A connection kept
  open would hold the file and block the nightly publish switch (DuckDB: one writer or many
  readers per file).
- Results are cached with st.cache_data keyed by the SQL, its parameters and the serving
  file's identity (inode, mtime, size): the publish step swaps in a new file atomically, so a
  new release gets a new key and is read fresh.
- User choices only ever travel as `?` parameters; the SQL text of every query is a constant
  (the only variable part, the breakdown column, is picked from a fixed dictionary).
- Queries aggregate in DuckDB and return small frames: pages only lay them out.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.filters import Filters
from prakerja.errors import DataError
from prakerja.settings import Settings

RETRY_PAUSE_SECONDS = 0.5


class NotPublished(DataError):
    """serving/current.duckdb does not exist yet."""


class ServingBusy(DataError):
    """The serving file could not be read twice in a row (a publish switch in progress)."""


class MissingTable(DataError):
    """The release lacks a table a page needs (e.g. a mart not built yet)."""

    def __init__(self, table: str) -> None:
        super().__init__(f"table {table} is not in the served release")
        self.table = table


def serving_file() -> Path:
    return Settings.from_env().current_db


def release_stamp(path: Path | None = None) -> tuple[int, int, int] | None:
    """The serving file's identity, or None when nothing is published yet."""
    try:
        stat = (path or serving_file()).stat()
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


# One read-only connection per page render (opened on the first cache miss, closed when the
# page is laid out): still short-lived, but a page's queries pay the file opening once.
_page_connections: ContextVar[dict[tuple[str, tuple[int, int, int]], Any] | None] = ContextVar(
    "page_connections", default=None
)


@contextmanager
def page_session() -> Iterator[None]:
    """Share one read-only connection among the queries of one page render."""
    token = _page_connections.set({})
    try:
        yield
    finally:
        held = _page_connections.get() or {}
        _page_connections.reset(token)
        for con in held.values():
            con.close()


def _connect(path: str) -> Any:
    import duckdb

    con = duckdb.connect(path, read_only=True)
    # A session option (not a connect-time one): keeps DuckDB's bar off the server log.
    con.execute("set enable_progress_bar = false")
    return con


def _read(
    path: str, stamp: tuple[int, int, int], sql: str, params: tuple[Any, ...]
) -> pd.DataFrame:
    held = _page_connections.get()
    if held is None:
        con = _connect(path)
        try:
            return con.execute(sql, list(params)).df()
        finally:
            con.close()
    key = (path, stamp)
    if key not in held:
        con = _connect(path)
        if release_stamp(Path(path)) != stamp:
            # A publish switched the file between the stamp and the opening: this connection
            # may see the new release under the old key. Let the caller retry.
            con.close()
            raise ServingBusy("the release changed while opening it")
        held[key] = con
    try:
        return held[key].execute(sql, list(params)).df()
    except Exception:
        held.pop(key).close()
        raise


def _is_transient(exc: Exception) -> bool:
    import duckdb

    return isinstance(exc, duckdb.IOException) or "lock" in str(exc).lower()


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(
    path: str, stamp: tuple[int, int, int], sql: str, params: tuple[Any, ...]
) -> pd.DataFrame:
    # `stamp` is part of the cache key, so a new release misses and is read fresh.
    import duckdb

    for attempt in (1, 2):
        try:
            return _read(path, stamp, sql, params)
        except duckdb.CatalogException as exc:
            found = re.search(r"Table with name (\w+) does not exist", str(exc))
            raise MissingTable(found.group(1) if found else "?") from exc
        except duckdb.Error as exc:
            if not _is_transient(exc) or attempt == 2:
                if _is_transient(exc):
                    raise ServingBusy(str(exc)) from exc
                raise
            # A publish may be swapping the file right now: wait a moment, try once more.
            time.sleep(RETRY_PAUSE_SECONDS)
    raise AssertionError("unreachable")


def query(sql: str, params: tuple[Any, ...] = ()) -> pd.DataFrame:
    """Run one read-only query on the current release (cached per release)."""
    path = serving_file()
    stamp = release_stamp(path)
    if stamp is None:
        raise NotPublished(f"nothing published yet: {path} does not exist")
    if not os.access(path, os.R_OK):
        raise DataError(f"cannot read {path}")
    return _cached(str(release_file(path, stamp)), stamp, sql, tuple(params))


@functools.lru_cache(maxsize=16)
def release_file(current: Path, stamp: tuple[int, int, int]) -> Path:
    """The release file that current.duckdb is a hard link to, else current.duckdb itself.

    DuckDB keeps one database instance per path in a process: while any connection to
    `current.duckdb` is open, a new connection to that path gets the instance already open,
    i.e. the release before a switch. Opening the release under its own name avoids that.
    """
    releases = current.parent / "releases"
    for candidate in sorted(releases.glob("*.duckdb")) if releases.is_dir() else []:
        if release_stamp(candidate) == stamp and candidate.stat().st_dev == current.stat().st_dev:
            return candidate
    return current


# ---------------------------------------------------------------------------------------------
# Filter fragments: constant SQL, values as parameters. `cast(? as varchar) is null` lets one
# statement serve both "all" (None) and a chosen value.
WAVES = "wave_number between ? and ?"
PROVINCE = "(cast(? as varchar) is null or province_code_bps = ?)"
GENDER = "(cast(? as varchar) is null or gender = ?)"
AGE_BAND = "(cast(? as varchar) is null or age_band = ?)"


def _waves(f: Filters) -> tuple[Any, ...]:
    return (f.wave_from, f.wave_to)


def _province(f: Filters) -> tuple[Any, ...]:
    return (f.province, f.province)


def _people(f: Filters) -> tuple[Any, ...]:
    return (*_waves(f), *_province(f), f.gender, f.gender, f.age_band, f.age_band)


PEOPLE = f"{WAVES} and {PROVINCE} and {GENDER} and {AGE_BAND}"
FUNNEL_STAGES = (
    "registered",
    "verified",
    "eligible",
    "selected",
    "net_beneficiaries",
    "bought_training",
    "bought_within_30_days",
    "completed_training",
    "paid_tranche_1",
    "paid_all_tranches",
    "surveyed",
)


def _total(column: str, prefix: str = "") -> str:
    """`cast(sum(x) as bigint) as x`: DuckDB sums integers as HUGEINT, which pandas would
    turn into floats (and a CSV into "6130.0")."""
    return f"cast(sum({prefix}{column}) as bigint) as {column}"


_STAGE_SUMS = ", ".join(_total(s) for s in (*FUNNEL_STAGES, "revoked"))
_GROUP_SUMS = ", ".join(
    _total(s) for s in ("registered", "selected", "net_beneficiaries", "revoked")
)


# ---------------------------------------------------------------------------------------------
# Options and release


@dataclass(frozen=True)
class Options:
    waves: tuple[int, int]
    provinces: dict[str, str]  # code -> name
    genders: list[str]
    age_bands: list[str]


def options() -> Options:
    waves = query("select min(wave_number) as lo, max(wave_number) as hi from mart_wave_funnel")
    provinces = query(
        "select province_code_bps, province_name from dim_provinces order by province_code_bps"
    )
    dims = query(
        "select distinct 'gender' as dim, gender as value from mart_wave_funnel "
        "union all select distinct 'age_band', age_band from mart_wave_funnel order by 1, 2"
    )
    lo, hi = waves.iloc[0]["lo"], waves.iloc[0]["hi"]
    return Options(
        waves=(int(lo), int(hi)) if pd.notna(lo) else (1, 1),
        provinces=dict(zip(provinces.province_code_bps, provinces.province_name, strict=True)),
        genders=dims[dims.dim == "gender"].value.tolist(),
        age_bands=dims[dims.dim == "age_band"].value.tolist(),
    )


def release() -> dict[str, Any]:
    frame = query("select run_id, published_at from release_info order by published_at desc")
    return frame.iloc[0].to_dict() if len(frame) else {}


# ---------------------------------------------------------------------------------------------
# Ringkasan and Pendaftaran & Seleksi (mart_wave_funnel)


def funnel_totals(f: Filters) -> pd.DataFrame:
    """One row: every funnel stage summed over the filters."""
    return query(
        f"select {_STAGE_SUMS} from mart_wave_funnel where {PEOPLE}",
        _people(f),
    )


def funnel_by_wave(f: Filters) -> pd.DataFrame:
    return query(
        f"select wave_number, {_STAGE_SUMS} from mart_wave_funnel "
        f"where {PEOPLE} group by wave_number order by wave_number",
        _people(f),
    )


# The breakdown column cannot be a parameter: it is picked from this fixed dictionary.
_BREAKDOWN_SQL = {
    "province": (
        f"with by_group as (select province_code_bps, {_GROUP_SUMS} from mart_wave_funnel "
        "where {where} group by 1) "
        "select coalesce(p.province_name, g.province_code_bps) as grp, g.registered, "
        "g.selected, g.net_beneficiaries, g.revoked from by_group as g "
        "left join dim_provinces as p using (province_code_bps) order by g.province_code_bps"
    ),
    "gender": (
        f"select gender as grp, {_GROUP_SUMS} from mart_wave_funnel "
        "where {where} group by 1 order by 1"
    ),
    "age_band": (
        f"select age_band as grp, {_GROUP_SUMS} from mart_wave_funnel "
        "where {where} group by 1 order by 1"
    ),
}
BREAKDOWNS = tuple(_BREAKDOWN_SQL)


def funnel_breakdown(f: Filters, by: str) -> pd.DataFrame:
    """Registered/selected/net/revoked per group (`by` in BREAKDOWNS), with selection rate."""
    if by not in _BREAKDOWN_SQL:
        raise ValueError(f"unknown breakdown {by!r}")
    frame = query(_BREAKDOWN_SQL[by].format(where=PEOPLE), _people(f))
    frame["selection_rate"] = frame.selected / frame.registered.where(frame.registered > 0)
    return frame


# ---------------------------------------------------------------------------------------------
# Penyaluran Insentif (mart_disbursement, mart_payment_timeliness, mart_payment_failures)
_DISBURSEMENT_WHERE = f"{WAVES} and {PROVINCE}"


def paid_total(f: Filters) -> float:
    frame = query(
        f"select sum(amount_paid_rp) as paid from mart_disbursement where {_DISBURSEMENT_WHERE}",
        (*_waves(f), *_province(f)),
    )
    value = frame.iloc[0]["paid"]
    return float(value) if pd.notna(value) else 0.0


# People in mart_disbursement repeat across tranches and payment types: the people of a
# (wave, province, channel) cell are counted as its largest tranche, never as the sum.
_DISBURSEMENT_SQL = f"""
with d as (select * from mart_disbursement where {_DISBURSEMENT_WHERE}),
people as (
    select {{key}}, cast(sum(participants) as bigint) as participants from (
        select wave_number, province_code_bps, channel, max(participants) as participants
        from d group by wave_number, province_code_bps, channel
    ) as cells group by {{key}}
),
money as (
    select {{key}}, cast(sum(payments_scheduled) as bigint) as payments_scheduled,
        cast(sum(payments_paid) as bigint) as payments_paid,
        cast(sum(payments_failed) as bigint) as payments_failed,
        cast(sum(payments_returned) as bigint) as payments_returned,
        sum(amount_scheduled_rp) as amount_scheduled_rp, sum(amount_paid_rp) as amount_paid_rp,
        sum(amount_failed_rp) as amount_failed_rp
    from d group by {{key}}
)
select money.*, people.participants,
    money.amount_paid_rp / nullif(money.amount_scheduled_rp, 0) as paid_share
from money join people using ({{key}}) order by {{key}}
"""


def disbursement_by_wave(f: Filters) -> pd.DataFrame:
    return query(_DISBURSEMENT_SQL.format(key="wave_number"), (*_waves(f), *_province(f)))


def disbursement_by_channel(f: Filters) -> pd.DataFrame:
    return query(_DISBURSEMENT_SQL.format(key="channel"), (*_waves(f), *_province(f)))


def timeliness(f: Filters) -> pd.DataFrame:
    return query(
        "select wave_number, channel, participants_paid, "
        "median_days_completion_to_first_payment as median_days, "
        "p90_days_completion_to_first_payment as p90_days, paid_all_tranches, "
        "share_paid_all_tranches from mart_payment_timeliness "
        f"where {WAVES} order by wave_number, channel",
        _waves(f),
    )


def failures(f: Filters) -> pd.DataFrame:
    return query(
        "select channel, status, failure_reason, cast(sum(payments) as bigint) as payments, "
        "sum(amount_rp) as amount_rp, cast(sum(participants) as bigint) as participants "
        f"from mart_payment_failures where {WAVES} and status <> 'paid' "
        "group by channel, status, failure_reason order by payments desc",
        _waves(f),
    )


# ---------------------------------------------------------------------------------------------
# Penyedia Pelatihan (mart_provider_scorecard, mart_platform_market, dim_training_providers)


def provider_scorecard(f: Filters) -> pd.DataFrame:
    return query(
        "with s as (select * from mart_provider_scorecard where " + WAVES + ") "
        "select provider_code, max(provider_name) as provider_name, platform_code, "
        "max(platform_name) as platform_name, cast(sum(enrollments) as bigint) as enrollments, "
        "cast(sum(completions) as bigint) as completions, "
        "sum(completions) / nullif(sum(enrollments), 0) as completion_rate, "
        "sum(avg_rating * enrollments) / nullif(sum(case when avg_rating is not null "
        "then enrollments end), 0) as avg_rating, "
        "sum(median_price_rp * enrollments) / nullif(sum(enrollments), 0) as price_rp, "
        "sum(revenue_rp) as revenue_rp, bool_or(has_conflict_of_interest) "
        "as has_conflict_of_interest from s group by provider_code, platform_code "
        "order by enrollments desc",
        _waves(f),
    )


def platform_market(f: Filters) -> pd.DataFrame:
    return query(
        "select m.wave_number, m.platform_code, coalesce(p.platform_name, m.platform_code) "
        "as platform_name, m.enrollments, m.revenue_rp, m.enrollment_share, m.hhi "
        "from mart_platform_market as m left join dim_platforms as p using (platform_code) "
        f"where {WAVES.replace('wave_number', 'm.wave_number')} "
        "order by m.wave_number, m.platform_code",
        _waves(f),
    )


def conflicts(f: Filters) -> pd.DataFrame:
    return query(
        "with sold as (select provider_code, cast(sum(enrollments) as bigint) as enrollments "
        f"from mart_provider_scorecard where {WAVES} group by provider_code) "
        "select d.provider_code, d.provider_name, d.conflicted_platforms, "
        "cast(coalesce(s.enrollments, 0) as bigint) as enrollments "
        "from dim_training_providers as d "
        "left join sold as s using (provider_code) where d.has_conflict_of_interest "
        "order by enrollments desc",
        _waves(f),
    )


# ---------------------------------------------------------------------------------------------
# Pasar Kerja (mart_province_coverage, mart_outcomes, dim_provinces)


def coverage_periods() -> list[pd.Timestamp]:
    """Survey periods, latest first; periods in which the programme had beneficiaries come
    first so that the map opens on a period with something to show."""
    frame = query(
        "select survey_period, sum(beneficiaries) > 0 as has_beneficiaries "
        "from mart_province_coverage group by survey_period "
        "order by has_beneficiaries desc, survey_period desc"
    )
    return [pd.Timestamp(p) for p in frame.survey_period]


def coverage_map(period: object) -> pd.DataFrame:
    """One row per map feature (38 provinces). In 34-province periods the four new 2022 Papua
    provinces take their parent's row, so the map has no holes and no double counting in the
    table (`is_folded` marks the copies)."""
    return query(
        "with cov as (select * from mart_province_coverage where survey_period = ?) "
        "select p.province_code_bps as map_code, p.province_name, "
        "c.province_code_bps as data_code, c.province_system, c.beneficiaries, c.unemployed, "
        "c.labour_force, c.beneficiaries_per_1000_unemployed, c.tpt_percent, "
        "p.province_code_bps <> c.province_code_bps as is_folded "
        "from dim_provinces as p join cov as c on c.province_code_bps = case "
        "when c.province_system = '34' then p.parent_province_code_bps "
        "else p.province_code_bps end order by map_code",
        (pd.Timestamp(period).date(),),  # type: ignore[arg-type]
    )


def outcomes_by_province(f: Filters) -> pd.DataFrame:
    return query(
        "with o as (select * from mart_outcomes where "
        f"{WAVES} and {PROVINCE} and {GENDER} and survey_type = 'evaluation' "
        "and arm = 'treatment') "
        "select coalesce(p.province_name, o.province_code_bps) as province_name, "
        "cast(sum(o.respondents) as bigint) as respondents, "
        "cast(sum(o.employed) as bigint) as employed, "
        "cast(sum(o.new_job) as bigint) as new_job, "
        "sum(o.employed) / nullif(sum(o.respondents), 0) as employed_share, "
        "sum(o.new_job) / nullif(sum(o.respondents), 0) as new_job_share, "
        "sum(o.mean_monthly_income_rp * o.respondents) / nullif(sum(o.respondents), 0) "
        "as mean_monthly_income_rp, avg(o.province_tpt_percent) as tpt_percent "
        "from o left join dim_provinces as p using (province_code_bps) "
        "group by 1 order by 1",
        (*_waves(f), *_province(f), f.gender, f.gender),
    )


# ---------------------------------------------------------------------------------------------
# Kualitas Data (dq_runs, dq_results)


def dq_runs() -> pd.DataFrame:
    return query(
        "select run_id, started_at, finished_at, success, critical_failures, warnings, "
        "expectations from dq_runs order by started_at"
    )


def dq_failed(run_id: str) -> pd.DataFrame:
    return query(
        "select suite, table_name, column_name, expectation_type, severity, "
        "cast(observed_value as varchar) as observed_value, "
        "cast(expected as varchar) as expected from dq_results "
        "where run_id = ? and not success order by severity, suite, table_name",
        (run_id,),
    )


def _signed_area(ring: list[list[float]]) -> float:
    """Shoelace area in degrees²: positive when the ring runs counter-clockwise."""
    pairs = itertools.pairwise(ring)
    return sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in pairs) / 2


def _rewind(polygon: list[list[list[float]]]) -> list[list[list[float]]]:
    """Outer ring clockwise, holes counter-clockwise: the order Plotly's d3-geo expects.
    (GeoJSON files often follow RFC 7946, the opposite order, which d3 draws as "the whole
    globe except this province" and floods the map.)"""
    outer, *holes = polygon
    return [
        outer if _signed_area(outer) < 0 else outer[::-1],
        *(hole if _signed_area(hole) > 0 else hole[::-1] for hole in holes),
    ]


@st.cache_resource(show_spinner=False)
def province_geojson() -> dict[str, Any]:
    """Province boundaries (CC BY 4.0, Deny Herianto; BPS codes added in properties.kode_bps),
    rings rewound for Plotly. Cached as a resource: read once per process, shared, not copied."""
    import json

    from prakerja.paths import REFERENCE_DIR

    path = REFERENCE_DIR / "indonesia-38-provinces.codes-fixed.geojson"
    geojson = json.loads(path.read_text(encoding="utf-8"))
    for feature in geojson["features"]:
        geometry = feature["geometry"]
        if geometry["type"] == "Polygon":
            geometry["coordinates"] = _rewind(geometry["coordinates"])
        elif geometry["type"] == "MultiPolygon":
            geometry["coordinates"] = [_rewind(p) for p in geometry["coordinates"]]
    return geojson
