"""One issue × model table serves the terminal and the HTML report."""

from __future__ import annotations

import html
import json
import statistics
from typing import Any

import tightrope
from tightrope.bargaining import MODELS
from tightrope.report.grid import settlement_grid
from tightrope.report.html import render_report
from tightrope.scenario.schema import Scenario


def test_terminal_and_html_show_the_same_cells() -> None:
    from rich.console import Console

    from tightrope.report import terminal

    scenario = tightrope.load("iraq-2025")
    result = tightrope.forecast(scenario, runs=1000, bargaining_samples=20, seed=4)
    entries = result.document["bargaining"]
    grid = settlement_grid(entries)
    assert grid.issues == ("militia_disarmament", "iran_ties", "us_pressure")
    assert grid.models == ("compromise", "median", "nbs", "eum", "smp")
    assert grid.samples == 20
    eum = next(e for e in entries if e["model"] == "eum" and e["issue"] == "iran_ties")
    cell = grid.cell("iran_ties", "eum")
    assert cell is not None
    assert cell.forecast == f"{eum['forecast']:.1f}"
    spread = eum["uncertainty"]
    assert cell.spread == f"{spread['median']:.1f} [{spread['p10']:.1f}–{spread['p90']:.1f}]"
    page = render_report(result.document, scenario)
    console = Console(record=True, width=200)
    console.print(terminal.forecast_summary(result.document, scenario))
    text = console.export_text()
    for issue in grid.issues:
        for model in grid.models:
            found = grid.cell(issue, model)
            assert found is not None
            assert found.forecast in page
            assert found.spread is not None
            assert found.spread in page
            assert found.spread in text
    # iraq-2025: the NBS is the status quo on every issue, flagged and left out of the consensus.
    for issue in grid.issues:
        nbs = grid.cell(issue, "nbs")
        assert nbs is not None
        assert "=sq" in nbs.marks
        assert f"{nbs.text}" in text
    assert "no mutually acceptable move" in page
    # The US sets its own pressure: that row says the models show the pull, not the decision.
    assert grid.label("us_pressure") == "us_pressure ‡"
    assert grid.label("iran_ties") == "iran_ties"
    note = (
        "‡ us_pressure is decided by US administration alone: the models show where every "
        "actor's pull points, not what it will choose (its own position: 70.0)"
    )
    assert note in grid.footnotes
    assert html.escape(note) in page
    assert (
        "Intensity of US pressure on Iraq is decided by US administration alone: its chart "
        "follows that actor&#x27;s own position, as events move it." in page
    )
    assert "us_pressure ‡" in text
    assert " ".join(note.split()) in " ".join(text.replace("│", " ").split())


def test_an_issue_decided_jointly_by_two_actors_names_both_positions() -> None:
    """Forecast with another issue as one space: each decided dimension gets its own note,
    with the deciders' positions on that dimension."""
    scenario = tightrope.load("iraq-2025")
    issues = [
        issue.model_copy(update={"decided_by": ("us_admin", "us_congress_hawks")})
        if issue.id == "us_pressure"
        else issue
        for issue in scenario.issues
    ]
    scenario = scenario.model_copy(update={"issues": tuple(issues)})
    result = tightrope.bargain(
        scenario, "compromise", issues=["iran_ties", "us_pressure"], samples=0, joint=True
    )
    entry = result.to_dict()
    assert entry["decided_by"] == {"us_pressure": ["us_admin", "us_congress_hawks"]}
    grid = settlement_grid([entry])
    assert grid.label("iran_ties, us_pressure") == "iran_ties, us_pressure ‡"
    assert grid.footnotes[0] == (
        "‡ us_pressure is decided by US administration and US Congress hawks alone: the models "
        "show where every actor's pull points, not what they will choose (their own positions: "
        "US administration 70.0; US Congress hawks 90.0)"
    )
    alone = tightrope.bargain(scenario, "compromise", issues=["iran_ties"], samples=0)
    assert "decided_by" not in alone.to_dict()


