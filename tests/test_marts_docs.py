"""Every ```sql block in docs/marts.md runs against a built warehouse (bare table names, as in
the serving file), so the analysts' examples cannot rot."""

from __future__ import annotations

import re

import duckdb
import pytest

from prakerja.paths import REPO_ROOT
from tests.test_dbt_support import BuiltWarehouse, shared_fixture_build

MARTS_DOC = REPO_ROOT / "docs" / "marts.md"
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.DOTALL)


def sql_blocks() -> list[str]:
    return SQL_BLOCK.findall(MARTS_DOC.read_text(encoding="utf-8"))


def run_blocks(build_db: str) -> list[list[tuple[object, ...]]]:
    with duckdb.connect(build_db, read_only=True) as con:
        return [con.execute(block).fetchall() for block in sql_blocks()]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return shared_fixture_build(tmp_path_factory)


def test_the_doc_has_examples_for_every_mart() -> None:
    text = "\n".join(sql_blocks())
    for mart in (
        "mart_wave_funnel",
        "mart_targeting",
        "mart_disbursement",
        "mart_payment_timeliness",
        "mart_payment_failures",
        "mart_platform_market",
        "mart_provider_scorecard",
        "mart_province_coverage",
        "mart_outcomes",
    ):
        assert mart in text, mart


def test_every_example_runs_and_returns_rows(built: BuiltWarehouse) -> None:
    assert built.result.success, built.result.failures
    results = run_blocks(str(built.settings.build_db))
    assert len(results) == len(sql_blocks()) >= 10
    for block, result in zip(sql_blocks(), results, strict=True):
        assert result, f"no rows from:\n{block}"


def test_fewest_beneficiaries_per_1000_unemployed_query_ranks_known_counts_only(
    built: BuiltWarehouse,
) -> None:
    block = next(b for b in sql_blocks() if "fewest" in b or "order by c.beneficiaries_per" in b)
    with duckdb.connect(str(built.settings.build_db), read_only=True) as con:
        ranked = con.execute(block).fetchall()
    ratios = [row[4] for row in ranked]
    assert 0 < len(ranked) <= 5
    assert all(r is not None for r in ratios)
    assert ratios == sorted(ratios)
    # the ratio is beneficiaries per 1,000 unemployed, recomputed here from its own columns
    for _, _, beneficiaries, unemployed, ratio, _ in ranked:
        assert ratio == pytest.approx(round(beneficiaries * 1000 / unemployed, 1), abs=0.05)
