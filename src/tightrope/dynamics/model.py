"""A scenario compiled for simulation: indices, parameters and conditions as array functions.

Compilation happens once per simulation. Conditions (the scenario's small expression language) are
turned into closures over numpy arrays, one array element per run; nothing is ever passed to
Python's ``eval``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tightrope._types import Array, Mask
from tightrope.dynamics.calendar import month_of
from tightrope.dynamics.loops import NUMPY, Loops, as_indices
from tightrope.errors import ArgumentError
from tightrope.limits import MAX_MAGNITUDE, MAX_MONTHS
from tightrope.scenario import expressions
from tightrope.scenario.checks import iter_quantities
from tightrope.scenario.provenance import readable_path
from tightrope.scenario.quantity import Quantity
from tightrope.scenario.schema import EFFECT_GROUPS, INPUT_BOUNDS, Effect, Event, Scenario

NEVER = -1_000_000  # "month" of an event that has not happened


@dataclass
class History:
    """What the conditions may look at, for a block of runs at the start of a month."""

    month: int  # the month about to be simulated (1-based)
    values: Array  # (runs, variables)
    ladder: Array  # (runs,)
    # Event-major, (events, runs): a condition reads one event's row for every run, which is
    # contiguous this way (a column of (runs, events) was read 5-20× slower).
    # 32 bits: a month, NEVER or a count fits, and the month's updates move half the bytes.
    last: NDArray[np.int32]  # (events, runs): month of the latest occurrence, NEVER if none
    counts: NDArray[np.int32]  # (events, runs)
    occurred: Mask  # (months + 2, events, runs): occurred[m, e, r]
    active: Mask  # (events, runs): campaigns under way

    @classmethod
    def before_any_event(cls, values: Array, ladder: float, events: int, months: int) -> History:
        """The history at the start of the first month: the starting values, nothing happened."""
        runs = len(values)
        return cls(
            month=1,
            values=values,
            ladder=np.full(runs, ladder),
            last=np.full((events, runs), NEVER, dtype=np.int32),
            counts=np.zeros((events, runs), dtype=np.int32),
            occurred=np.zeros((months + 2, events, runs), dtype=bool),
            active=np.zeros((events, runs), dtype=bool),
        )

    def at_month_end(self) -> History:
        """The history as end-of-month conditions see it: this month's events included (a view
        sharing the arrays, one month on)."""
        return replace(self, month=self.month + 1)


Condition = Callable[[History], Mask]
Numeric = Callable[[History], NDArray[Any] | float]  # numbers or booleans, per run


@dataclass(frozen=True)
class Parameter:
    """An uncertain (or fixed) number of the dynamics, sampled in the outer loop."""

    path: str  # readable: events.oil_restriction.hazard.probability
    quantity: Quantity
    # An effect's amount drawn afresh at each occurrence: a run's draw of it is chance, not a
    # parameter of its sample, so designs and drivers leave it out; a what-if may still set it.
    per_occurrence: bool = False

    @property
    def varies_by_sample(self) -> bool:
        """Whether parameter samples differ in it: uncertain, and not drawn per occurrence."""
        return self.quantity.is_uncertain and not self.per_occurrence


@dataclass(frozen=True)
class CompiledEffect:
    variable: int
    operation: str  # set, add, multiply, poisson
    parameter: int | None  # index into the parameter table (None for a mean held in a variable)
    rate_variable: int | None  # poisson: the variable holding the mean, if one does
    per_occurrence: bool
    quantity: Quantity | None


@dataclass(frozen=True)
class CompiledEvent:
    """An event ready for the monthly loop: its conditions compiled, its numbers as indices
    of the parameter table (so each run reads its own sample's values)."""

    index: int
    id: str
    window_months: int | None  # hazard given over a window (probability, months)
    hazard: int  # parameter index of per_month or probability
    modifiers: tuple[tuple[Condition, int], ...]  # (condition, odds-ratio parameter)
    covariates: tuple[tuple[Numeric, int], ...]  # (term, log-odds coefficient parameter)
    requires: Condition | None
    repeatable: bool
    ending_hazard: int | None  # parameter index
    fixed_duration: int | None
    effects: tuple[CompiledEffect, ...]
    while_active: tuple[CompiledEffect, ...]
    on_end: tuple[CompiledEffect, ...]
    ladder: int | None
    triggers: tuple[tuple[int, int, int], ...]  # (event, probability parameter, lag)
    ends: tuple[int, ...]  # the campaigns it ends


@dataclass(frozen=True)
class CompiledCoupling:
    """Bargaining inside the runs. Its inputs and results are columns of the values array after
    the state variables (``position:ISSUE.ACTOR``, ``salience:…``, ``capability:ACTOR``,
    ``settlement:ISSUE``), so events change them like any variable and conditions read them."""

    model: str  # compromise or median
    every: int  # re-solve every this many months
    on: tuple[int, ...]  # events whose occurrence re-solves that run's bargaining
    settlements: tuple[int, ...]  # column of each issue's settlement
    positions: tuple[tuple[int, ...], ...]  # per issue, its actors' position columns
    saliences: tuple[tuple[int, ...], ...]
    capabilities: tuple[tuple[int, ...], ...]  # per issue, its actors' capability columns

    def issues_fed_by(self, column: int) -> tuple[int, ...]:
        """The issues whose settlement depends on a column (an actor's capability feeds every
        issue it has a stance on)."""
        return tuple(
            issue
            for issue, columns in enumerate(
                zip(self.positions, self.saliences, self.capabilities, strict=True)
            )
            if any(column in group for group in columns) or column == self.settlements[issue]
        )

    def solve(
        self,
        values: Array,
        rows: NDArray[np.intp] | None = None,
        issues: tuple[int, ...] | None = None,
        loops: Loops = NUMPY,
    ) -> None:
        """Re-solve the ``issues`` (all by default) of the runs ``rows`` (all by default), in
        place: the capability × salience weighted mean (compromise) or weighted median of the
        positions. An issue on which no actor has weight keeps the plain mean of the
        positions."""
        if self.model == "median":
            self._solve_median(values, rows, issues)
            return
        selected = as_indices([]) if rows is None else rows
        for issue in range(len(self.settlements)) if issues is None else issues:
            loops.weighted_settlement(
                values,
                selected,
                rows is None,
                as_indices(self.positions[issue]),
                as_indices(self.capabilities[issue]),
                as_indices(self.saliences[issue]),
                self.settlements[issue],
            )

    def _solve_median(
        self, values: Array, rows: NDArray[np.intp] | None, issues: tuple[int, ...] | None
    ) -> None:
        """The capability × salience weighted median of the positions (see :meth:`solve`)."""
        # The bargaining models' own; imported here, as the compromise (the default) does
        # without it and the import costs a worker process 30 ms.
        from tightrope.bargaining.base import weighted_median

        selected = slice(None) if rows is None else rows
        for issue in range(len(self.settlements)) if issues is None else issues:
            x = [values[selected, index] for index in self.positions[issue]]
            w = [
                values[selected, c] * values[selected, s]
                for c, s in zip(self.capabilities[issue], self.saliences[issue], strict=True)
            ]
            total, plain = w[0].copy(), x[0].copy()
            for position, weight in zip(x[1:], w[1:], strict=True):
                total += weight
                plain += position
            stacked = np.stack(x, axis=1)[:, :, None]
            solved = weighted_median(stacked, np.stack(w, axis=1)[:, :, None])[:, 0]
            values[selected, self.settlements[issue]] = np.where(total > 0, solved, plain / len(x))


class RunParameters:
    """Each run's parameter values, ``theta[:, j]``, gathered from its sample's row when column j
    is first read: a month reads a few of a scenario's parameters, and gathering the whole
    (runs × parameters) table up front cost more than all the hazards of a run."""

    def __init__(self, table: Array, sample: NDArray[np.int32]) -> None:
        self.table = np.asfortranarray(table)  # a parameter's column is contiguous to gather from
        self.index = sample.astype(np.intp)  # np.take's own index type: no conversion per read
        self.gathered: dict[int, Array] = {}

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, key: tuple[slice, int]) -> Array:
        column = key[1]
        if column not in self.gathered:
            self.gathered[column] = np.take(self.table[:, column], self.index)
        return self.gathered[column]


