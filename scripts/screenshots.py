"""Screenshots of the workbench, taken from a running `tightrope serve` by Debian's Chromium
(run: python scripts/screenshots.py; writes docs/screenshots/*.png, shown in the README)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.server.loadgen import server_process

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PLOTS = "[...document.querySelectorAll('.js-plotly-plot')]"


def main() -> None:
    chromium = shutil.which("chromium") or "chromium"
    OUT.mkdir(parents=True, exist_ok=True)
    with server_process() as url, sync_playwright() as playwright:
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
        page.screenshot(path=str(OUT / "what-if.png"), full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
