"""From weighted runs to the posterior: resampling, effective sample size, what the evidence
taught the model about its uncertain parameters, and how expected each observation was.

The runs were simulated with the observations clamped (:mod:`tightrope.dynamics.evidence`); each
run's weight is the likelihood the model gave the observations in it. Systematic resampling
(Kitagawa 1996) with the seed draws as many runs as were simulated, in proportion to the weights,
so every summary of the unweighted record is a summary of the posterior. The effective sample size
(Σw)² / Σw² says how many independent runs the weighted ones are worth.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from tightrope._types import Array
from tightrope.dynamics.calendar import add_months, first_open_month, month_start
from tightrope.dynamics.engine import (
    FAN_RUNS,
    Design,
    Interventions,
    RunRecord,
    simulate,
)
from tightrope.dynamics.evidence import Evidence, ObservationError, compile_evidence
from tightrope.dynamics.model import CompiledModel, compile_scenario
from tightrope.errors import WhatIfError
from tightrope.limits import ENOUGH_EFFECTIVE
from tightrope.scenario.schema import Question, Scenario

# Under this many effective runs per parameter sample, chance can hide the parameters' spread.
FEW_PER_SAMPLE = 5.0
MAX_NAMED = 3  # observations named in a message, the rest counted


def as_known_on(scenario: Scenario, day: dt.date) -> Scenario:
    """The scenario with only the observations known (dated and published) by ``day``."""
    known = tuple(o for o in scenario.observations if o.day <= day and o.known <= day)
    return scenario.model_copy(update={"observations": known})


def known_on(scenario: Scenario, as_of: dt.date | None) -> tuple[Scenario, dict[str, Any] | None]:
    """The scenario a forecast as of ``as_of`` may use: only the observations known then, as a
    replay step has them, so that a file that logs later news gives the forecast made on that
    day. Also what was left out (None if nothing), for the ``conditioning`` section."""
    if as_of is None:
        return scenario, None
    later = sum(o.day > as_of for o in scenario.observations)
    unpublished = sum(o.day <= as_of < o.known for o in scenario.observations)
    if not (later or unpublished):
        return scenario, None
    parts = [
        f"{count} observation{'s' if count > 1 else ''} {kind}"
        for count, kind in ((later, "dated"), (unpublished, "published"))
        if count
    ]
    return as_known_on(scenario, as_of), {
        "later": later,
        "unpublished": unpublished,
        "note": f"left out: {' and '.join(parts)} after {as_of}; the forecast uses what was "
        "known on that day, as a replay step does",
    }


@dataclass(frozen=True)
class Posterior:
    record: RunRecord  # resampled: unweighted, as many runs as were simulated
    summary: dict[str, Any]  # the JSON ``conditioning`` section


def simulate_as_of(
    scenario: Scenario,
    design: Design,
    interventions: Interventions = Interventions(),
    *,
    as_of: dt.date | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    describe: bool = True,
) -> tuple[CompiledModel, RunRecord, dict[str, Any] | None]:
    """Simulate; with ``as_of``, conditioned on the observations known then and resampled. Returns
    the model, the (posterior) record and the ``conditioning`` section (None without ``as_of``;
    without ``describe``, its effective sample size and resolved questions alone)."""
    evidence = None
    if as_of is not None:
        compiled = compile_scenario(scenario, design.months)
        interventions = after_the_evidence(scenario, compiled, interventions, as_of)
        evidence = compile_evidence(scenario, compiled, as_of)
    model, record = simulate(
        scenario, design, interventions, workers=workers, progress=progress, evidence=evidence
    )
    if evidence is None:
        return model, record, None
    assert as_of is not None
    posterior = condition(model, record, evidence, design.seed, describe=describe)
    return model, posterior.record, {"as_of": as_of.isoformat(), **posterior.summary}


def after_the_evidence(
    scenario: Scenario, model: CompiledModel, interventions: Interventions, as_of: dt.date
) -> Interventions:
    """The what-ifs of a forecast conditioned up to ``as_of``, acting only on what is still to
    come: from the first month that starts after the forecast date, an event is forced or
    forbidden and a number takes its set value (the months before keep their drawn numbers).
    Every run's observed months, and so its weight, are then the baseline's, the same runs are
    drawn in the resampling, and the what-if stays paired with the baseline run by run. A
    starting value lies in the past, so setting one is refused."""
    if interventions.empty:
        return interventions
    first = first_open_month(scenario.as_of, as_of)
    from_date = month_start(scenario.as_of, first)
    for event, month in interventions.force:
        if month < first:
            raise WhatIfError(
                "force",
                f"{event}@{month}",
                f"month {month} ends on {add_months(scenario.as_of, month)}, but on a forecast "
                f"as of {as_of} a what-if changes only what is still to come: month {first} "
                f"(from {from_date}) or later",
            )
    starting = {model.parameters[index].path for index in model.initial if index is not None}
    for path, value in interventions.set:
        if path in starting and first > 1:
            raise WhatIfError(
                "set",
                f"{path}={value:g}",
                f"a starting value cannot change on a forecast as of {as_of}: it lies in the past "
                f"(a what-if acts from {from_date})",
            )
    return replace(interventions, from_month=first)


def condition(
    model: CompiledModel, record: RunRecord, evidence: Evidence, seed: int, describe: bool = True
) -> Posterior:
    """Resample the runs by the likelihood of the evidence and describe what it taught (without
    ``describe``: no observation's chance and no parameter's posterior, which cost as much as
    the resampling)."""
    assert record.loglik is not None
    logw = record.loglik.sum(axis=1)
    if not np.isfinite(logw).any():
        raise ObservationError(_no_run_agrees(model, record.loglik, evidence))
    weights = np.exp(logw - logw.max())
    total = weights.sum()
    runs = len(weights)
    ess = float(total**2 / (weights**2).sum())
    rng = np.random.default_rng([seed, 3])
    positions = (rng.random() + np.arange(runs)) / runs
    chosen = np.minimum(np.searchsorted(np.cumsum(weights) / total, positions), runs - 1)
    summary: dict[str, Any] = {
        "method": _method(model, record, evidence),
        "runs": runs,
        "effective_sample_size": ess,
        "effective_share": ess / runs,
    }
    if describe:
        summary["observations"] = [
            {
                "observation": item,
                "in_words": words,
                "chance": chance,
                "chance_given_before": before,
                "effective_runs_after": left,
            }
            for item, words, chance, (before, left) in zip(
                evidence.items,
                evidence.words,
                _chances(record, evidence, chosen),
                _one_by_one(record, evidence),
                strict=True,
            )
        ]
        summary["parameters"] = _parameters(model, record, weights)
    summary["resolved"] = _resolved(model, evidence)
    summary["resolved_in_words"] = _resolved(model, evidence, in_words=True)
    per_sample = _effective_runs_per_sample(record.sample, weights, record.parameters.shape[0])
    summary["effective_runs_per_sample"] = per_sample
    if per_sample < FEW_PER_SAMPLE:
        summary["note"] = (
            f"about {per_sample:.1f} effective runs per parameter sample: chance can hide the "
            "parameters' spread, so an interval may shrink to its point ('spread unresolved'); "
            "fewer parameter samples (samples, --samples) give each more runs"
        )
    if ess < ENOUGH_EFFECTIVE:
        summary["warning"] = (
            f"effective sample size {ess:.0f} of the {runs:,} runs is under "
            f"{ENOUGH_EFFECTIVE:,}: the posterior rests on few runs; run more"
        )
    return Posterior(_resampled(record, chosen), summary)


def _method(model: CompiledModel, record: RunRecord, evidence: Evidence) -> str:
    """The method in words, with the refinements this evidence called on: a same-month
    trigger toward an event the evidence decides in a month its source may happen (not held
    absent then), and a walk's reading."""
    refined = []
    decided = (evidence.happened, evidence.absent, evidence.under_way)
    chained = any(
        lag == 0
        and any(target in found.get(month, {}) for found in decided)
        and event.index not in evidence.absent.get(month, {})
        for month in set().union(*decided)
        for event in model.events
        for target, _, lag in event.triggers
    )
    if chained:
        refined.append(
            "an event the evidence decides weighed by its same-month triggers' chances, not by "
            "their draws"
        )
    if record.proposal is not None:
        refined.append(
            "the month's step of a variable that moves by itself drawn toward its reading and "
            "weighed back"
        )
    said = f" ({'; '.join(refined)})" if refined else ""
    return (
        f"likelihood weighting with the observations clamped{said}, then systematic resampling "
        "of the runs (their parameter samples with them)"
    )


