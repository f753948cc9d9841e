"""The dashboard in a real browser: `prakerja dashboard`'s Streamlit command on a free localhost
port, every page opened in headless Chromium (Debian's /usr/bin/chromium, driven by
playwright; never `playwright install`), no exception box, charts drawn, a screenshot each.

Also a small tool to refresh docs/screenshots from a real serving file:
    .venv/bin/python -m tests.test_browser_dashboard --home $PRAKERJA_HOME --out docs/screenshots
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dashboard.command import command_line
from prakerja.paths import DASHBOARD_DIR
from tests.test_dashboard_fixture import build_serving_fixture

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# url path -> (screenshot name, whether the page must draw charts and tables from the test
# fixture; the Dampak page, written separately, needs impact marts the fixture lacks). The first
# page is the default one, served at the root ("/ringkasan" would be "page not found").
PAGES = {
    "": ("01-ringkasan", True),
    "pendaftaran": ("02-pendaftaran-seleksi", True),
    "penyaluran": ("03-penyaluran-insentif", True),
    "penyedia": ("04-penyedia-pelatihan", True),
    "pasar-kerja": ("05-pasar-kerja", True),
    "kualitas-data": ("06-kualitas-data", True),
}
if any((DASHBOARD_DIR / place / "dampak.py").exists() for place in ("pages", "views")):
    PAGES["dampak"] = ("07-dampak", False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def dashboard_server(home: Path) -> Iterator[str]:
    """Start the dashboard as `prakerja dashboard` would; yield its base URL; stop it."""
    port = free_port()
    env = {**os.environ, "PRAKERJA_HOME": str(home)}
    cmd = [*command_line(port), "--server.address", "127.0.0.1"]
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                raise RuntimeError(f"dashboard did not start:\n{output}")
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def screenshot_pages(home: Path, out: Path, lang: str = "id") -> dict[str, Path]:
    """Open every page, check it, save a full-page PNG per page into `out`."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    shots: dict[str, Path] = {}
    with dashboard_server(home) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            # First visit straight to a page URL. In Streamlit's legacy pages/ mode the file
            # dashboard/pages/dampak.py would run alone, without app.py's language switch and
            # filters: seeing them shows that launch.py did its job.
            first = "dampak" if "dampak" in PAGES else "pendaftaran"
            page.goto(f"{base}/{first}", wait_until="domcontentloaded")
            page.wait_for_selector("h1", timeout=60_000)
            page.get_by_text("Bahasa / Language").first.wait_for(timeout=60_000)
            for url_path, (name, has_chart) in PAGES.items():
                page.goto(f"{base}/{url_path}", wait_until="domcontentloaded")
                page.wait_for_selector("h1", timeout=60_000)
                if lang == "en":
                    page.get_by_text("English", exact=True).click()
                    page.wait_for_timeout(1500)
                if has_chart:
                    # Wait on the charts' data, not on SVG (WebGL traces have no SVG).
                    page.wait_for_function(
                        "() => [...document.querySelectorAll('.js-plotly-plot')]"
                        ".some(p => p.data && p.data.length > 0)",
                        timeout=60_000,
                    )
                    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
                else:
                    page.wait_for_timeout(5000)  # whatever it draws, give it time to render
                page.wait_for_timeout(1500)  # let the remaining charts and tables settle
                if url_path == "pasar-kerja":
                    # The map must be drawn offline: 38 provinces (plus their grey base).
                    drawn = page.locator(".choroplethlocation").count()
                    assert drawn >= 38, f"{drawn} provinces drawn"
                errors = page.locator('[data-testid="stException"]').count()
                assert errors == 0, f"{url_path}: {errors} exception box(es)"
                path = out / f"{name}{'' if lang == 'id' else '-en'}.png"
                # Streamlit scrolls inside its main block, so a "full page" shot would stop at
                # the viewport: grow the viewport to the content's height instead (capped).
                height = page.evaluate(
                    "() => (document.querySelector('[data-testid=\"stMainBlockContainer\"]')"
                    " || document.body).scrollHeight"
                )
                page.set_viewport_size(
                    {"width": 1400, "height": min(max(1000, height + 120), 6000)}
                )
                page.wait_for_timeout(1500)
                page.screenshot(path=str(path), full_page=True)
                page.set_viewport_size({"width": 1400, "height": 1000})
                shots[url_path] = path
        finally:
            browser.close()
    return shots


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed (/usr/bin/chromium)")
def test_every_page_opens_in_chromium(tmp_path: Path) -> None:
    home = tmp_path / "warehouse"
    build_serving_fixture(home)
    shots = screenshot_pages(home, tmp_path / "shots")
    assert set(shots) == set(PAGES)
    for path in shots.values():
        # A blank page would be a few kilobytes; a rendered page with charts is far larger.
        assert path.stat().st_size > 30_000, path


def main() -> None:
    parser = argparse.ArgumentParser(description="Screenshot every dashboard page.")
    parser.add_argument("--home", type=Path, required=True, help="a PRAKERJA_HOME with serving/")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--lang", choices=("id", "en"), default="id")
    args = parser.parse_args()
    for url_path, path in screenshot_pages(args.home, args.out, args.lang).items():
        print(url_path, path)


if __name__ == "__main__":
    main()
