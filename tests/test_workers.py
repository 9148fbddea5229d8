"""Commands stopped from outside (SIGTERM from a job scheduler or ``timeout``, SIGKILL) leave
nothing behind: no worker process (a pool's workers hold both ends of its task queue and used to
wait for work forever once their parent was gone), no registry or output half written, and a
SIGTERM ends a command at once rather than after the task in hand."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest


def _gone_within(processes: list[psutil.Process], seconds: float) -> bool:
    _, alive = psutil.wait_procs(processes, timeout=seconds)
    for process in alive:  # leave nothing behind, whatever the outcome
        process.kill()
    return not alive


def _two_workers(parent: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """The command's two worker processes, once it has started them."""
    deadline = time.monotonic() + 60
    workers: list[psutil.Process] = []
    while len(workers) < 2 and time.monotonic() < deadline and parent.poll() is None:
        time.sleep(0.1)
        workers = psutil.Process(parent.pid).children()
    assert len(workers) == 2, "the command did not start its two workers"
    return workers


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_a_simulation_killed_from_outside_leaves_no_worker_behind(how: signal.Signals) -> None:
    command = [sys.executable, "-m", "tightrope", "simulate", "--runs", "3000000", "--workers"]
    parent = subprocess.Popen([*command, "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers = _two_workers(parent)
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


@pytest.mark.parametrize(
    "command",
    [
        ["simulate", "--runs", "3000000"],
        # Tasks of several seconds each: the main thread used to hear the signal only once the
        # task it waited for ended, and the workers then took on the next ones.
        ["explore", "--design", "lhs", "--samples", "400", "--runs", "20000", "--out", "x"],
    ],
    ids=["simulate", "explore"],
)
def test_sigterm_ends_a_command_with_workers_at_once(command: list[str], tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-m", "tightrope", *command, "--workers", "2"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        workers = _two_workers(parent)
        time.sleep(1.0)  # into the first tasks
        parent.terminate()
        started = time.monotonic()
        parent.wait(30)
        assert time.monotonic() - started < 5, "the command went on after SIGTERM"
        assert parent.returncode == 128 + signal.SIGTERM
        assert _gone_within(workers, 10)
        assert not (tmp_path / "x").exists()  # explore writes all or nothing
    finally:
        if parent.poll() is None:
            parent.kill()


INTERRUPTED_WHILE_WRITING = """
import os, signal, sys
import tightrope.report.html as html
from tightrope.cli import run

render = html.render_report


def render_then_stop(*args, **kwargs):
    page = render(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGTERM)  # the registry's transaction is open, files staged
    return page


html.render_report = render_then_stop
run(sys.argv[1:])
"""


def test_sigterm_while_recording_leaves_no_registry_and_no_output(tmp_path: Path) -> None:
    db, out = tmp_path / "registry.sqlite", tmp_path / "out"
    args = ["forecast", "--runs", "2000", "--record", "--db", str(db), "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_WHILE_WRITING, *args], capture_output=True, timeout=120
    )
    assert done.returncode == 128 + signal.SIGTERM, done.stderr[-500:]
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_ctrl_c_says_so_in_one_line_and_exits_130() -> None:
    command = [sys.executable, "-m", "tightrope", "simulate", "--runs", "3000000"]
    parent = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(2)  # well into the simulation
    parent.send_signal(signal.SIGINT)
    out, err = parent.communicate(timeout=30)
    assert parent.returncode == 130
    assert err.decode() == "tightrope: interrupted\n"
    assert out == b""


def _square_dying_once(task: tuple[int, str]) -> int:
    """Task 3 kills its worker the first time it runs (a marker file remembers it did)."""
    number, marker = task
    if number == 3 and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    return number * number


def _always_dying(_: int) -> int:
    os._exit(1)


def test_a_worker_that_dies_costs_a_fresh_pool_not_the_work(tmp_path: Path) -> None:
    from tightrope.workers import run_all

    marker = str(tmp_path / "died")
    tasks = [(number, marker) for number in range(8)]
    heard: list[tuple[int, int]] = []
    results = run_all(
        2, _square_dying_once, tasks, lambda task, result: heard.append((task[0], result))
    )
    assert os.path.exists(marker)  # task 3 did kill its worker once
    assert results == [n * n for n in range(8)]
    assert heard == [(n, n * n) for n in range(8)]  # each result heard once, in order


def test_workers_that_keep_dying_end_in_one_clear_error() -> None:
    from tightrope.workers import RESTARTS, WorkersDied, run_all

    with pytest.raises(WorkersDied, match=f"died {RESTARTS + 1} times"):
        run_all(2, _always_dying, [1, 2, 3])


@pytest.mark.parametrize(
    "command",
    [
        ["simulate", "--runs", "1000000", "--drivers", "none"],
        ["explore", "--design", "lhs", "--samples", "60", "--runs", "20000"],
    ],
    ids=["simulate", "explore"],
)
def test_a_worker_killed_mid_run_changes_no_result(command: list[str], tmp_path: Path) -> None:
    """The kernel's out-of-memory killer, say: the command used to end in a traceback."""

    def run(folder: str, kill: bool) -> dict[str, Any]:
        args = [*command, "--workers", "2", "--seed", "5", "--format", "json"]
        if command[0] == "explore":
            args += ["--out", folder]
        parent = subprocess.Popen(
            [sys.executable, "-m", "tightrope", *args],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        if kill:
            _two_workers(parent)[0].kill()
        out, err = parent.communicate(timeout=300)
        assert parent.returncode == 0, err.decode()[-500:]
        document: dict[str, Any] = json.loads(out)
        return document

    clean, killed = run("clean", False), run("killed", True)
    if command[0] == "simulate":
        assert killed["questions"] == clean["questions"]
    else:
        import pandas as pd

        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "killed" / "experiments.parquet"),
            pd.read_parquet(tmp_path / "clean" / "experiments.parquet"),
            check_exact=True,
        )