@dataclass(frozen=True)
class CompiledChange:
    """A state variable's own monthly change: its column, and the parameters of its standard
    deviation and (None: no drift) its mean."""

    column: int
    sd: int
    mean: int | None
    relative: bool


@dataclass(frozen=True)
class CompiledModel:
    """A scenario compiled for simulation over ``months``: the columns of the values array
    (state variables, then the coupling's), its events, ladder rules and uncertain parameters."""

    scenario: Scenario
    variables: tuple[str, ...]  # the state variables, then the coupling's columns
    lower: Array
    upper: Array
    initial: tuple[int | None, ...]  # parameter index per column (None: solved, a settlement)
    events: tuple[CompiledEvent, ...]
    trigger_order: tuple[int, ...]  # events ordered so that same-month triggers flow forward
    ladder_start: int
    ladder_rules: tuple[tuple[int, Condition], ...]
    parameters: tuple[Parameter, ...]
    months: int
    parameter_index: dict[str, int] = field(default_factory=dict)
    coupling: CompiledCoupling | None = None
    changes: tuple[CompiledChange, ...] = ()  # the state variables that move by themselves

    @property
    def fan_columns(self) -> tuple[int, ...]:
        """The columns fan charts keep: the state variables, then the settlements (not the
        bargaining inputs, which would multiply the memory and time of the fans)."""
        state = len(self.scenario.state)
        settlements = () if self.coupling is None else self.coupling.settlements
        return (*range(state), *settlements)

    def fan_column(self, name: str) -> int:
        """Where a variable (or ``settlement:ISSUE``) sits in the fan charts' last axis."""
        return self.fan_columns.index(self.variables.index(name))

    def initial_values(self, theta: Array | RunParameters, loops: Loops = NUMPY) -> Array:
        """(runs, columns) starting values from the runs' parameters, settlements solved;
        column-major, as the engine reads and writes one column across runs at a time."""
        values = np.zeros((len(theta), len(self.variables)), order="F")
        for column, parameter in enumerate(self.initial):
            if parameter is not None:
                values[:, column] = theta[:, parameter]
        np.clip(values, self.lower, self.upper, out=values)
        if self.coupling is not None:
            self.coupling.solve(values, loops=loops)
        return values

    def event_index(self, event_id: str) -> int:
        for event in self.events:
            if event.id == event_id:
                return event.index
        known = ", ".join(event.id for event in self.events)
        raise KeyError(f"unknown event {event_id!r} (known: {known})")


