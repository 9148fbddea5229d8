"""One model: events move the bargaining inputs, every run re-solves its bargaining, and the
settlement moves the events (issue 12)."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tightrope
from tightrope.dynamics.dependencies import reachable_parameters
from tightrope.dynamics.engine import Design, Interventions, simulate
from tightrope.dynamics.results import summarise
from tightrope.dynamics.structure import starting_terms
from tightrope.report.html import render_report
from tightrope.scenario.builtin import load_builtin
from tightrope.scenario.load import load_scenario
from tightrope.scenario.schema import Scenario

# Weights c × s: a 2 × 1, b 1 × 0.5, c 1 × 1; Σw = 3.5; settlement (2·20 + 0.5·60 + 80) / 3.5.
TOY: dict[str, Any] = {
    "id": "toy",
    "title": "Toy",
    "as_of": "2025-01-01",
    "horizon_months": 6,
    "actors": [
        {"id": "a", "name": "A", "kind": "state", "capability": {"value": 2}},
        {"id": "b", "name": "B", "kind": "state", "capability": {"value": 1}},
        {"id": "c", "name": "C", "kind": "state", "capability": {"value": 1}},
    ],
    "issues": [{"id": "x", "label": "X", "low_meaning": "no", "high_meaning": "yes"}],
    "positions": {
        "x": {
            "a": {"position": {"value": 20}, "salience": {"value": 1}},
            "b": {"position": {"value": 60}, "salience": {"value": 0.5}},
            "c": {"position": {"value": 80}, "salience": {"value": 1}},
        }
    },
    "events": [
        {
            "id": "shift",
            "label": "B moves",
            "hazard": {"per_month": {"value": 0}},
            "effects": [{"position": "x.b", "add": {"value": 30}}],
        },
        {
            "id": "react",
            "label": "Reaction once X passes 45",
            "hazard": {"per_month": {"value": 1}},
            "requires": "settlement(x) > 45",
        },
    ],
    "coupling": {"model": "compromise"},
    "questions": [
        {
            "id": "where",
            "text": "Where does X stand?",
            "resolution": "By the settlement.",
            "deadline": "2025-06-30",
            "type": "ordinal",
            "issue": "x",
            "cuts": [45],
            "levels": [{"id": "low", "label": "≤ 45"}, {"id": "high", "label": "> 45"}],
        }
    ],
}


def toy(**changes: Any) -> Scenario:
    data = copy.deepcopy(TOY)
    data.update(changes)
    return Scenario.model_validate(data)


def test_an_event_moves_the_settlement_by_its_weight_share() -> None:
    """Forcing B's move (+30, weight 0.5 of 3.5) in month 3 moves the compromise by exactly
    0.5 × 30 / 3.5 in that month; a condition on settlement(x) > 45 flips the month after."""
    scenario = toy()
    model, record = simulate(scenario, Design(samples=1, runs=50, seed=0))
    column = model.fan_column("settlement:x")
    solved = model.variables.index("settlement:x")
    before = (2 * 20 + 0.5 * 60 + 80) / 3.5
    # Fan charts keep float32: equal to 1e-5 there, and to 1e-12 in the solver itself.
    assert record.fan[0, :, column] == pytest.approx([before] * 7, abs=1e-5)
    assert model.coupling is not None
    values = model.initial_values(record.parameters[:1])
    assert values[0, solved] == pytest.approx(before, abs=1e-12)
    values[0, model.variables.index("position:x.b")] += 30
    model.coupling.solve(values)
    assert values[0, solved] - before == pytest.approx(0.5 * 30 / 3.5, abs=1e-12)
    react = model.event_index("react")
    assert (record.first[:, react] == 0).all()
    forced = Interventions(force=(("shift", 3),))
    model, record = simulate(scenario, Design(samples=1, runs=50, seed=0), forced)
    path = record.fan[0, :, column]
    assert path[:3] == pytest.approx([before] * 3, abs=1e-5)
    assert path[3] - path[2] == pytest.approx(0.5 * 30 / 3.5, abs=1e-5)
    assert before < 45 < path[3]
    assert (record.first[:, react] == 4).all()
    # The settlement question reads the same number at the deadline.
    assert (record.answers["where"] == 1).all()


def test_an_issue_one_actor_decides_settles_where_that_actor_stands() -> None:
    """X decided by C alone: its settlement in every run is C's position (80), whatever B does;
    with A and C deciding, the compromise of their two positions, (2·20 + 80) / 3."""
    issue = {**TOY["issues"][0], "decided_by": ["c"]}
    forced = Interventions(force=(("shift", 3),))
    model, record = simulate(toy(issues=[issue]), Design(samples=1, runs=20, seed=0), forced)
    path = record.fan[0, :, model.fan_column("settlement:x")]
    assert path == pytest.approx([80.0] * 7, abs=1e-5)  # B's move changes nothing
    label = summarise(model, record, drivers=0)["settlements"]["x"]["label"]
    assert label == "X: as C sets it (0–100)"
    assert (record.first[:, model.event_index("react")] == 1).all()  # 80 > 45 from the start
    assert (record.answers["where"] == 1).all()
    both = {**TOY["issues"][0], "decided_by": ["a", "c"]}
    model, record = simulate(toy(issues=[both]), Design(samples=1, runs=5, seed=0))
    assert record.fan[0, 0, model.fan_column("settlement:x")] == pytest.approx(40.0, abs=1e-5)
    # So only C's position has a path to the settlement when C decides alone (the drivers and
    # discovery leave the rest out); with A and C, their positions, saliences and capabilities.
    assert reachable_parameters(toy(issues=[issue]))["where"] == {"positions.x.c.position"}
    assert reachable_parameters(toy(issues=[both]))["where"] == {
        f"{part}.{actor}.{kind}"
        for actor in ("a", "c")
        for part, kind in (("positions.x", "position"), ("positions.x", "salience"))
    } | {"actors.a.capability", "actors.c.capability"}


def test_the_weighted_median_is_an_option() -> None:
    model, record = simulate(toy(coupling={"model": "median"}), Design(samples=1, runs=5))
    column = model.fan_column("settlement:x")
    # Weights 2, 0.5, 1 at 20, 60, 80: half the weight (1.75) is reached at 20.
    assert record.fan[0, 0, column] == 20.0
    # Decided by B and C alone (weights 0.5 and 1): C's 80, and the report says it is a median.
    deciders = {**TOY["issues"][0], "decided_by": ["b", "c"]}
    scenario = toy(coupling={"model": "median"}, issues=[deciders])
    model, record = simulate(scenario, Design(samples=1, runs=5))
    assert record.fan[0, 0, model.fan_column("settlement:x")] == 80.0
    page = render_report(tightrope.forecast(scenario, runs=200, seed=0).document, scenario)
    assert "decided by B and C alone: its chart follows the weighted median of their" in page


def test_a_continuous_modifier_moves_the_log_odds_per_unit() -> None:
    """Hazard 0.1, log-odds + 0.05 × settlement: at 150/3.5 the monthly chance is known."""
    data = copy.deepcopy(TOY)
    data["events"][1] = {
        "id": "react",
        "label": "Reaction",
        "hazard": {"per_month": {"value": 0.1}},
        "modifiers": [
            {"term": "settlement(x)", "coefficient": {"low": 0.04, "mode": 0.05, "high": 0.06}}
        ],
    }
    scenario = Scenario.model_validate(data)
    theta_path = "events.react.modifiers[0].coefficient"
    fixed = Interventions(set=((theta_path, 0.05),))
    model, record = simulate(scenario, Design(samples=1, runs=200_000, seed=3, months=1), fixed)
    odds = 0.1 / 0.9 * np.exp(0.05 * 150 / 3.5)
    expected = odds / (1 + odds)
    happened = (record.first[:, model.event_index("react")] == 1).mean()
    assert happened == pytest.approx(expected, abs=4 * np.sqrt(expected * (1 - expected) / 200_000))
    # show says where the term stands at the start: 150/3.5 in every sample, far from 0, so the
    # elicited 0.1 is not the chance as things stand.
    assert starting_terms(scenario) == {("react", 0): pytest.approx((150 / 3.5,) * 3)}
    assert "per unit of settlement(x), at the start 42.9 (42.9–42.9)" in show_text(scenario)
    # The built-in case centres its terms (on 42): they start near 0.
    for low, middle, high in starting_terms(load_builtin("iraq-2025")).values():
        assert low < middle < high
        assert abs(middle) < 0.2


def show_text(scenario: Scenario) -> str:
    """What ``tightrope show`` prints of a scenario, lines joined."""
    from rich.console import Console

    from tightrope.report.terminal import scenario_summary

    console = Console(record=True, width=400)
    console.print(scenario_summary(scenario, terms=starting_terms(scenario)))
    return " ".join(console.export_text().split())


def _fingerprint(record: Any, state_columns: int, questions: list[str]) -> str:
    digest = hashlib.sha256()
    for array in (
        record.first,
        record.counts,
        record.ladder_max,
        record.fan[:, :, :state_columns],
        *[record.answers[key] for key in questions],
    ):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


BEFORE_COUPLING = Path(__file__).parent / "data" / "iraq-2025-before-coupling.yaml"


def test_a_coupling_that_changes_nothing_changes_nothing() -> None:
    """The built-in case as it was before coupling existed runs exactly as when the fingerprint
    was taken (with version 0.2's random streams; test_stream_equivalence checks them against
    0.1's, which gave 9d323d35…; retaken when state questions came to be answered on their
    deadline's day, which changed their answers and no other array); given a coupling, the
    built-in's effects on positions, saliences and capabilities and continuous modifiers whose
    coefficients are all zero, every event, count, answer and state path is bit-identical
    again."""
    plain = load_scenario(BEFORE_COUPLING)
    design = Design(samples=50, runs=100, seed=7)
    _, record = simulate(plain, design)
    digest = hashlib.sha256()
    # The fans in double precision, as the record held them when the fingerprint was taken.
    fan = record.fan.astype(float)
    for array in (record.first, record.counts, record.ladder_max, fan, record.sample):
        digest.update(np.ascontiguousarray(array).tobytes())
    digest.update(np.ascontiguousarray(record.parameters).tobytes())
    for key in sorted(record.answers):
        digest.update(np.ascontiguousarray(record.answers[key]).tobytes())
    assert digest.hexdigest() == "f038158e6bd2f6c54e439f6a43dc84572c99bed4987b6d0ba3584558f8673426"
    zero = plain.model_dump(mode="json", exclude_none=True)
    zero["coupling"] = {"model": "compromise"}
    builtin = {event.id: event for event in load_builtin("iraq-2025").events}
    term = "(settlement(militia_disarmament) - 42) / 10"
    for event in zero["events"]:
        event["effects"] += [
            effect.model_dump(mode="json", exclude_none=True)
            for effect in builtin[event["id"]].effects
            if effect.variable is None
        ]
        zero_coefficient = {"value": 0, "evidence": ["fact_tower22"]}
        event["modifiers"].append({"term": term, "coefficient": zero_coefficient})
    _, again = simulate(Scenario.model_validate(zero), design)
    state, questions = len(plain.state), sorted(record.answers)
    assert _fingerprint(again, state, questions) == _fingerprint(record, state, questions)


BAD = [
    (["events", 0, "effects", 0, "position"], "nope.b", "unknown issue 'nope'"),
    (["events", 0, "effects", 0, "position"], "x.zz", "unknown actor with a stance on x 'zz'"),
    (["events", 0, "effects", 0], {"capability": "zz", "multiply": {"value": 2}}, "'zz'"),
    (["events", 1, "requires"], "settlement(nope) > 5", "unknown issue with stances 'nope'"),
    (["events", 1, "requires"], "gap(a, zz, x) > 5", "unknown actor with a stance on x 'zz'"),
    (
        ["events", 1, "modifiers"],
        [{"term": "settlement(x)", "coefficient": {"value": 0.05}}],
        "a coefficient needs a judgment range (low, high) or evidence",
    ),
    (["questions", 0, "cuts"], [150], "the cuts of a settlement question lie within 0–100"),
    (["coupling", "on"], ["nothing"], "unknown event 'nothing'"),
    (["questions", 0, "actor"], "zz", "unknown actor with a stance on x 'zz'"),
]


@pytest.mark.parametrize(("path", "value", "message"), BAD)
def test_bad_coupling_input_is_located(
    tmp_path: Any, path: list[Any], value: Any, message: str
) -> None:
    import yaml

    from tests.cli_helpers import run

    data = copy.deepcopy(TOY)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    file = tmp_path / "bad.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    code, out, err = run("validate", str(file))
    assert code == 2
    assert message in out + err
    line = next(row for row in (out + err).splitlines() if message in row)
    assert line.startswith(f"{file}:")


def test_coupling_targets_need_a_coupling_section(tmp_path: Any) -> None:
    import yaml

    from tests.cli_helpers import run

    data = copy.deepcopy(TOY)
    del data["coupling"]
    file = tmp_path / "uncoupled.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    code, out, err = run("validate", str(file))
    assert code == 2
    for message in (
        "an effect on a position needs a coupling: section",
        "settlement() needs a coupling: section",
        "a settlement question needs a coupling: section",
    ):
        assert message in out + err


def test_the_builtin_disarmament_plan_moves_its_issue_and_the_hazards_that_read_it() -> None:
    """iraq-2025: forcing the plan in month 1 moves the government (+30) and the Coordination
    Framework (+20) on militia_disarmament, so the settlement rises by about 0.104 × 30 +
    0.143 × 20 ≈ 6 points; the militia campaign and bank bans, whose log-odds fall with that
    settlement, become rarer in the same runs."""
    scenario = load_builtin("iraq-2025")
    design = Design(samples=400, runs=50, seed=2)
    model, baseline = simulate(scenario, design)
    _, planned = simulate(scenario, design, Interventions(force=(("disarmament_plan", 1),)))
    column = model.fan_column("settlement:militia_disarmament")
    rise = planned.fan[:, 1, column] - baseline.fan[:, 1, column]
    assert 4 < float(np.median(rise)) < 9
    summary = summarise(model, planned, drivers=0)
    assert "militia_disarmament" in summary["settlements"]
    for event in ("militia_campaign", "bank_sanctions"):
        index = model.event_index(event)
        before = (baseline.first[:, index] > 0).mean()
        after = (planned.first[:, index] > 0).mean()
        assert after < before - 0.01, event


@pytest.mark.parametrize(
    ("coupling", "moves_in"),
    [({"every": 3}, 3), ({"every": 3, "on": ["shift"]}, 1), ({"every": 1}, 1)],
)
def test_the_schedule_decides_when_a_run_re_solves(coupling: dict[str, Any], moves_in: int) -> None:
    """B's move forced in month 1: with every 3 months the settlement moves at month 3; when
    the move is a flagged event, in its own month."""
    scenario = toy(coupling={"model": "compromise", **coupling})
    forced = Interventions(force=(("shift", 1),))
    model, record = simulate(scenario, Design(samples=1, runs=3, seed=0), forced)
    assert scenario.coupling is not None  # the report and `show` say when a run re-solves
    cadence = scenario.coupling.cadence()
    assert ("every 3 months" in cadence) == (coupling["every"] == 3)
    assert ("in a month when shift happens" in cadence) == ("on" in coupling)
    path = record.fan[0, :, model.fan_column("settlement:x")]
    before = (2 * 20 + 0.5 * 60 + 80) / 3.5
    assert path[moves_in - 1] == pytest.approx(before, abs=1e-5)
    assert path[moves_in] == pytest.approx(before + 0.5 * 30 / 3.5, abs=1e-5)


def test_the_report_shows_the_settlement_fans() -> None:
    from tightrope.api import forecast
    from tightrope.report.html import render_report

    scenario = load_builtin("iraq-2025")
    result = forecast(scenario, runs=4000, bargaining_samples=0, seed=1)
    page = render_report(result.document, scenario)
    assert "Where the issues settle, month by month, inside the runs" in page
    assert "re-solves every issue by the compromise model every month," in page
    assert set(result.document["simulation"]["settlements"]) == {
        "militia_disarmament",
        "iran_ties",
        "us_pressure",
    }


def test_degenerate_bargaining_stays_finite() -> None:
    """No actor with weight: the settlement is the plain mean; a term of 0/0 moves nothing and
    one that divides by zero caps the odds; capabilities cannot go negative."""
    data = copy.deepcopy(TOY)
    for actor in data["actors"]:
        actor["capability"] = {"value": 0}
    data["events"][1] = {
        "id": "react",
        "label": "Reaction",
        "hazard": {"per_month": {"value": 0.1}},
        "modifiers": [
            {"term": "(settlement(x) - 40) / 0", "coefficient": {"value": 1, "evidence": []}},
            {"term": "0 / 0", "coefficient": {"low": 1, "mode": 2, "high": 3}},
        ],
        "effects": [{"capability": "a", "add": {"value": -5}}],
    }
    data["events"][1]["modifiers"][0]["coefficient"] = {"low": 0.5, "mode": 1, "high": 2}
    scenario = Scenario.model_validate(data)
    model, record = simulate(scenario, Design(samples=5, runs=200, seed=0, months=3))
    column = model.fan_column("settlement:x")
    assert record.fan[0, 0, column] == pytest.approx((20 + 60 + 80) / 3, abs=1e-5)
    assert np.isfinite(record.fan).all()
    # (53.3 − 40) / 0 = +inf: the odds are capped at e^50, so the reaction is all but certain.
    assert (record.first[:, model.event_index("react")] == 1).mean() > 0.99


def test_a_question_can_read_one_actors_position() -> None:
    """With ``actor``, the cuts divide that actor's position: B starts at 60 (above 45) and,
    forced to move +30, ends at 90, above a cut at 75 it started below."""
    data = copy.deepcopy(TOY)
    data["questions"][0] |= {"actor": "b", "cuts": [75]}
    scenario = Scenario.model_validate(data)
    design = Design(samples=1, runs=50, seed=0)
    assert (simulate(scenario, design)[1].answers["where"] == 0).all()
    forced = Interventions(force=(("shift", 3),))
    assert (simulate(scenario, design, forced)[1].answers["where"] == 1).all()


def test_a_settlement_off_the_schedule_waits_for_its_solve() -> None:
    """Re-solved every third month or after US strikes: a run whose inputs moved in month 1
    without strikes keeps its settlement until month 3, even where most runs of its tile are
    re-solved (solving those on whole columns once solved it early too)."""
    data: dict[str, Any] = load_builtin("iraq-2025").model_dump(mode="json", exclude_none=True)
    data["coupling"] = {"model": "compromise", "every": 3, "on": ["us_strikes"]}
    scenario = Scenario.model_validate(data)
    # Everyone's inputs move in month 1; about half the runs see US strikes each month.
    moved = Interventions(
        force=(("oil_restriction", 1),), set=(("events.us_strikes.hazard.per_month", 0.5),)
    )
    model, record = simulate(scenario, Design(samples=20, runs=50, seed=2), moved)
    strikes = record.first[record.fan_run, model.event_index("us_strikes")]
    calm = (strikes == 0) | (strikes > 2)
    settlements = [model.fan_column(name) for name in model.variables if "settlement:" in name]
    path = record.fan[calm][:, :, settlements]
    assert 100 < calm.sum() < len(calm) - 100
    np.testing.assert_array_equal(path[:, 1], path[:, 0])
    np.testing.assert_array_equal(path[:, 2], path[:, 0])
    assert (path[:, 3] != path[:, 0]).any()  # solved on the schedule


def test_an_input_re_solves_the_issues_it_feeds_and_only_those() -> None:
    """Two issues, x and y, on which A, B and C all stand. B's move on x re-solves x and leaves
    y alone; C's capability (which weighs on both issues) re-solves both, by its weight share."""
    data = copy.deepcopy(TOY)
    data["issues"].append({"id": "y", "label": "Y", "low_meaning": "no", "high_meaning": "yes"})
    data["positions"]["y"] = {
        "a": {"position": {"value": 0}, "salience": {"value": 1}},
        "b": {"position": {"value": 50}, "salience": {"value": 1}},
        "c": {"position": {"value": 100}, "salience": {"value": 1}},
    }
    data["events"][1] = {
        "id": "grow",
        "label": "C grows",
        "hazard": {"per_month": {"value": 0}},
        "effects": [{"capability": "c", "multiply": {"value": 3}}],
    }
    scenario = Scenario.model_validate(data)
    forced = Interventions(force=(("shift", 1), ("grow", 2)))
    model, record = simulate(scenario, Design(samples=1, runs=4, seed=0), forced)
    assert model.coupling is not None
    b_moves = model.variables.index("position:x.b")
    c_grows = model.variables.index("capability:c")
    assert model.coupling.issues_fed_by(b_moves) == (0,)
    assert model.coupling.issues_fed_by(c_grows) == (0, 1)
    x = record.fan[0, :, model.fan_column("settlement:x")]
    y = record.fan[0, :, model.fan_column("settlement:y")]
    # x: weights 2, 0.5, 1 at 20, 60 → 90 (month 1), 80; then C's weight 1 → 3.
    assert x[:3] == pytest.approx([150 / 3.5, 165 / 3.5, (40 + 45 + 240) / 5.5], abs=1e-4)
    # y: weights 2, 1, 1 at 0, 50, 100; unmoved by B, then C's weight 1 → 3.
    assert y[:3] == pytest.approx([150 / 4, 150 / 4, 350 / 6], abs=1e-4)


def test_re_solving_only_moved_issues_changes_no_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """The built-in case with its coupling re-solved every 2 months or after US strikes, and
    interventions that move every issue: re-solving each issue only where its own inputs moved
    gives the record bit for bit that re-solving every issue of a moved run gives."""
    from tightrope.dynamics.model import CompiledCoupling

    data: dict[str, Any] = load_builtin("iraq-2025").model_dump(mode="json", exclude_none=True)
    data["coupling"] = {"model": "compromise", "every": 2, "on": ["us_strikes"]}
    scenario = Scenario.model_validate(data)
    moved = Interventions(force=(("oil_restriction", 2), ("disarmament_plan", 4)))
    design = Design(samples=20, runs=100, seed=3)
    questions = [q.id for q in scenario.questions]
    model, record = simulate(scenario, design, moved)
    state = len(model.scenario.state)
    per_issue = _fingerprint(record, state, questions)
    settlements = [model.fan_column(name) for name in model.variables if "settlement:" in name]

    def every_issue(self: CompiledCoupling, column: int) -> tuple[int, ...]:
        return tuple(range(len(self.settlements)))

    monkeypatch.setattr(CompiledCoupling, "issues_fed_by", every_issue)
    model, everything = simulate(scenario, design, moved)
    assert _fingerprint(everything, state, questions) == per_issue
    np.testing.assert_array_equal(everything.fan[:, :, settlements], record.fan[:, :, settlements])
