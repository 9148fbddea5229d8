"""Sanity of the built-in crisis, and reproducibility across tiles and worker processes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tightrope.dynamics import engine
from tightrope.dynamics.engine import Design, Interventions, simulate
from tightrope.dynamics.results import compare, summarise
from tightrope.scenario.builtin import load_builtin

SCENARIO = load_builtin("iraq-2025")
DESIGN = Design(samples=50, runs=400, seed=3)


def test_campaign_attacks_average_about_forty_a_month() -> None:
    interventions = Interventions(
        force=(("militia_campaign", 1),),
        set=(("events.militia_campaign.duration.ending_hazard", 0.0),),
    )
    _, record = simulate(SCENARIO, Design(samples=100, runs=200, seed=1, months=4), interventions)
    attacks = record.fan[:, -1, SCENARIO_VARIABLE("attacks")]
    # About 170 attacks in 4 months in 2023–24: 40 a month.
    assert attacks.mean() / 4 == pytest.approx(40, abs=1.5)


def SCENARIO_VARIABLE(name: str) -> int:  # noqa: N802 (reads like a constant lookup)
    return [variable.id for variable in SCENARIO.state].index(name)


def test_forbidding_israeli_escalation_lowers_a_militia_campaign() -> None:
    model, baseline = simulate(SCENARIO, DESIGN)
    _, what_if = simulate(SCENARIO, DESIGN, Interventions(forbid=("israel_escalation",)))
    change = compare(model, baseline, what_if)["q3_militia_campaign"]
    assert change["difference"] < -5 * change["se"]


def test_forcing_us_casualties_raises_us_strikes() -> None:
    model, baseline = simulate(SCENARIO, DESIGN)
    _, what_if = simulate(SCENARIO, DESIGN, Interventions(force=(("us_casualties", 2),)))
    change = compare(model, baseline, what_if)["q2_us_strikes"]
    assert change["difference"] > 5 * change["se"]
    assert change["what_if"] > 0.6  # the trigger alone gives 0.7


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_same_seed_same_output_in_one_tile_or_many_and_with_two_workers(
    start_method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forked workers put their parts in a record in shared memory; with another start method
    they send them back (the pool still forks here: only the path taken changes)."""
    monkeypatch.setattr(engine.multiprocessing, "get_start_method", lambda: start_method)
    design = Design(samples=20, runs=300, seed=11, block=100)
    tiled = Design(samples=20, runs=300, seed=11, block=100, tile=250)
    _, one = simulate(SCENARIO, design)
    _, many = simulate(SCENARIO, tiled)
    _, parallel = simulate(SCENARIO, tiled, workers=2)
    for other in (many, parallel):
        for name in ("first", "counts", "ladder_max", "fan", "fan_sample", "fan_run", "final"):
            np.testing.assert_array_equal(getattr(one, name), getattr(other, name))
        for question in one.answers:
            np.testing.assert_array_equal(one.answers[question], other.answers[question])
    _, different = simulate(SCENARIO, Design(samples=20, runs=300, seed=12, block=100))
    assert not np.array_equal(one.first, different.first)
    # Fans keep 50 of each sample's 60 runs; tiles end inside samples.
    fans = Design(samples=1000, runs=60, seed=11, block=1_000, tile=2_500)
    _, one = simulate(SCENARIO, fans)
    _, parallel = simulate(SCENARIO, fans, workers=2)
    assert len(one.fan_run) == 50_000
    assert set(one.fan_run % 60) == set(range(50))
    for name in ("fan", "fan_sample", "fan_run", "first"):
        np.testing.assert_array_equal(getattr(one, name), getattr(parallel, name))


