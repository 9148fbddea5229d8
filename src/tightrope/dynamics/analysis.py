"""One call for a whole simulation study: the baseline, the what-if, the comparison, conditional
forecasts and drivers, as one JSON-ready document. The CLI only parses flags and prints."""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tightrope.dynamics.drivers import morris_drivers
from tightrope.dynamics.engine import Design, Interventions, simulate
from tightrope.dynamics.model import compile_scenario
from tightrope.dynamics.results import compare, summarise
from tightrope.scenario.load import ScenarioError, with_numbers
from tightrope.scenario.schema import Scenario


class WhatIfError(ValueError):
    """A what-if flag that names something the scenario does not have."""


@dataclass(frozen=True)
class SimulationRequest:
    runs: int = 100_000
    samples: int = 200
    months: int | None = None
    seed: int = 0
    workers: int = 1
    force: tuple[str, ...] = ()  # EVENT@MONTH
    forbid: tuple[str, ...] = ()
    set: tuple[str, ...] = ()  # PARAM=VALUE
    given: str | None = None
    drivers: str = "screen"  # screen (rank correlation), morris (SALib), none

    @property
    def runs_per_sample(self) -> int:
        return max(1, math.ceil(self.runs / self.samples))

    @property
    def has_what_if(self) -> bool:
        return bool(self.force or self.forbid or self.set)

    @property
    def progress_total(self) -> int:
        return self.samples * self.runs_per_sample * (2 if self.has_what_if else 1)


def parse_interventions(scenario: Scenario, request: SimulationRequest) -> Interventions:
    """Check the what-if flags against the scenario; errors name the closest valid choice."""
    model = compile_scenario(scenario, request.months)
    events = [event.id for event in scenario.events]
    forced = []
    for item in request.force:
        event, _, month = item.partition("@")
        _known(event, events, "event", "--force")
        if not month.isdigit() or not 1 <= int(month) <= model.months:
            raise WhatIfError(
                f"--force {item}: give EVENT@MONTH with a month from 1 to {model.months}"
            )
        forced.append((event, int(month)))
    for event in request.forbid:
        _known(event, events, "event", "--forbid")
    settings = []
    for item in request.set:
        path, _, text = item.partition("=")
        _known(path, list(model.parameter_index), "parameter", "--set")
        try:
            value = float(text)
        except ValueError:
            raise WhatIfError(f"--set {item}: the value must be a number") from None
        if not math.isfinite(value):
            raise WhatIfError(f"--set {item}: the value must be finite")
        settings.append((path, value))
    if settings:
        try:
            with_numbers(scenario, dict(settings))
        except ScenarioError as error:
            given = dict(settings)
            problem = error.problems[0]
            raise WhatIfError(
                f"--set {problem.path}={given[problem.path]:g}: {problem.message}"
            ) from None
    if request.given is not None:
        _known(request.given, events, "event", "--given")
    if request.drivers not in ("screen", "morris", "none"):
        raise WhatIfError(f"--drivers must be screen, morris or none; got {request.drivers!r}")
    return Interventions(tuple(forced), tuple(request.forbid), tuple(settings))


def _known(name: str, known: list[str], what: str, flag: str) -> None:
    if name not in known:
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise WhatIfError(f"{flag}: unknown {what} {name!r}{hint}")


def run_simulation(
    scenario: Scenario, request: SimulationRequest, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    interventions = parse_interventions(scenario, request)
    design = Design(
        samples=request.samples,
        runs=request.runs_per_sample,
        seed=request.seed,
        months=request.months,
    )
    model, record = simulate(
        scenario, design, interventions, workers=request.workers, progress=progress
    )
    document: dict[str, Any] = {
        "scenario": scenario.id,
        "design": {
            "samples": design.samples,
            "runs_per_sample": design.runs,
            "runs": design.total_runs,
            "months": model.months,
            "seed": design.seed,
            "interval": "5th–95th percentile of the probability across parameter samples",
        },
        "interventions": {
            "force": [{"event": e, "month": m} for e, m in interventions.force],
            "forbid": list(interventions.forbid),
            "set": {path: value for path, value in interventions.set},
        },
        **summarise(model, record),
    }
    if request.drivers == "none":
        document.pop("drivers", None)
    elif request.drivers == "morris":
        morris = morris_drivers(
            scenario, seed=request.seed, months=request.months, interventions=interventions
        )
        document["drivers"] = morris.pop("questions")
        document["drivers_method"] = morris
    else:
        document["drivers_method"] = {
            "method": "rank correlation (Spearman) between each parameter's draws and the "
            "probability across parameter samples: a quick screen",
        }
    if request.given is not None:
        column = model.event_index(request.given)
        where = record.first[:, column] > 0
        document["given"] = {
            "event": request.given,
            **summarise(model, record, where=where, drivers=0),
        }
    if request.has_what_if:
        _, baseline = simulate(
            scenario, design, Interventions(), workers=request.workers, progress=progress
        )
        document["comparison"] = compare(model, baseline, record)
    return document
