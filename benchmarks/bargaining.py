"""Speed of the bargaining engine; prints one JSON document (run: python benchmarks/bargaining.py).

Cases: SMP to convergence with 100 and 200 actors on one dimension, the EUM with 200 actors for 10
rounds, 1,000 uncertainty samples of the built-in scenario (all models, all issues), KTAB's own
reference inputs against KTAB's recorded run times, how cost grows with the number of actors
(the exponent of a power law fitted to the timings), and a forecast's 500 bargaining samples
of scenarios of 12 to 60 actors, compiled and in numpy: the SMP's O(N³) steps (where the
compiled loops begin to pay) and the EUM's vote sums by sorting (used from 24 actors).
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from tightrope.bargaining import MODELS, IssueData, make_model
from tightrope.bargaining.uncertainty import forecast_distributions
from tightrope.scenario.builtin import load_builtin
from tightrope.scenario.tables import read_table

KTAB = Path(__file__).resolve().parent.parent / "tests" / "data" / "ktab"


def random_issue(count: int, seed: int = 0) -> IssueData:
    rng = np.random.default_rng(seed)
    return IssueData(
        tuple(f"a{i}" for i in range(count)),
        rng.uniform(0, 100, (count, 1)),
        rng.uniform(0.2, 1.0, (count, 1)),
        rng.uniform(1, 100, count),
    )


def dominant_issue(count: int, seed: int = 0) -> IssueData:
    """KTAB-style input: a few dominant actors (Pareto capabilities), positions on round
    numbers."""
    rng = np.random.default_rng(seed)
    return IssueData(
        tuple(f"a{i}" for i in range(count)),
        rng.choice([0.0, 10, 25, 50, 75, 90, 100], (count, 1)),
        rng.uniform(0.1, 1.0, (count, 1)),
        rng.pareto(1.2, count) * 10 + 1,
    )


def polarised_issue(count: int, seed: int = 0, dimensions: int = 1) -> IssueData:
    """Two camps at 0 and 100 on each dimension: the SMP often runs to its 100-turn limit
    without converging, the slowest case there is (more so on several dimensions, as KTAB
    inputs often have; each actor's saliences then add up to at most 1)."""
    rng = np.random.default_rng(seed)
    shares = rng.dirichlet(np.ones(dimensions), count)
    return IssueData(
        tuple(f"a{i}" for i in range(count)),
        rng.choice([0.0, 100.0], (count, dimensions)),
        shares * rng.uniform(0.05, 1.0, (count, 1)),
        rng.uniform(1, 100, count),
        tuple(f"d{k}" for k in range(dimensions)),
    )


def polarised_3d_issue(count: int, seed: int = 0) -> IssueData:
    return polarised_issue(count, seed, dimensions=3)


def smp_300_vs_200() -> dict[str, Any]:
    """The SMP at 300 actors against 200 (issue 8: at most (300/200)^3 = 3.4 times the time).

    Per turn the work is O(N^3) in compiled loops; the number of turns to convergence depends
    on the input (up to the 100-turn limit), so both totals and per-turn costs are reported."""
    cases = []
    for name, make in (("uniform", random_issue), ("dominant", dominant_issue)):
        for seed in (0, 1):
            row: dict[str, Any] = {"input": name, "seed": seed}
            for count in (200, 300):
                seconds, result = timed(
                    lambda make=make, count=count, seed=seed: make_model("smp").solve(
                        make(count, seed)
                    ),
                    1,
                )
                row[f"seconds_{count}"] = round(seconds, 2)
                row[f"turns_{count}"] = result.rounds
                row[f"seconds_per_turn_{count}"] = round(seconds / result.rounds, 4)
            row["ratio_total"] = round(row["seconds_300"] / row["seconds_200"], 2)
            row["ratio_per_turn"] = round(
                row["seconds_per_turn_300"] / row["seconds_per_turn_200"], 2
            )
            cases.append(row)
    return {
        "cases": cases,
        "bound": round(1.5**3, 3),
        "worst_ratio_per_turn": max(case["ratio_per_turn"] for case in cases),
        "worst_ratio_total": max(case["ratio_total"] for case in cases),
    }


def timed(function: Any, repeat: int = 3) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - start)
    return best, value


def smp(count: int, repeat: int = 3, make: Any = random_issue, seed: int = 0) -> dict[str, Any]:
    issue = make(count, seed)
    seconds, result = timed(lambda: make_model("smp").solve(issue), repeat)
    return {
        "actors": count,
        "seconds": round(seconds, 4),
        "turns": result.rounds,
        "converged": result.converged,
        "seconds_per_turn": round(seconds / result.rounds, 5),
    }