def _no_run_agrees(model: CompiledModel, loglik: Array, evidence: Evidence) -> str:
    """Why every run was weighed out, naming the observations: those that no run produces
    alone, or else the first that no run produces together with the ones before it; for an
    event seen to happen that has a precondition, the precondition and when it was read."""
    impossible = [int(item) for item in np.flatnonzero(~np.isfinite(loglik).any(axis=0))]
    if impossible:
        more = len(impossible) - MAX_NAMED
        named = "; ".join(evidence.items[item] for item in impossible[:MAX_NAMED])
        what = f"no run of the model produces {named}" + (f" (and {more} more)" if more > 0 else "")
    else:
        cumulative = np.cumsum(loglik, axis=1)
        impossible = [int(np.argmin(np.isfinite(cumulative).any(axis=0)))]
        what = (
            f"no run of the model produces {evidence.items[impossible[0]]} together with the "
            "observations before it"
        )
    as_of = model.scenario.as_of
    for month, seen in sorted(evidence.happened.items()):
        for column, item in seen.items():
            requires = model.scenario.event(model.events[column].id).requires
            if item == impossible[0] and requires is not None:
                what += (
                    f"; {model.events[column].id} requires {requires!r}, read at the start of "
                    f"its month ({month_start(as_of, month)} to {add_months(as_of, month)})"
                )
    return (
        f"no run agrees with the observations: {what} (check the events' hazards, "
        "preconditions, triggers and bounds, or mark covert events unobserved)"
    )


