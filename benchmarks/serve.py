"""The workbench as a user meets it: a `tightrope serve` process on loopback; prints one JSON
document (run: python benchmarks/serve.py > benchmarks/serve.latest.json).

- the what-if endpoint, 20,000 runs (US casualties forced in month 2), answered end to end:
  median of 15 sequential requests after one warm-up (target: under 1 s);
- a bounded load: 20 clients for 30 s, 16 on the cached forecast page and 4 on the what-if
  endpoint; errors and latency percentiles by kind (target: p95 under 200 ms for the page).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.server.loadgen import WHAT_IF, load, server_process


def main() -> None:
    started = time.perf_counter()
    with server_process() as url:
        ready = time.perf_counter() - started
        endpoint = url + "/api/scenarios/iraq-2025/simulate"
        httpx.post(endpoint, json=WHAT_IF, timeout=120).raise_for_status()  # workers warm up
        times = []
        for _ in range(15):
            begin = time.perf_counter()
            httpx.post(endpoint, json=WHAT_IF, timeout=120).raise_for_status()
            times.append(time.perf_counter() - begin)
        loaded = load(url, page_clients=16, what_if_clients=4, seconds=30)
    document = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "server_ready_seconds": round(ready, 2),
        "what_if_20000_runs": {
            "median_seconds": round(statistics.median(times), 3),
            "min_seconds": round(min(times), 3),
            "max_seconds": round(max(times), 3),
            "target_seconds": 1.0,
        },
        "load": loaded,
        "page_p95_target_ms": 200,
    }
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
