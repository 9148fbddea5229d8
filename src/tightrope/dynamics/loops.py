"""The simulation's monthly updates, in numpy or as compiled loops (:mod:`.kernels`).

Both do the same IEEE arithmetic in the same order, so they give the same results bit for bit
(``tests/dynamics/test_kernels.py``); they differ in speed only. numba and the cached loops
take 0.2–0.45 s to load in a new process (0.2 s once scipy is loaded), which the compiled loops
repay from two to four million run-months (measured on the built-in case: 0.27 µs a run-month
in numpy, 0.15 µs compiled). A smaller simulation (``show``'s, a test's, the default forecast's
2.6 million) runs in numpy, unless a simulation in the process has loaded the loops already.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from tightrope._types import Array, Mask

Indices = NDArray[np.intp]
Months = NDArray[np.int32] | NDArray[np.int16]  # months and counts of events, (events, runs)

COMPILED_FROM = 4_000_000  # run-months from which a simulation runs the compiled loops
OPERATIONS = {"set": 0, "add": 1, "multiply": 2}


_compiled_loaded = False  # whether a simulation in this process has loaded the compiled loops


def choose(run_months: int) -> Loops:
    """The compiled loops for a simulation of at least COMPILED_FROM run-months, or once a
    simulation in this process (or in the one that forked it) has loaded them; numpy otherwise."""
    global _compiled_loaded
    if run_months >= COMPILED_FROM or _compiled_loaded:
        from tightrope.dynamics import kernels

        if not _compiled_loaded:
            kernels.load()
            _compiled_loaded = True
        return kernels.COMPILED
    return NUMPY


class NumpyLoops:
    """The updates as numpy expressions (the reference the compiled loops are tested against)."""

    @staticmethod
    def scale_odds(probability: Array, ratio: Array, holds: Mask) -> None:
        """Multiply the odds by ``ratio`` where ``holds``, in place: p r / (1 − p + p r),
        written so that p = 1 stays 1."""
        scaled = probability * ratio
        denominator = 1.0 - probability
        denominator += scaled
        scaled /= denominator
        np.copyto(probability, scaled, where=holds)

    @staticmethod
    def apply_effect(
        column: Array, where: Mask, amount: Array, operation: int, lower: float, upper: float
    ) -> None:
        """Set, add or multiply by ``amount`` where ``where``, in place, then clip every run to
        the bounds."""
        if operation == OPERATIONS["set"]:
            updated = amount
        elif operation == OPERATIONS["add"]:
            updated = column + amount
        else:
            updated = column * amount
        np.clip(np.where(where, updated, column), lower, upper, out=column)

    @staticmethod
    def record_events(
        happening: Mask,
        month: int,
        last: Months,
        counts: Months,
        occurred: Mask,
        first: Months,
        rung_events: Indices,
        rung_levels: Array,
        ladder: Array,
    ) -> None:
        """A month's events into the history, all (events, runs): the latest month, the count,
        the month's row of ``occurred``, the first month; the ladder rises to the rungs of the
        events that happened."""
        last[happening] = month
        counts += happening
        occurred[...] = happening
        first[happening & (first == 0)] = month
        for event, level in zip(rung_events, rung_levels, strict=True):
            np.maximum(ladder, level, out=ladder, where=happening[event])

    @staticmethod
    def weighted_settlement(
        values: Array,
        rows: Indices,
        every_row: bool,
        positions: Indices,
        capabilities: Indices,
        saliences: Indices,
        settlement: int,
    ) -> None:
        """The capability × salience weighted mean of the positions, into the settlement's
        column, for the ``rows`` (every run if ``every_row``); the plain mean where no actor has
        weight. Summed actor by actor, left to right, on whole columns (a gathered (runs ×
        actors) block cost more than the arithmetic)."""

        def column(index: int) -> Array:
            return values[:, index] if every_row else np.take(values[:, index], rows)

        x = [column(index) for index in positions]
        w = [column(c) * column(s) for c, s in zip(capabilities, saliences, strict=True)]
        total, weighted, plain = w[0].copy(), w[0] * x[0], x[0].copy()
        for position, weight in zip(x[1:], w[1:], strict=True):
            total += weight
            weighted += weight * position
            plain += position
        with np.errstate(invalid="ignore", divide="ignore"):
            solved = np.where(total > 0, weighted / total, plain / len(x))
        if every_row:
            values[:, settlement] = solved
        else:
            values[rows, settlement] = solved


Loops = NumpyLoops  # what the engine calls; the compiled loops take the same arguments
NUMPY = NumpyLoops()


def as_indices(numbers: tuple[int, ...] | list[int]) -> Indices:
    """Column or event numbers as the loops take them."""
    return np.asarray(numbers, dtype=np.intp)
