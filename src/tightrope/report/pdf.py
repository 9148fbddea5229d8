"""The report as a PDF, printed by a headless Chromium (Debian's ``chromium``): the browser lays
out the charts exactly as on screen, and the report's print stylesheet keeps charts and tables
whole and starts each section on a new page. No network: the page is a local file that requests
nothing, and the browser runs with its background services off."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from tightrope.outputs import OutputError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SECONDS = 180


def find_browser() -> str:
    """The Chromium to print with, or an OutputError saying how to get one."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise OutputError("--pdf needs Chromium to print the report (Debian: apt install chromium)")


def write_pdf(page: str, destination: Path, browser: str | None = None) -> None:
    """Print the HTML ``page`` to ``destination`` as a PDF."""
    browser = browser or find_browser()
    with tempfile.TemporaryDirectory(prefix="tightrope-pdf-") as folder:
        source = Path(folder) / "report.html"
        source.write_text(page, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",  # root in containers; the page is our own file
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={folder}/profile",
            "--no-pdf-header-footer",
            "--virtual-time-budget=10000",  # let plotly draw every chart before printing
            f"--print-to-pdf={destination}",
            source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=SECONDS, check=True)
        except subprocess.TimeoutExpired:
            raise OutputError(f"{destination}: Chromium took over {SECONDS} s to print") from None
        except (subprocess.CalledProcessError, OSError) as error:
            raise OutputError(
                f"{destination}: Chromium could not print the report ({error})"
            ) from None
    if not destination.exists() or destination.stat().st_size == 0:
        raise OutputError(f"{destination}: Chromium wrote no PDF")
