"""The public Python API: the README's example runs, results are typed, and ``to_dict()`` is
exactly what the CLI prints with ``--format json``."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path
from typing import Any

import pytest

import tightrope
from tests.cli_helpers import run, strict_json
from tightrope.errors import ArgumentError, TightropeError
from tightrope.results import QuestionResult
from tightrope.scenario import ScenarioError

README = Path(__file__).parent.parent / "README.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_the_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = python_blocks(README.read_text())
    assert blocks, "the README has a Python example"
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {}
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        for block in blocks:
            # Our own README, run as documentation tests (doctest does the same).
            exec(compile(block, str(README), "exec"), namespace)
    assert "q2_us_strikes" in printed.getvalue()
    assert sorted(os.listdir(tmp_path / "out")) == [
        "brief.md",
        "forecast.json",
        "report.html",
        "runs.parquet",
    ]
    assert (tmp_path / "forecasts.sqlite").exists()
    assert isinstance(namespace["q2"], QuestionResult)
    assert 0 < namespace["q2"].probability < 1


def without_clock(document: Any) -> Any:
    """The document without what differs between two runs of the same seed: timestamps and
    durations, and where the CLI says it wrote files."""
    if isinstance(document, dict):
        return {
            key: without_clock(value)
            for key, value in document.items()
            if key not in ("created", "duration_seconds", "files")
        }
    if isinstance(document, list):
        return [without_clock(value) for value in document]
    return document


def cli_json(*args: str) -> Any:
    code, out, err = run(*args, "--format", "json")
    assert code == 0, err
    return strict_json(out)


def api_json(document: Any) -> Any:
    """Through the same strict JSON writer as the CLI (tuples become lists, numpy numbers plain)."""
    from tightrope.outputs import json_text

    return strict_json(json_text(document))


@pytest.fixture(scope="module")
def scenario() -> tightrope.Scenario:
    return tightrope.load("iraq-2025")


def test_bargain_to_dict_is_the_cli_json(scenario: tightrope.Scenario) -> None:
    result = tightrope.bargain(scenario, samples=40, seed=3)
    assert api_json(result.to_dict()) == cli_json("bargain", "--samples", "40", "--seed", "3")
    single = tightrope.bargain(scenario, model="eum", issues=["iran_ties"], samples=20, rounds=12)
    assert api_json(single.to_dict()) == cli_json(
        "bargain", "-m", "eum", "-i", "iran_ties", "--samples", "20", "--rounds", "12"
    )
    frame = result.to_frame()
    assert set(frame["model"]) == set(tightrope.MODELS)
    assert len(frame) == 15


def test_one_what_if_alone_is_a_list_of_one(scenario: tightrope.Scenario) -> None:
    forbid = tightrope.Forbid("us_strikes")
    alone = tightrope.simulate(scenario, runs=1000, whatif=forbid).to_dict()
    assert alone == tightrope.simulate(scenario, runs=1000, whatif=[forbid]).to_dict()
    assert alone["comparison"]["q2_us_strikes"]["what_if"] == 0.0


def test_simulate_to_dict_is_the_cli_json(scenario: tightrope.Scenario) -> None:
    whatif = [
        tightrope.Force("us_casualties", 2),
        tightrope.Forbid("israel_escalation"),
        tightrope.Set("events.us_strikes.hazard.per_month", 0.02),
    ]
    result = tightrope.simulate(scenario, runs=3000, seed=5, whatif=whatif, given="bank_sanctions")
    assert api_json(result.to_dict()) == cli_json(
        "simulate",
        "--runs",
        "3000",
        "--seed",
        "5",
        "--force",
        "us_casualties@2",
        "--forbid",
        "israel_escalation",
        "--set",
        "events.us_strikes.hazard.per_month=0.02",
        "--given",
        "bank_sanctions",
    )
    q2 = result.questions["q2_us_strikes"]
    assert q2.kind == "binary"
    assert q2.probability == result.to_dict()["questions"]["q2_us_strikes"]["probability"]
    # The questions given an event are typed too, and the repr lists them, naming whose runs.
    given = result.given
    assert given is not None
    document = result.to_dict()["given"]
    banks = document["questions"]["q5_more_banks"]
    assert given["q5_more_banks"].probability == banks["probability"]
    runs = document["runs"]
    assert f"given bank_sanctions ({runs:,} runs, the what-if's):" in repr(result)
    # The answers the repr lists first are the what-if's, and it says so.
    lines = repr(result).splitlines()
    assert lines[1] == "the what-if's answers (the baseline's beside them further down):"
    assert lines[2].split()[:2] == [
        "q1_oil_restriction",
        f"{result.questions['q1_oil_restriction'].probability:.3f}",
    ]
    plain = tightrope.simulate(scenario, runs=500)
    assert plain.given is None
    assert "the what-if's answers" not in repr(plain)
    q7 = result.questions["q7_alignment"]
    assert q7.distribution is not None
    assert sum(q7.distribution.values()) == pytest.approx(1)
    # Events, typed: a chance by month that never falls and ends at the event's probability;
    # a forbidden event never happens; the window event shows the chance its modifiers imply.
    events = result.events
    assert list(events) == [event.id for event in scenario.events]
    for event in events.values():
        assert list(event.by_month) == sorted(event.by_month)
        assert event.by_month[-1] == event.probability <= event.mean_count
    assert events["israel_escalation"].probability == 0
    window = events["oil_restriction"].window
    assert window is not None
    assert window["implied"] > window["elicited_without_modifiers"]
    frame = result.events_frame()
    assert len(frame) == len(events) * result.to_dict()["months"]
    us_strikes = frame[frame["event"] == "us_strikes"]["probability"].tolist()
    assert us_strikes == list(events["us_strikes"].by_month)
    # Fans: the state variables and settlements from month 0, percentiles in order.
    fans = result.fans_frame()
    document = result.to_dict()
    names = [*document["variables"], *(f"settlement:{i}" for i in document["settlements"])]
    assert list(dict.fromkeys(fans["variable"])) == names
    assert len(fans) == len(names) * (document["months"] + 1)
    percentiles = fans[["p5", "p25", "p50", "p75", "p95"]].to_numpy()
    assert (percentiles[:, 1:] >= percentiles[:, :-1]).all()
    tension = fans[fans["variable"] == "regional_tension"]["p50"].tolist()
    assert tension == document["variables"]["regional_tension"]["percentiles"]["p50"]


def test_forecast_and_score_to_dict_are_the_cli_json(
    scenario: tightrope.Scenario, tmp_path: Path
) -> None:
    result = tightrope.forecast(scenario, runs=2000, bargaining_samples=20, seed=2)
    printed = cli_json(
        "forecast",
        "--runs",
        "2000",
        "--bargaining-samples",
        "20",
        "--seed",
        "2",
        "--out",
        str(tmp_path / "cli"),
    )
    assert without_clock(api_json(result.to_dict())) == without_clock(printed)
    compromise = next(
        entry["forecast"]
        for entry in printed["bargaining"]
        if entry["model"] == "compromise" and entry["issue"] == "iran_ties"
    )
    assert f"  iran_ties            compromise {compromise:.1f} · median" in repr(result)
    paths = result.save(tmp_path / "api")
    assert sorted(paths) == ["brief", "json", "report", "runs"]
    db = tmp_path / "r.sqlite"
    with tightrope.Registry(db) as registry:
        registry.record(result)
        registry.resolve("q1_oil_restriction", "no", registry.forecasts()[0].forecast_date)
        scores = registry.scores()
    assert api_json(scores.to_dict()) == cli_json("score", "--db", str(db))
    assert scores.summary["resolved"] == 1
    assert list(scores.to_frame()["question"]) == ["q1_oil_restriction"]


def test_a_forced_month_and_a_set_number_take_what_the_command_line_takes(
    scenario: tightrope.Scenario,
) -> None:
    """``Force`` takes the month as the command line does, its number or the calendar month it
    ends in (numpy's integers too); ``Set`` a numpy number."""
    import numpy as np

    forced = [
        tightrope.simulate(scenario, runs=200, whatif=[tightrope.Force("us_strikes", month)])
        for month in (3, "2025-06", np.int64(3))
    ]
    assert {str(result.to_dict()["interventions"]["force"]) for result in forced} == {
        "[{'event': 'us_strikes', 'month': 3}]"
    }
    path = "events.us_strikes.hazard.per_month"
    result = tightrope.simulate(scenario, runs=200, whatif=[tightrope.Set(path, np.float64(0.1))])
    assert result.to_dict()["interventions"]["set"] == {path: 0.1}


def test_errors_name_the_field_and_value(scenario: tightrope.Scenario) -> None:
    from tightrope.errors import TightropeError

    with pytest.raises(TightropeError, match="force us_strike@3: unknown event 'us_strike'"):
        tightrope.simulate(scenario, runs=100, whatif=[tightrope.Force("us_strike", 3)])
    with pytest.raises(TightropeError, match=r"set events.us_strikes.hazard.per_month=2: prob"):
        tightrope.simulate(
            scenario, runs=100, whatif=[tightrope.Set("events.us_strikes.hazard.per_month", 2)]
        )
    with pytest.raises(TightropeError, match="runs must be from 1 to 10,000,000"):
        tightrope.simulate(scenario, runs=20_000_000)
    with pytest.raises(TightropeError, match="no such file"):
        tightrope.load("no-such.yaml")
    # Counts, dates and scenarios of the wrong kind, as a notebook might pass them.
    refusals = [
        (lambda: tightrope.simulate(scenario, runs=0), "runs must be from 1 to 10,000,000; got 0"),
        (
            lambda: tightrope.forecast(scenario, runs=-5),
            "runs must be from 1 to 10,000,000; got -5",
        ),
        (
            lambda: tightrope.simulate(scenario, runs="100"),  # type: ignore[arg-type]
            "runs must be a whole number from 1 to 10,000,000; got '100'",
        ),
        (lambda: tightrope.simulate(scenario, runs=100, samples=0), "parameter samples must be"),
        (
            lambda: tightrope.simulate(scenario, runs=100, as_of="2025-13-01"),
            "as_of '2025-13-01': give a date, as datetime.date or 'YYYY-MM-DD'",
        ),
        (
            lambda: tightrope.replay(scenario, start=20250401, end="2025-05-15"),  # type: ignore[arg-type]
            "start 20250401: give a date",
        ),
        (
            lambda: tightrope.simulate({"id": "x"}),  # type: ignore[arg-type]
            "scenario: give a tightrope.Scenario (from tightrope.load); got a dict",
        ),
        (lambda: tightrope.simulate(scenario, runs=100, months=0), "months must be from 1 to 240"),
        (lambda: tightrope.bargain(scenario, "eum", rounds=0), "rounds must be from 1 to 1,000"),
        (
            lambda: tightrope.simulate(scenario, runs=100, whatif=["force x@3"]),  # type: ignore[list-item]
            "whatif 'force x@3': give Force, Forbid or Set",
        ),
        # A month or a number of the wrong kind was a TypeError deep in the engine.
        *(
            (
                lambda month=month: tightrope.simulate(
                    scenario, runs=100, whatif=[tightrope.Force("us_strikes", month)]
                ),
                f"force us_strikes@{month}: give EVENT@MONTH with a month from 1 to 13 (an int), "
                "or the calendar month YYYY-MM it ends in",
            )
            for month in (2.5, True, "May", "2025-03")
        ),
        (
            lambda: tightrope.simulate(
                scenario,
                runs=100,
                whatif=[tightrope.Set("events.us_strikes.hazard.per_month", "0.1")],  # type: ignore[arg-type]
            ),
            "set events.us_strikes.hazard.per_month='0.1': the value must be a finite number",
        ),
        # Paths and lists of names: a number, or one text read letter by letter, is refused.
        (
            lambda: tightrope.load(5),  # type: ignore[arg-type]
            "source: give a built-in scenario's id or a file's path, as text or a pathlib.Path",
        ),
        (lambda: tightrope.observe(scenario, 5), "source: give a file's path"),  # type: ignore[arg-type]
        (
            lambda: tightrope.observe(scenario, "x.yaml", mapping="m.yaml"),
            "mapping, published and since go with format: acled or ucdp-ged",
        ),
        (
            lambda: tightrope.bargain(scenario, issues="iran_ties"),
            "issues: give a list of texts, e.g. ['iran_ties']; got a str",
        ),
        (
            lambda: tightrope.bargain(scenario, model=3),  # type: ignore[arg-type]
            "model: give a list of texts, e.g. ['eum']; got an int",
        ),
        (
            lambda: tightrope.simulate(scenario, runs=100, given=5),  # type: ignore[arg-type]
            "given: give an event's id as text; got an int",
        ),
        (
            lambda: tightrope.simulate(scenario, runs=100, whatif=5),  # type: ignore[arg-type]
            "whatif: give a list of Force, Forbid or Set",
        ),
        (
            lambda: tightrope.replay(scenario, every=7),  # type: ignore[arg-type]
            "every: give 'month', 'week', 'Nw' or 'Nd' (every N weeks, days); got an int",
        ),
        (
            lambda: tightrope.Registry(5),  # type: ignore[arg-type]
            "path: give the registry file's path, as text or a pathlib.Path; got an int",
        ),
    ]
    for call, message in refusals:
        with pytest.raises(TightropeError, match=re.escape(message)):
            call()
    assert tightrope.simulate(scenario, runs=100, drivers="none", as_of="2025-04-01")


def test_the_public_surface_is_small() -> None:
    assert sorted(name for name in dir(tightrope) if not name.startswith("_")) == [
        "Forbid",
        "Force",
        "MODELS",
        "Registry",
        "Scenario",
        "Set",
        "bargain",
        "diff",
        "discover",
        "drop_modifiers",
        "explore",
        "forecast",
        "load",
        "make_model",
        "observe",
        "replay",
        "simulate",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "load",
        "bargain",
        "simulate",
        "forecast",
        "observe",
        "replay",
        "diff",
        "explore",
        "discover",
        "drop_modifiers",
    ],
)
def test_every_parameter_of_the_api_is_documented(name: str) -> None:
    import inspect

    function = getattr(tightrope, name)
    documented = inspect.getdoc(function) or ""
    assert "Parameters\n----------" in documented
    # The parameter lines of the numpydoc section, flush left: "name : type" or "a, b, c".
    named = re.findall(r"^([a-z_][a-z_, ]*?)(?: : |$)", documented.split("----------", 1)[1], re.M)
    listed = {word.strip() for line in named for word in line.split(",")}
    for parameter in inspect.signature(function).parameters:
        assert parameter in listed, f"{name}: {parameter} undocumented"


