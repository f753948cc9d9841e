"""Suites on build.duckdb: reconciliation, funnel bands and province coverage of the marts.

The generator's scale (demo 1/100 ...) is not known here, so reconciliation with published
figures compares proportions (a wave's share of the selected), which hold at every scale; the
marts are also reconciled with the facts they are built from, which must match exactly.
"""

from __future__ import annotations

from expectations import reference as ref
from expectations.spec import Check, Severity, unexpected_rows


def _rows(
    suite: str,
    check_id: str,
    table: str,
    query: str,
    severity: Severity,
    expected: str,
    column: str | None = None,
) -> Check:
    return unexpected_rows(
        suite, check_id, "build", "main", table, query, severity, expected, column
    )


def reconciliation_checks() -> list[Check]:
    suite = "mart_reconciliation"
    tolerance = ref.WAVE_SHARE_TOLERANCE
    return [
        _rows(
            suite,
            "wave_shares_match_published_accepted",
            "mart_wave_funnel",
            f"""
with {ref.wave_calendar_cte()},
published as (
    select wave_number, accepted from wave_calendar where accepted is not null
),
observed as (
    select wave_number, sum(selected) as selected
    from {{batch}}
    group by wave_number
),
-- Only waves present in the data: waves arrive one delivery at a time, and a wave that has
-- not arrived yet is the volume suite's business, not a reconciliation failure.
compared as (
    select p.wave_number,
        o.selected / sum(o.selected) over () as observed_share,
        p.accepted / sum(p.accepted) over () as reference_share
    from published as p
    join observed as o on o.wave_number = p.wave_number
    where o.selected > 0
)
select wave_number, round(observed_share, 4) as observed_share,
    round(reference_share, 4) as reference_share
from compared
where observed_share is null or abs(observed_share - reference_share) > {tolerance}
order by wave_number
""",
            "critical",
            f"each wave's share of the selected within {tolerance * 100:g} percentage points "
            "of its share of "
            "the published accepted counts (delivered waves with a published figure, "
            "wave_calendar seed)",
            column="selected",
        ),
        _rows(
            suite,
            "funnel_selected_matches_applications",
            "mart_wave_funnel",
            """
with mart as (
    select sum(selected) as selected, sum(registered) as registered from {batch}
),
facts as (
    select count(*) as registered,
        sum(case when is_selected then 1 else 0 end) as selected
    from main.fct_applications
)
select mart.registered as mart_registered, facts.registered as fact_registered,
    mart.selected as mart_selected, facts.selected as fact_selected
from mart cross join facts
where mart.selected <> facts.selected or mart.registered <> facts.registered
""",
            "critical",
            "mart_wave_funnel registered and selected totals equal fct_applications",
            column="selected",
        ),
        _rows(
            suite,
            "disbursement_paid_matches_payments",
            "mart_disbursement",
            """
with mart as (
    select sum(amount_paid_rp) as amount_paid_rp, sum(payments_paid) as payments_paid
    from {batch}
),
facts as (
    select sum(case when status = 'paid' then amount_rp else 0 end) as amount_paid_rp,
        sum(case when status = 'paid' then 1 else 0 end) as payments_paid
    from main.fct_incentive_payments
)
select mart.amount_paid_rp as mart_amount_paid_rp, facts.amount_paid_rp as fact_amount_paid_rp,
    mart.payments_paid as mart_payments_paid, facts.payments_paid as fact_payments_paid
from mart cross join facts
where mart.amount_paid_rp <> facts.amount_paid_rp or mart.payments_paid <> facts.payments_paid
""",
            "critical",
            "mart_disbursement paid amounts and counts equal fct_incentive_payments",
            column="amount_paid_rp",
        ),
    ]


def funnel_checks() -> list[Check]:
    suite = "mart_funnel"
    checks = [
        _rows(
            suite,
            "funnel_never_increases",
            "mart_wave_funnel",
            """
select wave_number, province_code_bps, gender, age_band,
    registered, verified, eligible, selected, bought_training, completed_training
from {batch}
where verified > registered or eligible > verified or selected > eligible
    or net_beneficiaries > selected or bought_training > selected
    or completed_training > bought_training
    or paid_tranche_1 > completed_training
""",
            "critical",
            "registered >= verified >= eligible >= selected >= bought >= completed >= paid "
            "tranche 1 in every cell",
        )
    ]
    for (numerator, denominator), band in ref.FUNNEL_BANDS.items():
        checks.append(
            _rows(
                suite,
                f"{numerator}_per_{denominator}_in_band",
                "mart_wave_funnel",
                f"""
with per_wave as (
    select wave_number, sum({numerator}) as numerator, sum({denominator}) as denominator
    from {{batch}}
    group by wave_number
)
select wave_number, numerator as {numerator}, denominator as {denominator},
    round(numerator / nullif(denominator, 0), 4) as ratio
from per_wave
where denominator = 0 or numerator / denominator not between {band.low} and {band.high}
order by wave_number
""",
                "warning",
                f"{numerator}/{denominator} per wave {band.text()}",
                column=numerator,
            )
        )
    return checks


def province_coverage_checks() -> list[Check]:
    suite = "mart_province_coverage"
    return [
        _rows(
            suite,
            "every_province_has_beneficiaries",
            "mart_wave_funnel",
            """
with funnel as (
    select province_code_bps, sum(selected) as selected
    from {batch}
    group by province_code_bps
)
select p.province_code_bps, p.province_name, coalesce(f.selected, 0) as selected
from main.dim_provinces as p
left join funnel as f on f.province_code_bps = p.province_code_bps
where not p.is_new_2022 and coalesce(f.selected, 0) = 0
order by p.province_code_bps
""",
            "critical",
            "every one of the 34 (pre-2022) provinces has selected people in mart_wave_funnel",
            column="province_code_bps",
        ),
        _rows(
            suite,
            "every_province_in_coverage_mart",
            "mart_province_coverage",
            """
select p.province_code_bps, p.province_name
from main.dim_provinces as p
where not p.is_new_2022
    and p.province_code_bps not in (select province_code_bps from {batch})
order by p.province_code_bps
""",
            "critical",
            "every one of the 34 (pre-2022) provinces appears in mart_province_coverage",
            column="province_code_bps",
        ),
    ]


def mart_checks() -> list[Check]:
    return [*reconciliation_checks(), *funnel_checks(), *province_coverage_checks()]
