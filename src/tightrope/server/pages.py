"""The workbench's pages, rendered on the server from the API's documents. Scenario text is data,
never markup: every text is escaped here, and data for the page's script goes in a JSON block
whose ``<`` are escaped so that no ``</script>`` can close it."""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any
from urllib.parse import quote

from tightrope.report.html import STYLE, history_section, plotly_script, render_report
from tightrope.report.numbers import error_points
from tightrope.scenario.schema import Scenario
from tightrope.server.store import Entry

PLOTLY = "/static/plotly.min.js"
WORKBENCH_STYLE = """
nav.top { display: flex; gap: 1.2rem; align-items: baseline; border-bottom: 2px solid #222;
          padding-bottom: 0.4rem; margin-bottom: 1rem; flex-wrap: wrap; }
nav.top strong { font-size: 1.1rem; } .up { color: #b00; } .down { color: #060; }
.lever { display: grid; grid-template-columns: 22rem 14rem; gap: 0.3rem; align-items: center; }
.lever.seen { grid-template-columns: 22rem 30rem; } .seen input[type=number] { width: 6rem; }
.param { display: grid; grid-template-columns: 28rem 12rem 5rem; gap: 0.4rem; font-size: 0.85rem; }
textarea { width: 100%; height: 32rem; font-family: monospace; font-size: 0.85rem; }
button { padding: 0.3rem 1rem; } .problems li { color: #b00; font-family: monospace; }
.problems li.note { color: inherit; }
"""


def text(value: Any) -> str:
    return html.escape(str(value))


def link(path: str) -> str:
    return html.escape(path, quote=True)


def page(
    title: str, body: str, *, plotly: bool = False, script: str = "", scenario: str | None = None
) -> str:
    """A whole page: the head, the navigation (with the scenario's own links) and ``body``."""
    head = plotly_script(PLOTLY) if plotly else ""
    tail = f"<script src='/static/{script}'></script>" if script else ""
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{text(title)}</title><style>{STYLE}{WORKBENCH_STYLE}</style>{head}</head>"
        f"<body>{navigation(scenario)}{body}{tail}</body></html>\n"
    )


def navigation(scenario_id: str | None = None) -> str:
    """The links at the top of every page; a scenario's pages add its forecast, what-if,
    compare and edit links."""
    links = ["<strong>tightrope</strong>", "<a href='/'>Board</a>"]
    if scenario_id is not None:
        base = f"/scenarios/{quote(scenario_id)}"
        links += [
            f"<a href='{link(base)}'>Forecast</a>",
            f"<a href='{link(base)}/what-if'>What if</a>",
            f"<a href='/compare?a={quote(scenario_id)}'>Compare</a>",
            f"<a href='{link(base)}/edit'>Edit</a>",
        ]
    links += ["<a href='/edit'>New or upload</a>", "<a href='/openapi.json'>HTTP API (OpenAPI)</a>"]
    return "<nav class='top'>" + " ".join(links) + "</nav>"


def data_block(element_id: str, data: Any) -> str:
    """JSON for the page's script, safe inside HTML: ``<`` and ``&`` become JSON escapes."""
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace("&", "\\u0026")
    return f"<script type='application/json' id='{element_id}'>{payload}</script>"


def arrow(change: float | None, noise: float | None = None) -> str:
    """CrisisWatch-style: up, down or unchanged since the last record. Unchanged is within
    the Monte Carlo noise of the difference (twice its standard error) when the record kept its
    error, else within one point."""
    if change is None:
        return "<span class='note'>no earlier record</span>"
    threshold = max(0.01, noise or 0.0)
    if change >= threshold:
        return f"<span class='up' title='up since the last record'>▲ {change:+.0%}</span>"
    if change <= -threshold:
        return f"<span class='down' title='down since the last record'>▼ {change:+.0%}</span>"
    title = "" if noise is None else f" title='a move of {change:+.1%}, within the noise'"
    return f"<span class='note'{title}>= unchanged</span>"


