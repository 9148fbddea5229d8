"""Screenshots of the workbench, taken from a running `tightrope serve` by Debian's Chromium
(run: python scripts/screenshots.py; writes docs/screenshots/*.png, shown in the README)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PLOTS = "[...document.querySelectorAll('.js-plotly-plot')]"


def main() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    folder = Path(tempfile.mkdtemp(prefix="tightrope-shots-"))
    server = subprocess.Popen(
        [
            "tightrope",
            "serve",
            "--port",
            str(port),
            "--data",
            str(folder),
            "--db",
            str(folder / "registry.sqlite"),
        ],
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                httpx.get(url + "/api/scenarios", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        chromium = shutil.which("chromium") or "chromium"
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url + "/", wait_until="networkidle")
            page.screenshot(path=str(OUT / "board.png"))
            page.goto(url + "/scenarios/iraq-2025", wait_until="load")
            page.wait_for_function(f"{PLOTS}.every(p => p.querySelector('.main-svg'))")
            page.screenshot(path=str(OUT / "scenario.png"))
            page.goto(url + "/scenarios/iraq-2025/what-if", wait_until="load")
            page.wait_for_function("document.body.dataset.ran === '1'")
            page.select_option("#lever-us_casualties", "2")
            page.click("#run")
            page.wait_for_function("document.body.dataset.ran === '2'")
            page.locator("#chart").scroll_into_view_if_needed()
            page.screenshot(path=str(OUT / "what-if.png"), full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
