"""Speed and memory of the crisis simulation; prints one JSON document.

Run: python benchmarks/dynamics.py > benchmarks/dynamics.latest.json. The case: the built-in
scenario at the default design (200,000 runs = 5,000 parameter samples × 40 runs, 13 months to
reach the questions' deadline, the bargaining coupled inside the runs) and at a million runs, on
one process and on two worker processes. Each is timed twice, after a small simulation has
loaded what every simulation loads (scipy's distributions); the faster is reported (the
machine's other load moves single timings by ±15%). ``loops`` says which monthly updates ran:
numpy below ``COMPILED_FROM`` run-months, compiled loops from there; loading the compiled loops
the first time in a process is timed apart (``compiled_loops_load_seconds``), as it is paid
once per process, not per simulation (benchmarks/startup.py times whole commands).
"""

from __future__ import annotations

import json
import os
import resource
import time

from tightrope import limits
from tightrope.dynamics import loops
from tightrope.dynamics.engine import Design, simulate
from tightrope.dynamics.model import compile_scenario
from tightrope.dynamics.results import summarise
from tightrope.scenario.builtin import load_builtin

REPEATS = 2


def main() -> None:
    scenario = load_builtin("iraq-2025")
    report: dict[str, object] = {"machine": {"cores": os.cpu_count()}}
    simulate(scenario, Design.for_runs(1_000, seed=0))
    cases = [
        (limits.DEFAULT_RUNS, 1, ""),
        (limits.DEFAULT_RUNS, 2, ""),
        (1_000_000, 1, "_1M_runs"),
        (1_000_000, 2, "_1M_runs"),
    ]
    for runs, workers, suffix in cases:
        design = Design.for_runs(runs, seed=0)
        run_months = design.total_runs * compile_scenario(scenario).months
        if run_months >= loops.COMPILED_FROM and "compiled_loops_load_seconds" not in report:
            start = time.perf_counter()
            loops.choose(run_months)
            report["compiled_loops_load_seconds"] = round(time.perf_counter() - start, 3)
        best: dict[str, float] = {}
        for _ in range(REPEATS):
            start = time.perf_counter()
            model, record = simulate(scenario, design, workers=workers)
            simulated = time.perf_counter() - start
            summarise(model, record)
            total = time.perf_counter() - start
            if not best or simulated < best["simulate"]:
                best = {"simulate": simulated, "total": total}
        report[f"workers_{workers}{suffix}"] = {
            "runs": design.total_runs,
            "months": model.months,
            "loops": "compiled" if run_months >= loops.COMPILED_FROM else "numpy",
            "simulate_seconds": round(best["simulate"], 3),
            "with_summary_seconds": round(best["total"], 3),
            "run_months_per_second": round(run_months / best["simulate"]),
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