@pytest.mark.parametrize(
    "call",
    [
        lambda s: tightrope.bargain(s),
        lambda s: tightrope.simulate(s, runs=100),
        lambda s: tightrope.forecast(s, runs=100),
        lambda s: tightrope.observe(s, "seen.yaml"),
        lambda s: tightrope.replay(s, end="2025-05-15", runs=100),
        lambda s: tightrope.diff(tightrope.load("iraq-2025"), s),
        lambda s: tightrope.explore(s, samples=2, runs=10),
    ],
    ids=["bargain", "simulate", "forecast", "observe", "replay", "diff", "explore"],
)
def test_a_scenario_changed_in_python_is_checked_as_a_file_is(call: Any) -> None:
    """pydantic does not validate ``model_copy(update=...)``, and the cross-references are
    checked when a file is read: every door of the API checks them, before any work, and the
    error names each field."""
    builtin = tightrope.load("iraq-2025")
    uncoupled = builtin.model_copy(update={"coupling": None})
    with pytest.raises(ScenarioError) as refused:
        call(uncoupled)
    lines = str(refused.value).splitlines()
    assert len(lines) == 17  # each settlement term, position effect and settlement question
    assert lines[0] == (
        "scenario 'iraq-2025': events[1].effects[1].position: "
        "an effect on a position needs a coupling: section"
    )
    shortened = builtin.model_copy(update={"horizon_months": 0})
    with pytest.raises(ScenarioError, match=r"^scenario 'iraq-2025': horizon_months: "):
        call(shortened)


