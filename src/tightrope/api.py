"""The public Python API: load a scenario, bargain, simulate, forecast, replay.

Every function takes a validated :class:`~tightrope.scenario.schema.Scenario` (from
:func:`load`), sets its parameters by keyword, and returns a typed result whose ``to_dict()`` is
the document ``tightrope … --format json`` prints. The CLI is a thin layer over these functions.
Errors name the field and value: :class:`~tightrope.scenario.ScenarioError` (a file),
:class:`~tightrope.dynamics.interventions.WhatIfError` (a what-if),
:class:`~tightrope.limits.LimitError` (a size beyond the limits),
:class:`~tightrope.bargaining.BargainingInputError` (inputs a model cannot use),
:class:`~tightrope.dynamics.replay.ReplayError` (replay settings that cannot be run).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tightrope import limits

if TYPE_CHECKING:
    from tightrope._types import Progress
    from tightrope.bargaining.analysis import BargainingResult
    from tightrope.dynamics.analysis import Drivers
    from tightrope.dynamics.interventions import WhatIf
    from tightrope.dynamics.replay import ReplayResult
    from tightrope.exploratory.experiments import Design, ExploreResult
    from tightrope.results import ForecastResult, SimulationResult
    from tightrope.scenario.eventdata import Format as EventDataFormat
    from tightrope.scenario.schema import Scenario


def load(source: str | os.PathLike[str]) -> Scenario:
    """A built-in scenario by id (``"iraq-2025"``) or a file: scenario YAML, KTAB CSV or
    expected-utility table. Raises ScenarioError listing every problem, located."""
    from tightrope.scenario import open_scenario

    return open_scenario(os.fspath(source))


def bargain(
    scenario: Scenario,
    model: str | Sequence[str] = "all",
    *,
    variant: str | None = None,
    rounds: int | None = None,
    issues: Sequence[str] | None = None,
    samples: int = 500,
    seed: int = 0,
    joint: bool = False,
    progress: Progress | None = None,
) -> BargainingResult:
    """Where will the contested issues settle? Each model (``"eum"``, ``["eum", "smp"]`` or
    ``"all"``) on each issue (all by default), with median and 10th–90th percentiles over
    ``samples`` draws of the elicited ranges. ``rounds`` is the EUM's rounds and the SMP's turn
    limit. ``joint`` treats the issues as dimensions of one space (as KTAB does)."""
    from tightrope.bargaining import MODELS, BargainingInputError, make_model
    from tightrope.bargaining.analysis import analyse

    names = list(MODELS) if model == "all" else [model] if isinstance(model, str) else list(model)
    if variant is not None and len(names) != 1:
        raise BargainingInputError("a variant needs a single model")
    chosen = [make_model(name, variant, **_rounds(name, rounds)) for name in names]
    return analyse(
        scenario,
        chosen,
        list(issues) if issues else [issue.id for issue in scenario.issues],
        joint=joint,
        samples=samples,
        seed=seed,
        progress=progress,
    )


def _rounds(name: str, rounds: int | None) -> dict[str, int]:
    """The keyword that ``rounds`` sets on a model: the EUM's rounds, the SMP's turn limit."""
    from tightrope.bargaining import MODELS

    parameter = MODELS[name].rounds_parameter if name in MODELS else None
    return {} if rounds is None or parameter is None else {parameter: rounds}


def simulate(
    scenario: Scenario,
    *,
    runs: int = limits.DEFAULT_RUNS,
    samples: int | None = None,
    months: int | None = None,
    seed: int = 0,
    workers: int = 1,
    whatif: Sequence[WhatIf] = (),
    given: str | None = None,
    drivers: Drivers = "screen",
    as_of: dt.date | None = None,
    progress: Progress | None = None,
) -> SimulationResult:
    """How can the crisis unfold month by month? About ``runs`` runs in ``samples`` parameter
    samples (default one per 40 runs). ``whatif``: ``Force``, ``Forbid`` and
    ``Set`` objects, compared with the baseline on the same random numbers. ``given``: also
    report probabilities given that an event happened. ``drivers``: screen, morris or none.
    ``as_of``: condition on the scenario's observations up to this date (Bayesian updating of
    the uncertain parameters by likelihood weighting; see ``observe``)."""
    from tightrope.dynamics.analysis import SimulationRequest, run_simulation

    request = SimulationRequest(
        runs=runs,
        samples=samples,
        months=months,
        seed=seed,
        workers=workers,
        whatif=tuple(whatif),
        given=given,
        drivers=drivers,
        as_of=as_of,
    )
    return run_simulation(scenario, request, progress)


def forecast(
    scenario: Scenario,
    *,
    runs: int = limits.DEFAULT_RUNS,
    samples: int | None = None,
    bargaining_samples: int = 500,
    seed: int = 0,
    workers: int = 1,
    as_of: dt.date | None = None,
    whatif: Sequence[WhatIf] = (),
    given: str | None = None,
    compare_to: Scenario | None = None,
    progress: Progress | None = None,
) -> ForecastResult:
    """The main job: the simulation's questions and every bargaining model on every issue, with
    the provenance of every number. ``save(folder)`` writes the report, JSON and Parquet.
    ``whatif`` (``Force``, ``Forbid``, ``Set``) runs beside the baseline on the same random
    numbers; the forecast stays the baseline and ``comparison`` holds each question's change.
    ``given``: also report the probabilities given that an event happened. ``compare_to``: an
    earlier version of the scenario; ``versions`` then says what changed and how it moved each
    question (as ``diff(compare_to, scenario, forecast=True)``)."""
    from tightrope.forecasts.run import ForecastSettings, run_forecast

    settings = ForecastSettings(
        runs=runs,
        samples=samples,
        bargaining_samples=bargaining_samples,
        seed=seed,
        workers=workers,
        as_of=as_of,
        whatif=tuple(whatif),
        given=given,
        compare_to=compare_to,
    )
    return run_forecast(scenario, settings, progress)


def observe(
    scenario: Scenario,
    source: str | os.PathLike[str],
    *,
    format: EventDataFormat | None = None,
    mapping: str | os.PathLike[str] | None = None,
    published: dt.date | None = None,
) -> Scenario:
    """The scenario with the observations of a file (YAML or CSV) added, checked against it.
    With ``format`` ("acled" or "ucdp-ged"), ``source`` is an event-data export whose rows the
    rules of the ``mapping`` file turn into observations (``tightrope observe import``);
    ``published`` is the release date of a file whose rows carry none (UCDP GED)."""
    if format is None:
        if mapping is not None or published is not None:
            raise ValueError("mapping and published go with format: acled or ucdp-ged")
        from tightrope.scenario.observations import read_observations

        return read_observations(scenario, os.fspath(source))
    if format not in ("acled", "ucdp-ged") or mapping is None:
        raise ValueError(f"format {format!r}: give acled or ucdp-ged, with a mapping file")
    from tightrope.scenario.eventdata import import_events

    imported = import_events(scenario, os.fspath(source), format, os.fspath(mapping), published)
    return imported.scenario


def replay(
    scenario: Scenario,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    every: str = "month",
    runs: int = 20_000,
    samples: int | None = None,
    seed: int = 0,
    workers: int = 1,
    progress: Progress | None = None,
) -> ReplayResult:
    """The forecasts a forecaster would have made on the way: one per step from ``start``
    (default: the scenario's date) to ``end`` (default: its last observation), every ``month``,
    ``week`` or ``Nd`` (N days), each conditioned only on the observations known by then and run
    with the same seed. ``Registry.record_replay`` keeps them."""
    from tightrope.dynamics.replay import ReplayResult, replay_dates
    from tightrope.dynamics.replay import replay as replay_steps

    dates = replay_dates(scenario, start, end, every, runs=runs, samples=samples)
    steps = replay_steps(
        scenario, dates, runs=runs, samples=samples, seed=seed, workers=workers, progress=progress
    )
    return ReplayResult(scenario, tuple(steps), seed)


def diff(
    first: Scenario, second: Scenario, *, forecast: bool = False, runs: int = 20_000, seed: int = 0
) -> dict[str, Any]:
    """What changed from ``first`` to ``second`` (every input added, removed or changed, named by
    path); with ``forecast``, both simulated with the same seed and runs: each question's move,
    its standard error, whether it moved, and the single change that moves it most."""
    from tightrope.forecasts.versions import compare_versions

    return compare_versions(first, second, forecast=forecast, runs=runs, seed=seed)


def explore(
    scenario: Scenario,
    levers: Sequence[str] = (),
    uncertainties: Sequence[str] | None = None,
    *,
    design: Design = "lhs",
    samples: int = 100,
    runs: int = 1_000,
    seed: int = 0,
    workers: int = 1,
    scheduler: str | None = None,
    maximize: Sequence[str] = (),
    threshold: float = 0.5,
    progress: Progress | None = None,
) -> ExploreResult:
    """Exploratory modelling: every policy (the ``levers``' options combined, e.g.
    ``"oil_restriction=modelled,never,@3,x0.5"``; ``xF`` scales the event's hazard rate by F) at
    ``samples`` points of the ``uncertainties``
    (parameter paths; all with a range by default) drawn by ``design`` (lhs, sobol, factorial),
    ``runs`` runs each on common random numbers. Runs here (``workers`` processes) or on a Dask
    cluster (``scheduler``), with the same results. ``to_frame()``: one row per experiment;
    ``robustness``: each policy's mean, largest regret and satisficing share per binary
    question (lower is better unless the question is in ``maximize``)."""
    from tightrope.exploratory.experiments import make_plan, run_plan

    plan = make_plan(
        scenario, levers, uncertainties, design=design, samples=samples, runs=runs, seed=seed
    )
    return run_plan(
        scenario,
        plan,
        workers=workers,
        scheduler=scheduler,
        maximize=maximize,
        threshold=threshold,
        progress=progress,
    )