def _chances(record: RunRecord, evidence: Evidence, chosen: np.ndarray) -> list[float]:
    """The chance the model gave each piece of evidence, averaged over the posterior runs: low
    means it surprised the model. A measurement's weight is a density, not a chance (it passes 1
    for a precise one), so its chance is that of a reading within its ± sd (the engine's
    ``within``: with z the run's value's distance from the measurement in sd,
    Φ(|z| + 1) − Φ(|z| − 1), at most 0.68, mixed over the day as the density is)."""
    assert record.loglik is not None
    chances = np.exp(record.loglik[chosen]).mean(axis=0)
    for entries in evidence.measured.values():
        for measurement in entries:
            assert record.within is not None
            chances[measurement.item] = record.within[chosen, measurement.item].mean()
    return [float(chance) for chance in chances]


def _one_by_one(record: RunRecord, evidence: Evidence) -> list[tuple[float, float]]:
    """Each piece of evidence taken in turn, in the order listed: the chance the model gave it
    given only the pieces before it (over the runs as those weigh them: low means it surprised
    the model), and the effective runs left once it is weighed in too (where the runs run out,
    the model could hardly produce it). A measurement's chance is that of a reading within its
    ± sd, as in _chances. Weights are kept scaled by their largest, with its logarithm beside
    them, so that no product of many small chances underflows."""
    assert record.loglik is not None
    measured = {m.item for entries in evidence.measured.values() for m in entries}
    log_weight = np.zeros(record.loglik.shape[0])  # each run's, from the pieces so far
    weights, top = np.ones_like(log_weight), 0.0  # exp(log_weight − top), top its largest
    said = []
    # Some run agrees with every piece (condition() refuses the evidence otherwise), and so
    # with every piece up to each: the largest log weight stays finite.
    for item in range(record.loglik.shape[1]):
        log_weight = log_weight + record.loglik[:, item]
        new_top = float(log_weight.max())
        new_weights = np.exp(log_weight - new_top)
        total, new_total = weights.sum(), new_weights.sum()
        if item in measured:
            assert record.within is not None
            within = record.within[:, item]
            if record.proposal is not None:  # a step drawn toward the reading, weighed back
                within = within * np.exp(record.proposal[:, item])
            chance = float(weights @ within / total)
        else:
            chance = float(np.exp(np.log(new_total / total) + new_top - top))
        said.append((chance, float(new_total**2 / (new_weights**2).sum())))
        weights, top = new_weights, new_top
    return said


def _effective_runs_per_sample(sample: np.ndarray, weights: Array, samples: int) -> float:
    """Each parameter sample's effective runs (Σw)² / Σw², averaged over the samples as the
    posterior weighs them: how many runs of chance stand behind a sample's probability."""
    mass = np.bincount(sample, weights=weights, minlength=samples)
    # Scaled by each sample's largest weight, so that squaring a tiny weight cannot underflow.
    largest = np.zeros(samples)
    np.maximum.at(largest, sample, weights)
    scaled = weights / np.where(largest > 0, largest, 1.0)[sample]
    total = np.bincount(sample, weights=scaled, minlength=samples)
    squares = np.bincount(sample, weights=scaled**2, minlength=samples)
    present = mass > 0
    effective = total[present] ** 2 / squares[present]
    return float((mass[present] * effective).sum() / mass[present].sum())


