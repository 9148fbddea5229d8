"""Conditioning on observations: the analytic answers Bayesian updating must give, within Monte
Carlo error, and the built-in case updated on what happened."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tightrope
from tests.cli_helpers import run
from tests.dynamics.walks import PARTS, WALK, Z90
from tightrope.errors import WhatIfError

BETA = """
id: beta
title: Beta
as_of: 2025-01-15
horizon_months: 8
actors: [{id: a, name: A, kind: state, capability: 1}]
events:
  - id: e
    label: E
    hazard: {per_month: {dist: beta, low: 0, high: 1, alpha: 2, beta: 6, judgment: true}}
questions:
  - {id: q, text: "E?", resolution: r, deadline: 2025-09-15, type: binary, event: e}
"""


def scenario_from(text: str, tmp_path: Path) -> tightrope.Scenario:
    file = tmp_path / "s.yaml"
    file.write_text(text)
    return tightrope.load(file)


@pytest.mark.parametrize("unseen_months", [3, 6])
def test_a_beta_hazard_not_seen_for_k_months_has_the_conjugate_posterior(
    unseen_months: int, tmp_path: Path
) -> None:
    """Beta(a, b) prior on the monthly hazard, no event for k months: the next month's chance is
    a / (a + b + k), where the prior's is a / (a + b)."""
    a, b, k = 2, 6, unseen_months
    scenario = scenario_from(BETA, tmp_path)
    prior = tightrope.simulate(scenario, runs=200_000, samples=4000, seed=1, drivers="none")
    assert prior.questions["q"].by_month is not None
    assert prior.questions["q"].by_month[0] == pytest.approx(a / (a + b), abs=0.006)
    as_of = dt.date(2025, 1 + k, 15)
    posterior = tightrope.simulate(
        scenario, runs=200_000, samples=4000, seed=1, drivers="none", as_of=as_of
    )
    by_month = posterior.questions["q"].by_month
    assert by_month is not None
    assert by_month[k - 1] == 0  # nothing in the months seen
    assert by_month[k] == pytest.approx(a / (a + b + k), abs=0.006)
    # Forcing "no event" as a what-if teaches the model nothing: the hazard stays the prior.
    forced = tightrope.simulate(
        scenario, runs=20_000, samples=4000, seed=1, drivers="none", whatif=[tightrope.Forbid("e")]
    )
    assert forced.record is not None
    assert "conditioning" not in forced.to_dict()
    assert forced.record.parameters[:, 0].mean() == pytest.approx(a / (a + b), abs=0.006)
    hazard = posterior.to_dict()["conditioning"]["parameters"][0]
    assert hazard["parameter"] == "events.e.hazard.per_month"
    assert hazard["posterior"]["mean"] == pytest.approx(a / (a + b + k), abs=0.006)
    assert hazard["prior"]["mean"] == pytest.approx(a / (a + b), abs=0.006)


def test_seeing_b_raises_the_chance_that_unseen_a_happened(tmp_path: Path) -> None:
    text = """
id: ab
title: AB
as_of: 2025-01-15
horizon_months: 6
actors: [{id: a, name: A, kind: state, capability: 1}]
events:
  - {id: a, label: A, hazard: {per_month: 0.1}}
  - id: b
    label: B
    hazard: {per_month: 0.02}
    modifiers: [{when: "occurred(a)", odds_ratio: 30}]
unobserved: [a]
observations:
  - {event: b, date: 2025-03-10}
"""
    scenario = scenario_from(text, tmp_path)
    prior = tightrope.simulate(scenario, runs=100_000, samples=1, seed=2, drivers="none")
    posterior = tightrope.simulate(
        scenario, runs=100_000, samples=1, seed=2, drivers="none", as_of=dt.date(2025, 4, 1)
    )
    before = prior.to_dict()["events"]["a"]["by_month"][1]
    after = posterior.to_dict()["events"]["a"]["by_month"][1]
    assert before == pytest.approx(1 - 0.9**2, abs=0.005)
    assert after > before + 0.3  # B is far likelier once A has happened
    assert posterior.to_dict()["events"]["b"]["by_month"][1] == 1


def test_a_precise_measurement_pins_the_initial_value(tmp_path: Path) -> None:
    text = """
id: measured
title: Measured
as_of: 2025-01-15
horizon_months: 4
actors: [{id: a, name: A, kind: state, capability: 1}]
state:
  - {id: x, label: X, initial: {dist: uniform, low: 0, high: 100, judgment: true}, min: 0, max: 100}
events:
  - {id: e, label: E, hazard: {per_month: 0.1}, effects: [{variable: x, add: 0}]}
observations:
  - {variable: x, date: 2025-02-10, value: 37, sd: 0.5}
"""
    scenario = scenario_from(text, tmp_path)
    posterior = tightrope.simulate(
        scenario, runs=100_000, samples=20_000, seed=3, drivers="none", as_of=dt.date(2025, 3, 1)
    )
    initial = next(
        p
        for p in posterior.to_dict()["conditioning"]["parameters"]
        if p["parameter"] == "state.x.initial"
    )
    assert initial["prior"]["mean"] == pytest.approx(50, abs=1)
    assert initial["posterior"]["mean"] == pytest.approx(37, abs=0.3)
    low, high = initial["posterior"]["interval"]
    assert 35.5 < low < 37 < high < 38.5
    # The measurement's chance is that of a reading within its ± sd, not a density (which
    # passes 1 for a precise one): the posterior puts x about N(37, 0.5), so a reading differs
    # from 37 by N(0, 2) in sd, within one with chance 2Φ(1/√2) − 1 = 0.520.
    seen = posterior.to_dict()["conditioning"]["observations"][0]
    assert seen["observation"] == "x = 37 ± 0.5 on 2025-02-10"
    assert seen["chance"] == pytest.approx(0.5205, abs=0.01)
    # Before it, x was uniform on [0, 100], so the reading lay within its sd of x with chance
    # ∫ (Φ(z + 1) − Φ(z − 1)) dz / 200 = 2 / 200: the surprise the posterior average hides.
    assert seen["chance_given_before"] == pytest.approx(0.01, rel=0.05)


@pytest.mark.parametrize(
    ("measured", "said", "in_words"),
    [
        ("{issue: deal, actor: b, ", "position(deal, b) = 37", "B's position on “Deal” at 37"),
        ("{issue: deal, ", "settlement(deal) = 37", "“Deal” settled at 37"),
    ],
)
def test_a_measured_position_or_settlement_pins_the_position(
    measured: str, said: str, in_words: str, tmp_path: Path
) -> None:
    """In a coupled scenario, B's position on the deal starts uniform on [0, 100] and a talk
    moves it by +10 in month 1; B alone decides the deal, so its settlement is B's position.
    Read at 37 ± 0.5 in February (month 2, after the talk), either pins the start at 27."""
    text = f"""
id: measured
title: Measured
as_of: 2025-01-15
horizon_months: 4
actors:
  - {{id: a, name: A, kind: state, capability: 1}}
  - {{id: b, name: B, kind: state, capability: 1}}
issues: [{{id: deal, label: Deal, low_meaning: none, high_meaning: all, decided_by: [b]}}]
positions:
  deal:
    a: {{position: 50, salience: 0.5}}
    b: {{position: {{dist: uniform, low: 0, high: 100, judgment: true}}, salience: 0.5}}
coupling: {{model: compromise}}
events:
  - {{id: talk, label: Talk, hazard: {{per_month: 0.5}}, effects: [{{position: deal.b, add: 10}}]}}
observations:
  - {{event: talk, date: 2025-01-20}}
  - {measured}date: 2025-02-20, value: 37, sd: 0.5}}
"""
    posterior = tightrope.simulate(
        scenario_from(text, tmp_path),
        runs=100_000,
        samples=20_000,
        seed=3,
        drivers="none",
        as_of=dt.date(2025, 3, 1),
    )
    conditioning = posterior.to_dict()["conditioning"]
    [start] = [
        p for p in conditioning["parameters"] if p["parameter"] == "positions.deal.b.position"
    ]
    assert start["prior"]["mean"] == pytest.approx(50, abs=1)
    assert start["posterior"]["mean"] == pytest.approx(27, abs=0.3)
    seen = conditioning["observations"][1]
    assert seen["observation"] == f"{said} ± 0.5 on 2025-02-20"
    assert seen["in_words"] == f"{in_words} ± 0.5 (0–100) on 2025-02-20"


@pytest.mark.parametrize(
    ("measured", "refused"),
    [
        ("{issue: deal, actor: c, ", "observations[0].actor: unknown actor with a stance on deal"),
        ("{issue: dael, ", "observations[0].issue: unknown issue with stances 'dael'"),
        ("{issue: deal, actor: a, value: 120, ", "120 is outside the issue's scale [0, 100]"),
        ("{actor: a, ", "actor goes with issue"),
    ],
)
def test_a_measured_position_names_an_issue_and_an_actor_with_a_stance(
    measured: str, refused: str
) -> None:
    from tightrope.scenario import ScenarioError, parse_scenario

    text = (
        "id: m\ntitle: M\nas_of: 2025-01-15\nhorizon_months: 4\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\n"
        "issues: [{id: deal, label: Deal, low_meaning: none, high_meaning: all}]\n"
        "positions: {deal: {a: {position: 50, salience: 0.5}}}\n"
        "coupling: {model: compromise}\n"
        "events: [{id: talk, label: Talk, hazard: {per_month: 0.1}}]\n"
        f"observations:\n  - {measured}date: 2025-02-20, sd: 1"
        + ("}\n" if "value" in measured else ", value: 40}\n")
    )
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "m.yaml")
    assert refused in str(caught.value.problems[0]), caught.value.problems
    if "issue: deal, actor: a, value" in measured:
        uncoupled = text.replace("coupling: {model: compromise}\n", "").replace("120", "40")
        with pytest.raises(ScenarioError, match="measured settlement or position needs a coupl"):
            parse_scenario(uncoupled, "m.yaml")


