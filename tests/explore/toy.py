"""Toy scenarios with known answers for the exploratory-modelling tests."""

from __future__ import annotations

from typing import Any

from tightrope.scenario.schema import Scenario

UNIFORM = {"dist": "uniform", "judgment": True}


def toy(
    scenario_id: str,
    horizon: int,
    state: list[dict[str, Any]],
    events: list[dict[str, Any]],
    questions: list[dict[str, Any]],
) -> Scenario:
    """A one-actor toy scenario from 2025-01-01 (actor ``x``, a state)."""
    return Scenario.model_validate(
        {
            "id": scenario_id,
            "title": scenario_id.title(),
            "as_of": "2025-01-01",
            "horizon_months": horizon,
            "actors": [{"id": "x", "name": "X", "kind": "state", "capability": {"value": 1}}],
            "state": state,
            "events": events,
            "questions": questions,
        }
    )


def planted(extra_events: list[dict[str, Any]] | None = None) -> Scenario:
    """``boom`` happens in the first month exactly when a > 0.6 and b > 7 (a uniform on 0–1,
    b on 0–10, c on 0–1 a distraction); ``lever`` is a lever that does nothing."""
    return toy(
        "planted",
        2,
        [
            {"id": "a", "label": "A", "initial": {**UNIFORM, "low": 0, "high": 1}},
            {"id": "b", "label": "B", "initial": {**UNIFORM, "low": 0, "high": 10}},
            {"id": "c", "label": "C", "initial": {**UNIFORM, "low": 0, "high": 1}},
        ],
        [
            {
                "id": "boom",
                "label": "Boom",
                "hazard": {"per_month": {"value": 1}},
                "requires": "a > 0.6 and b > 7",
            },
            {
                "id": "lever",
                "label": "A lever",
                "actor": "x",
                "lever": True,
                "hazard": {"per_month": {"value": 0.3, "judgment": True}},
            },
            *(extra_events or []),
        ],
        [
            {
                "id": "q_boom",
                "text": "Boom?",
                "resolution": "If it booms.",
                "deadline": "2025-02-28",
                "type": "binary",
                "event": "boom",
            }
        ],
    )


def steady(per_month: float) -> Scenario:
    """``tick`` happens each month with a fixed chance; ``c`` is an uncertainty that moves
    nothing (an experiment needs one)."""
    return toy(
        "steady",
        12,
        [{"id": "c", "label": "C", "initial": {**UNIFORM, "low": 0, "high": 1}}],
        [
            {
                "id": "tick",
                "label": "Tick",
                "actor": "x",
                "lever": True,
                "hazard": {"per_month": {"value": per_month}},
            }
        ],
        [
            {
                "id": "q_tick",
                "text": "Tick?",
                "resolution": "If it ticks.",
                "deadline": "2025-06-30",
                "type": "binary",
                "event": "tick",
            }
        ],
    )
