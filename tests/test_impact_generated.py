"""End to end on generated data: `prakerja generate` -> `prakerja ingest` -> dbt (the impact marts
and everything upstream of them) -> the estimates recover the effects the generator planted
(its MANIFEST.json), are consistent with zero under `--effect none`, and the balance check
passes on a fair lottery and flags `--rig-selection`.

Scale: demo, waves 1-3 (about 4,600 evaluation respondents, 1,000 of them controls). Measured on
the shared 2-core machine: one dataset takes ~1 min to generate and ingest and ~40 s to build, so
three datasets at `small` scale (10x) would take tens of minutes; three demo waves are enough to
detect the planted effects and to keep this test within a few minutes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from prakerja.build import run_dbt
from prakerja.settings import Settings

pytestmark = pytest.mark.slow

DATASETS = {
    "planted": ["--effect", "planted"],
    "none": ["--effect", "none"],
    "rigged": ["--effect", "none", "--rig-selection"],
}
PLANTED_RELATIVE = {
    "new_job": "new_job_relative",
    "monthly_income_rp": "income_relative",
    "started_business": "business_relative",
}


def _prakerja(*args: str, home: Path) -> None:
    executable = Path(sys.executable).with_name("prakerja")
    env = {"PRAKERJA_HOME": str(home), "PATH": str(Path(sys.executable).parent)}
    done = subprocess.run(
        [str(executable), *args], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"prakerja {args[0]} failed:\n{done.stdout}\n{done.stderr}"


def _dbt(settings: Settings, command: str, args: list[str]) -> None:
    done = run_dbt(settings, command, args)
    assert done.returncode == 0, f"dbt {command} failed:\n{done.stdout[-4000:]}"


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    homes = {name: tmp_path_factory.mktemp(f"impact_{name}") for name in DATASETS}
    for seed, (name, options) in enumerate(DATASETS.items(), start=21):
        home = homes[name]
        _prakerja(
            "generate", "--scale", "demo", "--seed", str(seed), "--waves", "1-3",
            "--out", str(home / "inbox"), *options, home=home,
        )  # fmt: skip
        _prakerja("ingest", home=home)
    # Seeds are the same for every dataset: load them once and copy the seeded build file.
    first = Settings.from_env({"PRAKERJA_HOME": str(homes["planted"])})
    _dbt(first, "seed", [])
    for name in ("none", "rigged"):
        shutil.copy(first.build_db, homes[name] / "build.duckdb")
    for home in homes.values():
        # `run`, not `build`: the tests of upstream models belong to their own suites; the impact
        # marts' own dbt tests run in tests/test_impact_estimates.py.
        _dbt(Settings.from_env({"PRAKERJA_HOME": str(home)}), "run", ["--select", "+marts.impact"])
    return homes


def _tables(home: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with duckdb.connect(str(home / "build.duckdb"), read_only=True) as con:
        return (
            con.sql("select * from mart_impact_estimates").df(),
            con.sql("select * from mart_impact_balance").df(),
        )


def _pooled(estimates: pd.DataFrame) -> pd.DataFrame:
    rows = estimates[(estimates["wave_scope"] == "all_waves") & (estimates["dimension"] == "all")]
    return rows.set_index("outcome")


def test_planted_effects_are_recovered(warehouses: dict[str, Path]) -> None:
    home = warehouses["planted"]
    manifest = json.loads((home / "inbox" / "MANIFEST.json").read_text(encoding="utf-8"))
    planted = manifest["planted_effects"]
    pooled = _pooled(_tables(home)[0])
    for outcome, key in PLANTED_RELATIVE.items():
        row = pooled.loc[outcome]
        # The generator plants relative effects (outcome x (1 + r)): put the interval on the
        # control mean's scale.
        low, high = row["ci_low"] / row["mean_control"], row["ci_high"] / row["mean_control"]
        assert low <= planted[key] <= high, (outcome, planted[key], low, high)
        assert planted[key] > 0 and low > 0, f"{outcome}: the planted effect should be detected"


def test_no_effect_is_consistent_with_zero(warehouses: dict[str, Path]) -> None:
    pooled = _pooled(_tables(warehouses["none"])[0])
    assert set(pooled.index) == {"new_job", "employed", "monthly_income_rp", "started_business"}
    for outcome, row in pooled.iterrows():
        assert row["ci_low"] <= 0 <= row["ci_high"], (outcome, row["ci_low"], row["ci_high"])


@pytest.mark.parametrize("name", ["planted", "none"])
def test_balance_passes_on_a_fair_lottery(warehouses: dict[str, Path], name: str) -> None:
    estimates, balance = _tables(warehouses[name])
    # Every wave of the eligible population is large enough for the 0.1 rule to be meaningful.
    eligible = balance[balance["population"] == "eligible_applicants"]
    assert not eligible["is_imbalanced"].any(), eligible[eligible["is_imbalanced"]]
    respondents = balance[
        (balance["population"] == "evaluation_respondents") & (balance["wave_scope"] == "all_waves")
    ]
    assert len(respondents) == 13 and not respondents["is_imbalanced"].any()
    assert not _pooled(estimates)["balance_fails"].any()


def test_rigged_selection_is_flagged(warehouses: dict[str, Path]) -> None:
    estimates, balance = _tables(warehouses["rigged"])
    eligible = balance[
        (balance["population"] == "eligible_applicants") & (balance["wave_scope"] == "all_waves")
    ].set_index("covariate")
    assert eligible.loc["employment_employed", "std_difference"] > 0.1
    assert eligible["is_imbalanced"].any()
    assert _pooled(estimates)["balance_fails"].all()
    assert not _pooled(estimates)["is_interpretable"].any()
