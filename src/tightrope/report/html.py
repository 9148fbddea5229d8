"""The self-contained HTML report of a forecast: plotly's JavaScript is embedded, so the file
opens offline and asks nothing of the network."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable
from typing import Any

import plotly.graph_objects as go
import plotly.io
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from tightrope.bargaining import MODELS
from tightrope.report.bottomline import (
    bottom_line,
    caution,
    moved_most_cell,
    resolution,
    resolved_in_words,
    run_in_words,
    scale_note,
    settled_in_words,
    what_if_in_words,
)
from tightrope.report.grid import before_the_evidence, settlement_grid
from tightrope.report.numbers import (
    OBSERVATIONS_CAPTION,
    change_points,
    drawn_range,
    error_points,
    no_driver_listed,
    number_range,
    one_by_one,
    percent,
    shown_drivers,
    skill_words,
    span,
)
from tightrope.results import (
    UNREACHABLE,
    given_runs,
    interval_note,
    question_results,
    unreachable_note,
)
from tightrope.scenario.schema import Observation, Question, Scenario

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f")
STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 2rem auto;
       max-width: 1100px; color: #222; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; width: 100%; }
th, td { border-bottom: 1px solid #eee; padding: 0.25rem 0.5rem; text-align: left;
         vertical-align: top; }
th { background: #f6f6f6; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num, td.levels { white-space: nowrap; }
.meta td:first-child { width: 14rem; color: #555; } .note { color: #555; font-size: 0.9rem; }
.unsupported { color: #b00; font-weight: bold; } details { margin: 0.5rem 0; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-before: page; break-after: avoid; }
  #bottom-line h2, h2:first-of-type { break-before: auto; }
  .js-plotly-plot, .plotly-graph-div, tr, li { break-inside: avoid; }
  details > summary { display: none; }
  details { display: block; }
  .modebar-container { display: none; }
}
"""


def render_report(
    document: dict[str, Any],
    scenario: Scenario,
    track_record: dict[str, Any] | None = None,
    *,
    plotly_src: str | None = None,
    banner: str = "",
) -> str:
    """The whole report as one HTML string: plotly's JavaScript embedded, or loaded from
    ``plotly_src`` (as the workbench serves it); ``banner`` is markup put first in the body."""
    sections = [banner, _header(document, scenario)]
    simulation = document.get("simulation")
    if simulation:
        if scenario.questions:
            sections.append(_bottom_line(document, scenario))
            resolved = document.get("conditioning", {}).get("resolved")
            sections.append(_questions(simulation, scenario, resolved))
        else:
            sections.append(
                "<h2>Questions</h2><p class='note'>The scenario asks no questions; the events "
                "and the state of the crisis are below.</p>"
            )
        if document.get("comparison"):
            sections.append(_what_ifs(document, scenario))
        if document.get("given"):
            sections.append(_given(document, scenario))
        if document.get("versions"):
            sections.append(_versions(document["versions"], scenario))
        if any("by_month" in result for result in simulation.get("questions", {}).values()):
            sections.append(
                _figure(
                    "Question probabilities over time",
                    _probabilities(simulation, scenario),
                    "Cumulative probability that each event question resolves yes: 0 on the "
                    "scenario's date, then by the end of each month; each line ends on its "
                    "question's deadline.",
                )
            )
        ordinal = _ordinal(simulation, scenario)
        if ordinal is not None:
            sections.append(_figure("Ordinal questions", ordinal, "Probability of each level."))
        if scenario.ladder is not None:
            sections.append(
                _figure(
                    "Escalation ladder: highest level reached",
                    _ladder(simulation, scenario),
                    "Share of runs whose highest level is each rung.",
                )
            )
        if simulation.get("variables"):
            sections.append(
                _state_section(simulation["variables"], scenario, bool(document.get("comparison")))
            )
        if simulation.get("settlements"):
            sections.append(
                _figure(
                    "Where the issues settle, month by month, inside the runs",
                    _fan_figures(simulation["settlements"], scenario, settlements=True),
                    "The coupled bargaining: each run re-solves every issue by "
                    f"{scenario.coupling.cadence() if scenario.coupling else 'the compromise'}, "
                    "on its own positions, saliences and capabilities as events move them; "
                    "between re-solves an issue holds its last settlement. Median (line), "
                    "25th–75th and 5th–95th percentiles (bands), 0–100."
                    + (
                        " " + READINGS.strip()
                        if any(
                            _readings(scenario, issue, settlements=True)
                            for issue in simulation["settlements"]
                        )
                        else ""
                    )
                    + "".join(
                        f" {issue.label} is decided by "
                        f"{' and '.join(scenario.actor(a).name for a in issue.decided_by)} alone: "
                        "its chart follows "
                        + (
                            "that actor's own position"
                            if len(issue.decided_by) == 1
                            else "the weighted median of their positions"
                            if scenario.coupling and scenario.coupling.model == "median"
                            else "the compromise of their positions"
                        )
                        + ", as events move it."
                        for issue in scenario.issues
                        if issue.decided_by and issue.id in simulation["settlements"]
                    ),
                )
            )
        if any(simulation.get("drivers", {}).values()):
            sections.append(
                _figure(
                    "What drives each question",
                    _driver_figures(simulation, scenario),
                    "Standardized rank regression coefficient of the question's probability "
                    "across parameter samples on each uncertain parameter with a path to the "
                    "question (its effect with the others held fixed). Listed down to the last "
                    "clear break in the ranking (5 standard errors), at least a quarter of the "
                    "leading effect, at most five: the same list from seed to seed. Monotone "
                    "effects only.",
                )
            )
        elif scenario.questions:
            sections.append(
                "<h2>What drives each question</h2><p class='note'>No drivers to show: the "
                "scenario has no uncertain number that moves a question's probability across "
                "parameter samples (or too few samples were run to tell).</p>"
            )
        sections.append(_sequences(simulation, scenario))
        sections.append(_windows(simulation, scenario, document.get("conditioning")))
    if document.get("conditioning"):
        sections.append(_conditioning(document["conditioning"], scenario))
    if document.get("what_changed"):
        sections.append(_what_changed(document["what_changed"], scenario))
    if document.get("bargaining"):
        sections.append(_bargaining_table(document, scenario))
        sections.append(
            _figure(
                "Bargaining trajectories",
                _trajectories(document["bargaining"], scenario),
                "Round by round, the statistic each dynamic model forecasts (the EUM: the "
                "capability × salience weighted median of the positions; the SMP: their "
                "weighted mean); one-shot models as a dashed level at their forecast. Round 0 "
                "is the input.",
            )
        )
    for issue, reason in document.get("bargaining_skipped", {}).items():
        sections.append(
            f"<p class='note'>{html.escape(issue)}: not bargained over ({html.escape(reason)})</p>"
        )
    sections.append(_track_record(track_record))
    sections.append(_provenance(document.get("provenance", []), scenario))
    sections.append(_run_details(document, scenario))
    title = html.escape(f"tightrope forecast: {scenario.title}")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{title}</title>"
        f"<style>{STYLE}</style>{plotly_script(plotly_src)}</head><body>"
        + "\n".join(sections)
        + "</body></html>\n"
    )