def eum(count: int, repeat: int = 3) -> dict[str, Any]:
    issue = random_issue(count)
    seconds, _ = timed(lambda: make_model("eum", rounds=10).solve(issue), repeat)
    return {"actors": count, "rounds": 10, "seconds": round(seconds, 4)}


def exponent(points: list[dict[str, Any]], key: str) -> float:
    sizes = np.log([point["actors"] for point in points])
    costs = np.log([point[key] for point in points])
    return round(float(np.polyfit(sizes, costs, 1)[0]), 2)


def ktab_extrapolation(ktab: list[dict[str, Any]], scaling: list[dict[str, Any]]) -> dict[str, Any]:
    """KTAB's time for 100 actors, extrapolated as N^4 per turn from its largest recorded run.

    KTAB is not run here (it is C++ and not installed); its recorded times on a 2-core machine are
    in tests/data/ktab. Turns are taken from our own 100-actor run.
    """
    largest = max(ktab, key=lambda case: case["actors"])
    turns = largest["ktab_turns"]
    per_turn = largest["ktab_seconds"] / turns * (100 / largest["actors"]) ** 4
    ours = next(point for point in scaling if point["actors"] == 100)
    estimate = per_turn * ours["turns"]
    return {
        "ktab_estimated_seconds": round(estimate, 1),
        "tightrope_seconds": ours["seconds"],
        "speedup_estimate": round(estimate / ours["seconds"]),
        "basis": f"{largest['input']} ({largest['actors']} actors, {turns} turns) scaled by N^4",
    }