def board(rows: list[dict[str, Any]]) -> str:
    """Every scenario and its questions: the forecast now and the arrow since the last record."""
    parts = [
        "<h1>Scenarios and questions</h1><p class='note'>Each question's forecast now (the "
        "scenario as it stands, a quick simulation) and its move since the last forecast "
        "recorded in the registry (▲ up, ▼ down, = within one point or within the Monte Carlo "
        "noise of the difference, twice its standard error, whichever is larger).</p>"
    ]
    for row in rows:
        entry: Entry = row["entry"]
        href = f"/scenarios/{quote(entry.id)}"
        if entry.scenario is None:
            parts.append(
                f"<h2>{text(entry.id)} <span class='note'>({text(entry.origin)}, invalid)</span>"
                "</h2><ul class='problems'>"
                + "".join(f"<li>{text(problem)}</li>" for problem in entry.problems)
                + "</ul>"
            )
            continue
        parts.append(
            f"<h2><a href='{link(href)}'>{text(entry.scenario.title)}</a> "
            f"<span class='note'>{text(entry.id)} · {text(entry.origin)}</span></h2>"
            "<table><tr><th>question</th><th>forecast now</th><th>since last record</th></tr>"
        )
        for question in row["questions"]:
            qhref = f"{href}/questions/{quote(question['id'])}"
            parts.append(
                f"<tr><td><a href='{link(qhref)}'>{text(question['text'])}</a></td>"
                f"<td class='num'>{text(question['now'])}</td>"
                f"<td>{arrow(question['change'], question.get('noise'))}</td></tr>"
            )
        parts.append("</table>")
    return page("tightrope workbench", "".join(parts))


def scenario_page(
    document: dict[str, Any],
    scenario: Scenario,
    as_of: dt.date | None = None,
    track_record: dict[str, Any] | None = None,
) -> str:
    """The forecast report (bottom line, questions over time, ladder, fans, settlements,
    drivers, provenance with sources), with the workbench's navigation above it and, on a
    scenario that records observations, a line saying whether the forecast uses them."""
    banner = f"<style>{WORKBENCH_STYLE}</style>{navigation(scenario.id)}"
    if scenario.observations:
        records, latest = _observations_recorded(scenario)
        here = f"/scenarios/{quote(scenario.id)}"
        if as_of is None:
            banner += (
                f"<p class='note' id='evidence'>{records}. This forecast is as of "
                f"{scenario.as_of.isoformat()}, without them: <a href='{link(here)}?as_of="
                f"{latest}'>the forecast conditioned on them as of {latest}</a> (or give "
                "<code>?as_of=DATE</code>).</p>"
            )
        else:
            banner += (
                f"<p class='note' id='evidence'>{records}. This forecast is conditioned on those "
                f"known by {as_of.isoformat()}: <a href='{link(here)}'>the forecast as of "
                f"{scenario.as_of.isoformat()}, without them</a>.</p>"
            )
    return render_report(document, scenario, track_record, plotly_src=PLOTLY, banner=banner)


def _unreachable(scenario: Scenario) -> str:
    """The note on the levels no run can reach (◇ in the table), if the scenario has any."""
    from tightrope.results import unreachable_note
    from tightrope.scenario.checks import unreachable_levels

    note = unreachable_note(unreachable_levels(scenario), scenario)
    return "" if note is None else f"<p class='note' id='unreachable'>{text(note)}</p>"


