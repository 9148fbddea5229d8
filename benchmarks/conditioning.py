"""Cost of conditioning on observations; prints one JSON document
(run: python benchmarks/conditioning.py > benchmarks/conditioning.latest.json).

Cases (issue 10): 100,000 runs of the built-in case conditioned on 10 observations against the
same simulation unconditioned (target: at most 2×), and a monthly replay over 12 months at 20,000
runs a step, as a whole process (target: under 60 s). Also the same conditioned simulation with a
what-if after the evidence (US strikes forbidden), which runs the baseline beside it, and the
forecast as of 2025-11-15 on the ten observations at its default 200,000 runs as a whole
process: the report with what changed at each of the ten dates something was seen (no target;
what a user waits for). And a variable that moves by itself (± 10 a month), read at six month
ends at ± 1, at 100,000 runs: the time, and the effective runs its guided steps keep (a step
drawn from its own law left about one).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tightrope.dynamics.analysis import SimulationRequest, run_simulation
from tightrope.dynamics.interventions import Forbid
from tightrope.scenario import parse_scenario
from tightrope.scenario.builtin import load_builtin
from tightrope.scenario.schema import Observation

TEN = [
    ("bank_sanctions", "2025-04-20"),
    ("israel_escalation", "2025-06-13"),
    ("militia_campaign", "2025-06-20"),
    ("us_strikes", "2025-07-05"),
    ("us_casualties", "2025-07-20"),
    ("israel_escalation", "2025-08-10"),
    ("bank_sanctions", "2025-09-02"),
    ("us_strikes", "2025-09-20"),
    ("bank_sanctions", "2025-10-12"),
    ("us_strikes", "2025-11-03"),
]


WALK = """
id: walk
title: Walk
as_of: 2025-01-01
horizon_months: 8
actors: [{id: a, name: A, kind: state, capability: 1}]
state: [{id: x, label: X, initial: 0, monthly_change: {sd: 10}}]
events: [{id: e, label: E, hazard: {per_month: 0.1}}]
observations:
""" + "".join(
    f"  - {{variable: x, date: 2025-{month + 1:02d}-01, value: {value}, sd: 1}}\n"
    for month, value in enumerate([12, 5, -8, 3, 20, 15], start=1)
)


def best_of(count: int, function: object) -> float:
    assert callable(function)
    best = float("inf")
    for _ in range(count):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    scenario = load_builtin("iraq-2025")
    observed = tuple(
        Observation(event=event, date=dt.date.fromisoformat(day)) for event, day in TEN
    )
    conditioned = scenario.model_copy(update={"observations": observed})
    plain = SimulationRequest(runs=100_000, seed=0, drivers="none")
    as_of = SimulationRequest(runs=100_000, seed=0, drivers="none", as_of=dt.date(2025, 11, 15))
    unconditioned_seconds = best_of(3, lambda: run_simulation(scenario, plain))
    conditioned_seconds = best_of(3, lambda: run_simulation(conditioned, as_of))
    whatif = SimulationRequest(
        runs=100_000,
        seed=0,
        drivers="none",
        as_of=dt.date(2025, 11, 15),
        whatif=(Forbid("us_strikes"),),
    )
    whatif_seconds = best_of(3, lambda: run_simulation(conditioned, whatif))
    result = run_simulation(conditioned, as_of).to_dict()["conditioning"]
    walk = parse_scenario(WALK)
    read = SimulationRequest(
        runs=100_000, samples=1, seed=0, drivers="none", as_of=dt.date(2025, 7, 1)
    )
    walk_seconds = best_of(3, lambda: run_simulation(walk, read))
    walked = run_simulation(walk, read).to_dict()["conditioning"]
    exe = shutil.which("tightrope")
    with tempfile.TemporaryDirectory() as folder:
        observations = Path(folder) / "observations.yaml"
        rows = "".join(f"  - {{event: {event}, date: {day}}}\n" for event, day in TEN)
        observations.write_text("observations:\n" + rows)
        command = [
            str(exe),
            "replay",
            "--observations",
            str(observations),
            "--to",
            "2026-02-15",
            "--runs",
            "20000",
            "--db",
            str(Path(folder) / "r.sqlite"),
        ]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        replay_seconds = time.perf_counter() - start
        forecast = [
            str(exe),
            "forecast",
            "--as-of",
            "2025-11-15",
            "--observations",
            str(observations),
            "--out",
            str(Path(folder) / "out"),
        ]
        start = time.perf_counter()
        subprocess.run(forecast, check=True, capture_output=True)
        forecast_seconds = time.perf_counter() - start
    report = {
        "machine": {"cores": os.cpu_count()},
        "simulation_100000_runs": {
            "unconditioned_seconds": round(unconditioned_seconds, 3),
            "conditioned_on_10_observations_seconds": round(conditioned_seconds, 3),
            "ratio": round(conditioned_seconds / unconditioned_seconds, 2),
            "effective_sample_size": round(result["effective_sample_size"]),
            "conditioned_with_a_what_if_seconds": round(whatif_seconds, 3),
        },
        "replay_12_monthly_steps_20000_runs_whole_process_seconds": round(replay_seconds, 2),
        "forecast_on_10_observations_200000_runs_whole_process_seconds": round(forecast_seconds, 2),
        "walk_read_at_6_month_ends_100000_runs": {
            "seconds": round(walk_seconds, 3),
            "effective_sample_size": round(walked["effective_sample_size"]),
        },
        "targets": {"ratio": 2.0, "replay_seconds": 60},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