def scaled_hazard(chance: Array, factor: float) -> Array:
    """A chance whose hazard rate is multiplied by ``factor``: 1 − (1 − p)^F (p = 1 stays 1
    unless F = 0)."""
    scaled: Array = 1.0 - (1.0 - chance) ** factor
    return scaled


def simulated_months(scenario: Scenario) -> int:
    """The horizon, extended to the month of the latest question deadline (each question is
    answered at its own deadline, never cut short by the horizon)."""
    deadlines = [month_of(scenario.as_of, q.deadline) for q in scenario.questions]
    return min(MAX_MONTHS, max([scenario.horizon_months, *deadlines]))


def require_events(scenario: Scenario) -> None:
    """Refuse, before any work, a scenario without events: there is nothing to simulate (a
    bargaining table, such as a KTAB file, has only actors and issues)."""
    if not scenario.events:
        raise ArgumentError(f"scenario {scenario.id!r} has no events to simulate")


def compile_scenario(scenario: Scenario, months: int | None = None) -> CompiledModel:
    """Compile the dynamics of a validated scenario, over ``months`` months (default: the
    horizon, or longer to reach the latest question's deadline)."""
    parameters, index = _parameters(scenario)
    state = tuple(variable.id for variable in scenario.state)
    columns = _coupling_columns(scenario)
    variables = state + tuple(name for name, _, _, _ in columns)
    event_ids = [event.id for event in scenario.events]
    compilers = _Compilers(variables, event_ids, index)
    events = tuple(compilers.event(number, event) for number, event in enumerate(scenario.events))
    ladder_rules: list[tuple[int, Condition]] = []
    if scenario.ladder is not None:
        ladder_rules = [
            (level.level, compilers.condition(level.when))
            for level in scenario.ladder.levels
            if level.when is not None
        ]
    return CompiledModel(
        scenario=scenario,
        variables=variables,
        # A variable without a bound is held within ±MAX_MAGNITUDE, so that repeated effects
        # cannot overflow to infinity (and infinity × 0 to NaN).
        lower=np.array(
            [-MAX_MAGNITUDE if v.min is None else v.min for v in scenario.state]
            + [low for _, low, _, _ in columns]
        ),
        upper=np.array(
            [MAX_MAGNITUDE if v.max is None else v.max for v in scenario.state]
            + [high for _, _, high, _ in columns]
        ),
        initial=tuple(index[f"state.{v.id}.initial"] for v in scenario.state)
        + tuple(None if path is None else index[path] for _, _, _, path in columns),
        events=events,
        trigger_order=_trigger_order(events),
        ladder_start=scenario.ladder.start if scenario.ladder is not None else 0,
        ladder_rules=tuple(ladder_rules),
        parameters=tuple(parameters),
        months=months or simulated_months(scenario),
        parameter_index=index,
        coupling=_compile_coupling(scenario, variables, event_ids),
        changes=tuple(
            CompiledChange(
                column,
                index[f"state.{v.id}.monthly_change.sd"],
                index.get(f"state.{v.id}.monthly_change.mean"),
                v.monthly_change.relative,
            )
            for column, v in enumerate(scenario.state)
            if v.monthly_change is not None
        ),
    )