def what_if_page(scenario: Scenario, parameters: list[dict[str, Any]], runs: int) -> str:
    """The what-if page: levers and parameters to change, run in the browser through the API
    (for a scenario without events, a line saying there is nothing to simulate)."""
    if not scenario.events:
        body = (
            f"<h1>What if: {text(scenario.title)}</h1><p>This scenario has no events, so there "
            "is nothing to simulate or force: its bargaining over the issues is on the "
            f"<a href='/scenarios/{quote(scenario.id)}'>forecast page</a>.</p>"
        )
        return page(f"What if: {scenario.title}", body, scenario=scenario.id)
    from tightrope.dynamics.model import simulated_months
    from tightrope.report.html import _calendar

    months = list(range(1, simulated_months(scenario) + 1))
    ends = _calendar(scenario, months)
    starts = [scenario.as_of.isoformat(), *ends[:-1]]
    choices = "".join(
        f"<option value='{m}'>forced in month {m} ({text(start)} to {text(end)})</option>"
        for m, start, end in zip(months, starts, ends, strict=True)
    )
    rows = []
    # Levers first (the actors' choices), then the other events.
    for event in sorted(scenario.events, key=lambda e: not e.lever):
        note = "" if event.lever else " <span class='note'>(not a lever)</span>"
        rows.append(
            f"<label for='lever-{link(event.id)}'>{text(event.label)}{note}</label>"
            f"<select id='lever-{link(event.id)}' data-event='{link(event.id)}'>"
            "<option value=''>as modelled</option><option value='forbid'>never happens</option>"
            f"{choices}</select>"
        )
    body = (
        f"<h1>What if: {text(scenario.title)}</h1><p class='note'>Force or forbid events, move "
        "uncertain numbers within their ranges, and run: the what-if and the baseline use the "
        f"same seed and the same random numbers ({runs:,} runs), so their difference and its "
        "standard error (clustered by parameter sample) show the what-if's own effect. The "
        "page's address keeps the last what-if run: a colleague who opens it gets the same one."
        "</p>"
        "<h2>Events</h2><div class='lever'>" + "".join(rows) + "</div>"
        "<details><summary>Uncertain numbers (sliders within each elicited range)</summary>"
        "<div id='parameters'></div></details>"
        + _evidence(scenario)
        + f"<p><label>runs <input id='runs' type='number' min='1000' max='{runs}' value='{runs}'>"
        "</label> <label>seed <input id='seed' type='number' min='0' value='0'></label> "
        "<button id='run'>Run the what-if</button> <span id='status' class='note'></span></p>"
        "<h2>Baseline and what-if</h2><div id='chart' style='height:420px'></div>"
        "<table id='results'><thead><tr><th>question</th><th>baseline</th><th>what-if</th>"
        "<th>difference ± standard error</th></tr></thead><tbody></tbody></table>"
        + _unreachable(scenario)
        + data_block(
            "workbench-data",
            {
                "scenario": scenario.id,
                "questions": {q.id: q.text for q in scenario.questions},
                "levels": {q.id: {v.id: v.label for v in q.levels} for q in scenario.questions},
                "parameters": parameters,
            },
        )
    )
    return page(
        f"What if: {scenario.title}", body, plotly=True, script="workbench.js", scenario=scenario.id
    )


def _observations_recorded(scenario: Scenario) -> tuple[str, str]:
    """'This scenario records 2 observations, the latest on 2025-06-13', and that date."""
    count = len(scenario.observations)
    latest = max(observation.day for observation in scenario.observations).isoformat()
    plural = "" if count == 1 else "s"
    return f"This scenario records {count} observation{plural}, the latest on {latest}", latest


