"""What a user waits for: whole `tightrope` processes, start-up included; prints one JSON
document (run: python benchmarks/startup.py > benchmarks/startup.latest.json).

Each light command runs 10 times in a fresh process, each heavy one 5 times (round-robin);
the median is reported. Targets (issue 9):
`tightrope --version` and `tightrope validate` of the built-in file under 0.3 s.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUILTIN = Path(__file__).resolve().parent.parent / "src/tightrope/scenario/builtin/iraq-2025.yaml"
KTAB_100 = "ktab-100-actors.csv"


def ktab_file(folder: Path, actors: int) -> Path:
    """A KTAB CSV with fixed inputs (KTAB files have no ranges)."""
    import numpy as np

    rng = np.random.default_rng(0)
    rows = [f"Bench; scen 1,Scenario-0001; {actors} actors, {actors}, 1, "]
    rows.append("Actor,Description,Influence,P Position,P Salience, ")
    rows += [
        f"A{i},Actor {i},{rng.uniform(1, 100):.1f},{rng.uniform(0, 100):.0f},"
        f"{rng.uniform(20, 100):.0f}, "
        for i in range(actors)
    ]
    path = folder / KTAB_100
    path.write_text("\n".join(rows) + "\n")
    return path


def median_seconds(command: list[str], repeat: int, folder: Path) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=folder, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3)


def main() -> None:
    exe = shutil.which("tightrope") or sys.exit("install tightrope first (pip install .)")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        ktab = ktab_file(folder, 100)
        light = {
            "version": [exe, "--version"],
            "help": [exe, "--help"],
            "validate_builtin": [exe, "validate", str(BUILTIN)],
            "show_builtin": [exe, "show"],
        }
        report: dict[str, object] = {
            "machine": {
                "cores": os.cpu_count(),
                "python": platform.python_version(),
                "processor": platform.machine(),
            },
            "median_seconds_of_10": {
                key: median_seconds(command, 10, folder) for key, command in light.items()
            },
        }
        heavy = {
            "bargain_ktab_100_actors_default_flags": [exe, "bargain", str(ktab), "-m", "smp"],
            "bargain_ktab_100_actors_samples_0": [
                exe,
                "bargain",
                str(ktab),
                "-m",
                "smp",
                "--samples",
                "0",
            ],
            "simulate_100000_runs": [exe, "simulate", "--runs", "100000"],
        }
        # Round-robin, so that a drift in the shared machine's load does not fall on one command.
        times: dict[str, list[float]] = {key: [] for key in heavy}
        for _ in range(5):
            for key, command in heavy.items():
                times[key].append(median_seconds(command, 1, folder))
        report["median_seconds_of_5"] = {
            key: round(statistics.median(values), 3) for key, values in times.items()
        }
    timings = report["median_seconds_of_5"]
    assert isinstance(timings, dict)
    report["bargain_default_over_samples_0"] = round(
        timings["bargain_ktab_100_actors_default_flags"]
        / timings["bargain_ktab_100_actors_samples_0"],
        2,
    )
    report["targets"] = {
        "version_seconds": 0.3,
        "validate_builtin_seconds": 0.3,
        "bargain_default_over_samples_0": 1.2,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
