"""Pools of worker processes that do not outlive the process that started them.

A pool's workers hold both ends of its task queue, so they never see the queue close: when the
parent dies without shutting its pool down (SIGTERM from a job scheduler or ``timeout``, SIGKILL,
a closed terminal; uvicorn also re-raises SIGTERM after its graceful shutdown), they would wait
for work forever, each holding its memory. Each worker therefore watches its parent and exits
when it is gone.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext

PARENT_CHECK_SECONDS = 0.5


def _follow_parent(parent: int) -> None:
    """A pool initializer: end this worker once ``parent`` is no longer its parent process."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)  # no clean-up to run: the results have nowhere to go

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def process_pool(workers: int, context: BaseContext | None = None) -> ProcessPoolExecutor:
    """A ProcessPoolExecutor whose workers exit when this process does, however it ends."""
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_follow_parent, initargs=(os.getpid(),)
    )
