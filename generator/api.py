"""`generate(...)`: write every delivery of the three source families and MANIFEST.json."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from generator import calibration, defects, deliveries, labour_market, reference
from generator.people import Geography, geography, nik_serials
from generator.providers import Catalogue, catalogue
from generator.randomness import stream
from generator.registration import NO_EFFECT, Effect, Options, WaveData, days, generate_wave
from generator.writers import Writer
from prakerja.errors import UsageError

GENERATOR_VERSION = "1.0.0"
CHUNK_ROWS = 1_000_000
MAX_DEFECT_RATE = 0.2

# file name pattern, contract entity, format
WAVE_FILES = (
    ("pendaftaran_gel{w:02d}.csv", "applications", "csv"),
    ("seleksi_gel{w:02d}.csv", "selection", "csv"),
    ("pencabutan_gel{w:02d}.csv", "revocations", "csv_bom_crlf"),
    ("transaksi_pelatihan_gel{w:02d}.csv", "enrollments", "csv_semicolon"),
    ("pembayaran_gel{w:02d}.parquet", "payments", "parquet"),
    ("survei_gel{w:02d}.parquet", "surveys", "parquet"),
)
PROVIDER_FILES = (
    ("platform_digital.csv", "platforms"),
    ("lembaga_pelatihan.csv", "institutions"),
    ("kepemilikan_lembaga_platform.csv", "ownership"),
    ("katalog_pelatihan.csv", "courses"),
)


@dataclass
class Summary:
    out: Path
    files: dict[str, int] = field(default_factory=dict)
    defects: list[dict[str, Any]] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)


def _check(scale: str, seed: int, out: Path, defect_rate: float, waves: list[int] | None) -> None:
    if scale not in calibration.SCALES:
        raise UsageError(f"--scale must be one of {', '.join(calibration.SCALES)}, got {scale!r}")
    if seed < 0:
        raise UsageError(f"--seed must be 0 or more, got {seed}")
    if not 0.0 <= defect_rate <= MAX_DEFECT_RATE or defect_rate != defect_rate:
        raise UsageError(
            f"--defect-rate must be between 0 and {MAX_DEFECT_RATE}, got {defect_rate}"
        )
    known = {w.number for w in reference.waves()}
    if waves and not set(waves) <= known:
        raise UsageError(f"--waves must be among the calendar's waves {sorted(known)}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create --out {out}: {exc.strerror}") from exc
    if not out.is_dir() or not os.access(out, os.W_OK | os.X_OK):
        raise UsageError(f"--out {out} is not a writable directory")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_chunked(
    path: Path,
    fmt: str,
    n: int,
    build: Any,
    planned: list[defects.Planned],
) -> int:
    writer = Writer(path, fmt, quote_all_text=path.name.startswith("pendaftaran_"))
    try:
        for start in range(0, max(n, 1), CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, n)
            table, truncate = defects.apply(build(start, stop), start, planned)
            writer.write(table, truncate)
    finally:
        writer.close()
    return writer.rows


def _record(summary: Summary, name: str, entity: str, planned: list[defects.Planned]) -> None:
    for d, row in zip(planned, defects.final_rows(planned), strict=True):
        summary.defects.append(
            {
                "file": name,
                "entity": entity,
                "row": row,
                "column": d.kind.column,
                "kind": d.kind.name,
                "rule": d.kind.rule,
            }
        )


def _masks(entity: str, w: WaveData) -> dict[str, np.ndarray]:
    if entity == "selection":
        return {"selected": w.apps["selected"]}
    if entity == "enrollments":
        return {"done": w.enrollments["done"], "rated": w.enrollments["rating"] > 0}
    if entity == "payments":
        dana = [c for c in reference.channels() if c.code == "DANA"]
        before = (
            w.payments["sched"] < days(dana[0].active_from)
            if dana
            else np.zeros(len(w.payments["sched"]), bool)
        )
        return {"paid": w.payments["status"] == 0, "before_dana": before}
    return {}


def _wave_files(
    seed: int,
    w: WaveData,
    geo: Geography,
    cat: Catalogue,
    out: Path,
    rate: float,
    summary: Summary,
    first_wave: bool,
) -> None:
    number = w.wave.number
    sizes = {
        "applications": len(w.people.ids),
        "selection": len(w.people.ids),
        "revocations": len(w.revocations["app"]),
        "enrollments": len(w.enrollments["app"]),
        "payments": len(w.payments["app"]),
        "surveys": len(w.surveys["app"]),
    }
    builders = {
        "applications": lambda a, b: deliveries.applications(seed, w, geo, a, b),
        "selection": lambda a, b: deliveries.selection(w, a, b),
        "revocations": lambda a, b: deliveries.revocations(w, a, b),
        "enrollments": lambda a, b: deliveries.enrollments(w, cat, a, b),
        "payments": lambda a, b: deliveries.payments(w, a, b),
        "surveys": lambda a, b: deliveries.surveys(w, a, b),
    }
    for k, (pattern, entity, fmt) in enumerate(WAVE_FILES):
        name = pattern.format(w=number)
        rng = stream(seed, number, 100 + k)
        truncate = rate > 0 and first_wave and entity == "revocations"
        planned = defects.plan(rng, entity, sizes[entity], rate, _masks(entity, w), truncate)
        rows = _write_chunked(out / name, fmt, sizes[entity], builders[entity], planned)
        summary.files[name] = rows
        _record(summary, name, entity, planned)


def _provider_files(seed: int, cat: Catalogue, out: Path, rate: float, summary: Summary) -> None:
    tables = {
        "platforms": deliveries.platforms(cat),
        "institutions": deliveries.institutions(cat),
        "ownership": deliveries.ownership(cat),
        "courses": deliveries.courses(cat),
    }
    for k, (name, entity) in enumerate(PROVIDER_FILES):
        table = tables[entity]
        planned = defects.plan(stream(seed, 0, 200 + k), entity, table.num_rows, rate)
        rows = _write_chunked(
            out / name, "csv", table.num_rows, lambda a, b, t=table: t.slice(a, b - a), planned
        )
        summary.files[name] = rows
        _record(summary, name, entity, planned)


def _funnel(w: WaveData) -> dict[str, int]:
    done = w.enrollments["done"]
    first_pay = w.payments["kind"] == 0
    return {
        "applications": len(w.people.ids),
        "verified": int(w.apps["verified"].sum()),
        "eligible": int(w.apps["eligible"].sum()),
        "selected": int(w.apps["selected"].sum()),
        "revoked": len(w.revocations["app"]),
        "bought_training": len(np.unique(w.enrollments["app"])),
        "completed_training": len(np.unique(w.enrollments["app"][done])),
        "received_incentive": len(np.unique(w.payments["app"][first_pay])),
        "control_surveyed": int(w.surveys["control"].sum()),
        "women_selected": int(w.people.female[w.apps["selected"]].sum()),
    }


def generate(
    scale: str,
    seed: int,
    out: Path | str,
    defect_rate: float = 0.0,
    *,
    effect: str = "planted",
    rig_selection: bool = False,
    waves: list[int] | None = None,
    year: int = 2020,
    progress: Any = None,
) -> Summary:
    """Write the synthetic deliveries into `out`; returns file row counts and the manifest."""
    out = Path(out)
    _check(scale, seed, out, defect_rate, waves)
    if effect not in ("planted", "none"):
        raise UsageError(f"--effect must be planted or none, got {effect!r}")
    try:
        targets = calibration.targets(scale, year)
    except (ValueError, KeyError) as exc:
        raise UsageError(f"cannot calibrate year {year}: {exc}") from exc
    options = Options(
        effect=Effect() if effect == "planted" else NO_EFFECT, rig_selection=rig_selection
    )
    chosen = [t for t in targets.waves if not waves or t.number in waves]
    calendar = {w.number: w for w in reference.waves()}
    summary = Summary(out=out)
    geo = geography()
    cat = catalogue(seed)
    # New people per wave: the applications not made by earlier applicants.
    new_counts = [
        t.applications
        if i == 0
        else t.applications - round(calibration.REAPPLICATION_SHARE * t.applications)
        for i, t in enumerate(chosen)
    ]
    n_people = int(sum(new_counts))
    task = progress.add_task("people", total=len(chosen) + 2) if progress else None
    serials = nik_serials(seed, n_people, geo)
    state = np.zeros(n_people, dtype=np.uint8)
    if progress:
        progress.advance(task)
    funnel: dict[str, dict[str, int]] = {}
    start = 0
    for i, (t, n_new) in enumerate(zip(chosen, new_counts, strict=True)):
        if progress:
            progress.update(task, description=f"wave {t.number}")
        new_ids = np.arange(start, start + n_new, dtype=np.int64)
        start += n_new
        data = generate_wave(
            seed, calendar[t.number], t, new_ids, state, serials, geo, cat, options
        )
        _wave_files(seed, data, geo, cat, out, defect_rate, summary, first_wave=i == 0)
        funnel[str(t.number)] = _funnel(data)
        del data
        if progress:
            progress.advance(task)
    _provider_files(seed, cat, out, defect_rate, summary)
    summary.files.update(labour_market.write_all(out))
    if progress:
        progress.advance(task)
    summary.manifest = _manifest(
        scale, seed, defect_rate, options, effect, waves, year, targets, funnel, summary
    )
    (out / "MANIFEST.json").write_text(
        json.dumps(summary.manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return summary


def _manifest(
    scale: str,
    seed: int,
    defect_rate: float,
    options: Options,
    effect: str,
    waves: list[int] | None,
    year: int,
    targets: calibration.Targets,
    funnel: dict[str, dict[str, int]],
    summary: Summary,
) -> dict[str, Any]:
    files = []
    for name in sorted(summary.files):
        files.append(
            {"file": name, "rows": summary.files[name], "sha256": _sha256(summary.out / name)}
        )
    return {
        "synthetic": True,
        "generator": "prakerja-warehouse generator",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "scale": scale,
        "options": {
            "defect_rate": defect_rate,
            "effect": effect,
            "rig_selection": options.rig_selection,
            "waves": waves,
            "year": year,
        },
        "calibration_targets": targets.as_dict(),
        "planted_effects": options.effect.as_dict(),
        "funnel": funnel,
        "files": files,
        "defects": summary.defects,
        "notes": [
            "rows are data rows, header excluded; defect rows are 1-based data rows",
            "every defective row carries exactly one defect; rule = the contract rule to report",
        ],
    }
