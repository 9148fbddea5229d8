"""One call for a whole simulation study: the baseline, the what-if, the comparison, conditional
forecasts and drivers, as one typed result (``to_dict()`` is the CLI's JSON)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from tightrope.dynamics.conditioning import known_on, simulate_as_of
from tightrope.dynamics.engine import Design
from tightrope.dynamics.interventions import (
    WhatIf,
    WhatIfError,
    check_given,
    checked_interventions,
    described,
)
from tightrope.dynamics.model import compile_scenario, require_events
from tightrope.dynamics.results import (
    DRIVERS_MEANING,
    INTERVAL_MEANING,
    INTERVAL_SE_MEANING,
    MC_ERROR_MEANING,
    compare,
    summarise,
)
from tightrope.results import SimulationResult
from tightrope.scenario.schema import Scenario

Drivers = Literal["screen", "morris", "sobol", "none"]
DRIVERS: tuple[Drivers, ...] = ("screen", "morris", "sobol", "none")


@dataclass(frozen=True)
class SimulationRequest:
    """A simulation study: about ``runs`` runs in ``samples`` parameter samples (default one per
    40 runs), the what-ifs, a conditioning event and the drivers method."""

    runs: int = 200_000
    samples: int | None = None
    months: int | None = None
    seed: int = 0
    workers: int = 1
    whatif: tuple[WhatIf, ...] = ()
    given: str | None = None
    drivers: Drivers = "screen"
    as_of: dt.date | None = None  # condition on the scenario's observations up to this date
    # The questions alone, and of the evidence its effective sample size: a forecast's
    # what-changed steps read nothing else.
    outline: bool = False

    @property
    def design(self) -> Design:
        return Design.for_runs(self.runs, self.samples, self.seed, self.months)

    @property
    def progress_total(self) -> int:
        return self.design.total_runs * (2 if self.whatif else 1)


def run_simulation(
    scenario: Scenario, request: SimulationRequest, progress: Callable[[int], None] | None = None
) -> SimulationResult:
    """Simulate the scenario (and, with what-ifs, its baseline with the same random numbers);
    raises WhatIfError for a what-if the scenario cannot take, LimitError beyond the limits,
    ArgumentError for a scenario without events."""
    require_events(scenario)
    scenario, left_out = known_on(scenario, request.as_of)
    if request.drivers not in DRIVERS:
        raise WhatIfError("drivers", str(request.drivers), "choose screen, morris, sobol or none")
    compiled = compile_scenario(scenario, request.months)
    interventions = checked_interventions(scenario, compiled, request.whatif)
    if request.given is not None:
        check_given(scenario, request.given)
    design = request.design
    model, record, conditioning = simulate_as_of(
        scenario,
        design,
        interventions,
        as_of=request.as_of,
        workers=request.workers,
        progress=progress,
        describe=not request.outline,
    )
    document: dict[str, Any] = {
        "scenario": scenario.id,
        "design": {
            "samples": design.samples,
            "runs_per_sample": design.runs,
            "runs": design.total_runs,
            "months": model.months,
            "seed": design.seed,
            "interval": INTERVAL_MEANING,
            "interval_se": INTERVAL_SE_MEANING,
            "mc_error": MC_ERROR_MEANING,
        },
        "interventions": described(interventions, scenario, request.as_of),
        # The screening drivers only where asked for (others replace them, none has none).
        **summarise(
            model,
            record,
            drivers=5 if request.drivers == "screen" else 0,
            outline=request.outline,
        ),
    }
    if conditioning is not None:
        document["conditioning"] = conditioning | ({"left_out": left_out} if left_out else {})
    if request.drivers in ("morris", "sobol"):
        from tightrope.dynamics.drivers import morris_drivers, sobol_drivers

        method = morris_drivers if request.drivers == "morris" else sobol_drivers
        designed = method(
            scenario, seed=request.seed, months=request.months, interventions=interventions
        )
        document["drivers"] = designed.pop("questions")
        document["drivers_method"] = designed
    elif request.drivers == "screen":
        document["drivers_method"] = {"method": DRIVERS_MEANING}
    if request.given is not None:
        column = model.event_index(request.given)
        where = record.first[:, column] > 0
        document["given"] = {
            "event": request.given,
            # The runs are the what-if's where one is asked for, not the baseline's.
            "runs_of": "baseline" if interventions.empty else "what-if",
            **summarise(model, record, where=where, drivers=0),
        }
    if not interventions.empty:
        _, baseline, _ = simulate_as_of(
            scenario,
            design,
            as_of=request.as_of,
            workers=request.workers,
            progress=progress,
        )
        document["comparison"] = compare(model, baseline, record)
    return SimulationResult(scenario, document, model, record)
