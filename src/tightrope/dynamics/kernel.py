"""A month of the simulation as compiled loops (numba, cached on disk), for large designs.

numpy computes a month as hundreds of passes over the runs, one per hazard, modifier, trigger,
effect and settlement, each allocating and writing whole temporary columns. Here each step of
the month (hazards, triggers, campaigns, effects, settlements, the record) is one loop over the
runs that keeps its intermediate values in registers. What numpy does well stays in numpy, in
the same order as before, so that every random stream and every result is the same to the last
bit (tests/dynamics/test_kernel.py):

- the conditions and covariate terms are evaluated on the history before the loops
  (:class:`tightrope.dynamics.engine._Tile`), and passed in as matrices;
- the uniforms and the per-occurrence amounts are drawn in numpy from each stream's generators,
  in the order the numpy month draws them; the Poisson counts are drawn inside the loop from
  the stream's own generator, run after run as numpy draws them;
- end-of-month ladder rules, fans, extremes and answers follow the loops in numpy.

The arithmetic is written operation by operation as numpy does it (no fast-math, no fused
multiply-add), so the numbers are numpy's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tightrope.compiled import compiled
from tightrope.dynamics.model import (
    CompiledEffect,
    CompiledEvent,
    CompiledModel,
    Condition,
    History,
    Numeric,
)

Array = NDArray[np.float64]
Index = NDArray[np.int64]

SET, ADD, MULTIPLY, POISSON = 0, 1, 2, 3
OPERATIONS = {"set": SET, "add": ADD, "multiply": MULTIPLY, "poisson": POISSON}


@dataclass(frozen=True)
class Structure:
    """The compiled model as flat integer tables (numba takes arrays, not objects).

    Ranges into a table are given by a ``*_start`` array of length count + 1. Parameter columns
    index the tile's gathered parameter matrix; condition columns the month's condition matrix.
    """

    modifier_start: Index  # per event
    modifier_condition: Index
    modifier_ratio: Index
    covariate_start: Index  # per event; columns of the covariates' odds-ratio matrix
    requires: Index  # per event: condition column, or -1
    repeatable: NDArray[np.bool_]
    campaign: NDArray[np.bool_]  # has a duration (fixed or with an ending hazard)
    ending_hazard: Index  # parameter column, or -1
    fixed_duration: Index  # months, or -1
    forced: Index  # month the event is forced in, or -1
    forbidden: NDArray[np.bool_]
    rung: Array  # ladder level an event raises the ladder to, or -inf
    trigger_source: Index  # in the order triggers are propagated
    trigger_target: Index
    trigger_probability: Index  # parameter column
    trigger_lag: Index
    trigger_slot: Index  # column of its uniform
    effect_event: Index  # in the order effects apply: occurrences in event order, then each
    effect_group: Index  # campaign's effects while active and at its end (groups 0, 1, 2)
    effect_variable: Index
    effect_operation: Index
    effect_parameter: Index  # parameter column, or -1 for a fresh amount
    effect_fresh: Index  # column of its fresh amounts, or -1
    effect_rate: Index  # Poisson: the variable holding the mean, or -1
    lower: Array
    upper: Array
    state_columns: int
    every: int  # re-solve the bargaining every this many months (0: no coupling)
    on: Index  # events whose occurrence re-solves a run's bargaining
    settlements: Index
    actor_start: Index  # per issue, into the three actor tables
    positions: Index
    saliences: Index
    capabilities: Index


# The loop calls no compiled function that takes arrays: such a call cost about 60 ns (the
# arrays' structures passed and reference-counted), more than the step itself.
@compiled(nogil=True, error_model="numpy")
def _clipped(value: float, low: float, high: float) -> float:
    """np.clip as numpy computes it: x > low ? x : low, then x < high ? x : high, NaN kept
    (the same down to the sign of a zero at a bound)."""
    if not value > low and value == value:
        value = low
    if not value < high and value == value:
        value = high
    return value


# Each step of the month is a loop of its own, over all the runs of a tile (measured: one
# function holding every step compiled to code 3–5× slower than the steps apart). The inner
# loops run down columns (the matrices are column-major) without branches, in SIMD.


@compiled(nogil=True, error_model="numpy")
def _hazards(
    month: int,
    monthly: Array,  # (events, runs) hazards before modifiers
    conditions: NDArray[np.bool_],  # (runs, condition columns)
    covariate_odds: Array,  # (runs, covariates) odds ratios from the terms
    covariate_on: NDArray[np.bool_],  # (runs, covariates) the term's shift is not 0
    hazard_draws: Array,  # (runs, events)
    theta: Array,
    last: Index,
    active: NDArray[np.bool_],
    scheduled: NDArray[np.bool_],
    modifier_start: Index,
    modifier_condition: Index,
    modifier_ratio: Index,
    covariate_start: Index,
    requires: Index,
    repeatable: NDArray[np.bool_],
    campaign: NDArray[np.bool_],
    forced: Index,
    forbidden: NDArray[np.bool_],
    happening: NDArray[np.bool_],  # (events, runs), out
    possible: NDArray[np.bool_],  # (events, runs), out
    p: Array,  # (runs,) scratch
) -> None:
    """Which events happen by their hazard (engine._Tile._hazards), or are scheduled by a
    lagged trigger, or forced; and which could happen at all this month (not a spent one-off,
    not a campaign under way, its requirement met)."""
    runs, events = hazard_draws.shape
    for event in range(events):
        for r in range(runs):
            p[r] = monthly[event, r]
        for k in range(modifier_start[event], modifier_start[event + 1]):
            condition, ratio = modifier_condition[k], modifier_ratio[k]
            for r in range(runs):
                q = p[r]
                scaled = q * theta[r, ratio]
                denominator = 1.0 - q
                denominator += scaled
                scaled /= denominator
                p[r] = scaled if conditions[r, condition] else q
        for k in range(covariate_start[event], covariate_start[event + 1]):
            for r in range(runs):
                q, odds = p[r], covariate_odds[r, k]
                scaled = q * odds / (1.0 - q + q * odds)
                p[r] = scaled if covariate_on[r, k] else q
        required = requires[event]
        spent, is_campaign = not repeatable[event], campaign[event]
        is_forced, is_forbidden = forced[event] == month, forbidden[event]
        for r in range(runs):
            met = required < 0 or conditions[r, required]
            could = (
                (not spent or last[r, event] == -1_000_000)  # model.NEVER
                and not (is_campaign and active[r, event])
                and met
            )
            possible[event, r] = could
            drawn = hazard_draws[r, event] < (p[r] if met else 0.0)
            # What cannot happen does not; forced events do, forbidden ones do not
            # (engine._Tile._allowed_column).
            happening[event, r] = not is_forbidden and (
                is_forced or ((drawn or scheduled[month, r, event]) and could)
            )


@compiled(nogil=True, error_model="numpy")
def _triggers(
    month: int,
    months: int,
    draws: Array,  # (runs, trigger slots + events)
    theta: Array,
    scheduled: NDArray[np.bool_],
    trigger_source: Index,
    trigger_target: Index,
    trigger_probability: Index,
    trigger_lag: Index,
    trigger_slot: Index,
    forced: Index,
    forbidden: NDArray[np.bool_],
    happening: NDArray[np.bool_],
    possible: NDArray[np.bool_],
) -> None:
    """Triggers fire, in an order where same-month ones point forward; lagged ones are
    scheduled."""
    runs = draws.shape[0]
    for t in range(len(trigger_source)):
        source, target, lag = trigger_source[t], trigger_target[t], trigger_lag[t]
        slot, probability = trigger_slot[t], trigger_probability[t]
        is_forced, is_forbidden = forced[target] == month, forbidden[target]
        for r in range(runs):
            fire = happening[source, r] and draws[r, slot] < theta[r, probability]
            if lag == 0:
                happening[target, r] = not is_forbidden and (
                    is_forced or ((happening[target, r] or fire) and possible[target, r])
                )
            elif fire and month + lag <= months:
                scheduled[month + lag, r, target] = True


@compiled(nogil=True, error_model="numpy")
def _campaigns(
    month: int,
    draws: Array,
    theta: Array,
    active: NDArray[np.bool_],
    started: Index,
    campaign: NDArray[np.bool_],
    ending_hazard: Index,
    fixed_duration: Index,
    where: NDArray[np.bool_],  # (3, events, runs): [0] happening, [1] and [2] out
) -> None:
    """Campaigns start, go on and end. Their state does not depend on the values, so it is
    settled before the effects: where[1] holds the campaigns under way (after starting this
    month), where[2] those ending."""
    runs, events = active.shape
    slots = draws.shape[1] - events
    for event in range(events):
        if not campaign[event]:
            continue
        for r in range(runs):
            if where[0, event, r]:
                active[r, event] = True
                started[r, event] = month
            going = active[r, event]
            if ending_hazard[event] >= 0:
                ending = going and draws[r, slots + event] < theta[r, ending_hazard[event]]
            else:
                ending = going and month - started[r, event] + 1 >= fixed_duration[event]
            where[1, event, r] = going
            where[2, event, r] = ending
            if ending:
                active[r, event] = False


@compiled(nogil=True, error_model="numpy")
def _effects(
    first_run: int,  # one stream's runs: first_run … stop_run − 1
    stop_run: int,
    counts_generator: np.random.Generator,  # the stream's generator of Poisson counts
    fresh: Array,  # (runs, fresh columns)
    theta: Array,
    values: Array,
    moved: NDArray[np.bool_],
    where: NDArray[np.bool_],
    effect_event: Index,
    effect_group: Index,
    effect_variable: Index,
    effect_operation: Index,
    effect_parameter: Index,
    effect_fresh: Index,
    effect_rate: Index,
    lower: Array,
    upper: Array,
    state_columns: int,
) -> None:
    """Effects (engine._Tile._apply) in numpy's order: occurrences in event order, then each
    campaign's while active and at its end; clipped to the variables' bounds. A Poisson count
    is drawn for every run, run after run as numpy draws them, whether or not it applies
    (numba's Generator.poisson is numpy's algorithm on the same bit generator)."""
    for effect in range(len(effect_variable)):
        applies = where[effect_group[effect], effect_event[effect]]
        column, operation = effect_variable[effect], effect_operation[effect]
        low, high = lower[column], upper[column]
        if operation == POISSON:
            rate_column = effect_rate[effect]
            for r in range(first_run, stop_run):
                count = float(counts_generator.poisson(max(values[r, rate_column], 0.0)))
                value = values[r, column]
                values[r, column] = _clipped(value + count if applies[r] else value, low, high)
        else:
            if effect_parameter[effect] >= 0:
                amounts, amount_column = theta, effect_parameter[effect]
            else:
                amounts, amount_column = fresh, effect_fresh[effect]
            for r in range(first_run, stop_run):
                value, amount = values[r, column], amounts[r, amount_column]
                if operation == SET:
                    updated = amount
                elif operation == ADD:
                    updated = value + amount
                else:
                    updated = value * amount
                values[r, column] = _clipped(updated if applies[r] else value, low, high)
        if column >= state_columns:  # a bargaining column: its settlement needs solving
            for r in range(first_run, stop_run):
                moved[r] = moved[r] or applies[r]


@compiled(nogil=True, error_model="numpy")
def _bargain(
    month: int,
    values: Array,
    moved: NDArray[np.bool_],
    happening: NDArray[np.bool_],
    every: int,
    on: Index,
    settlements: Index,
    actor_start: Index,
    positions: Index,
    saliences: Index,
    capabilities: Index,
    solve: NDArray[np.bool_],  # (runs,) scratch
    total: Array,  # (runs,) scratch
    weighted: Array,
    plain: Array,
) -> None:
    """The compromise settlement (CompiledCoupling.solve), re-solved in the runs whose inputs
    moved, on the coupling's schedule or after a flagged event (engine._Tile._bargain); summed
    actor by actor, as numpy sums them.

    Summed down whole columns for every run, and kept only where re-solved: although few runs
    move in a month (one in seven on the built-in case), reading a moved run's hundred inputs
    one run at a time misses the cache at each one, and cost more (measured)."""
    runs = values.shape[0]
    on_schedule = month % every == 0
    for r in range(runs):
        solve[r] = moved[r] and on_schedule
    for k in range(len(on)):
        for r in range(runs):
            solve[r] = solve[r] or (moved[r] and happening[on[k], r])
    for issue in range(len(settlements)):
        a, stop = actor_start[issue], actor_start[issue + 1]
        capability, salience, position = capabilities[a], saliences[a], positions[a]
        for r in range(runs):
            weight = values[r, capability] * values[r, salience]
            total[r] = weight
            weighted[r] = weight * values[r, position]
            plain[r] = values[r, position]
        for actor in range(a + 1, stop):
            capability, salience = capabilities[actor], saliences[actor]
            position = positions[actor]
            for r in range(runs):
                weight = values[r, capability] * values[r, salience]
                total[r] += weight
                weighted[r] += weight * values[r, position]
                plain[r] += values[r, position]
        settlement, size = settlements[issue], stop - a
        for r in range(runs):
            if solve[r]:
                if total[r] > 0:
                    values[r, settlement] = weighted[r] / total[r]
                else:
                    values[r, settlement] = plain[r] / size
    for r in range(runs):
        moved[r] = moved[r] and not solve[r]


@compiled(nogil=True, error_model="numpy")
def _record(
    month: int,
    happening: NDArray[np.bool_],
    last: Index,
    counts: Index,
    occurred: NDArray[np.bool_],
    first: NDArray[np.int16],
    ladder: Array,
    rung: Array,
) -> None:
    """The month's events into the history, and the ladder raised to their rungs."""
    runs, events = last.shape
    for event in range(events):
        for r in range(runs):
            if happening[event, r]:
                last[r, event] = month
                counts[r, event] += 1
                occurred[month, r, event] = True
                if first[r, event] == 0:
                    first[r, event] = month
                if rung[event] > ladder[r]:
                    ladder[r] = rung[event]


