"""The HTML report in a real browser (Debian's Chromium, driven by Playwright), network blocked:
every chart renders and nothing is requested from outside the file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tightrope.cli import app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(
        app,
        [
            "forecast",
            "--runs",
            "20000",
            "--bargaining-samples",
            "40",
            "--out",
            str(folder),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    return folder / "report.html"


def test_report_is_self_contained(report: Path) -> None:
    text = report.read_text()
    # plotly's bundle mentions map-tile hosts in its code; what matters is that the page loads
    # no script, style or image from anywhere (the browser test checks requests too).
    assert "<script src=" not in text
    assert "<link " not in text
    assert text.count("Plotly.newPlot") >= 6


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("TIGHTROPE_REQUIRE_BROWSER"),
    reason="Chromium is not installed (CI installs it and sets TIGHTROPE_REQUIRE_BROWSER)",
)
def test_every_chart_renders_offline_in_chromium(report: Path) -> None:
    from playwright.sync_api import Route, sync_playwright

    assert CHROMIUM is not None, "CI must install Debian's chromium"
    outside: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.route("**/*", guard)
            page.goto(report.as_uri(), wait_until="load")
            page.wait_for_function(
                "document.querySelectorAll('.js-plotly-plot').length > 0 && "
                "[...document.querySelectorAll('.js-plotly-plot')]"
                ".every(p => p.querySelector('.main-svg'))",
                timeout=30_000,
            )
            plots = page.locator(".js-plotly-plot")
            count = plots.count()
            assert count >= 6
            for index in range(count):
                plot = plots.nth(index)
                traces = plot.locator("g.trace, g.barlayer .point, .scatterlayer .trace").count()
                assert traces > 0, f"chart {index} is empty"
                box = plot.bounding_box()
                assert box is not None
                assert box["width"] > 100
                assert box["height"] > 100
            assert errors == []
        finally:
            browser.close()
    assert outside == []


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("TIGHTROPE_REQUIRE_BROWSER"),
    reason="Chromium is not installed (CI installs it and sets TIGHTROPE_REQUIRE_BROWSER)",
)
def test_the_bottom_line_comes_first_in_words(report: Path) -> None:
    """At 1400 × 900 the bottom line starts on the first screen; each binary question's sentence
    opens with the phrase its probability has on ICD 203; no parameter path shows as text; the
    probability chart's axis is in calendar months; the provenance quotes its claims."""
    import json
    import re

    from playwright.sync_api import sync_playwright

    from tightrope.report.bottomline import estimative
    from tightrope.scenario.builtin import load_builtin

    assert CHROMIUM is not None
    document = json.loads((report.parent / "forecast.json").read_text())
    scenario = load_builtin("iraq-2025")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.route(
                "**/*",
                lambda route: (
                    route.abort()
                    if route.request.url.startswith(("http:", "https:"))
                    else route.continue_()
                ),
            )
            page.goto(report.as_uri(), wait_until="load")
            box = page.locator("#bottom-line").bounding_box()
            assert box is not None
            assert box["y"] < 900
            sentences = page.locator("#bottom-line li").all_inner_texts()
            binary = [q for q in scenario.questions if q.type == "binary"]
            for question, sentence in zip(binary, sentences, strict=False):
                probability = document["simulation"]["questions"][question.id]["probability"]
                assert sentence.lower().startswith(estimative(probability)), sentence
                assert question.text in sentence
            visible = page.inner_text("body")
            assert "modifiers[" not in visible
            assert "events." not in visible
            page.wait_for_function(
                "[...document.querySelectorAll('.js-plotly-plot')]"
                ".every(p => p.querySelector('.main-svg'))",
                timeout=30_000,
            )
            ticks = " ".join(
                page.locator(".js-plotly-plot").first.locator(".xtick text").all_text_contents()
            )
            assert re.search(r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)", ticks), ticks
            page.get_by_text("Show the table").click()
            cited = next(r["evidence"][0] for r in document["provenance"] if r["evidence"])
            claim = next(c.text for c in scenario.claims if c.id == cited)
            assert claim[:40] in page.inner_text("body")
            # Each quoted claim links to its source, listed (and the seed article embedded).
            link = page.locator("a[href^='#source-']").first
            target = link.get_attribute("href")
            assert target is not None
            link.click()
            assert page.evaluate("location.hash") == target
            assert page.locator(target).is_visible()
            # A driver links to its number's provenance row (the closed table opens on arrival).
            driver = page.locator("a[href^='#number-']").first
            driver.click()
            row = page.locator(f"[id='{driver.get_attribute('href')[1:]}']")
            assert row.is_visible()
            page.get_by_text("Read the source").first.click()
            assert "disarm and dismantle Iran-linked militias" in page.inner_text("body")
        finally:
            browser.close()


