"""A `tightrope serve` process on loopback, and a bounded load on it: clients in threads, each
sending one kind of request for a fixed time; latencies by kind (used by
tests/server/test_load.py, benchmarks/serve.py and scripts/screenshots.py)."""

from __future__ import annotations

import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`tightrope serve` on a free loopback port, its data folder and registry in ``folder``,
    and its URL, once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    command = ["tightrope", "serve", "--port", str(port), "--data", str(folder / "data")]
    command += ["--db", str(folder / "registry.sqlite")]
    server = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(url + "/api/scenarios", timeout=1).raise_for_status()
            return server, url
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.05)


@contextmanager
def server_process() -> Iterator[str]:
    """A started server (:func:`start_server`) in a temporary folder, stopped and the folder
    removed on leaving; yields its URL."""
    with tempfile.TemporaryDirectory(prefix="tightrope-serve-") as folder:
        server, url = start_server(Path(folder))
        try:
            yield url
        finally:
            server.terminate()
            server.wait(30)


WHAT_IF = {"runs": 20_000, "seed": 0, "force": [{"event": "us_casualties", "month": 2}]}


def load(url: str, page_clients: int, what_if_clients: int, seconds: float) -> dict[str, Any]:
    """``page_clients`` clients fetch the cached forecast page and ``what_if_clients`` post the
    20,000-run what-if, each as fast as answers come, for ``seconds``."""
    kinds: dict[str, list[float]] = {"page": [], "what_if": []}
    errors: list[str] = []
    lock = threading.Lock()
    with httpx.Client(timeout=120) as warm:  # the page is cached before the clock starts
        warm.get(url + "/scenarios/iraq-2025").raise_for_status()
    stop = time.monotonic() + seconds

    def client(kind: str) -> None:
        with httpx.Client(timeout=120) as session:
            while time.monotonic() < stop:
                started = time.perf_counter()
                try:
                    if kind == "page":
                        response = session.get(url + "/scenarios/iraq-2025")
                    else:
                        response = session.post(
                            url + "/api/scenarios/iraq-2025/simulate", json=WHAT_IF
                        )
                    ok = response.status_code == 200
                except httpx.HTTPError as error:
                    ok, response = False, error  # type: ignore[assignment]
                elapsed = time.perf_counter() - started
                with lock:
                    if ok:
                        kinds[kind].append(elapsed)
                    else:
                        errors.append(f"{kind}: {response}")

    threads = [threading.Thread(target=client, args=("page",)) for _ in range(page_clients)]
    threads += [threading.Thread(target=client, args=("what_if",)) for _ in range(what_if_clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "clients": page_clients + what_if_clients,
        "seconds": seconds,
        "errors": len(errors),
        "first_errors": errors[:3],
        **{kind: summary(latencies) for kind, latencies in kinds.items()},
    }


def summary(latencies: list[float]) -> dict[str, Any]:
    if not latencies:
        return {"requests": 0}
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "median_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[int(0.95 * (len(ordered) - 1))], 1),
        "max_ms": round(1000 * ordered[-1], 1),
    }
