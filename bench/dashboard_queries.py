"""Each dashboard page's query set, uncached, against $PRAKERJA_HOME/serving/current.duckdb.

Calls the dashboard's own data functions (the ones the pages call, with their default filters),
clearing Streamlit's cache before every repetition and sharing one connection per page render
as the app does, so what is timed is the SQL and the file opening a first visit pays. Writes
median and p95 per page to the JSON file named on the command line.
Run as `python -m bench.dashboard_queries OUT.json [REPEATS]`.
"""

from __future__ import annotations

import json
import logging
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def _pages() -> dict[str, Callable[[], object]]:
    from dashboard import data
    from dashboard import impact_queries as q
    from dashboard.filters import Filters

    waves = data.options()
    low, high = int(min(waves.waves)), int(max(waves.waves))
    f = Filters(wave_from=low, wave_to=high)

    def ringkasan() -> None:
        data.funnel_totals(f), data.paid_total(f), data.funnel_by_wave(f)

    def pendaftaran() -> None:
        data.funnel_totals(f), data.funnel_by_wave(f)
        for by in data.BREAKDOWNS:
            data.funnel_breakdown(f, by)

    def penyaluran() -> None:
        data.disbursement_by_wave(f), data.disbursement_by_channel(f)
        data.timeliness(f), data.failures(f)

    def penyedia() -> None:
        data.provider_scorecard(f), data.platform_market(f), data.conflicts(f)

    def pasar_kerja() -> None:
        periods = data.coverage_periods()
        data.coverage_map(periods[-1]), data.outcomes_by_province(f)

    def kualitas_data() -> None:
        runs = data.dq_runs()
        if isinstance(runs, pd.DataFrame) and len(runs):
            data.dq_failed(str(runs.iloc[0]["run_id"]))

    def dampak() -> None:
        q.pooled_by_subgroup("new_job"), q.by_wave("new_job", low, high)
        scopes = q.balance_scopes()
        q.balance("eligible", scopes[0] if scopes else "all_waves")

    return {
        "ringkasan": ringkasan,
        "pendaftaran_seleksi": pendaftaran,
        "penyaluran_insentif": penyaluran,
        "penyedia_pelatihan": penyedia,
        "pasar_kerja": pasar_kerja,
        "kualitas_data": kualitas_data,
        "dampak": dampak,
    }


def main(argv: list[str]) -> int:
    import streamlit as st

    from dashboard import data

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    out = Path(argv[0])
    repeats = int(argv[1]) if len(argv) > 1 else 15
    pages = _pages()
    result: dict[str, object] = {"repeats": repeats, "pages": {}}
    for name, run in pages.items():
        times = []
        for _ in range(repeats):
            st.cache_data.clear()
            started = time.perf_counter()
            with data.page_session():  # as app.py renders a page
                run()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        result["pages"][name] = {  # type: ignore[index]
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
        }
    medians = [p["median_ms"] for p in result["pages"].values()]  # type: ignore[union-attr]
    result["worst_page_median_ms"] = max(medians)
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
