"""Cost of the coupled bargaining inside the runs; prints one JSON document
(run: python benchmarks/coupling.py > benchmarks/coupling.latest.json).

100,000 runs × 12 months of the built-in case with its coupling (every run re-solves the
compromise of three issues each month) against the same case without it (target: at most 2×).
"""

from __future__ import annotations

import json
import time

from tightrope.dynamics.engine import Design, simulate
from tightrope.scenario.builtin import load_builtin
from tightrope.scenario.schema import Scenario


def best_of(count: int, scenario: Scenario, design: Design) -> float:
    best = float("inf")
    for _ in range(count):
        start = time.perf_counter()
        simulate(scenario, design)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    coupled = load_builtin("iraq-2025")
    plain = coupled.uncoupled()
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
