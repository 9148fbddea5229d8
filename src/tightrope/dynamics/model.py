"""A scenario compiled for simulation: indices, parameters and conditions as array functions.

Compilation happens once per simulation. Conditions (the scenario's small expression language) are
turned into closures over numpy arrays, one array element per run; nothing is ever passed to
Python's ``eval``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tightrope.dynamics.calendar import month_of
from tightrope.limits import MAX_MAGNITUDE, MAX_MONTHS
from tightrope.scenario import expressions
from tightrope.scenario.checks import iter_quantities
from tightrope.scenario.provenance import readable_path
from tightrope.scenario.quantity import Quantity
from tightrope.scenario.schema import Effect, Scenario

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]

NEVER = -1_000_000  # "month" of an event that has not happened


@dataclass
class History:
    """What the conditions may look at, for a block of runs at the start of a month."""

    month: int  # the month about to be simulated (1-based)
    values: Array  # (runs, variables)
    ladder: Array  # (runs,)
    last: NDArray[np.int64]  # (runs, events): month of the latest occurrence, NEVER if none
    counts: NDArray[np.int64]  # (runs, events)
    occurred: Mask  # (months + 2, runs, events): occurred[m, r, e]
    active: Mask  # (runs, events): campaigns under way


Condition = Callable[[History], Mask]
Numeric = Callable[[History], NDArray[Any] | float]  # numbers or booleans, per run


@dataclass(frozen=True)
class Parameter:
    """An uncertain (or fixed) number of the dynamics, sampled in the outer loop."""

    path: str  # readable: events.oil_restriction.hazard.probability
    quantity: Quantity


@dataclass(frozen=True)
class CompiledEffect:
    variable: int
    operation: str  # set, add, multiply, poisson
    parameter: int | None  # index into the parameter table (None for poisson)
    rate_variable: int | None  # poisson: the variable holding the mean
    per_occurrence: bool
    quantity: Quantity | None


@dataclass(frozen=True)
class CompiledEvent:
    index: int
    id: str
    window_months: int | None  # hazard given over a window (probability, months)
    hazard: int  # parameter index of per_month or probability
    modifiers: tuple[tuple[Condition, int], ...]  # (condition, odds-ratio parameter)
    requires: Condition | None
    repeatable: bool
    ending_hazard: int | None  # parameter index
    fixed_duration: int | None
    effects: tuple[CompiledEffect, ...]
    while_active: tuple[CompiledEffect, ...]
    on_end: tuple[CompiledEffect, ...]
    ladder: int | None
    triggers: tuple[tuple[int, int, int], ...]  # (event, probability parameter, lag)


@dataclass(frozen=True)
class CompiledModel:
    scenario: Scenario
    variables: tuple[str, ...]
    lower: Array
    upper: Array
    initial: tuple[int, ...]  # parameter index per variable
    events: tuple[CompiledEvent, ...]
    trigger_order: tuple[int, ...]  # events ordered so that same-month triggers flow forward
    ladder_start: int
    ladder_rules: tuple[tuple[int, Condition], ...]
    parameters: tuple[Parameter, ...]
    months: int
    parameter_index: dict[str, int] = field(default_factory=dict)

    def event_index(self, event_id: str) -> int:
        for event in self.events:
            if event.id == event_id:
                return event.index
        known = ", ".join(event.id for event in self.events)
        raise KeyError(f"unknown event {event_id!r} (known: {known})")


def simulated_months(scenario: Scenario) -> int:
    """The horizon, extended to the month of the latest question deadline (each question is
    answered at its own deadline, never cut short by the horizon)."""
    deadlines = [month_of(scenario.as_of, q.deadline) for q in scenario.questions]
    return min(MAX_MONTHS, max([scenario.horizon_months, *deadlines]))


def compile_scenario(scenario: Scenario, months: int | None = None) -> CompiledModel:
    """Compile the dynamics of a validated scenario, over ``months`` months (default: the
    horizon, or longer to reach the latest question's deadline)."""
    horizon = months or simulated_months(scenario)
    parameters: list[Parameter] = []
    index: dict[str, int] = {}
    for path, quantity in iter_quantities(scenario):
        if path[0] not in ("state", "events"):
            continue  # actors, issues and positions belong to the bargaining models
        readable = readable_path(scenario, path)
        index[readable] = len(parameters)
        parameters.append(Parameter(readable, quantity))

    variables = tuple(variable.id for variable in scenario.state)
    event_ids = [event.id for event in scenario.events]

    def parameter(path: str) -> int:
        return index[path]

    def compile_effects(
        event_id: str, group: str, effects: tuple[Effect, ...]
    ) -> tuple[CompiledEffect, ...]:
        compiled = []
        for number, effect in enumerate(effects):
            operation = next(
                op
                for op in ("set", "add", "multiply", "poisson")
                if getattr(effect, op) is not None
            )
            amount: Quantity | None = getattr(effect, operation) if operation != "poisson" else None
            compiled.append(
                CompiledEffect(
                    variable=variables.index(effect.variable),
                    operation=operation,
                    parameter=(
                        None
                        if amount is None
                        else parameter(f"events.{event_id}.{group}[{number}].{operation}")
                    ),
                    rate_variable=(
                        variables.index(effect.poisson) if effect.poisson is not None else None
                    ),
                    per_occurrence=effect.per_occurrence,
                    quantity=amount,
                )
            )
        return tuple(compiled)

    def condition(text: str) -> Condition:
        return compile_condition(expressions.parse(text), variables, event_ids)

    events = []
    for number, event in enumerate(scenario.events):
        base = f"events.{event.id}"
        hazard = event.hazard
        kind = "per_month" if hazard.per_month is not None else "probability"
        events.append(
            CompiledEvent(
                index=number,
                id=event.id,
                window_months=hazard.months if hazard.per_month is None else None,
                hazard=parameter(f"{base}.hazard.{kind}"),
                modifiers=tuple(
                    (condition(modifier.when), parameter(f"{base}.modifiers[{k}].odds_ratio"))
                    for k, modifier in enumerate(event.modifiers)
                ),
                requires=condition(event.requires) if event.requires else None,
                repeatable=event.repeatable,
                ending_hazard=(
                    parameter(f"{base}.duration.ending_hazard")
                    if event.duration is not None and event.duration.ending_hazard is not None
                    else None
                ),
                fixed_duration=event.duration.months if event.duration is not None else None,
                effects=compile_effects(event.id, "effects", event.effects),
                while_active=compile_effects(event.id, "while_active", event.while_active),
                on_end=compile_effects(event.id, "on_end", event.on_end),
                ladder=event.ladder,
                triggers=tuple(
                    (
                        event_ids.index(trigger.event),
                        parameter(f"{base}.triggers[{k}].probability"),
                        trigger.lag_months,
                    )
                    for k, trigger in enumerate(event.triggers)
                ),
            )
        )
    ladder_rules: list[tuple[int, Condition]] = []
    if scenario.ladder is not None:
        ladder_rules = [
            (level.level, condition(level.when))
            for level in scenario.ladder.levels
            if level.when is not None
        ]
    return CompiledModel(
        scenario=scenario,
        variables=variables,
        # A variable without a bound is held within ±MAX_MAGNITUDE, so that repeated effects
        # cannot overflow to infinity (and infinity × 0 to NaN).
        lower=np.array([-MAX_MAGNITUDE if v.min is None else v.min for v in scenario.state]),
        upper=np.array([MAX_MAGNITUDE if v.max is None else v.max for v in scenario.state]),
        initial=tuple(parameter(f"state.{v.id}.initial") for v in scenario.state),
        events=tuple(events),
        trigger_order=_trigger_order(events),
        ladder_start=scenario.ladder.start if scenario.ladder is not None else 0,
        ladder_rules=tuple(ladder_rules),
        parameters=tuple(parameters),
        months=horizon,
        parameter_index=index,
    )


def _trigger_order(events: list[CompiledEvent]) -> tuple[int, ...]:
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
        return np.broadcast_to(np.asarray(value, dtype=bool), (history.values.shape[0],))

    return evaluate


_COMPARISONS: dict[str, Callable[[Array | float, Array | float], Array | float]] = {
    "<": lambda a, b: np.less(a, b),
    "<=": lambda a, b: np.less_equal(a, b),
    ">": lambda a, b: np.greater(a, b),
    ">=": lambda a, b: np.greater_equal(a, b),
    "==": lambda a, b: np.equal(a, b),
    "!=": lambda a, b: np.not_equal(a, b),
    "+": lambda a, b: np.add(a, b),
    "-": lambda a, b: np.subtract(a, b),
    "*": lambda a, b: np.multiply(a, b),
    "/": lambda a, b: np.divide(a, b),
    "and": lambda a, b: np.logical_and(a, b),
    "or": lambda a, b: np.logical_or(a, b),
}


def _compile(node: expressions.Node, variables: tuple[str, ...], events: list[str]) -> Numeric:
    if isinstance(node, expressions.Number):
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
            return lambda history: history.active[:, event]
        if node.function == "months_since":
            return lambda history: np.where(
                history.last[:, event] == NEVER, 1e9, history.month - history.last[:, event]
            ).astype(float)
        if node.function == "occurred":
            if window is None:
                return lambda history: history.last[:, event] != NEVER
            return lambda history: history.last[:, event] >= history.month - window
        if window is None:
            return lambda history: history.counts[:, event].astype(float)

        def windowed_count(history: History) -> NDArray[Any]:
            start = max(0, history.month - window)
            return np.asarray(history.occurred[start : history.month, :, event].sum(axis=0), float)

        return windowed_count
    if isinstance(node, expressions.Unary):
        operand = _compile(node.operand, variables, events)
        if node.operator == "not":
            return lambda history: np.logical_not(operand(history))
        return lambda history: np.negative(operand(history))
    left = _compile(node.left, variables, events)
    right = _compile(node.right, variables, events)
    operation = _COMPARISONS[node.operator]
    return lambda history: operation(left(history), right(history))