@pytest.mark.parametrize(
    ("question", "seen", "settled"),
    [
        (
            "cuts: [1, 2], levels: [{id: calm, label: Calm}, {id: tense, label: Tense}, "
            "{id: war, label: War}]",
            "strike",
            "war",
        ),
        (
            "cuts: [1, 2], levels: [{id: calm, label: Calm}, {id: tense, label: Tense}, "
            "{id: war, label: War}]",
            "threat",
            None,
        ),
        # Without cuts, each of the ladder's levels is one of the question's.
        (
            "levels: [{id: calm, label: Calm}, {id: tense, label: Tense}, {id: war, label: War}]",
            "strike",
            "war",
        ),
    ],
)
def test_an_event_seen_that_lifts_the_ladder_to_its_top_level_resolves_its_highest_level(
    question: str, seen: str, settled: str | None, tmp_path: Path
) -> None:
    """The ladder only rises: a strike (rung 2, the top level) seen before the deadline settles
    the question on the highest level reached; a threat (rung 1) leaves it open."""
    from tightrope.report.bottomline import bottom_line

    text = f"""
id: top
title: Top
as_of: 2025-01-15
horizon_months: 6
actors: [{{id: a, name: A, kind: state, capability: 1}}]
ladder:
  start: 0
  levels: [{{level: 0, id: calm, label: Calm}}, {{level: 1, id: tense, label: Tense}},
           {{level: 2, id: war, label: War}}]
events:
  - {{id: threat, label: A threat, hazard: {{per_month: 0.3}}, ladder: 1}}
  - {{id: strike, label: A strike, hazard: {{per_month: 0.1}}, ladder: 2}}
questions:
  - {{id: q, text: How high?, resolution: r, deadline: 2025-07-15, type: ordinal,
     variable: ladder, statistic: max, {question}}}
observations: [{{event: {seen}, date: 2025-02-10}}]
"""
    scenario = scenario_from(text, tmp_path)
    result = tightrope.simulate(scenario, runs=4000, seed=1, drivers="none", as_of="2025-03-01")
    document = result.to_dict()
    resolved = document["conditioning"]["resolved"]
    if settled is None:
        assert resolved == {}
        return
    assert resolved == {"q": f"{settled}: strike on 2025-02-10"}
    assert result.questions["q"].distribution == {"calm": 0.0, "tense": 0.0, "war": 1.0}
    [line] = bottom_line(document, scenario, resolved=document["conditioning"]["resolved_in_words"])
    assert line.sentence == "Resolved at “War” (“A strike” on 2025-02-10): How high?"
    # The tables mark the level, in the terminal and in the report.
    file = tmp_path / "top.yaml"
    file.write_text(text)
    out_dir = tmp_path / "out"
    args = ["--as-of", "2025-03-01", "--runs", "4000", "--out", str(out_dir)]
    code, out, err = run("forecast", str(file), *args)
    assert code == 0, err
    assert "War: 100.0% resolved" in out
    report = html.unescape((out_dir / "report.html").read_text())
    assert "War: 100.0% <span class='note'>resolved</span>" in report
    # Where the evidence section names it: by the level's label, not its id.
    said = "resolved by observation: at “War” (“A strike” on 2025-02-10)"
    assert f"q {said}" in " ".join(out.split())
    assert f"“How high?” {said}.</p>" in report


def test_each_observation_in_turn_gives_its_surprise_and_the_runs_left(tmp_path: Path) -> None:
    """An event with a monthly hazard p ~ U(0.1, 0.5), seen in month 1, then nothing more
    (it happens once): before the sighting the model gave it E[p] = 0.3, and the runs weighed
    by p keep N·E[p]²/E[p²] = 0.871·N of N effective runs; the last item's runs left is the
    forecast's effective sample size, and the chances given those above multiply to the mean
    weight (the evidence's likelihood)."""
    text = (
        "id: turn\ntitle: T\nas_of: 2025-01-01\nhorizon_months: 4\n"
        "actors: [{id: x, name: X, kind: state, capability: 1}]\nevents:\n"
        "  - {id: a, label: A, hazard: {per_month: {low: 0.1, high: 0.5, dist: uniform, "
        "judgment: true}}}\n"
        "  - {id: b, label: B, hazard: {per_month: 0.2}}\n"
        "observations: [{event: a, date: 2025-01-20}]\n"
    )
    scenario = scenario_from(text, tmp_path)
    runs = 100_000
    posterior = tightrope.simulate(
        scenario, runs=runs, samples=10_000, seed=2, drivers="none", as_of=dt.date(2025, 3, 1)
    )
    conditioning = posterior.to_dict()["conditioning"]
    first, *rest = conditioning["observations"]
    assert first["observation"] == "a on 2025-01-20"
    assert first["chance_given_before"] == pytest.approx(0.3, abs=0.005)
    assert first["effective_runs_after"] / runs == pytest.approx(
        0.09 / (0.09 + 0.4**2 / 12), abs=0.01
    )
    # No b in months 1 and 2: 0.8² whatever came before (b has a fixed hazard).
    [no_b] = [item for item in rest if "b" in item["observation"]]
    assert no_b["chance_given_before"] == pytest.approx(0.64, abs=0.01)
    last = conditioning["observations"][-1]
    assert last["effective_runs_after"] == pytest.approx(conditioning["effective_sample_size"])
    # The chances given those above multiply to the evidence's likelihood, E[p] · 1 · 0.8².
    assert [item["observation"] for item in conditioning["observations"]] == [
        "a on 2025-01-20",
        "no other a up to 2025-03-01",
        "no b up to 2025-03-01",
    ]
    product = np.prod([item["chance_given_before"] for item in conditioning["observations"]])
    assert product == pytest.approx(0.3 * 0.64, abs=0.004)


def test_the_builtin_case_updated_on_a_militia_campaign() -> None:
    args = ["simulate", "--runs", "20000", "--seed", "4", "--format", "json"]
    code, out, _ = run(*args)
    assert code == 0
    before = json.loads(out)["questions"]
    code, out, _ = run(*args, "--observe", "militia_campaign@2025-06-01", "--as-of", "2025-07-01")
    assert code == 0
    document = json.loads(out)
    after = document["questions"]
    assert after["q3_militia_campaign"]["probability"] == 1
    assert document["conditioning"]["resolved"] == {
        "q3_militia_campaign": "yes: militia_campaign on 2025-06-01"
    }
    assert after["q2_us_strikes"]["probability"] > before["q2_us_strikes"]["probability"] + 0.1
    top = ("limited_strikes", "sustained_conflict")
    assert sum(after["q8_max_ladder"]["distribution"][level] for level in top) > sum(
        before["q8_max_ladder"]["distribution"][level] for level in top
    )
    conditioning = document["conditioning"]
    assert conditioning["as_of"] == "2025-07-01"
    assert conditioning["effective_sample_size"] > 0.01 * 20_000
    # No trigger's source may happen in a month its target is decided, and no walk is read.
    assert conditioning["method"] == (
        "likelihood weighting with the observations clamped, then systematic resampling of "
        "the runs (their parameter samples with them)"
    )
    hazards = {p["parameter"]: p["label"] for p in conditioning["parameters"]}
    assert hazards["events.militia_campaign.hazard.per_month"] == (
        "Militia attacks on US forces resume (a campaign, not one incident) — monthly chance "
        "when no modifier applies"
    )
    # The closed world's silence, as the reader reads it: a seen campaign neither began again
    # nor ended unrecorded; an unseen event did not happen.
    silence = [item["observation"] for item in conditioning["observations"]]
    assert "no other start or end of militia_campaign up to 2025-07-01" in silence
    assert "no us_strikes up to 2025-07-01" in silence


# x jumps from 0 to 10 when the covert e happens; the questions and observations follow.
JUMP = """
id: jump
title: Jump
as_of: 2025-01-01
horizon_months: 3
actors: [{id: a, name: A, kind: state, capability: 1}]
state: [{id: x, label: X, initial: 0}]
events: [{id: e, label: E, hazard: {per_month: 0.5}, effects: [{variable: x, add: 10}]}]
unobserved: [e]
questions:"""


def test_a_measurement_reads_the_value_on_its_day(tmp_path: Path) -> None:
    """x jumps from 0 to 10 when a covert e happens (chance p = 0.5 in January, its day
    uniform; month 1 runs to 1 February); x is measured 0 ± 0.1 on 16 January (s = 15/31 of
    the month passed). Either e did not happen, or it came after the 16th:
    P(e in January) = p(1 − s) / (p(1 − s) + 1 − p) = 0.340; read at the month's end (the old
    reading) the measurement ruled e out (0). The measurement's chance of a reading within its
    ± sd: 0.683 without e, (1 − s)·0.683 with."""
    text = (
        JUMP
        + """
  - {id: q, text: "E?", resolution: r, deadline: 2025-02-01, type: binary, event: e}
observations: [{variable: x, date: 2025-01-16, value: 0, sd: 0.1}]
"""
    )
    posterior = tightrope.simulate(
        scenario_from(text, tmp_path), runs=40_000, drivers="none", as_of="2025-01-20"
    )
    share = 15 / 31
    expected = 0.5 * (1 - share) / (0.5 * (1 - share) + 0.5)
    assert posterior.questions["q"].probability == pytest.approx(expected, abs=0.01)
    seen = posterior.to_dict()["conditioning"]["observations"][0]
    within = 0.6827 * ((1 - expected) + expected * (1 - share))
    assert seen["chance"] == pytest.approx(within, abs=0.01)


def test_a_measurement_in_the_forecast_dates_month_places_the_changes_as_events_do(
    tmp_path: Path,
) -> None:
    """e watched this time. Not seen by 20 January, x measured 0 on the 10th: a run where e
    came, came after the 20th, so the reading agrees with it and P(e in January) stays
    p(1 − f)/(1 − pf) = 0.279 (f = 19/31); read on a uniform day it fell to 0.216. Seen on
    the 5th, x measured 10 on the 10th: e's change came by then, so a reading within ± sd has
    chance 0.683 (on a uniform day, 9/31 of that)."""
    watched = JUMP.replace("unobserved: [e]\n", "")
    question = (
        '\n  - {id: q, text: "E?", resolution: r, deadline: 2025-02-01, type: binary, event: e}'
    )
    reading = "{variable: x, date: 2025-01-10, value: %d, sd: 0.1}"
    unseen = watched + question + f"\nobservations: [{reading % 0}]\n"
    result = tightrope.simulate(
        scenario_from(unseen, tmp_path), runs=100_000, drivers="none", as_of="2025-01-20"
    )
    p, f = 0.5, 19 / 31
    assert result.questions["q"].probability == pytest.approx(p * (1 - f) / (1 - p * f), abs=0.01)
    sighting = "{event: e, date: 2025-01-05}"
    seen = watched + question + f"\nobservations: [{sighting}, {reading % 10}]\n"
    result = tightrope.simulate(
        scenario_from(seen, tmp_path), runs=20_000, drivers="none", as_of="2025-01-20"
    )
    measured = result.to_dict()["conditioning"]["observations"][1]
    assert measured["observation"] == "x = 10 ± 0.1 on 2025-01-10"
    assert measured["chance"] == pytest.approx(0.6827, abs=0.001)


PARTIAL_MONTH = """
id: partial
title: Partial
as_of: 2025-01-01
horizon_months: 6
actors: [{id: a, name: A, kind: state, capability: 1}]
events: [{id: e, label: E, hazard: {per_month: 0.2}}]
questions:
  - {id: q_early, text: "E?", resolution: r, deadline: 2025-03-06, type: binary, event: e}
  - {id: q_mid, text: "E?", resolution: r, deadline: 2025-03-21, type: binary, event: e}
  - {id: q_next, text: "E?", resolution: r, deadline: 2025-05-01, type: binary, event: e}
"""


