"""What changed between two versions of a scenario: every input added, removed or changed, named
as ``tightrope provenance`` names numbers (list items by their ids), and the scenario with one
change at a time applied, so that a forecast can say which change moved a question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tightrope.scenario.checks import check_scenario
from tightrope.scenario.schema import Scenario

Key = str | int  # a mapping key, or a list position


@dataclass(frozen=True)
class Change:
    """One difference: where (readable, and the path in the second version's data), what."""

    path: str
    kind: str  # added, removed or changed
    before: Any
    after: Any
    location: tuple[Key, ...]  # in the first version's data (None-free for "changed")

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "before": self.before, "after": self.after}


def _data(scenario: Scenario) -> dict[str, Any]:
    data = scenario.model_dump(mode="json", exclude_none=True)
    return {key: value for key, value in data.items() if value not in ([], {}, ())}


def diff(first: Scenario, second: Scenario) -> list[Change]:
    """Every difference between two scenarios, in the order of the second's file."""
    changes: list[Change] = []
    a, b = _data(first), _data(second)
    seen_a, seen_b = a.pop("observations", []), b.pop("observations", [])
    _walk(a, b, (), "", changes)
    changes += _observations(first, second, seen_a, seen_b)
    return changes


def _observations(
    first: Scenario, second: Scenario, a: list[dict[str, Any]], b: list[dict[str, Any]]
) -> list[Change]:
    """Observations have no ids: each is named by what it says ("us_strikes on 2025-06-01"), so
    that adding a sighting to a log reads as one added observation, not a changed list."""
    before: dict[str, list[int]] = {}
    for index, observation in enumerate(first.observations):
        before.setdefault(observation.describe(), []).append(index)
    changes = []
    for index, observation in enumerate(second.observations):
        said = observation.describe()
        name = f"observations[{said}]"
        if not before.get(said):
            changes.append(Change(name, "added", None, said, ("observations", index)))
            continue
        earlier = before[said].pop(0)
        if a[earlier] != b[index]:  # the same sighting, other details (evidence, publication)
            fields = [k for k in {**a[earlier], **b[index]} if a[earlier].get(k) != b[index].get(k)]
            was, now = ({k: side.get(k) for k in fields} for side in (a[earlier], b[index]))
            changes.append(Change(name, "changed", was, now, ("observations", earlier)))
    for said, left in before.items():
        changes += [
            Change(f"observations[{said}]", "removed", said, None, ("observations", index))
            for index in left
        ]
    return changes


def _name(prefix: str, part: str) -> str:
    return part if not prefix else f"{prefix}.{part}"


def _walk(a: Any, b: Any, location: tuple[Key, ...], name: str, out: list[Change]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*b, *(k for k in a if k not in b)]:
            child = _name(name, str(key))
            if key not in a:
                out.append(Change(child, "added", None, b[key], (*location, key)))
            elif key not in b:
                out.append(Change(child, "removed", a[key], None, (*location, key)))
            else:
                _walk(a[key], b[key], (*location, key), child, out)
        return
    if isinstance(a, list) and isinstance(b, list):
        identified = all(isinstance(item, dict) and "id" in item for item in [*a, *b])
        if identified:
            positions = {item["id"]: index for index, item in enumerate(a)}
            seen = set()
            for item in b:
                child = _name(name, str(item["id"]))
                if item["id"] in positions:
                    index = positions[item["id"]]
                    _walk(a[index], item, (*location, index), child, out)
                else:
                    out.append(Change(child, "added", None, item, (*location, item["id"])))
                seen.add(item["id"])
            for item in a:
                if item["id"] not in seen:
                    out.append(
                        Change(_name(name, str(item["id"])), "removed", item, None, location)
                    )
            return
        if len(a) == len(b):
            for index, (left, right) in enumerate(zip(a, b, strict=True)):
                _walk(left, right, (*location, index), f"{name}[{index}]", out)
            return
    if a != b:
        out.append(Change(name, "changed", a, b, location))


def with_change(scenario: Scenario, *changes: Change) -> Scenario | None:
    """The scenario with these changes applied, and no others (None for an added or removed
    part, which cannot be applied alone, or for a change that is valid only with others: a
    condition that reads an event the first version lacks)."""
    if not changes or any(change.kind != "changed" for change in changes):
        return None
    data = scenario.model_dump(mode="json", exclude_none=True)
    for change in changes:
        target: Any = data
        for key in change.location[:-1]:
            target = target[key]
        target[change.location[-1]] = change.after
    try:
        changed = Scenario.model_validate(data)
    except ValueError:
        return None
    return None if check_scenario(changed) else changed