def test_the_registry_takes_dates_as_text_and_refuses_what_is_not_a_result(
    scenario: tightrope.Scenario, tmp_path: Path
) -> None:
    from tightrope.errors import ArgumentError

    result = tightrope.forecast(scenario, runs=200, bargaining_samples=0)
    with tightrope.Registry(tmp_path / "r.sqlite") as registry:
        with pytest.raises(ArgumentError, match=r"forecast: give the result of tightrope\.fore"):
            registry.record("forecast.json")  # type: ignore[arg-type]
        with pytest.raises(ArgumentError, match=r"replay: give the result of tightrope\.replay"):
            registry.record_replay(result)  # type: ignore[arg-type]
        with pytest.raises(ArgumentError, match="date 'March 20': give a date"):
            registry.record(result, "March 20")
        registry.record(result, "2025-03-20")
        assert registry.forecasts()[0].forecast_date.isoformat() == "2025-03-20"
        resolved = registry.resolve("q1_oil_restriction", "no", "2026-03-31")
        assert resolved.resolved_date.isoformat() == "2026-03-31"
        assert registry.integrity() == "ok"  # nothing half-written by the refusals


def test_a_scenario_without_events_or_issues_is_refused_by_name(
    tmp_path: Path, data_dir: Path
) -> None:
    """simulate and replay crashed inside numpy on a bargaining table; bargain on a scenario
    without issues returned an empty result."""
    from tests.degenerate import write_variant

    table = tightrope.load(str(data_dir / "bdm1994" / "emission_standards.csv"))
    for call in (
        lambda: tightrope.simulate(table, runs=1_000),
        lambda: tightrope.replay(table, end="2026-12-27", runs=1_000),
        lambda: tightrope.explore(table, samples=2, runs=10),
    ):
        with pytest.raises(ArgumentError, match="scenario 'emission-standards' has no events"):
            call()
    bare = tightrope.load(str(write_variant("no-issues", tmp_path)))
    with pytest.raises(TightropeError, match="scenario 'edge-no-issues' has no issues to bargain"):
        tightrope.bargain(bare)