def smp_many_inputs(count: int = 100, seeds: int = 60) -> dict[str, Any]:
    """Issue 15's "any input": the SMP on many 100-actor inputs of four kinds (best of two
    runs each). The compiled O(N³) loops do the same work whatever the positions, so the cost
    per turn varies little (more dimensions cost more); the number of turns varies, up to the
    100-turn limit, which polarised inputs often reach."""
    kinds = {
        "uniform": random_issue,
        "dominant": dominant_issue,
        "polarised": polarised_issue,
        "polarised, 3 dimensions": polarised_3d_issue,
    }
    cases = {
        name: [smp(count, 2, make, seed) for seed in range(seeds)] for name, make in kinds.items()
    }
    every = [case for group in cases.values() for case in group]
    per_turn = sorted(case["seconds_per_turn"] for case in every)
    return {
        "inputs": len(every),
        "worst_seconds": max(case["seconds"] for case in every),
        "worst_seconds_by_kind": {
            name: max(case["seconds"] for case in group) for name, group in cases.items()
        },
        "most_turns": max(case["turns"] for case in every),
        "median_seconds_per_turn": per_turn[len(per_turn) // 2],
        "worst_seconds_per_turn": per_turn[-1],
        "at_turn_limit": sum(case["turns"] == 100 for case in every),
    }


def sampled(model: str, count: int = 30, samples: int = 500) -> dict[str, Any]:
    """A forecast's bargaining samples of one scenario with ``count`` actors on two issues whose
    positions are elicited ranges: the model's seconds with its compiled loops and in numpy
    (the SMP's O(N³) steps, the EUM's vote sums by sorting), each once loaded (the loops'
    loading, about 0.25 s a process, comes on top)."""
    from tightrope.bargaining import base, smp
    from tightrope.scenario.schema import Scenario

    rng = np.random.default_rng(0)
    actors = [f"a{index}" for index in range(count)]
    data = {
        "id": "sampled",
        "title": "Sampled",
        "as_of": "2025-01-01",
        "horizon_months": 1,
        "actors": [
            {"id": actor, "name": actor, "kind": "state", "capability": float(rng.uniform(1, 50))}
            for actor in actors
        ],
        "issues": [
            {"id": issue, "label": issue, "low_meaning": "0", "high_meaning": "100"}
            for issue in ("p", "q")
        ],
        "positions": {
            issue: {
                actor: {
                    "position": {
                        "low": int(low),
                        "high": int(low) + 20,
                        "dist": "uniform",
                        "judgment": True,
                    },
                    "salience": float(rng.uniform(0.2, 1.0)),
                }
                for actor, low in zip(actors, rng.choice([0, 20, 40, 60, 80], count), strict=True)
            }
            for issue in ("p", "q")
        },
    }
    scenario = Scenario.model_validate(data)
    issues = [["p"], ["q"]]
    module, name, ways = {
        "smp": (smp, "_COMPILED_FROM", (("compiled", 2), ("numpy", count + 1))),
        "eum": (base, "_COMPILED_WORK", (("compiled", 0), ("numpy", 10**18))),
    }[model]
    seconds = {}
    threshold = getattr(module, name)
    try:
        for way, value in ways:
            setattr(module, name, value)
            forecast_distributions(scenario, [make_model(model)], issues, 2, seed=0)  # loads
            seconds[way], _ = timed(
                lambda: forecast_distributions(
                    scenario, [make_model(model)], issues, samples, seed=0
                ),
                1,
            )
    finally:
        setattr(module, name, threshold)
    return {
        "actors": count,
        "issues": 2,
        "samples": samples,
        "compiled_seconds": round(seconds["compiled"], 2),
        "numpy_seconds": round(seconds["numpy"], 2),
    }


def main() -> None:
    scenario = load_builtin("iraq-2025")
    issues = [[issue.id] for issue in scenario.issues]
    models = [make_model(name) for name in MODELS]
    uncertainty, _ = timed(
        lambda: forecast_distributions(scenario, models, issues, 1000, seed=0), repeat=1
    )
    ktab = []
    for reference in sorted(KTAB.glob("*.ktab.json")):
        recorded = json.loads(reference.read_text())
        table = read_table((KTAB / recorded["input"]).read_bytes(), recorded["input"])
        ids = [actor.id for actor in table.actors]
        issue = IssueData(
            tuple(ids),
            np.array(
                [[table.positions[i.id][a].position.estimate for i in table.issues] for a in ids]
            ),
            np.array(
                [[table.positions[i.id][a].salience.estimate for i in table.issues] for a in ids]
            ),
            np.array([table.actor(a).capability.estimate for a in ids]),
            tuple(i.id for i in table.issues),
        )
        seconds, _ = timed(lambda issue=issue: make_model("smp").solve(issue))
        ktab.append(
            {
                "input": recorded["input"],
                "actors": len(ids),
                "dimensions": len(table.issues),
                "seconds": round(seconds, 4),
                "ktab_seconds": recorded["ktab_seconds"],
                "ktab_turns": recorded["num_turns"],
                "speedup": round(recorded["ktab_seconds"] / seconds, 1),
            }
        )
    # Issue 15: the cost per turn and the number of turns vary with the input, so time several,
    # uniform and KTAB-style (a few dominant actors, positions on round numbers).
    smp_inputs = [
        {"input": name, "seed": seed, **smp(100, 3, make, seed)}
        for name, make in (
            ("uniform", random_issue),
            ("dominant", dominant_issue),
            ("polarised", polarised_issue),
            ("polarised, 3 dimensions", polarised_3d_issue),
        )
        for seed in range(4)
    ]
    smp_scaling = [smp(count, 1) for count in (25, 50, 100, 200)]
    eum_scaling = [eum(count, 1) for count in (25, 50, 100, 200)]
    report = {
        "machine": {
            "python": platform.python_version(),
            "processor": platform.machine(),
            "cores": os.cpu_count(),
            "numpy": np.__version__,
        },
        "smp_100_actors_1d": smp(100),
        "smp_100_actors_inputs": smp_inputs,
        "smp_100_actors_worst_seconds": max(case["seconds"] for case in smp_inputs),
        "smp_100_actors_240_inputs": smp_many_inputs(),
        "smp_200_actors_1d": smp(200, 1),
        "eum_200_actors_10_rounds": eum(200),
        "uncertainty_1000_samples_builtin": {
            "samples": 1000,
            "models": len(models),
            "issues": len(issues),
            "seconds": round(uncertainty, 3),
        },
        "ktab_reference_inputs": ktab,
        "scaling": {
            "smp": smp_scaling,
            "smp_exponent_per_turn": exponent(smp_scaling, "seconds_per_turn"),
            "eum": eum_scaling,
            "eum_exponent": exponent(eum_scaling, "seconds"),
            "ktab_cost_per_turn_grows_as": "about N^4 (perspective × actor × pair loops)",
        },
        "smp_100_actors_vs_ktab": ktab_extrapolation(ktab, smp_scaling),
        "smp_300_vs_200_actors": smp_300_vs_200(),
        "smp_500_samples": [sampled("smp", count) for count in (12, 16, 30)],
        "eum_500_samples": [sampled("eum", count) for count in (24, 30, 60)],
        "targets": {
            "smp_100_actors_seconds": 1.0,
            "smp_100_actors_any_input_seconds_issue_15": 0.3,
            "eum_200_actors_seconds": 1.0,
            "eum_200_actors_seconds_issue_15": 0.2,
            "uncertainty_1000_samples_seconds": 10.0,
        },
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
