"""Speed and memory of the crisis simulation; prints one JSON document.

Run: python benchmarks/dynamics.py. The case: the default design on the built-in scenario
(200,000 runs = 5,000 parameter samples × 40 runs, 13 months to reach the questions' deadline,
the bargaining coupled inside the runs), one process, and the same with two workers; and a
million runs on two workers, where the workers' start-up is shared by more runs.
"""

from __future__ import annotations

import json
import os
import resource
import time

from tightrope import limits
from tightrope.dynamics.engine import Design, simulate
from tightrope.dynamics.results import summarise
from tightrope.scenario.builtin import load_builtin


def main() -> None:
    scenario = load_builtin("iraq-2025")
    report: dict[str, object] = {"machine": {"cores": os.cpu_count()}}
    cases = [(limits.DEFAULT_RUNS, 1, ""), (limits.DEFAULT_RUNS, 2, ""), (1_000_000, 2, "_1M_runs")]
    for runs, workers, suffix in cases:
        design = Design.for_runs(runs, seed=0)
        start = time.perf_counter()
        model, record = simulate(scenario, design, workers=workers)
        simulated = time.perf_counter() - start
        summarise(model, record)
        total = time.perf_counter() - start
        run_months = design.total_runs * model.months
        report[f"workers_{workers}{suffix}"] = {
            "runs": design.total_runs,
            "months": model.months,
            "simulate_seconds": round(simulated, 3),
            "with_summary_seconds": round(total, 3),
            "run_months_per_second": round(run_months / simulated),
        }
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report["peak_memory_mb"] = round(peak_mb, 1)
    report["targets"] = {
        "seconds": 5.0,
        "run_months_per_second": 1_000_000,
        "run_months_per_second_issue_15": 10_000_000,
        "memory_mb": 1024,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