def _evidence(scenario: Scenario) -> str:
    """The evidence panel: the scenario's own observations, those the user adds here, the events
    that could happen unseen, and the date to condition the baseline and the what-if on."""
    start = scenario.as_of.isoformat()
    records = (
        _observations_recorded(scenario)[0] + "."
        if scenario.observations
        else "This scenario records no observations."
    )
    seen = []
    for event in scenario.events:
        # The option's value is the observation's form and its id: date (it happened), ended,
        # under_way.
        forms = ("date", "ended", "under_way") if event.duration is not None else ("date",)
        for form in forms:
            words = {"date": "happened", "ended": "ended", "under_way": "under way"}[form]
            seen.append(
                f"<option value='{form}:{link(event.id)}'>{text(event.label)}: {words}</option>"
            )
    for variable in scenario.state:
        unit = f" ({text(variable.unit)})" if variable.unit else ""
        seen.append(
            f"<option value='variable:{link(variable.id)}'>{text(variable.label)}{unit}: "
            "measured</option>"
        )
    if scenario.coupling is not None:  # a settlement or a position read, on 0–100
        names = {actor.id: actor.name for actor in scenario.actors}
        for issue in scenario.issues:
            stances = scenario.positions.get(issue.id, {})
            if not stances:
                continue
            seen.append(
                f"<option value='settlement:{link(issue.id)}'>{text(issue.label)}: where it "
                "settled (0–100)</option>"
            )
            seen += [
                f"<option value='position:{link(issue.id)}.{link(actor)}'>"
                f"{text(names[actor])}'s position on {text(issue.label)} (0–100)</option>"
                for actor in stances
            ]
    unseen = "".join(
        f"<tr><td>{text(event.label)}</td><td><input type='checkbox' "
        f"data-unseen='{link(event.id)}' aria-label='could happen unseen'"
        + (" checked disabled" if event.id in scenario.unobserved else "")
        + f"></td><td>{_sources_end(scenario, event.id)}</td></tr>"
        for event in scenario.events
    )
    return (
        f"<h2>Evidence</h2><p class='note'>{records} Add what has been seen since {start} and "
        "give the date to forecast as of: both runs are conditioned on what was seen up to it, "
        "and the what-if acts only from the first month that starts after it (a force before "
        "then is refused). An event not seen by then is taken not to have happened, unless it "
        f"could happen unseen. Empty date: the forecast as of {start}, without the evidence.</p>"
        "<div class='lever seen'><label for='seen-what'>seen</label><select id='seen-what'>"
        + "".join(seen)
        + f"</select><label for='seen-date'>on</label><input id='seen-date' type='date' "
        f"min='{start}'><label for='seen-value'>a measurement's value and its standard "
        "deviation</label><span><input id='seen-value' type='number' step='any'> ± "
        "<input id='seen-sd' type='number' step='any' min='0'></span>"
        "<label for='seen-reliability'>chance the report is right</label><input "
        "id='seen-reliability' type='number' min='0.01' max='1' step='0.01' value='1'></div>"
        "<p><button id='seen-add'>Add the observation</button></p>"
        "<table id='seen' hidden><thead><tr><th>added here</th><th></th></tr></thead>"
        "<tbody></tbody></table><details><summary>Events that could happen unseen (not "
        "seeing them says nothing), or whose sources end on a day (not seeing them says "
        "something only for the whole months up to it)</summary><table><thead><tr><th>event"
        "</th><th>could happen unseen</th><th>its sources end on</th></tr></thead><tbody>"
        f"{unseen}</tbody></table></details><p><label>as of "
        f"<input id='as-of' type='date' min='{start}'></label></p>"
    )


def _sources_end(scenario: Scenario, event: str) -> str:
    """A date field for the day an event's sources end (``watched_until``); the scenario's own
    day, when it gives one, shown and fixed."""
    given = scenario.watched_until.get(event)
    fixed = f" value='{given.day.isoformat()}' disabled" if given is not None else ""
    return (
        f"<input type='date' data-watched='{link(event)}' aria-label='its sources end on' "
        f"min='{scenario.as_of.isoformat()}'{fixed}>"
    )


# A resolved question's scores as the question page names them.
SCORE_WORDS = {
    "brier": "Brier",
    "log": "log",
    "rps": "RPS",
    "brier_first_held": "Brier had the first forecast been kept",
    "rps_first_held": "RPS had the first forecast been kept",
}


def question_page(
    scenario: Scenario,
    question_id: str,
    now: str,
    history: list[dict[str, Any]],
    observations: list[dict[str, str]],
    resolution: dict[str, Any] | None,
    score: dict[str, Any] | None,
) -> str:
    """One question: its forecast now, its recorded history (chart and table), the
    observations and, once resolved, its outcome and score."""
    question = scenario.question(question_id)
    labels = {level.id: level.label for level in question.levels}  # yes and no have none
    parts = [
        f"<h1>{text(question.text)}</h1><table class='meta'>"
        f"<tr><td>scenario</td><td>{text(scenario.title)}</td></tr>"
        f"<tr><td>resolves</td><td>{text(question.resolution)}</td></tr>"
        f"<tr><td>deadline</td><td>{text(question.deadline)}</td></tr>"
        f"<tr><td>forecast now</td><td>{text(now)}</td></tr>"
    ]
    if resolution is not None:
        outcome = labels.get(resolution["outcome"], resolution["outcome"])  # yes/no as they are
        parts.append(
            f"<tr><td>resolved</td><td>{text(outcome)} on {text(resolution['date'])}</td></tr>"
        )
    if score is not None:
        shown = ", ".join(
            f"{SCORE_WORDS[k]} {v:.3f}"
            for k, v in score.items()
            if k in SCORE_WORDS and v is not None
        )
        parts.append(f"<tr><td>score</td><td>{text(shown)}</td></tr>")
    parts.append("</table>")
    if history:
        parts.append(history_section(history, observations))
        parts.append(
            "<h2>Recorded forecasts</h2><table><tr><th>date</th><th>run</th><th>forecast</th>"
            "<th>scenario version</th></tr>"
        )
        for row in history:
            errors = row.get("mc_errors") or {}
            shown = (
                f"{row['probability']:.1%} {error_points(row.get('mc_error'))}".strip()
                if row["probability"] is not None
                else "; ".join(
                    f"{labels.get(k, k)}: {v:.0%} {error_points(errors.get(k))}".strip()
                    for k, v in (row["distribution"] or {}).items()
                )
            )
            parts.append(
                f"<tr><td>{text(row['date'])}</td><td>{text(row['run'])}</td>"
                f"<td>{text(shown)}</td><td>{text(row['scenario_hash'])}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append(
            "<p class='note'>No forecast of this question is recorded yet "
            "(<code>tightrope forecast --record</code> or the API's record).</p>"
        )
    return page(question.text, "".join(parts), plotly=bool(history), scenario=scenario.id)


