"""bench/wave_subset.py: a wave of N applications cut from a generated wave keeps every delivered
line as it was, takes every row naming one of its applications, and ingests cleanly."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb

from bench.wave_subset import split_wave
from generator.api import generate
from ingestion.api import ingest
from ingestion.file_checks import sniff_csv
from prakerja.settings import Settings

WAVE = "_gel11"


def _data_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)[1:]


def test_a_wave_of_n_applications_takes_its_rows_and_ingests(tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    generate("demo", 1, generated, 0.0, waves=[11])
    wave, static = tmp_path / "wave", tmp_path / "static"
    for folder in (wave, static):
        folder.mkdir()
        shutil.copy(generated / "MANIFEST.json", folder / "MANIFEST.json")
    for path in generated.iterdir():
        if path.name != "MANIFEST.json":
            shutil.copy(path, (wave if WAVE in path.stem else static) / path.name)
    first, rest = tmp_path / "first", tmp_path / "rest"
    with (wave / "seleksi_gel11.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")  # a blank line names no application: it goes to the rest

    split_wave(wave, first, rest, 8000)

    names = sorted(p.name for p in wave.iterdir())
    for folder in (first, rest):
        assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == names
    applications = _data_lines(first / "pendaftaran_gel11.csv")
    assert len(applications) == 8000
    kept = {line.split(",")[0].strip('"') for line in applications}
    for path in sorted(wave.glob("*.csv")):
        # every delivered line in exactly one part, byte for byte, header in both
        header = path.read_text(encoding="utf-8").splitlines(keepends=True)[0]
        for part in (first, rest):
            assert (part / path.name).read_text(encoding="utf-8").startswith(header)
        parts = _data_lines(first / path.name) + _data_lines(rest / path.name)
        assert sorted(parts) == sorted(_data_lines(path)), path.name
        assert _data_lines(first / path.name), path.name
        for part, inside in ((first, True), (rest, False)):
            delimiter = sniff_csv(part / path.name).delimiter
            with (part / path.name).open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.DictReader(handle, delimiter=delimiter))
            named = [row for row in rows if row["id_pendaftaran"]]
            assert {row["id_pendaftaran"] in kept for row in named} == {inside}, (part, path)
    with duckdb.connect() as con:
        for path in sorted(wave.glob("*.parquet")):
            total, in_first = con.execute(
                "select count(*), count(*) filter (where id_pendaftaran in "
                "(select unnest(?::varchar[]))) from read_parquet(?)",
                [sorted(kept), str(path)],
            ).fetchall()[0]
            (first_rows,) = con.execute(
                "select count(*) from read_parquet(?)", [str(first / path.name)]
            ).fetchall()[0]
            (rest_rows,) = con.execute(
                "select count(*) from read_parquet(?)", [str(rest / path.name)]
            ).fetchall()[0]
            assert (first_rows, first_rows + rest_rows) == (in_first, total), path.name
            assert first_rows > 0, path.name

    settings = Settings.from_env({"PRAKERJA_HOME": str(tmp_path / "home")})
    ingest(settings, static)
    reports = ingest(settings, first)
    assert {r.file for r in reports} == set(names) - {"MANIFEST.json"}
    for report in reports:
        assert report.status == "loaded", (report.file, report.errors)
        assert report.rows_rejected == 0, (report.file, report.errors)