def test_the_days_of_the_forecast_dates_month_up_to_it_are_seen(tmp_path: Path) -> None:
    """Forecast on 11 March (10 of March's 31 days seen), e not seen (hazard p a month, its day
    uniform): a run where e comes in March weighs 1 − f (f = 10/31), as e came after the 11th.
    So e by 6 March has no chance (the question resolves no), by 21 March p(s − f)/(1 − pf) with
    s = 20/31, and by the end of April (p(1 − f) + (1 − p)p)/(1 − pf). Before, March counted as
    unseen and e by 6 March kept p·5/31."""
    p, f, s = 0.2, 10 / 31, 20 / 31
    scenario = scenario_from(PARTIAL_MONTH, tmp_path)
    result = tightrope.simulate(scenario, runs=200_000, seed=3, drivers="none", as_of="2025-03-11")
    questions = result.questions
    assert questions["q_early"].probability == 0
    for question, expected in (
        ("q_mid", p * (s - f) / (1 - p * f)),
        ("q_next", (p * (1 - f) + (1 - p) * p) / (1 - p * f)),
    ):
        error = questions[question].mc_error
        assert error is not None
        assert questions[question].probability == pytest.approx(expected, abs=4 * error), question
    assert result.to_dict()["conditioning"]["resolved"] == {
        "q_early": "no: e not seen by 2025-03-06"
    }
    # A notebook's repr says what the evidence settled.
    assert "as of 2025-03-11, conditioned on the evidence (effective sample size" in repr(result)
    assert re.search(r"^  q_early +resolved no: e not seen by 2025-03-06$", repr(result), re.M)
    assert result.questions["q_early"].resolved == "no: e not seen by 2025-03-06"
    code, out, _ = run("simulate", str(tmp_path / "s.yaml"), "--as-of", "2025-03-11")
    assert code == 0
    assert "resolved no" in out
    assert "resolved yes" not in out


def test_a_state_question_inside_the_forecast_dates_month_reads_the_evidence(
    tmp_path: Path,
) -> None:
    """As the event questions above, for the state e moves (x: 0, then 10): forecast on 11
    March, e not seen, x above 5 on 6 March has no chance and on 21 March p(s − f)/(1 − pf);
    before, the month's changes came on a uniform day, in the past too (p·5/31-ish on 6 March).
    Seen on 3 March, e moved x by the 6th: certain (before: only if the day fell by then)."""
    p, f, s = 0.2, 10 / 31, 20 / 31
    text = PARTIAL_MONTH.replace(
        "events: [{id: e, label: E, hazard: {per_month: 0.2}}]",
        "state: [{id: x, label: X, initial: 0}]\n"
        "events: [{id: e, label: E, hazard: {per_month: 0.2}, effects: [{variable: x, add: 10}]}]",
    )
    text += (
        '  - {id: x_early, text: "X?", resolution: r, deadline: 2025-03-06, type: binary, '
        'when: "x > 5"}\n'
        '  - {id: x_mid, text: "X?", resolution: r, deadline: 2025-03-21, type: binary, '
        'when: "x > 5"}\n'
    )
    scenario = scenario_from(text, tmp_path)
    unseen = tightrope.simulate(scenario, runs=200_000, seed=3, drivers="none", as_of="2025-03-11")
    assert unseen.questions["x_early"].probability == 0
    mid = unseen.questions["x_mid"]
    assert mid.mc_error is not None
    assert mid.probability == pytest.approx(p * (s - f) / (1 - p * f), abs=4 * mid.mc_error)
    observed = text + "observations: [{event: e, date: 2025-03-03}]\n"
    seen = tightrope.simulate(
        scenario_from(observed, tmp_path), runs=20_000, drivers="none", as_of="2025-03-11"
    )
    assert seen.questions["x_early"].probability == 1
    assert seen.questions["x_mid"].probability == 1


def test_the_posterior_says_how_many_runs_stand_behind_each_sample(tmp_path: Path) -> None:
    """Each sample's effective runs (Σw)² / Σw², averaged as the posterior weighs the samples:
    equal weights give the runs per sample; with one run per sample the intervals cannot tell
    the parameters from chance, and the conditioning says so."""
    from tightrope.dynamics.conditioning import _effective_runs_per_sample

    sample = np.repeat(np.arange(3), 4)
    assert _effective_runs_per_sample(sample, np.ones(12), 3) == pytest.approx(4.0)
    weights = np.array([1.0, 1, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0])  # 2 runs of 1, then 1 run of 3
    assert _effective_runs_per_sample(sample, weights, 3) == pytest.approx((2 * 2 + 3 * 1) / 5)
    scenario = scenario_from(PARTIAL_MONTH, tmp_path)
    few = tightrope.simulate(scenario, runs=4000, samples=4000, drivers="none", as_of="2025-03-11")
    conditioning = few.to_dict()["conditioning"]
    assert conditioning["effective_runs_per_sample"] == pytest.approx(1.0)
    assert "about 1.0 effective runs per parameter sample" in conditioning["note"]
    many = tightrope.simulate(scenario, runs=4000, samples=100, drivers="none", as_of="2025-03-11")
    assert "note" not in many.to_dict()["conditioning"]


def test_a_campaign_of_a_fixed_length_ends_without_being_seen_to(tmp_path: Path) -> None:
    """A two-month campaign seen to start in January: its end in February is the model's, not
    news, so the closed world does not demand an observation of it (no run agreed before)."""
    text = """
id: fixed
title: Fixed
as_of: 2025-01-01
horizon_months: 6
actors: [{id: a, name: A, kind: state, capability: 1}]
events:
  - {id: c, label: C, hazard: {per_month: 0.2}, duration: {months: 2}, repeatable: true}
questions:
  - {id: q_on, text: "C on?", resolution: r, deadline: 2025-06-01, type: binary, when: "active(c)"}
observations: [{event: c, date: 2025-01-20}]
"""
    result = tightrope.simulate(
        scenario_from(text, tmp_path), runs=20_000, seed=2, drivers="none", as_of="2025-05-01"
    )
    # Not restarted in March or April (closed world); May: a new two-month campaign, 0.2.
    assert result.questions["q_on"].probability == pytest.approx(0.2, abs=0.015)


UNDER_WAY = """
id: going
title: Going
as_of: 2025-01-01
horizon_months: 4
actors: [{id: a, name: A, kind: state, capability: 1}]
state: [{id: months_on, label: Months under way, initial: 0}]
events:
  - id: c
    label: C
    hazard: {per_month: 0.2}
    repeatable: true
    duration: {ending_hazard: 0.5}
    while_active: [{variable: months_on, add: 1}]
questions:
  - {id: q, text: "3 months?", resolution: r, deadline: 2025-04-01, type: binary,
     when: "months_on >= 3"}
observations:
  - {event: c, date: 2025-01-20}
"""


@pytest.mark.parametrize(
    "sources", ["unobserved: [c]", "watched_until: {c: {day: 2025-04-01, shows_ends: false}}"]
)
def test_a_campaign_seen_under_way_went_on_or_started_again(sources: str, tmp_path: Path) -> None:
    """Started in January (s = 0.2 a month to start, h = 0.5 to end, its end unseen) and seen
    under way in March: it went on through February and into March, or ended and started again
    by March. Under way in all three months unless it ended in January and first started again
    in March, h (1 − s) s = 0.08 of the paths' 0.44: P(3 months) = 0.36 / 0.44 = 0.818. Without
    the sighting, 0.36 (0.25 + 0.05 + 0.05 + 0.01)."""
    seen = "  - {event: c, under_way: 2025-03-20}\n"
    text = UNDER_WAY + seen + sources + "\n"
    result = tightrope.simulate(
        scenario_from(text, tmp_path), runs=40_000, seed=3, drivers="none", as_of="2025-04-01"
    )
    assert result.questions["q"].probability == pytest.approx(0.36 / 0.44, abs=0.01)
    unseen = tightrope.simulate(
        scenario_from(UNDER_WAY + sources + "\n", tmp_path),
        runs=40_000,
        seed=3,
        drivers="none",
        as_of="2025-04-01",
    )
    assert unseen.questions["q"].probability == pytest.approx(0.36, abs=0.01)


def test_a_step_that_cannot_move_a_question_is_within_the_noise(tmp_path: Path) -> None:
    """Seeing b says nothing of a, an independent event: the replay's step moves a's forecast by
    Monte Carlo noise alone, and says so; b's own forecast moves beyond it."""
    from tightrope.dynamics.replay import replay, what_changed
    from tightrope.report.bottomline import moved_most_words

    text = (
        "id: two\ntitle: Two\nas_of: 2025-01-15\nhorizon_months: 8\n"
        "actors: [{id: x, name: X, kind: state, capability: 1}]\nevents:\n"
        "  - {id: a, label: A, hazard: {per_month: {low: 0.02, high: 0.2, dist: uniform, "
        "judgment: true}}}\n"
        "  - {id: b, label: B, hazard: {per_month: {low: 0.02, high: 0.2, dist: uniform, "
        "judgment: true}}}\n"
        "questions:\n"
        "  - {id: qa, text: A?, resolution: r, deadline: 2025-09-15, type: binary, event: a}\n"
        "  - {id: qb, text: B?, resolution: r, deadline: 2025-09-15, type: binary, event: b}\n"
        "observations: [{event: b, date: 2025-02-10}]\nunobserved: [a]\n"
    )
    scenario = scenario_from(text, tmp_path)
    dates = [dt.date(2025, 1, 15), dt.date(2025, 2, 20)]
    # The noise is the move's own error, not a bound: over 30 seeds the moves of a spread about
    # half the noise (200 seeds: 1.01 times its half). The two steps' errors taken as
    # independent made it three times that.
    moves = [
        what_changed(scenario, replay(scenario, dates, runs=20_000, seed=seed))[0]["moved_most"]
        for seed in range(30)
    ]
    spread = np.std([move["change"] for move in moves], ddof=1)
    error = np.mean([move["noise"] / 2 for move in moves])
    assert 0.7 < spread / error < 1.4
    steps = replay(scenario, dates, runs=20_000, seed=5)
    changed = {entry["question"]: entry for entry in what_changed(scenario, steps)}
    noise = changed["qa"]["moved_most"]["noise"]
    assert 0 < abs(changed["qa"]["moved_most"]["change"]) <= noise < 0.02
    assert moved_most_words(changed["qa"]["moved_most"]).endswith(
        f", within the Monte Carlo noise, ± {noise:.3f})"
    )
    assert changed["qb"]["after"] == 1
    assert changed["qb"]["moved_most"]["change"] > 10 * changed["qb"]["moved_most"]["noise"]
    assert "noise" not in moved_most_words(changed["qb"]["moved_most"])


