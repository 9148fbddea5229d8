"""Run the console entry point in a child process with capped memory and CPU time.

Children are forked from a fork server that has imported tightrope already, so each run starts in
milliseconds, and from a process that has run nothing (forking the test process itself could
copy thread pools whose threads do not survive the fork).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

MEMORY_LIMIT = 6 * 1024**3  # address space: tightrope's own budget is 4 GiB
CPU_SECONDS = 60
WALL_SECONDS = 90

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["tightrope.cli"])


@dataclass(frozen=True)
class Outcome:
    code: int | None  # None: killed (time limit, or a signal such as SIGXCPU)
    stdout: str
    stderr: str


def _child(args: list[str], folder: str) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    os.chdir(folder)
    for descriptor, name in ((1, "stdout"), (2, "stderr")):
        handle = os.open(os.path.join(folder, f".{name}"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(handle, descriptor)
        os.close(handle)
    os.environ["COLUMNS"] = "120"
    code = 0
    try:
        from tightrope.cli import run

        run(args)
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else 1
    except BaseException:
        traceback.print_exc()
        code = 70
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_capped(args: list[str], folder: Path) -> Outcome:
    """``tightrope ARGS`` run in ``folder`` under the caps."""
    process = _CONTEXT.Process(target=_child, args=(args, str(folder)))
    process.start()
    process.join(WALL_SECONDS)
    if process.is_alive():
        process.kill()
        process.join()
        code = None
    else:
        code = process.exitcode if process.exitcode is not None and process.exitcode >= 0 else None
    read = lambda name: (folder / f".{name}").read_text(errors="replace")  # noqa: E731
    return Outcome(code, read("stdout"), read("stderr"))