def plotly_script(source: str | None = None) -> str:
    """plotly's JavaScript, inline or (given a URL) loaded from ``source``."""
    if source is not None:
        return f"<script src='{html.escape(source, quote=True)}'></script>"
    return f"<script>{get_plotlyjs()}</script>"


@functools.cache
def _template() -> dict[str, Any]:
    template: dict[str, Any] = plotly.io.templates["plotly_white"].to_plotly_json()
    return template


def _figure(title: str, figure: go.Figure | list[go.Figure], caption: str) -> str:
    """A section of one chart, or of several one after the other (a tall chart in parts that
    each fit a printed page)."""
    body = ""
    for part in figure if isinstance(figure, list) else [figure]:
        spec = part.to_plotly_json()
        # The template is added to the validated figure as plain data: plotly would validate
        # the whole template again for every figure (a quarter of the report's time).
        spec["layout"].update(
            template=_template(), margin={"l": 60, "r": 20, "t": 30, "b": 50}, font={"size": 12}
        )
        body += plotly.io.to_html(
            spec,
            full_html=False,
            include_plotlyjs=False,
            include_mathjax=False,
            config={"displaylogo": False, "responsive": True},
            validate=False,
        )
    return f"<h2>{html.escape(title)}</h2><p class='note'>{html.escape(caption)}</p>{body}"


READINGS = (
    "Dots: the readings the forecast knew, ± their standard deviation (the bands join the "
    "months' ends, so a reading between two may stand apart from them). "
)
PER_PRINTED_PAGE = 6  # fan charts in one figure: three rows, which fit a printed page


def _state_section(fans: dict[str, Any], scenario: Scenario, what_if: bool) -> str:
    """The state variables' fans; one that nothing moves (a fixed start, no event's effect) is
    named with its value instead of drawn as a flat line (beside a what-if: the baseline's)."""
    moved = {
        effect.variable
        for event in scenario.events
        for effect in (*event.effects, *event.while_active, *event.on_end)
    }
    fixed = {
        variable.id: f"{variable.label}: {variable.initial.estimate:g}"
        + (f" ({variable.unit})" if " " in variable.unit else f" {variable.unit}".rstrip())
        for variable in scenario.state
        if variable.id not in moved
        and not variable.initial.is_uncertain
        and variable.monthly_change is None
    }
    unmoved = (
        f"The same in every {'baseline ' if what_if else ''}run, as nothing in the model moves "
        f"it: {'; '.join(fixed.values())}."
        if fixed
        else ""
    )
    drawn = {name: fan for name, fan in fans.items() if name not in fixed}
    if not drawn:
        return f"<h2>State of the crisis</h2><p class='note'>{html.escape(unmoved)}</p>"
    caption = "Median (line), 25th–75th and 5th–95th percentiles (bands) by month. "
    if any(_readings(scenario, name, settlements=False) for name in drawn):
        caption += READINGS
    caption += unmoved
    return _figure("State of the crisis", _fan_figures(drawn, scenario), caption.strip())


def _fan_figures(
    fans: dict[str, Any], scenario: Scenario, *, settlements: bool = False
) -> list[go.Figure]:
    """The fans in figures of at most PER_PRINTED_PAGE charts: one tall figure was cut across
    the pages of the printed report."""
    items = list(fans.items())
    return [
        _fans(dict(items[start : start + PER_PRINTED_PAGE]), scenario, settlements=settlements)
        for start in range(0, len(items), PER_PRINTED_PAGE)
    ]


def _readings(scenario: Scenario, name: str, settlements: bool) -> list[Observation]:
    """The measurements of a fan's variable (or, ``settlements``, of an issue's settlement)
    that the forecast knew, to mark on its chart."""
    return [
        o
        for o in scenario.observations
        if (o.issue == name and o.actor is None if settlements else o.variable == name)
    ]


def _header(document: dict[str, Any], scenario: Scenario) -> str:
    """The title, the scenario in a paragraph and one line on the run; the bottom line follows,
    and the run's details close the report."""
    run = document["run"]
    line = (
        f"As of {html.escape(_as_of(document, scenario))} · "
        f"{html.escape(run_in_words(run, scenario))}, seed "
        f"{run['seed']} · tightrope {document['tightrope']} · "
        "<a href='#the-run'>the run's details</a> at the end"
    )
    return (
        f"<h1>{html.escape(scenario.title)}</h1><p>{html.escape(scenario.description)}</p>"
        f"<p class='note'>{line}</p>"
    )


def _as_of(document: dict[str, Any], scenario: Scenario) -> str:
    """The forecast's date: the scenario's, or the later one its evidence runs to."""
    conditioning = document.get("conditioning")
    if conditioning is None:
        return scenario.as_of.isoformat()
    return (
        f"{conditioning['as_of']} (the scenario's {scenario.as_of.isoformat()}, "
        "updated on the evidence since)"
    )


def _run_details(document: dict[str, Any], scenario: Scenario) -> str:
    """What reproduces the report: the scenario's content hash, the version, seed and sizes."""
    run = document["run"]
    rows = [
        ("Scenario", f"{scenario.id}: {scenario.title}"),
        ("As of", _as_of(document, scenario)),
        ("Content hash (SHA-256)", document["scenario"]["hash"]),
        ("tightrope version", document["tightrope"]),
        ("Created", run["created"]),
        ("Seed", str(run["seed"])),
        (
            "Simulation runs",
            f"{run['runs']:,} ({run['parameter_samples']:,} parameter samples)"
            if run["runs"]
            else "none: no events to simulate",
        ),
        (
            "Bargaining samples",
            f"{run['bargaining_samples']:,}"
            if run["bargaining_samples"] or not scenario.issues
            else "none: no input has a range",
        ),
        ("Duration", f"{run.get('duration_seconds', 0):.1f} s"),
    ]
    table = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<h2 id='the-run'>The run</h2><table class='meta'>{table}</table>"