def test_summary_shapes_and_intervals() -> None:
    model, record = simulate(SCENARIO, DESIGN)
    summary = summarise(model, record)
    q1 = summary["questions"]["q1_oil_restriction"]
    assert 0 < q1["probability"] < 1
    assert q1["interval"][0] <= q1["probability"] <= q1["interval"][1]
    assert len(q1["by_month"]) == 13  # the horizon (12) extended to the deadline's month
    assert q1["by_month"] == sorted(q1["by_month"])
    # The deadline (31 March) holds 16 of month 13's 31 days.
    assert q1["by_month"][-2] < q1["probability"] < q1["by_month"][-1]
    q7 = summary["questions"]["q7_alignment"]["distribution"]
    assert sum(q7.values()) == pytest.approx(1.0)
    ladder = summary["ladder"]["max_level"]
    assert sum(ladder.values()) == pytest.approx(1.0)
    assert ladder["calm"] == 0  # the ladder starts at 3 and never falls
    # 50 samples are too few for a rank regression on the question's reachable parameters.
    assert summary["drivers"]["q1_oil_restriction"] == []
    assert summary["sequences"][0]["share"] >= summary["sequences"][1]["share"]


def test_morris_screening_finds_the_obvious_driver() -> None:
    from tightrope.dynamics.drivers import morris_drivers

    result = morris_drivers(SCENARIO, trajectories=20, runs_per_point=50, seed=2)
    top = result["questions"]["q1_oil_restriction"][0]
    assert top["parameter"] == "events.oil_restriction.hazard.probability"
    assert top["mu_star"] > top["mu_star_conf"] > 0
    # Nothing without a path to the energy halt (bank sanctions, the electricity deficit).
    listed = {entry["parameter"] for entry in result["questions"]["q6_energy_halt"]}
    assert not listed & {
        "events.bank_sanctions.hazard.probability",
        "state.electricity_deficit.initial",
    }
    militia = [entry["parameter"] for entry in result["questions"]["q3_militia_campaign"][:2]]
    assert "events.militia_campaign.hazard.per_month" in militia


def test_ppf_matches_sampling() -> None:
    from tightrope.scenario.quantity import Quantity

    for data in (
        {"mode": 3, "low": 1, "high": 10},
        {"dist": "uniform", "low": 2, "high": 4},
        {"dist": "triangular", "mode": 5, "low": 0, "high": 6},
        {"dist": "normal", "value": 1, "sd": 2, "low": -1, "high": 5},
        {"dist": "lognormal", "value": 2, "sd": 0.4},
        {"dist": "beta", "alpha": 2, "beta": 3, "low": 0, "high": 1},
    ):
        quantity = Quantity.model_validate(data)
        draws = quantity.sample(np.random.default_rng(0), 200_000)
        quantiles = quantity.ppf(np.array([0.1, 0.5, 0.9]))
        assert np.quantile(draws, [0.1, 0.5, 0.9]) == pytest.approx(quantiles, rel=0.02, abs=0.01)


def test_conditional_summary_selects_its_own_runs_for_fan_charts() -> None:
    model, record = simulate(SCENARIO, DESIGN)
    column = model.event_index("militia_campaign")
    given = record.first[:, column] > 0
    conditional = summarise(model, record, where=given, drivers=0)
    everyone = summarise(model, record, drivers=0)
    attacks = conditional["variables"]["attacks"]
    assert attacks["runs"] == int(given[record.fan_run].sum())
    assert (
        attacks["percentiles"]["p50"][-1]
        > everyone["variables"]["attacks"]["percentiles"]["p50"][-1]
    )
    # Every selected run has the campaign, but one that starts in month 13 counts only if it
    # came by the deadline (31 March: 16 of the month's 31 days).
    late = (record.first[given, column] == 13).mean()
    q3 = conditional["questions"]["q3_militia_campaign"]["probability"]
    assert 1 - late < q3 < 1 - late * (1 - 16 / 31) + 0.01


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 80), st.integers(1, 400))
def test_sequences_are_counted_and_ranked_like_a_counter(seed: int, events: int, runs: int) -> None:
    """The most frequent orders of first occurrences, ties in order of first appearance: the
    same list a Counter over the per-run orders gives; with more than 64 events too."""
    from collections import Counter
    from types import SimpleNamespace

    from tightrope.dynamics.results import _sequences

    names = [f"e{index}" for index in range(events)]
    model: Any = SimpleNamespace(events=[SimpleNamespace(id=name) for name in names])
    rng = np.random.default_rng(seed)
    # About four events a run, in two months: many ties, and late events before early ones.
    happens = rng.random((runs, events)) < 4 / max(events, 4)
    first = np.where(happens, rng.integers(1, 3, (runs, events)), 0).astype(np.int16)
    expected: Counter[tuple[str, ...]] = Counter()
    for row in first.tolist():
        happened = sorted((month, index) for index, month in enumerate(row) if month > 0)
        expected[tuple(names[index] for _, index in happened[:6])] += 1
    # One run per parameter sample: the clustered error is the runs' own, sqrt(p(1 − p)/(n − 1)).
    found = _sequences(model, first, np.arange(runs, dtype=np.int32), runs, top=10)
    assert [(tuple(entry["events"]), entry["share"]) for entry in found] == [
        (key, count / runs) for key, count in expected.most_common(10)
    ]
    for entry in found:
        share = entry["share"]
        binomial = np.sqrt(share * (1 - share) / (runs - 1)) if runs > 1 else 0.0
        assert entry["mc_error"] == pytest.approx(binomial, rel=1e-9, abs=1e-15)


