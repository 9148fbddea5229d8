"""The simulation against hand-computed answers: hazards, windows, odds ratios, preconditions,
forced and forbidden events, triggers, conditional forecasts, Poisson tempos."""

from __future__ import annotations

import numpy as np
import pytest

from tests.dynamics.walks import PARTS, WALK, Z90
from tightrope.dynamics.engine import Design, Interventions, simulate
from tightrope.dynamics.results import summarise
from tightrope.scenario import Scenario, parse_scenario

HEAD = """
id: toy
title: Toy
as_of: 2025-01-01
horizon_months: 12
actors: [{id: a, name: A, kind: state, capability: 1}]
state:
  - {id: tempo, label: Tempo, initial: 0, min: 0}
  - {id: attacks, label: Attacks, initial: 0, min: 0}
"""
RUNS = 40_000


def toy(events: str) -> Scenario:
    return parse_scenario(HEAD + "events:\n" + events)


def run(scenario: Scenario, interventions: Interventions = Interventions(), **design: int):
    settings = {"samples": 1, "runs": RUNS, "seed": 7, **design}
    model, record = simulate(scenario, Design(**settings), interventions)
    return model, record, summarise(model, record, drivers=0)


def within(observed: float, expected: float, runs: int = RUNS) -> None:
    error = np.sqrt(max(expected * (1 - expected), 1e-12) / runs)
    assert abs(observed - expected) < 4.5 * error + 1e-9, (observed, expected)


def test_monthly_hazard_gives_geometric_cumulative_probability() -> None:
    scenario = toy("  - {id: e, label: E, hazard: {per_month: 0.1}}\n")
    _, _, summary = run(scenario)
    for month, observed in enumerate(summary["events"]["e"]["by_month"], start=1):
        within(observed, 1 - 0.9**month)


def test_window_probability_becomes_a_monthly_hazard() -> None:
    scenario = toy("  - {id: e, label: E, hazard: {probability: 0.35, months: 12}}\n")
    _, _, summary = run(scenario)
    within(summary["events"]["e"]["probability"], 0.35)
    within(summary["events"]["e"]["by_month"][5], 1 - 0.65**0.5)


def test_odds_ratio_modifier() -> None:
    scenario = toy(
        "  - {id: a, label: A, hazard: {per_month: 0}}\n"
        "  - id: b\n    label: B\n    hazard: {per_month: 0.1}\n"
        "    modifiers: [{when: 'occurred(a)', odds_ratio: 3}]\n"
    )
    _, _, summary = run(scenario, Interventions(force=(("a", 1),)))
    # Month 1: A has not happened yet (conditions see the months before): 0.1. Then odds × 3:
    # 0.1 × 3 / (0.9 + 0.3) = 0.25 a month.
    for month, observed in enumerate(summary["events"]["b"]["by_month"], start=1):
        within(observed, 1 - 0.9 * 0.75 ** (month - 1))


def test_true_and_false_are_conditions_that_always_and_never_hold() -> None:
    scenario = toy(
        "  - id: a\n    label: A\n    hazard: {per_month: 0.1}\n"
        "    modifiers:\n      - {when: 'true', odds_ratio: 3}\n"
        "      - {when: 'false or not true', odds_ratio: 9}\n"
        "  - {id: b, label: B, hazard: {per_month: 0.5}, requires: 'false'}\n"
    )
    _, _, summary = run(scenario)
    # Odds × 3 every month, never × 9: 0.25 a month; B never.
    within(summary["events"]["a"]["by_month"][2], 1 - 0.75**3)
    assert summary["events"]["b"]["probability"] == 0


