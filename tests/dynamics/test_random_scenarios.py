"""Random scenarios, as a user might write them: every one that validates simulates, and its
results keep their invariants (probabilities in [0, 1], distributions that add up to 1, event
chances that never fall from month to month, strict JSON). Generating them found two faults:
``when: true`` was refused, and arithmetic that overflowed printed numpy warnings."""

from __future__ import annotations

import itertools
import json
import warnings
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tightrope
from tightrope.errors import TightropeError
from tightrope.outputs import json_text
from tightrope.scenario import ScenarioError, parse_scenario

EVENTS = ("e0", "e1", "e2")
VARIABLES = ("v0", "v1")
NUMBERS = st.floats(-100, 100, allow_nan=False)


@st.composite
def quantity(draw: st.DrawFn, low: float, high: float, point: bool = True) -> dict[str, Any]:
    a, b = sorted(draw(st.lists(st.floats(low, high), min_size=2, max_size=2)))
    kind = draw(st.sampled_from(["value", "pert", "uniform"] if point else ["pert", "uniform"]))
    if kind == "value" or a == b:
        return {"value": a}
    if kind == "pert":
        return {"mode": draw(st.floats(a, b)), "low": a, "high": b, "judgment": True}
    return {"dist": "uniform", "low": a, "high": b, "judgment": True}


@st.composite
def term(draw: st.DrawFn, events: int) -> str:
    event = st.sampled_from(EVENTS[:events])
    atoms = [
        st.sampled_from([*VARIABLES, "ladder", "month"]),
        st.builds(lambda e, n: f"count({e}, within={n})", event, st.integers(1, 12)),
        st.builds(lambda e: f"months_since({e})", event),
        NUMBERS.map(str),
        st.just("1e300"),  # products of it overflow to infinity
    ]
    text = draw(st.one_of(atoms))
    for _ in range(draw(st.integers(0, 2))):
        operator = draw(st.sampled_from("+-*/"))
        text = f"({text} {operator} {draw(st.one_of(atoms))})"
    return text


@st.composite
def condition(draw: st.DrawFn, events: int) -> str:
    event = st.sampled_from(EVENTS[:events])
    atoms = [
        st.builds(lambda e, n: f"occurred({e}, within={n})", event, st.integers(1, 12)),
        st.builds(lambda e: f"active({e})", event),
        st.builds(
            lambda t, op, x: f"{t} {op} {x}",
            term(events),
            st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
            NUMBERS,
        ),
        st.sampled_from(["true", "false"]),
    ]
    text = draw(st.one_of(atoms))
    for _ in range(draw(st.integers(0, 2))):
        joint = draw(st.sampled_from(["and", "or", "and not", "or not"]))
        text = f"({text}) {joint} ({draw(st.one_of(atoms))})"
    return text


@st.composite
def event(draw: st.DrawFn, number: int, events: int) -> dict[str, Any]:
    found: dict[str, Any] = {"id": EVENTS[number], "label": f"Event {number}"}
    if draw(st.booleans()):
        found["hazard"] = {"per_month": draw(quantity(0, 1))}
    else:
        found["hazard"] = {"probability": draw(quantity(0, 1)), "months": draw(st.integers(1, 24))}
    found["repeatable"] = draw(st.booleans())
    modifiers = []
    for _ in range(draw(st.integers(0, 2))):
        if draw(st.booleans()):
            modifiers.append(
                {"when": draw(condition(events)), "odds_ratio": draw(quantity(0.1, 20))}
            )
        else:
            modifiers.append(
                {"term": draw(term(events)), "coefficient": draw(quantity(-2, 2, point=False))}
            )
    found["modifiers"] = modifiers
    if draw(st.booleans()):
        found["requires"] = draw(condition(events))
    duration = draw(st.sampled_from([None, "ending_hazard", "months"]))
    if duration == "ending_hazard":
        found["duration"] = {"ending_hazard": draw(quantity(0, 1))}
    elif duration == "months":
        found["duration"] = {"months": draw(st.integers(1, 6))}
    effects = []
    for _ in range(draw(st.integers(0, 2))):
        operation = draw(st.sampled_from(["set", "add", "multiply", "poisson"]))
        effect: dict[str, Any] = {"variable": draw(st.sampled_from(VARIABLES))}
        if operation == "poisson":  # the mean held in a variable, or a quantity of its own
            effect["poisson"] = draw(st.sampled_from(VARIABLES) | quantity(0, 20))
        else:
            low, high = (0, 3) if operation == "multiply" else (-50, 50)
            effect[operation] = draw(quantity(low, high))
            effect["per_occurrence"] = draw(st.booleans())
        effects.append(effect)
    found["effects"] = effects
    if duration is not None and draw(st.booleans()):
        found["while_active"] = [{"variable": "v0", "add": draw(quantity(-5, 5))}]
        found["on_end"] = [{"variable": "v1", "set": draw(quantity(0, 10))}]
    if draw(st.booleans()):
        found["ladder"] = draw(st.integers(0, 3))
    # Triggers point forward, or back with a lag: same-month cycles are refused by validation.
    found["triggers"] = [
        {"event": EVENTS[target], "probability": draw(quantity(0, 1)), "lag_months": lag}
        for target, lag in draw(
            st.lists(st.tuples(st.integers(0, events - 1), st.integers(0, 3)), max_size=2)
        )
        if target > number or lag > 0
    ]
    return found


