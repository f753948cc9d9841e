"""The dbt project built on the small SQL fixture: every model, test and unit test passes, the BPS
figures arrive unchanged, and the project keeps its own rules (contracts, descriptions, no
personal data, one code system per column)."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from typing import Any

import pytest

from prakerja.paths import REFERENCE_DIR
from tests.test_dbt_support import PII_COLUMNS, BuiltWarehouse, rows, shared_fixture_build


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return shared_fixture_build(tmp_path_factory)


def _manifest(built: BuiltWarehouse) -> dict[str, Any]:
    path = built.settings.home / "dbt" / "target" / "manifest.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _reference(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_build_passes_every_model_test_and_unit_test(built: BuiltWarehouse) -> None:
    result = built.result
    assert result.success, result.failures
    assert result.failures == []
    assert set(result.counts) <= {"success", "pass", "no-op", "warn"}
    run_results = json.loads(
        (built.settings.home / "dbt" / "target" / "run_results.json").read_text()
    )
    kinds = {r["unique_id"].split(".")[0] for r in run_results["results"]}
    assert {"seed", "model", "test", "unit_test"} <= kinds


def test_tpt_in_fct_labor_market_equals_the_bps_reference_file(built: BuiltWarehouse) -> None:
    expected = {
        (r["kode_bps"], f"{r['tahun']}-{'02' if r['periode'] == 'Feb' else '08'}-01"): Decimal(
            r["tpt_persen"]
        )
        for r in _reference("tpt_provinsi_feb_aug_2005_2024_long.csv")
    }
    got = {
        (code, period.isoformat()): tpt
        for code, period, tpt in rows(
            built.settings.build_db,
            "select province_code_bps, survey_period, tpt_percent from fct_labor_market "
            "where tpt_percent is not null",
        )
    }
    assert got == expected


def test_province_counts_come_from_bps_and_stay_null_where_not_published(
    built: BuiltWarehouse,
) -> None:
    published = {
        r["kode_bps"]: int(r["penganggur"])
        for r in _reference("bps_unemployed_by_province_compiled_partial.csv")
        if (r["tahun"], r["periode"]) == ("2020", "Aug") and r["penganggur"]
    }
    got = dict(
        rows(
            built.settings.build_db,
            "select province_code_bps, unemployed from mart_province_coverage "
            "where survey_period = date '2020-08-01'",
        )
    )
    assert len(got) == 34  # 2020 rounds were published for 34 provinces
    assert {code: n for code, n in got.items() if n is not None} == published
    ratios = rows(
        built.settings.build_db,
        "select count(*) from mart_province_coverage where unemployed is null "
        "and beneficiaries_per_1000_unemployed is not null",
    )
    assert ratios == [(0,)]


def test_national_figures_are_converted_from_millions_to_persons(built: BuiltWarehouse) -> None:
    reference = {
        r["periode"]: r["penganggur_juta"]
        for r in _reference("national_labour_force_2019_2024_compiled.csv")
    }
    got = rows(
        built.settings.build_db,
        "select unemployed from fct_labor_market_national where survey_period = date '2020-08-01'",
    )
    assert got == [(round(Decimal(reference["2020-08"]) * 1_000_000),)]


def test_papua_codes_are_translated_through_the_crosswalk(built: BuiltWarehouse) -> None:
    pairs = set(
        rows(
            built.settings.build_db,
            "select distinct province_code_kemendagri, province_code_bps from fct_applications",
        )
    )
    # Kemendagri 91 is Papua (BPS 94); Kemendagri 92 is Papua Barat (BPS 91)
    assert ("91", "94") in pairs
    assert ("92", "91") in pairs
    assert all(k == b for k, b in pairs if k not in {"91", "92"})


def test_2020_papua_split_provinces_fold_into_parents_in_34_province_rounds(
    built: BuiltWarehouse,
) -> None:
    systems = dict(
        rows(
            built.settings.build_db,
            "select survey_period, max(province_system) from fct_labor_market "
            "where survey_period in (date '2020-08-01', date '2024-08-01') group by 1",
        )
    )
    assert {str(k): v for k, v in systems.items()} == {"2020-08-01": "34", "2024-08-01": "38"}


def test_marts_and_dimensions_enforce_contracts_and_describe_every_column(
    built: BuiltWarehouse,
) -> None:
    manifest = _manifest(built)
    served = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["name"].startswith(("dim_", "fct_", "mart_"))
        and node["package_name"] == "prakerja"
    ]
    assert len(served) >= 19
    for node in served:
        assert node["config"]["contract"]["enforced"], node["name"]
        assert node["description"], node["name"]
        assert node["columns"], node["name"]
        for column in node["columns"].values():
            assert column["description"], (node["name"], column["name"])
            assert column["data_type"], (node["name"], column["name"])


def test_every_primary_key_is_tested_unique_and_not_null(built: BuiltWarehouse) -> None:
    manifest = _manifest(built)
    tests_by_model: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        meta = node.get("test_metadata") or {}
        for parent in node["depends_on"]["nodes"]:
            tests_by_model.setdefault(parent.split(".")[-1], set()).add(meta.get("name", ""))
    for name in ("dim_provinces", "dim_waves", "fct_applications", "fct_incentive_payments"):
        assert {"unique", "not_null"} <= tests_by_model[name], name
    for name in ("mart_wave_funnel", "mart_disbursement", "fct_labor_market"):
        assert "unique_combination_of_columns" in tests_by_model[name], name


def test_exposures_cover_every_dashboard_page(built: BuiltWarehouse) -> None:
    labels = {e["label"].split(" (")[0] for e in _manifest(built)["exposures"].values()}
    assert labels == {
        "Ringkasan",
        "Pendaftaran & Seleksi",
        "Penyaluran Insentif",
        "Penyedia Pelatihan",
        "Pasar Kerja",
        "Kualitas Data",
        "Dampak",
    }


def test_no_personal_data_and_every_province_column_names_its_system(
    built: BuiltWarehouse,
) -> None:
    columns = rows(
        built.settings.build_db,
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = 'build' and table_schema = 'main'",
    )
    assert columns
    assert not {c for _, c in columns} & PII_COLUMNS
    province_columns = {c for _, c in columns if "province" in c and "code" in c}
    assert province_columns
    assert all(c.endswith(("_bps", "_kemendagri")) for c in province_columns), province_columns
    codes = rows(
        built.settings.build_db,
        "select distinct length(province_code_bps) from dim_provinces",
    )
    assert codes == [(2,)]


def test_docs_site_generates_one_static_page(built: BuiltWarehouse) -> None:
    from prakerja.docs_site import generate_docs

    page = generate_docs(built.settings)
    html = page.read_text(encoding="utf-8")
    assert page.name == "static_index.html"
    assert "mart_wave_funnel" in html  # the manifest is inlined
    assert (page.parent / "index.html").exists()


def test_docs_site_is_served_over_http(built: BuiltWarehouse) -> None:
    import threading
    import urllib.request

    from prakerja.docs_site import generate_docs, make_server

    page = generate_docs(built.settings)
    with make_server(page.parent, 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/"
            with urllib.request.urlopen(url, timeout=10) as response:
                body = response.read().decode("utf-8")
        finally:
            server.shutdown()
            thread.join(timeout=10)
    assert response.status == 200
    assert "mart_province_coverage" in body


def test_staging_views_read_raw_through_the_attached_database(built: BuiltWarehouse) -> None:
    import duckdb

    with duckdb.connect(str(built.settings.build_db), read_only=True) as con:
        con.execute(f"attach '{built.settings.raw_db}' as raw (read_only)")
        kinds = dict(
            con.execute(
                "select table_name, table_type from information_schema.tables "
                "where table_name like 'stg_%'"
            ).fetchall()
        )
        institutions = con.execute("select count(*) from stg_providers__institutions").fetchall()
        raw_institutions = con.execute("select count(*) from raw.providers.institutions").fetchall()
        typed = con.execute(
            "select count(*), count(distinct application_id), min(gender), max(gender) "
            "from stg_registration__applications"
        ).fetchall()
    assert set(kinds.values()) == {"VIEW"}
    assert institutions == raw_institutions and institutions[0][0] > 0
    assert typed == [(400, 400, "female", "male")]


def test_build_db_is_written_under_prakerja_home_only(built: BuiltWarehouse) -> None:
    home = built.settings.home
    assert (home / "build.duckdb").exists()
    assert (home / "dbt" / "target" / "run_results.json").exists()
    assert not (home / "serving").exists()  # publishing is prakerja.publish's job
