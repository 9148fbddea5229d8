"""Work the server hands to a pool of worker processes, so that it keeps answering while a
simulation runs: each job calls the Python API and returns the plain JSON document the CLI's
``--format json`` prints."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tightrope.outputs import json_text
from tightrope.scenario.schema import Scenario
from tightrope.workers import process_pool


@dataclass(frozen=True)
class WhatIfSpec:
    """A what-if as the HTTP API takes it: forced events by month, forbidden events, numbers."""

    force: tuple[tuple[str, int | str], ...] = ()  # a month's number or "YYYY-MM"
    forbid: tuple[str, ...] = ()
    set: tuple[tuple[str, float], ...] = ()

    def objects(self) -> list[Any]:
        from tightrope.dynamics.interventions import Forbid, Force, Set

        return [
            *(Force(event, month) for event, month in self.force),
            *(Forbid(event) for event in self.forbid),
            *(Set(path, value) for path, value in self.set),
        ]


def plain(document: Any) -> Any:
    """The document as strict JSON values (NaN and infinities become null)."""
    return json.loads(json_text(document))


def simulate_job(
    scenario: Scenario,
    runs: int,
    seed: int,
    whatif: WhatIfSpec,
    drivers: str,
    as_of: dt.date | None = None,
    given: str | None = None,
) -> dict[str, Any]:
    """A simulation (with what-ifs, drivers, an event to condition on) run in a worker process:
    the API's document."""
    import tightrope

    result = tightrope.simulate(
        scenario,
        runs=runs,
        seed=seed,
        whatif=whatif.objects(),
        drivers=drivers,  # type: ignore[arg-type]
        as_of=as_of,
        given=given,
    )
    return plain(result.to_dict())  # type: ignore[no-any-return]


def forecast_job(
    scenario: Scenario,
    runs: int,
    seed: int,
    bargaining_samples: int,
    as_of: dt.date | None = None,
    given: str | None = None,
) -> dict[str, Any]:
    import tightrope

    result = tightrope.forecast(
        scenario,
        runs=runs,
        seed=seed,
        bargaining_samples=bargaining_samples,
        as_of=as_of,
        given=given,
    )
    return plain(result.document)  # type: ignore[no-any-return]


def bargain_job(scenario: Scenario, model: str, samples: int, seed: int) -> list[dict[str, Any]]:
    import tightrope

    return plain(tightrope.bargain(scenario, model, samples=samples, seed=seed).to_dict())  # type: ignore[no-any-return]


def structure_job(scenario: Scenario, runs: int, seed: int) -> dict[str, Any]:
    import tightrope

    return plain(tightrope.drop_modifiers(scenario, runs=runs, seed=seed).to_dict())  # type: ignore[no-any-return]


def diff_job(
    first: Scenario, second: Scenario, forecast: bool, runs: int, seed: int
) -> dict[str, Any]:
    import tightrope

    result = tightrope.diff(first, second, forecast=forecast, runs=runs, seed=seed)
    return plain(result.to_dict())  # type: ignore[no-any-return]


def replay_job(
    scenario: Scenario, start: dt.date, end: dt.date, every: str, runs: int, seed: int
) -> dict[str, Any]:
    """The forecast as it would have stood at each step (``tightrope replay --format json``)."""
    import tightrope

    result = tightrope.replay(scenario, start=start, end=end, every=every, runs=runs, seed=seed)
    return plain(result.to_dict())  # type: ignore[no-any-return]


def record_job(
    scenario: Scenario, db: Path, runs: int, seed: int, date: dt.date | None
) -> dict[str, Any]:
    """Forecast and record it in the registry, through the CLI's own transactional path."""
    import tightrope
    from tightrope.forecasts.registry import Registry

    result = tightrope.forecast(scenario, runs=runs, seed=seed, bargaining_samples=0)
    with Registry.opened_for(db) as registry:
        run_id = registry.record(result, date)
    return {"run": run_id, "scenario": scenario.id, "questions": list(result.questions)}


class Busy(Exception):
    """The pool could not answer in time (or a worker died); the request may be retried."""


class WorkerPool:
    """A pool of worker processes (started fresh, not forked from the server's threads), each
    request with a time limit; a broken pool is replaced."""

    def __init__(self, workers: int, timeout: float) -> None:
        self.workers = workers
        self.timeout = timeout
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = process_pool(self.workers, context)
        return self._pool

    async def run(self, function: Any, *arguments: Any) -> Any:
        """The job's result, within the time limit. A job whose worker died (the out-of-memory
        killer, say) runs once more on a fresh pool, as the CLI's do: it gives the same answer
        wherever it runs. Not a recording, which the worker may have written before it died."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        for _ in range(1 if function is record_job else 2):
            pool = self._executor()
            try:
                future = pool.submit(function, *arguments)
                return await asyncio.wait_for(
                    asyncio.wrap_future(future), max(0.0, deadline - loop.time())
                )
            except TimeoutError:
                future.cancel()
                raise Busy(
                    f"the request took longer than its limit of {self.timeout:g} s"
                ) from None
            except BrokenProcessPool:
                if self._pool is pool:  # not a fresh pool another request has started since
                    self.close()
        raise Busy("a worker process died; try again")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
