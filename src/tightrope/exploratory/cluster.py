"""Experiments on a Dask cluster: each task goes to a worker as it is; a task whose worker dies
is run again elsewhere (its outcomes do not depend on where it runs). Dask loads only here."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from tightrope.errors import ExploreError
from tightrope.exploratory.experiments import Plan, Task, run_task
from tightrope.scenario.schema import Scenario

# The whole command, start-up and Dask's import included, ends within 30 s (issue 15).
CONNECT_SECONDS = 25
RETRIES = 3


def run_on_cluster(
    scheduler: str,
    scenario: Scenario,
    plan: Plan,
    work: list[Task],
    progress: Callable[[int], None] | None = None,
) -> list[Any]:
    """The tasks' outcomes in task order, computed by the cluster at ``scheduler`` (an address
    such as ``tcp://10.0.0.5:8786``, or a ``distributed.LocalCluster``'s)."""
    # Dask's own annotations are partial; it is used here through a handful of calls.
    distributed: Any = importlib.import_module("distributed")
    try:
        client = distributed.Client(scheduler, timeout=f"{CONNECT_SECONDS}s")
    except (OSError, TimeoutError) as error:
        raise ExploreError(
            f"no Dask scheduler answered within {CONNECT_SECONDS} s ({type(error).__name__})",
            "scheduler",
            scheduler,
        ) from None
    try:
        scenario_future = client.scatter(scenario, broadcast=True)
        plan_future = client.scatter(plan, broadcast=True)
        futures = [
            client.submit(run_task, scenario_future, plan_future, task, retries=RETRIES, pure=False)
            for task in work
        ]
        index = {future.key: number for number, future in enumerate(futures)}
        parts: list[Any] = [None] * len(work)
        for future in distributed.as_completed(futures):
            number = index[future.key]
            parts[number] = future.result()
            if progress is not None:
                progress(work[number].count)
        return parts
    finally:
        client.close()