def effect_path(event: str, group: str, number: int, effect: Effect) -> str:
    """The readable path of an effect's amount: ``events.oil_restriction.effects[0].add``."""
    return f"events.{event}.{group}[{number}].{effect.operation}"


def _parameters(scenario: Scenario) -> tuple[list[Parameter], dict[str, int]]:
    """The uncertain numbers the runs draw, in file order, and each one's column by path."""
    parameters: list[Parameter] = []
    index: dict[str, int] = {}
    # Actors' capabilities and positions belong to the bargaining models, and to the runs only
    # in a coupled scenario (so that an uncoupled one draws exactly what it always drew).
    sections = (
        ("state", "events", "actors", "positions") if scenario.coupling else ("state", "events")
    )
    per_occurrence = {
        effect_path(event.id, group, number, effect)
        for event in scenario.events
        for group in EFFECT_GROUPS
        for number, effect in enumerate(getattr(event, group))
        if effect.per_occurrence
    }
    for path, quantity in iter_quantities(scenario):
        if path[0] not in sections or (path[0] == "actors" and path[2] != "capability"):
            continue
        readable = readable_path(scenario, path)
        index[readable] = len(parameters)
        parameters.append(Parameter(readable, quantity, readable in per_occurrence))
    return parameters, index


class _Compilers:
    """Compiles a scenario's events, effects, conditions and terms against its columns and
    parameters. A condition or term written the same way twice is compiled once (the engine
    then evaluates each compiled one once a month, however many events read it)."""

    def __init__(
        self, variables: tuple[str, ...], event_ids: list[str], index: dict[str, int]
    ) -> None:
        self.variables = variables
        self.event_ids = event_ids
        self.index = index
        self.condition = functools.cache(self._condition)
        self.term = functools.cache(self._term)

    def _condition(self, text: str) -> Condition:
        return compile_condition(expressions.parse(text), self.variables, self.event_ids)

    def _term(self, text: str) -> Numeric:
        return _compile(expressions.parse_term(text), self.variables, self.event_ids)

    def event(self, number: int, event: Event) -> CompiledEvent:
        base, index = f"events.{event.id}", self.index
        hazard = event.hazard
        kind = "per_month" if hazard.per_month is not None else "probability"
        return CompiledEvent(
            index=number,
            id=event.id,
            window_months=hazard.months if hazard.per_month is None else None,
            hazard=index[f"{base}.hazard.{kind}"],
            modifiers=tuple(
                (self.condition(modifier.when), index[f"{base}.modifiers[{k}].odds_ratio"])
                for k, modifier in enumerate(event.modifiers)
                if modifier.when is not None
            ),
            covariates=tuple(
                (self.term(modifier.term), index[f"{base}.modifiers[{k}].coefficient"])
                for k, modifier in enumerate(event.modifiers)
                if modifier.term is not None
            ),
            requires=self.condition(event.requires) if event.requires else None,
            repeatable=event.repeatable,
            ending_hazard=(
                index[f"{base}.duration.ending_hazard"]
                if event.duration is not None and event.duration.ending_hazard is not None
                else None
            ),
            fixed_duration=event.duration.months if event.duration is not None else None,
            effects=self.effects(event.id, "effects", event.effects),
            while_active=self.effects(event.id, "while_active", event.while_active),
            on_end=self.effects(event.id, "on_end", event.on_end),
            ladder=event.ladder,
            triggers=tuple(
                (
                    self.event_ids.index(trigger.event),
                    index[f"{base}.triggers[{k}].probability"],
                    trigger.lag_months,
                )
                for k, trigger in enumerate(event.triggers)
            ),
            ends=tuple(self.event_ids.index(campaign) for campaign in event.ends),
        )

    def effects(
        self, event_id: str, group: str, effects: tuple[Effect, ...]
    ) -> tuple[CompiledEffect, ...]:
        compiled = []
        for number, effect in enumerate(effects):
            operation = effect.operation
            amount = effect.amount
            compiled.append(
                CompiledEffect(
                    variable=self.variables.index(effect.target),
                    operation=operation,
                    parameter=(
                        None
                        if amount is None
                        else self.index[effect_path(event_id, group, number, effect)]
                    ),
                    rate_variable=(
                        None
                        if effect.rate_variable is None
                        else self.variables.index(effect.rate_variable)
                    ),
                    per_occurrence=effect.per_occurrence,
                    quantity=amount,
                )
            )
        return tuple(compiled)


