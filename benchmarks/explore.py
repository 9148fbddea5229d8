"""Exploratory modelling at scale; prints one JSON document
(run: python benchmarks/explore.py > benchmarks/explore.latest.json).

A 200-experiment × 1,000-run sweep of the built-in case (2 policies of the oil-revenue lever ×
100 Latin-hypercube points of every uncertain parameter): here on 1 and 2 processes, and on a
`distributed.LocalCluster` of two worker processes; the engine's run-months per second in each.
The results are identical in all three (tests/explore/test_explore.py checks it). A sweep's
experiments are small simulations (1,000 runs each) with their own set-up, so its run-months a
second stay below the engine's (benchmarks/dynamics.py, where issue 15's 10 million applies).
"""

from __future__ import annotations

import json
import os
import platform
import time
from typing import Any

import tightrope

LEVERS = ["oil_restriction=modelled,never"]
SPEC: dict[str, Any] = {"samples": 100, "runs": 1_000, "seed": 0, "design": "lhs"}


def timed(**options: Any) -> dict[str, Any]:
    scenario = tightrope.load("iraq-2025")
    started = time.perf_counter()
    result = tightrope.explore(scenario, LEVERS, **SPEC, **options)
    seconds = time.perf_counter() - started
    months = scenario.horizon_months + 1  # simulated months (to the questions' deadline)
    run_months = result.plan.experiments * SPEC["runs"] * months
    return {
        "experiments": result.plan.experiments,
        "runs": result.plan.experiments * SPEC["runs"],
        "seconds": round(seconds, 2),
        "run_months_per_second": round(run_months / seconds),
    }


def main() -> None:
    from distributed import LocalCluster

    document: dict[str, Any] = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "sweep": "200 experiments × 1,000 runs of iraq-2025",
        "local_1_process": timed(workers=1),
        "local_2_processes": timed(workers=2),
    }
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        timed(scheduler=cluster.scheduler_address)  # the workers import tightrope once
        document["local_cluster_2_workers"] = timed(scheduler=cluster.scheduler_address)
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