def _entry(model: str, forecast: float, p10: float, p90: float, notes: list[str]) -> dict[str, Any]:
    uncertainty = {"samples": 50, "median": (p10 + p90) / 2, "p10": p10, "p90": p90}
    return {
        "issue": "x",
        "model": model,
        "variant": MODELS[model].default_variant,
        "forecast": forecast,
        "uncertainty": uncertainty,
        "notes": notes,
    }


def test_marks_spread_and_consensus() -> None:
    grid = settlement_grid(
        [
            _entry("compromise", 40.0, 35.0, 45.0, []),
            _entry("median", 0.0, 2.0, 8.0, []),  # outside its own interval
            _entry("nbs", 90.0, 90.0, 90.0, ["no mutually acceptable move: ..."]),
            _entry("eum", 70.0, 10.0, 80.0, ["the median settled at round 2; ... it cycles"]),
        ]
    )
    marks = {
        model: grid.cells[("x", model)].marks for model in ("compromise", "median", "nbs", "eum")
    }
    assert marks == {"compromise": (), "median": ("†",), "nbs": ("=sq",), "eum": ("~",)}
    agreement = grid.agreement["x"]
    # The consensus leaves the status-quo NBS out: median of 40, 0 and 70.
    assert (agreement.consensus, agreement.low, agreement.high) == (40.0, 0.0, 70.0)
    assert agreement.wide
    assert any("no single model's number should lead" in note for note in grid.footnotes)


def test_the_nbs_flags_only_a_status_quo_forced_by_unanimity() -> None:
    import numpy as np

    from tightrope.bargaining import IssueData, make_model

    def solve(positions: list[float], reference: float | None) -> tuple[float, tuple[str, ...]]:
        data = IssueData(
            actors=tuple(f"a{i}" for i in range(len(positions))),
            positions=np.array(positions, dtype=float)[:, None],
            saliences=np.ones((len(positions), 1)),
            capabilities=np.ones(len(positions)),
            reference=None if reference is None else np.array([reference]),
        )
        result = make_model("nbs").solve(data)
        return float(result.forecast[0]), result.notes

    # Actors on both sides of the status quo: only the status quo is acceptable to all.
    forecast, notes = solve([20.0, 80.0], 50.0)
    assert forecast == 50.0
    assert len(notes) == 1
    assert "no mutually acceptable move" in notes[0]
    # All on one side: a move is acceptable, no flag.
    forecast, notes = solve([60.0, 80.0], 50.0)
    assert forecast > 50.0
    assert notes == ()


def test_a_cell_names_the_variant_unless_it_is_the_models_default() -> None:
    from tightrope.report.grid import model_label

    for name, model in MODELS.items():
        assert model_label(name, model.default_variant) == name
    assert model_label("eum", "paper") == "eum (paper)"
    assert model_label("nbs", "linear") == "nbs (linear)"
    assert model_label("compromise", "equal") == "compromise (equal)"