def _questions(
    simulation: dict[str, Any], scenario: Scenario, resolved: dict[str, str] | None = None
) -> str:
    """The questions' table; a question the evidence answered (``resolved``) says so."""
    rows = []
    ranked = "drivers" in simulation  # not with --drivers none
    results = question_results(scenario, simulation)
    for question in scenario.questions:
        result = results[question.id]
        first, more = shown_drivers(
            simulation, question.id, "all of them under What drives each question"
        )
        top = "; ".join(
            [
                f"<a href='#number-{html.escape(d['parameter'], quote=True)}' "
                f"title='{html.escape(d['parameter'])}'>"
                f"{html.escape(d.get('label', d['parameter']))}</a>"
                for d in first
            ]
            + more
        ) or (
            no_driver_listed(simulation, question.id, question.event)
            if ranked and question.id not in (resolved or {})
            else ""
        )
        if result.kind == "binary":
            assert result.probability is not None
            assert result.interval is not None
            note = resolution(resolved, question.id)[0]
            said = f"<br><span class='note'>resolved {note}</span>" if note else ""
            cells = (
                f"<td class='num'>{percent(result.probability)}{said}</td>"
                f"<td class='num'>{error_points(result.mc_error)}</td>"
                f"<td class='num'>{span(result.interval, result.interval_se)}</td>"
            )
        else:
            assert result.distribution is not None
            assert result.intervals is not None
            labels = {level.id: level.label for level in question.levels}
            errors = result.mc_errors or {}
            marked = result.unreachable or {}
            settled = resolution(resolved, question.id)[0]
            lines = "<br>".join(
                f"{html.escape(labels[level])}: {percent(p)}"
                + (
                    f" <span title='{html.escape(marked[level], quote=True)}'>{UNREACHABLE}</span>"
                    if level in marked
                    else ""
                )
                + (" <span class='note'>resolved</span>" if level == settled else "")
                for level, p in result.distribution.items()
            )
            margins = "<br>".join(error_points(errors.get(level)) for level in result.distribution)
            ends = result.interval_ses or {}
            spans = "<br>".join(
                span(pair, ends.get(level)) for level, pair in result.intervals.items()
            )
            cells = (
                f"<td class='levels'>{lines}</td><td class='num'>{margins}</td>"
                f"<td class='num'>{spans}</td>"
            )
        rows.append(
            f"<tr><td title='{html.escape(question.id)}'>{html.escape(question.text)}"
            f"{_evidence_link(question, scenario)}</td>{cells}"
            + (f"<td>{top}</td>" if ranked else "")
            + "</tr>"
        )
    unsteady = interval_note(results)
    unreachable = unreachable_note(results, scenario)
    return (
        "<h2>Questions</h2><p class='note'>MC error: the probability's Monte Carlo standard "
        "error in percentage points, clustered by parameter sample (runs that share a sample "
        "are not independent). Interval: the 5th–95th percentile across the parameter "
        "uncertainty, binomial noise removed."
        + ("" if unsteady is None else f" {html.escape(unsteady[0].upper() + unsteady[1:])}.")
        + ("" if unreachable is None else f" {html.escape(unreachable)}.")
        + "</p><table><tr><th>question</th>"
        "<th>probability</th><th>MC error</th><th>interval</th>"
        + ("<th>main drivers</th>" if ranked else "")
        + "</tr>"
        + "".join(rows)
        + "</table>"
    )


def _evidence_link(question: Question, scenario: Scenario) -> str:
    """A link to the evidence behind a question's main input (its provenance row): an event
    question's rate (for an event only another sets off, that trigger's chance), the starting
    value of the variable or position an ordinal question cuts, an issue's positions where its
    settlement is asked. Ladder and condition questions have no single such number. The link
    says what stands behind the number: evidence, an analyst's judgment, a definition (a counter
    that starts at 0 needs no evidence), or none of these."""
    if question.event is not None:
        hazard = scenario.event(question.event).hazard
        kind = "per_month" if hazard.per_month is not None else "probability"
        number = hazard.per_month if hazard.per_month is not None else hazard.probability
        path, what = f"events.{question.event}.hazard.{kind}", "its rate"
        setting_off = [
            (event, index)
            for event in scenario.events
            for index, trigger in enumerate(event.triggers)
            if trigger.event == question.event
        ]
        if number is not None and not number.is_uncertain and number.estimate == 0 and setting_off:
            # An event that happens only when another sets it off: that chance stands behind it.
            event, index = setting_off[0]
            number = event.triggers[index].probability
            path = f"events.{event.id}.triggers[{index}].probability"
            what = f"the chance “{event.label}” sets it off"
    elif question.issue is not None:
        stances = scenario.positions[question.issue]
        # A settlement rests on every position: link the first with evidence, if one has any.
        actor = question.actor or next(
            (a for a, stance in stances.items() if stance.position.evidence), next(iter(stances))
        )
        number = stances[actor].position
        path = f"positions.{question.issue}.{actor}.position"
        what = "the starting position" + ("" if question.actor else "s")
    elif question.variable is not None and question.variable != "ladder":
        number = next(v for v in scenario.state if v.id == question.variable).initial
        path, what = f"state.{question.variable}.initial", "its starting value"
    else:
        return ""
    assert number is not None
    words = (
        f"evidence for {what}"
        if number.evidence
        else f"{what}: an analyst's judgment"
        if number.judgment
        else f"{what}: a definition"
        if number.definition
        else f"{what}: no evidence cited"
    )
    target = html.escape(path, quote=True)
    return f"<br><a class='note' href='#number-{target}'>{html.escape(words)}</a>"


def _probabilities(simulation: dict[str, Any], scenario: Scenario) -> go.Figure:
    """Each event question's chance by the end of each month, up to its answer: the first point
    is 0 on the scenario's date (nothing after it has happened yet), the last the question's
    probability on its deadline (the month holding the deadline counts for its days up to it),
    so the line ends where the questions' table stands."""
    figure = go.Figure()
    for number, question in enumerate(q for q in scenario.questions if q.type == "binary"):
        result = simulation["questions"][question.id]
        by_month = result.get("by_month")
        if by_month is None:
            continue
        answered = result["answered_at"]
        last = answered["month"]
        end = (
            _calendar(scenario, [last])[0]
            if answered["share"] == 1
            else question.deadline.isoformat()
        )
        figure.add_trace(
            go.Scatter(
                x=[scenario.as_of.isoformat(), *_calendar(scenario, range(1, last)), end],
                y=[0.0, *by_month[: last - 1], result["probability"]],
                mode="lines+markers",
                name=_shortened(question.text),
                line={"color": COLOURS[number % len(COLOURS)]},
            )
        )
    figure.update_layout(
        xaxis_title="date", yaxis_title="probability", yaxis_range=[0, 1], height=420
    )
    return figure


def _calendar(scenario: Scenario, months: Iterable[int]) -> list[str]:
    """The dates simulated months end on (month m ends m months after the scenario date), for a
    chart's date axis."""
    from tightrope.dynamics.calendar import add_months

    return [add_months(scenario.as_of, month).isoformat() for month in months]


