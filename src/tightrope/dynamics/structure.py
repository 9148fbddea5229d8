"""Structural sensitivity: does the forecast survive dropping each modifier, and the other
reading of a chance elicited over a window?

A referee asks of a crisis model that its conclusions survive dropping each modifier and the
alternative reading of window probabilities, baseline against marginal (model review §7). Each
modifier in turn is given no effect — a condition's odds ratio set to 1, a covariate term's
coefficient to 0 — from the first month, and the simulation is run again on the baseline's random
numbers (same seed, same streams). Each question's change, with its standard error clustered by
parameter sample (:func:`~tightrope.dynamics.results.compare`), is then that modifier's own
effect; a change beyond twice its error is beyond the Monte Carlo noise.

A chance over a window is the baseline, in months when no modifier applies (the format's
reading). Read instead as the chance over the window with the modifiers and triggers at work,
each such event's hazard is scaled — the same factor in every parameter sample, so the elicited
uncertainty is kept — until its simulated chance over the window averages the elicited chance's
mean (:func:`window_reading`; secant steps on the log factor, on common random numbers).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tightrope import limits
from tightrope._types import Progress
from tightrope.dynamics.engine import Design, Interventions, RunRecord, draw_parameters, simulate
from tightrope.dynamics.model import (
    CompiledModel,
    History,
    compile_scenario,
    scaled_hazard,
    simulated_months,
)
from tightrope.dynamics.results import compare, comparison_rows
from tightrope.scenario.schema import Scenario

MOVED = 2.0  # a change beyond this many standard errors is beyond the Monte Carlo noise


def window_events(scenario: Scenario) -> dict[str, int]:
    """The events elicited as a chance over a window, and each window's months."""
    return {
        event.id: event.hazard.months
        for event in scenario.events
        if event.hazard.probability is not None and event.hazard.months is not None
    }


def simulations(scenario: Scenario) -> tuple[int, int]:
    """How many simulations of the design's runs ``structure`` takes: those it reports progress
    on (the baseline, each modifier dropped and, with windows, the other reading) and at most
    in all (with the calibration's, which report none)."""
    reported = len(neutral_settings(scenario)) + 1 + (1 if window_events(scenario) else 0)
    return reported, reported + (CALIBRATION_STEPS + 1 if window_events(scenario) else 0)


def check_work(scenario: Scenario, runs: int, limit: int, where: str = "") -> None:
    """Refuse, before any work, more runs in all than ``limit``."""
    reported, most = simulations(scenario)
    if runs * most > limit:
        windows = most - reported + 1 if window_events(scenario) else 0
        raise limits.LimitError(
            "runs × simulations (the baseline, each modifier dropped"
            + (f", up to {windows} to read the windows" if windows else "")
            + f") is {runs * most:,}: at most {limit:,}{where}"
        )


def neutral_settings(scenario: Scenario) -> list[tuple[str, float]]:
    """Each modifier's number and the value that gives it no effect, in file order."""
    found = []
    for event in scenario.events:
        for index, modifier in enumerate(event.modifiers):
            path = f"events.{event.id}.modifiers[{index}]"
            if modifier.term is not None:
                found.append((f"{path}.coefficient", 0.0))
            else:
                found.append((f"{path}.odds_ratio", 1.0))
    return found