class Month:
    """The compiled steps of a month for a tile of runs (steps 2–5 of
    :mod:`tightrope.dynamics.engine` up to the ladder rules), with their scratch arrays."""

    def __init__(self, structure: Structure, runs: int, events: int) -> None:
        self.s = structure
        self.where = np.zeros((3, events, runs), dtype=bool)
        self.possible = np.zeros((events, runs), dtype=bool)
        self.p = np.empty(runs)
        self.solve = np.zeros(runs, dtype=bool)
        self.total, self.weighted, self.plain = np.empty(runs), np.empty(runs), np.empty(runs)

    def __call__(
        self,
        month: int,
        months: int,
        streams: list[tuple[np.random.Generator, int]],  # each stream's counts and runs
        monthly: Array,
        conditions: NDArray[np.bool_],
        covariate_odds: Array,
        covariate_on: NDArray[np.bool_],
        hazard_draws: Array,
        draws: Array,
        fresh: Array,
        theta: Array,
        history: History,
        started: Index,
        scheduled: NDArray[np.bool_],
        first: NDArray[np.int16],
        moved: NDArray[np.bool_],
    ) -> None:
        s, where, happening = self.s, self.where, self.where[0]
        _hazards(
            month, monthly, conditions, covariate_odds, covariate_on, hazard_draws, theta,
            history.last, history.active, scheduled, s.modifier_start, s.modifier_condition,
            s.modifier_ratio, s.covariate_start, s.requires, s.repeatable, s.campaign, s.forced,
            s.forbidden, happening, self.possible, self.p,
        )  # fmt: skip
        if len(s.trigger_source):
            _triggers(
                month, months, draws, theta, scheduled, s.trigger_source, s.trigger_target,
                s.trigger_probability, s.trigger_lag, s.trigger_slot, s.forced, s.forbidden,
                happening, self.possible,
            )  # fmt: skip
        if s.campaign.any():
            _campaigns(
                month, draws, theta, history.active, started, s.campaign, s.ending_hazard,
                s.fixed_duration, where,
            )  # fmt: skip
        start = 0
        for generator, size in streams:
            _effects(
                start, start + size, generator, fresh, theta, history.values, moved, where,
                s.effect_event, s.effect_group, s.effect_variable, s.effect_operation,
                s.effect_parameter, s.effect_fresh, s.effect_rate, s.lower, s.upper,
                s.state_columns,
            )  # fmt: skip
            start += size
        if s.every > 0:
            _bargain(
                month, history.values, moved, happening, s.every, s.on, s.settlements,
                s.actor_start, s.positions, s.saliences, s.capabilities, self.solve, self.total,
                self.weighted, self.plain,
            )  # fmt: skip
        _record(
            month, happening, history.last, history.counts, history.occurred, first,
            history.ladder, s.rung,
        )  # fmt: skip


