"""`make bench`: run every stage at national scale beside the baseline that bounds it.

Writes bench/results/<date>.json and the summary table in bench/README.md (between markers).
Not part of `make test`: it needs tens of GB of disk and tens of minutes.

    python -m bench.run [--scale national] [--data bench/data] [--reuse] [--resume]
                        [--nightly-from-stages]

--resume skips the stages already measured (kept in <data>/stages-<scale>.json after each one,
with the warehouses they left) so that a national run interrupted late need not start over.
Without --nightly-from-stages the whole nightly is measured as it runs: `prakerja nightly` on
the stages' deliveries (every wave but the last) from an empty warehouse, about 10 minutes more
at national scale. --nightly-from-stages reports the sum of the ingest, build, check and publish
stages instead (always written as `nightly_sum_of_stages`), which counts separately what the
nightly run overlaps (dbt's import, the release copy) and so overstates it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

from bench.measure import Measurement, measure
from bench.wave_subset import split_wave

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
PRAKERJA = str(Path(sys.executable).with_name("prakerja"))
PY = sys.executable

# target name -> (stage, baseline or None, bound); ratio = stage / baseline or absolute figure.
TARGETS = {
    "nightly_wall_s": 600.0,
    "nightly_peak_gib": 8.0,
    "ingest_vs_bare_read_speed": 0.5,  # at least
    "build_vs_compiled_sql": 1.3,  # at most
    "dashboard_page_median_ms": 200.0,
    "incremental_one_wave_wall_s": 60.0,
}


def one_wave_applications(scale: str) -> int:
    """The incremental target's wave, 800,000 applications at national scale, scaled."""
    from generator.calibration import SCALES

    return round(800_000 * SCALES[scale])


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PRAKERJA_HOME"] = str(home)
    return env


def _fresh(home: Path) -> Path:
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    return home


def _sum_of_stages(name: str, stages: list[Measurement]) -> Measurement:
    return Measurement(
        name=name,
        wall_s=round(sum(m.wall_s for m in stages), 2),
        cpu_s=round(sum(m.cpu_s for m in stages), 2),
        peak_rss_mib=max(m.peak_rss_mib for m in stages),
        exit_code=max(m.exit_code for m in stages),
    )