def _participants(scenario: Scenario) -> dict[str, list[str]]:
    """Each issue with stances, and its actors in file order."""
    order = [actor.id for actor in scenario.actors]
    return {
        issue.id: sorted(scenario.positions[issue.id], key=order.index)
        for issue in scenario.issues
        if scenario.positions.get(issue.id)
    }


def settling_actors(scenario: Scenario) -> dict[str, list[str]]:
    """Each issue with stances and the actors whose positions settle it in a coupled run: all
    of them, or for an issue some decide on their own (``decided_by``) those alone (their
    compromise or median; one decider's own position)."""
    decided = {issue.id: issue.decided_by for issue in scenario.issues if issue.decided_by}
    return {
        issue: [actor for actor in actors if issue not in decided or actor in decided[issue]]
        for issue, actors in _participants(scenario).items()
    }


def issue_column(issue: str, actor: str | None = None) -> str:
    """The column of an issue's settlement, or of one actor's position on it."""
    return f"settlement:{issue}" if actor is None else f"position:{issue}.{actor}"


def _coupling_columns(scenario: Scenario) -> list[tuple[str, float, float, str | None]]:
    """The coupling's columns: name, lower and upper bound, and the parameter that starts it."""
    if scenario.coupling is None:
        return []
    columns: list[tuple[str, float, float, str | None]] = []
    actors: list[str] = []

    def bounded(kind: str, name: str, start: str) -> tuple[str, float, float, str]:
        low, high = INPUT_BOUNDS[kind]
        return (f"{kind}:{name}", low, MAX_MAGNITUDE if high is None else high, start)

    for issue, members in _participants(scenario).items():
        columns.append((f"settlement:{issue}", 0.0, 100.0, None))
        for actor in members:
            base = f"positions.{issue}.{actor}"
            columns.append(bounded("position", f"{issue}.{actor}", f"{base}.position"))
            columns.append(bounded("salience", f"{issue}.{actor}", f"{base}.salience"))
            if actor not in actors:
                actors.append(actor)
    for actor in actors:
        columns.append(bounded("capability", actor, f"actors.{actor}.capability"))
    return columns


def _compile_coupling(
    scenario: Scenario, variables: tuple[str, ...], events: list[str]
) -> CompiledCoupling | None:
    if scenario.coupling is None:
        return None
    issues = settling_actors(scenario)
    return CompiledCoupling(
        model=scenario.coupling.model,
        every=scenario.coupling.every,
        on=tuple(events.index(event) for event in scenario.coupling.on),
        settlements=tuple(variables.index(f"settlement:{issue}") for issue in issues),
        positions=tuple(
            tuple(variables.index(f"position:{issue}.{a}") for a in actors)
            for issue, actors in issues.items()
        ),
        saliences=tuple(
            tuple(variables.index(f"salience:{issue}.{a}") for a in actors)
            for issue, actors in issues.items()
        ),
        capabilities=tuple(
            tuple(variables.index(f"capability:{a}") for a in actors) for actors in issues.values()
        ),
    )


def _trigger_order(events: Sequence[CompiledEvent]) -> tuple[int, ...]:
    """Events in an order where every same-month trigger points forward (validation forbids
    cycles), so one pass propagates chains of triggers within a month."""
    remaining = {event.index for event in events}
    incoming = {event.index: 0 for event in events}
    for event in events:
        for target, _, lag in event.triggers:
            if lag == 0:
                incoming[target] += 1
    order: list[int] = []
    ready = sorted(index for index in remaining if incoming[index] == 0)
    while ready:
        current = ready.pop(0)
        order.append(current)
        for target, _, lag in events[current].triggers:
            if lag == 0:
                incoming[target] -= 1
                if incoming[target] == 0:
                    ready.append(target)
                    ready.sort()
    return tuple(order)