def _resolved(model: CompiledModel, evidence: Evidence, in_words: bool = False) -> dict[str, str]:
    """Event questions the observations answer already: yes if the event was seen by the
    deadline; no if the deadline has passed, the event would have been seen by then (not covert,
    no doubtful report, its sources not ended before) and it was not. ``in_words``: the event by
    its label, for the reports' bottom line ("yes: “Militia attacks on US forces resume” on
    2025-06-01"). A question on the ladder's highest level, where an event seen lifted it into
    the top level: that level."""
    resolved = {}
    for question in model.scenario.questions:
        if question.variable == "ladder" and question.statistic == "max":
            top = _top_reached(model, evidence, question, in_words)
            if top is not None:
                resolved[question.id] = top
            continue
        if question.event is None:
            continue
        column = model.event_index(question.event)
        named = f"“{model.scenario.event(question.event).label}”" if in_words else question.event
        seen = evidence.first_seen.get(column)
        if seen is not None and seen[0] <= question.deadline:
            sighting = f"{named} on {seen[0]}" if in_words else evidence.items[seen[1]]
            resolved[question.id] = f"yes: {sighting}"
        elif question.deadline <= evidence.watched_until.get(column, dt.date.min):
            resolved[question.id] = f"no: {named} not seen by {question.deadline}"
    return resolved


def _top_reached(
    model: CompiledModel, evidence: Evidence, question: Question, in_words: bool
) -> str | None:
    """A question on the ladder's highest level that an event seen by its deadline lifted the
    ladder into its top level: the ladder only rises, so that is its answer ("us_in:
    us_strikes on 2025-06-22")."""
    # Without cuts each of the ladder's levels is one of the question's.
    top = question.cuts[-1] if question.cuts else len(question.levels) - 1
    sightings = []
    for event in model.scenario.events:
        seen = evidence.first_seen.get(model.event_index(event.id))
        rung = event.ladder
        if rung is not None and rung >= top and seen and seen[0] <= question.deadline:
            named = f"“{event.label}” on {seen[0]}" if in_words else evidence.items[seen[1]]
            sightings.append((seen[0], named))
    if not sightings:
        return None
    return f"{question.levels[-1].id}: {min(sightings)[1]}"


def _resampled(record: RunRecord, chosen: np.ndarray) -> RunRecord:
    # The fan rows of the chosen runs that kept one, in the resampled order, at most FAN_RUNS.
    position = np.full(len(record.sample), -1, dtype=np.int64)
    position[record.fan_run] = np.arange(len(record.fan_run))
    kept = position[chosen]
    new = np.flatnonzero(kept >= 0)[:FAN_RUNS]
    rows = kept[new]
    return replace(
        record,
        first=record.first[chosen],
        counts=record.counts[chosen],
        ladder_max=record.ladder_max[chosen],
        answers={question: answers[chosen] for question, answers in record.answers.items()},
        fan=record.fan[rows] if len(rows) else record.fan[:0],
        fan_sample=record.fan_sample[rows] if len(rows) else record.fan_sample[:0],
        fan_run=new.astype(np.int64),
        sample=record.sample[chosen],
        loglik=None,
        proposal=None,
        within=None,
        final=None if record.final is None else record.final[chosen],
        origin=chosen.astype(np.int64),
    )


def _parameters(model: CompiledModel, record: RunRecord, weights: Array) -> list[dict[str, Any]]:
    """Each uncertain parameter, named by its path and in words, with its prior and
    posterior: mean and 5th–95th percentiles."""
    from tightrope.dynamics.dependencies import parameter_labels

    labels = parameter_labels(model.scenario)
    samples = record.parameters.shape[0]
    by_sample = np.bincount(record.sample, weights=weights, minlength=samples).astype(float)
    result = []
    for index, parameter in enumerate(model.parameters):
        if not parameter.varies_by_sample:
            continue
        draws = record.parameters[:, index]
        result.append(
            {
                "parameter": parameter.path,
                "label": labels.get(parameter.path, parameter.path),
                "prior": _describe(draws, np.ones(samples, dtype=float)),
                "posterior": _describe(draws, by_sample),
            }
        )
    return result


def _describe(values: Array, weights: Array) -> dict[str, Any]:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) / weights.sum()
    low, high = (float(values[order][np.searchsorted(cumulative, q)]) for q in (0.05, 0.95))
    return {
        "mean": float(np.average(values, weights=weights)),
        "interval": [low, high],
    }