def test_a_question_no_step_moves_names_no_step(tmp_path: Path) -> None:
    """A question that no step moves at all (its event cannot happen before the deadline) has
    no step that moved it most: the tables say so, rather than name the first step with
    +0.000."""
    from tightrope.dynamics.replay import replay, what_changed
    from tightrope.report.bottomline import moved_most_cell

    text = (
        "id: none\ntitle: None\nas_of: 2025-01-15\nhorizon_months: 8\n"
        "actors: [{id: x, name: X, kind: state, capability: 1}]\nevents:\n"
        "  - {id: a, label: A, hazard: {per_month: 0.2}}\n"
        "  - {id: late, label: L, hazard: {per_month: 0.5}, requires: 'month >= 7'}\n"
        "questions:\n"
        "  - {id: qa, text: A?, resolution: r, deadline: 2025-05-15, type: binary, event: a}\n"
        "  - {id: ql, text: L?, resolution: r, deadline: 2025-05-15, type: binary, event: late}\n"
        "observations: [{event: a, date: 2025-02-10}]\n"
    )
    scenario = scenario_from(text, tmp_path)
    steps = replay(scenario, [dt.date(2025, 1, 15), dt.date(2025, 2, 20)], runs=2_000, seed=0)
    changed = {entry["question"]: entry for entry in what_changed(scenario, steps)}
    assert changed["ql"]["before"] == changed["ql"]["after"] == 0
    assert "moved_most" not in changed["ql"]
    assert moved_most_cell(changed["ql"]) == "no step moved it"
    assert moved_most_cell(changed["qa"]).startswith("2025-02-20: ")


def test_two_sightings_in_one_month_are_one_piece_of_evidence(tmp_path: Path) -> None:
    """A month holds one occurrence of an event: its second sighting there is the same
    evidence, with the month's chance (0.2); the first used to read as certain (chance 1). An
    export's many rows of one month make one line."""
    repeatable = "hazard: {per_month: 0.2}, repeatable: true}"
    text = PARTIAL_MONTH.replace("hazard: {per_month: 0.2}}", repeatable)
    text += "observations: [{event: e, date: 2025-01-05}, {event: e, date: 2025-01-20}]\n"
    result = tightrope.simulate(
        scenario_from(text, tmp_path), runs=2000, drivers="none", as_of="2025-02-01"
    )
    seen = result.to_dict()["conditioning"]["observations"]
    assert [item["observation"] for item in seen] == [
        "e on 2025-01-05 (and 1 more sighting that month)",
        "no other e up to 2025-02-01",
    ]
    assert seen[0]["chance"] == pytest.approx(0.2)


def test_two_doubtful_reports_in_one_month_both_count(tmp_path: Path) -> None:
    """Reports of reliability 0.6 and 0.7 in January of an event of chance 0.2: as independent
    evidence, P = 0.2·0.6·0.7 / (0.2·0.6·0.7 + 0.8·0.4·0.3) = 0.467; the second alone (what
    was used) gives 0.368."""
    text = PARTIAL_MONTH.replace("deadline: 2025-03-06", "deadline: 2025-02-01")
    text += (
        "observations: [{event: e, date: 2025-01-05, reliability: 0.6},"
        " {event: e, date: 2025-01-20, reliability: 0.7}]\n"
    )
    result = tightrope.simulate(
        scenario_from(text, tmp_path), runs=200_000, seed=5, drivers="none", as_of="2025-02-01"
    )
    early = result.questions["q_early"]
    assert early.mc_error is not None
    expected = 0.2 * 0.42 / (0.2 * 0.42 + 0.8 * 0.12)
    assert early.probability == pytest.approx(expected, abs=4 * early.mc_error)


def test_a_seen_event_counts_from_the_day_it_was_seen(tmp_path: Path) -> None:
    """e seen on 20 March: it came after a 15 March deadline and before a 22 March one, whatever
    day a uniform draw would give it."""
    text = PARTIAL_MONTH.replace("2025-03-06", "2025-03-15").replace("2025-03-21", "2025-03-22")
    scenario = scenario_from(text + "observations: [{event: e, date: 2025-03-20}]\n", tmp_path)
    result = tightrope.simulate(scenario, runs=20_000, seed=3, drivers="none", as_of="2025-03-25")
    assert result.questions["q_early"].probability == 0
    assert result.questions["q_mid"].probability == 1
    assert result.to_dict()["conditioning"]["resolved"] == {
        "q_early": "no: e not seen by 2025-03-15",
        "q_mid": "yes: e on 2025-03-20",
        "q_next": "yes: e on 2025-03-20",
    }


def test_a_sighting_typed_after_the_forecast_date_is_refused() -> None:
    code, out, err = run(
        "simulate", "--runs", "1000", "--observe", "us_strikes@2025-08-01", "--as-of", "2025-07-01"
    )
    assert code == 2
    assert out == ""
    assert err.strip().splitlines() == [
        "tightrope: --observe us_strikes@2025-08-01: dated after the forecast date 2025-07-01 "
        "(--as-of)"
    ]
    code, _, err = run("simulate", "--runs", "1000", "--observe", "us_strikes")
    assert code == 2
    assert err.strip() == (
        "tightrope: --observe us_strikes: give EVENT@YYYY-MM-DD, the event and the day it was seen"
    )
    code, _, err = run("simulate", "--runs", "1000", "--observe", "us_strikez@2025-06-01")
    assert code == 2
    assert "did you mean 'us_strikes'" in err


def test_a_log_of_later_news_gives_the_forecast_made_that_day(tmp_path: Path) -> None:
    """An observation file that goes on past the forecast date (a running log) gives the forecast
    a forecaster made on that day: what was dated, or published, after it is left out and said
    so, and the numbers and the registry's hash are those of the observations known then."""
    scenario = tightrope.load("iraq-2025")
    log = tightrope.observe(
        scenario,
        [
            {"event": "israel_escalation", "date": "2025-06-13"},
            {"event": "militia_campaign", "date": "2025-06-20", "published": "2025-07-05"},
            {"event": "us_strikes", "date": "2025-08-01"},
        ],
    )
    known = tightrope.observe(scenario, [{"event": "israel_escalation", "date": "2025-06-13"}])
    options = {"runs": 4000, "seed": 2, "drivers": "none", "as_of": "2025-07-01"}
    logged = tightrope.simulate(log, **options).to_dict()
    alone = tightrope.simulate(known, **options).to_dict()
    assert logged["questions"] == alone["questions"]
    assert logged["conditioning"]["left_out"] == {
        "later": 1,
        "unpublished": 1,
        "note": "left out: 1 observation dated and 1 observation published after 2025-07-01; "
        "the forecast uses what was known on that day, as a replay step does",
    }
    assert "left_out" not in alone["conditioning"]
    forecasts = [
        tightrope.forecast(version, runs=2000, bargaining_samples=0, as_of="2025-07-01")
        for version in (log, known)
    ]
    hashes = {forecast.to_dict()["scenario"]["hash"] for forecast in forecasts}
    assert len(hashes) == 1
    assert forecasts[0].to_dict()["conditioning"]["left_out"]["later"] == 1
    # Against itself as an earlier version, the log shows no change: both as known that day.
    compared = tightrope.forecast(
        log, runs=500, bargaining_samples=0, as_of="2025-07-01", compare_to=log
    )
    assert compared.to_dict()["versions"]["changes"] == []


def test_an_end_a_fixed_length_campaign_cannot_have_is_refused_where_it_is_written() -> None:
    """A 2-month campaign seen to start on 2025-02-10 (month 2) ends in month 3: an end seen
    in any other month is one no run agrees with, so the check refuses it at its line, on
    exactly the dates where the conditioned simulation finds no run (it said only that)."""
    import yaml

    from tightrope.dynamics.analysis import SimulationRequest, run_simulation
    from tightrope.dynamics.evidence import ObservationError
    from tightrope.scenario import ScenarioError, parse_scenario
    from tightrope.scenario.schema import Scenario

    text = (
        "id: fixed\ntitle: F\nas_of: 2025-01-01\nhorizon_months: 6\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\n"
        "events: [{id: c, label: C, hazard: {per_month: 0.3}, duration: {months: 2}}]\n"
        "observations:\n  - {event: c, date: 2025-02-10}\n  - {event: c, ended: END}\n"
    )
    for end in ("2025-02-20", "2025-03-02", "2025-03-20", "2025-04-01", "2025-04-02"):
        try:
            scenario = parse_scenario(text.replace("END", end), "f.yaml")
        except ScenarioError as refused:
            [problem] = refused.problems
            assert "c lasts a fixed 2 months: started on 2025-02-10, it ends in month 3" in str(
                problem
            )
            assert str(problem).startswith("f.yaml:9:23: observations[1].ended: ")
            # Past the check, the conditioned simulation finds no run that agrees.
            unchecked = Scenario.model_validate(yaml.safe_load(text.replace("END", end)))
            request = SimulationRequest(runs=400, drivers="none", as_of=dt.date(2025, 5, 15))
            with pytest.raises(ObservationError, match="no run agrees"):
                run_simulation(unchecked, request)
            accepted = False
        else:
            tightrope.simulate(scenario, runs=400, drivers="none", as_of="2025-05-15")
            accepted = True
        assert accepted == (end in ("2025-03-02", "2025-03-20", "2025-04-01")), end


@pytest.mark.parametrize("end_recorded", [True, False])
def test_an_end_seen_with_the_event_that_ends_it_teaches_that_events_rate(
    end_recorded: bool, tmp_path: Path
) -> None:
    """A campaign that never ends by itself, ended in February by the truce that ends it
    (p ~ U(0.1, 0.5) a month, not seen in January): each run weighs (1 − p)·p, and the end is
    certain in the runs where the truce came, so the posterior mean of p is
    ∫p²(1 − p) / ∫p(1 − p) over [0.1, 0.5] = 0.02573 / 0.07867 = 0.3271 (the prior's 0.3).
    The end need not be recorded: the truce seen implies it, and the closed world, which holds
    a campaign not seen to end to go on, does not ask for it again (no run agreed before)."""
    text = """
id: ends
title: Ends
as_of: 2025-01-01
horizon_months: 4
actors: [{id: a, name: A, kind: state, capability: 1}]
events:
  - {id: c, label: C, hazard: {per_month: 0.3}, duration: {ending_hazard: 0}}
  - {id: truce, label: Truce, hazard: {per_month: {low: 0.1, high: 0.5, dist: uniform}},
     ends: [c]}
observations:
  - {event: c, date: 2025-01-20}
  - {event: truce, date: 2025-02-10}
  - {event: c, ended: 2025-02-10}
"""
    if not end_recorded:
        text = text.replace("  - {event: c, ended: 2025-02-10}\n", "")
    result = tightrope.simulate(
        scenario_from(text, tmp_path), runs=100_000, seed=3, drivers="none", as_of="2025-03-01"
    )
    [rate] = [
        row
        for row in result.to_dict()["conditioning"]["parameters"]
        if row["parameter"] == "events.truce.hazard.per_month"
    ]
    upper = (0.5**3 / 3 - 0.5**4 / 4) - (0.1**3 / 3 - 0.1**4 / 4)
    lower = (0.5**2 / 2 - 0.5**3 / 3) - (0.1**2 / 2 - 0.1**3 / 3)
    assert rate["posterior"]["mean"] == pytest.approx(upper / lower, abs=0.004)
    assert rate["prior"]["mean"] == pytest.approx(0.3, abs=0.004)