def compile_condition(
    tree: expressions.Node, variables: tuple[str, ...], events: list[str]
) -> Condition:
    """A condition as a function of the history; it returns one boolean per run."""
    numeric = _compile(tree, variables, events)

    def evaluate(history: History) -> Mask:
        value = numeric(history)
        runs = history.values.shape[0]
        if isinstance(value, np.ndarray) and value.dtype == np.bool_ and value.shape == (runs,):
            return value  # most conditions (broadcasting one costs as much as computing it)
        return np.broadcast_to(np.asarray(value, dtype=bool), (runs,))

    return evaluate


_OPERATORS: dict[str, Callable[[Array | float, Array | float], Array | float]] = {
    "<": lambda a, b: np.less(a, b),
    "<=": lambda a, b: np.less_equal(a, b),
    ">": lambda a, b: np.greater(a, b),
    ">=": lambda a, b: np.greater_equal(a, b),
    "==": lambda a, b: np.equal(a, b),
    "!=": lambda a, b: np.not_equal(a, b),
    "+": lambda a, b: _quietly(np.add, a, b),
    "-": lambda a, b: _quietly(np.subtract, a, b),
    "*": lambda a, b: _quietly(np.multiply, a, b),
    "/": lambda a, b: _quietly(np.divide, a, b),
    "and": lambda a, b: np.logical_and(a, b),
    "or": lambda a, b: np.logical_or(a, b),
}


def _quietly(
    operation: Callable[[Array | float, Array | float], Array | float],
    a: Array | float,
    b: Array | float,
) -> Array | float:
    """Arithmetic without numpy's warnings: x/0 is ±inf, 0/0 NaN and an overflow ±inf, which
    comparisons and terms then handle (a warning would only reach the user's terminal)."""
    with np.errstate(all="ignore"):
        return operation(a, b)


def _compile(node: expressions.Node, variables: tuple[str, ...], events: list[str]) -> Numeric:
    if isinstance(node, expressions.Number | expressions.Truth):
        value = node.value
        return lambda history: value
    if isinstance(node, expressions.Name):
        if node.name == "month":
            return lambda history: float(history.month)
        if node.name == "ladder":
            return lambda history: history.ladder
        column = variables.index(node.name)
        return lambda history: history.values[:, column]
    if isinstance(node, expressions.Call):
        event = events.index(node.event)
        window = node.within
        if node.function == "active":
            return lambda history: history.active[event]
        if node.function == "months_since":
            return lambda history: np.where(
                history.last[event] == NEVER, 1e9, history.month - history.last[event]
            ).astype(float)
        if node.function == "occurred":
            if window is None:
                return lambda history: history.last[event] != NEVER
            return lambda history: history.last[event] >= history.month - window
        if window is None:
            return lambda history: history.counts[event].astype(float)

        def windowed_count(history: History) -> NDArray[Any]:
            start = max(0, history.month - window)
            return np.asarray(history.occurred[start : history.month, event].sum(axis=0), float)

        return windowed_count
    if isinstance(node, expressions.Bargain):
        return _bargain(node, variables)
    if isinstance(node, expressions.Unary):
        operand = _compile(node.operand, variables, events)
        if node.operator == "not":
            return lambda history: np.logical_not(operand(history))
        return lambda history: np.negative(operand(history))
    left = _compile(node.left, variables, events)
    right = _compile(node.right, variables, events)
    operation = _OPERATORS[node.operator]
    return lambda history: operation(left(history), right(history))


def _bargain(node: expressions.Bargain, variables: tuple[str, ...]) -> Numeric:
    """A read of the bargaining state, kept in the coupling's columns of the values."""
    if node.function == "settlement":
        column = variables.index(f"settlement:{node.arguments[0]}")
        return lambda history: history.values[:, column]
    if node.function == "position":
        issue, actor = node.arguments
        column = variables.index(f"position:{issue}.{actor}")
        return lambda history: history.values[:, column]
    first, second, issue = node.arguments
    a = variables.index(f"position:{issue}.{first}")
    b = variables.index(f"position:{issue}.{second}")
    return lambda history: np.abs(history.values[:, a] - history.values[:, b])