def test_fan_charts_draw_lines_and_ordinal_charts_sit_two_a_row() -> None:
    from tightrope.report.html import _driver_figures, _fan_figures, _fans, _ordinal

    scenario = tightrope.load("iraq-2025")
    simulation = tightrope.simulate(scenario, runs=2000, drivers="none").to_dict()
    fans = _fans(simulation["variables"], scenario)
    # Points marked on the bands' edges would take plotly's cycle of unrelated colours.
    assert {trace.mode for trace in fans.data} == {"lines"}
    ordinal = _ordinal(simulation, scenario)
    assert ordinal is not None
    columns = {trace.xaxis for trace in ordinal.data}
    assert len(ordinal.data) == 3
    assert len(columns) == 3
    domains = {round(ordinal.layout[f"xaxis{n}"].domain[0], 2) for n in ("", "2", "3")}
    assert len(domains) == 2  # two columns: the third chart starts a second row
    # Drivers: one chart a row, whose long labels then never run into a neighbour's bars.
    simulation = tightrope.simulate(scenario, runs=20_000, samples=5000).to_dict()
    figures = _driver_figures(simulation, scenario)
    charts = [trace for figure in figures for trace in figure.data]
    assert len(charts) == sum(1 for entries in simulation["drivers"].values() if entries) > 3
    for drivers in figures:
        assert len(drivers.data) <= 3  # a figure that fits a printed page, under its heading
        names = ["xaxis", *(f"xaxis{n}" for n in range(2, len(drivers.data) + 1))]
        axes = [drivers.layout[name] for name in names]
        assert {tuple(axis.domain) for axis in axes} == {(0.0, 1.0)}
    # The nine state variables' fans: in figures of at most six, three rows a page.
    parts = _fan_figures(simulation["variables"], scenario)
    assert [len(part.data) // 5 for part in parts] == [6, 3]  # five lines a chart


def test_a_variable_nothing_moves_is_named_with_its_value_not_drawn() -> None:
    """iraq-2025's US–Iran conflict switch (a fixed start no event changes) is the same in
    every run: the report names it with its value and draws the other eight; beside a what-if
    it says the runs are the baseline's."""
    from tightrope.report.html import _fan_figures, _figure, _state_section

    scenario = tightrope.load("iraq-2025")
    simulation = tightrope.simulate(scenario, runs=2000, drivers="none").to_dict()
    section = html.unescape(_state_section(simulation["variables"], scenario, what_if=False))
    assert (
        "The same in every run, as nothing in the model moves it: Direct US–Iran military "
        "conflict: 0 (0 = none, 1 = under way; set it in a what-if)."
    ) in section
    assert section.count('"name":"median"') == 8  # one line a chart, for the other eight
    drawn = html.unescape(_figure("", _fan_figures(simulation["variables"], scenario), ""))
    for label, shown in (("Direct US–Iran military conflict", False), ("Regional tension", True)):
        title = f'"text":{json.dumps(label)}'  # as plotly writes it (an en dash as \\u2013)
        assert title in drawn  # every chart when none is left out
        assert (title in section) is shown
    beside = html.unescape(_state_section(simulation["variables"], scenario, what_if=True))
    assert "The same in every baseline run" in beside
    alone = tightrope.load("iraq-2025").model_copy(
        update={"state": tuple(s for s in scenario.state if s.id == "us_iran_conflict")}
    )
    only = {"us_iran_conflict": simulation["variables"]["us_iran_conflict"]}
    assert _state_section(only, alone, what_if=False) == (
        "<h2>State of the crisis</h2><p class='note'>The same in every run, as nothing in the "
        "model moves it: Direct US–Iran military conflict: 0 (0 = none, 1 = under way; set it "
        "in a what-if).</p>"
    )


def test_each_question_line_ends_on_its_deadline_at_its_probability() -> None:
    """The chart's last point is the table's number: the built-in questions' deadline, 31 March
    2026, falls inside month 13 (to 15 April), which counts for its days up to the deadline. The
    first is 0 on the scenario's date: a question due early in the second month was a line of
    two points six days apart, from the end of the first."""
    from tightrope.report.html import _probabilities

    scenario = tightrope.load("iraq-2025")
    simulation = tightrope.simulate(scenario, runs=2000, drivers="none").to_dict()
    figure = _probabilities(simulation, scenario)
    binary = [q for q in scenario.questions if q.type == "binary"]
    assert len(figure.data) == len(binary) == 6
    for trace, question in zip(figure.data, binary, strict=True):
        result = simulation["questions"][question.id]
        assert result["answered_at"]["month"] == 13
        assert 0 < result["answered_at"]["share"] < 1
        assert trace.x[-1] == "2026-03-31"
        assert trace.x[-2] == "2026-03-15"  # the end of month 12
        assert trace.y[-1] == result["probability"]
        assert (trace.x[0], trace.y[0]) == ("2025-03-15", 0.0)  # from the scenario's date
        assert list(trace.y[1:-1]) == result["by_month"][:12]
        assert result["by_month"][11] <= trace.y[-1] <= result["by_month"][12]


def test_an_nbs_without_a_status_quo_is_marked_and_counted_once() -> None:
    """Without a disagreement point the NBS is the weighted mean of the positions, the
    compromise's own number: counted in the consensus it weighed that number twice."""
    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    for issue in data["issues"]:
        issue.pop("status_quo", None)
    scenario = tightrope.Scenario.model_validate(data)
    entries = tightrope.bargain(scenario, samples=0).to_dict()
    grid = settlement_grid(entries)
    for issue in grid.issues:
        nbs, compromise = grid.cell(issue, "nbs"), grid.cell(issue, "compromise")
        assert nbs is not None
        assert compromise is not None
        assert nbs.marks == ("≡",)
        assert nbs.forecast == compromise.forecast
        others = [
            entry["forecast"]
            for entry in entries
            if entry["issue"] == issue and entry["model"] != "nbs"
        ]
        assert grid.agreement[issue].consensus == statistics.median(others)
    assert any(note.startswith("≡ no status quo to bargain from") for note in grid.footnotes)


def test_a_questions_input_link_says_what_stands_behind_the_number() -> None:
    """Each question's link to its main input says whether evidence, an analyst's judgment or
    nothing stands behind it (it read "evidence for …" for a number without any)."""
    from tightrope.report.html import _evidence_link

    scenario = tightrope.load("iraq-2025")
    links = {q.id: _evidence_link(q, scenario) for q in scenario.questions}
    assert ">evidence for its rate</a>" in links["q2_us_strikes"]  # it cites claims
    assert "the starting position: an analyst&#x27;s judgment" in links["q7_alignment"]
    assert links["q8_max_ladder"] == ""  # a ladder question has no single input
    data = scenario.model_dump(mode="json", exclude_none=True)
    strikes = next(event for event in data["events"] if event["id"] == "us_strikes")
    strikes["hazard"]["per_month"] = 0.01  # a bare number: neither evidence nor judgment
    bare = Scenario.model_validate(data)
    q2 = next(q for q in bare.questions if q.id == "q2_us_strikes")
    assert "its rate: no evidence cited</a>" in _evidence_link(q2, bare)
    # A counter that starts at 0 by definition needs no evidence, and is not said to lack it.
    tempo = next(variable for variable in data["state"] if variable["id"] == "attack_tempo")
    tempo["initial"] = {"value": 0, "definition": True}
    counted = {"id": "q_tempo", "text": "T?", "resolution": "R", "deadline": "2025-12-31"}
    counted |= {"type": "ordinal", "variable": "attack_tempo", "cuts": [1]}
    data["questions"].append(
        counted | {"levels": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]}
    )
    defined = Scenario.model_validate(data)
    link = _evidence_link(defined.question("q_tempo"), defined)
    assert "its starting value: a definition</a>" in link
    # An event that happens only when another sets it off: the link is to that trigger's chance.
    strikes["hazard"]["per_month"] = 0
    triggered = Scenario.model_validate(data)
    q2 = next(q for q in triggered.questions if q.id == "q2_us_strikes")
    link = _evidence_link(q2, triggered)
    assert "href='#number-events.us_casualties.triggers[0].probability'" in link
    assert ">evidence for the chance “US casualties from a militia attack” sets it off</a>" in link


def test_a_reading_is_marked_on_its_variables_chart_and_the_caption_says_so() -> None:
    """A measured variable's reading is drawn on its fan, as a dot with its ± sd; the other
    charts carry none, and without readings the caption does not speak of them."""
    from tightrope.report.html import READINGS, _state_section

    scenario = tightrope.load("iraq-2025")
    plain = tightrope.simulate(scenario, runs=2000, drivers="none").to_dict()
    assert READINGS not in html.unescape(_state_section(plain["variables"], scenario, False))
    events = [event.id for event in scenario.events]
    read = tightrope.observe(
        scenario,
        [{"variable": "banks_barred", "date": "2025-05-20", "value": 12, "sd": 2}],
        unobserved=events,
    )
    simulation = tightrope.simulate(read, runs=2000, drivers="none", as_of="2025-06-01")
    section = html.unescape(_state_section(simulation.to_dict()["variables"], read, False))
    assert READINGS in section
    assert section.count('"name":"reading"') == 1
    assert '"x":["2025-05-20"],"y":[12.0]' in section
    assert '"error_y":{"array":[2.0],"type":"data"}' in section