def _ordinal(simulation: dict[str, Any], scenario: Scenario) -> go.Figure | None:
    ordinal = [q for q in scenario.questions if q.type == "ordinal"]
    if not ordinal:
        return None
    # Two charts a row at most: three side by side left their titles running into each other
    # and the ladder's slanted level names cut off.
    columns = min(2, len(ordinal))
    rows = -(-len(ordinal) // columns)
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[_shortened(q.text, 80 // columns) for q in ordinal],
        vertical_spacing=0.45 / rows,
    )
    for index, question in enumerate(ordinal):
        distribution = simulation["questions"][question.id]["distribution"]
        figure.add_trace(
            go.Bar(
                x=[_shortened(level.label, 30) for level in question.levels],
                y=[distribution[level.id] for level in question.levels],
                name=_shortened(question.text),
                marker_color=COLOURS[(index + 1) % len(COLOURS)],
            ),
            row=index // columns + 1,
            col=index % columns + 1,
        )
    figure.update_layout(showlegend=False, height=380 * rows)
    return figure


def _ladder(simulation: dict[str, Any], scenario: Scenario) -> go.Figure:
    assert scenario.ladder is not None
    levels = scenario.ladder.levels
    shares = simulation["ladder"]["max_level"]
    figure = go.Figure(
        go.Bar(
            x=[_shortened(f"{level.level} {level.label}", 30) for level in levels],
            y=[shares.get(level.id, 0.0) for level in levels],
            marker_color="#d62728",
        )
    )
    figure.update_layout(yaxis_title="share of runs", height=380)
    return figure


def _fans(fans: dict[str, Any], scenario: Scenario, *, settlements: bool = False) -> go.Figure:
    variables = list(fans.items())
    columns = 2
    rows = -(-len(variables) // columns)
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[_shortened(fan["label"], 45) for _, fan in variables],
        vertical_spacing=0.3 / max(1, rows),
    )
    for index, (name, fan) in enumerate(variables):
        row, column = index // columns + 1, index % columns + 1
        p = fan["percentiles"]
        months = _calendar(scenario, range(len(p["p50"])))
        for low, high, opacity in (("p5", "p95", 0.15), ("p25", "p75", 0.3)):
            figure.add_trace(
                go.Scatter(
                    x=months,
                    y=p[high],
                    mode="lines",  # plotly marks points of short lines, in other colours
                    line={"width": 0},
                    showlegend=False,
                    hoverinfo="skip",
                ),
                row=row,
                col=column,
            )
            figure.add_trace(
                go.Scatter(
                    x=months,
                    y=p[low],
                    mode="lines",
                    fill="tonexty",
                    line={"width": 0},
                    fillcolor=f"rgba(31,119,180,{opacity})",
                    showlegend=False,
                    hoverinfo="skip",
                ),
                row=row,
                col=column,
            )
        figure.add_trace(
            go.Scatter(
                x=months,
                y=p["p50"],
                mode="lines",
                line={"color": "#1f77b4"},
                showlegend=False,
                name="median",
            ),
            row=row,
            col=column,
        )
        if readings := _readings(scenario, name, settlements):
            figure.add_trace(
                go.Scatter(
                    x=[o.day.isoformat() for o in readings],
                    y=[o.value for o in readings],
                    mode="markers",
                    marker={"color": "#d62728", "size": 6},
                    error_y={"type": "data", "array": [o.sd for o in readings]},
                    showlegend=False,
                    name="reading",
                ),
                row=row,
                col=column,
            )
    figure.update_layout(height=260 * rows)
    return figure


def _driver_figures(simulation: dict[str, Any], scenario: Scenario) -> list[go.Figure]:
    """The drivers in figures of three questions at most: each fits a printed page, the first
    with the section's heading (four left the heading alone on its page)."""
    questions = [q for q in scenario.questions if simulation["drivers"].get(q.id)]
    chunks = [questions[start : start + 3] for start in range(0, len(questions), 3)]
    return [_drivers(simulation, chunk) for chunk in chunks]


def _drivers(simulation: dict[str, Any], questions: list[Question]) -> go.Figure:
    """One chart a row, each as tall as its list of drivers: side by side, the second column's
    long labels ran into the first column's bars."""
    counts = [len(simulation["drivers"][q.id]) for q in questions]
    heights = [90 + 30 * count for count in counts]  # pixels: title and axis, then a bar each
    gap = 40
    total = sum(heights) + gap * (len(questions) - 1)
    figure = make_subplots(
        rows=len(questions),
        cols=1,
        # Centred over the bars, which the drivers' labels leave half the width.
        subplot_titles=[_shortened(q.text, 70) for q in questions],
        row_heights=heights,
        vertical_spacing=gap / total,
    )
    for row, question in enumerate(questions, start=1):
        entries = simulation["drivers"][question.id][::-1]
        values = [e.get("rank_regression", e.get("total", e.get("mu_star", 0.0))) for e in entries]
        figure.add_trace(
            go.Bar(
                x=values,
                y=[_shortened(e.get("label", e["parameter"]), 80) for e in entries],
                orientation="h",
                marker_color=["#2ca02c" if v >= 0 else "#d62728" for v in values],
            ),
            row=row,
            col=1,
        )
    figure.update_layout(showlegend=False, height=total + 80)
    return figure


def _windows(
    simulation: dict[str, Any], scenario: Scenario, conditioning: dict[str, Any] | None = None
) -> str:
    """Events elicited as a chance over a window: that chance (without modifiers) beside the
    chance the model implies over the same window; in a forecast conditioned on observations,
    given them (an event seen reads near certain)."""
    rows = "".join(
        f"<tr><td>{html.escape(scenario.event(event_id).label)}</td>"
        f"<td class='num'>{window['months']}</td>"
        f"<td class='num'>{percent(window['elicited_without_modifiers'])}</td>"
        f"<td class='num'>{percent(window['implied'])} "
        f"{error_points(window.get('implied_mc_error'))}</td></tr>"
        for event_id, entry in simulation["events"].items()
        if (window := entry.get("window")) is not None
    )
    if not rows:
        return ""
    given = (
        ""
        if not conditioning
        else f" Here the model is conditioned on the observations up to {conditioning['as_of']}: "
        "its chance is given them (tightrope show gives the model's own, before any evidence)."
    )
    implied = "implied by the model" + (
        f", given the evidence to {conditioning['as_of']}" if conditioning else ""
    )
    return (
        "<h2>Elicited and implied chances</h2><p class='note'>An event's chance over a window is "
        "elicited for months when no modifier applies; with the modifiers and triggers at work "
        f"the model implies another.{html.escape(given)}</p><table><tr><th>event</th>"
        f"<th>window (months)</th><th>elicited, no modifier</th><th>{html.escape(implied)}</th>"
        f"</tr>{rows}</table>"
    )


def _what_ifs(document: dict[str, Any], scenario: Scenario) -> str:
    """Each question under the what-if beside the baseline, on the same random numbers."""
    said = what_if_in_words(document.get("interventions", {}), scenario)
    rows = []
    for question in scenario.questions:
        entry = document["comparison"][question.id]
        labels = {level.id: level.label for level in question.levels}
        items = (
            [(question.text, entry)]
            if question.type == "binary"
            else [(f"{question.text} {labels[level]}", value) for level, value in entry.items()]
        )
        rows += [
            f"<tr><td>{html.escape(text)}</td><td class='num'>{percent(value['baseline'])}</td>"
            f"<td class='num'>{percent(value['what_if'])}</td><td class='num'>"
            f"{change_points(value['difference'], value['se'])}</td></tr>"
            for text, value in items
        ]
    return (
        "<h2>What if</h2><p class='note'>"
        + html.escape("; ".join(said))
        + ". Run on the baseline's random numbers (same seed and streams); ± is the Monte Carlo "
        "standard error of the difference, clustered by parameter sample.</p><table><tr>"
        "<th>question</th><th>baseline</th><th>what if</th><th>difference</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _given(document: dict[str, Any], scenario: Scenario) -> str:
    """Each question in the runs where an event happens, beside all the runs (``--given``)."""
    given = document["given"]
    event = html.escape(f"“{scenario.event(given['event']).label}”")
    title = f"<h2>Given {event}</h2>"
    if not given["runs"]:
        return f"{title}<p class='note'>It happens in no run: nothing to condition on.</p>"
    if given["runs"] == document["run"]["runs"]:
        return (
            f"{title}<p class='note'>It happens in every run"
            + (" (the evidence saw it)" if document.get("conditioning") else "")
            + ": the probabilities given it are the forecast's.</p>"
        )
    whose = {"what-if": "the what-if's runs", "baseline": "the baseline runs"}.get(
        given_runs(document), "the forecast's runs"
    )
    within = _calendar(scenario, [len(given["events"][given["event"]]["by_month"])])[0]
    conditioned = question_results(scenario, given)
    unconditioned = question_results(scenario, document["simulation"])
    rows = []
    for question in scenario.questions:
        if question.id not in conditioned:
            continue
        result, before = conditioned[question.id], unconditioned[question.id]
        if result.kind == "binary":
            assert result.probability is not None
            assert before.probability is not None
            items = [(question.text, result.probability, result.mc_error, before.probability)]
        else:
            assert result.distribution is not None
            assert before.distribution is not None
            labels = {level.id: level.label for level in question.levels}
            errors = result.mc_errors or {}
            shares = before.distribution
            items = [
                (f"{question.text} {labels[level]}", p, errors.get(level), shares[level])
                for level, p in result.distribution.items()
            ]
        rows += [
            f"<tr><td>{html.escape(text)}</td><td class='num'>{percent(p)}</td>"
            f"<td class='num'>{error_points(error)}</td>"
            f"<td class='num'>{percent(all_runs)}</td></tr>"
            for text, p, error, all_runs in items
        ]
    return (
        f"{title}<p class='note'>Each question in the {given['runs']:,} of "
        f"{whose} where {event} happens by the end of {within} (whether before or after the "
        "question's deadline), beside all of them; ± its Monte Carlo standard error, clustered "
        "by parameter sample.</p><table><tr><th>question</th><th>given it</th><th>MC error</th>"
        "<th>all runs</th></tr>" + "".join(rows) + "</table>"
    )


def _versions(versions: dict[str, Any], scenario: Scenario) -> str:
    """What changed since an earlier version of the scenario, and how it moved the questions."""
    changes = "".join(
        f"<tr><td title='{html.escape(change['path'])}'>"
        f"{html.escape(change.get('label', change['path']))}</td>"
        f"<td>{html.escape(change['kind'])}</td>"
        f"<td>{html.escape(_brief_value(change['before']))}</td>"
        f"<td>{html.escape(_brief_value(change['after']))}</td></tr>"
        for change in versions["changes"]
    )
    if not changes:
        return (
            f"<h2>Since {html.escape(versions['first'])}</h2><p class='note'>No input changed.</p>"
        )
    rows = []
    forecast = versions.get("forecast", {})
    for question in scenario.questions:
        entry = forecast.get("questions", {}).get(question.id)
        if entry is None:
            continue
        for level, now in entry["second"].items():
            if not entry["moved"][level]:
                continue
            named = {item.id: item.label for item in question.levels}
            text = question.text if level == "yes" else f"{question.text} {named[level]}"
            most = entry.get("moved_most_by", {})
            mover = most.get("label", most.get("change", ""))
            rows.append(
                f"<tr><td>{html.escape(text)}</td>"
                f"<td class='num'>{percent(entry['first'].get(level, 0.0))}</td>"
                f"<td class='num'>{percent(now)}</td><td class='num'>"
                f"{change_points(entry['move'][level], entry['se'][level], '')}</td>"
                f"<td>{html.escape(mover)}</td></tr>"
            )
    moved = (
        "<table><tr><th>question</th><th>before</th><th>now</th><th>move (points)</th>"
        "<th>moved most by</th></tr>" + "".join(rows) + "</table>"
        if rows
        else "<p class='note'>No question moved beyond its Monte Carlo error.</p>"
    )
    return (
        f"<h2>Since {html.escape(versions['first'])}</h2><p class='note'>What changed in the "
        "inputs, and the questions it moved (both versions simulated with the same seed and "
        f"{forecast.get('runs', 0):,} runs; a move counts beyond twice its standard error).</p>"
        "<table><tr><th>input</th><th>change</th><th>before</th><th>after</th></tr>"
        f"{changes}</table>{moved}"
    )


def _brief_value(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _bottom_line(document: dict[str, Any], scenario: Scenario) -> str:
    """Bottom line up front: a sentence per question, words before numbers."""
    items = "".join(
        f"<li>{html.escape(line.sentence)}"
        + (
            f"<br><span class='note'>Would move it most: "
            f"{html.escape('; '.join(line.movers))}.</span>"
            if line.movers
            else ""
        )
        + (f"<br><span class='note'>{html.escape(line.changed)}</span>" if line.changed else "")
        + "</li>"
        for line in bottom_line(
            document["simulation"],
            scenario,
            document.get("what_changed"),
            resolved_in_words(document),
        )
    )
    warning = caution(document)
    return (
        "<section id='bottom-line'><h2>Bottom line</h2>"
        + ("" if warning is None else f"<p class='unsupported'>{html.escape(warning)}</p>")
        + f"<ul>{items}</ul><p class='note'>{html.escape(scale_note(scenario))}.</p></section>"
    )


def _shortened(text: str, width: int = 60) -> str:
    """Scenario text for a chart: shortened, and its '<', '>' and '&' written as entities, which
    plotly shows as the characters (its text understands a few tags, such as <b> and <a>: a
    label must show as itself, never become markup)."""
    text = text if len(text) <= width else text[: width - 1] + "…"
    return html.escape(text, quote=False)


def _sequences(simulation: dict[str, Any], scenario: Scenario) -> str:
    labels = {event.id: event.label for event in scenario.events}
    rows = "".join(
        f"<tr><td class='num'>{percent(entry['share'])}</td>"
        f"<td class='num'>{error_points(entry.get('mc_error'))}</td><td>"
        + html.escape(" → ".join(labels[e] for e in entry["events"]) or "(nothing happens)")
        + "</td></tr>"
        for entry in simulation["sequences"]
    )
    return (
        "<h2>Most frequent sequences of events</h2><table><tr><th>share</th><th>MC error</th>"
        f"<th>sequence (first occurrences)</th></tr>{rows}</table>"
    )


def _what_changed(changes: list[dict[str, Any]], scenario: Scenario) -> str:
    """Each question before and after the evidence, by its text (its id on hover)."""
    texts = {question.id: question.text for question in scenario.questions}
    rows = []
    for change in changes:
        why = moved_most_cell(change)
        rows.append(
            f"<tr><td title='{html.escape(change['question'])}'>"
            f"{html.escape(texts.get(change['question'], change['question']))}</td>"
            f"<td>{html.escape(change['measure'])}"
            f"</td><td class='num'>{change['before']:.3f}</td><td class='num'>"
            f"{change['after']:.3f}</td><td>{html.escape(why)}</td></tr>"
        )
    return (
        "<h2>What changed with the evidence</h2><table><tr><th>question</th><th>measure</th>"
        "<th>before</th><th>after</th><th>moved most by</th></tr>" + "".join(rows) + "</table>"
    )


def _conditioning(conditioning: dict[str, Any], scenario: Scenario) -> str:
    """What the evidence taught the model, and the chance the model gave each observation."""

    def described(entry: dict[str, Any]) -> str:
        low, high = entry["interval"]
        return f"{entry['mean']:.3g} [{number_range(low, high, '.3g')}]"

    parameters = "".join(
        f"<tr><td title='{html.escape(p['parameter'])}'>"
        f"{html.escape(p.get('label', p['parameter']))}</td>"
        f"<td class='num'>{described(p['prior'])}</td>"
        f"<td class='num'>{described(p['posterior'])}</td></tr>"
        for p in conditioning["parameters"]
    )
    recorded = {observation.describe(): observation for observation in scenario.observations}

    def behind(text: str) -> str:
        """The claims behind an observation and its note (an import names its rows); none for
        what the closed world adds ("no other … up to …")."""
        observation = recorded.get(text)
        if observation is None:
            return ""
        parts = [_cited(claim, scenario) for claim in observation.evidence]
        if observation.source is not None:
            reporter = _source_anchor(observation.source, scenario)
            parts.append(f"<span class='note'>reported by {reporter}</span>")
        return "<br>".join(parts + ([_linked(observation.note)] if observation.note else []))

    observations = "".join(
        f"<tr><td title='{html.escape(o['observation'])}'>"
        f"{html.escape(o.get('in_words', o['observation']))}</td>"
        f"<td class='num'>{o['chance']:.3g}</td>"
        + "".join(f"<td class='num'>{cell}</td>" for cell in one_by_one(o))
        + f"<td>{behind(o['observation'])}</td></tr>"
        for o in conditioning["observations"]
    )
    note = "".join(
        f"<p class='unsupported'>{html.escape(conditioning[key])}</p>"
        for key in ("warning", "note")
        if conditioning.get(key)
    )
    if conditioning.get("left_out"):
        note += f"<p>{html.escape(conditioning['left_out']['note'])}.</p>"
    resolved = conditioning.get("resolved_in_words") or conditioning.get("resolved", {})
    for question_id in resolved:
        question = scenario.question(question_id)
        answer, seen = resolution(resolved, question_id)
        note += (
            f"<p>“{html.escape(question.text)}” resolved by observation: "
            f"{html.escape(settled_in_words(question, answer))} ({html.escape(seen)}).</p>"
        )
    return (
        f"<h2>As of {html.escape(conditioning['as_of'])}: what the evidence taught the model</h2>"
        f"<p class='note'>{html.escape(conditioning['method'])}; effective sample size "
        f"{conditioning['effective_sample_size']:,.0f} of {conditioning['runs']:,} runs. "
        "Parameters: mean [5th–95th percentile] across parameter samples.</p>"
        f"{note}<table><tr><th>parameter</th><th>prior</th><th>posterior</th></tr>{parameters}"
        f"</table><p class='note'>Each observation, in order. {OBSERVATIONS_CAPTION}.</p>"
        "<table><tr><th>observation</th><th>chance</th><th>given those above</th>"
        "<th>runs left</th><th>evidence</th></tr>"
        f"{observations}</table>"
    )


def _scales(scenario: Scenario) -> list[str]:
    """What 0 and 100 mean on each issue."""
    return [
        f"{issue.id} — {issue.label}: 0 = {issue.low_meaning}; 100 = {issue.high_meaning}"
        for issue in scenario.issues
    ]


def _bargaining_table(document: dict[str, Any], scenario: Scenario) -> str:
    grid = settlement_grid(document["bargaining"])
    conditioned = before_the_evidence(document)

    def cell(issue: str, model: str) -> str:
        found = grid.cell(issue, model)
        if found is None:
            return "–"
        spread = "" if found.spread is None else f"<br><span class='note'>{found.spread}</span>"
        return html.escape(found.text) + spread

    def consensus(issue: str) -> str:
        agreement = grid.agreement.get(issue)
        return (
            ""
            if not grid.agreement
            else (
                f"<td class='num'>{'–' if agreement is None else html.escape(agreement.text)}</td>"
            )
        )

    header = "".join(f"<th>{html.escape(model)}</th>" for model in grid.models)
    header += "<th>consensus</th>" if grid.agreement else ""
    rows = "".join(
        f"<tr><td>{html.escape(grid.label(issue))}</td>"
        + "".join(f"<td class='num'>{cell(issue, model)}</td>" for model in grid.models)
        + consensus(issue)
        + "</tr>"
        for issue in grid.issues
    )
    # The caption says what the cells are; the marks' meanings and the scales follow the table,
    # as a table's footnotes do.
    footnotes = "<br>".join(html.escape(note) for note in [*grid.footnotes, *_scales(scenario)])
    return (
        f"<h2>Where the contested issues settle</h2><p class='note'>{html.escape(grid.caption)}."
        + ("" if conditioned is None else f" {html.escape(conditioned)}.")
        + "</p>"
        f"<table><tr><th>issue</th>{header}</tr>{rows}</table>"
        f"<p class='note'>{footnotes}</p>"
    )


def _trajectories(bargaining: list[dict[str, Any]], scenario: Scenario) -> go.Figure:
    """Dynamic models round by round (the statistic each forecasts, as its metadata names it:
    the EUM's median, the SMP's weighted mean); one-shot models as a dashed level at their
    forecast."""
    issues = list(dict.fromkeys(str(entry["issue"]) for entry in bargaining))
    labels = {issue.id: issue.label for issue in scenario.issues}
    figure = make_subplots(
        rows=1,
        cols=len(issues),
        subplot_titles=[_shortened(labels.get(issue, issue), 40) for issue in issues],
    )
    models = list(dict.fromkeys(entry["model"] for entry in bargaining))
    longest = max(len(entry["rounds"]) for entry in bargaining) - 1
    for entry in bargaining:
        if not isinstance(entry["forecast"], float):
            continue  # several dimensions at once: shown in the JSON
        column = issues.index(str(entry["issue"])) + 1
        colour = COLOURS[models.index(entry["model"]) % len(COLOURS)]
        rounds = entry["rounds"]
        if len(rounds) > 1:
            statistic = MODELS[entry["model"]].metadata["trajectory_statistic"]
            x = [r["round"] for r in rounds]
            y = [r[statistic] for r in rounds]
            style = {"color": colour}
        else:
            x, y = [0, max(1, longest)], [entry["forecast"]] * 2
            style = {"color": colour, "dash": "dash"}
        figure.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                name=entry["model"],
                legendgroup=entry["model"],
                showlegend=column == 1,
                line=style,
            ),
            row=1,
            col=column,
        )
    figure.update_yaxes(range=[0, 100])
    figure.update_xaxes(title_text="round")
    figure.update_layout(height=420)
    return figure


def _track_record(track_record: dict[str, Any] | None) -> str:
    if not track_record or not track_record.get("questions"):
        return (
            "<h2>Track record</h2><p class='note'>No recorded forecast of this scenario has been "
            "resolved yet. Record forecasts with <code>tightrope forecast --record</code> and "
            "resolve questions with <code>tightrope resolve</code>.</p>"
        )

    def cell(value: float | None) -> str:
        return f"<td class='num'>{'' if value is None else f'{value:.3f}'}</td>"

    rows = "".join(
        f"<tr><td>{html.escape(q['question'])}</td>"
        f"<td>{html.escape(q.get('outcome_label') or q['outcome'])}</td>"
        f"<td class='num'>{q['days_open']}</td>"
        + "".join(cell(q[k]) for k in ("brier", "log", "rps"))
        + cell(q.get("brier_first_held") if q["rps"] is None else q.get("rps_first_held"))
        + "</tr>"
        for q in track_record["questions"]
    )
    summary = track_record["summary"]
    held = summary.get("mean_brier_first_held")
    text = (
        "<h2>Track record</h2><table><tr><th>question</th><th>outcome</th><th>days open</th>"
        "<th>Brier</th><th>log</th><th>RPS</th><th>first forecast held</th></tr>"
        f"{rows}</table><p class='note'>Mean Brier "
        f"{'–' if summary['mean_brier'] is None else round(summary['mean_brier'], 3)}"
        + ("" if held is None else f" (first forecast held: {round(held, 3)})")
        + ", averaged over the days each question was open. Log score: probabilities clipped to "
        "[0.001, 0.999]; RPS divided by (levels − 1). First forecast held: the Brier score (RPS "
        "for an ordinal question) had the first recorded forecast been kept all the way, without "
        "updating.</p>"
    )
    skill = skill_words(track_record.get("skill", {}), lambda number: f"<strong>{number}</strong>")
    if skill is not None:
        text += f"<p>{skill}.</p>"
    calibration = track_record.get("calibration", {})
    if "diagram" in calibration:
        diagram = calibration["diagram"]
        figure = go.Figure()
        figure.add_trace(
            go.Scatter(
                x=[0, 1],
                y=[0, 1],
                mode="lines",
                line={"dash": "dot", "color": "#999"},
                name="perfect",
            )
        )
        figure.add_trace(
            go.Scatter(
                x=[d["forecast"] for d in diagram],
                y=[d["observed"] for d in diagram],
                mode="lines+markers",
                marker={"size": [6 + 2 * d["count"] for d in diagram]},
                name="observed",
            )
        )
        figure.update_layout(
            xaxis_title="forecast probability", yaxis_title="observed frequency", height=420
        )
        text += _figure(
            "Reliability diagram",
            figure,
            f"Reliability {calibration['reliability']:.3f}, "
            f"resolution {calibration['resolution']:.3f}, "
            f"uncertainty {calibration['uncertainty']:.3f}.",
        )
    elif "note" in calibration:
        text += (
            "<p class='note'>Reliability diagram and Brier decomposition: "
            f"{html.escape(calibration['note'])}.</p>"
        )
    return text


def _provenance(records: list[dict[str, Any]], scenario: Scenario) -> str:
    """Every input in words, its value and range, and its evidence: the quoted claim and the
    source it comes from, one click away; then the sources."""
    from tightrope.dynamics.dependencies import parameter_labels
    from tightrope.scenario.provenance import published_after

    labels = parameter_labels(scenario)
    claims = {claim.id: claim for claim in scenario.claims}
    rows = []
    for record in records:
        value = f"{record['estimate']:g}"
        if record["low"] is not None and record["high"] is not None:
            value += f" [{drawn_range(record['low'], record['high'], record['central'])}]"
        css = "" if record["supported"] else " class='unsupported'"
        label = labels.get(record["path"], record["path"])
        evidence = "<br>".join(_cited(claim, scenario) for claim in record["evidence"])
        rows.append(
            f"<tr{css} id='number-{html.escape(record['path'], quote=True)}'>"
            f"<td title='{html.escape(record['path'])}'>{html.escape(label)}</td>"
            f"<td class='num'>{value}</td><td>{evidence}</td>"
            f"<td>{_flag(record)}</td></tr>"
        )
    unsupported = sum(1 for record in records if not record["supported"])
    # The sources the numbers and the observations cite: each is a link's target.
    cited = [c for r in records for c in r["evidence"]]
    cited += [c for seen in scenario.observations for c in seen.evidence]
    used = {claims[c].source for c in cited if c in claims}
    used |= {seen.source for seen in scenario.observations if seen.source is not None}
    later = published_after(scenario)
    listed = "".join(
        f"<li id='source-{html.escape(source.id)}'>{_source_link(source)}"
        + (
            f" <span class='note'>— published after the scenario's date, {scenario.as_of}</span>"
            if source.id in later
            else ""
        )
        + f"{_shipped(scenario, source)}</li>"
        for source in scenario.sources
        if source.id in used
    )
    return (
        f"<h2>Provenance of every input</h2><p class='note'>{len(records)} numbers; {unsupported} "
        "without evidence or a judgment flag. Hover a number's name for its path in the file."
        "</p><details><summary>Show the table</summary><table>"
        "<tr><th>number</th><th>value</th><th>evidence</th><th>judgment</th></tr>"
        + "".join(rows)
        + "</table></details>"
        + (f"<h2>Sources</h2><ul>{listed}</ul>" if listed else "")
    )


def _shipped(scenario: Scenario, source: Any) -> str:
    """A built-in scenario's own source document, embedded (the report stays one offline file);
    a user's, named, for the reader to find where the scenario is kept."""
    from tightrope.scenario.builtin import builtin_ids, source_text

    if source.file is None:
        return ""
    if scenario.id not in builtin_ids():
        kept = f"the file {html.escape(source.file)}, kept with the scenario"
        return f" <span class='note'>— {kept}</span>"
    try:
        text = source_text(source.file)
    except (OSError, ValueError):
        return ""
    return (
        "<details><summary>Read the source</summary>"
        f"<pre style='white-space: pre-wrap'>{html.escape(text)}</pre></details>"
    )


def _flag(record: dict[str, Any]) -> str:
    if record["judgment"]:
        return "judgment"
    return "definition" if record.get("definition") else ""


def _cited(claim_id: str, scenario: Scenario) -> str:
    """A claim in words, with its source one click away (the sources' list ends the report)."""
    claim = next((claim for claim in scenario.claims if claim.id == claim_id), None)
    if claim is None:
        return html.escape(claim_id)
    quote = f"“{claim.text}”" if claim.kind == "quote" else claim.text
    return (
        f"{html.escape(quote)} <span class='note'>— {_source_anchor(claim.source, scenario)}</span>"
    )


def _source_anchor(source_id: str, scenario: Scenario) -> str:
    """A source's title, linked to its entry in the sources' list."""
    source = next((source for source in scenario.sources if source.id == source_id), None)
    if source is None:
        return html.escape(source_id)
    return f"<a href='#source-{html.escape(source.id)}'>{html.escape(source.title)}</a>"


# An address in free text, without the punctuation that may follow it in a sentence.
_ADDRESS = re.compile(r"https?://[^\s<>\"']+?(?=[.,;:)]*(?:\s|$))")


def _linked(text: str) -> str:
    """Free text (an observation's note) escaped, with its web addresses as links."""
    pieces, last = [], 0
    for match in _ADDRESS.finditer(text):
        address = match.group()
        pieces.append(html.escape(text[last : match.start()]))
        pieces.append(
            f"<a href='{html.escape(address, quote=True)}' rel='noreferrer'>"
            f"{html.escape(address)}</a>"
        )
        last = match.end()
    return "".join(pieces) + html.escape(text[last:])


def _source_link(source: Any) -> str:
    """A source's title (linked when it has an address), publisher and date."""
    title = html.escape(source.title)
    if source.url and source.url.startswith(("https://", "http://")):
        title = f"<a href='{html.escape(source.url, quote=True)}' rel='noreferrer'>{title}</a>"
    details = ", ".join(html.escape(part) for part in (source.publisher, source.date) if part)
    return title + (f", {details}" if details else "")


def history_chart(
    question: str, rows: list[dict[str, Any]], observations: list[dict[str, str]] | None = None
) -> str:
    """A self-contained page charting how a question's forecast moved across recorded runs, with
    the observations the forecasts were conditioned on marked at their dates."""
    title = html.escape(f"tightrope: history of {question}")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>{STYLE}</style><script>{get_plotlyjs()}</script></head>"
        f"<body><h1>{title}</h1>" + history_section(rows, observations) + "</body></html>\n"
    )


def replay_chart(document: dict[str, Any], scenario: Scenario) -> str:
    """A self-contained page charting a replay: each question's forecast at each step, with the
    observations known by the last step marked at their dates (``replay --chart``)."""
    from tightrope.forecasts.registry import observation_words, observations_known

    steps = document["steps"]
    words = observation_words(scenario)
    seen = [
        {"date": day.isoformat(), "observation": text, "in_words": words[text]}
        for day, text in observations_known(scenario, steps[-1]["date"])
    ]
    sections = []
    for question in scenario.questions:
        rows = []
        for step in steps:
            value, error = step["questions"][question.id], step["mc_errors"][question.id]
            ordinal = isinstance(value, dict)
            rows.append(
                {
                    "date": step["date"],
                    "probability": None if ordinal else value,
                    "distribution": value if ordinal else None,
                    "mc_error": None if ordinal else error,
                    "labels": {level.id: level.label for level in question.levels},
                }
            )
        sections.append(history_section(rows, seen, title=question.text))
    title = html.escape(f"tightrope: replay of {scenario.title}")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>{STYLE}</style><script>{get_plotlyjs()}</script></head>"
        f"<body><h1>{title}</h1><p class='note'>Each step's forecast from what was known on its "
        "date (the same seed throughout); dotted lines mark the observations.</p>"
        + "".join(sections)
        + "</body></html>\n"
    )