def compare_page(
    entries: list[Entry], first: str | None, second: str | None, result: dict[str, Any] | None
) -> str:
    """Two scenarios side by side: what changed between them and how the forecast moved."""
    options = "".join(
        f"<option value='{link(e.id)}'{{}}>{text(e.id)}</option>" for e in entries if e.scenario
    )

    def select(name: str, chosen: str | None) -> str:
        picks = [" selected" if e.id == chosen else "" for e in entries if e.scenario]
        return f"<select name='{name}'>" + options.format(*picks) + "</select>"

    parts = [
        "<h1>Compare two scenarios or versions</h1><form method='get' action='/compare'>"
        f"{select('a', first)} → {select('b', second)} <button>Compare</button></form>"
    ]
    if result is not None:
        changes = result.get("changes", [])
        parts.append(f"<h2>What changed in the inputs ({len(changes)})</h2>")
        parts.append("<table><tr><th>input</th><th>change</th><th>before</th><th>after</th></tr>")
        for change in changes:
            cells = (
                text(change.get(key, ""))
                for key in ("label" if "label" in change else "path", "kind", "before", "after")
            )
            parts.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
        parts.append("</table>")
        moved = result.get("forecast", {}).get("questions", {})
        if moved:
            parts.append(
                "<h2>How the forecast moved</h2><p class='note'>Both versions simulated with the "
                "same seed and runs; a move counts when it exceeds two standard errors.</p>"
                "<table><tr><th>question</th><th>level</th><th>before</th><th>after</th>"
                "<th>move ± s.e.</th><th>moved most by</th></tr>"
            )
            for question, move in moved.items():
                mover = move.get("moved_most_by") or {}
                most = mover.get("label", mover.get("change", ""))
                for level, before in move["first"].items():
                    flag = " ✱" if move["moved"][level] else ""
                    parts.append(
                        f"<tr><td>{text(question)}</td><td>{text(level)}</td>"
                        f"<td class='num'>{_number(before)}</td>"
                        f"<td class='num'>{_number(move['second'][level])}</td>"
                        f"<td class='num'>{_number(move['move'][level])} ± "
                        f"{_number(move['se'][level])}{flag}</td><td>{text(most)}</td></tr>"
                    )
            parts.append("</table>")
    return page("Compare", "".join(parts))


def _number(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) else text(value or "")


def editor_page(scenario_id: str | None, source: str) -> str:
    """The editor: a scenario's text to validate and save as a new scenario."""
    title = f"Edit a copy of {scenario_id}" if scenario_id else "Write or upload a scenario"
    body = (
        f"<h1>{text(title)}</h1><p class='note'>Validate checks the text as <code>tightrope "
        "validate</code> does (each problem with its line and field); Save keeps a valid "
        "scenario in the server's data folder under its id.</p>"
        "<p><input type='file' id='file' accept='.yaml,.yml'></p>"
        f"<textarea id='source' spellcheck='false'>{text(source)}</textarea>"
        "<p><button id='validate'>Validate</button> <button id='save'>Save</button> "
        "<span id='status' class='note'></span></p><ul id='problems' class='problems'></ul>"
    )
    return page(title, body, script="editor.js", scenario=scenario_id)
