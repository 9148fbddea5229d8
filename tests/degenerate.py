"""Valid scenarios at the edges: no uncertain numbers, no issues, no events, no questions, an issue
on which every salience is zero. Each is built from the built-in case and written as YAML."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tightrope.scenario.builtin import load_builtin
from tightrope.scenario.checks import iter_quantities
from tightrope.scenario.schema import Scenario

Data = dict[str, Any]


def builtin_data() -> Data:
    scenario = load_builtin("iraq-2025")
    return {"format": 1, **scenario.model_dump(mode="json", exclude_defaults=True)}


def point_values(data: Data) -> Data:
    """Every number replaced by its central value (its provenance kept)."""
    scenario = load_builtin("iraq-2025")
    for path, quantity in iter_quantities(scenario):
        holder: Any = data
        for part in path[:-1]:
            holder = holder[part]
        holder[path[-1]] = {
            "value": quantity.estimate,
            **({"judgment": True} if quantity.judgment else {}),
            **({"evidence": list(quantity.evidence)} if quantity.evidence else {}),
        }
    return data


def no_issues(data: Data) -> Data:
    """No bargaining: no issues, positions or coupling, nor what reads or moves them."""
    data = {"format": 1, **Scenario.model_validate(data).uncoupled().model_dump(mode="json")}
    for key in ("issues", "positions"):
        data.pop(key, None)
    return data


def no_events(data: Data) -> Data:
    for key in ("events", "questions", "ladder"):
        data.pop(key, None)
    return data


def no_questions(data: Data) -> Data:
    data.pop("questions", None)
    return data


def zero_salience(data: Data) -> Data:
    issue = data["issues"][0]["id"]
    for stance in data["positions"][issue].values():
        stance["salience"] = 0
    return data


def minimal(_: Data) -> Data:
    """The least a file may hold: one actor, one event (no state, ladder, issues or questions)."""
    return {
        "format": 1,
        "id": "minimal",
        "title": "Minimal",
        "as_of": "2025-01-01",
        "horizon_months": 3,
        "actors": [{"id": "a", "name": "A", "kind": "state", "capability": 1}],
        "events": [{"id": "e", "label": "E", "hazard": {"per_month": 0.5}}],
    }


def actors_only(_: Data) -> Data:
    data = minimal({})
    del data["events"]
    return data


VARIANTS: dict[str, Callable[[Data], Data]] = {
    "minimal": minimal,
    "actors-only": actors_only,
    "point-values": point_values,
    "no-issues": no_issues,
    "no-events": no_events,
    "no-questions": no_questions,
    "zero-salience": zero_salience,
}


def write_variant(name: str, folder: Path) -> Path:
    data = VARIANTS[name](builtin_data())
    data["id"] = f"edge-{name}"
    file = folder / f"{name}.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return file