def history_section(
    rows: list[dict[str, Any]],
    observations: list[dict[str, str]] | None = None,
    *,
    title: str = "Forecast by recorded run",
) -> str:
    """The history chart as a report section (plotly's JavaScript loaded by the page)."""
    figure = go.Figure()
    dates = [row["date"] for row in rows]
    if rows and rows[0]["probability"] is not None:
        errors = [row.get("mc_error") for row in rows]
        figure.add_trace(
            go.Scatter(
                x=dates,
                y=[row["probability"] for row in rows],
                mode="lines+markers",
                name="P(yes)",
                line={"shape": "hv"},
                # ± twice each forecast's Monte Carlo error, where the registry kept it.
                error_y=None
                if all(error is None for error in errors)
                else {"type": "data", "array": [2 * (error or 0.0) for error in errors]},
            )
        )
    elif rows:
        levels = list((rows[0]["distribution"] or {}).keys())
        # Each level by its label where the registry kept it (the latest forecast's).
        labels: dict[str, str] = next(
            (row["labels"] for row in reversed(rows) if row.get("labels")), {}
        )
        for number, level in enumerate(levels):
            figure.add_trace(
                go.Scatter(
                    x=dates,
                    y=[(row["distribution"] or {}).get(level, 0.0) for row in rows],
                    mode="lines+markers",
                    name=labels.get(level, level),
                    stackgroup="levels",
                    line={"color": COLOURS[number % len(COLOURS)]},
                )
            )
    for seen in observations or []:
        figure.add_vline(x=seen["date"], line={"dash": "dot", "color": "#7f7f7f"})
        figure.add_annotation(
            x=seen["date"],
            y=1,
            text=_shortened(seen["observation"], 80),
            hovertext=seen.get("in_words"),  # the scenario's words, where it is at hand
            showarrow=False,
            textangle=-90,
            xanchor="right",
            yanchor="top",
            font={"size": 10},
        )
    figure.update_layout(yaxis_range=[0, 1], yaxis_title="probability", xaxis_title="forecast date")
    caption = "Each point is one recorded forecast."
    if any(row.get("mc_error") is not None for row in rows):
        caption += " Bars: ± twice its Monte Carlo error (none for runs recorded without it)."
    return _figure(title, figure, caption)