@pytest.mark.parametrize(
    ("truce", "refused"),
    [
        ("  - {event: truce, date: 2025-02-15}\n", None),
        ("  - {event: truce, date: 2025-04-02}\n", "c starts again on 2025-04-05 with no end"),
        ("", "{event: c, ended: DATE}, or the truce that ends it in a month before, or list"),
    ],
)
def test_a_campaign_stopped_by_an_event_seen_may_start_again(
    truce: str, refused: str | None
) -> None:
    """Started in January, stopped by a truce seen in February, the campaign may start again
    in April; a truce seen in April's own month stops nothing before the restart, and without
    one the closed world holds the campaign going on."""
    text = (
        "id: again\ntitle: A\nas_of: 2025-01-01\nhorizon_months: 6\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\n"
        "events:\n  - {id: c, label: C, hazard: {per_month: 0.3}, repeatable: true,\n"
        "     duration: {ending_hazard: 0}}\n"
        "  - {id: truce, label: T, hazard: {per_month: 0.3}, repeatable: true, ends: [c]}\n"
        "observations:\n  - {event: c, date: 2025-01-20}\n"
        f"{truce}  - {{event: c, date: 2025-04-05}}\n"
    )
    row = 13 if truce else 12
    refused_where_no_run_agrees(
        text, dt.date(2025, 5, 15), f"f.yaml:{row}:22: observations[{row - 11}].date: ", refused
    )


@pytest.mark.parametrize(
    ("stop", "refused"),
    [
        ("", None),
        ("  - {event: truce, date: 2025-02-15}\n", "c is seen under way on 2025-03-20, but it"),
        ("  - {event: c, ended: 2025-02-15}\n", "c is seen under way on 2025-03-20, but it"),
        ("  - {event: truce, date: 2025-03-15}\n", None),  # stops it at the end of March
    ],
)
def test_a_campaign_seen_under_way_after_an_event_stopped_it_is_refused(
    stop: str, refused: str | None
) -> None:
    text = (
        "id: again\ntitle: A\nas_of: 2025-01-01\nhorizon_months: 6\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\n"
        "events:\n  - {id: c, label: C, hazard: {per_month: 0.3}, repeatable: true,\n"
        "     duration: {ending_hazard: 0.2}}\n"
        "  - {id: truce, label: T, hazard: {per_month: 0.3}, repeatable: true, ends: [c]}\n"
        f"observations:\n  - {{event: c, date: 2025-01-20}}\n{stop}"
        "  - {event: c, under_way: 2025-03-20}\n"
    )
    place = "f.yaml:13:27: observations[2].under_way: "
    refused_where_no_run_agrees(text, dt.date(2025, 5, 15), place, refused)


@pytest.mark.parametrize(
    ("truce", "end", "refused"),
    [
        ("2025-02-15", "2025-02-20", None),  # ended early, by the truce
        ("2025-02-15", "2025-04-20", "ends in month 3 (2025-03-02 to 2025-04-01) at the latest,"),
        # An early end in a month the truce was not seen: under the closed world nothing ended it.
        ("2025-03-15", "2025-02-20", "at the latest, or in a month truce, which ends it, is seen"),
    ],
)
def test_a_campaign_of_fixed_length_may_end_early_where_an_event_ends_it(
    truce: str, end: str, refused: str | None
) -> None:
    text = (
        "id: fixed\ntitle: F\nas_of: 2025-01-01\nhorizon_months: 6\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\n"
        "events:\n  - {id: c, label: C, hazard: {per_month: 0.3}, duration: {months: 2}}\n"
        "  - {id: truce, label: T, hazard: {per_month: 0.3}, ends: [c]}\n"
        f"observations:\n  - {{event: c, date: 2025-02-10}}\n  - {{event: truce, date: {truce}}}\n"
        f"  - {{event: c, ended: {end}}}\n"
    )
    place = "f.yaml:12:23: observations[2].ended: "
    refused_where_no_run_agrees(text, dt.date(2025, 5, 15), place, refused)


@pytest.mark.parametrize(
    ("duration", "end", "unobserved", "refused"),
    [
        # No campaign is under way on 1 January: a 2-month one ends in month 2 at the earliest.
        ("{months: 2}", "2025-01-20", True, "c lasts a fixed 2 months and no campaign is under"),
        ("{months: 2}", "2025-02-20", True, None),
        # Under the closed world a start nobody recorded did not happen.
        ("{months: 2}", "2025-02-20", False, "c is seen to end on 2025-02-20 but no start is"),
        ("{ending_hazard: 0.5}", "2025-01-20", False, "c is seen to end on 2025-01-20 but no"),
        ("{ending_hazard: 0.5}", "2025-01-20", True, None),
        # Seen under way: the same closed world; where its start could go unseen, the runs
        # start it that month (a campaign of fixed length too).
        ("{ending_hazard: 0.5}", "under_way 2025-02-20", False, "c is seen under way on 2025"),
        ("{ending_hazard: 0.5}", "under_way 2025-02-20", True, None),
        ("{months: 2}", "under_way 2025-01-20", True, None),
    ],
)
def test_an_end_with_no_start_seen_is_refused_where_no_run_could_agree(
    duration: str, end: str, unobserved: bool, refused: str | None
) -> None:
    """Refused exactly where the conditioned simulation finds no run (it said only that)."""

    form, day = end.split() if " " in end else ("ended", end)
    text = (
        "id: fixed\ntitle: F\nas_of: 2025-01-01\nhorizon_months: 6\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\n"
        f"events: [{{id: c, label: C, hazard: {{per_month: 0.3}}, duration: {duration}}}]\n"
        f"observations:\n  - {{event: c, {form}: {day}}}\n"
        + ("unobserved: [c]\n" if unobserved else "")
    )
    column = len("  - {event: c, ") + len(form) + len(": ") + 1
    place = f"f.yaml:8:{column}: observations[0].{form}: "
    refused_where_no_run_agrees(text, dt.date(2025, 3, 15), place, refused)


@pytest.mark.parametrize(
    ("strike", "extra", "refused"),
    [
        # Read at the start of the month (11 May), the precondition cannot see a strike of 12 May.
        (
            "2025-05-12",
            "",
            "and x_strikes is first seen on 2025-05-12, so under the closed world it had not "
            "happened by then (to let truce follow x_strikes within a month, have x_strikes "
            "set it off with a same-month trigger, which reads the precondition with it "
            "counted; or list x_strikes as unobserved)",
        ),
        ("2025-05-05", "", None),  # the month before: it holds
        ("2025-05-12", "unobserved: [x_strikes]\n", None),  # one may have come before, unseen
        (
            None,
            "",
            "x_strikes is never seen, so under the closed world it had not happened "
            "by then (write the precondition without x_strikes; or list x_strikes as unobserved)",
        ),
    ],
)
def test_a_sighting_its_precondition_rules_out_is_refused_where_no_run_could_agree(
    strike: str | None, extra: str, refused: str | None
) -> None:
    """A truce that requires strikes, seen days after strikes in the same month: `observe
    check` passed it, and the forecast found no run that agrees. It is refused at its line
    exactly where the conditioned simulation finds no run."""
    seen = [] if strike is None else [f"  - {{event: x_strikes, date: {strike}}}"]
    text = (
        "id: pre\ntitle: P\nas_of: 2025-04-10\nhorizon_months: 4\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\nevents:\n"
        "  - {id: x_strikes, label: S, hazard: {per_month: 0.3}, repeatable: true}\n"
        "  - {id: truce, label: T, hazard: {per_month: 0.2}, requires: 'occurred(x_strikes)'}\n"
        "observations:\n"
        + "\n".join([*seen, "  - {event: truce, date: 2025-05-20}"])
        + "\n"
        + extra
    )
    place = f"f.yaml:{10 + len(seen)}:26: observations[{len(seen)}].date: truce on 2025-05-20"
    refused_where_no_run_agrees(text, dt.date(2025, 6, 1), place, refused)


def test_a_chain_within_a_month_is_written_as_a_trigger_and_teaches_its_chance() -> None:
    """What the refusal above advises: the strikes set the truce off in their month, and the
    truce keeps its precondition (so its own rate acts in later months only). A truce seen
    days after the strikes is then certain where the trigger fired: with the trigger's chance
    uniform on [0, 1], the posterior mean is ∫p·p / ∫p = 2/3; with no truce seen that month,
    ∫p(1 − p) / ∫(1 − p) = 1/3. Each run weighs by the trigger's chance, p or 1 − p, not by
    whether its draw fired (1 or 0), so the effective share is (E p)² / E p² = 3/4, not 1/2."""
    from tightrope.scenario import parse_scenario

    head = (
        "id: pre\ntitle: P\nas_of: 2025-04-10\nhorizon_months: 4\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\nevents:\n"
        "  - {id: x_strikes, label: S, hazard: {per_month: 0.3}, repeatable: true,\n"
        "     triggers: [{event: truce, probability: {dist: uniform, low: 0, high: 1,\n"
        "       judgment: true}}]}\n"
        "  - {id: truce, label: T, hazard: {per_month: 0.2}, requires: 'occurred(x_strikes)'}\n"
        "observations:\n  - {event: x_strikes, date: 2025-05-12}\n"
    )
    path = "events.x_strikes.triggers[0].probability"
    for truce, expected in (("  - {event: truce, date: 2025-05-20}\n", 2 / 3), ("", 1 / 3)):
        refused_where_no_run_agrees(head + truce, dt.date(2025, 6, 1), "", None)
        posterior = tightrope.simulate(
            parse_scenario(head + truce),
            runs=100_000,
            samples=5_000,
            seed=1,
            drivers="none",
            as_of=dt.date(2025, 6, 10),
        )
        [chance] = [
            p for p in posterior.to_dict()["conditioning"]["parameters"] if p["parameter"] == path
        ]
        assert chance["posterior"]["mean"] == pytest.approx(expected, abs=0.01)
        conditioning = posterior.to_dict()["conditioning"]
        assert conditioning["effective_share"] == pytest.approx(0.75, abs=0.02)
        assert (
            "weighed by its same-month triggers' chances, not by their draws"
            in (conditioning["method"])
        )