@dataclass(frozen=True)
class Plan:
    """What the numpy side prepares for the loop: the conditions and covariate terms to
    evaluate each month (their columns in order), the parameters to gather once, and the
    effects whose amounts are drawn fresh each month, in the order numpy draws them."""

    structure: Structure
    conditions: tuple[Condition, ...]
    covariates: tuple[tuple[Numeric, int], ...]  # (term, coefficient's parameter)
    parameters: tuple[int, ...]  # model parameter of each gathered column
    fresh: tuple[CompiledEffect, ...]


def plan(model: CompiledModel, forced: dict[int, int], forbidden: set[int]) -> Plan:
    """The model as the loop's tables, for the given forced and forbidden events."""
    conditions: list[Condition] = []
    covariates: list[tuple[Numeric, int]] = []
    parameters: list[int] = []
    fresh: list[CompiledEffect] = []

    def column(parameter: int) -> int:
        if parameter not in parameters:
            parameters.append(parameter)
        return parameters.index(parameter)

    modifier_start, modifier_condition, modifier_ratio, covariate_start = [0], [], [], [0]
    requires = []
    for event in model.events:
        for condition, ratio in event.modifiers:
            modifier_condition.append(len(conditions))
            conditions.append(condition)
            modifier_ratio.append(column(ratio))
        modifier_start.append(len(modifier_condition))
        covariates.extend(event.covariates)
        covariate_start.append(len(covariates))
    for event in model.events:
        requires.append(-1 if event.requires is None else len(conditions))
        if event.requires is not None:
            conditions.append(event.requires)

    def campaign(event: CompiledEvent) -> bool:
        return event.fixed_duration is not None or event.ending_hazard is not None

    # Effects in the order numpy applies them and draws their fresh amounts: occurrences in
    # event order, then each campaign's effects while active and at its end.
    effects: list[tuple[CompiledEffect, int, int]] = [
        (effect, event.index, 0) for event in model.events for effect in event.effects
    ]
    for event in model.events:
        if campaign(event):
            effects.extend((effect, event.index, 1) for effect in event.while_active)
            effects.extend((effect, event.index, 2) for effect in event.on_end)
    fresh = [effect for effect, _, _ in effects if effect.per_occurrence]

    def effect_rate(effect: CompiledEffect) -> int:
        return -1 if effect.rate_variable is None else effect.rate_variable

    fresh_column = {id(effect): n for n, effect in enumerate(fresh)}
    slots = {(e.index, t): n for n, (e, t) in enumerate(
        (e, t) for e in model.events for t in range(len(e.triggers))
    )}  # fmt: skip
    triggers = [
        (index, target, column(probability), lag, slots[(index, number)])
        for index in model.trigger_order
        for number, (target, probability, lag) in enumerate(model.events[index].triggers)
    ]
    coupling = model.coupling
    issues = () if coupling is None else coupling.positions
    actor_start = np.cumsum([0, *(len(actors) for actors in issues)])

    def flat(groups: tuple[tuple[int, ...], ...] | None) -> Index:
        return np.array([c for group in groups or () for c in group], dtype=np.int64)

    def ints(values: list[int] | tuple[int, ...]) -> Index:
        return np.array(values, dtype=np.int64)

    structure = Structure(
        modifier_start=ints(modifier_start),
        modifier_condition=ints(modifier_condition),
        modifier_ratio=ints(modifier_ratio),
        covariate_start=ints(covariate_start),
        requires=ints(requires),
        repeatable=np.array([e.repeatable for e in model.events], dtype=bool),
        campaign=np.array([campaign(e) for e in model.events], dtype=bool),
        ending_hazard=ints(
            [-1 if e.ending_hazard is None else column(e.ending_hazard) for e in model.events]
        ),
        fixed_duration=ints(
            [-1 if e.fixed_duration is None else e.fixed_duration for e in model.events]
        ),
        forced=ints([forced.get(e.index, -1) for e in model.events]),
        forbidden=np.array([e.index in forbidden for e in model.events], dtype=bool),
        rung=np.array([-np.inf if e.ladder is None else float(e.ladder) for e in model.events]),
        trigger_source=ints([t[0] for t in triggers]),
        trigger_target=ints([t[1] for t in triggers]),
        trigger_probability=ints([t[2] for t in triggers]),
        trigger_lag=ints([t[3] for t in triggers]),
        trigger_slot=ints([t[4] for t in triggers]),
        effect_event=ints([event for _, event, _ in effects]),
        effect_group=ints([group for _, _, group in effects]),
        effect_variable=ints([e.variable for e, _, _ in effects]),
        effect_operation=ints([OPERATIONS[e.operation] for e, _, _ in effects]),
        effect_parameter=ints(
            [
                -1 if e.per_occurrence or e.parameter is None else column(e.parameter)
                for e, _, _ in effects
            ]
        ),
        effect_fresh=ints([fresh_column.get(id(e), -1) for e, _, _ in effects]),
        effect_rate=ints([effect_rate(e) for e, _, _ in effects]),
        lower=np.asarray(model.lower, dtype=float),
        upper=np.asarray(model.upper, dtype=float),
        state_columns=len(model.scenario.state),
        every=0 if coupling is None else coupling.every,
        on=ints(() if coupling is None else coupling.on),
        settlements=ints(() if coupling is None else coupling.settlements),
        actor_start=actor_start.astype(np.int64),
        positions=flat(None if coupling is None else coupling.positions),
        saliences=flat(None if coupling is None else coupling.saliences),
        capabilities=flat(None if coupling is None else coupling.capabilities),
    )
    return Plan(structure, tuple(conditions), tuple(covariates), tuple(parameters), tuple(fresh))