def test_results_print_short_summaries_with_their_numbers(scenario: tightrope.Scenario) -> None:
    """In a notebook a result shows its design and each answer, not every number it holds (the
    dataclass and pydantic reprs ran to 50,000–800,000 characters)."""
    result = tightrope.simulate(
        scenario, runs=2_000, seed=3, drivers="none", whatif=tightrope.Forbid("us_strikes")
    )
    text = repr(result)
    assert len(text) < 4_000
    assert text.startswith("<SimulationResult iraq-2025: 2,000 runs (50 parameter samples × 40)")
    strikes = result.questions["q2_us_strikes"]
    assert f"q2_us_strikes              {strikes.probability:.3f} ± {strikes.mc_error:.3f}" in text
    alignment = result.questions["q7_alignment"].distribution or {}
    assert f"balancing {alignment['balancing']:.3f}" in text
    assert "what-if (forbid us_strikes)" in text
    move = (result.comparison or {})["q2_us_strikes"]
    assert f"{move['baseline']:.3f} → 0.000 ({move['difference']:+.3f} ± {move['se']:.3f})" in text

    assert repr(scenario) == str(scenario)
    assert repr(scenario) == (
        "Scenario(id='iraq-2025', title='Iraq between US pressure and Iran (March 2025)', "
        "as_of=2025-03-15, horizon_months=12: 11 actors, 3 issues, 9 events, 9 questions)"
    )
    bargaining = tightrope.bargain(scenario, samples=0)
    eum = bargaining["iran_ties", "eum"].result
    assert f"eum {float(eum.forecast[0]):.1f}" in repr(bargaining)
    assert repr(eum).startswith(
        "BargainResult(model='eum', variant='scholz-code', issue='iran_ties', forecast=["
    )
    replayed = tightrope.replay(scenario, end="2025-04-15", runs=1_000)
    assert len(repr(replayed)) < 4_000
    assert "steps (observations known): 2025-03-15 (0), 2025-04-15 (0)" in repr(replayed)