def drop_each_modifier(
    scenario: Scenario,
    design: Design,
    baseline: tuple[CompiledModel, RunRecord],
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """For each modifier, every question with it dropped beside the ``baseline`` (simulated
    with ``design``; ``compare``'s rows), the questions it moves beyond the noise, and its
    largest move; the largest first."""
    from tightrope.dynamics.dependencies import parameter_labels

    settings = neutral_settings(scenario)
    model, record = baseline
    labels = parameter_labels(scenario)
    effects = []
    for path, neutral in settings:
        _, dropped = simulate(
            scenario,
            design,
            Interventions(set=((path, neutral),)),
            workers=workers,
            progress=progress,
        )
        effects.append(
            {
                "modifier": path.rsplit(".", 1)[0],
                "label": labels.get(path, path),
                "set": {path: neutral},
                **_effect(compare(model, record, dropped)),
            }
        )
    return sorted(
        effects, key=lambda effect: -abs((effect["largest"] or {"difference": 0})["difference"])
    )


CALIBRATION_STEPS = 8  # secant steps at most; two or three reach the target on the built-in


def window_reading(
    scenario: Scenario,
    design: Design,
    baseline: tuple[CompiledModel, RunRecord],
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> dict[str, Any] | None:
    """Each chance elicited over a window read as the chance over that window with modifiers
    and triggers at work (see the module docstring): each such event's factor on its hazard, its
    chance over the window before and after, and every question beside the baseline (``compare``'s
    rows). None when no event is elicited over a window."""
    windows = window_events(scenario)
    if not windows:
        return None
    # Long enough to see every window, even one longer than the questions need.
    months = min(limits.MAX_MONTHS, max(simulated_months(scenario), *windows.values()))
    calibration = Design(design.samples, design.runs, design.seed, months=months)
    model = compile_scenario(scenario, months)
    drawn = draw_parameters(model, design.samples, design.seed)
    columns = {key: model.events[model.event_index(key)].hazard for key in windows}
    targets = {key: float(drawn[:, column].mean()) for key, column in columns.items()}

    def simulated(factors: dict[str, float]) -> RunRecord:
        return simulate(
            scenario, calibration, workers=workers, parameters=_scaled(drawn, columns, factors)
        )[1]

    def measured(record: RunRecord) -> tuple[dict[str, float], dict[str, float]]:
        """Each window event's chance over its window, and that chance's binomial error."""
        found, errors = {}, {}
        for key, window in windows.items():
            first = record.first[:, model.event_index(key)]
            hits = ((first > 0) & (first <= window)).astype(float)
            found[key] = float(hits.mean())
            errors[key] = float(hits.std() / math.sqrt(len(hits)))
        return found, errors

    def close(found: dict[str, float], errors: dict[str, float], key: str) -> bool:
        return abs(found[key] - targets[key]) <= max(0.001, 2 * errors[key])

    # Where the questions' months cover every window, the calibration's runs are the design's
    # own: the baseline is its first point, and its last point is the other reading.
    same = months == baseline[0].months
    factors = dict.fromkeys(windows, 1.0)
    record = baseline[1] if same else simulated(factors)
    before, errors = measured(record)
    found, previous = dict(before), {key: (0.0, 0.0) for key in windows}  # (log factor, miss)
    for _ in range(CALIBRATION_STEPS):
        if all(close(found, errors, key) for key in windows):
            break
        for key in windows:
            miss = found[key] - targets[key]
            current = (math.log(max(factors[key], 1e-300)), miss)
            factors[key] = _next_factor(factors[key], miss, previous[key], found[key])
            previous[key] = current
        record = simulated(factors)
        found, errors = measured(record)
    reached = {key: close(found, errors, key) for key in windows}
    if same:
        read = record
        if progress is not None:
            progress(design.total_runs)  # the other reading, simulated in the calibration
    else:
        read = simulate(
            scenario,
            design,
            workers=workers,
            progress=progress,
            parameters=_scaled(drawn, columns, factors),
        )[1]
    return _reading_effect(*baseline, read, windows, targets, before, found, factors, reached)


def _next_factor(factor: float, miss: float, previous: tuple[float, float], found: float) -> float:
    """The next factor on an event's hazard: a secant step on the log factor once there are two
    points, a first step that scales the cumulative hazard by the ratio it needs."""
    log_factor = math.log(max(factor, 1e-300))
    last_log, last_miss = previous
    if last_miss != 0.0 and miss != last_miss and last_log != log_factor:
        step = -miss * (log_factor - last_log) / (miss - last_miss)
    else:
        target = min(max(found - miss, 1e-6), 1 - 1e-6)
        step = math.log(math.log1p(-target) / math.log1p(-min(max(found, 1e-6), 1 - 1e-6)))
    return math.exp(min(max(log_factor + step, -30.0), 30.0))


def _scaled(
    drawn: np.ndarray[Any, Any], columns: dict[str, int], factors: dict[str, float]
) -> np.ndarray[Any, Any]:
    matrix = drawn.copy()
    for key, column in columns.items():
        matrix[:, column] = scaled_hazard(matrix[:, column], factors[key])
    return matrix


def _reading_effect(
    model: CompiledModel,
    baseline: RunRecord,
    read: RunRecord,
    windows: dict[str, int],
    targets: dict[str, float],
    before: dict[str, float],
    found: dict[str, float],
    factors: dict[str, float],
    reached: dict[str, bool],
) -> dict[str, Any]:
    return {
        "events": {
            key: {
                "months": windows[key],
                "elicited": targets[key],
                "implied_as_baseline": before[key],
                "implied_as_marginal": found[key],
                "hazard_factor": factors[key],
                # False where no factor brings it there (triggers alone may exceed it).
                "reached": reached[key],
            }
            for key in windows
        },
        **_effect(compare(model, baseline, read)),
    }


def _effect(comparison: dict[str, Any]) -> dict[str, Any]:
    """A change's questions moved beyond the noise, its largest move and the whole comparison."""
    rows = comparison_rows(comparison)
    return {
        "moved": sorted(
            {
                row["question"]
                for row in rows
                if abs(row["difference"]) > MOVED * row["se"] and row["difference"] != 0
            }
        ),
        "largest": max(rows, key=lambda row: abs(row["difference"]), default=None),
        "comparison": comparison,
    }


def starting_terms(
    scenario: Scenario, samples: int = 2_000, seed: int = 0
) -> dict[tuple[str, int], tuple[float, float, float]]:
    """Each continuous modifier's term at the start of the first month, before any event, over
    ``samples`` parameter samples: its 5th percentile, median and 95th percentile, by event and
    modifier index. The elicited hazard is the chance where the term is 0, so a term far from 0
    at the start means the chance as things stand is not the one elicited."""
    model = compile_scenario(scenario)
    values = model.initial_values(draw_parameters(model, samples, seed))
    history = History.before_any_event(
        values, float(model.ladder_start), len(model.events), model.months
    )
    found = {}
    for event, compiled in zip(scenario.events, model.events, strict=True):
        indices = [k for k, modifier in enumerate(event.modifiers) if modifier.term is not None]
        for index, (term, _) in zip(indices, compiled.covariates, strict=True):
            value = np.broadcast_to(np.asarray(term(history), dtype=float), (samples,))
            low, middle, high = np.percentile(value, [5, 50, 95])
            found[(event.id, index)] = (float(low), float(middle), float(high))
    return found
