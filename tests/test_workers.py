"""Worker processes never outlive the command that started them: killed from outside (SIGTERM
from a job scheduler or ``timeout``, SIGKILL), the parent cannot shut its pool down, and its
workers, which hold both ends of the pool's task queue, used to wait for work forever."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest


def _gone_within(processes: list[psutil.Process], seconds: float) -> bool:
    _, alive = psutil.wait_procs(processes, timeout=seconds)
    for process in alive:  # leave nothing behind, whatever the outcome
        process.kill()
    return not alive


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_a_simulation_killed_from_outside_leaves_no_worker_behind(how: signal.Signals) -> None:
    command = [sys.executable, "-m", "tightrope", "simulate", "--runs", "3000000", "--workers"]
    parent = subprocess.Popen([*command, "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        workers: list[psutil.Process] = []
        while len(workers) < 2 and time.monotonic() < deadline and parent.poll() is None:
            time.sleep(0.1)
            workers = psutil.Process(parent.pid).children()
        assert len(workers) == 2, "the simulation did not start its two workers"
        parent.send_signal(how)
        parent.wait(30)
        assert _gone_within(workers, 10), "a worker outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()


def test_a_stopped_server_leaves_no_worker_behind(tmp_path: Path) -> None:
    """uvicorn shuts down gracefully on SIGTERM, then re-raises it, so the pool's own shutdown
    never finishes: the workers must notice on their own."""
    import httpx

    from tests.server.loadgen import start_server

    server, url = start_server(tmp_path)
    try:
        reply = httpx.post(url + "/api/scenarios/iraq-2025/simulate", json={"runs": 2000})
        assert reply.status_code == 200
        workers = [
            child
            for child in psutil.Process(server.pid).children()
            if "resource_tracker" not in " ".join(child.cmdline())
        ]
        assert workers, "the simulation ran in no worker process"
        server.terminate()
        server.wait(30)
        assert _gone_within(workers, 10), "a worker outlived the server"
    finally:
        if server.poll() is None:
            server.kill()
