"""Do the listed drivers hold up? Prints one JSON document
(run: python benchmarks/drivers.py > benchmarks/drivers.latest.json).

Twelve seeds of the built-in case at the default design (issue 11): for every question, each
parameter ever listed as a driver with the number of seeds that list it (target: at least 10 of
12), and how many listed parameters have no path to their question (target: none). The same for
eleven further blocks of twelve seeds (12–143): the rule's thresholds (results.BREAK_Z and
LEADING_SHARE) were chosen by their stability over seeds 0–47, so seeds 48–143 are the check they
were not tuned on.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import tightrope
from tightrope.dynamics.dependencies import reachable_parameters


def block(scenario: Any, reachable: dict[str, set[str]], seeds: range) -> dict[str, Any]:
    seen: dict[str, Counter[str]] = {}
    unreachable = 0
    for seed in seeds:
        drivers = tightrope.simulate(scenario, seed=seed).to_dict()["drivers"]
        for question_id, listed in drivers.items():
            for entry in listed:
                seen.setdefault(question_id, Counter())[entry["parameter"]] += 1
                unreachable += entry["parameter"] not in reachable[question_id]
    counts = {question: dict(counter.most_common()) for question, counter in seen.items()}
    unstable = {
        question: [name for name, count in counter.items() if count < 10]
        for question, counter in counts.items()
    }
    return {
        "seeds": f"{seeds.start}–{seeds.stop - 1}",
        "listed_in_seeds": counts,
        "listed_without_a_path": unreachable,
        "listed_in_fewer_than_10_seeds": {q: names for q, names in unstable.items() if names},
        "drivers_listed": sum(len(counter) for counter in counts.values()),
    }


def main() -> None:
    scenario = tightrope.load("iraq-2025")
    reachable = reachable_parameters(scenario)
    document = block(scenario, reachable, range(12))
    further = [block(scenario, reachable, range(start, start + 12)) for start in range(12, 144, 12)]
    document["further_seeds"] = [
        {
            "seeds": part["seeds"],
            "drivers_listed": part["drivers_listed"],
            "listed_without_a_path": part["listed_without_a_path"],
            "listed_in_fewer_than_10_seeds": part["listed_in_fewer_than_10_seeds"],
        }
        for part in further
    ]
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