def test_common_random_numbers_give_the_same_runs_on_two_workers() -> None:
    """Screening designs replay the same streams for every parameter sample; a worker given
    only its tiles' parameter rows reproduces them."""
    design = Design(samples=6, runs=250, seed=3, block=100, tile=200, common_random_numbers=True)
    _, one = simulate(SCENARIO, design)
    _, parallel = simulate(SCENARIO, design, workers=2)
    np.testing.assert_array_equal(one.first, parallel.first)
    np.testing.assert_array_equal(one.sample, parallel.sample)
    np.testing.assert_array_equal(one.fan, parallel.fan)
    assert one.first[:, 0].any()


def test_steps_drawn_toward_readings_and_triggered_chains_do_not_depend_on_the_tiles() -> None:
    """A walk read inside its months (guided steps, two random draws a run) and a same-month
    trigger whose target's precondition reads its source, on evidence: the same runs and
    weights in one tile, in many, and on two workers."""
    import datetime as dt

    from tightrope.dynamics.evidence import compile_evidence
    from tightrope.dynamics.model import compile_scenario
    from tightrope.scenario import parse_scenario

    scenario = parse_scenario(
        "id: w\ntitle: W\nas_of: 2025-01-10\nhorizon_months: 4\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\n"
        "state: [{id: fx, label: FX, initial: 100, min: 0,\n"
        "  monthly_change: {sd: {low: 0.01, high: 0.05, dist: uniform}, relative: true}}]\n"
        "events:\n"
        "  - {id: a, label: A, hazard: {per_month: 0.4}, effects: [{variable: fx, add: 5}],\n"
        "     triggers: [{event: b, probability: 0.5}]}\n"
        "  - {id: b, label: B, hazard: {per_month: 0.2}, requires: 'occurred(a)'}\n"
        "observations:\n  - {event: a, date: 2025-01-20}\n  - {event: b, date: 2025-02-01}\n"
        "  - {variable: fx, date: 2025-02-05, value: 104, sd: 0.5}\n"
        "  - {variable: fx, date: 2025-03-01, value: 101, sd: 0.5}\n"
    )
    model = compile_scenario(scenario)
    evidence = compile_evidence(scenario, model, dt.date(2025, 3, 20))
    design = Design(samples=20, runs=300, seed=4, block=100)
    tiled = Design(samples=20, runs=300, seed=4, block=100, tile=250)
    _, one = simulate(scenario, design, evidence=evidence)
    assert one.proposal is not None
    assert one.proposal.any()
    for other in (
        simulate(scenario, tiled, evidence=evidence)[1],
        simulate(scenario, tiled, evidence=evidence, workers=2)[1],
    ):
        for name in ("first", "final", "loglik", "proposal", "within"):
            np.testing.assert_array_equal(getattr(one, name), getattr(other, name))
