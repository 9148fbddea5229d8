"""The monthly Monte Carlo simulation of a crisis.

Uncertainty has two layers, as in exploratory modelling: an outer loop samples the uncertain
parameters (what we do not know), an inner loop replays runs with each parameter set (chance).
Runs are numbered sample by sample and grouped into *streams*: stream b holds runs
b·block … (b+1)·block − 1 and draws every random number from its own generator, seeded by
(seed, b). Each month a stream draws one uniform per event for each of its runs, event by event,
then one per trigger and one per campaign with an ending hazard; amounts, counts and the state
variables' own monthly changes come from three generators of their own. Version 0.2 set this
order (0.1's runs are reproduced by 0.1 only; tests/dynamics/test_stream_equivalence.py checks
that the distribution stayed). Streams are computed together in vectorised tiles, in one process
or several; the result does not depend on how they are tiled or on the number of workers. With
common random numbers (for screening designs, whose points are compared with each other) every
parameter sample instead replays the same streams, so a difference between two samples is the
parameters' doing, not chance's.

A month, for every run at once:
1. conditions are evaluated on the history up to the month before;
2. each eligible event happens with its monthly hazard, its odds multiplied by the odds ratios of
   the modifiers whose condition holds; lagged triggers due this month fire;
3. same-month triggers propagate (validation guarantees they form no cycle); forced events
   happen, forbidden ones do not;
4. effects apply in event order and are clipped to the variables' bounds; campaigns start, apply
   their monthly effects, and end with their ending hazard (or after a fixed number of months,
   or in a month an event that ends them happens); then the state variables that move by
   themselves take their month's step (normal, added or in the logarithm), within their bounds;
5. the ladder rises to the level of any event that happened, then to any level whose condition
   holds at the end of the month;
6. the questions due this month are answered on their deadline's day, the day of the month's
   changes taken as uniform (``_settle``).
"""

from __future__ import annotations

import math
import mmap
import multiprocessing
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from tightrope import limits
from tightrope._types import Array, Mask, Progress
from tightrope.dynamics.calendar import Deadline
from tightrope.dynamics.evidence import Evidence, Measurement
from tightrope.dynamics.loops import OPERATIONS, as_indices, choose
from tightrope.dynamics.model import (
    NEVER,
    CompiledCoupling,
    CompiledEffect,
    CompiledEvent,
    CompiledModel,
    Condition,
    History,
    RunParameters,
    compile_condition,
    compile_scenario,
    issue_column,
)
from tightrope.scenario import expressions
from tightrope.scenario.schema import Scenario
from tightrope.workers import run_all
from tightrope.workers import shared as workers_shared

Value = TypeVar("Value")
Stream = tuple[tuple[int, ...], int, int]  # generator key, first run, runs

FAN_RUNS = 50_000  # fan charts use the first runs of each parameter sample, up to this many


@dataclass(frozen=True)
class Interventions:
    """What-if changes: events forced at a month, events forbidden and parameters set from
    ``from_month`` on (the first month, or on a conditioned forecast the first after the
    evidence: the months before keep their drawn parameters)."""

    force: tuple[tuple[str, int], ...] = ()
    forbid: tuple[str, ...] = ()
    set: tuple[tuple[str, float], ...] = ()
    from_month: int = 1

    @property
    def empty(self) -> bool:
        return not (self.force or self.forbid or self.set)


