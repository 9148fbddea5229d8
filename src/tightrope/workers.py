"""Pools of worker processes that do not outlive the process that started them, and work that
survives a worker's death.

A pool's workers hold both ends of its task queue, so they never see the queue close: when the
parent dies without shutting its pool down (SIGTERM from a job scheduler or ``timeout``, SIGKILL,
a closed terminal; uvicorn also re-raises SIGTERM after its graceful shutdown), they would wait
for work forever, each holding its memory. Each worker therefore watches its parent and exits
when it is gone.

A worker can also die under its parent (the kernel's out-of-memory killer, a stray ``kill``):
:func:`run_all` then starts a fresh pool and runs again the tasks whose results it has not yet
taken. Every task draws its random numbers from its own seeded streams, so a task run again
gives the same result, and so does the whole.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

from tightrope.errors import TightropeError

PARENT_CHECK_SECONDS = 0.5
WAKE_SECONDS = 0.5
RESTARTS = 3  # fresh pools after a worker died, as many as the Dask path's retries
Result = TypeVar("Result")
Task = TypeVar("Task")


class WorkersDied(TightropeError):
    """Worker processes kept dying: the work could not be finished."""


_shared: Any = None  # what every task of this worker's pool shares (see process_pool)


def shared() -> Any:
    """In a worker process, what its pool was given to share with every task."""
    return _shared


def _start_worker(parent: int, shared: Any) -> None:
    """A pool initializer: keep what the tasks share; end this worker once ``parent`` is no
    longer its parent process, or when it is sent SIGTERM (a forked worker would otherwise
    inherit the command's handler, and the pool would report the SystemExit as the task's
    result and go on to the next task)."""
    global _shared
    _shared = shared
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)  # no clean-up to run: the results have nowhere to go

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def process_pool(
    workers: int, context: BaseContext | None = None, shared: Any = None
) -> ProcessPoolExecutor:
    """A ProcessPoolExecutor whose workers exit when this process does, however it ends.

    ``shared`` reaches each worker once, as it starts (by fork, without pickling, where
    processes fork), and tasks read it with :func:`shared`: a task then carries only what is
    its own. Large tasks also hang a pool's shutdown: a task of more than a pipe's buffer (64
    KB), half written to the pool's queue when its workers are stopped, is never read, and the
    thread writing it never ends."""
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(), shared)
    )


@contextmanager
def pool_of(workers: int, shared: Any = None) -> Iterator[ProcessPoolExecutor]:
    """A pool for one command's work. An error or an interruption (Ctrl-C, SIGTERM) cancels the
    work still queued and returns at once, instead of waiting for it all as leaving a pool
    normally does; the workers end by themselves once this process has."""
    pool = process_pool(workers, shared=shared)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def in_order(futures: Iterable[Future[Result]]) -> Iterator[Result]:
    """Each future's result, in order, waking every half second while waiting: a signal can
    reach any of the process's threads, and Python runs its handler (Ctrl-C, SIGTERM) only
    once the main thread wakes, which a plain ``result()`` on a long task delays until the task
    ends."""
    for future in futures:
        while True:
            try:
                yield future.result(timeout=WAKE_SECONDS)
                break
            except TimeoutError:
                if future.done():  # the task's own TimeoutError
                    raise


def run_all(
    workers: int,
    function: Callable[[Task], Result],
    tasks: Sequence[Task],
    done: Callable[[Task, Result], None] | None = None,
    shared: Any = None,
) -> list[Result]:
    """``function`` of every task on ``workers`` processes, the results in the tasks' order;
    ``done`` hears of each task and its result as the result is taken; ``shared`` is what
    every task reads with :func:`shared`. A worker that dies costs a fresh pool and the tasks
    not yet taken, up to RESTARTS times."""
    results: list[Result] = []
    deaths = 0
    while True:
        try:
            with pool_of(workers, shared) as pool:
                waiting = [pool.submit(function, task) for task in tasks[len(results) :]]
                for result in in_order(waiting):
                    if done is not None:
                        done(tasks[len(results)], result)
                    results.append(result)
            return results
        except BrokenProcessPool:
            deaths += 1
            if deaths > RESTARTS:
                raise WorkersDied(
                    f"worker processes died {deaths} times (out of memory? try fewer --workers "
                    "or runs)"
                ) from None