def test_a_question_the_evidence_settled_says_so(scenario: tightrope.Scenario) -> None:
    """A question resolved by an observation read 1.000 ± 0.000 in the API, like one the model
    is sure of; it now carries the resolution, in its row of the frame too."""
    seen = tightrope.observe(scenario, [{"event": "us_strikes", "date": "2025-06-01"}])
    for result in (
        tightrope.simulate(seen, runs=2000, as_of="2025-07-01", drivers="none"),
        tightrope.forecast(seen, runs=2000, as_of="2025-07-01", bargaining_samples=0),
    ):
        settled = result.questions["q2_us_strikes"]
        assert settled.resolved == "yes: us_strikes on 2025-06-01"
        assert settled.brief() == "resolved yes: us_strikes on 2025-06-01"
        frame = result.to_frame().set_index("question")
        assert frame.loc["q2_us_strikes", "resolved"] == "yes"
        assert frame["resolved"].isna().sum() == len(frame) - 1
        # None where a question is open, as the result has it (pandas made it NaN beside "yes").
        assert frame.loc["q1_oil_restriction", "resolved"] is None
        assert result.questions["q1_oil_restriction"].resolved is None
        assert repr(result).count("resolved yes") == 1


def test_a_level_no_run_can_reach_says_so_in_python(scenario: tightrope.Scenario) -> None:
    """Without the rule that lifts the ladder to its top rung, the top level of q8 has no
    chance in any run: the result, its repr and its frame say so and why."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["ladder"]["levels"][-1].pop("when")
    bare = tightrope.Scenario.model_validate(data)
    result = tightrope.simulate(bare, runs=2000, drivers="none")
    q8 = result.questions["q8_max_ladder"]
    assert q8.unreachable == {
        "sustained_conflict": "nothing in the model takes the ladder above 5 (no event raises "
        "it higher, and no higher rung has a condition)"
    }
    assert q8.distribution is not None
    assert q8.distribution["sustained_conflict"] == 0
    assert "sustained_conflict 0.000 (unreachable)" in repr(result)
    frame = result.to_frame().set_index(["question", "level"])
    assert frame["unreachable"].notna().sum() == 1
    assert frame.loc[("q8_max_ladder", "sustained_conflict"), "unreachable"].startswith("nothing")
    assert (
        tightrope.simulate(scenario, runs=2000, drivers="none")
        .to_frame()["unreachable"]
        .isna()
        .all()
    )