def refused_where_no_run_agrees(text: str, as_of: dt.date, place: str, refused: str | None) -> None:
    """The scenario ``text`` (as ``f.yaml``) is refused at ``place`` with the words
    ``refused``, and then, unchecked, the forecast as of ``as_of`` finds no run that agrees;
    or, with ``refused`` None, it is accepted and forecast."""
    import yaml

    from tightrope.dynamics.analysis import SimulationRequest, run_simulation
    from tightrope.dynamics.evidence import ObservationError
    from tightrope.scenario import ScenarioError, parse_scenario
    from tightrope.scenario.schema import Scenario

    request = SimulationRequest(runs=400, drivers="none", as_of=as_of)
    if refused is None:
        run_simulation(parse_scenario(text, "f.yaml"), request)
        return
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "f.yaml")
    [problem] = caught.value.problems
    assert str(problem).startswith(place)
    assert refused in str(problem)
    with pytest.raises(ObservationError, match="no run agrees"):
        run_simulation(Scenario.model_validate(yaml.safe_load(text)), request)


def _run_on_a_militia_campaign(tmp_path: Path, *flags: str) -> str:
    """The built-in forecast's output as of 1 July 2025, a militia campaign seen on 1 June."""
    code, out, err = run(
        "forecast",
        *flags,
        "--bargaining-samples",
        "0",
        "--observe",
        "militia_campaign@2025-06-01",
        "--as-of",
        "2025-07-01",
        "--out",
        str(tmp_path),
    )
    assert code == 0, err
    return out


def _forecast_on_a_militia_campaign(tmp_path: Path, *flags: str) -> dict[str, Any]:
    """The same forecast's JSON."""
    document: dict[str, Any] = json.loads(
        _run_on_a_militia_campaign(tmp_path, *flags, "--format", "json")
    )
    return document


def test_the_forecast_shows_what_changed_and_the_posterior(tmp_path: Path) -> None:
    document = _forecast_on_a_militia_campaign(tmp_path, "--runs", "10000", "--seed", "4")
    changed = {entry["question"]: entry for entry in document["what_changed"]}
    assert changed["q3_militia_campaign"]["after"] == 1
    assert changed["q3_militia_campaign"]["before"] < 0.7
    assert changed["q2_us_strikes"]["after"] > changed["q2_us_strikes"]["before"]
    # The step to 1 June saw the campaign and, the built-in case watching its events, nothing
    # else since the scenario's date: both are news.
    moved = changed["q3_militia_campaign"]["moved_most"]
    assert moved["observations"] == [
        "militia_campaign on 2025-06-01",
        "no other event seen since 2025-03-15",
    ]
    # The reports say it by the scenario's labels.
    campaign = "“Militia attacks on US forces resume (a campaign, not one incident)”"
    assert moved["in_words"] == [
        f"{campaign} on 2025-06-01",
        "no other event seen since 2025-03-15",
    ]
    assert document["conditioning"]["resolved_in_words"] == {
        "q3_militia_campaign": f"yes: {campaign} on 2025-06-01"
    }
    seen = document["conditioning"]["observations"]
    listed = {item["observation"]: item["in_words"] for item in seen}
    assert listed["militia_campaign on 2025-06-01"] == f"{campaign} on 2025-06-01"
    silence = "no “US strikes militia targets in Iraq” up to 2025-07-01"
    assert listed["no us_strikes up to 2025-07-01"] == silence
    report = (tmp_path / "report.html").read_text()
    assert "What changed with the evidence" in report
    assert "<td title='q3_militia_campaign'>Will Iran-aligned militias resume" in report
    # A parameter the evidence moved reads in words, its path beside it for --set.
    assert (
        "<td title='events.militia_campaign.hazard.per_month'>Militia attacks on US forces "
        "resume (a campaign, not one incident) — monthly chance when no modifier applies</td>"
    ) in report
    assert "2025-07-01: what the evidence taught the model" in report
    # The static bargaining models do not read the evidence (the coupled runs' do): the table
    # says so.
    static = (
        "As of the scenario's date, 2025-03-15: the observations up to 2025-07-01 condition the "
        "simulation, not these models; the settlements inside the runs read it."
    )
    assert html.escape(static) in report
    assert f"<td title='no us_strikes up to 2025-07-01'>{html.escape(silence)}</td>" in report
    row = report[report.index("<td title='no us_strikes up to 2025-07-01'>") :]
    assert row[: row.index("</tr>")].endswith("<td></td>")  # the closed world cites nothing
    # A window's implied chance in a conditioned report is given the evidence, and says so.
    assert "<th>implied by the model, given the evidence to 2025-07-01</th>" in report
    # The bottom line says a question the evidence answers is resolved, not "almost certain".
    assert f"<li>Resolved yes ({html.escape(campaign)} on 2025-06-01): Will" in report
    step = f"2025-06-01 ({campaign} on 2025-06-01, no other event seen since 2025-03-15)"
    assert html.escape(step) in report
    assert "100.0%<br><span class='note'>resolved yes</span>" in report
    brief = (tmp_path / "brief.md").read_text()
    assert f"Resolved yes ({campaign} on 2025-06-01)" in brief
    assert "| 100% (resolved yes) |" in brief


def test_a_step_claims_no_silence_where_no_event_is_watched() -> None:
    """The worked example lists every event unobserved: a month without a record says nothing,
    so a step names its observations alone."""
    from tightrope.dynamics.replay import replay, what_changed

    example = Path(__file__).parent.parent.parent / "examples" / "iraq-2025-seen.yaml"
    scenario = tightrope.observe(tightrope.load("iraq-2025"), example)
    steps = replay(scenario, [dt.date(2025, 3, 15), dt.date(2025, 3, 20)], runs=2000)
    changed = what_changed(scenario, steps)
    moved = [entry["moved_most"]["observations"] for entry in changed if "moved_most" in entry]
    assert moved[0] == ["israel_escalation on 2025-03-18"]
    assert len(moved) >= len(changed) // 2
    assert all(len(items) == 1 for items in moved)


def test_a_step_names_a_measurement_and_a_doubtful_report_as_the_conditioning_does(
    tmp_path: Path,
) -> None:
    """What moved a forecast reads as the conditioning's own list: a measurement with its value
    (it read "x on 2025-01-16", as if an event x had happened), a report with its reliability."""
    from tightrope.dynamics.replay import replay, what_changed

    text = (
        JUMP
        + """
  - {id: q, text: "E?", resolution: r, deadline: 2025-03-01, type: binary, event: e}
observations:
  - {variable: x, date: 2025-01-16, value: 0, sd: 0.1}
  - {event: e, date: 2025-02-10, reliability: 0.8}
"""
    )
    scenario = scenario_from(text, tmp_path)
    days = [dt.date(2025, 1, 1), dt.date(2025, 1, 20), dt.date(2025, 2, 20)]
    steps = replay(scenario, days, runs=2000)
    texts = ["x = 0 ± 0.1 on 2025-01-16", "e on 2025-02-10 (reliability 0.8)"]
    conditioning = steps[-1].result.to_dict()["conditioning"]
    assert [item["observation"] for item in conditioning["observations"]] == texts
    # Each step brings one of them (e is covert: no closed-world silence is claimed).
    moved = what_changed(scenario, steps)[0]["moved_most"]
    assert moved["observations"] in ([texts[0]], [texts[1]])
    # The reports say them by the labels: “X” at 0 ± 0.1, “E” reported with reliability 0.8.
    words = ["“X” at 0 ± 0.1 on 2025-01-16", "“E” reported with reliability 0.8 on 2025-02-10"]
    assert moved["in_words"] == [words[texts.index(moved["observations"][0])]]


def test_a_what_if_on_a_conditioned_forecast_changes_only_what_is_still_to_come(
    tmp_path: Path,
) -> None:
    """Three months without E, then the what-ifs act from month 4 on: forbidding E leaves no
    chance, forcing it in month 5 makes it certain, and both stay paired with the conditioned
    baseline, whose numbers are those of the conditioned forecast on its own."""
    scenario = scenario_from(BETA, tmp_path)
    as_of = dt.date(2025, 4, 15)
    kwargs: dict[str, Any] = {"runs": 40_000, "seed": 3, "drivers": "none", "as_of": as_of}
    alone = tightrope.simulate(scenario, **kwargs)
    forbidden = tightrope.simulate(scenario, whatif=[tightrope.Forbid("e")], **kwargs).to_dict()
    forced = tightrope.simulate(scenario, whatif=[tightrope.Force("e", 5)], **kwargs).to_dict()
    baseline = alone.questions["q"].probability
    assert forbidden["comparison"]["q"]["baseline"] == baseline
    assert forbidden["comparison"]["q"]["what_if"] == 0
    assert forbidden["comparison"]["q"]["difference"] == -baseline
    assert forced["comparison"]["q"]["what_if"] == 1
    assert forced["comparison"]["q"]["se"] > 0
    # The evidence weighs the runs of both alike: the posterior is the baseline's.
    assert forbidden["conditioning"] == alone.to_dict()["conditioning"]
    assert forbidden["interventions"]["from"] == {"month": 4, "date": "2025-04-16"}
    with pytest.raises(WhatIfError, match=r"month 4 \(from 2025-04-16\) or later"):
        tightrope.simulate(scenario, whatif=[tightrope.Force("e", 3)], **kwargs)
    # A number set acts from month 4 too: the months seen keep the drawn hazard, and with it
    # the posterior, whatever the number set.
    for hazard, answer in ((0.0, 0), (1.0, 1)):
        setting = [tightrope.Set("events.e.hazard.per_month", hazard)]
        changed = tightrope.simulate(scenario, whatif=setting, **kwargs).to_dict()
        assert changed["comparison"]["q"]["what_if"] == answer
        assert changed["conditioning"] == alone.to_dict()["conditioning"]
    # What was seen before the forecast date stays seen: forbidding E then changes nothing.
    seen = scenario_from(BETA + "observations: [{event: e, date: 2025-03-01}]\n", tmp_path)
    kept = tightrope.simulate(seen, whatif=[tightrope.Forbid("e")], **kwargs).to_dict()
    assert kept["comparison"]["q"] == {"baseline": 1, "what_if": 1, "difference": 0, "se": 0}


