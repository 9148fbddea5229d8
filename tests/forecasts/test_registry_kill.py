"""A registry survives its writer being killed with SIGKILL, again and again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from tightrope.forecasts.registry import Registry

WRITER = """
import datetime as dt, sys
from tightrope.forecasts.registry import QuestionForecast, Registry
registry = Registry(sys.argv[1])
start = int(sys.argv[2])
for seed in range(start, start + 100000):
    registry.record_questions(scenario_id="kill", scenario_hash="h", version="t", seed=seed, runs=1,
        forecast_date=dt.date(2025, 1, 1),
        questions=[QuestionForecast(f"q{k}", "binary", "?", ("no", "yes"), 0.5, None)
                   for k in range(20)])
    print(seed, flush=True)
"""


def test_sigkill_during_writes_loses_nothing_committed(tmp_path: Path) -> None:
    database = tmp_path / "kill.sqlite"
    rng = np.random.default_rng(5)
    committed: set[int] = set()
    for attempt in range(12):
        process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(database), str(attempt * 100000)],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(0.3 + float(rng.uniform(0, 0.4)))
        os.kill(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        committed |= {int(line) for line in output.split()}
    assert len(committed) > 12
    with Registry(database) as registry:
        assert registry.integrity() == "ok"
        stored = {row[0] for row in registry.connection.execute("SELECT seed FROM runs")}
        counts = registry.connection.execute(
            "SELECT COUNT(*) FROM forecasts GROUP BY run_id HAVING COUNT(*) != 20"
        ).fetchall()
    assert committed <= stored
    assert counts == []  # no run was stored half-written