@dataclass(frozen=True)
class Design:
    """The experiment: parameter samples × runs per sample, the seed, the months."""

    samples: int = 200
    runs: int = 500
    seed: int = 0
    months: int | None = None
    block: int = 10_000
    tile: int = 10_000  # runs computed together, a tile's columns small enough to stay in cache
    common_random_numbers: bool = False

    @property
    def streams(self) -> list[tuple[tuple[int, ...], int, int]]:
        """Each stream's generator key, its first run and its number of runs."""
        if self.common_random_numbers:
            per_sample = math.ceil(self.runs / self.block)
            return [
                (
                    (self.seed, 4, b),
                    m * self.runs + b * self.block,
                    min(self.block, self.runs - b * self.block),
                )
                for m in range(self.samples)
                for b in range(per_sample)
            ]
        total = self.total_runs
        return [
            ((self.seed, 2, b), start, min(self.block, total - start))
            for b, start in enumerate(range(0, total, self.block))
        ]

    @property
    def total_runs(self) -> int:
        return self.samples * self.runs

    @classmethod
    def for_runs(
        cls, runs: int, samples: int | None = None, seed: int = 0, months: int | None = None
    ) -> Design:
        """About ``runs`` runs split into ``samples`` parameter samples (default: one per
        ``limits.RUNS_PER_SAMPLE`` runs); rounds up to a whole number of runs per sample.

        Many samples with few runs each: the outer (parameter) draw dominates the error of a
        probability, so spreading a budget over more samples shrinks that error most, and the
        interval removes the binomial noise of the few runs (see ``dynamics.results``). At
        200,000 runs, 5,000 samples × 40 runs keep the interval's endpoints within about ±0.01
        from seed to seed on the built-in case (benchmarks/intervals.py)."""
        limit = limits.MAX_PARAMETER_SAMPLES
        limits.check_count("runs", runs, 1, limits.MAX_RUNS)
        if samples is not None:
            limits.check_count("parameter samples", samples, 1, limit)
        if months is not None:
            limits.check_count("months", months, 1, limits.MAX_MONTHS)
        samples = min(samples or max(1, min(limit, runs // limits.RUNS_PER_SAMPLE)), runs)
        return cls(
            samples=samples, runs=max(1, math.ceil(runs / samples)), seed=seed, months=months
        )


@dataclass
class RunRecord:
    """Per-run outcomes of a simulation, in run order (sample-major)."""

    first: NDArray[np.int16]  # (runs, events): month of the first occurrence, 0 if never
    counts: NDArray[np.int16]  # (runs, events)
    ladder_max: NDArray[np.int8]  # (runs,)
    answers: dict[str, NDArray[np.int16]]  # question id → (runs,) 0/1 or level index
    # (fan runs, months + 1, variables), single precision: 50,000 runs of a large scenario
    # would otherwise take hundreds of megabytes (and converting them took 0.15 s).
    fan: NDArray[np.float32]
    fan_sample: NDArray[np.int32]  # (fan runs,) parameter sample of each fan run
    fan_run: NDArray[np.int64]  # (fan runs,) index of each fan run among all runs
    sample: NDArray[np.int32]  # (runs,) parameter sample of each run
    parameters: Array  # (samples, parameters): the outer-loop draws
    loglik: Array | None = None  # (runs, evidence items): log-likelihood of each observation
    # (runs, evidence items): the part of loglik that is the log weight of a step drawn
    # toward the item's reading (_Tile._guided); None where no variable both moves by itself
    # and is read
    proposal: Array | None = None
    # (runs, evidence items), measurements only: the chance of a reading within its ± sd
    within: NDArray[np.float32] | None = None
    final: NDArray[np.float32] | None = None  # (runs, state variables): the state at the end
    # (runs,) in a resampled (posterior) record, the simulated run each row copies
    origin: NDArray[np.int64] | None = None


def draw_parameters(
    model: CompiledModel, samples: int, seed: int, overrides: Sequence[tuple[str, float]] = ()
) -> Array:
    """(samples, parameters): every parameter from its own stream keyed by seed and path."""
    table = np.empty((samples, len(model.parameters)))
    for index, parameter in enumerate(model.parameters):
        rng = np.random.default_rng([seed, 1, zlib.crc32(parameter.path.encode())])
        table[:, index] = parameter.quantity.sample(rng, samples)
    for path, value in overrides:
        table[:, model.parameter_index[path]] = value
    return table


def simulate(
    scenario: Scenario,
    design: Design,
    interventions: Interventions = Interventions(),
    *,
    workers: int = 1,
    progress: Progress | None = None,
    parameters: Array | None = None,
    evidence: Evidence | None = None,
) -> tuple[CompiledModel, RunRecord]:
    """Run the experiment; ``progress`` receives the number of runs just finished.

    ``parameters`` (samples, parameters) replaces the outer-loop draws, for designed experiments.
    ``evidence`` clamps and weighs the observed months (see :mod:`tightrope.dynamics.evidence`);
    the record then holds each run's log-likelihood of each observation.
    """
    model = compile_scenario(scenario, design.months)
    tile_runs = check_design(model, design, workers)
    choose(design.total_runs * model.months)  # compiled loops load here, before workers fork
    if parameters is None:
        from_start = interventions.set if interventions.from_month == 1 else ()
        parameters = draw_parameters(model, design.samples, design.seed, from_start)
    elif parameters.shape != (design.samples, len(model.parameters)):
        raise ValueError("the parameter matrix must have one row per sample and one column each")
    tiles: list[list[Stream]] = [[]]
    size = 0
    for stream in design.streams:
        if size + stream[2] > tile_runs and tiles[-1]:
            tiles.append([])
            size = 0
        tiles[-1].append(stream)
        size += stream[2]
    table = np.asfortranarray(parameters)  # a parameter's column contiguous to gather from
    parallel = workers > 1 and len(tiles) > 1
    # Forked workers write into shared arrays; other start methods copy what they are sent.
    in_shared_memory = parallel and multiprocessing.get_start_method() == "fork"
    record = _Assembly(model, design, parameters, evidence, in_shared_memory)
    if parallel:

        def take(tile: list[Stream], result: _Part | tuple[int, int]) -> None:
            placed = result if isinstance(result, tuple) else record.place(result, tile[0][1])
            record.count(placed)
            if progress is not None:
                progress(placed[0])

        shared = (scenario, design, interventions, table, evidence)
        run_all(workers, _run_tile_job, tiles, take, (*shared, in_shared_memory and record))
    else:
        for tile in tiles:
            part = _Tile(model, design, interventions, table, tile, evidence).run()
            record.count(record.place(part, tile[0][1]))
            if progress is not None:
                progress(part.runs)
    return model, record.finish()


DEFENSIVE = 0.05  # the share of a guided step drawn from its own law (_Tile._guided)


@dataclass(frozen=True)
class _Walk:
    """A variable's own step this month, to be drawn toward a reading: whether it moves the
    logarithm, the value it starts from (after the month's events), and each run's standard
    deviation and mean."""

    relative: bool
    start: Array
    sd: Array
    mean: Array

    def origin(self, value: Array) -> Array:
        """A value on the step's scale: itself, or its logarithm (NaN where not above 0)."""
        if not self.relative:
            return value
        positive = value > 0
        return np.where(positive, np.log(np.where(positive, value, 1.0)), np.nan)


def _log_normal(x: Array, centre: Array | float, spread: Array | float) -> Array:
    """The normal log density, elementwise (scipy.stats.norm.logpdf, without its overhead on
    every month's arrays)."""
    z = (x - centre) / spread
    result: Array = -0.5 * z * z - np.log(spread) - 0.5 * math.log(2 * math.pi)
    return result


def _events_read(condition: str | None) -> set[str]:
    """The events a condition reads."""
    if condition is None:
        return set()
    return {call.event for call in expressions.references(expressions.parse(condition))[1]}


def guides(model: CompiledModel, evidence: Evidence | None) -> bool:
    """Whether some step will be drawn toward a reading: a variable that moves by itself is
    read (_Tile._guided)."""
    walking = {change.column for change in model.changes}
    return evidence is not None and any(
        m.column in walking for entries in evidence.measured.values() for m in entries
    )


def check_design(model: CompiledModel, design: Design, workers: int) -> int:
    """Refuse a design beyond the limits or the memory budget, before anything is allocated;
    return how many runs a tile may hold (fewer than ``design.tile`` for a large scenario, which
    changes nothing in the results: they do not depend on the tiling)."""
    limits.check_count("seed", design.seed, 0, limits.MAX_SEED)
    limits.check_count("parameter samples", design.samples, 1, limits.MAX_PARAMETER_SAMPLES)
    limits.check_count("runs", design.total_runs, 1, limits.MAX_RUNS)
    limits.check_count("months", model.months, 1, limits.MAX_MONTHS)
    limits.check_count("worker processes", workers, 1, limits.MAX_WORKERS)
    if design.total_runs * model.months > limits.MAX_RUN_MONTHS:
        raise limits.LimitError(
            f"{design.total_runs:,} runs × {model.months} months is "
            f"{design.total_runs * model.months:,} run-months; the limit is "
            f"{limits.MAX_RUN_MONTHS:,}"
        )
    events, variables = len(model.events), len(model.variables)
    questions, parameters = len(model.scenario.questions), len(model.parameters)
    triggers = sum(len(event.triggers) for event in model.events)
    # Bytes per run: the record (first month, count, answers, ladder, sample) held about three
    # times over while tiles are merged and summarised; a tile's month-by-month history.
    record_per_run = 3 * (4 * events + 2 * questions + 5 + 4 * len(model.scenario.state))
    tile_per_run = 2 * (model.months + 2) * events + 80 * events + 24 * variables
    tile_per_run += 8 * parameters + 16 * triggers
    # Each condition and term is kept for the month once evaluated (up to 8 bytes a run).
    read_monthly = {id(condition) for event in model.events for condition, _ in event.modifiers}
    read_monthly |= {id(term) for event in model.events for term, _ in event.covariates}
    read_monthly |= {id(event.requires) for event in model.events if event.requires is not None}
    tile_per_run += 8 * len(read_monthly)
    fan_width = max(1, len(model.fan_columns))
    fan = min(FAN_RUNS, design.total_runs) * (model.months + 1) * fan_width * 16
    smallest_tile = max(n for _, _, n in design.streams[:2])
    fixed = design.total_runs * record_per_run + fan + design.samples * parameters * 8
    concurrent = workers  # each worker process holds one tile at a time
    room = limits.MEMORY_BUDGET - fixed
    limits.check_memory(
        f"{design.total_runs:,} runs of this scenario ({events} events, {model.months} months)",
        fixed + concurrent * smallest_tile * tile_per_run,
    )
    # A scenario with nothing to simulate costs nothing per run: one tile holds them all.
    return max(smallest_tile, min(design.tile, room // max(1, concurrent * tile_per_run)))


_worker_model: tuple[object, CompiledModel] | None = None  # a worker's model, and its source


def _run_tile_job(tile: list[Stream]) -> _Part | tuple[int, int]:
    """A tile in a worker process: its part, or, where the record is in shared memory, its
    counts once the part is in place. The scenario, design and parameters reach each worker once
    (:func:`tightrope.workers.shared`); compiled conditions are closures, which do not pickle,
    so the worker compiles the scenario itself, once."""
    global _worker_model
    shared = workers_shared()
    scenario, design, interventions, parameters, evidence, record = shared
    if _worker_model is None or _worker_model[0] is not shared:
        _worker_model = (shared, compile_scenario(scenario, design.months))
    part = _Tile(_worker_model[1], design, interventions, parameters, tile, evidence).run()
    return record.place(part, tile[0][1]) if record else part


@dataclass
class _Part:
    """One tile's record, run-major, in the order of the tile's runs (a RunRecord's pieces)."""

    first: NDArray[np.int16]
    counts: NDArray[np.int16]
    ladder_max: NDArray[np.int8]
    answers: dict[str, NDArray[np.int16]]
    fan: NDArray[np.float32]
    fan_sample: NDArray[np.int32]
    fan_local: NDArray[np.intp]  # each fan run's index among the tile's runs
    sample: NDArray[np.int32]
    loglik: Array
    proposal: Array | None
    within: NDArray[np.float32] | None
    final: NDArray[np.float32]

    @property
    def runs(self) -> int:
        return len(self.sample)


class _Assembly:
    """The record, each tile's part put in its place as the tile finishes (while the workers
    compute the next ones: joining a million runs' parts at the end took 0.17 s).

    With ``in_shared_memory``, the arrays live in memory that worker processes forked after
    it share with this one: a worker puts its tile's part in place itself and returns only its
    counts. Sending each part back instead cost this process (and the workers) a third of a
    core at a million runs, time the workers' own cores lost."""

    def __init__(
        self,
        model: CompiledModel,
        design: Design,
        parameters: Array,
        evidence: Evidence | None,
        in_shared_memory: bool = False,
    ) -> None:
        runs, events = design.total_runs, len(model.events)
        self.design = design
        self.questions = [question.id for question in model.scenario.questions]
        self.fan_per_sample = min(fan_runs_per_sample(design), design.runs)
        fan_runs = min(design.samples, FAN_RUNS) * self.fan_per_sample
        fan_shape = (min(FAN_RUNS, fan_runs), model.months + 1, len(model.fan_columns))
        items = 0 if evidence is None else len(evidence.items)
        empty = _shared_empty if in_shared_memory else np.empty
        self.final = empty((runs, len(model.scenario.state)), np.float32)
        self.record = RunRecord(
            first=empty((runs, events), np.int16),
            counts=empty((runs, events), np.int16),
            ladder_max=empty((runs,), np.int8),
            answers={q: empty((runs,), np.int16) for q in self.questions},
            fan=empty(fan_shape, np.float32),
            fan_sample=empty((fan_shape[0],), np.int32),
            fan_run=empty((fan_shape[0],), np.int64),
            sample=empty((runs,), np.int32),
            parameters=parameters,
            loglik=None if evidence is None else empty((runs, items), np.float64),
            proposal=empty((runs, items), np.float64) if guides(model, evidence) else None,
            within=empty((runs, items), np.float32) if evidence and evidence.measured else None,
            final=self.final,
        )
        self.runs = 0  # runs put in place so far
        self.fan_runs = 0

    def place(self, part: _Part, first_run: int) -> tuple[int, int]:
        """Put a tile's part in its place; return its runs and fan runs."""
        record, rows = self.record, slice(first_run, first_run + part.runs)
        record.first[rows] = part.first
        record.counts[rows] = part.counts
        record.ladder_max[rows] = part.ladder_max
        for question in self.questions:
            record.answers[question][rows] = part.answers[question]
        record.sample[rows] = part.sample
        self.final[rows] = part.final
        if record.loglik is not None:
            record.loglik[rows] = part.loglik
        if record.proposal is not None and part.proposal is not None:
            record.proposal[rows] = part.proposal
        if record.within is not None and part.within is not None:
            record.within[rows] = part.within
        # The fans keep the first fan runs of the whole record, in run order.
        samples_before, runs_into_sample = divmod(first_run, self.design.runs)
        fan_before = min(samples_before, FAN_RUNS) * self.fan_per_sample
        if samples_before < FAN_RUNS:
            fan_before += min(runs_into_sample, self.fan_per_sample)
        kept = max(0, min(len(part.fan_local), len(record.fan) - fan_before))
        fans = slice(fan_before, fan_before + kept)
        record.fan[fans] = part.fan[:kept]
        record.fan_sample[fans] = part.fan_sample[:kept]
        record.fan_run[fans] = part.fan_local[:kept] + first_run
        return part.runs, kept

    def count(self, placed: tuple[int, int]) -> None:
        self.runs += placed[0]
        self.fan_runs += placed[1]

    def finish(self) -> RunRecord:
        assert self.runs == len(self.record.sample)
        assert self.fan_runs == len(self.record.fan)
        return self.record


def _shared_empty(shape: tuple[int, ...], dtype: type[np.generic]) -> NDArray[Any]:
    """An uninitialised array in memory shared with the processes this one forks from now on."""
    size = math.prod(shape) * np.dtype(dtype).itemsize
    if size == 0:
        return np.empty(shape, dtype)
    return np.frombuffer(mmap.mmap(-1, size), dtype=dtype).reshape(shape)


def fan_runs_per_sample(design: Design) -> int:
    """Fan charts keep the first runs of each sample: at least one, of at most FAN_RUNS samples."""
    return max(1, FAN_RUNS // design.samples)


def _question_column(model: CompiledModel, question_id: str) -> int | None:
    """The values column an ordinal question cuts (None for the ladder)."""
    question = model.scenario.question(question_id)
    if question.issue is not None:
        return model.variables.index(issue_column(question.issue, question.actor))
    if question.variable is None or question.variable == "ladder":
        return None
    return model.variables.index(question.variable)


def _extreme_columns(model: CompiledModel) -> list[int]:
    """The columns whose highest or lowest value over the months a question asks for."""
    columns = {
        _question_column(model, question.id)
        for question in model.scenario.questions
        if question.type == "ordinal" and question.statistic != "final"
    }
    return sorted(column for column in columns if column is not None)


class _Extremes:
    """Each run's highest and lowest value so far of the columns questions ask it of (only
    those: a coupled model has many bargaining columns no question reads this way)."""

    def __init__(self, values: Array, columns: list[int]) -> None:
        self.columns = np.array(columns, dtype=np.intp)
        self.where = {column: index for index, column in enumerate(columns)}
        self.highest = values[:, self.columns]
        self.lowest = self.highest.copy()

    def update(self, values: Array) -> None:
        if self.columns.size:
            current = values[:, self.columns]
            np.maximum(self.highest, current, out=self.highest)
            np.minimum(self.lowest, current, out=self.lowest)

    def read(self, values: Array, statistic: str, column: int) -> Array:
        if statistic == "final":
            return values[:, column]
        table = self.highest if statistic == "max" else self.lowest
        return table[:, self.where[column]]


@dataclass
class _TileState:
    """What a tile carries from month to month besides the random streams."""

    history: History
    started: NDArray[np.int32]  # (events, runs): the month each campaign under way began
    scheduled: Mask  # (months + 2, events, runs): lagged triggers due in each month
    first: NDArray[np.int16]  # (events, runs): month of the first occurrence, 0 if never
    ladder_max: Array  # (runs,)
    extremes: _Extremes
    fan: Array  # (fan runs, months + 1, fan columns)
    monthly: Array  # (events, runs): each event's monthly hazard before its modifiers
    answers: dict[str, NDArray[np.int16]] = field(default_factory=dict)
    # A state question's answer at the end of the month before its deadline's (see _settle).
    before: dict[str, NDArray[np.int16]] = field(default_factory=dict)
    # A measured variable's value at the end of the month before its measurement's (evidence
    # item → runs; see _measurements).
    measured_before: dict[int, Array] = field(default_factory=dict)


class _Tile:
    """A group of streams simulated together."""

    def __init__(
        self,
        model: CompiledModel,
        design: Design,
        interventions: Interventions,
        parameters: Array,
        streams: list[Stream],
        evidence: Evidence | None = None,
    ) -> None:
        self.model = model
        self.evidence = evidence
        self.loops = choose(design.total_runs * model.months)
        items = 0 if evidence is None else len(evidence.items)
        self.loglik = np.zeros((sum(n for _, _, n in streams), items))
        # Each run's log weight for the step drawn toward each reading (_guided): the prior's
        # density over the proposal's, 0 where no step was guided (also in loglik).
        self.proposal = np.zeros(self.loglik.shape) if guides(model, evidence) else None
        # This month's own step of each variable read in it, with its standard deviation and
        # whether it is relative: column → (step, sd, relative), for the reading's bridge.
        self.walked: dict[int, tuple[Array, Array, bool]] = {}
        self.within = (
            np.zeros(self.loglik.shape, np.float32) if evidence and evidence.measured else None
        )
        self.months = model.months
        self.keys = [key for key, _, _ in streams]
        self.state_columns = len(model.scenario.state)
        # The issues each bargaining column feeds.
        coupling = model.coupling
        self.feeds = (
            {}
            if coupling is None
            else {
                column: coupling.issues_fed_by(column)
                for column in range(self.state_columns, len(model.variables))
            }
        )
        self.generators = [np.random.default_rng(list(key)) for key in self.keys]
        # Amounts and counts come from separate streams: their samplers consume a varying
        # number of random bits (rejection sampling), which would otherwise shift every later
        # uniform when a parameter changes, and break common random numbers between designs.
        self.amounts = [np.random.default_rng([*key, 7]) for key in self.keys]
        self.counts = [np.random.default_rng([*key, 8]) for key in self.keys]
        self.steps = [np.random.default_rng([*key, 9]) for key in self.keys]
        self.sizes = [n for _, _, n in streams]
        # This month's value of each condition and term, on the history before the month's
        # events: several events read the same one (the model compiles each text once).
        self.this_month: dict[Callable[[History], Any], Any] = {}
        run = np.concatenate([np.arange(start, start + n) for _, start, n in streams])
        self.sample = (run // design.runs).astype(np.int32)
        self.theta = RunParameters(parameters, self.sample)
        # (issues, runs): the runs whose inputs to an issue's settlement changed since it was
        # last solved (all of them solved at the start).
        issues = 0 if coupling is None else len(coupling.settlements)
        self.moved = np.zeros((issues, len(self.sample)), dtype=bool)
        self.forced: dict[int, set[int]] = {}  # event → the months it is forced in
        for event_id, month in interventions.force:
            self.forced.setdefault(model.event_index(event_id), set()).add(month)
        self.forbidden = {model.event_index(e) for e in interventions.forbid}
        self.from_month = interventions.from_month
        # Amounts drawn afresh at each occurrence that a what-if sets: from ``from_month`` on,
        # the runs read the set value instead of their draw (see ``run`` and ``_apply``).
        self.set_parameters = frozenset(model.parameter_index[p] for p, _ in interventions.set)
        self.pinned: frozenset[int] = frozenset()
        # Numbers set from a later month: the runs read them from then on (see ``run``).
        self.later: RunParameters | None = None
        if interventions.set and self.from_month > 1:
            self.later = RunParameters(parameters, self.sample)
            for path, value in interventions.set:
                self.later.gathered[model.parameter_index[path]] = np.full(len(self.sample), value)
        self.fan_keep = (run % design.runs < fan_runs_per_sample(design)) & (self.sample < FAN_RUNS)
        self.fan_rows = np.flatnonzero(self.fan_keep)
        self.fan_columns = np.array(model.fan_columns, dtype=np.intp)
        self.deadlines = question_deadlines(model)
        # Each trigger's row among the month's trigger uniforms, then each campaign's with an
        # ending hazard (the other events draw none since version 0.2), and each rung of the
        # ladder.
        slots = [(e.index, t) for e in model.events for t in range(len(e.triggers))]
        self.trigger_slots = {slot: column for column, slot in enumerate(slots)}
        ending = [e.index for e in model.events if e.ending_hazard is not None]
        self.ending_slots = {event: len(slots) + number for number, event in enumerate(ending)}
        # The same-month triggers whose target's precondition reads their source: (source,
        # target). Where one fires, the precondition is read with the source counted.
        self.follows = {
            (event.index, target)
            for event in model.events
            for target, _, lag in event.triggers
            if lag == 0 and event.id in _events_read(model.scenario.events[target].requires)
        }
        # This month, each target → the runs a trigger's source let in (_allowed_column).
        self.followed: dict[int, Mask] = {}
        # This month, each target the evidence decides → the chance its same-month triggers
        # set it off in each run (_events, _clamp).
        self.set_off: dict[int, Array] = {}
        # Each campaign → the events that end it.
        self.enders: dict[int, list[int]] = {}
        for event in model.events:
            for campaign in event.ends:
                self.enders.setdefault(campaign, []).append(event.index)
        rungs = [(e.index, float(e.ladder)) for e in model.events if e.ladder is not None]
        self.rung_events = as_indices([event for event, _ in rungs])
        self.rung_levels = np.array([level for _, level in rungs])

    def uniforms(self, rows: int) -> Array:
        """(rows, runs) uniforms, each stream from its own generator, row by row (since version
        0.2: a row is then contiguous for the comparisons that read it)."""
        if len(self.generators) == 1:
            drawn = np.empty((rows, len(self.sample)))
            self.generators[0].random(out=drawn)
            return drawn
        return np.concatenate(
            [rng.random((rows, n)) for rng, n in zip(self.generators, self.sizes, strict=True)],
            axis=1,
        )

    def fresh(self, effect: CompiledEffect) -> Array:
        """A new draw of an effect's amount for every run (used where the event happens)."""
        assert effect.quantity is not None
        return np.concatenate(
            [
                effect.quantity.sample(rng, n)
                for rng, n in zip(self.amounts, self.sizes, strict=True)
            ]
        )

    def normals(self, rows: int) -> Array:
        """(rows, runs) standard normal draws for the state variables' own monthly changes."""
        return np.concatenate(
            [rng.standard_normal((rows, n)) for rng, n in zip(self.steps, self.sizes, strict=True)],
            axis=1,
        )

    def picks(self) -> Array:
        """A uniform for every run, from the monthly changes' streams: which part of a guided
        step's mixture each run draws from."""
        return np.concatenate(
            [rng.random(n) for rng, n in zip(self.steps, self.sizes, strict=True)]
        )

    def poisson(self, rate: Array) -> Array:
        """A count for every run, drawn only where the rate is not zero: numpy's sampler returns
        0 for a zero rate without consuming a random bit, so skipping those runs leaves every
        stream's draws as they were (a NaN rate is still passed, and refused, as before)."""
        count = np.zeros(len(rate))
        start = 0
        for rng, n in zip(self.counts, self.sizes, strict=True):
            rows = start + np.flatnonzero(~(rate[start : start + n] <= 0.0))
            count[rows] = rng.poisson(rate[rows])
            start += n
        return count

    def run(self) -> _Part:
        """Simulate the tile month by month (the steps of the module docstring)."""
        state = self._start()
        for month in range(1, self.months + 1):
            state.history.month = month
            self.this_month.clear()
            self.followed.clear()
            if month == self.from_month:
                self.pinned = self.set_parameters
            if month == self.from_month and self.later is not None:
                self.theta = self.later
                state.monthly = np.array([self._monthly(event) for event in self.model.events])
            happening, draws = self._events(state, month)  # steps 1–3
            self._consequences(state, happening, draws, month)  # step 4
            self._record(state, happening, month)  # step 5
            self._observe(state, month)
        return self._result(state)

    def _start(self) -> _TileState:
        """The runs before their first month: starting values, settlements solved."""
        model, months, runs = self.model, self.months, len(self.sample)
        events = len(model.events)
        # The runs of a parameter sample start alike: their starting values, settlements
        # solved, are computed once per sample and copied to its runs.
        present, which = np.unique(self.sample, return_inverse=True)
        starting = model.initial_values(RunParameters(self.theta.table, present), self.loops)
        values = np.empty((runs, starting.shape[1]), order="F")
        for column in range(starting.shape[1]):
            np.take(starting[:, column], which, out=values[:, column])
        history = History.before_any_event(values, float(model.ladder_start), events, months)
        fan = np.empty((len(self.fan_rows), months + 1, len(self.fan_columns)))
        self._fan(fan[:, 0], values, self.fan_rows, self.fan_columns)
        state = _TileState(
            history=history,
            started=np.zeros((events, runs), dtype=np.int32),
            scheduled=np.zeros((months + 2, events, runs), dtype=bool),
            first=np.zeros((events, runs), dtype=np.int16),
            ladder_max=history.ladder.copy(),
            extremes=_Extremes(values, _extreme_columns(model)),
            fan=fan,
            monthly=np.array([self._monthly(event) for event in model.events]),
        )
        self._keep_before(state, 0)
        return state

    def _events(self, state: _TileState, month: int) -> tuple[Mask, Array]:
        """Steps 1–3: which events happen this month (events, runs), by their hazards, lagged
        and same-month triggers, forcing and forbidding, and the evidence; and the month's
        uniforms for the triggers and the campaigns' ends (rows, runs; ``ending_slots`` gives a
        campaign's row)."""
        model, history, theta = self.model, state.history, self.theta
        happening, chance = self._hazards(history, state.monthly)
        triggered = state.scheduled[month].copy()
        happening |= triggered
        draws = self.uniforms(len(self.trigger_slots) + len(self.ending_slots))
        happening = self._allowed(history, happening, month)
        self.set_off.clear()
        for index in model.trigger_order:
            self._clamp(history, happening, triggered, chance, index, month)
            for number, (target, probability, lag) in enumerate(model.events[index].triggers):
                column = self.trigger_slots[(index, number)]
                if lag == 0 and self._clamped(target, month):
                    # The evidence decides the target: its weight takes the trigger's chance
                    # in place of the trigger's draw (_clamp).
                    after = (index, happening[index]) if (index, target) in self.follows else None
                    can = happening[index] & self._allowed_column(
                        history, happening[index], target, month, after
                    )
                    off = self.set_off.get(target, np.zeros(len(can)))
                    self.set_off[target] = 1 - (1 - off) * (1 - theta[:, probability] * can)
                    continue
                fire = happening[index] & (draws[column] < theta[:, probability])
                if lag == 0:
                    happening[target] |= fire
                    triggered[target] |= fire
                    after = (index, fire) if (index, target) in self.follows else None
                    happening[target] = self._allowed_column(
                        history, happening[target], target, month, after
                    )
                elif month + lag <= self.months:
                    state.scheduled[month + lag, target] |= fire
        self._reports(happening, month)
        return happening, draws

    def _consequences(self, state: _TileState, happening: Mask, draws: Array, month: int) -> None:
        """Step 4: the events' effects in event order, the campaigns, and the bargaining
        re-solved where its inputs moved."""
        model, values = self.model, state.history.values
        for index, event in enumerate(model.events):
            for effect in event.effects:
                self._apply(effect, happening[index], values, self.theta)
        self._campaigns(state.history, happening, state.started, draws, values, month)
        self._changes(state, happening, month)
        if model.coupling is not None:
            self._bargain(model.coupling, values, happening, month)

    def _changes(self, state: _TileState, happening: Mask, month: int) -> None:
        """The state variables' own monthly changes, after the month's events: a normal step
        with the run's standard deviation (and mean), added to the variable or to its
        logarithm, within its bounds. In a month the variable is read, the step is drawn
        toward the reading instead (_guided), and kept, with its standard deviation, for the
        reading's bridge (_measurements)."""
        self.walked.clear()
        if not self.model.changes:
            return
        model, theta, values = self.model, self.theta, state.history.values
        normals = self.normals(len(model.changes))
        everywhere = np.ones(len(self.sample), dtype=bool)
        for row, change in enumerate(model.changes):
            sd = theta[:, change.sd]
            mean = np.zeros(len(sd)) if change.mean is None else theta[:, change.mean]
            readings = [] if self.evidence is None else self.evidence.measured.get(month, [])
            latest = max(
                (m for m in readings if m.column == change.column),
                key=lambda m: m.share,
                default=None,
            )
            if latest is None:
                step = mean + sd * normals[row]
            else:
                walk = _Walk(change.relative, values[:, change.column], sd, mean)
                came = self._came_chance(month, latest.share, happening)
                before = state.measured_before.get(latest.item)
                step = self._guided(walk, latest, came, before, normals[row])
                self.walked[change.column] = (step, sd, change.relative)
            amount, operation = (np.exp(step), "multiply") if change.relative else (step, "add")
            self.loops.apply_effect(
                values[:, change.column],
                everywhere,
                amount,
                OPERATIONS[operation],
                model.lower[change.column],
                model.upper[change.column],
            )

    def _guided(
        self,
        walk: _Walk,
        reading: Measurement,
        came: Array,
        before: Array | None,
        normal: Array,
    ) -> Array:
        """The step of a variable read this month, drawn toward the reading: a step drawn from
        its own law lands within a close reading's error in few runs, and a few monthly
        readings would leave a handful of runs. The reading, on a share f of the month, sees
        the value the walk passed through that day (_measurements): from the month's start
        after the month's events (where they came by that day, chance ``came``) or before
        them, f of the step, with the bridge's spread f(1 − f)·sd² besides its own error
        (in the logarithm for a relative step, its error there sd / reading). Each of the two
        is normal in the step, so the law of the step given the reading is a mixture of two
        normals, weighed by each one's chance and how well it predicts the reading; the step
        is drawn from it (19 in 20) or from its own law (1 in 20, so that no run's weight can
        pass 20 times its prior's: defensive importance sampling, Hesterberg 1995), and the
        run's weight is multiplied by the prior's density over this mixture's at the step
        drawn (the locally optimal proposal, Doucet, Godsill & Andrieu 2000). The weighted runs
        are then as the model makes them. A run whose step cannot be guided (no spread; a
        relative step from a value, or to a reading, not above 0) takes its own law's."""
        runs, share = len(walk.sd), reading.share
        guide = walk.sd > 0
        if walk.relative:
            if reading.value <= 0:
                return walk.mean + walk.sd * normal
            target, error = math.log(reading.value), reading.sd / reading.value
        else:
            target, error = reading.value, reading.sd
        sd = np.where(guide, walk.sd, 1.0)
        bridge = error**2 + share * (1 - share) * sd**2
        starts = [(walk.start, came)]
        if before is not None:  # the reading may see the month before's end, f of the step on
            starts.append((before, 1.0 - came))
        parts = [(np.full(runs, math.log(DEFENSIVE)), walk.mean, sd)]  # log weight, centre, sd
        for start, chance in starts:
            origin = walk.origin(start)
            guide &= np.isfinite(origin)
            origin = np.where(np.isfinite(origin), origin, 0.0)
            precision = sd**-2 + share**2 / bridge
            centre = (walk.mean * sd**-2 + share * (target - origin) / bridge) / precision
            with np.errstate(divide="ignore"):  # a chance of 0 leaves its part out
                weight = np.log(chance) + _log_normal(
                    np.full(runs, target),
                    origin + share * walk.mean,
                    np.sqrt(share**2 * sd**2 + bridge),
                )
            parts.append((weight, centre, precision**-0.5))
        # The two guided parts share 1 − DEFENSIVE in proportion to their weights.
        guided = np.logaddexp.reduce(np.array([weight for weight, _, _ in parts[1:]]), axis=0)
        for number in range(1, len(parts)):
            weight, centre, spread = parts[number]
            with np.errstate(invalid="ignore"):  # no part predicts the reading: left unguided
                share_of = np.exp(weight - guided)
            with np.errstate(divide="ignore"):  # a part that cannot predict it is never drawn
                parts[number] = (np.log((1 - DEFENSIVE) * share_of), centre, spread)
        guide &= np.isfinite(guided)
        pick = self.picks()
        bounds = np.cumsum([np.exp(weight) for weight, _, _ in parts], axis=0)
        chosen = np.zeros(runs, dtype=np.intp)
        for bound in bounds[:-1]:
            chosen += pick >= bound
        centres = np.array([centre for _, centre, _ in parts])
        spreads = np.array([spread for _, _, spread in parts])
        rows = np.arange(runs)
        step = centres[chosen, rows] + spreads[chosen, rows] * normal
        step = np.where(guide, step, walk.mean + walk.sd * normal)
        with np.errstate(divide="ignore"):
            proposal = np.logaddexp.reduce(
                np.array([weight + _log_normal(step, c, sp) for weight, c, sp in parts]), axis=0
            )
        weight = np.where(guide, _log_normal(step, walk.mean, sd) - proposal, 0.0)
        assert self.proposal is not None
        self.proposal[:, reading.item] += weight
        self.loglik[:, reading.item] += weight
        return step

    def _record(self, state: _TileState, happening: Mask, month: int) -> None:
        """Step 5: the month's events into the history; the ladder rises to their rungs, then
        to any level whose condition holds at the end of the month."""
        history = state.history
        self.loops.record_events(
            happening,
            month,
            history.last,
            history.counts,
            history.occurred[month],
            state.first,
            self.rung_events,
            self.rung_levels,
            history.ladder,
        )
        for level, rule in self.model.ladder_rules:  # a later rule sees the earlier ones' rises
            history.ladder = np.where(
                rule(history.at_month_end()), np.maximum(history.ladder, level), history.ladder
            )
        state.ladder_max = np.maximum(state.ladder_max, history.ladder)

    def _observe(self, state: _TileState, month: int) -> None:
        """What the month leaves on the record: extremes, fans, the weight of measurements, and
        the answers of the questions due this month."""
        values = state.history.values
        state.extremes.update(values)
        self._fan(state.fan[:, month], values, self.fan_rows, self.fan_columns)
        self._measurements(state, values, month)
        self._keep_before(state, month)
        for question, due in self.deadlines.items():
            if due.month == month:
                state.answers[question] = self._settle(question, state, due)

    def _reads_state(self, question_id: str, due: Deadline) -> bool:
        """Whether the question reads the state (not an event's first month) at a deadline
        inside its month."""
        return due.share < 1.0 and self.model.scenario.question(question_id).event is None

    def _keep_before(self, state: _TileState, month: int) -> None:
        """What the deadlines and measurements inside the next month read where its changes
        came after their day: the answers of the state questions at this month's end, and the
        measured variables' values."""
        for question, due in self.deadlines.items():
            if due.month == month + 1 and self._reads_state(question, due):
                state.before[question] = self._answer(question, state, due)
        if self.evidence is not None:
            for measurement in self.evidence.measured.get(month + 1, []):
                if measurement.share < 1.0:
                    values = state.history.values[:, measurement.column]
                    state.measured_before[measurement.item] = values.copy()

    def _settle(self, question_id: str, state: _TileState, due: Deadline) -> NDArray[np.int16]:
        """Each run's answer on the deadline's day. An event question counts an event of the
        deadline's month if it came by that day (see _answer). A state question reads the
        month's end where the month's changes came by that day, else the month before's end:
        as for events, the day within a month is taken as uniform."""
        answer = self._answer(question_id, state, due)
        if not self._reads_state(question_id, due):
            return answer
        came = self._changes_by(question_id, state, due)
        return np.where(came, answer, state.before.pop(question_id))

    def _changes_by(self, question_id: str, state: _TileState, due: Deadline) -> Mask:
        """Whether the month's changes came by the deadline's day (see _came_chance)."""
        occurred = state.history.occurred[due.month]
        return self._days(question_id) < self._came_chance(due.month, due.share, occurred)

    def _came_chance(self, month: int, share: float, occurred: Mask) -> Array:
        """Each run's chance that the month's changes came by ``share`` of it, as an event
        does (_came_by): on the day of the month's first sighting; else, in a run where a
        watched event not seen by the forecast date happened (``occurred``: the month's events,
        events × runs), on a uniform day after it; else on a uniform day."""
        chance = np.full(len(self.sample), share)
        if self.evidence is None:
            return chance
        seen = self.evidence.seen_at.get(month, {})
        if seen:
            return np.full(len(self.sample), 1.0 if min(seen.values()) <= share else 0.0)
        later = self.evidence.later.get(month, {})
        if later:
            after = next(iter(later.values()))[0]  # the forecast date's share of the month
            happened = occurred[list(later)].any(axis=0)
            chance[happened] = min(1.0, max(0.0, (share - after) / (1.0 - after)))
        return chance

    def _days(self, question_id: str) -> Array:
        """Each run's day within the deadline's month as a share of the month, uniform, from
        the question's own streams so that answering changes no other random number."""
        key = zlib.crc32(question_id.encode())
        return np.concatenate(
            [
                np.random.default_rng([*stream_key, 5, key]).random(n)
                for stream_key, n in zip(self.keys, self.sizes, strict=True)
            ]
        )

    def _came_by(self, question_id: str, column: int, due: Deadline) -> Mask:
        """Whether an event of the deadline's month came by the deadline's day: on the day it
        was seen; if it was not seen by the forecast date in that month, on a uniform day after
        it; else on a uniform day."""
        days = self._days(question_id)
        if self.evidence is not None:
            seen = self.evidence.seen_at.get(due.month, {}).get(column)
            if seen is not None:
                return np.full(len(days), seen <= due.share)
            later = self.evidence.later.get(due.month, {}).get(column)
            if later is not None:
                days = later[0] + (1.0 - later[0]) * days
        return days < due.share

    def _result(self, state: _TileState) -> _Part:
        """The tile's record, run-major, as :class:`_Assembly` takes it."""
        return _Part(
            first=np.ascontiguousarray(state.first.T),
            counts=np.ascontiguousarray(state.history.counts.T, dtype=np.int16),
            ladder_max=state.ladder_max.astype(np.int8),
            answers=state.answers,
            fan=state.fan.astype(np.float32),
            fan_sample=self.sample[self.fan_keep],
            fan_local=np.flatnonzero(self.fan_keep),
            sample=self.sample,
            loglik=self.loglik,
            proposal=self.proposal,
            within=self.within,
            final=state.history.values[:, : self.state_columns].astype(np.float32),
        )

    @staticmethod
    def _fan(into: Array, values: Array, rows: NDArray[np.intp], columns: NDArray[np.intp]) -> None:
        """A month of the fans, column by column (a gather over rows and columns at once,
        values[np.ix_(rows, columns)], took several times longer)."""
        for number, column in enumerate(columns):
            into[:, number] = np.take(values[:, column], rows)

    def _monthly(self, event: CompiledEvent) -> Array:
        base = self.theta[:, event.hazard]
        if event.window_months is not None:
            # A probability over a window becomes a monthly hazard: p = 1 − (1 − P)^(1/months).
            return np.asarray(1.0 - (1.0 - base) ** (1.0 / event.window_months))
        return np.asarray(base)

    def _holds(self, condition: Callable[[History], Value], history: History) -> Value:
        """A condition's (or a term's) value this month, evaluated once."""
        if condition not in self.this_month:
            self.this_month[condition] = condition(history)
        value: Value = self.this_month[condition]
        return value

    def _hazards(self, history: History, monthly: Array) -> tuple[NDArray[np.bool_], Array]:
        """Which events happen this month by their own hazard, and the hazards; all (events,
        runs), as is monthly."""
        probability = monthly.copy()
        for event in self.model.events:
            p = probability[event.index]
            for condition, ratio in event.modifiers:
                holds = np.ascontiguousarray(self._holds(condition, history))
                self.loops.scale_odds(p, self.theta[:, ratio], holds)
            for term, coefficient in event.covariates:
                # Log-odds + β × term; capped at ±50 (odds × e^50) so the ratio stays finite, and
                # a term that is not a number (0/0) moves nothing. A zero shift leaves p
                # untouched, bit for bit.
                with np.errstate(invalid="ignore", over="ignore"):
                    raw = self.theta[:, coefficient] * self._holds(term, history)
                shift = np.clip(np.nan_to_num(raw, nan=0.0), -50.0, 50.0)
                self.loops.scale_odds(p, np.exp(shift), shift != 0)
            if event.requires is not None:
                p[~self._holds(event.requires, history)] = 0.0
        return self.uniforms(len(self.model.events)) < probability, probability

    def _bargain(
        self, coupling: CompiledCoupling, values: Array, happening: Mask, month: int
    ) -> None:
        """Re-solve the bargaining on the month's new positions, saliences and capabilities:
        in every run on the coupling's schedule, else in the runs where a flagged event
        happened. Only the issues whose inputs changed since their last solve are recomputed,
        in those runs only (the others would get the same numbers back)."""
        if month % coupling.every == 0:
            flagged = None
        elif coupling.on:
            flagged = np.any(happening[list(coupling.on)], axis=0)
        else:
            return
        for issue, moved in enumerate(self.moved):
            rows = moved if flagged is None else moved & flagged
            index = np.flatnonzero(rows)
            if len(index) == 0:
                continue
            # When over a quarter of the runs moved, solving every run on whole columns beats
            # gathering the moved ones (measured); the others get their own settlement back,
            # as long as none of them moved (a moved run off the schedule waits for its solve).
            whole = 4 * len(index) > len(rows) and not np.any(moved & ~rows)
            coupling.solve(values, None if whole else index, (issue,), self.loops)
            moved[index] = False

    def _weigh(self, item: int, likelihood: Array) -> None:
        with np.errstate(divide="ignore"):
            self.loglik[:, item] += np.log(likelihood)

    def _clamp(
        self,
        history: History,
        happening: Mask,
        triggered: Mask,
        chance: Array,
        column: int,
        month: int,
    ) -> None:
        """Make an observed event happen, or an event not seen not happen, and weigh the run by
        the chance the model gave that (a lagged trigger that fired makes it certain; a
        same-month trigger's chance joins the event's own, _events)."""
        if self.evidence is None:
            return
        happened = self.evidence.happened.get(month, {}).get(column)
        absent = self.evidence.absent.get(month, {}).get(column)
        later = self.evidence.later.get(month, {}).get(column)
        under_way = self.evidence.under_way.get(month, {}).get(column)
        if later is not None:  # not seen by the forecast date: if it came, it came after
            observed, item = later
            self._weigh(item, np.where(happening[column], 1.0 - observed, 1.0))
        if happened is None and absent is None and under_way is None:
            return
        possible = self._allowed_column(history, np.ones_like(happening[column]), column, month)
        followed = self.followed.get(column)
        certain = triggered[column] & (possible if followed is None else possible | followed)
        hazard = chance[column] * possible
        set_off = self.set_off.get(column)
        if set_off is not None:  # by its own rate, or set off this month (Rao-Blackwellised)
            hazard = 1 - (1 - hazard) * (1 - set_off)
            possible = possible | (set_off > 0)
        if happened is not None:
            self._weigh(happened, np.where(certain, 1.0, hazard))
            happening[column] = possible | certain
            return
        if absent is not None:
            self._weigh(absent, np.where(certain, 0.0, 1.0 - hazard))
            happening[column] = False
        if under_way is not None:
            # Under way this month: going on from before, or (no start seen to rule it out)
            # starting now.
            going_on = history.active[column]
            if absent is None and later is None:
                self._weigh(under_way, np.where(going_on | certain, 1.0, hazard))
                happening[column] = possible
            else:
                self._weigh(under_way, going_on.astype(float))

    def _clamped(self, column: int, month: int) -> bool:
        """Whether the evidence decides the event this month: seen, not seen (closed world) or
        seen under way, and not left open by the forecast date inside the month."""
        if self.evidence is None or column in self.evidence.later.get(month, {}):
            return False
        return any(
            column in found.get(month, {})
            for found in (self.evidence.happened, self.evidence.absent, self.evidence.under_way)
        )

    def _reports(self, happening: NDArray[np.bool_], month: int) -> None:
        """A report of reliability r weighs r where the event happened, 1 − r where not."""
        if self.evidence is None:
            return
        for column, reports in self.evidence.reported.get(month, {}).items():
            for reliability, item in reports:
                self._weigh(item, np.where(happening[column], reliability, 1.0 - reliability))

    def _measurements(self, state: _TileState, values: Array, month: int) -> None:
        """A measured variable weighs by the normal density of the measurement around the
        run's value on its day: this month's end where the month's changes came by that day
        (see _came_chance), else the month before's end, a mixture of the two densities.
        ``within`` keeps each run's chance of a reading within the ± sd. A variable that moves
        by itself passes on that day the point its walk had reached, a share f of the month's
        step from where it started (after the month's events, or before them), give or take
        the bridge's spread, f(1 − f)·sd² (a Brownian bridge; a relative walk's taken at the
        point reached, sd times it): the reading's error and that spread add up."""
        if self.evidence is None or self.within is None:
            return
        from scipy import special  # the normal CDF, only where something was measured

        def within(z: Array) -> Array:
            distance = np.abs(z)
            return np.asarray(special.ndtr(distance + 1) - special.ndtr(distance - 1))

        for measurement in self.evidence.measured.get(month, []):
            sd = measurement.sd
            before = state.measured_before.pop(measurement.item, None)
            if measurement.column in self.walked:
                density, chance = self._bridged(state, values, month, measurement, before)
                self.loglik[:, measurement.item] += density
                self.within[:, measurement.item] = chance
                continue
            scale = math.log(sd * math.sqrt(2 * math.pi))
            after = (values[:, measurement.column] - measurement.value) / sd
            density, chance = -0.5 * after * after - scale, within(after)
            if before is not None:
                occurred = state.history.occurred[month]
                came = self._came_chance(month, measurement.share, occurred)
                earlier = (before - measurement.value) / sd
                with np.errstate(divide="ignore"):  # a chance of 0 or 1 leaves one density
                    density = np.logaddexp(
                        np.log(came) + density, np.log1p(-came) - 0.5 * earlier**2 - scale
                    )
                chance = came * chance + (1 - came) * within(earlier)
            self.loglik[:, measurement.item] += density
            self.within[:, measurement.item] = chance

    def _bridged(
        self,
        state: _TileState,
        values: Array,
        month: int,
        reading: Measurement,
        before: Array | None,
    ) -> tuple[Array, Array]:
        """A reading of a variable that moved by itself this month (see _measurements): its
        log density in each run and the chance of a reading within its ± sd, both mixed over
        whether the month's changes came by its day."""
        from scipy import special

        step, walk_sd, relative = self.walked[reading.column]
        share = reading.share
        end = values[:, reading.column]
        # The point reached on the day, from the month's end (its changes came by then) or
        # from the month before's end.
        if relative:
            branches = [end * np.exp(-(1 - share) * step)]
            if before is not None:
                branches.append(before * np.exp(share * step))
        else:
            branches = [end - (1 - share) * step]
            if before is not None:
                branches.append(before + share * step)
        occurred = state.history.occurred[month]
        came = self._came_chance(month, share, occurred) if before is not None else None
        densities, chances = [], []
        for point in branches:
            walk = walk_sd * np.abs(point) if relative else walk_sd
            spread = np.sqrt(reading.sd**2 + share * (1 - share) * walk**2)
            distance = np.abs(point - reading.value)
            densities.append(_log_normal(np.full(len(end), reading.value), point, spread))
            chances.append(
                special.ndtr((distance + reading.sd) / spread)
                - special.ndtr((distance - reading.sd) / spread)
            )
        if came is None:
            return densities[0], np.asarray(chances[0])
        with np.errstate(divide="ignore"):  # a chance of 0 or 1 leaves one density
            density = np.logaddexp(np.log(came) + densities[0], np.log1p(-came) + densities[1])
        return density, came * chances[0] + (1 - came) * chances[1]

    def _allowed(
        self, history: History, happening: NDArray[np.bool_], month: int
    ) -> NDArray[np.bool_]:
        """Remove what cannot happen; add what is forced."""
        for event in self.model.events:
            happening[event.index] = self._allowed_column(
                history, happening[event.index], event.index, month
            )
        return happening

    def _allowed_column(
        self,
        history: History,
        happening: NDArray[np.bool_],
        column: int,
        month: int,
        after: tuple[int, Mask] | None = None,
    ) -> NDArray[np.bool_]:
        """Where the event may happen this month: its precondition holds (read at the start of
        the month; ``after``, a same-month trigger's source and the runs it fired in: there,
        also with the source counted as having happened, a campaign as under way, for the
        source came first), it is not over or under way where it cannot be again, not
        forbidden; or it is forced."""
        event = self.model.events[column]
        if event.requires is not None:
            holds = self._holds(event.requires, history)
            if after is not None:
                source, fire = after
                let_in = fire & self._counting(history, source, fire, month, event.requires)
                self.followed[column] = self.followed.get(column, let_in) | let_in
                holds = holds | let_in
            happening = happening & holds
        if month in self.forced.get(column, ()):
            # Forcing overrides the hazard and the precondition, not what the event is: a
            # one-shot event that has happened, or a campaign under way, does not start again.
            happening = np.ones_like(happening)
        if not event.repeatable:
            happening = happening & (history.last[column] == NEVER)
        if event.fixed_duration is not None or event.ending_hazard is not None:
            happening = happening & ~history.active[column]
        if column in self.forbidden and month >= self.from_month:
            happening = np.zeros_like(happening)
        return happening

    def _counting(
        self, history: History, source: int, fire: Mask, month: int, condition: Condition
    ) -> Mask:
        """``condition`` on the history at the start of the month with ``source`` counted where
        ``fire``: it happened this month (once more), and a campaign is under way. The source's
        rows are changed in place and put back (a copy of the whole history for each trigger
        and month cost more than the rest of the month)."""
        event = self.model.events[source]
        campaign = event.ending_hazard is not None or event.fixed_duration is not None
        saved = (history.last[source].copy(), history.counts[source].copy())
        was_active = history.active[source].copy()
        try:
            history.last[source] = np.where(fire, month, history.last[source])
            history.counts[source] += fire
            if campaign:
                history.active[source] |= fire
            # A copy: a condition may return a view of a row (active) put back below.
            holds: Mask = np.array(condition(history), dtype=bool)
            return holds
        finally:
            history.last[source], history.counts[source] = saved
            history.active[source] = was_active

    def _apply(
        self, effect: CompiledEffect, where: NDArray[np.bool_], values: Array, theta: RunParameters
    ) -> None:
        # Random amounts are drawn for every run, whether or not its event happened, so that each
        # stream's sequence of draws does not depend on the other runs of the tile.
        column = effect.variable
        for issue in self.feeds.get(column, ()):  # a bargaining input: its settlement moves
            self.moved[issue] |= where
        if effect.rate_variable is not None:
            amount = values[:, effect.rate_variable]
        else:
            assert effect.parameter is not None
            amount = theta[:, effect.parameter]
            if effect.per_occurrence:
                drawn = self.fresh(effect)  # drawn even where set, to keep the runs paired
                amount = amount if effect.parameter in self.pinned else drawn
        if effect.operation == "poisson":  # a count around the mean
            amount = self.poisson(amount)
            operation = OPERATIONS["add"]
        else:
            operation = OPERATIONS[effect.operation]
        self.loops.apply_effect(
            values[:, column],
            where,
            amount,
            operation,
            self.model.lower[column],
            self.model.upper[column],
        )

    def _campaigns(
        self,
        history: History,
        happening: NDArray[np.bool_],
        started: NDArray[np.int32],
        draws: Array,
        values: Array,
        month: int,
    ) -> None:
        """Campaigns start, apply their effects while under way, and end by their ending
        hazard, after their fixed duration, or in a month an event that ends them happens
        (then apply their effects at the end)."""
        theta = self.theta
        for event in self.model.events:
            column = event.index
            if event.fixed_duration is None and event.ending_hazard is None:
                continue
            beginning = happening[column]
            history.active[column, beginning] = True
            started[column, beginning] = month
            active = history.active[column].copy()
            for effect in event.while_active:
                self._apply(effect, active, values, theta)
            if event.ending_hazard is not None:
                chance = theta[:, event.ending_hazard]
                ending = active & (draws[self.ending_slots[column]] < chance)
            else:
                assert event.fixed_duration is not None
                ending = active & (month - started[column] + 1 >= event.fixed_duration)
                chance = ending.astype(float)
            seen_to_stop = np.zeros_like(active)
            if column in self.enders:
                enders = self.enders[column]
                stopped = active & np.logical_or.reduce(happening[enders])
                ending, chance = ending | stopped, np.where(stopped, 1.0, chance)
                if self.evidence is not None:
                    seen = [e for e in enders if e in self.evidence.happened.get(month, {})]
                    seen_to_stop = (
                        active & np.logical_or.reduce(happening[seen]) if seen else seen_to_stop
                    )
            ending = self._clamp_end(active, ending, chance, column, month, seen_to_stop)
            for effect in event.on_end:
                self._apply(effect, ending, values, theta)
            history.active[column, ending] = False

    def _clamp_end(
        self, active: Mask, ending: Mask, chance: Array, event: int, month: int, seen_to_stop: Mask
    ) -> Mask:
        """An observed end happens (weighed by its chance); a campaign not seen to end goes on,
        unless an event seen this month ends it (``seen_to_stop``): that end is the event's,
        which the closed world does not ask to be recorded again."""
        if self.evidence is None:
            return ending
        ended = self.evidence.ended.get(month, {}).get(event)
        if ended is not None:
            self._weigh(ended, np.where(active, chance, 0.0))
            return active.copy()
        going_on = self.evidence.not_ended.get(month, {}).get(event)
        if going_on is not None:
            self._weigh(going_on, np.where(active & ~seen_to_stop, 1.0 - chance, 1.0))
            return seen_to_stop.copy()
        later = self.evidence.ends_later.get(month, {}).get(event)
        if later is not None:  # not seen to end by the forecast date: if it ended, after
            observed, item = later
            self._weigh(item, np.where(ending & ~seen_to_stop, 1.0 - observed, 1.0))
        return ending

    def _answer(self, question_id: str, state: _TileState, due: Deadline) -> NDArray[np.int16]:
        """Each run's answer to a question as the month ends: 0/1, or an ordinal level."""
        model, history, first = self.model, state.history, state.first
        month = due.month
        question = model.scenario.question(question_id)
        if question.type == "binary":
            if question.event is not None:
                column = model.event_index(question.event)
                happened = (first[column] > 0) & (first[column] < month)
                # In the deadline's own month the event counts if it came by the deadline.
                late: Mask = first[column] == month
                if due.share < 1.0 and late.any():
                    late &= self._came_by(question_id, column, due)
                return np.asarray(happened | late, dtype=np.int16)
            assert question.when is not None
            condition = compile_condition(
                expressions.parse(question.when), model.variables, [e.id for e in model.events]
            )
            return condition(history.at_month_end()).astype(np.int16)
        cut = _question_column(model, question_id)
        if cut is None:  # the ladder
            value = state.ladder_max if question.statistic == "max" else history.ladder
        else:
            value = state.extremes.read(history.values, question.statistic, cut)
        if question.cuts:
            return np.searchsorted(np.array(question.cuts), value, side="right").astype(np.int16)
        return np.clip(value, 0, len(question.levels) - 1).astype(np.int16)


def question_deadlines(model: CompiledModel) -> dict[str, Deadline]:
    """Where each question is answered: the month holding its deadline and the share of that
    month's days up to it, or the last simulated month (whole) if ``months`` ends sooner."""
    as_of = model.scenario.as_of
    deadlines = {}
    for question in model.scenario.questions:
        deadline = Deadline.of(as_of, question.deadline)
        if deadline.month > model.months:
            deadline = Deadline(model.months, 1.0)
        deadlines[question.id] = deadline
    return deadlines
