"""Compiled loops for the simulation's monthly updates (numba, compiled once and cached on disk).

numpy computes each update as several passes over a tile's columns, each pass allocating a
temporary and reading its inputs again: an event's modifier took five passes, an effect four.
One loop per update reads each input once (measured on the built-in case: 1.8× faster a
run-month, benchmarks/dynamics.py). Each loop does the same IEEE arithmetic in the same order
as its numpy version in :mod:`.loops` (no fused multiply-add, no reassociation), so the results
are identical bit for bit; ``tests/dynamics/test_kernels.py`` checks each against it. The numpy
error model lets x/0 give inf or nan, as numpy does, instead of raising, which also lets the
loops run in SIMD registers.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import numpy as np

from tightrope._types import Array, Mask
from tightrope.compiled import compiled
from tightrope.dynamics.loops import OPERATIONS, Loops, as_indices

SET, ADD = OPERATIONS["set"], OPERATIONS["add"]


@compiled(inline="always")
def _clip(value: float, lower: float, upper: float) -> float:
    """np.clip's own rule: NaN stays NaN, and a bound replaces a value only when strictly
    beyond it (so a zero keeps its sign, as numpy's does)."""
    floor = lower if value < lower else value
    return upper if floor > upper else floor


@compiled(nogil=True, error_model="numpy")
def scale_odds(probability: Array, ratio: Array, holds: Mask) -> None:
    """Multiply the odds by ``ratio`` where ``holds``, in place: p r / (1 − p + p r), written so
    that p = 1 stays 1."""
    for run in range(probability.shape[0]):
        p = probability[run]
        scaled = p * ratio[run]
        scaled = scaled / ((1.0 - p) + scaled)
        probability[run] = scaled if holds[run] else p


@compiled(nogil=True, error_model="numpy")
def apply_effect(
    column: Array, where: Mask, amount: Array, operation: int, lower: float, upper: float
) -> None:
    """Set, add or multiply by ``amount`` where ``where``, in place, clipped to the bounds.

    Only the runs ``where`` are read and written: the column is already within its bounds (or
    NaN) in every run, as every value an effect's column ever holds was clipped when written
    (the starting values and each effect; the bargaining writes only settlements, which no
    effect targets), so clipping the other runs, as numpy's version does, changes nothing. An
    event happens in a few runs a month; the column's other cache lines stay untouched."""
    for run in range(column.shape[0]):
        if where[run]:
            if operation == SET:
                value = amount[run]
            elif operation == ADD:
                value = column[run] + amount[run]
            else:
                value = column[run] * amount[run]
            column[run] = _clip(value, lower, upper)


@compiled(nogil=True)
def record_events(
    happening: Mask,
    month: int,
    last: Array,
    counts: Array,
    occurred: Mask,
    first: Array,
    rung_events: Array,
    rung_levels: Array,
    ladder: Array,
) -> None:
    """A month's events into the history, all (events, runs): the latest month, the count, the
    month's row of ``occurred``, the first month; the ladder rises to the rungs of the events
    that happened."""
    events, runs = happening.shape
    for event in range(events):
        for run in range(runs):
            happened = happening[event, run]
            occurred[event, run] = happened
            if happened:
                last[event, run] = month
                counts[event, run] += 1
                if first[event, run] == 0:
                    first[event, run] = month
    for rung in range(rung_events.shape[0]):
        event, level = rung_events[rung], rung_levels[rung]
        for run in range(runs):
            # np.maximum's rule: the ladder stays unless below the rung (or NaN)
            if happening[event, run] and not (ladder[run] >= level or ladder[run] != ladder[run]):
                ladder[run] = level


@compiled(nogil=True, error_model="numpy")
def weighted_settlement(
    values: Array,
    rows: Array,
    every_row: bool,
    positions: Array,
    capabilities: Array,
    saliences: Array,
    settlement: int,
) -> None:
    """The capability × salience weighted mean of the positions, into the settlement's column,
    for the ``rows`` (every run if ``every_row``); the plain mean where no actor has weight.
    Summed actor by actor, left to right, as the numpy version sums whole columns; actor by
    actor here too, so that each pass reads three contiguous columns."""
    count = rows.shape[0] if not every_row else values.shape[0]
    total, weighted, plain = np.empty(count), np.empty(count), np.empty(count)
    for actor in range(positions.shape[0]):
        position = values[:, positions[actor]]
        capability = values[:, capabilities[actor]]
        salience = values[:, saliences[actor]]
        for index in range(count):
            run = index if every_row else rows[index]
            weight = capability[run] * salience[run]
            if actor == 0:
                total[index], weighted[index] = weight, weight * position[run]
                plain[index] = position[run]
            else:
                total[index] += weight
                weighted[index] += weight * position[run]
                plain[index] += position[run]
    column = values[:, settlement]
    actors = positions.shape[0]
    for index in range(count):
        run = index if every_row else rows[index]
        column[run] = weighted[index] / total[index] if total[index] > 0 else plain[index] / actors


COMPILED = cast(
    "Loops",
    SimpleNamespace(
        scale_odds=scale_odds,
        apply_effect=apply_effect,
        record_events=record_events,
        weighted_settlement=weighted_settlement,
    ),
)


def load() -> None:
    """Load the loops from numba's cache now (0.2-0.45 s in a new process, mostly LLVM's
    start-up), each for the argument types the engine passes, rather than inside the first
    tile (a process that then forks workers loads them once for all of them)."""
    runs, tiny, mask = 1, np.zeros(1), np.zeros(1, dtype=bool)
    scale_odds(tiny.copy(), tiny, mask)
    apply_effect(tiny.copy(), mask, tiny, SET, 0.0, 1.0)
    history = np.zeros((1, runs), dtype=np.int32)
    record_events(
        np.zeros((1, runs), dtype=bool),
        1,
        history,
        history.copy(),
        np.zeros((1, runs), dtype=bool),
        np.zeros((1, runs), dtype=np.int16),
        as_indices([0]),
        np.ones(1),
        tiny.copy(),
    )
    values = np.zeros((runs, 4), order="F")
    weighted_settlement(
        values, as_indices([0]), False, as_indices([0]), as_indices([1]), as_indices([2]), 3
    )
