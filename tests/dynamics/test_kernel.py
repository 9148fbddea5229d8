"""The compiled month (dynamics.kernel) against the numpy month it replaces on large designs:
the same results to the last bit, whatever the scenario's features, interventions and tiling."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tightrope.dynamics import engine
from tightrope.dynamics.engine import Design, Interventions, RunRecord, compiles, simulate
from tightrope.dynamics.evidence import Evidence
from tightrope.dynamics.model import compile_scenario
from tightrope.scenario.builtin import load_builtin
from tightrope.scenario.schema import Scenario


def built_in() -> Scenario:
    return load_builtin("iraq-2025")


def variant() -> Scenario:
    """The built-in case with what it lacks: a lagged trigger, a campaign of fixed length and a
    coupling re-solved every third month or after US strikes."""
    data: dict[str, Any] = built_in().model_dump(mode="json", exclude_none=True)
    events = {event["id"]: event for event in data["events"]}
    events["israel_escalation"]["triggers"] = [
        {"event": "bank_sanctions", "probability": {"value": 0.5}, "lag_months": 2}
    ]
    events["bank_sanctions"]["duration"] = {"months": 2}
    data["coupling"] = {"model": "compromise", "every": 3, "on": ["us_strikes"]}
    return Scenario.model_validate(data)


def simulated(
    scenario: Scenario,
    design: Design,
    interventions: Interventions,
    compiled_from: int,
    monkeypatch: pytest.MonkeyPatch,
) -> RunRecord:
    monkeypatch.setattr(engine, "COMPILED_FROM", compiled_from)
    model, record = simulate(scenario, design, interventions)
    assert compiles(model, design, None) == (compiled_from == 0)
    return record


def assert_identical(one: RunRecord, other: RunRecord) -> None:
    for name in ("first", "counts", "ladder_max", "fan", "fan_sample", "fan_run", "sample"):
        np.testing.assert_array_equal(getattr(one, name), getattr(other, name), err_msg=name)
    assert one.final is not None
    assert other.final is not None
    np.testing.assert_array_equal(one.final, other.final)
    assert one.answers.keys() == other.answers.keys()
    for question, answer in one.answers.items():
        np.testing.assert_array_equal(answer, other.answers[question], err_msg=question)


WHAT_IFS = [
    Interventions(),
    Interventions(
        force=(("oil_restriction", 4), ("militia_campaign", 2)),
        forbid=("iran_approval",),
        set=(("events.us_strikes.hazard.per_month", 0.2),),
    ),
]


@pytest.mark.parametrize("scenario", [built_in, variant], ids=["built-in", "variant"])
@pytest.mark.parametrize("interventions", WHAT_IFS, ids=["as-is", "what-if"])
def test_the_compiled_month_gives_numpy_s_results_bit_for_bit(
    scenario: Any, interventions: Interventions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streams of 700 runs, so that a tile holds several (each with its own generators)."""
    design = Design(samples=60, runs=70, seed=11, block=700)
    numpy_record = simulated(scenario(), design, interventions, 10**12, monkeypatch)
    compiled = simulated(scenario(), design, interventions, 0, monkeypatch)
    assert_identical(numpy_record, compiled)
    # Not a vacuous comparison: events happened, campaigns ran, settlements moved.
    assert (compiled.counts > 0).mean() > 0.1
    assert len(np.unique(compiled.fan[:, -1, -1])) > 100


def test_the_compiled_month_does_not_depend_on_tiling_or_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    design = Design(samples=40, runs=100, seed=5, block=1_000, tile=2_000)
    one = simulated(variant(), design, Interventions(), 0, monkeypatch)
    monkeypatch.setattr(engine, "COMPILED_TILE", 1_000)
    _, two = simulate(variant(), design, workers=2)
    assert_identical(one, two)


def test_the_compiled_month_runs_only_what_it_computes_exactly() -> None:
    """Large designs of the built-in case compile; small ones, evidence, two Poisson effects
    and the weighted-median coupling stay in numpy."""
    large, small = Design.for_runs(200_000), Design.for_runs(20_000)
    model = compile_scenario(built_in())
    assert compiles(model, large, None)
    assert not compiles(model, small, None)
    assert not compiles(model, large, Evidence(items=()))
    data: dict[str, Any] = built_in().model_dump(mode="json", exclude_none=True)
    data["coupling"]["model"] = "median"
    assert not compiles(compile_scenario(Scenario.model_validate(data)), large, None)
    data = built_in().model_dump(mode="json", exclude_none=True)
    campaign = next(event for event in data["events"] if event["id"] == "militia_campaign")
    campaign["while_active"] = campaign["while_active"] * 2
    assert not compiles(compile_scenario(Scenario.model_validate(data)), large, None)
