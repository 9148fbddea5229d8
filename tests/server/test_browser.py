"""The workbench in a real browser (Debian's Chromium driven by Playwright), every request
outside the server blocked: the board, a scenario, the what-if panel, a question page, and
hostile scenario text shown as text on every page."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from tests.server.conftest import LiveServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("TIGHTROPE_REQUIRE_BROWSER"),
    reason="Chromium is not installed (CI installs it and sets TIGHTROPE_REQUIRE_BROWSER)",
)


@pytest.fixture(scope="module")
def browser_page(live: LiveServer) -> Iterator[tuple[Any, list[str], list[str]]]:
    from playwright.sync_api import Route, sync_playwright

    assert CHROMIUM is not None, "CI must install Debian's chromium"
    outside: list[str] = []
    errors: list[str] = []

    def guard(route: Route) -> None:
        if route.request.url.startswith((live.url, "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.route("**/*", guard)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("dialog", lambda dialog: (errors.append(dialog.message), dialog.dismiss()))
        try:
            yield page, outside, errors
        finally:
            browser.close()


def test_board_scenario_what_if_and_question_pages(
    live: LiveServer, browser_page: tuple[Any, list[str], list[str]]
) -> None:
    page, outside, errors = browser_page
    page.goto(live.url + "/", wait_until="load")
    assert "Will the US carry out military strikes" in page.inner_text("body")
    page.click("text=Iraq between US pressure and Iran (March 2025)")
    plots = "[...document.querySelectorAll('.js-plotly-plot')]"
    page.wait_for_function(
        f"{plots}.length > 5 && {plots}.every(p => p.querySelector('.main-svg'))", timeout=60_000
    )
    assert page.locator("#bottom-line").count() == 1
    # The what-if panel: force US casualties in the second month and run.
    page.goto(live.url + "/scenarios/iraq-2025/what-if", wait_until="load")
    page.wait_for_function("document.body.dataset.ran === '1'", timeout=60_000)
    q2 = page.locator("#results tr[data-question='q2_us_strikes']")
    baseline_row = q2.inner_text()
    assert "no what-if set: the baseline alone" in page.inner_text("#status")
    page.select_option("#lever-us_casualties", "2")
    page.click("#run")
    page.wait_for_function("document.body.dataset.ran === '2'", timeout=60_000)
    cells = q2.locator("td").all_inner_texts()
    baseline, what_if = (float(cell.rstrip("%")) for cell in cells[1:3])
    assert what_if > baseline + 10, cells
    change = re.fullmatch(r"\+(\d+\.(\d+)) ± \d+\.(\d+) pt", cells[3])
    assert change is not None, cells
    assert len(change[2]) == len(change[3]), cells  # the error's digits, as the reports write
    assert abs(float(change[1]) - (what_if - baseline)) < 0.2, cells
    assert "no what-if set" not in page.inner_text("#status")
    assert q2.inner_text() != baseline_row
    bars = page.evaluate(
        "document.getElementById('chart').data.map(t => t.x[t.y.findIndex("
        "y => y.startsWith('Will the US carry out military strikes'))])"
    )
    assert bars[1] > bars[0] + 0.1
    page.goto(live.url + "/scenarios/iraq-2025/questions/q2_us_strikes", wait_until="load")
    assert "Will the US carry out military strikes" in page.inner_text("h1")
    assert "forecast now" in page.inner_text("body")
    assert errors == []
    assert outside == []


def test_the_what_if_panel_conditions_on_the_evidence(
    live: LiveServer, browser_page: tuple[Any, list[str], list[str]]
) -> None:
    """On a scenario with observations: as of 2025-07-01, forbidding US strikes acts from
    16 July (month 5) and leaves the chance of strikes before then; a force in an earlier month
    is refused in one line; a run count below the minimum names its field."""
    page, outside, errors = browser_page
    page.goto(live.url + "/scenarios/iraq-2025-seen/what-if", wait_until="load")
    page.wait_for_function("document.body.dataset.ran === '1'", timeout=60_000)
    recorded = "This scenario records 2 observations, the latest on 2025-06-13. Add what"
    assert recorded in page.inner_text("body")
    page.fill("#as-of", "2025-07-01")
    page.select_option("#lever-us_strikes", "forbid")
    page.click("#run")
    page.wait_for_function("document.body.dataset.ran === '2'", timeout=60_000)
    status = page.inner_text("#status")
    assert "conditioned on the evidence up to 2025-07-01" in status
    assert "the what-if acts from 2025-07-16 (month 5)" in status
    cells = page.locator("#results tr[data-question='q2_us_strikes'] td").all_inner_texts()
    # The README's figures (20,000 runs, seed 0); 8.7 % is the chance of strikes before 16 July.
    assert cells[1:3] == ["31.6%", "8.7%"]
    page.select_option("#lever-us_strikes", "")
    page.select_option("#lever-us_casualties", "2")
    page.click("#run")
    page.wait_for_function(
        "document.getElementById('status').textContent.includes('month 5')", timeout=60_000
    )
    assert page.inner_text("#status").startswith("force us_casualties@2: month 2 ends on")
    page.fill("#runs", "0")
    page.click("#run")
    page.wait_for_function(
        "document.getElementById('status').textContent.startsWith('runs:')", timeout=60_000
    )
    assert page.inner_text("#status") == "runs: Input should be greater than or equal to 1"
    assert errors == []
    assert outside == []


def test_a_position_read_on_the_page_conditions_the_forecast(
    live: LiveServer, browser_page: tuple[Any, list[str], list[str]]
) -> None:
    """A coupled scenario's page offers the settlements and positions as readings on 0–100: one
    off the scale is refused in one line naming it; a good one conditions the runs."""
    page, outside, errors = browser_page
    page.goto(live.url + "/scenarios/iraq-2025/what-if", wait_until="load")
    page.wait_for_function("document.body.dataset.ran === '1'", timeout=60_000)
    page.select_option("#seen-what", "position:iran_ties.iraq_gov")
    page.fill("#seen-date", "2025-07-01")
    page.fill("#seen-value", "120")
    page.fill("#seen-sd", "10")
    page.click("#seen-add")
    assert page.inner_text("#seen tbody tr td >> nth=0").endswith("on 2025-07-01: 120 ± 10")
    assert "position on" in page.inner_text("#seen tbody tr td >> nth=0")
    page.click("#run")
    page.wait_for_function(
        "document.getElementById('status').textContent.startsWith('given')", timeout=60_000
    )
    assert page.inner_text("#status") == (
        "given observations: observations[0].value: 120 is outside the issue's scale [0, 100]"
    )
    page.locator("#seen tbody tr").nth(0).locator("button").click()
    page.select_option("#seen-what", "settlement:militia_disarmament")
    page.fill("#seen-value", "30")
    page.click("#seen-add")
    page.click("#run")
    page.wait_for_function("document.body.dataset.ran === '2'", timeout=60_000)
    assert "conditioned on the evidence up to 2025-07-01 (" in page.inner_text("#status")
    assert errors == []
    assert outside == []


def test_evidence_added_on_the_page_is_the_files(
    live: LiveServer, browser_page: tuple[Any, list[str], list[str]]
) -> None:
    """The built-in case with the example file's two sightings and its unseen events added on
    the page gives the figures of the scenario that records them (31.6 % and 8.7 % above); a
    sighting without a date is stopped on the page, one the scenario cannot take is refused in
    one line naming it, and a removed one is gone from the request."""
    page, outside, errors = browser_page
    page.goto(live.url + "/scenarios/iraq-2025/what-if", wait_until="load")
    page.wait_for_function("document.body.dataset.ran === '1'", timeout=60_000)
    assert "This scenario records no observations." in page.inner_text("body")
    assert page.locator("#seen").is_hidden()  # the table of added observations, while empty
    page.select_option("#seen-what", "date:israel_escalation")
    page.click("#seen-add")
    assert page.inner_text("#status") == "seen: give the date it was seen"
    for day in ("2025-03-18", "2025-06-13"):
        page.fill("#seen-date", day)
        page.click("#seen-add")
    assert page.input_value("#as-of") == "2025-06-13"  # the latest sighting, until changed
    assert page.locator("#seen").is_visible()
    page.select_option("#seen-what", "variable:electricity_deficit")
    page.fill("#seen-value", "1e20")
    page.fill("#seen-sd", "1")
    page.click("#seen-add")
    page.click("#run")
    page.wait_for_function(
        "document.getElementById('status').textContent.startsWith('given')", timeout=60_000
    )
    assert page.inner_text("#status") == (
        "given observations: observations[2]: value is larger than tightrope computes with (10^12)"
    )
    page.locator("#seen tbody tr").nth(2).locator("button").click()
    assert page.locator("#seen tbody tr").count() == 2
    page.click("summary:has-text('could happen unseen')")
    for box in page.locator("input[data-unseen]").all():
        box.check()
    page.fill("#as-of", "2025-07-01")
    page.select_option("#lever-us_strikes", "forbid")
    page.click("#run")
    page.wait_for_function("document.body.dataset.ran === '2'", timeout=60_000)
    assert "conditioned on the evidence up to 2025-07-01 (" in page.inner_text("#status")
    cells = page.locator("#results tr[data-question='q2_us_strikes'] td").all_inner_texts()
    assert cells[1:3] == ["31.6%", "8.7%"]
    # The address now holds this what-if: opened afresh, the page sets it up and runs it again.
    link = page.url
    assert "#" in link
    page.goto("about:blank")
    page.goto(link, wait_until="load")
    page.wait_for_function("document.body.dataset.ran === '1'", timeout=60_000)
    assert page.locator("#seen tbody tr").count() == 2
    assert page.input_value("#as-of") == "2025-07-01"
    assert page.input_value("#lever-us_strikes") == "forbid"
    again = page.locator("#results tr[data-question='q2_us_strikes'] td").all_inner_texts()
    assert again == cells
    # An earlier forecast date leaves the later sighting out, and the status line says so.
    page.fill("#as-of", "2025-06-01")
    page.click("#run")
    page.wait_for_function("document.body.dataset.ran === '2'", timeout=60_000)
    assert "left out: 1 observation dated after 2025-06-01;" in page.inner_text("#status")
    page.goto("about:blank")
    page.goto(live.url + "/scenarios/iraq-2025/what-if#%7Bnot-json", wait_until="load")
    page.wait_for_function("document.body.dataset.ran === '1'", timeout=60_000)
    assert page.locator("#seen tbody tr").count() == 0  # an unreadable link: the defaults
    assert page.input_value("#lever-us_strikes") == ""
    assert page.inner_text("#status").endswith(
        "this link's what-if could not be read: the page's defaults"
    )
    assert errors == []
    assert outside == []


def test_the_what_if_panel_takes_the_day_an_events_sources_end(
    live: LiveServer, browser_page: tuple[Any, list[str], list[str]]
) -> None:
    """As of 1 July with nothing seen, US strikes are known absent through June; with their
    sources ending on 20 April, only through the first whole month (to 15 April). The page gives
    the Python API's figure for each (20,000 runs, seed 0), and its link keeps the day."""
    import tightrope

    scenario = tightrope.load("iraq-2025")
    chances = []
    for watched in ({}, {"us_strikes": "2025-04-20"}):
        observed = tightrope.observe(scenario, [], watched_until=watched) if watched else scenario
        result = tightrope.simulate(observed, runs=20_000, as_of="2025-07-01", drivers="none")
        chances.append(result.to_dict()["questions"]["q2_us_strikes"]["probability"])
    assert chances[1] > chances[0]  # fewer months known without strikes: a higher chance
    expected = [f"{100 * chance:.1f}%" for chance in chances]
    page, outside, errors = browser_page
    page.goto(live.url + "/scenarios/iraq-2025/what-if", wait_until="load")
    page.wait_for_function("document.body.dataset.ran === '1'", timeout=60_000)
    q2 = page.locator("#results tr[data-question='q2_us_strikes'] td")
    page.fill("#as-of", "2025-07-01")
    page.click("#run")
    page.wait_for_function("document.body.dataset.ran === '2'", timeout=60_000)
    assert q2.all_inner_texts()[1] == expected[0]
    page.click("summary:has-text('whose sources end on a day')")
    page.fill("input[data-watched='us_strikes']", "2025-04-20")
    page.click("#run")
    page.wait_for_function("document.body.dataset.ran === '3'", timeout=60_000)
    assert q2.all_inner_texts()[1] == expected[1]
    link = page.url
    page.goto("about:blank")
    page.goto(link, wait_until="load")
    page.wait_for_function("document.body.dataset.ran === '1'", timeout=60_000)
    assert page.input_value("input[data-watched='us_strikes']") == "2025-04-20"
    assert q2.all_inner_texts()[1] == expected[1]
    # A hand-edited link: markup for a day, an unknown event, a number; none is taken.
    odd = {"as_of": "2025-07-01", "watched_until": {"us_strikes": "<b>x</b>", "nope": 5}}
    page.goto("about:blank")
    page.goto(live.url + "/scenarios/iraq-2025/what-if#" + quote(json.dumps(odd)))
    page.wait_for_function("document.body.dataset.ran === '1'", timeout=60_000)
    assert page.input_value("input[data-watched='us_strikes']") == ""
    assert q2.all_inner_texts()[1] == expected[0]
    assert errors == []
    assert outside == []


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/scenarios/hostile",
        "/scenarios/hostile/what-if",
        "/scenarios/hostile/questions/q2_us_strikes",
        # A hand-made link: markup where ids go, lists where mappings go, a mapping for a list.
        "/scenarios/hostile/what-if#"
        + quote(
            json.dumps(
                {
                    "force": {"event": "us_strikes"},
                    "set": ["x"],
                    "observations": [
                        {"event": "<img src=x onerror='window.__pwned = 1'>", "date": "2025-06-01"}
                    ],
                    "unobserved": "us_strikes",
                    "watched_until": ["us_strikes"],
                    "as_of": "<script>window.__pwned = 1</script>",
                }
            )
        ),
        "/scenarios/hostile/edit",
        "/compare?a=iraq-2025&b=hostile",
    ],
)
def test_hostile_scenario_text_is_shown_as_text(
    live: LiveServer, browser_page: tuple[Any, list[str], list[str]], path: str
) -> None:
    page, outside, errors = browser_page
    page.goto(live.url + path, wait_until="load")
    page.wait_for_load_state("networkidle", timeout=60_000)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img").count() == 0
    if path != "/compare?a=iraq-2025&b=hostile":
        assert "window.__pwned = 1" in page.inner_text("body") or "window.__pwned = 1" in (
            page.input_value("#source") if path.endswith("/edit") else ""
        )
    assert errors == []
    assert outside == []