def run(
    scale: str, data: Path, reuse: bool, resume: bool = False, nightly_from_stages: bool = False
) -> dict[str, object]:
    data.mkdir(parents=True, exist_ok=True)
    log = str(data / "bench.log")
    inbox = data / f"inbox-{scale}"
    results: list[Measurement] = []
    checkpoint = data / f"stages-{scale}.json"
    done: dict[str, Measurement] = {}
    if resume and checkpoint.exists():
        done = {m["name"]: Measurement(**m) for m in json.loads(checkpoint.read_text())}

    def step(name: str, argv: list[str], home: Path, must_pass: bool = True) -> Measurement:
        if name in done:
            print(f"{name:32s} measured before ({checkpoint.name})", flush=True)
            results.append(done[name])
            return done[name]
        m = measure(name, argv, _env(home), log)
        print(
            f"{name:32s} {m.wall_s:9.1f} s  cpu {m.cpu_s:9.1f} s  {m.peak_rss_mib:9.0f} MiB"
            f"  exit {m.exit_code}",
            flush=True,
        )
        results.append(m)
        checkpoint.write_text(json.dumps([r.as_dict() for r in results], indent=2) + "\n")
        if m.exit_code != 0 and must_pass:
            raise SystemExit(f"{name} failed (exit {m.exit_code}); see {log}")
        return m

    if not ((reuse or resume) and (inbox / "MANIFEST.json").exists()):
        shutil.rmtree(inbox, ignore_errors=True)
        step(
            "generate",
            [PRAKERJA, "generate", "--scale", scale, "--seed", "1", "--out", str(inbox)],
            data,
        )

    # Stage by stage, each with its baseline, on every wave but the last; the last wave is then
    # added by an incremental nightly on the same warehouse.
    base, extra = _split_last_wave(inbox, data)
    home = data / "home-stages"
    if "ingest" not in done:
        _fresh(home)
    ingest = step(
        "ingest",
        # the report keeps each file's seconds, for finding where ingestion time goes
        [PRAKERJA, "ingest", str(base), "--report-json", str(data / "ingest_report.json")],
        home,
    )
    bare = step(
        "baseline_bare_read",
        # the same files as the ingest stage (every wave but the last)
        [PY, "-m", "bench.baselines", "bare_read", str(base), str(data / "bare_read.duckdb")],
        home,
    )
    (data / "bare_read.duckdb").unlink(missing_ok=True)  # throw-away; disk is short at national
    if "build" not in done:  # a full build, also after an interrupted one
        for leftover in ("build.duckdb", "build.duckdb.wal", "build.duckdb.tmp", "dbt"):
            path = home / leftover
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
    build = step("build", [PRAKERJA, "build"], home)
    compiled = step(
        "baseline_compiled_sql",
        [
            PY,
            "-m",
            "bench.baselines",
            "compiled_sql",
            str(home / "dbt" / "target"),
            str(home / "build.duckdb"),
            str(home / "raw.duckdb"),
            str(data / "compiled_sql.duckdb"),
        ],
        home,
    )
    (data / "compiled_sql.duckdb").unlink(missing_ok=True)
    check = step("check", [PRAKERJA, "check"], home)
    checks_json = data / "checks.json"
    _export_checks(home / "raw.duckdb", checks_json)
    agg = step(
        "baseline_aggregate_checks",
        [
            PY,
            "-m",
            "bench.baselines",
            "aggregate_checks",
            str(checks_json),
            str(home / "raw.duckdb"),
            str(home / "build.duckdb"),
        ],
        home,
    )
    publish = step("publish", [PRAKERJA, "publish"], home)
    dash = _dashboard(home, data)

    stages_sum = _sum_of_stages("nightly_sum_of_stages", [ingest, build, check, publish])
    results.append(stages_sum)
    if nightly_from_stages:
        nightly = stages_sum
    else:
        # the whole nightly from an empty warehouse, on the stages' deliveries: `prakerja
        # nightly` overlaps what the separate stages cannot (dbt's import during ingestion, the
        # release copy during the checks), so the sum above overstates it
        nightly_home = data / "home-nightly"
        if "nightly" not in done:
            _fresh(nightly_home)
        nightly = step("nightly", [PRAKERJA, "nightly", str(base)], nightly_home)
        shutil.rmtree(nightly_home, ignore_errors=True)  # 15 GB at national scale; not read again

    # the last steps: a failed incremental nightly is a result to write down, not a reason to
    # lose the figures of every stage before it (the table shows its exit code). The target's
    # night adds one wave of 800,000 applications (scaled like the deliveries): the last wave's
    # first applications with all their rows; the rest of that wave is then a second, heavier
    # night, measured without a target.
    one_wave, rest = data / "inbox-one-wave", data / "inbox-rest-of-wave"
    split_wave(extra, one_wave, rest, one_wave_applications(scale))
    incremental = step(
        "nightly_incremental_one_wave",
        [PRAKERJA, "nightly", str(one_wave)],
        home,
        must_pass=False,
    )
    incremental_rest = step(
        "nightly_incremental_rest_of_wave",
        [PRAKERJA, "nightly", str(rest)],
        home,
        must_pass=False,
    )

    figures: dict[str, float | None] = {
        "nightly_wall_s": nightly.wall_s,
        "nightly_peak_gib": round(nightly.peak_rss_mib / 1024, 2),
        "ingest_vs_bare_read_speed": ratio(bare.wall_s, ingest.wall_s),
        "build_vs_compiled_sql": ratio(build.wall_s, compiled.wall_s),
        "check_vs_aggregate_sql": ratio(check.wall_s, max(agg.wall_s, 0.01)),
        "dashboard_page_median_ms": dash.get("worst_page_median_ms"),
        "incremental_one_wave_wall_s": incremental.wall_s,
        "incremental_rest_of_wave_wall_s": incremental_rest.wall_s,
    }
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scale": scale,
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
        "stages": [m.as_dict() for m in results],
        "dashboard": dash,
        "figures": figures,
        "targets": TARGETS,
    }


def _export_checks(raw_db: Path, out: Path) -> None:
    import duckdb

    con = duckdb.connect(str(raw_db), read_only=True)
    try:
        rows = con.execute(
            "select table_name, column_name from audit.dq_results "
            "where run_id = (select max(run_id) from audit.dq_runs)"
        ).fetchall()
    finally:
        con.close()
    out.write_text(json.dumps([{"table": t, "column": c} for t, c in rows]))


def _dashboard(home: Path, data: Path) -> dict[str, object]:
    out = data / "dashboard_queries.json"
    step = measure(
        "dashboard_queries",
        [PY, "-m", "bench.dashboard_queries", str(out)],
        _env(home),
        str(data / "bench.log"),
    )
    if step.exit_code != 0 or not out.exists():
        return {"error": f"exit {step.exit_code}"}
    return json.loads(out.read_text())


