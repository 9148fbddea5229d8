"""The public Python API: load a scenario, bargain, simulate, forecast, replay.

Every function takes a validated :class:`~tightrope.scenario.schema.Scenario` (from
:func:`load`), sets its parameters by keyword, and returns a typed result whose ``to_dict()`` is
the document ``tightrope … --format json`` prints. The CLI is a thin layer over these functions.
Errors name the field and value: :class:`~tightrope.scenario.ScenarioError` (a file, or a
scenario built or changed in Python, which every function checks as a file is checked),
:class:`~tightrope.errors.WhatIfError` (a what-if),
:class:`~tightrope.errors.ExploreError` (a lever, uncertainty, design or scheduler of
:func:`explore`),
:class:`~tightrope.limits.LimitError` (a size beyond the limits),
:class:`~tightrope.bargaining.BargainingInputError` (inputs a model cannot use, or no issues),
:class:`~tightrope.dynamics.replay.ReplayError` (replay settings that cannot be run),
:class:`~tightrope.errors.ArgumentError` (an argument of the wrong kind, such as a scenario
without events to simulate; dates may be given as ``datetime.date`` or text ``'YYYY-MM-DD'``).
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tightrope import limits
from tightrope.arguments import (
    as_number,
    as_optional_date,
    as_path,
    as_texts,
    kind_of,
    of_kind,
)
from tightrope.errors import ArgumentError

if TYPE_CHECKING:
    from tightrope._types import Progress
    from tightrope.bargaining.analysis import BargainingResult
    from tightrope.dynamics.analysis import Drivers
    from tightrope.dynamics.interventions import WhatIf
    from tightrope.dynamics.replay import ReplayResult
    from tightrope.exploratory.discovery import Discovery
    from tightrope.exploratory.experiments import Design, ExploreResult
    from tightrope.results import DiffResult, ForecastResult, SimulationResult, StructureResult
    from tightrope.scenario.eventdata import Format as EventDataFormat
    from tightrope.scenario.schema import Scenario


def _checked(*scenarios: Scenario) -> None:
    """Each scenario checked as a file is: one built or changed in Python may not have been
    (see :func:`tightrope.scenario.load.checked`)."""
    from tightrope.scenario.load import checked
    from tightrope.scenario.schema import Scenario

    for scenario in scenarios:
        checked(
            of_kind("scenario", scenario, Scenario, "a tightrope.Scenario (from tightrope.load)")
        )


def _event(name: str, value: str | None) -> str | None:
    """An optional event argument: its id as text."""
    return None if value is None else of_kind(name, value, str, "an event's id as text")


def _what_ifs(value: object) -> tuple[WhatIf, ...]:
    """The what-ifs, given as a list of them or one alone."""
    from tightrope.dynamics.interventions import Forbid, Force, Set

    if isinstance(value, Force | Forbid | Set):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(value)
    raise ArgumentError(
        "whatif: give a list of Force, Forbid or Set, e.g. [tightrope.Force('us_strikes', 3)]; "
        f"got {kind_of(value)}"
    )


def load(source: str | os.PathLike[str]) -> Scenario:
    """A scenario, validated.

    Parameters
    ----------
    source : str or path
        A built-in scenario's id (``"iraq-2025"``) or a file: scenario YAML, KTAB CSV or
        expected-utility table.

    Raises
    ------
    ScenarioError
        Listing every problem of the file, each located ``FILE:LINE:COL: field: message``.
    """
    from tightrope.scenario import open_scenario

    return open_scenario(as_path("source", source, "a built-in scenario's id or a file's path"))


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
    """Where will the contested issues settle? Every chosen model on every chosen issue.

    Parameters
    ----------
    scenario : Scenario
    model : str or list of str, default "all"
        ``"eum"``, ``["eum", "smp"]`` or ``"all"`` (``tightrope.MODELS`` names them).
    variant : str, optional
        A variant of a single model (each model's class lists its own).
    rounds : int, optional
        The EUM's rounds and the SMP's turn limit (their defaults: 10 and 100).
    issues : list of str, optional
        Issue ids; all of the scenario's by default.
    samples : int, default 500
        Draws of the elicited ranges, for the median and 10th–90th percentiles of each
        forecast (0: the point forecast alone).
    seed : int, default 0
    joint : bool, default False
        Treat the issues as dimensions of one space (as KTAB does).
    progress : callable, optional
        Called with the number of samples just finished.

    Returns
    -------
    BargainingResult
        ``result["iran_ties", "eum"]`` is one model's forecast of one issue; ``to_frame()``
        has one row per issue and model.
    """
    _checked(scenario)
    from tightrope.bargaining import MODELS, BargainingInputError, make_model
    from tightrope.bargaining.analysis import analyse

    if isinstance(model, str):
        names = list(MODELS) if model == "all" else [model]
    else:
        names = as_texts("model", model, "eum")
    if variant is not None and len(names) != 1:
        raise BargainingInputError("a variant needs a single model")
    chosen = [make_model(name, variant, **_rounds(name, rounds)) for name in names]
    if not scenario.issues:
        raise BargainingInputError(f"scenario {scenario.id!r} has no issues to bargain over")
    return analyse(
        scenario,
        chosen,
        as_texts("issues", issues, "iran_ties") if issues else [i.id for i in scenario.issues],
        joint=joint,
        samples=samples,
        seed=seed,
        progress=progress,
    )


def _rounds(name: str, rounds: int | None) -> dict[str, int]:
    """The keyword that ``rounds`` sets on a model: the EUM's rounds, the SMP's turn limit."""
    from tightrope.bargaining import MODELS

    if rounds is not None:
        limits.check_count("rounds", rounds, 1, limits.MAX_ROUNDS)
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
    whatif: Sequence[WhatIf] | WhatIf = (),
    given: str | None = None,
    drivers: Drivers = "screen",
    as_of: dt.date | str | None = None,
    progress: Progress | None = None,
) -> SimulationResult:
    """How can the crisis unfold month by month? A Monte Carlo of events, state and escalation.

    Parameters
    ----------
    scenario : Scenario
    runs : int, default 200,000
        About this many runs, rounded up to a whole number per parameter sample.
    samples : int, optional
        Parameter samples (the outer loop); by default one per 40 runs.
    months : int, optional
        Months to simulate; by default the horizon, or to the last question's deadline.
    seed : int, default 0
        The same seed gives the same results whatever ``workers``.
    workers : int, default 1
        Worker processes.
    whatif : list of Force, Forbid and Set, or one alone
        What-ifs, run beside the baseline on the same random numbers; ``comparison`` then
        holds each question's change and its standard error.
    given : str, optional
        An event: also report the probabilities given that it happened.
    drivers : {"screen", "morris", "sobol", "none"}, default "screen"
        How each question's drivers are found: rank regression on the parameter samples, Morris
        screening or Sobol' indices (SALib), or not at all.
    as_of : date or str, optional
        Condition on the scenario's observations up to this date, given as a date or as text
        'YYYY-MM-DD' (Bayesian updating of the uncertain parameters by likelihood weighting;
        see ``observe``). What-ifs then act from the first month that starts after it (a
        ``Set`` of a starting value is refused: it lies in the past).
    progress : callable, optional
        Called with the number of runs just finished.

    Returns
    -------
    SimulationResult
        ``questions[...]`` gives each question's probability, interval and Monte Carlo error;
        ``to_dict()`` is ``tightrope simulate --format json``.
    """
    _checked(scenario)
    from tightrope.dynamics.analysis import SimulationRequest, run_simulation

    request = SimulationRequest(
        runs=runs,
        samples=samples,
        months=months,
        seed=seed,
        workers=workers,
        whatif=_what_ifs(whatif),
        given=_event("given", given),
        drivers=drivers,
        as_of=as_optional_date("as_of", as_of),
    )
    return run_simulation(scenario, request, progress)


def drop_modifiers(
    scenario: Scenario,
    *,
    runs: int = 20_000,
    samples: int | None = None,
    seed: int = 0,
    workers: int = 1,
    progress: Progress | None = None,
) -> StructureResult:
    """Does the forecast survive dropping each modifier, and reading each chance elicited over a
    window as the chance over it with the modifiers at work? Each modifier in turn is given no
    effect (its odds ratio set to 1, a covariate term's coefficient to 0) and the simulation run
    again on the baseline's random numbers; then each window event's hazard is scaled until its
    chance over the window averages the elicited one (:mod:`tightrope.dynamics.structure`).

    Parameters
    ----------
    scenario : Scenario
    runs : int, default 20,000
        About this many runs for the baseline and for each modifier dropped.
    samples : int, optional
        Parameter samples (the outer loop); by default one per 40 runs.
    seed : int, default 0
    workers : int, default 1
    progress : callable, optional
        Called with the number of runs just finished.

    Returns
    -------
    StructureResult
        ``modifiers``: each modifier's largest change, the questions it moves beyond twice the
        standard error, and every question's change with its clustered standard error, the
        largest change first; ``window_reading`` (with window events): each one's hazard
        factor and chance over its window before and after, and the questions' changes in the
        same form; ``to_dict()`` is ``tightrope structure --format json``.
    """
    _checked(scenario)
    from tightrope.dynamics.engine import Design, simulate
    from tightrope.dynamics.model import require_events
    from tightrope.dynamics.results import MC_ERROR_MEANING
    from tightrope.dynamics.structure import (
        MOVED,
        check_work,
        drop_each_modifier,
        window_reading,
    )
    from tightrope.results import StructureResult

    require_events(scenario)
    design = Design.for_runs(runs, samples, seed)
    check_work(scenario, design.total_runs, limits.MAX_RUNS)
    baseline = simulate(scenario, design, workers=workers, progress=progress)
    modifiers = drop_each_modifier(scenario, design, baseline, workers=workers, progress=progress)
    reading = window_reading(scenario, design, baseline, workers=workers, progress=progress)
    return StructureResult(
        {
            "scenario": scenario.id,
            "design": {
                "samples": design.samples,
                "runs_per_sample": design.runs,
                "runs": design.total_runs,
                "seed": seed,
                "se": MC_ERROR_MEANING + ", of the paired difference",
            },
            "moved": f"a change beyond {MOVED:g} standard errors",
            "modifiers": modifiers,
            **({} if reading is None else {"window_reading": reading}),
        }
    )


def forecast(
    scenario: Scenario,
    *,
    runs: int = limits.DEFAULT_RUNS,
    samples: int | None = None,
    bargaining_samples: int = 500,
    seed: int = 0,
    workers: int = 1,
    as_of: dt.date | str | None = None,
    whatif: Sequence[WhatIf] | WhatIf = (),
    given: str | None = None,
    compare_to: Scenario | None = None,
    progress: Progress | None = None,
) -> ForecastResult:
    """The main job: the simulation's questions and every bargaining model on every issue, with
    the provenance of every number.

    Parameters
    ----------
    scenario : Scenario
    runs, samples, seed, workers, as_of, given
        As for :func:`simulate`.
    bargaining_samples : int, default 500
        Draws of the elicited ranges for the bargaining intervals (0: point forecasts).
    whatif : list of Force, Forbid and Set, or one alone
        Run beside the baseline on the same random numbers; the forecast stays the baseline
        and ``comparison`` holds each question's change.
    compare_to : Scenario, optional
        An earlier version of the scenario: ``versions`` then says what changed and how it
        moved each question (as ``diff(compare_to, scenario, forecast=True)``).
    progress : callable, optional
        Called with the number of runs and samples just finished.

    Returns
    -------
    ForecastResult
        ``save(folder)`` writes the report, brief, JSON and Parquet (all or none);
        ``Registry.record`` keeps its forecasts.
    """
    _checked(scenario, *([] if compare_to is None else [compare_to]))
    from tightrope.forecasts.run import ForecastSettings, run_forecast

    settings = ForecastSettings(
        runs=runs,
        samples=samples,
        bargaining_samples=bargaining_samples,
        seed=seed,
        workers=workers,
        as_of=as_optional_date("as_of", as_of),
        whatif=_what_ifs(whatif),
        given=_event("given", given),
        compare_to=compare_to,
    )
    return run_forecast(scenario, settings, progress)


def observe(
    scenario: Scenario,
    source: str | os.PathLike[str] | Sequence[Mapping[str, Any]],
    *,
    format: EventDataFormat | None = None,
    mapping: str | os.PathLike[str] | None = None,
    published: dt.date | str | None = None,
    since: dt.date | str | None = None,
    unobserved: Sequence[str] = (),
    watched_until: Mapping[str, Any] | None = None,
) -> Scenario:
    """The scenario with what was seen since its date added, checked against it.

    Parameters
    ----------
    scenario : Scenario
    source : str or path, or a list of observations
        An observation file (YAML or CSV), or with ``format`` an event-data export; or the
        observations themselves, each a mapping as a file writes it:
        ``[{"event": "us_strikes", "date": "2025-06-01"}, {"variable": "x", "date": …,
        "value": 37, "sd": 0.5}]``.
    format : {"acled", "ucdp-ged"}, optional
        ``source`` is an ACLED export or a UCDP GED file, whose rows the rules of ``mapping``
        turn into observations (``tightrope observe import``).
    mapping : str or path, optional
        The mapping file (actors, aliases and rules); needed with ``format``.
    published : date or 'YYYY-MM-DD', optional
        The release date of an export whose rows carry none (UCDP GED).
    since : date or 'YYYY-MM-DD', optional
        The first day an export covers (its query's start), where its first row came later
        (default: its first row's day): the months from it are evidence.
    unobserved : list of event ids, optional
        With a list of observations: events nobody could see, whose absence says nothing (an
        observation file's ``unobserved:``).
    watched_until : mapping of event id to a date, or to {"day": …, "published": …}, optional
        With a list of observations: the day each event's sources end, after which its absence
        says nothing, and when they were published, before which nothing is known of it (an
        observation file's ``watched_until:``); ``"earlier": [{"day": …, "published": …}, …]``
        gives what they covered when earlier parts came out.

    Raises
    ------
    ScenarioError
        Every problem of the files (or of the observations given, by their index), located.

    Warns
    -----
    UserWarning
        For each rule of ``mapping`` that made no observation, and why ("rules[0] (us_strikes)
        matched no row: no row has actor1 'us_force'"), as ``tightrope observe import`` notes.
    """
    _checked(scenario)
    if isinstance(source, list | tuple) and format is None:
        from tightrope.scenario.observations import given_observations

        return given_observations(scenario, list(source), list(unobserved), watched_until)
    if unobserved or watched_until:
        raise ArgumentError(
            "unobserved and watched_until go with a list of observations (a file has its own)"
        )
    path = as_path("source", source, "a file's path, or a list of observations")
    if format is None:
        if mapping is not None or published is not None or since is not None:
            raise ArgumentError("mapping, published and since go with format: acled or ucdp-ged")
        from tightrope.scenario.observations import read_observations

        return read_observations(scenario, path)
    if format not in ("acled", "ucdp-ged") or mapping is None:
        raise ArgumentError(f"format {format!r}: give acled or ucdp-ged, with a mapping file")
    from tightrope.scenario.eventdata import import_events

    imported = import_events(
        scenario,
        path,
        format,
        as_path("mapping", mapping),
        as_optional_date("published", published),
        as_optional_date("since", since),
    )
    # What `observe import` prints as notes: a rule that made nothing is most often a name
    # misspelt, which would otherwise pass as "no events" in a notebook; what it left out.
    for note in imported.notes():
        warnings.warn(note, UserWarning, stacklevel=2)
    return imported.scenario


def replay(
    scenario: Scenario,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    every: str = "month",
    runs: int = 20_000,
    samples: int | None = None,
    seed: int = 0,
    workers: int = 1,
    progress: Progress | None = None,
) -> ReplayResult:
    """The forecasts a forecaster would have made on the way, each from what was known then.

    Parameters
    ----------
    scenario : Scenario
        With its observations (see :func:`observe`).
    start : date or str, optional
        The first step (a date, or text 'YYYY-MM-DD'); the scenario's date by default.
    end : date or str, optional
        The last step at most; by default the day the last observation became known (its
        date, or its publication if later).
    every : str, default "month"
        ``"month"``, ``"week"``, ``"Nw"`` (every N weeks) or ``"Nd"`` (every N days).
    runs, samples, seed, workers
        As for :func:`simulate`, for each step; every step uses the same seed, so steps differ
        by the evidence, not by chance.
    progress : callable, optional
        Called with the number of runs just finished.

    Returns
    -------
    ReplayResult
        One step per date; ``Registry.record_replay`` keeps them.

    Raises
    ------
    ReplayError
        Settings it cannot run, before any step runs.
    """
    _checked(scenario)
    from tightrope.dynamics.replay import ReplayResult, replay_dates
    from tightrope.dynamics.replay import replay as replay_steps

    first, last = as_optional_date("start", start), as_optional_date("end", end)
    every = of_kind("every", every, str, "'month', 'week', 'Nw' or 'Nd' (every N weeks, days)")
    dates = replay_dates(scenario, first, last, every, runs=runs, samples=samples)
    steps = replay_steps(
        scenario, dates, runs=runs, samples=samples, seed=seed, workers=workers, progress=progress
    )
    return ReplayResult(scenario, tuple(steps), seed)


def diff(
    first: Scenario, second: Scenario, *, forecast: bool = False, runs: int = 20_000, seed: int = 0
) -> DiffResult:
    """What changed from ``first`` to ``second``: every input added, removed or changed, named
    by its path.

    Parameters
    ----------
    first, second : Scenario
    forecast : bool, default False
        Also simulate both with the same seed and runs: each question's move, its standard
        error, whether it moved, and the single change that moves it most.
    runs, seed
        As for :func:`simulate`.

    Returns
    -------
    DiffResult
        ``changes``, and ``to_frame()`` one row per change; with ``forecast``,
        ``moves_frame()`` one row per question (or level); ``to_dict()`` is
        ``tightrope diff --format json``.
    """
    _checked(first, second)
    from tightrope.forecasts.versions import compare_versions
    from tightrope.results import DiffResult

    return DiffResult(compare_versions(first, second, forecast=forecast, runs=runs, seed=seed))


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
    """Exploratory modelling: every policy at many points of the uncertainties.

    Parameters
    ----------
    scenario : Scenario
    levers : list of str
        ``"LEVER=OPTION,…"``; policies are every combination of the levers' options. An event's
        options are ``modelled``, ``never``, ``@MONTH`` and ``xF`` (its hazard rate scaled by
        F), e.g. ``"oil_restriction=modelled,never,@3,x0.5"``; a parameter's are its values.
    uncertainties : list of str, optional
        Parameter paths to explore; all with a range by default.
    design : {"lhs", "sobol", "factorial"}, default "lhs"
        How the points of the uncertainties are drawn.
    samples : int, default 100
        Points of the uncertainties (factorial: levels of each).
    runs : int, default 1,000
        Runs of each experiment, on common random numbers.
    seed : int, default 0
    workers : int, default 1
        Local worker processes.
    scheduler : str, optional
        A Dask scheduler (``"tcp://HOST:8786"``) to run on instead; the results are the same.
    maximize : list of str
        Binary questions whose chance is good (the others' is bad).
    threshold : float, default 0.5
        Satisficing: a chance at most this (at least, for ``maximize``) is good.
    progress : callable, optional
        Called with the number of experiments just finished.

    Returns
    -------
    ExploreResult
        ``to_frame()``: one row per experiment; ``robustness``: each policy's mean, largest
        regret and satisficing share per binary question; ``save(folder)``: Parquet and JSON.
    """
    _checked(scenario)
    from tightrope.exploratory.experiments import make_plan, run_plan

    example = "events.us_strikes.hazard.per_month"
    chosen = None if uncertainties is None else as_texts("uncertainties", uncertainties, example)
    plan = make_plan(
        scenario,
        as_texts("levers", levers, "oil_restriction=modelled,never"),
        chosen,
        design=design,
        samples=samples,
        runs=runs,
        seed=seed,
    )
    return run_plan(
        scenario,
        plan,
        workers=workers,
        scheduler=scheduler,
        maximize=as_texts("maximize", maximize, "q4_disarmament_plan"),
        threshold=threshold,
        progress=progress,
    )


def discover(
    source: ExploreResult | str | os.PathLike[str],
    where: str,
    *,
    policy: Sequence[str] = (),
    threshold: float = 0.8,
) -> Discovery:
    """Scenario discovery (PRIM and CART): which uncertainties lead to an outcome.

    Parameters
    ----------
    source : ExploreResult, or the folder ``save`` (or ``tightrope explore``) wrote
    where : str
        The outcome to explain, ``COLUMN OP NUMBER``: ``"q8_max_ladder >= 5"``.
    policy : list of str
        ``"LEVER=OPTION"``: only the experiments with this option of the lever (PRIM does not
        tell the policies apart; mixed ones whose chances differ blur the box).
    threshold : float, default 0.8
        PRIM's density target.

    Returns
    -------
    Discovery
        ``prim``: the box (each restricted uncertainty with its range and quasi-p-value, the
        coverage, density and mass); ``cart``: CART's leaves; ``notes()``: uncertainties left
        out (no path to the outcome in the model) and policies mixed.
    """
    from tightrope.exploratory.discovery import discover as run_discovery
    from tightrope.exploratory.experiments import ExploreResult

    chosen = as_texts("policy", policy, "oil_restriction=never")
    where = of_kind("where", where, str, "COLUMN OP NUMBER, e.g. 'q8_max_ladder >= 5'")
    threshold = as_number("threshold", threshold, 0.5, 1.0)
    if isinstance(source, ExploreResult):
        return run_discovery(source.frame, source.to_dict(), where, chosen, threshold, "explore")
    frame, summary, name = read_exploration(as_path("source", source, "an explore folder"))
    return run_discovery(frame, summary, where, chosen, threshold, name)


def read_exploration(folder: str | os.PathLike[str]) -> tuple[Any, dict[str, Any], str]:
    """An explore output folder's experiments (a DataFrame), its summary (explore.json) and
    the summary's path for messages."""
    import json
    from pathlib import Path

    import pandas as pd

    from tightrope.errors import ExploreError

    folder = Path(folder)
    table, summary = folder / "experiments.parquet", folder / "explore.json"
    if not table.is_file() or not summary.is_file():
        raise ExploreError(
            f"{folder}: no experiments.parquet and explore.json (run tightrope explore)"
        )
    try:
        frame, plan = pd.read_parquet(table), json.loads(summary.read_text())
    except (OSError, ValueError) as error:
        raise ExploreError(
            f"{folder}: cannot read the experiments ({type(error).__name__}: {error})"
        ) from None
    if not isinstance(plan, dict):
        kind = type(plan).__name__
        raise ExploreError(
            f"{folder}: cannot read the experiments (explore.json holds a {kind}, not the "
            "mapping tightrope explore writes)"
        )
    return frame, plan, str(summary)