def test_the_forecast_takes_a_what_if_after_the_evidence(tmp_path: Path) -> None:
    document = _forecast_on_a_militia_campaign(tmp_path, "--runs", "4000", "--forbid", "us_strikes")
    assert document["interventions"]["from"] == {"month": 5, "date": "2025-07-16"}
    strikes = document["comparison"]["q2_us_strikes"]
    forecast = document["simulation"]["questions"]["q2_us_strikes"]["probability"]
    assert strikes["baseline"] == forecast
    assert strikes["what_if"] < strikes["baseline"]
    assert "never happens from 2025-07-16" in (tmp_path / "report.html").read_text()
    as_of = ("--as-of", "2025-07-01")
    code, out, _ = run("simulate", *as_of, "--forbid", "us_strikes", "--runs", "2000")
    assert code == 0
    assert "What-if: forbid us_strikes, from 2025-07-16, after the evidence" in out
    code, _, err = run("forecast", "--as-of", "2025-07-01", "--force", "us_strikes@2025-07")
    assert code == 2
    assert err.strip() == (
        "tightrope: --force us_strikes@4: month 4 ends on 2025-07-15, but on a forecast as of "
        "2025-07-01 a what-if changes only what is still to come: month 5 (from 2025-07-16) or "
        "later"
    )
    start = "state.dollar_access.initial=50"
    code, _, err = run("simulate", "--as-of", "2025-07-01", "--set", start, "--runs", "1000")
    assert code == 2
    assert err.strip() == (
        f"tightrope: --set {start}: a starting value cannot change on a forecast as of "
        "2025-07-01: it lies in the past (a what-if acts from 2025-07-16)"
    )


def test_given_an_event_the_evidence_saw_the_report_says_it_is_the_forecast(
    tmp_path: Path,
) -> None:
    document = _forecast_on_a_militia_campaign(
        tmp_path, "--runs", "2000", "--given", "militia_campaign"
    )
    assert document["given"]["runs"] == document["run"]["runs"]  # seen: in every posterior run
    report = (tmp_path / "report.html").read_text()
    # The question it resolves, by its text, and the sighting, by the event's label.
    [q3] = [q for q in tightrope.load("iraq-2025").questions if q.id == "q3_militia_campaign"]
    assert (
        f"<p>“{html.escape(q3.text)}” resolved by observation: yes (“Militia attacks on US "
        "forces resume (a campaign, not one incident)” on 2025-06-01).</p>"
    ) in report
    assert (
        "It happens in every run (the evidence saw it): the probabilities given it are the "
        "forecast's."
    ) in report


def test_the_terminal_names_the_evidence_in_the_scenarios_words(tmp_path: Path) -> None:
    flat = " ".join(_run_on_a_militia_campaign(tmp_path, "--runs", "2000").split())
    campaign = "“Militia attacks on US forces resume (a campaign, not one incident)”"
    assert f"{campaign} on 2025-06-01" in flat  # the chances and what-changed tables
    assert "no “US strikes militia targets in Iraq” up to 2025-07-01" in flat
    assert f"q3_militia_campaign resolved by observation: yes ({campaign} on 2025-06-01)" in flat
    assert "militia_campaign on 2025-06-01" not in flat  # the ids stay in the JSON


def test_the_report_gives_each_observation_its_evidence(tmp_path: Path) -> None:
    """The report listed what was seen with the chance the model gave it, but not where it came
    from: the claims behind each observation and its note (an import names its rows)."""
    code, _, err = run(
        "forecast",
        "--observations",
        "examples/iraq-2025-seen.yaml",
        "--as-of",
        "2025-07-01",
        "--runs",
        "2000",
        "--bargaining-samples",
        "0",
        "--out",
        str(tmp_path),
    )
    assert code == 0, err
    report = (tmp_path / "report.html").read_text()
    assert "<th>chance</th><th>given those above</th><th>runs left</th><th>evidence</th>" in report
    row = report[report.index("<td title='israel_escalation on 2025-03-18'>") :]
    row = row[: row.index("</tr>")]
    assert "<td>Israel resumed large-scale air strikes on Gaza" in row
    assert row.count("<td class='num'>") == 3  # the chance, given those above, runs left
    # The note's sources one click away.
    address = "https://theweek.com/defence/israeli-air-strikes-in-gaza-why-has-ceasefire-collapsed"
    assert f"<a href='{address}' rel='noreferrer'>{address}</a>; LBC" in row


def test_a_source_only_an_observation_cites_is_listed_and_linked(tmp_path: Path) -> None:
    """The sources' list held only those the numbers cite, so an observation's claim from
    another source linked to nothing; an observation's own source: was not shown at all."""
    from tightrope.scenario.builtin import builtin_text

    text = builtin_text("iraq-2025")
    text = text.replace(
        "\nclaims:\n",
        "\n  - {id: wire_june, title: 'Wire report, June', publisher: Wire, date: 2025-06-02}\n"
        "  - {id: wire_july, title: 'Wire report, July', publisher: Wire, date: 2025-07-01}\n"
        "claims:\n"
        "  - {id: c_june, source: wire_june, kind: summary, text: 'Militias began a campaign.'}\n",
        1,
    )
    text += (
        "\nobservations:\n"
        "  - {event: militia_campaign, date: 2025-06-01, evidence: [c_june]}\n"
        "  - {event: israel_escalation, date: 2025-06-13, source: wire_july}\n"
    )
    scenario = tmp_path / "cited.yaml"
    scenario.write_text(text)
    out = tmp_path / "out"
    args = ["--as-of", "2025-07-01", "--runs", "2000", "--bargaining-samples", "0"]
    code, _, err = run("forecast", str(scenario), *args, "--out", str(out))
    assert code == 0, err
    report = (out / "report.html").read_text()
    for source in ("wire_june", "wire_july"):
        assert f"<a href='#source-{source}'>" in report
        assert f"<li id='source-{source}'>" in report
    assert "reported by <a href='#source-wire_july'>Wire report, July</a>" in report


def test_evidence_the_model_can_hardly_produce_puts_a_caution_before_the_bottom_line(
    tmp_path: Path,
) -> None:
    """A militia campaign from March with a single attack counted by mid-May leaves a handful
    of the runs: the bottom line read "Almost no chance (0%; 0%–0%)" with the warning far
    below it. The terminal, the report and the brief now open the bottom line with it."""
    seen = tmp_path / "seen.yaml"
    seen.write_text(
        "observations:\n"
        "  - {event: militia_campaign, date: 2025-03-20}\n"
        "  - {variable: attacks, date: 2025-05-15, value: 1, sd: 0.2}\n"
    )
    out_dir = tmp_path / "out"
    args = ["--observations", str(seen), "--as-of", "2025-06-01", "--runs", "4000"]
    code, out, err = run("forecast", *args, "--bargaining-samples", "0", "--out", str(out_dir))
    assert code == 0, err
    document = json.loads((out_dir / "forecast.json").read_text())
    assert document["conditioning"]["effective_sample_size"] < 40  # under 1,000
    flat = " ".join(out.split())
    caution = "Caution: the evidence leaves about"
    assert flat.index("Bottom line") < flat.index(caution) < flat.index("•")
    # It names the observation that cut the runs by the largest factor, taken in turn: the
    # single attack counted by mid-May, where a campaign from March makes many.
    left = [4000] + [o["effective_runs_after"] for o in document["conditioning"]["observations"]]
    ratios = [before / after for before, after in itertools.pairwise(left)]
    steepest = document["conditioning"]["observations"][ratios.index(max(ratios))]
    assert steepest["observation"] == "attacks = 1 ± 0.2 on 2025-05-15"
    assert "They fall most at “Attacks on US forces" in flat
    # How many runs would leave about 1,000 effective ones at the least.
    effective = document["conditioning"]["effective_sample_size"]
    needed = float(f"{4000 * 1000 / effective:.2g}")
    assert f"Run more (at least about {needed:,.0f} runs for some 1,000 effective;" in flat
    assert f"<p class='unsupported'>{caution}" in (out_dir / "report.html").read_text()
    brief = (out_dir / "brief.md").read_text()
    assert brief.index("## Bottom line") < brief.index(f"**{caution}") < brief.index("- ")
    # A replay marks the step that rests on a few runs (its errors, from copies of them, read
    # "± 0.0 pt" and its chances 0% or 100%).
    db = str(tmp_path / "r.sqlite")
    code, out, err = run("replay", "--observations", str(seen), "--runs", "4000", "--db", db)
    assert code == 0, err
    assert "⚠ ESS" in out
    assert "⚠ the evidence by that date leaves under 1,000 effective runs" in " ".join(out.split())
    code, out, _ = run(
        "replay", "--observations", str(seen), "--runs", "4000", "--db", db, "-f", "json"
    )
    steps = json.loads(out)["steps"]
    assert ["warning" in step for step in steps] == [False, False, True]
    # In a notebook the caution comes before the numbers too.
    scenario = tightrope.observe(tightrope.load("iraq-2025"), seen)
    lines = repr(tightrope.simulate(scenario, runs=4000, as_of="2025-06-01", drivers="none"))
    assert lines.splitlines()[1].startswith(caution)
    plain = ["--runs", "4000", "--bargaining-samples", "0", "--out", str(tmp_path / "plain")]
    code, out, _ = run("forecast", *plain)
    assert code == 0
    assert caution not in out  # nothing to caution without evidence


@pytest.mark.parametrize(
    ("seen", "named"),
    [
        # B needs A before its month; A is seen only in B's month, so no run has A earlier.
        (
            "  - {event: a, date: 2025-02-10}\n  - {event: b, date: 2025-02-20}\n",
            "no run of the model produces b on 2025-02-20; b requires 'occurred(a)', read at the "
            "start of its month (2025-02-02 to 2025-03-01)",
        ),
        # C and D each happen in some runs (as v starts below or above 5), never both.
        (
            "  - {event: c, date: 2025-01-10}\n  - {event: d, date: 2025-01-20}\n",
            "no run of the model produces d on 2025-01-20 together with the observations before "
            "it; d requires 'v > 5', read at the start of its month (2025-01-02 to 2025-02-01)",
        ),
    ],
)
def test_when_no_run_agrees_the_message_names_the_observation_and_its_precondition(
    seen: str, named: str
) -> None:
    """It said only "no run agrees with the observations", leaving the user to find which of
    them, and why, by trial. (The checks refuse a sighting whose precondition another event
    alone rules out before this; the engine's message is for what they cannot see, such as a
    precondition on a state variable, so the scenario here is not checked.)"""
    import yaml

    from tightrope.dynamics.analysis import SimulationRequest, run_simulation
    from tightrope.dynamics.evidence import ObservationError
    from tightrope.scenario.schema import Scenario

    scenario = Scenario.model_validate(
        yaml.safe_load(
            "id: pre\ntitle: P\nas_of: 2025-01-01\nhorizon_months: 6\n"
            "actors: [{id: x, name: X, kind: state, capability: 1}]\n"
            "state: [{id: v, label: V, initial: {dist: uniform, low: 0, high: 10}}]\n"
            "events:\n  - {id: a, label: A, hazard: {per_month: 0.3}}\n"
            "  - {id: b, label: B, hazard: {per_month: 0.5}, requires: 'occurred(a)'}\n"
            "  - {id: c, label: C, hazard: {per_month: 0.5}, requires: 'v < 5'}\n"
            "  - {id: d, label: D, hazard: {per_month: 0.5}, requires: 'v > 5'}\n"
            "observations:\n" + seen
        )
    )
    request = SimulationRequest(runs=2000, drivers="none", as_of=dt.date(2025, 4, 15))
    with pytest.raises(ObservationError) as refused:
        run_simulation(scenario, request)
    assert str(refused.value) == (
        f"no run agrees with the observations: {named} (check the events' hazards, "
        "preconditions, triggers and bounds, or mark covert events unobserved)"
    )