def _split_last_wave(inbox: Path, data: Path) -> tuple[Path, Path]:
    """Two inboxes of links: every delivery but the last wave's, and the last wave's alone."""
    last = max(int(p.stem.rsplit("gel", 1)[1]) for p in inbox.glob("pendaftaran_gel*"))
    suffix = f"_gel{last:02d}"
    base, extra = data / "inbox-base", data / "inbox-last-wave"
    for folder in (base, extra):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
    for path in inbox.iterdir():
        target = extra if path.stem.endswith(suffix) else base
        (target / path.name).symlink_to(path.resolve())
    for folder in (base, extra):  # the generated-data marker travels with both
        (folder / "MANIFEST.json").unlink(missing_ok=True)
        shutil.copy(inbox / "MANIFEST.json", folder / "MANIFEST.json")
    return base, extra


def write_readme(result: dict[str, object]) -> None:
    figures: dict[str, float | None] = result["figures"]  # type: ignore[assignment]
    rows = [
        ("whole nightly, wall", "nightly_wall_s", "<= 600 s", "s"),
        ("whole nightly, peak memory", "nightly_peak_gib", "<= 8 GiB", "GiB"),
        ("ingestion speed / bare DuckDB read", "ingest_vs_bare_read_speed", ">= 0.5x", "x"),
        ("build / compiled SQL in DuckDB", "build_vs_compiled_sql", "<= 1.3x", "x"),
        ("checks / aggregate SQL", "check_vs_aggregate_sql", "(no target)", "x"),
        ("dashboard: slowest page, median", "dashboard_page_median_ms", "< 200 ms", "ms"),
        (
            f"incremental nightly, one wave of {one_wave_applications(str(result['scale'])):,} "
            "applications",
            "incremental_one_wave_wall_s",
            "<= 60 s",
            "s",
        ),
        (
            "incremental nightly, the rest of that wave",
            "incremental_rest_of_wave_wall_s",
            "(no target)",
            "s",
        ),
    ]
    lines = [
        f"Last run: {result['date']}, scale `{result['scale']}`, "
        f"{result['machine']['cores']} cores (`bench/results/`).",  # type: ignore[index]
        "",
        "| measure | target | measured | met |",
        "|---|---|---|---|",
    ]
    for label, key, target, unit in rows:
        value = figures.get(key)
        met = _met(key, value)
        shown = "not measured" if value is None else f"{value} {unit}"
        lines.append(f"| {label} | {target} | {shown} | {met} |")
    lines += ["", "| stage | wall s | CPU s | peak MiB | exit |", "|---|---|---|---|---|"]
    for s in result["stages"]:  # type: ignore[union-attr]
        lines.append(
            f"| {s['name']} | {s['wall_s']} | {s['cpu_s']} | {s['peak_rss_mib']} "
            f"| {s['exit_code']} |"
        )
    readme = BENCH_DIR / "README.md"
    text = readme.read_text()
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    readme.write_text(head + start + "\n" + "\n".join(lines) + "\n" + end + tail)


def ratio(numerator: float, denominator: float) -> float:
    """A ratio as the table shows and judges it: three decimals, so that a value just short of
    its bound (ingestion at 0.4993x the bare read) is not rounded onto it and called met."""
    return round(numerator / denominator, 3)


def _met(key: str, value: float | None) -> str:
    if value is None or key not in TARGETS:
        return "-"
    bound = TARGETS[key]
    ok = value >= bound if key == "ingest_vs_bare_read_speed" else value <= bound
    return "yes" if ok else "**no**"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--scale", default="national", choices=["demo", "small", "national"])
    parser.add_argument("--data", default=str(BENCH_DIR / "data"))
    parser.add_argument("--reuse", action="store_true", help="reuse generated deliveries")
    parser.add_argument(
        "--resume", action="store_true", help="skip the stages already measured (implies --reuse)"
    )
    parser.add_argument(
        "--nightly-from-stages",
        action="store_true",
        help="whole nightly = sum of the ingest, build, check and publish stages",
    )
    args = parser.parse_args(argv)
    result = run(args.scale, Path(args.data), args.reuse, args.resume, args.nightly_from_stages)
    out_dir = BENCH_DIR / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = dt.date.today().isoformat()
    (out_dir / f"{stamp}-{args.scale}.json").write_text(json.dumps(result, indent=2) + "\n")
    write_readme(result)
    print(json.dumps(result["figures"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
