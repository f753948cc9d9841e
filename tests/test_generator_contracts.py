"""The generator against the contracts: the defect manifest describes exactly what differs from
a clean run, every file matches its contract, BPS figures are copied unchanged, the CLI keeps its
exit codes, and the planted effect and the rigged lottery do what the manifest says."""

from __future__ import annotations

import csv
import fnmatch
import json
import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml

from generator.api import generate
from generator.people import geography, people
from generator.randomness import stream
from generator.registration import NO_EFFECT, Effect, _outcomes
from prakerja.cli import main
from prakerja.paths import CONTRACTS_FILE, REFERENCE_DIR, REPO_ROOT, SEEDS_DIR

CONTRACT = yaml.safe_load(CONTRACTS_FILE.read_text(encoding="utf-8"))
RULES = re.search(r"Rules a rejected row can carry: ([^.]+)\.", CONTRACTS_FILE.read_text()).group(1)
ROW_RULES = {r.strip() for r in RULES.replace("\n#", " ").split(",")}


def _entity(name: str) -> dict:
    for d in CONTRACT["deliveries"]:
        if any(fnmatch.fnmatch(name.lower(), p) for p in d["file_pattern"]):
            return d
    raise AssertionError(f"{name} matches no contract file_pattern")


def _rows(path: Path) -> tuple[list[str], list[list[object]]]:
    """Header and rows of a delivery, as text for CSV and as values for Parquet."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        return table.column_names, [list(r.values()) for r in table.to_pylist()]
    text = path.read_text(encoding="utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    header = next(reader)
    return header, [list(r) for r in reader]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    clean = tmp_path_factory.mktemp("clean")
    dirty = tmp_path_factory.mktemp("dirty")
    generate("demo", 11, clean, waves=[1])
    generate("demo", 11, dirty, defect_rate=0.03, waves=[1])
    return clean, dirty, json.loads((dirty / "MANIFEST.json").read_text(encoding="utf-8"))


def test_manifest_lists_exactly_the_rows_that_differ(pair) -> None:
    clean, dirty, manifest = pair
    by_file: dict[str, dict[int, dict]] = {}
    for d in manifest["defects"]:
        rows = by_file.setdefault(d["file"], {})
        assert d["row"] not in rows, f"two defects on one row: {d}"
        rows[d["row"]] = d
    assert {"applications", "selection", "revocations", "enrollments", "payments", "surveys",
            "institutions", "courses"} <= {d["entity"] for d in manifest["defects"]}  # fmt: skip
    for name in {f["file"] for f in manifest["files"]}:
        if name.startswith("bps_"):
            continue
        header, before = _rows(clean / name)
        header2, after = _rows(dirty / name)
        assert header == header2
        defects = by_file.get(name, {})
        j = 0
        for i, row in enumerate(after, start=1):
            d = defects.get(i)
            if d is None:
                assert row == before[j], f"{name} row {i} changed but is not in the manifest"
                j += 1
            elif d["kind"] == "duplicate_row":
                assert row == before[j - 1], f"{name} row {i} is not a copy of the row above"
            elif d["rule"] == "malformed_row":
                assert len(row) < len(header) and row == before[j][: len(row)]
                j += 1
            else:
                changed = [header[k] for k in range(len(header)) if row[k] != before[j][k]]
                assert changed == [d["column"]], f"{name} row {i}: {changed} vs {d}"
                j += 1
        assert j == len(before), f"{name}: rows lost"
        counted = next(f["rows"] for f in manifest["files"] if f["file"] == name)
        assert counted == len(after)


def test_defect_rules_and_columns_come_from_the_contract(pair) -> None:
    _, _, manifest = pair
    assert manifest["defects"]
    truncated = [d for d in manifest["defects"] if d["rule"] == "malformed_row"]
    assert len(truncated) == 1
    for d in manifest["defects"]:
        assert d["rule"] in ROW_RULES
        entity = _entity(d["file"])
        assert entity["entity"] == d["entity"]
        if d["column"] is not None:
            assert d["column"] in [c["name"] for c in entity["columns"]]
            assert d["file"].split("_gel")[0] != "platform_digital"


def test_defect_count_follows_the_rate(pair) -> None:
    _, _, manifest = pair
    rows = {f["file"]: f["rows"] for f in manifest["files"]}
    for name in ("pendaftaran_gel01.csv", "pembayaran_gel01.parquet", "katalog_pelatihan.csv"):
        n = sum(d["file"] == name for d in manifest["defects"])
        dups = sum(d["file"] == name and d["kind"] == "duplicate_row" for d in manifest["defects"])
        assert n == round(0.03 * (rows[name] - dups))


def test_every_file_follows_its_contract(pair) -> None:
    clean, _, manifest = pair
    assert manifest["synthetic"] is True and manifest["seed"] == 11
    assert manifest["scale"] == "demo" and manifest["generator_version"]
    for f in manifest["files"]:
        assert len(f["sha256"]) == 64
        name = f["file"]
        entity = _entity(name)
        assert name.rsplit(".", 1)[1] in entity["formats"]
        if entity.get("layout") == "bps_wide":
            continue
        header, rows = _rows(clean / name)
        assert header == [c["name"] for c in entity["columns"]], name
        for k, column in enumerate(entity["columns"]):
            values = {r[k] for r in rows} - {None, ""}
            if column.get("required"):
                assert all(r[k] not in (None, "") for r in rows), (name, column["name"])
            if "accepted_values" in column:
                assert values <= set(column["accepted_values"]), (name, column["name"])
            if "pattern" in column:
                assert all(re.fullmatch(column["pattern"], str(v)) for v in values), name


def test_export_formats(pair) -> None:
    clean, _, _ = pair
    assert (clean / "pencabutan_gel01.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in (clean / "pencabutan_gel01.csv").read_bytes()
    text = (clean / "transaksi_pelatihan_gel01.csv").read_text(encoding="utf-8")
    assert re.search(r";\d{2}/\d{2}/2020;\d{1,3}(\.\d{3})*,00;", text)
    assert b"\r\n" not in (clean / "pendaftaran_gel01.csv").read_bytes()


# ---------------------------------------------------------------- labour market (real figures)


def _reference(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_bps_table_layout_copies_the_reference(pair) -> None:
    clean, _, _ = pair
    tpt = {(r["provinsi"].upper(), r["tahun"], r["periode"]): r["tpt_persen"]
           for r in _reference("tpt_provinsi_feb_aug_2005_2024_long.csv")}  # fmt: skip
    aliases = {"KEP. BANGKA BELITUNG": "KEPULAUAN BANGKA BELITUNG", "KEP. RIAU": "KEPULAUAN RIAU",
               "DI YOGYAKARTA": "DAERAH ISTIMEWA YOGYAKARTA"}  # fmt: skip
    tables = sorted(clean.glob("bps_tabel_tpt_*.csv"))
    assert len(tables) >= 2
    seen = 0
    for path in tables:
        rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
        years, rounds = rows[1][1:], rows[2][1:]
        assert set(rounds) == {"Februari", "Agustus"}
        assert rows[-1][0] == "INDONESIA"
        names = [r[0] for r in rows[3:-1]]
        assert "KEP. BANGKA BELITUNG" in names and "DKI JAKARTA" in names and len(names) == 34
        for r in rows[3:-1]:
            name = aliases.get(r[0], r[0])
            for year, rnd, cell in zip(years, rounds, r[1:], strict=True):
                key = (name, year, "Feb" if rnd == "Februari" else "Aug")
                assert cell == tpt.get(key, "-"), (path.name, key)
                seen += cell != "-"
    assert seen > 400


def test_long_national_and_provincial_counts_are_copies(pair) -> None:
    clean, _, _ = pair
    long = list(csv.DictReader((clean / "bps_tpt_provinsi_2019_2024.csv").open(encoding="utf-8")))
    ref = [r for r in _reference("tpt_provinsi_feb_aug_2005_2024_long.csv") if r["tahun"] >= "2019"]
    assert [(r["kode_bps"], r["tahun"], r["periode"], r["tpt_persen"]) for r in long] == [
        (r["kode_bps"], r["tahun"], r["periode"], r["tpt_persen"]) for r in ref
    ]
    national = list(csv.DictReader((clean / "bps_angkatan_kerja_nasional.csv").open()))
    periods = [r["periode"] for r in national]
    assert len(periods) == len(set(periods))
    assert next(r for r in national if r["periode"] == "2019-08")["tpt_persen"] == "5.23"
    counts = list(csv.DictReader((clean / "bps_angkatan_kerja_provinsi_2020_2024.csv").open()))
    ref_counts = _reference("bps_unemployed_by_province_compiled_partial.csv")
    assert len(counts) == len(ref_counts)
    keyed = {(r["kode_bps"], r["tahun"], r["periode"]): r for r in ref_counts}
    for r in counts:
        source = keyed[(r["kode_bps"], r["tahun"], r["periode"])]
        assert (r["angkatan_kerja"], r["penganggur"]) == (
            source["angkatan_kerja"], source["penganggur"])  # fmt: skip


# ---------------------------------------------------------------- CLI


@pytest.mark.parametrize("rate", ["1.5", "-0.1", "abc", "nan"])
def test_bad_defect_rate_is_a_usage_error(rate: str, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["generate", "--scale", "demo", "--seed", "1", "--out", str(tmp_path),
              "--defect-rate", rate])  # fmt: skip
    assert exc.value.code == 2


def test_unwritable_out_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["generate", "--scale", "demo", "--seed", "1", "--out", str(blocker)]) == 2
    below = blocker / "inbox"
    assert main(["generate", "--scale", "demo", "--seed", "1", "--out", str(below)]) == 2


def test_cli_writes_an_inbox(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["generate", "--scale", "demo", "--seed", "2", "--out", str(tmp_path),
                 "--waves", "1", "--effect", "none"])  # fmt: skip
    assert code == 0
    manifest = json.loads((tmp_path / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["options"]["effect"] == "none"
    assert manifest["planted_effects"]["new_job_relative"] == 0.0
    assert "MANIFEST.json" in capsys.readouterr().err


def test_data_contracts_doc_names_every_column() -> None:
    doc = (REPO_ROOT / "docs" / "data-contracts.md").read_text(encoding="utf-8")
    for d in CONTRACT["deliveries"]:
        assert f"`{d['entity']}`" in doc, d["entity"]
        for column in d["columns"]:
            assert f"`{column['name']}`" in doc, (d["entity"], column["name"])
    for rule in ROW_RULES:
        assert f"`{rule}`" in doc, rule


# ---------------------------------------------------------------- effect and lottery


def test_planted_effect_has_the_recorded_size() -> None:
    geo = geography()
    p = people(5, np.arange(300_000), geo)
    index = np.arange(300_000)
    effect = Effect()
    treated = _outcomes(stream(5, 1), p, index, True, effect)
    control = _outcomes(stream(5, 2), p, index, False, effect)
    ratio = treated["new_job"].mean() / control["new_job"].mean()
    assert ratio == pytest.approx(1 + effect.new_job_relative, abs=0.03)
    inc_t = treated["income"][treated["income"] >= 0].mean()
    inc_c = control["income"][control["income"] >= 0].mean()
    assert inc_t / inc_c == pytest.approx(1 + effect.income_relative, abs=0.01)
    none_t = _outcomes(stream(5, 3), p, index, True, NO_EFFECT)
    assert none_t["new_job"].mean() / control["new_job"].mean() == pytest.approx(1, abs=0.03)


def _employed_gap(out: Path) -> float:
    apps = list(csv.DictReader((out / "pendaftaran_gel01.csv").open(encoding="utf-8")))
    sel = list(csv.DictReader((out / "seleksi_gel01.csv").open(encoding="utf-8")))
    employed = np.array([a["status_pekerjaan"] in ("usaha_mikro", "bekerja") for a in apps])
    eligible = np.array([s["memenuhi_syarat"] == "ya" for s in sel])
    chosen = np.array([s["terpilih"] == "ya" for s in sel])
    return employed[chosen].mean() - employed[eligible & ~chosen].mean()


def test_rigged_lottery_favours_the_employed(tmp_path: Path) -> None:
    generate("demo", 4, tmp_path / "fair", waves=[1])
    generate("demo", 4, tmp_path / "rigged", waves=[1], rig_selection=True)
    assert abs(_employed_gap(tmp_path / "fair")) < 0.03
    assert _employed_gap(tmp_path / "rigged") > 0.06
    manifest = json.loads((tmp_path / "rigged" / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["options"]["rig_selection"] is True


def test_seeds_drive_the_rules() -> None:
    """The normal scheme of 2023 comes from benefit_rules.csv, not from code."""
    from generator import reference

    rows = list(csv.DictReader((SEEDS_DIR / "benefit_rules.csv").open(encoding="utf-8")))
    for row in rows:
        rule = reference.rule_for(row["scheme"])
        assert rule.incentive_tranches == int(row["incentive_tranches"])
        assert rule.training_voucher_rp == int(row["training_voucher_rp"])


def test_help_names_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["generate", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for option in ("--scale", "--seed", "--out", "--defect-rate", "--effect", "--rig-selection"):
        assert option in text


def test_a_year_without_waves_in_the_calendar_is_a_usage_error(tmp_path: Path) -> None:
    code = main(["generate", "--scale", "demo", "--seed", "1", "--out", str(tmp_path),
                 "--year", "2031"])  # fmt: skip
    assert code == 2


def test_a_2023_normal_scheme_wave_follows_its_seed_rules(tmp_path: Path, monkeypatch) -> None:
    """Later years need only calendar rows: the rules come from benefit_rules.csv."""
    import datetime as dt

    from generator import reference

    rule = reference.rule_for("normal")
    wave = reference.Wave(
        number=48, year=2023, scheme="normal", planned_open=dt.date(2023, 3, 18),
        open=dt.date(2023, 3, 18), close=dt.date(2023, 3, 21), selection=dt.date(2023, 3, 24),
        quota=20_000, published_accepted=None, registrants=None,
    )  # fmt: skip
    calendar = (*reference.waves(), wave)
    monkeypatch.setattr(reference, "waves", lambda: calendar)
    generate("demo", 1, tmp_path, year=2023)
    payments = pq.read_table(tmp_path / "pembayaran_gel48.parquet").to_pylist()
    training = [p for p in payments if p["jenis"] == "insentif_pelatihan"]
    survey = [p for p in payments if p["jenis"] == "insentif_survei"]
    assert training and {p["termin"] for p in training} == {1} == set(
        range(1, rule.incentive_tranches + 1)
    )
    assert {p["jumlah"] for p in training} == {rule.incentive_tranche_rp}
    assert max(p["termin"] for p in survey) == rule.survey_incentives
    selected = sum(
        r["terpilih"] == "ya"
        for r in csv.DictReader((tmp_path / "seleksi_gel48.csv").open(encoding="utf-8"))
    )
    assert selected == 200  # the quota at 1/100
    surveys = pq.read_table(tmp_path / "survei_gel48.parquet").to_pylist()
    assert {s["jenis_survei"] for s in surveys} == {"pasca_pelatihan", "evaluasi"}
