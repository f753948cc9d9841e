"""The main integration test: generated demo data -> ingest -> `prakerja build`. Zero dbt
failures, the 2020 funnel equals the generator's calibrated totals (its MANIFEST.json), TPT equals
the BPS reference file, and the analysts' examples in docs/marts.md run."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from prakerja.build import BuildResult, build
from prakerja.cli import main
from prakerja.paths import REFERENCE_DIR
from prakerja.settings import Settings
from tests.test_dbt_support import rows, settings_for
from tests.test_marts_docs import run_blocks, sql_blocks

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def generated(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Settings, BuildResult, dict[str, Any]]]:
    home = tmp_path_factory.mktemp("generated") / "warehouse"
    inbox = home / "inbox"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRAKERJA_HOME", str(home))
        patch.delenv("PRAKERJA_PII_KEY", raising=False)
        assert main(["generate", "--scale", "demo", "--seed", "1", "--out", str(inbox)]) == 0
        assert main(["ingest", str(inbox)]) == 0
    settings = settings_for(home)
    manifest = json.loads((inbox / "MANIFEST.json").read_text(encoding="utf-8"))
    yield settings, build(settings), manifest


def test_build_on_generated_demo_data_has_zero_failures(
    generated: tuple[Settings, BuildResult, dict[str, Any]],
) -> None:
    _, result, _ = generated
    assert result.success, result.failures
    assert result.counts.get("fail", 0) == 0 and result.counts.get("error", 0) == 0
    print(f"\n{result.summary}")  # the build time, for the record (pytest -s)


def test_2020_funnel_equals_the_generators_calibrated_totals(
    generated: tuple[Settings, BuildResult, dict[str, Any]],
) -> None:
    settings, _, manifest = generated
    targets = manifest["calibration_targets"]
    expected = {
        int(w["gelombang"]): (w["applications"], w["selected"], w["revoked"], w["net"])
        for w in targets["waves"]
    }
    got = {
        wave: (registered, selected, revoked, net)
        for wave, registered, selected, revoked, net in rows(
            settings.build_db,
            "select f.wave_number, sum(f.registered), sum(f.selected), sum(f.revoked), "
            "sum(f.net_beneficiaries) from mart_wave_funnel as f "
            "inner join dim_waves as w on f.wave_number = w.wave_number "
            "where w.year = ? group by f.wave_number",
            [targets["year"]],
        )
    }
    assert got == expected
    totals = [sum(values[i] for values in got.values()) for i in range(4)]
    assert totals == [
        targets["applications"],
        targets["selected"],
        targets["revoked"],
        targets["net_beneficiaries"],
    ]


def test_tpt_equals_the_bps_reference_file(
    generated: tuple[Settings, BuildResult, dict[str, Any]],
) -> None:
    settings, _, _ = generated
    with (REFERENCE_DIR / "tpt_provinsi_feb_aug_2005_2024_long.csv").open(newline="") as handle:
        reference = {
            (r["kode_bps"], int(r["tahun"]), r["periode"]): Decimal(r["tpt_persen"])
            for r in csv.DictReader(handle)
        }
    got = {
        (code, year, period): tpt
        for code, year, period, tpt in rows(
            settings.build_db,
            "select province_code_bps, survey_year, survey_round, tpt_percent "
            "from fct_labor_market where tpt_percent is not null",
        )
    }
    assert got == reference


def test_marts_doc_examples_run_on_generated_data(
    generated: tuple[Settings, BuildResult, dict[str, Any]],
) -> None:
    settings, _, _ = generated
    results = run_blocks(str(settings.build_db))
    assert len(results) == len(sql_blocks())
    assert all(results), "every example returns rows on demo data"