@st.composite
def scenario_text(draw: st.DrawFn) -> str:
    events = draw(st.integers(1, len(EVENTS)))
    state = []
    for variable in VARIABLES:
        entry: dict[str, Any] = {
            "id": variable,
            "label": variable,
            "initial": draw(quantity(0, 100)),
        }
        if draw(st.booleans()):
            entry |= {"min": 0, "max": 100}
        state.append(entry)
    levels = [{"level": k, "id": f"l{k}", "label": f"Level {k}"} for k in range(4)]
    if draw(st.booleans()):
        levels[3]["when"] = draw(condition(events))
    document = {
        "id": "random",
        "title": "Random",
        "as_of": "2025-01-15",
        "horizon_months": draw(st.integers(1, 14)),
        "actors": [{"id": "a", "name": "A", "kind": "state", "capability": 1}],
        "state": state,
        "ladder": {"start": draw(st.integers(0, 3)), "levels": levels},
        "events": [draw(event(number, events)) for number in range(events)],
        "questions": [
            {
                "id": "q_event",
                "text": "?",
                "resolution": "-",
                "deadline": draw(st.sampled_from(["2025-01-31", "2025-06-15", "2026-01-15"])),
                "type": "binary",
                "event": "e0",
            },
            {
                "id": "q_when",
                "text": "?",
                "resolution": "-",
                "deadline": "2025-12-31",
                "type": "binary",
                "when": draw(condition(events)),
            },
            {
                "id": "q_level",
                "text": "?",
                "resolution": "-",
                "deadline": "2025-12-31",
                "type": "ordinal",
                "variable": draw(st.sampled_from([*VARIABLES, "ladder"])),
                "statistic": draw(st.sampled_from(["final", "max", "min"])),
                "cuts": [1, 2, 3],
                "levels": [{"id": f"k{k}", "label": f"K{k}"} for k in range(4)],
            },
        ],
    }
    return yaml.safe_dump(document, sort_keys=False)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(scenario_text(), st.integers(0, 3))
def test_random_scenarios_simulate_and_keep_their_invariants(text: str, seed: int) -> None:
    try:
        scenario = parse_scenario(text, "random.yaml")
    except ScenarioError as error:
        problems = error.problems
        assert all(str(problem).startswith("random.yaml:") for problem in problems)
        # Every condition and term here follows the grammar: none may be refused as such.
        assert not [problem for problem in problems if "does not parse" in problem.message]
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warning reaches the user's terminal
        try:
            result = tightrope.simulate(scenario, runs=300, seed=seed, drivers="none")
        except TightropeError:
            return  # refused with a message (a limit), never a crash
    document = result.to_dict()
    json.loads(json_text(document))
    for question in document["questions"].values():
        if "distribution" in question:
            assert abs(sum(question["distribution"].values()) - 1) < 1e-9
        else:
            assert 0 <= question["probability"] <= 1
    for entry in document["events"].values():
        by_month = entry["by_month"]
        assert all(0 <= p <= 1 for p in by_month)
        assert all(b >= a for a, b in itertools.pairwise(by_month))
