"""Cost of the coupled bargaining inside the runs; prints one JSON document
(run: python benchmarks/coupling.py > benchmarks/coupling.latest.json).

100,000 runs × 12 months of the built-in case with its coupling (every run re-solves the
compromise of three issues each month) against the same case without it (target: at most 2×).
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from tightrope.dynamics.engine import Design, simulate
from tightrope.scenario.builtin import load_builtin
from tightrope.scenario.schema import Scenario


def uncoupled(data: dict[str, Any]) -> dict[str, Any]:
    """The scenario without its coupling and everything that moves or reads the bargaining."""
    data = copy.deepcopy(data)
    data.pop("coupling", None)
    for event in data["events"]:
        for group in ("effects", "while_active", "on_end"):
            event[group] = [e for e in event.get(group, []) if "variable" in e]
        event["modifiers"] = [m for m in event.get("modifiers", []) if "when" in m]
    data["questions"] = [q for q in data["questions"] if "issue" not in q]
    return data


def best_of(count: int, scenario: Scenario, design: Design) -> float:
    best = float("inf")
    for _ in range(count):
        start = time.perf_counter()
        simulate(scenario, design)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    coupled = load_builtin("iraq-2025")
    plain = Scenario.model_validate(uncoupled(coupled.model_dump(mode="json", exclude_none=True)))
    design = Design(samples=2500, runs=40, seed=0, months=12)
    simulate(plain, Design(samples=10, runs=10, months=12))  # warm up imports
    plain_seconds = best_of(3, plain, design)
    coupled_seconds = best_of(3, coupled, design)
    document = {
        "runs": design.total_runs,
        "months": 12,
        "uncoupled_seconds": round(plain_seconds, 3),
        "coupled_seconds": round(coupled_seconds, 3),
        "ratio": round(coupled_seconds / plain_seconds, 2),
        "target_ratio": 2.0,
    }
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