def test_arithmetic_that_overflows_or_divides_by_zero_is_quiet() -> None:
    """x/0 is inf, 0/0 NaN, an overflow inf: conditions handle them without numpy warnings."""
    import warnings

    scenario = toy(
        "  - id: a\n    label: A\n    hazard: {per_month: 0.1}\n"
        "    modifiers:\n      - {when: 'tempo / 0 > 1 or (tempo + 1) * 1e300 * 1e300 > 1',"
        " odds_ratio: 3}\n"
        "  - {id: b, label: B, hazard: {per_month: 0.5}, requires: 'tempo / tempo > 0'}\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, _, summary = run(scenario)
    # (0 + 1) × 1e600 overflows to inf > 1: odds × 3 every month; 0/0 is NaN: B never.
    within(summary["events"]["a"]["by_month"][2], 1 - 0.75**3)
    assert summary["events"]["b"]["probability"] == 0


def test_precondition_and_forbidden_event() -> None:
    scenario = toy(
        "  - {id: a, label: A, hazard: {per_month: 0.2}}\n"
        "  - {id: b, label: B, hazard: {per_month: 0.5}, requires: 'occurred(a)'}\n"
    )
    _, _, free = run(scenario)
    _, _, forbidden = run(scenario, Interventions(forbid=("a",)))
    assert forbidden["events"]["a"]["probability"] == 0
    assert forbidden["events"]["b"]["probability"] == 0
    # B needs A in an earlier month: P(B by 2) = P(A in 1) × 0.5 = 0.1.
    within(free["events"]["b"]["by_month"][1], 0.2 * 0.5)


def test_forced_event_happens_at_its_month() -> None:
    scenario = toy("  - {id: e, label: E, hazard: {per_month: 0.1}}\n")
    _, _, summary = run(scenario, Interventions(force=(("e", 3),)))
    by_month = summary["events"]["e"]["by_month"]
    within(by_month[1], 1 - 0.9**2)
    assert by_month[2] == 1.0


def test_forcing_does_not_repeat_a_one_shot_event_or_restart_a_campaign() -> None:
    """Forcing overrides the hazard and the precondition, not what an event is: where a one-shot
    event happened before its forced month it does not happen again (it did, with its effects
    applied twice), nor does a campaign under way start again; a repeatable event forced in two
    months happens in both."""
    scenario = toy(
        "  - {id: once, label: Once, hazard: {per_month: 0.5},\n"
        "     effects: [{variable: attacks, add: 10}]}\n"
        "  - {id: again, label: Again, hazard: {per_month: 0}, repeatable: true}\n"
        "  - {id: camp, label: Camp, hazard: {per_month: 0.5}, duration: {months: 6}}\n"
    )
    forced = Interventions(force=(("once", 3), ("again", 2), ("again", 5), ("camp", 3)))
    model, record, summary = run(scenario, forced)
    assert summary["events"]["once"]["mean_count"] == 1
    assert summary["events"]["once"]["by_month"][2] == 1.0
    within(summary["events"]["once"]["by_month"][1], 1 - 0.5**2)
    assert record.final is not None
    assert record.final[:, model.variables.index("attacks")].max() == 10
    assert summary["events"]["again"]["mean_count"] == 2
    # A six-month campaign started in month 1 or 2 is still under way in month 3.
    assert summary["events"]["camp"]["mean_count"] == 1


def test_triggers_same_month_and_lagged() -> None:
    scenario = toy(
        "  - id: a\n    label: A\n    hazard: {per_month: 0}\n"
        "    triggers: [{event: b, probability: 0.7}, {event: c, probability: 1, lag_months: 2}]\n"
        "  - {id: b, label: B, hazard: {per_month: 0}}\n"
        "  - {id: c, label: C, hazard: {per_month: 0}}\n"
    )
    _, record, summary = run(scenario, Interventions(force=(("a", 1),)))
    within(summary["events"]["b"]["by_month"][0], 0.7)
    assert summary["events"]["c"]["by_month"][1] == 0
    assert summary["events"]["c"]["by_month"][2] == 1.0
    assert set(record.first[:, 2].tolist()) == {3}


def test_conditional_forecast_from_the_same_runs() -> None:
    scenario = toy(
        "  - {id: a, label: A, hazard: {per_month: 0.05}, triggers: [{event: b, probability: 1}]}\n"
        "  - {id: b, label: B, hazard: {per_month: 0.02}}\n"
        "  - {id: c, label: C, hazard: {per_month: 0.05}}\n"
    )
    model, record, _ = run(scenario)
    given = record.first[:, 0] > 0
    conditional = summarise(model, record, where=given, drivers=0)
    assert conditional["runs"] == int(given.sum())
    within(conditional["runs"] / RUNS, 1 - 0.95**12)
    assert conditional["events"]["b"]["probability"] == 1.0  # A always sets off B
    within(conditional["events"]["c"]["probability"], 1 - 0.95**12, runs=conditional["runs"])


def test_poisson_tempo_reproduces_its_mean() -> None:
    scenario = toy(
        "  - id: campaign\n    label: Campaign\n    hazard: {per_month: 0}\n"
        "    duration: {months: 4}\n"
        "    effects: [{variable: tempo, set: 40}]\n"
        "    while_active: [{variable: attacks, poisson: tempo}]\n"
        "    on_end: [{variable: tempo, set: 0}]\n"
    )
    _, record, summary = run(scenario, Interventions(force=(("campaign", 1),)))
    attacks = summary["variables"]["attacks"]["percentiles"]
    fan = record.fan[:, :, 1]
    assert fan[:, -1].mean() == pytest.approx(160, abs=4.5 * np.sqrt(160 / len(fan)))
    assert fan[:, 4].var() == pytest.approx(160, rel=0.05)  # Poisson: variance = mean
    assert attacks["p50"][6] == attacks["p50"][12]  # nothing after the campaign ends


@pytest.mark.parametrize(
    ("mean", "per_occurrence", "variance"),
    [
        ("3", "false", 36),  # a fixed mean: 12 months of Poisson(3) are Poisson(36)
        # A mean drawn once per parameter sample, uniform on [2, 4] (variance 1/3): the total
        # variance is 12 × 3 + 12² × 1/3 = 84.
        ("{dist: uniform, low: 2, high: 4}", "false", 84),
        # Drawn afresh each month: twelve independent months of 3 + 1/3 each, 40.
        ("{dist: uniform, low: 2, high: 4}", "true", 40),
    ],
)
def test_poisson_count_with_a_mean_of_its_own(mean: str, per_occurrence: str, variance: float):
    scenario = toy(
        "  - id: fire\n    label: Fire\n    hazard: {per_month: 1}\n    repeatable: true\n"
        f"    effects: [{{variable: attacks, poisson: {mean}, per_occurrence: {per_occurrence}}}]\n"
    )
    _, record, _ = run(scenario, samples=4_000, runs=10)
    final = record.fan[:, -1, 1]
    assert final.mean() == pytest.approx(36, abs=4.5 * np.sqrt(variance / len(final)))
    assert final.var() == pytest.approx(variance, rel=0.06)


def test_a_what_if_sets_an_amount_drawn_at_each_occurrence() -> None:
    """Every month adds a fresh uniform(0, 10) to tempo and to attacks. Setting tempo's amount
    to 5 from month 4 on leaves months 1–3 drawn (so tempo − 45 is the sum of three draws) and
    attacks, drawn from the same stream, exactly as in the baseline: the runs stay paired."""
    scenario = toy(
        "  - id: fire\n    label: Fire\n    hazard: {per_month: 1}\n    repeatable: true\n"
        "    effects:\n"
        + "".join(
            f"      - {{variable: {name}, add: {{dist: uniform, low: 0, high: 10}}, "
            "per_occurrence: true}\n"
            for name in ("tempo", "attacks")
        )
    )
    path = "events.fire.effects[0].add"
    model, base, _ = run(scenario, samples=50, runs=40)
    assert not model.parameters[model.parameter_index[path]].varies_by_sample
    _, pinned, _ = run(scenario, Interventions(set=((path, 5.0),)), samples=50, runs=40)
    assert pinned.fan[:, -1, 0] == pytest.approx(60.0)
    assert pinned.fan[:, -1, 1] == pytest.approx(base.fan[:, -1, 1])
    later = Interventions(set=((path, 5.0),), from_month=4)
    _, part, _ = run(scenario, later, samples=50, runs=40)
    drawn = part.fan[:, -1, 0] - 45.0
    assert drawn == pytest.approx(part.fan[:, 3, 0])  # the sum of months 1–3's draws
    assert drawn.mean() == pytest.approx(15.0, abs=4.5 * np.sqrt(3 * 100 / 12 / len(drawn)))


@pytest.mark.parametrize(
    ("requires", "lag", "repeatable"),
    [
        ("occurred(a)", 0, False),
        ("occurred(a, within=2)", 0, False),
        ("count(a) >= 1", 0, False),
        ("months_since(a) <= 2 and tempo < 5", 0, False),
        ("not occurred(a)", 0, False),  # it holds at the start of the month
        ("occurred(a) or tempo < 5", 0, False),
        ("occurred(a)", 1, False),  # the month after, once A has happened
        ("occurred(a)", 0, True),
        # A campaign is not under way at the start of a month it starts in; counted, it is.
        ("active(a)", 0, "campaign"),
        ("active(a) and occurred(a)", 0, "campaign"),
        ("active(a) or occurred(a)", 0, "campaign"),
        ("not active(a)", 0, "campaign"),
    ],
)
def test_a_same_month_trigger_reads_its_targets_precondition_with_its_source_counted(
    requires: str, lag: int, repeatable: bool | str
) -> None:
    """A sets off B (always); B's precondition reads A. A same-month trigger reads it at the
    start of the month with A counted as having happened (a campaign as under way), as A came
    first: B happens in the month A first does, in exactly the runs A does; a month later
    where the trigger waits a month. These triggers never fired, and were refused, before
    2026-11-29; a chain within a month (an impeachment, then the acting president's) needed a
    trigger without the precondition, which then could not come in a later month."""
    lasts = ", duration: {ending_hazard: 0.5}" if repeatable == "campaign" else ""
    again = str(bool(repeatable)).lower()
    text = HEAD + (
        "events:\n"
        f"  - {{id: a, label: A, hazard: {{per_month: 0.3}}, repeatable: {again},"
        f" triggers: [{{event: b, probability: 1, lag_months: {lag}}}]{lasts}}}\n"
        f"  - {{id: b, label: B, hazard: {{per_month: 0}}, requires: '{requires}'}}\n"
    )
    scenario = parse_scenario(text)
    _, record, summary = run(scenario)
    if lag == 0:
        assert np.array_equal(record.first[:, 1], record.first[:, 0])
    else:
        within(summary["events"]["b"]["probability"], 1 - 0.7**11)


def test_ending_hazard_gives_geometric_durations() -> None:
    scenario = toy(
        "  - id: campaign\n    label: Campaign\n    hazard: {per_month: 0}\n"
        "    duration: {ending_hazard: 0.25}\n"
        "    while_active: [{variable: attacks, add: 1}]\n"
    )
    _, record, _ = run(scenario, Interventions(force=(("campaign", 1),)), months=60)
    months_active = record.fan[:, -1, 1]
    assert months_active.mean() == pytest.approx(4.0, abs=0.1)  # 1 / 0.25


@pytest.mark.parametrize(
    ("duration", "mean_months"),
    [("{ending_hazard: 0}", 1 / 0.2), ("{months: 6}", (1 - 0.8**6) / 0.2)],
)
def test_an_event_that_ends_a_campaign_stops_it_in_the_month_it_happens(
    duration: str, mean_months: float
) -> None:
    """A ceasefire with a monthly chance of 0.2 ends a campaign forced in month 1: the campaign
    is under way k months with chance 0.8^(k−1)·0.2 (the ceasefire's month included), a mean of
    1/0.2 = 5 months; one of at most six months lasts (1 − 0.8⁶)/0.2 = 3.69 on average. Its end
    applies its on_end effect once, whether the ceasefire or its length ends it."""
    scenario = toy(
        "  - id: campaign\n    label: Campaign\n    hazard: {per_month: 0}\n"
        f"    duration: {duration}\n"
        "    while_active: [{variable: attacks, add: 1}]\n"
        "    on_end: [{variable: tempo, add: 1}]\n"
        "  - {id: ceasefire, label: Ceasefire, hazard: {per_month: 0.2}, ends: [campaign]}\n"
    )
    _, record, _ = run(scenario, Interventions(force=(("campaign", 1),)), months=60)
    months_active, ends = record.fan[:, -1, 1], record.fan[:, -1, 0]
    assert months_active.mean() == pytest.approx(mean_months, rel=0.03)
    assert set(np.unique(ends)) == {1.0}


def test_an_event_before_a_campaign_starts_does_not_end_it() -> None:
    """A ceasefire forced in month 1 ends nothing under way then; the campaign forced in month
    3, which never ends by itself, is under way to the end."""
    scenario = toy(
        "  - id: campaign\n    label: Campaign\n    hazard: {per_month: 0}\n"
        "    duration: {ending_hazard: 0}\n"
        "    while_active: [{variable: attacks, add: 1}]\n"
        "  - {id: ceasefire, label: Ceasefire, hazard: {per_month: 0}, ends: [campaign]}\n"
    )
    forced = Interventions(force=(("ceasefire", 1), ("campaign", 3)))
    _, record, _ = run(scenario, forced, months=12)
    assert set(np.unique(record.fan[:, -1, 1])) == {10.0}


@pytest.mark.parametrize(
    ("campaign", "reached", "noted"),
    [
        ("duration: {ending_hazard: 0.5}", 0.5 * 0.7, "(by chance or when truce ends it)"),
        ("duration: {ending_hazard: 0}", 0.7, "(when truce ends it)"),
        ("duration: {ending_hazard: 0.5}, ladder: 1", 1.0, None),
        # A rung below the level does not reach it.
        ("duration: {ending_hazard: 0.5}, ladder: 0", 0.5 * 0.7, "(by chance or when truce"),
    ],
)
def test_a_level_reached_while_a_campaign_is_under_way_misses_one_over_in_a_month(
    campaign: str, reached: float, noted: str | None
) -> None:
    """The ladder looks at a month's end: a campaign forced in month 1 that ends that month, by
    its ending hazard of 0.5 or by a truce with a chance of 0.3 a month, never lifts it to a
    level reached ``when: active(c)`` (0.5 × 0.7 and 0.7 of the runs reach it); `validate`
    notes it, and not where the campaign's own rung marks the level."""
    from tightrope.scenario.checks import ladder_notes

    scenario = parse_scenario(
        "id: t\ntitle: T\nas_of: 2025-01-01\nhorizon_months: 6\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\n"
        "ladder:\n  start: 0\n  levels:\n    - {level: 0, id: calm, label: Calm}\n"
        "    - {level: 1, id: fighting, label: F, when: active(c)}\n"
        f"events:\n  - {{id: c, label: C, hazard: {{per_month: 0}}, {campaign}}}\n"
        "  - {id: truce, label: T, hazard: {per_month: 0.3}, ends: [c]}\n"
    )
    _, _, summary = run(scenario, Interventions(force=(("c", 1),)))
    within(summary["ladder"]["max_level"]["fighting"], reached)
    notes = [note for _, note in ladder_notes(scenario)]
    if noted is None:
        assert notes == []
    else:
        [note] = notes
        assert f"c can end in the month it starts {noted}" in note
        assert note.endswith("give c ladder: 1 to reach it whenever c starts")


def test_ladder_rules_apply_in_order_at_the_end_of_the_month() -> None:
    """An event forced in month 3 lifts the ladder to 1 by its rung; a rule on the event lifts
    it to 2 that month, and a rule on the ladder itself, listed after, to 3 the same month: an
    end-of-month rule sees the month's events and the rises of the rules before it."""
    scenario = parse_scenario(
        HEAD
        + """events:
  - {id: e, label: E, hazard: {per_month: 0}, ladder: 1}
ladder:
  start: 0
  levels:
    - {level: 0, id: calm, label: Calm, kind: calm}
    - {level: 1, id: signal, label: Signal, kind: signal}
    - {level: 2, id: act, label: Act, kind: action, when: "occurred(e, within=1)"}
    - {level: 3, id: more, label: More, kind: action, when: "ladder >= 2"}
"""
    )
    forced = Interventions(force=(("e", 3),))
    _, record = simulate(scenario, Design(samples=1, runs=5, seed=0, months=3), forced)
    assert (record.ladder_max == 3).all()
    _, record = simulate(scenario, Design(samples=1, runs=5, seed=0, months=2), forced)
    assert (record.ladder_max == 0).all()


LADDER = """ladder:
  start: {start}
  levels:
    - {{level: 0, id: l0, label: L0}}
    - {{level: 1, id: l1, label: L1}}
    - {{level: 2, id: l2, label: L2{when2}}}
    - {{level: 3, id: l3, label: L3}}
    - {{level: 4, id: l4, label: L4}}
"""
# One ordinal question, ``q``; what it reads follows.
ORDINAL_QUESTION = """questions:
  - id: q
    text: Q?
    resolution: R
    deadline: 2025-12-31
    type: ordinal
"""


@pytest.mark.parametrize(
    ("start", "rungs", "when2", "statistic", "cuts", "unreachable"),
    [
        (1, [3], False, "max", None, {"l4": "above 3", "l2": "to 2"}),  # l0 below start: no
        (1, [3], False, "final", None, {"l0": "never falls", "l2": "to 2", "l4": "above 3"}),
        (1, [4], True, "max", None, {"l3": "to 3"}),
        (0, [1], False, "max", [0.5, 1.2, 1.5], {"a2": "between its cuts", "a3": "above 1"}),
        (2, [], False, "final", [2.5], {"a1": "above 2"}),
    ],
)
def test_levels_listed_unreachable_are_those_no_run_reaches(
    start: int,
    rungs: list[int],
    when2: bool,
    statistic: str,
    cuts: list[float] | None,
    unreachable: dict[str, str],
) -> None:
    """The levels that :func:`unreachable_levels` lists are those that no run reaches, and here,
    where every rise comes by chance on its own, the only ones; the simulation marks them."""
    from tightrope.scenario.checks import unreachable_levels

    ids = [f"a{i}" for i in range(len(cuts) + 1)] if cuts else [f"l{i}" for i in range(5)]
    events = "  - {id: x, label: X, hazard: {per_month: 0.05}}\n" + "".join(
        f"  - {{id: e{rung}, label: E, hazard: {{per_month: 0.3}}, ladder: {rung}}}\n"
        for rung in rungs
    )
    scenario = parse_scenario(
        HEAD
        + "events:\n"
        + events
        + LADDER.format(start=start, when2=', when: "occurred(x)"' if when2 else "")
        + ORDINAL_QUESTION
        + f"    variable: ladder\n    statistic: {statistic}\n"
        + ("" if cuts is None else f"    cuts: {cuts}\n")
        + "    levels: ["
        + ", ".join(f"{{id: {i}, label: {i}}}" for i in ids)
        + "]\n"
    )
    found = unreachable_levels(scenario).get("q", {})
    assert found.keys() == unreachable.keys()
    for level, words in unreachable.items():
        assert words in found[level]
    _, _, summary = run(scenario, samples=1, runs=2_000)
    answer = summary["questions"]["q"]
    for level in ids:
        share = answer["distribution"][level]
        below_start = cuts is None and statistic == "max" and int(level[1:]) < start
        assert (share == 0) == (level in found or below_start), level
    assert answer.get("unreachable", {}) == found


def test_levels_outside_a_variables_bounds_are_listed_and_never_reached() -> None:
    """A variable held within [0, 5]: a level from 8 up, or below 0, has no chance in any run
    and is listed as such; the levels inside the bounds are reached."""
    from tightrope.scenario.checks import unreachable_levels

    scenario = parse_scenario(
        HEAD.replace(
            "{id: tempo, label: Tempo, initial: 0, min: 0}",
            "{id: tempo, label: T, initial: 0, min: 0, max: 5}",
        )
        + """events:
  - id: e
    label: E
    hazard: {per_month: 0.2}
    repeatable: true
    effects: [{variable: tempo, add: 1}]
"""
        + ORDINAL_QUESTION
        + """    variable: tempo
    cuts: [0, 1, 3, 8]
    levels: [{id: below, label: B}, {id: none, label: N}, {id: few, label: F}, {id: some, label: S},
      {id: many, label: M}]
"""
    )
    found = unreachable_levels(scenario)["q"]
    assert found == {
        "below": "tempo is at least 0 (its min)",
        "many": "tempo is at most 5 (its max)",
    }
    _, _, summary = run(scenario, samples=1, runs=2_000)
    for level, share in summary["questions"]["q"]["distribution"].items():
        assert (share == 0) == (level in found), level


@pytest.mark.parametrize(
    ("change", "months", "deadline", "cuts"),
    [
        # Four steps of N(2, 10²): N(8, 20²) at the deadline.
        ("{sd: 10, mean: 2}", 4, "2025-05-01", [8, 8 + 20 * Z90]),
        # Nine steps of N(0, 0.1²) in the logarithm: a median of 100, log-sd 0.3.
        ("{sd: 0.1, relative: true}", 9, "2025-10-01", [100, float(100 * np.exp(0.3 * Z90))]),
    ],
)
def test_a_variable_that_moves_by_itself_is_a_random_walk(
    change: str, months: int, deadline: str, cuts: list[float]
) -> None:
    scenario = parse_scenario(
        WALK.format(
            as_of="2025-01-01",
            initial=100 if "relative" in change else 0,
            change=change,
            months=months,
            deadline=deadline,
            low=cuts[0],
            high=cuts[1],
        )
    )
    _, _, summary = run(scenario)
    shares = summary["questions"]["q"]["distribution"]
    for level, expected in PARTS.items():
        within(shares[level], expected)


def test_a_variable_moves_by_itself_within_its_bounds_and_its_draws_leave_the_events_alone() -> (
    None
):
    """A step past a bound stops at it; the steps come from a stream of their own, so the
    events' draws, and their answers, are the same with or without them."""
    text = WALK.format(
        as_of="2025-01-01",
        initial=0,
        change="{sd: 50}",
        months=3,
        deadline="2025-04-01",
        low=0,
        high=10,
    )
    bounded = parse_scenario(text.replace("monthly_change", "min: 0, max: 10, monthly_change"))
    _, record, summary = run(bounded)
    # P(x < 0) is nil; a first step below 0 stops at 0 and the next ones start from there.
    assert summary["questions"]["q"]["distribution"]["low"] == 0
    still = parse_scenario(text.replace(", monthly_change: {sd: 50}", ""))
    _, unmoved, _ = run(still)
    assert np.array_equal(record.first, unmoved.first)