def test_track_record_section_shows_scores_and_the_reliability_diagram() -> None:
    import numpy as np

    from tightrope.forecasts.scoring import calibration
    from tightrope.report.html import _track_record

    probabilities = np.array([0.1, 0.3, 0.5, 0.7, 0.9] * 4)
    outcomes = np.array([0, 0, 1, 1, 1] * 4, dtype=float)
    track = {
        "questions": [
            {
                "question": "q1",
                "outcome": "yes",
                "days_open": 30,
                "brier": 0.09,
                "log": 0.36,
                "rps": None,
                "brier_first_held": 0.25,
                "rps_first_held": None,
            }
        ],
        "summary": {"mean_brier": 0.09, "mean_brier_first_held": 0.25},
        "calibration": calibration(probabilities, outcomes),
        "skill": {"base_rate": 0.6, "brier_skill_score": 0.625, "ci95": [0.31, 0.8]},
    }
    section = _track_record(track)
    assert "(60% of these questions resolved yes" in section
    assert "<strong>0.62</strong> [0.31, 0.80]" in section
    assert "Reliability diagram" in section
    assert "0.090" in section
    assert "<td class='num'>0.250</td>" in section
    assert "(first forecast held: 0.25)" in section
    assert "Plotly.newPlot" in section


HOSTILE = "</script><script>window.__pwned = 1</script><img src=x onerror='window.__pwned = 2'>"


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("TIGHTROPE_REQUIRE_BROWSER"),
    reason="Chromium is not installed (CI installs it and sets TIGHTROPE_REQUIRE_BROWSER)",
)
def test_scenario_text_is_data_never_markup(tmp_path: Path) -> None:
    """Title, labels, names, notes and claim quotes that carry </script>, <script> and <img
    onerror>: the report shows them as text and runs none of them, charts included."""
    from playwright.sync_api import sync_playwright

    import tightrope
    from tightrope.scenario.schema import Scenario

    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    data["title"] = HOSTILE
    data["actors"][0]["name"] = HOSTILE
    data["issues"][0]["label"] = HOSTILE
    data["state"][0]["label"] = HOSTILE
    data["events"][0]["label"] = HOSTILE
    data["questions"][0]["text"] = HOSTILE
    data["questions"][6]["levels"][0]["label"] = HOSTILE
    data["claims"][0]["text"] = HOSTILE
    for event in data["events"]:
        for modifier in event.get("modifiers", []):
            modifier["note"] = HOSTILE
    scenario = Scenario.model_validate(data)
    result = tightrope.forecast(scenario, runs=4000, bargaining_samples=10, seed=1)
    result.save(tmp_path)
    report = tmp_path / "report.html"
    assert CHROMIUM is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(report.as_uri(), wait_until="load")
            page.wait_for_function(
                "[...document.querySelectorAll('.js-plotly-plot')]"
                ".every(p => p.querySelector('.main-svg'))",
                timeout=30_000,
            )
            assert page.evaluate("window.__pwned") is None
            assert page.locator("img").count() == 0
            assert "window.__pwned = 1" in page.inner_text("h1")
            chart_text = " ".join(page.locator(".js-plotly-plot text").all_text_contents())
            assert "<script>" in chart_text or "</script>" in chart_text
            assert dialogs == []
        finally:
            browser.close()


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("TIGHTROPE_REQUIRE_BROWSER"),
    reason="Chromium is not installed (CI installs it and sets TIGHTROPE_REQUIRE_BROWSER)",
)
def test_pdf_pages_render(tmp_path: Path) -> None:
    """`forecast --pdf` prints the report with Chromium: page 1 renders (not blank) and the
    brief is written beside it."""
    import pypdfium2

    result = CliRunner().invoke(
        app,
        [
            "forecast",
            "--runs",
            "4000",
            "--bargaining-samples",
            "10",
            "--pdf",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.stderr
    document = pypdfium2.PdfDocument(tmp_path / "report.pdf")
    assert len(document) > 3
    first = document[0].render(scale=1).to_numpy()
    assert first.std() > 10  # text and tables, not a blank page
    assert (tmp_path / "brief.md").read_text().startswith("# Iraq between US pressure")
