"""Designed experiments over a scenario's levers and uncertainties.

An experiment is one policy (a choice of option for every lever) at one point of the uncertainty
space; it runs ``runs`` times with every parameter fixed (the explored uncertainties at the
design point, every other number at its central estimate), so that its outcomes are the
chances the model gives under exactly those assumptions. Every experiment uses the same random
streams (common random numbers): two policies at the same point differ by their own effect
only, and an experiment's outcomes do not depend on how experiments are grouped into tasks, on
how many processes run them, or on which machine of a cluster does (tested).

Levers (``LEVER=OPTION,OPTION,…``): a lever event takes ``modelled`` (as the scenario says),
``never`` (forbidden), ``@M`` (forced in month M) or ``xF`` (its hazard rate scaled by F, as in a
proportional-hazards model: a monthly chance p becomes 1 − (1 − p)^F, and a chance P over a
window 1 − (1 − P)^F; modifiers and triggers act on top, as always); a parameter takes numbers.
Policies are every combination of the levers' options. Uncertainties are parameters with a range
(all by default), sampled by Latin hypercube, scrambled Sobol' points or a full factorial grid
(scipy's ``stats.qmc``), each mapped through the parameter's own elicited distribution (its
inverse CDF).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from tightrope import limits
from tightrope._types import Progress
from tightrope.arguments import as_path
from tightrope.errors import ExploreError, TightropeError, WhatIfError
from tightrope.scenario.schema import Scenario

Design = Literal["lhs", "sobol", "factorial"]
MAX_POLICIES = 1_000
MAX_EXPERIMENTS = 1_000_000
MAX_OPTIONS = 50
TASK_POINTS = 50  # experiments (of one policy) per task
MODELLED, NEVER = "modelled", "never"
MAX_HAZARD_SCALE = 100.0


@dataclass(frozen=True)
class Lever:
    """A lever and its options: an event's (modelled, never, @M) or a parameter's numbers."""

    name: str
    options: tuple[str, ...]
    event: bool


@dataclass(frozen=True)
class Plan:
    """What to run: the policies, the uncertainties and the points at which to run them."""

    levers: tuple[Lever, ...]
    policies: tuple[tuple[str, ...], ...]  # one option per lever, in lever order
    uncertainties: tuple[str, ...]  # parameter paths
    points: NDArray[np.float64]  # (experiments per policy, uncertainties), in parameter units
    runs: int
    seed: int
    design: str

    @property
    def experiments(self) -> int:
        return len(self.policies) * len(self.points)


@dataclass(frozen=True)
class Task:
    """Part of a plan for one worker: one policy at some of the points."""

    policy: int
    first: int  # index of its first point
    count: int


# Fewer expected runs per experiment with (or without) the event than this, and its chance
# rests on a handful of runs: the plug-in binomial error is itself unreliable there.
RARE_RUNS = 10


def policy_words(policy: dict[str, str]) -> str:
    """A policy as ``LEVER=OPTION`` pairs, the way the command line takes them."""
    return ", ".join(f"{lever}={option}" for lever, option in policy.items()) or "as modelled"


@dataclass
class ExploreResult:
    """Every experiment's inputs and outcomes (``to_frame()``: one row each) and the levers'
    robustness (``robustness``), from :func:`run_plan`."""

    plan: Plan
    frame: Any  # pandas.DataFrame
    robustness: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # uncertainty path → its name in words
    # outcome column → the explored uncertainties with a path to it in the model
    reaching: dict[str, list[str]] = field(default_factory=dict)

    def to_frame(self) -> Any:
        return self.frame.copy()

    def notes(self) -> list[str]:
        """What the reader should know: a binary question that so few of each experiment's runs
        see (or miss) under some policy that its chances rest on a handful of runs."""
        found = []
        runs = self.plan.runs
        for question in dict.fromkeys(row["question"] for row in self.robustness):
            rows = [
                row
                for row in self.robustness
                if row["question"] == question and not row.get("set_by_policy")
            ]
            if not rows:
                continue
            rarest = min(rows, key=lambda row: min(row["mean"], 1 - row["mean"]))
            share = min(rarest["mean"], 1 - rarest["mean"])
            if share * runs < RARE_RUNS:
                seen = "see it" if rarest["mean"] <= 0.5 else "miss it"
                found.append(
                    f"{question}: under {policy_words(rarest['policy'])} about "
                    f"{share * runs:.1f} of each experiment's {runs:,} runs {seen} (mean chance "
                    f"{rarest['mean']:.2%}), so its chances, regrets and shares there rest on a "
                    "handful of runs; more runs (--runs, runs= in Python) steady them"
                )
        return found

    def __repr__(self) -> str:
        # Short, for notebooks: the dataclass's own repr prints the whole frame's text.
        plan = self.plan
        levers = "; ".join(f"{lever.name}={','.join(lever.options)}" for lever in plan.levers)
        return (
            f"<ExploreResult: {plan.experiments:,} experiments ({len(plan.policies)} policies × "
            f"{len(plan.points)} points, {plan.design}), {plan.runs:,} runs each, seed "
            f"{plan.seed}; levers: {levers or 'none'}; {len(plan.uncertainties)} uncertainties>"
        )

    def save(self, folder: str | Path) -> dict[str, Path]:
        """Write experiments.parquet (one row per experiment) and explore.json (the plan and
        the robustness), both or neither."""
        from tightrope.outputs import StagedFiles, check_folder, json_text

        folder = Path(as_path("folder", folder, "a folder's path"))
        check_folder(folder, "the output folder")
        with StagedFiles(folder) as staged:
            paths = {
                "experiments": staged.write(
                    "experiments.parquet", lambda path: self.frame.to_parquet(path, index=False)
                ),
                "summary": staged.write_text("explore.json", json_text(self.to_dict())),
            }
            staged.commit()
        return paths

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiments": self.plan.experiments,
            "policies": len(self.plan.policies),
            "points": len(self.plan.points),
            "runs": self.plan.runs,
            "seed": self.plan.seed,
            "design": self.plan.design,
            "levers": {lever.name: list(lever.options) for lever in self.plan.levers},
            "uncertainties": list(self.plan.uncertainties),
            "labels": dict(self.labels),
            "reaching": dict(self.reaching),
            "robustness": self.robustness,
            "notes": self.notes(),
        }


def parse_lever(text: str, scenario: Scenario, parameters: Sequence[str]) -> Lever:
    """``EVENT=modelled,never,@3`` or ``PARAMETER=0.01,0.05``, checked against the scenario."""
    name, equals, given = text.partition("=")
    options = tuple(option.strip() for option in given.split(",") if option.strip())
    if not equals or not options:
        raise ExploreError("give LEVER=OPTION,OPTION,…", "lever", text)
    if len(options) > MAX_OPTIONS or len(set(options)) != len(options):
        raise ExploreError(f"at most {MAX_OPTIONS} distinct options", "lever", text)
    events = [event.id for event in scenario.events]
    if name in events:
        from tightrope.dynamics.model import simulated_months

        months = simulated_months(scenario)  # to the last deadline: a later month moves nothing
        for option in options:
            month = _forced_month(option, scenario)
            if option in (MODELLED, NEVER) or (month is not None and 1 <= month <= months):
                continue
            if option.startswith("x") and _hazard_scale(option) is not None:
                continue
            raise ExploreError(
                f"{option!r} is not modelled, never, @MONTH (1 to {months}, or the calendar "
                "month YYYY-MM it ends in) "
                f"or xFACTOR (a hazard scale from 0 to {MAX_HAZARD_SCALE:g})",
                "lever",
                text,
            )
        return Lever(name, options, event=True)
    if name in parameters:
        for option in options:
            try:
                value = float(option)
            except ValueError:
                raise ExploreError(f"{option!r} is not a number", "lever", text) from None
            if not math.isfinite(value):
                raise ExploreError(f"{option!r} is not a finite number", "lever", text)
        _check_values(scenario, name, options, text)
        return Lever(name, options, event=False)
    close = _closest(name, [*events, *parameters])
    raise ExploreError(
        f"{name!r} is neither an event nor a parameter of the scenario "
        + (
            f"(did you mean {close!r}?)" if close else "(tightrope provenance lists the parameters)"
        ),
        "lever",
        text,
    )


def _forced_month(option: str, scenario: Scenario) -> int | None:
    """The simulated month of an ``@MONTH`` option (its number or YYYY-MM), else None."""
    from tightrope.dynamics.interventions import month_number

    return month_number(option[1:], scenario.as_of) if option.startswith("@") else None


def _closest(name: str, known: Sequence[str]) -> str | None:
    """The known name closest to a misspelt one, if any is close."""
    import difflib

    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return close[0] if close else None


def _hazard_scale(option: str) -> float | None:
    """The factor of an ``xF`` option, or None if F is not a number from 0 to the limit."""
    try:
        factor = float(option[1:])
    except ValueError:
        return None
    return factor if 0 <= factor <= MAX_HAZARD_SCALE else None


def _check_values(scenario: Scenario, path: str, options: Sequence[str], text: str) -> None:
    """A parameter lever's values must lie within the parameter's bounds (as ``--set``)."""
    from tightrope.dynamics.interventions import Set, checked_interventions
    from tightrope.dynamics.model import compile_scenario

    try:
        settings = [Set(path, float(option)) for option in options]
        checked_interventions(scenario, compile_scenario(scenario), settings)
    except WhatIfError as error:  # "set P=V: why" would repeat the lever itself
        raise ExploreError(error.reason, "lever", text) from None
    except TightropeError as error:
        raise ExploreError(str(error), "lever", text) from None


def make_plan(
    scenario: Scenario,
    levers: Sequence[str] = (),
    uncertainties: Sequence[str] | None = None,
    *,
    design: Design = "lhs",
    samples: int = 100,
    runs: int = 1_000,
    seed: int = 0,
) -> Plan:
    """The experiments: every policy (the levers' options combined) at ``samples`` points of
    the uncertainties (for ``factorial``, ``samples`` levels per uncertainty)."""
    from tightrope.dynamics.model import compile_scenario, require_events

    require_events(scenario)
    model = compile_scenario(scenario)
    paths = [parameter.path for parameter in model.parameters]
    quantities = {parameter.path: parameter.quantity for parameter in model.parameters}
    per_occurrence = {parameter.path for parameter in model.parameters if parameter.per_occurrence}
    parsed = tuple(parse_lever(text, scenario, paths) for text in levers)
    if len({lever.name for lever in parsed}) != len(parsed):
        raise ExploreError("each lever once", "lever")
    chosen = (
        [p for p in paths if quantities[p].is_uncertain and p not in per_occurrence]
        if uncertainties is None
        else []
    )
    for path in uncertainties or ():
        if path not in quantities:
            close = _closest(path, paths)
            raise ExploreError(
                "not a parameter of the scenario"
                + (f" (did you mean {close!r}?)" if close else ""),
                "uncertainty",
                path,
            )
        if not quantities[path].is_uncertain:
            raise ExploreError("a fixed number, with no range to explore", "uncertainty", path)
        if path in per_occurrence:
            raise ExploreError(
                "drawn afresh at each occurrence (per_occurrence), not once per experiment: "
                "give it as a lever with values to compare",
                "uncertainty",
                path,
            )
        chosen.append(path)
    chosen = [path for path in chosen if path not in {lever.name for lever in parsed}]
    limits.check_count("runs per experiment", runs, 1, limits.MAX_RUNS)
    limits.check_count("seed", seed, 0, limits.MAX_SEED)
    limits.check_count("samples", samples, 1, limits.MAX_PARAMETER_SAMPLES)
    policies = math.prod(len(lever.options) for lever in parsed)
    if policies > MAX_POLICIES:
        raise ExploreError(f"{policies:,} policies: at most {MAX_POLICIES:,}")
    count = samples ** len(chosen) if design == "factorial" else samples
    if policies * count > MAX_EXPERIMENTS or (design == "factorial" and len(chosen) > 20):
        raise ExploreError(
            f"{policies:,} policies × {count:,} points: at most {MAX_EXPERIMENTS:,} experiments"
        )
    if policies * count * runs * model.months > 10 * limits.MAX_RUN_MONTHS:
        raise ExploreError(
            f"{policies * count * runs * model.months:,} run-months: at most "
            f"{10 * limits.MAX_RUN_MONTHS:,} in one exploration"
        )
    unit = unit_points(len(chosen), design, samples, seed)
    points = np.empty_like(unit)
    for column, path in enumerate(chosen):
        points[:, column] = quantities[path].ppf(unit[:, column])
    return Plan(
        levers=parsed,
        policies=tuple(itertools.product(*(lever.options for lever in parsed))),
        uncertainties=tuple(chosen),
        points=points,
        runs=runs,
        seed=seed,
        design=design,
    )


def unit_points(dimensions: int, design: Design, samples: int, seed: int) -> NDArray[np.float64]:
    """(points, dimensions) in the open unit cube."""
    from scipy.stats import qmc

    if dimensions == 0:
        return np.zeros((1, 0))
    if design == "factorial":
        levels = (np.arange(samples) + 0.5) / samples  # cell midpoints: never 0 or 1
        grid = np.meshgrid(*([levels] * dimensions), indexing="ij")
        return np.stack([axis.ravel() for axis in grid], axis=1)
    if design == "sobol":
        sampler: Any = qmc.Sobol(dimensions, scramble=True, seed=np.random.default_rng(seed))
        # Sobol' points balance best in powers of two; other counts are allowed, and scipy warns.
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            unit = sampler.random(samples)
    elif design == "lhs":
        unit = qmc.LatinHypercube(dimensions, seed=np.random.default_rng(seed)).random(samples)
    else:
        raise ExploreError("give lhs, sobol or factorial", "design", design)
    clipped: NDArray[np.float64] = np.clip(np.asarray(unit, dtype=float), 1e-9, 1 - 1e-9)
    return clipped


def tasks(plan: Plan) -> list[Task]:
    found = []
    for policy in range(len(plan.policies)):
        for first in range(0, len(plan.points), TASK_POINTS):
            found.append(Task(policy, first, min(TASK_POINTS, len(plan.points) - first)))
    return found


def sweep_run_months(plan: Plan, months: int) -> int:
    """The whole sweep's run-months: its experiments' simulations are small, but together they
    repay loading the compiled loops (see :mod:`tightrope.dynamics.loops`)."""
    return len(plan.policies) * len(plan.points) * plan.runs * months


def run_task(scenario: Scenario, plan: Plan, task: Task) -> dict[str, NDArray[np.float64]]:
    """The outcomes of one task's experiments, a column each (the same whoever runs it)."""
    from tightrope.dynamics.engine import Design as EngineDesign
    from tightrope.dynamics.engine import Interventions, simulate
    from tightrope.dynamics.loops import choose
    from tightrope.dynamics.model import compile_scenario, scaled_hazard

    model = compile_scenario(scenario)
    choose(sweep_run_months(plan, model.months))  # a large sweep loads the compiled loops, once
    options = plan.policies[task.policy]
    force, forbid, scale, settings = [], [], [], []
    parameters = np.array([p.quantity.estimate for p in model.parameters])
    for lever, option in zip(plan.levers, options, strict=True):
        if lever.event and option == NEVER:
            forbid.append(lever.name)
        elif lever.event and (month := _forced_month(option, scenario)) is not None:
            force.append((lever.name, month))
        elif lever.event and option.startswith("x"):
            hazard = model.events[model.event_index(lever.name)].hazard
            scale.append((hazard, float(option[1:])))
        elif not lever.event:
            parameters[model.parameter_index[lever.name]] = float(option)
            settings.append((lever.name, float(option)))  # an amount drawn per occurrence too
    matrix = np.tile(parameters, (task.count, 1))
    for column, path in enumerate(plan.uncertainties):
        matrix[:, model.parameter_index[path]] = plan.points[
            task.first : task.first + task.count, column
        ]
    for hazard, factor in scale:  # on the drawn hazard, so its uncertainty is kept
        matrix[:, hazard] = scaled_hazard(matrix[:, hazard], factor)
    design = EngineDesign(
        samples=task.count, runs=plan.runs, seed=plan.seed, common_random_numbers=True
    )
    interventions = Interventions(tuple(force), tuple(forbid), tuple(settings))
    _, record = simulate(scenario, design, interventions, parameters=matrix)
    return outcomes(scenario, record, task.count)


def outcomes(scenario: Scenario, record: Any, experiments: int) -> dict[str, NDArray[np.float64]]:
    """Per experiment: each binary question's probability; each ordinal question's mean level
    and the chance of each level; each event's chance of happening; the mean highest rung; each
    state variable's mean value at the end of the simulated months."""
    from tightrope.dynamics.results import per_sample_means

    def mean(values: NDArray[Any]) -> NDArray[np.float64]:
        return per_sample_means(values.astype(float), record.sample, experiments)

    columns: dict[str, NDArray[np.float64]] = {}
    for question in scenario.questions:
        answers = record.answers[question.id]
        if question.type == "binary":
            columns[question.id] = mean(answers)
            continue
        columns[question.id] = mean(answers)  # the mean level (0 = the first level)
        for index, level in enumerate(question.levels):
            columns[f"{question.id}={level.id}"] = mean(answers == index)
    for index, event in enumerate(scenario.events):
        columns[f"event:{event.id}"] = mean(record.first[:, index] > 0)
    if scenario.ladder is not None:
        columns["ladder:max"] = mean(record.ladder_max)
    if record.final is not None:
        for index, variable in enumerate(scenario.state):
            columns[f"state:{variable.id}"] = mean(record.final[:, index])
    return columns


def run_plan(
    scenario: Scenario,
    plan: Plan,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    maximize: Sequence[str] = (),
    threshold: float = 0.5,
    progress: Progress | None = None,
) -> ExploreResult:
    """Run every experiment: here (``workers`` processes) or on a Dask cluster (``scheduler``,
    ``tcp://HOST:8786``); the results are the same either way."""
    import pandas as pd

    limits.check_count("worker processes", workers, 1, limits.MAX_WORKERS)
    if scheduler is not None and not isinstance(scheduler, str):
        raise ExploreError("give an address such as tcp://HOST:8786", "scheduler", repr(scheduler))
    binary = {question.id for question in scenario.questions if question.type == "binary"}
    for question in maximize:
        if question not in binary:
            raise ExploreError("not a binary question of the scenario", "maximize", question)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise ExploreError("give a chance from 0 to 1", "threshold", repr(threshold))
    if not 0 <= threshold <= 1:
        raise ExploreError("give a chance from 0 to 1", "threshold", f"{threshold:g}")
    work = tasks(plan)
    if scheduler is not None:
        from tightrope.exploratory.cluster import run_on_cluster

        parts = run_on_cluster(scheduler, scenario, plan, work, progress)
    elif workers > 1 and len(work) > 1:
        from tightrope.workers import run_all

        parts = run_all(
            workers,
            functools.partial(run_task, scenario, plan),
            work,
            None if progress is None else lambda task, _: progress(task.count),
        )
    else:
        parts = []
        for task in work:
            parts.append(run_task(scenario, plan, task))
            if progress is not None:
                progress(task.count)
    rows = []
    done = 0
    for task, part in zip(work, parts, strict=True):
        points = slice(task.first, task.first + task.count)
        columns: dict[str, Any] = {
            "experiment": np.arange(done, done + task.count),
            "policy": task.policy,
            "point": np.arange(task.first, task.first + task.count),
        }
        for number, lever in enumerate(plan.levers):
            columns[f"lever:{lever.name}"] = plan.policies[task.policy][number]
        for column, path in enumerate(plan.uncertainties):
            columns[path] = plan.points[points, column]
        rows.append(pd.DataFrame({**columns, **part}))
        done += task.count
    frame = pd.concat(rows, ignore_index=True)
    from tightrope.dynamics.dependencies import parameter_labels, reachable_by_outcome

    words = parameter_labels(scenario)
    labels = {path: words.get(path, path) for path in plan.uncertainties}
    reaching = {
        column: [path for path in plan.uncertainties if path in paths]
        for column, paths in reachable_by_outcome(scenario).items()
    }
    return ExploreResult(
        plan, frame, robustness(scenario, plan, frame, maximize, threshold), labels, reaching
    )


def robustness(
    scenario: Scenario,
    plan: Plan,
    frame: Any,
    maximize: Sequence[str] = (),
    threshold: float = 0.5,
) -> list[dict[str, Any]]:
    """Per policy and binary question: the mean chance across the uncertainty points with its
    Monte Carlo error (``mean_error``), the largest regret (how much worse than the best policy
    at the same point, the worst case over points) and the satisficing share (the share of
    points where the chance is at most ``threshold``, or at least it for a question to
    maximise)."""
    found = []
    events = {q.id: q.event for q in scenario.questions if q.type == "binary"}
    for question, event in events.items():
        wide = frame.pivot(index="point", columns="policy", values=question)
        up = question in maximize
        best = wide.max(axis=1) if up else wide.min(axis=1)
        gap = best.to_numpy()[:, None] - wide.to_numpy()
        regret = gap if up else -gap  # ≥ 0: how far from the best policy at that point
        satisfied = wide >= threshold if up else wide <= threshold
        for number, policy in enumerate(wide.columns):
            chances = wide[policy].to_numpy()
            chosen = policy_of(plan, policy)
            fixed = _set_by_policy(chosen.get(event or ""), chances)
            found.append(
                {
                    "question": question,
                    "goal": "maximise" if up else "minimise",
                    "policy": chosen,
                    "mean": float(chances.mean()),
                    "mean_se": 0.0 if fixed else mean_error(chances, plan),
                    "set_by_policy": fixed,
                    "max_regret": float(regret[:, number].max()) + 0.0,
                    "satisficing_share": float(satisfied[policy].mean()),
                }
            )
    return found


def _set_by_policy(option: str | None, chances: NDArray[np.float64]) -> bool:
    """Whether the policy itself settles the question: its event forbidden and never seen, or
    forced and seen in every run. Such a chance has no Monte Carlo error, and more runs would
    not change it."""
    if option == NEVER:
        return bool(np.all(chances == 0.0))
    return option is not None and option.startswith("@") and bool(np.all(chances == 1.0))


def mean_error(chances: NDArray[np.float64], plan: Plan) -> float:
    """The Monte Carlo error of a policy's mean chance over the design's points, as an upper
    bound. Every experiment runs on the same random numbers, so their binomial errors are
    correlated and do not average out over the points: their share of the mean's variance is at
    most one experiment's, the mean of p(1 − p)/runs. Each p is taken as Agresti and Coull's
    (1998): as if two more runs had the event and two more had not, since a rare event's count
    understates its own error (none seen would claim none; on a user's crisis a 1.7 % clash seen
    as 0.4 % claimed ± 0.3 points). A sampled design (Latin hypercube, Sobol') adds the spread of
    the chances across points over the number of points (for these designs an overestimate); a
    factorial grid's mean has no sampling error."""
    runs = plan.runs + 4
    adjusted = (chances * plan.runs + 2) / runs
    variance = float(np.mean(adjusted * (1 - adjusted))) / runs
    if plan.design != "factorial" and len(chances) > 1:
        variance += float(np.var(chances, ddof=1)) / len(chances)
    return math.sqrt(variance)


def policy_of(plan: Plan, policy: int) -> dict[str, str]:
    names = [lever.name for lever in plan.levers]
    return dict(zip(names, plan.policies[policy], strict=True))


CONDITION = re.compile(r"^\s*([A-Za-z0-9_.:=\[\]-]+)\s*(>=|<=|>|<)\s*(-?[0-9.]+(?:e-?[0-9]+)?)\s*$")


def condition_column(condition: str) -> str | None:
    """The column ``COLUMN OP NUMBER`` reads (None if it does not parse)."""
    match = CONDITION.match(condition)
    return None if match is None else match.group(1)


def condition_mask(frame: Any, condition: str) -> NDArray[np.bool_]:
    """Rows where ``COLUMN OP NUMBER`` holds (parsed, never evaluated as code)."""
    match = CONDITION.match(condition)
    if match is None:
        raise ExploreError("give COLUMN >= NUMBER (or >, <=, <)", "where", repr(condition))
    column, operator, number = match.group(1), match.group(2), float(match.group(3))
    if column not in frame.columns:
        from tightrope.scenario.checks import unknown

        message = unknown("outcome column", column, [str(name) for name in frame.columns])
        raise ExploreError(message.replace("unknown", "no", 1), "where", repr(condition))
    try:
        values = frame[column].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ExploreError(f"column {column!r} is not numeric", "where", repr(condition)) from None
    compare = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less}
    return np.asarray(compare[operator](values, number))