def test_an_event_whose_sources_end_is_known_absent_only_for_the_whole_months_before(
    tmp_path: Path,
) -> None:
    """E has a monthly chance of 0.1 and is not seen. Its sources end on 15 April: on 1 July the
    closed world knows three months without it (January to March; April is only half covered),
    so P(E by the year's end) = 1 − 0.9⁹, where the whole closed world gives 1 − 0.9⁶. A question
    due by 31 March resolves no; one due by 31 May stays open."""
    text = (
        "id: toy\ntitle: T\nas_of: 2025-01-01\nhorizon_months: 12\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\n"
        "events: [{id: e, label: E, hazard: {per_month: 0.1}}]\nquestions:\n"
        "  - {id: q_march, text: Q, resolution: R, deadline: 2025-03-31, type: binary, event: e}\n"
        "  - {id: q_may, text: Q, resolution: R, deadline: 2025-05-31, type: binary, event: e}\n"
        "  - {id: q_year, text: Q, resolution: R, deadline: 2025-12-31, type: binary, event: e}\n"
    )
    scenario = scenario_from(text, tmp_path)
    seen = tmp_path / "seen.yaml"
    seen.write_text("observations: []\nwatched_until: {e: 2025-04-15}\n")
    runs = 40_000
    options = {"runs": runs, "samples": 1, "drivers": "none", "as_of": "2025-07-01"}
    for version, months, resolved in (
        (tightrope.observe(scenario, seen), 9, ["q_march"]),
        (scenario, 6, ["q_march", "q_may"]),
    ):
        result = tightrope.simulate(version, **options)
        expected = 1 - 0.9**months
        error = np.sqrt(expected * (1 - expected) / runs)
        assert abs(result.questions["q_year"].probability - expected) < 4.5 * error
        assert sorted(result.to_dict()["conditioning"]["resolved"]) == resolved
    assert result.to_dict()["conditioning"]["observations"][0]["observation"] == (
        "no e up to 2025-07-01"
    )
    watched = tightrope.simulate(tightrope.observe(scenario, seen), **options).to_dict()
    assert watched["conditioning"]["observations"][0]["observation"] == (
        "no e up to 2025-04-01 (its sources end on 2025-04-15)"
    )
    # Sources published on 1 August are not known on 1 July: E's absence says nothing yet, so
    # P(E by the year's end) = 1 − 0.9¹², and nothing is resolved; on 15 August, as above.
    seen.write_text(
        "observations: []\nwatched_until: {e: {day: 2025-04-15, published: 2025-08-01}}\n"
    )
    late = tightrope.observe(scenario, seen)
    for as_of, months, resolved in (("2025-07-01", 12, []), ("2025-08-15", 9, ["q_march"])):
        result = tightrope.simulate(late, **{**options, "as_of": as_of})
        expected = 1 - 0.9**months
        error = np.sqrt(expected * (1 - expected) / runs)
        assert abs(result.questions["q_year"].probability - expected) < 4.5 * error
        assert sorted(result.to_dict()["conditioning"]["resolved"]) == resolved


def test_the_terminal_lists_the_parameters_that_moved_and_says_when_none_did() -> None:
    from rich.console import Console

    from tightrope.report.terminal import conditioning_table

    def entry(name: str, posterior_mean: float) -> dict[str, Any]:
        return {
            "parameter": name,
            "prior": {"mean": 0.5, "interval": [0.3, 0.7]},
            "posterior": {"mean": posterior_mean, "interval": [0.3, 0.7]},
        }

    def shown(parameters: list[dict[str, Any]]) -> str:
        conditioning = {
            "as_of": "2025-07-01",
            "effective_sample_size": 900.0,
            "runs": 1000,
            "parameters": parameters,
            "observations": [],
        }
        console = Console(record=True, width=400)
        console.print(conditioning_table(conditioning, tightrope.load("iraq-2025")))
        return " ".join(console.export_text().split())

    # 5 % of the prior's 0.3–0.7 is 0.02: a = 0.52 moved, b = 0.51 did not.
    text = shown([entry("a", 0.52), entry("b", 0.51)])
    assert "│ a │ 0.5 [0.3–0.7] │ 0.52 [0.3–0.7] │" in text
    assert "│ b │" not in text
    assert (
        "the parameters whose mean moved by 5% of its prior 5th–95th percentile range or " in text
    )
    assert "(1 of 2; every one in --format json and the report)" in text
    assert (
        "runs): no parameter's mean moved by 5% of its prior 5th–95th percentile range or "
        "more (of 1;" in shown([entry("b", 0.51)])
    )


def forecast_walk(tmp_path: Path, cuts: list[float], forecast_date: dt.date, **fields: Any):
    """A walk's forecast as of ``forecast_date``, as a dictionary: its question's cuts part the
    answer 0.5, 0.4, 0.1 where the forecast is right (assert_parted)."""
    seen = fields.pop("seen")
    text = WALK.format(low=cuts[0], high=cuts[1], **fields) + "observations:\n" + seen + "\n"
    posterior = tightrope.simulate(
        scenario_from(text, tmp_path),
        runs=fields.get("runs", 200_000),
        samples=1,
        seed=5,
        drivers="none",
        as_of=forecast_date,
    )
    return posterior.to_dict()


def assert_parted(result: dict[str, Any], tolerance: float) -> None:
    for level, expected in PARTS.items():
        assert result["questions"]["q"]["distribution"][level] == pytest.approx(
            expected, abs=tolerance
        )


def test_a_measured_random_walk_updates_as_a_normal_prior_and_reading_do(tmp_path: Path) -> None:
    """x moves by N(0, 10²) a month from 0: N(0, 200) after two months. Read there at 15 ± 10,
    it is N(10, 66.7) (precision-weighted), and two months later N(10, 266.7): the question's
    cuts at 10 and 10 + 1.2816 × 16.33 part it 0.5, 0.4, 0.1."""
    spread = float(np.sqrt(200 * 100 / 300 + 200))
    result = forecast_walk(
        tmp_path,
        [10, 10 + Z90 * spread],
        dt.date(2025, 3, 1),
        as_of="2025-01-01",
        months=4,
        initial=0,
        change="{sd: 10}",
        deadline="2025-05-01",
        seen="  - {variable: x, date: 2025-03-01, value: 15, sd: 10}",
    )
    assert_parted(result, 0.005)
    for level in ("low", "mid", "high"):
        assert result["questions"]["q"]["mc_errors"][level] < 0.0015
    assert result["conditioning"]["method"] == (
        "likelihood weighting with the observations clamped (the month's step of a variable "
        "that moves by itself drawn toward its reading and weighed back), then systematic "
        "resampling of the runs (their parameter samples with them)"
    )


@pytest.mark.parametrize("relative", [False, True])
def test_a_walk_read_every_month_keeps_its_runs_and_follows_the_kalman_filter(
    relative: bool, tmp_path: Path
) -> None:
    """Six monthly readings at ± 1 of a walk that moves ± 10 a month: drawn from its own law, a
    step lands within a reading's error in about one run in ten, and six readings leave about
    one effective run of 100,000 (measured). Drawn toward each reading and weighed back, the
    runs keep most of their weight (72,608 effective: a twentieth of each step is drawn from
    its own law, as a safeguard, and weighs little), and the forecast two months on is the
    Kalman filter's: the last filtered mean and variance, plus two steps. (Relative: ± 10 % a
    month in the logarithm, read at ± 0.1 around 100; the filter in the logarithm is then near
    exact.)"""
    readings = [12.0, 5.0, -8.0, 3.0, 20.0, 15.0]
    sd, error = (0.1, 0.1) if relative else (10.0, 1.0)
    levels = [100 * np.exp(r / 100) for r in readings] if relative else readings
    mean, variance = 0.0, 0.0  # the filter, in the logarithm where the walk is relative
    for level in levels:
        reading = np.log(level / 100) if relative else level
        noise = (error / level) ** 2 if relative else error**2
        variance += sd**2
        gain = variance / (variance + noise)
        mean, variance = mean + gain * (reading - mean), (1 - gain) * variance
    spread = float(np.sqrt(variance + 2 * sd**2))
    cuts = [mean, mean + Z90 * spread]
    if relative:
        cuts = [float(100 * np.exp(cut)) for cut in cuts]
    result = forecast_walk(
        tmp_path,
        cuts,
        dt.date(2025, 7, 1),
        as_of="2025-01-01",
        months=8,
        initial=100 if relative else 0,
        change=f"{{sd: {sd}, relative: {str(relative).lower()}}}",
        deadline="2025-09-01",
        runs=100_000,
        seen="\n".join(
            f"  - {{variable: x, date: 2025-{month + 1:02d}-01, value: {level}, sd: {error}}}"
            for month, level in enumerate(levels, start=1)
        ),
    )
    assert result["conditioning"]["effective_share"] > 0.5
    assert_parted(result, 0.01)


def test_a_walk_read_inside_a_month_is_read_where_its_bridge_passes_that_day(
    tmp_path: Path,
) -> None:
    """A walk of ± 10 a month is a Brownian motion seen at month ends: read halfway through
    month 1 at 12 ± 2, it had moved N(0, 50) by then, so it stood at N(11.11, 3.70) (the
    reading weighed against the half month's spread), and at the end of month 3, 2.5 months
    later, at N(11.11, 3.70 + 250). Read as if at the month's end (or its start), the reading
    would tell of a spread of 100 (or none)."""
    gain = 50 / 54
    centre, spread = 12 * gain, float(np.sqrt(50 * (1 - gain) + 250))
    result = forecast_walk(
        tmp_path,
        [centre, centre + Z90 * spread],
        dt.date(2025, 4, 16),
        as_of="2025-04-01",
        months=3,
        initial=0,
        change="{sd: 10}",
        deadline="2025-07-01",
        seen="  - {variable: x, date: 2025-04-16, value: 12, sd: 2}",
    )
    assert result["conditioning"]["effective_share"] > 0.8
    assert_parted(result, 0.005)
