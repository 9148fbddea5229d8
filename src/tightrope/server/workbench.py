"""What the server's routes share: its settings, the scenarios it offers, the worker pool that
runs the jobs, the cache of results, and the registry; each route receives it as a FastAPI
dependency (:data:`Bench`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request

from tightrope.errors import TightropeError
from tightrope.scenario.schema import Scenario
from tightrope.server import jobs
from tightrope.server.store import Entry, ScenarioStore


@dataclass(frozen=True)
class Settings:
    """How a workbench server runs: where it listens and keeps its data, its token, and the
    bounds on each request's work."""

    host: str = "127.0.0.1"
    port: int = 8000
    db: Path | None = None  # the registry (default: the user's, as the CLI's)
    scenarios: Path | None = None  # a folder of scenario files to offer
    data: Path = field(default_factory=lambda: default_data())  # uploads go here
    token: str | None = None
    max_runs: int = 200_000  # per request
    max_samples: int = 2_000  # bargaining samples per request
    page_runs: int = 20_000  # the forecasts behind the pages and the board
    timeout: float = 120.0  # seconds per job
    workers: int = 2


def default_data() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("tightrope", appauthor=False)) / "server"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class NotFound(Exception):
    """No such scenario, question or file: a 404."""


class Invalid(Exception):
    """A request the server refuses, with its reason: a 400."""


class Cache:
    """Results by key, each computed once even when many requests ask at the same time."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.tasks: dict[Any, asyncio.Task[Any]] = {}

    async def get(self, key: Any, compute: Any) -> Any:
        task = self.tasks.get(key)
        if task is None or (task.done() and task.exception() is not None):
            if len(self.tasks) >= self.size:
                self.tasks.pop(next(iter(self.tasks)))
            task = asyncio.ensure_future(compute())
            self.tasks[key] = task
        return await asyncio.shield(task)


class Workbench:
    """The server's state and the steps its routes share."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = ScenarioStore(settings.scenarios, settings.data / "scenarios")
        self.pool = jobs.WorkerPool(settings.workers, settings.timeout)
        self.cache = Cache()
        # Each scenario's track record, with the state of the registry's files it was read at.
        self.tracks: dict[str, tuple[object, dict[str, Any] | None]] = {}

    def entry(self, scenario_id: str) -> Entry:
        """A valid scenario's entry, or a 404 (unknown) or 400 (not valid)."""
        try:
            found = self.store.get(scenario_id)
        except KeyError:
            raise NotFound(f"no scenario {scenario_id!r}") from None
        if found.scenario is None:
            raise Invalid(f"scenario {scenario_id!r} is not valid: {found.problems[0]}")
        return found

    def scenario(self, scenario_id: str) -> Scenario:
        found = self.entry(scenario_id).scenario
        assert found is not None
        return found

    def runs_allowed(self, runs: int) -> int:
        if runs > self.settings.max_runs:
            raise Invalid(f"runs: at most {self.settings.max_runs:,} per request on this server")
        return runs

    def samples_allowed(self, samples: int) -> int:
        if samples > self.settings.max_samples:
            raise Invalid(
                f"samples: at most {self.settings.max_samples:,} per request on this server"
            )
        return samples

    async def forecast(
        self,
        scenario: Scenario,
        runs: int,
        seed: int,
        bargaining: int,
        as_of: dt.date | None = None,
        given: str | None = None,
    ) -> dict[str, Any]:
        """The forecast document (conditioned on the observations up to ``as_of`` when given),
        computed once per scenario version (its observations included), design, date and
        event given."""
        from tightrope.forecasts.run import scenario_hash

        key = ("forecast", scenario_hash(scenario), runs, seed, bargaining, as_of, given)
        return await self.cache.get(  # type: ignore[no-any-return]
            key,
            lambda: self.pool.run(
                jobs.forecast_job, scenario, runs, seed, bargaining, as_of, given
            ),
        )

    async def quick(self, scenario: Scenario) -> dict[str, Any]:
        """The simulation behind the board and the question pages (the pages' runs, seed 0)."""
        from tightrope.forecasts.run import scenario_hash

        runs = self.settings.page_runs
        key = ("simulate", scenario_hash(scenario), runs)
        return await self.cache.get(  # type: ignore[no-any-return]
            key,
            lambda: self.pool.run(jobs.simulate_job, scenario, runs, 0, jobs.WhatIfSpec(), "none"),
        )

    async def diff(self, a: str, b: str, forecast: bool, runs: int, seed: int) -> dict[str, Any]:
        """What changed from scenario ``a`` to ``b``, and with ``forecast`` how the forecast
        moved; computed once per pair and design."""
        first, second = self.scenario(a), self.scenario(b)
        key = ("diff", a, b, forecast, self.runs_allowed(runs), seed)
        return await self.cache.get(  # type: ignore[no-any-return]
            key, lambda: self.pool.run(jobs.diff_job, first, second, forecast, runs, seed)
        )

    def registry_path(self) -> Path:
        from tightrope.forecasts.registry import default_path

        return self.settings.db or default_path()

    def read_registry(self) -> Any:
        """The registry opened read-only, or None when nothing is recorded yet."""
        from tightrope.forecasts.registry import Registry

        path = self.registry_path()
        if not path.exists():
            return None
        return Registry(path, create=False, read_only=True)

    def track_record(self, scenario_id: str) -> dict[str, Any] | None:
        """How the scenario's recorded forecasts scored, read from the registry without
        changing it (None with no registry), for the report's track record; read again only
        when the registry's files changed (a page visit costs two stat calls, not a query)."""
        from tightrope.forecasts.output import recorded_track

        path = self.registry_path()
        stamp = tuple(
            (found.st_mtime_ns, found.st_size) if (found := _stat(file)) is not None else None
            for file in (path, path.with_name(path.name + "-wal"))
        )
        known = self.tracks.get(scenario_id)
        if known is None or known[0] != stamp:
            known = (stamp, recorded_track(path, scenario_id))
            self.tracks[scenario_id] = known
        return known[1]

    def latest_records(self) -> dict[tuple[str, str], tuple[float, float | None]]:
        """The last recorded probability of each binary question and its Monte Carlo error
        (None if recorded before errors were kept), by scenario and question."""
        registry = self.read_registry()
        if registry is None:
            return {}
        with registry:
            return {
                (f.scenario_id, f.question_id): (f.probability, f.mc_error)
                for f in registry.forecasts()
                if f.probability is not None
            }


async def current(request: Request) -> Workbench:
    """The application's workbench (a FastAPI dependency; async, so that FastAPI reads it on
    the event loop instead of sending every request through its thread pool: measured, the
    cached pages' p95 latency under load went from 140 to 260 ms that way)."""
    bench: Workbench = request.app.state.workbench
    return bench


Bench = Annotated[Workbench, Depends(current)]


def check_whatif(scenario: Scenario, whatif: jobs.WhatIfSpec, given: str | None = None) -> None:
    """Refuse, before any work, a what-if (or an event to condition on) the scenario cannot take
    (the API's own message)."""
    from tightrope.dynamics.interventions import check_given, checked_interventions
    from tightrope.dynamics.model import compile_scenario

    try:
        if given is not None:
            check_given(scenario, given)
        checked_interventions(scenario, compile_scenario(scenario), whatif.objects())
    except TightropeError as error:
        raise Invalid(str(error)) from None


def _stat(file: Path) -> os.stat_result | None:
    try:
        return file.stat()
    except FileNotFoundError:
        return None