def test_the_what_if_table_marks_a_level_no_run_can_reach(
    live: LiveServer, browser_page: tuple[Any, list[str], list[str]]
) -> None:
    """An uploaded copy of the built-in without the rule that lifts its ladder to the top rung:
    the what-if table marks that level's 0% with ◇, its reason on hover, as the reports do."""
    from tightrope.scenario.builtin import builtin_text

    page, outside, errors = browser_page
    rule = '      when: "active(militia_campaign) and occurred(us_strikes, within=1)"\n'
    text = builtin_text("iraq-2025").replace(rule, "").replace("id: iraq-2025", "id: no-top", 1)
    answer = page.request.post(live.url + "/api/scenarios", data={"text": text})
    assert answer.status == 201, answer.text()
    page.goto(live.url + "/scenarios/no-top/what-if", wait_until="load")
    page.wait_for_function("document.body.dataset.ran === '1'", timeout=60_000)
    marked = page.locator("#results tbody tr[data-level='sustained_conflict']")
    assert marked.inner_text().split("\t")[0].endswith("6 Sustained US–militia conflict ◇")
    assert "nothing in the model takes the ladder above 5" in (marked.get_attribute("title") or "")
    assert page.locator("#results tbody tr[title]").count() == 1
    below = page.inner_text("#unreachable")  # the reason in words under the table, too
    assert below.startswith("◇ no run can reach the level")
    assert "6 Sustained US–militia conflict (q8_max_ladder): nothing in the model" in below
    assert errors == []
    assert outside == []


def test_the_editor_lists_problems_then_a_valid_scenarios_notes(
    live: LiveServer, browser_page: tuple[Any, list[str], list[str]]
) -> None:
    """Validate in the editor: a problem in red with its line; once mended, the notes of a
    valid scenario (a question whose text names another day than its deadline)."""
    page, outside, errors = browser_page
    page.goto(live.url + "/scenarios/iraq-2025/edit", wait_until="load")
    text = page.input_value("#source")
    page.fill("#source", text.replace("horizon_months: 12", "horizon_months: -3"))
    page.click("#validate")
    page.wait_for_function("document.getElementById('status').textContent === 'not valid'")
    [problem] = page.locator("#problems li").all_inner_texts()
    assert problem.startswith("editor.yaml:")
    assert "horizon_months" in problem
    page.fill("#source", text.replace("Iraq by 31 March 2026?", "Iraq by 1 March 2026?"))
    page.click("#validate")
    page.wait_for_function("document.getElementById('status').textContent === 'valid'")
    [note] = page.locator("#problems li.note").all_inner_texts()
    assert note.startswith("note: questions[1].deadline: q2_us_strikes's text names 1 March")
    assert errors == []
    assert outside == []
