"""From per-run records to what an analyst reads: probabilities with intervals, probabilities by
month, fan charts, the escalation reached, the usual sequences of events, the main drivers, and
what-if comparisons with their Monte Carlo error."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tightrope.dynamics.engine import RunRecord
from tightrope.dynamics.model import CompiledModel

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]

PERCENTILES = (5, 25, 50, 75, 95)
INTERVAL = (5, 95)


def summarise(
    model: CompiledModel, record: RunRecord, *, where: Mask | None = None, drivers: int = 5
) -> dict[str, Any]:
    """The JSON-ready summary of the runs selected by ``where`` (all runs by default)."""
    where = np.ones(len(record.sample), dtype=bool) if where is None else where
    runs = int(where.sum())
    document: dict[str, Any] = {"runs": runs, "months": model.months}
    if runs == 0:
        document["note"] = "no run meets the condition"
        return document
    samples = record.parameters.shape[0]
    sample = record.sample[where]
    document["questions"] = {
        question.id: _question(model, record, question.id, where, sample, samples)
        for question in model.scenario.questions
    }
    first = record.first[where]
    document["events"] = {
        event.id: {
            "probability": float((first[:, event.index] > 0).mean()),
            "by_month": _cumulative(first[:, event.index], model.months),
            "mean_count": float(record.counts[where][:, event.index].mean()),
        }
        for event in model.events
    }
    document["variables"] = _fans(model, record, where[record.fan_run])
    ladder = record.ladder_max[where]
    levels = model.scenario.ladder.levels if model.scenario.ladder else ()
    document["ladder"] = {
        "max_level": {level.id: float((ladder == level.level).mean()) for level in levels}
    }
    document["sequences"] = _sequences(model, first)
    if drivers and samples >= 10 and where.all():
        document["drivers"] = _drivers(model, record, drivers)
    return document


def _question(
    model: CompiledModel,
    record: RunRecord,
    question_id: str,
    where: Mask,
    sample: NDArray[np.int32],
    samples: int,
) -> dict[str, Any]:
    question = model.scenario.question(question_id)
    answers = record.answers[question_id][where]
    if question.type == "binary":
        probability = float(answers.mean())
        per_sample = _per_sample(answers.astype(float), sample, samples)
        result: dict[str, Any] = {
            "probability": probability,
            "interval": _interval(per_sample),
            "mc_error": float(np.sqrt(probability * (1 - probability) / len(answers))),
        }
        if question.event is not None:
            column = model.event_index(question.event)
            result["by_month"] = _cumulative(record.first[where][:, column], model.months)
        return result
    levels = [level.id for level in question.levels]
    distribution = {}
    intervals = {}
    for index, level in enumerate(levels):
        hit = (answers == index).astype(float)
        distribution[level] = float(hit.mean())
        intervals[level] = _interval(_per_sample(hit, sample, samples))
    return {"distribution": distribution, "intervals": intervals}


def _per_sample(values: Array, sample: NDArray[np.int32], samples: int) -> Array:
    """The mean of values within each parameter sample (samples without runs are left out)."""
    sums = np.bincount(sample, weights=values, minlength=samples)
    counts = np.bincount(sample, minlength=samples)
    present = counts > 0
    return np.asarray(sums[present] / counts[present])


def _interval(values: Array) -> list[float]:
    low, high = np.percentile(values, INTERVAL)
    return [float(low), float(high)]


def _cumulative(first: NDArray[np.int16], months: int) -> list[float]:
    happened = first[first > 0]
    counts = np.bincount(happened, minlength=months + 1)[1 : months + 1]
    return [float(value) for value in np.cumsum(counts) / len(first)]


def _fans(model: CompiledModel, record: RunRecord, where: Mask) -> dict[str, Any]:
    """Percentiles by month of the fan runs selected by ``where`` (one flag per fan run)."""
    fan = record.fan[where] if where.any() else record.fan
    result = {}
    for column, variable in enumerate(model.variables):
        values = np.percentile(fan[:, :, column], PERCENTILES, axis=0)
        result[variable] = {
            "label": model.scenario.state[column].label,
            "percentiles": {
                f"p{p}": [float(v) for v in row] for p, row in zip(PERCENTILES, values, strict=True)
            },
            "runs": len(fan),
        }
    return result


def _sequences(
    model: CompiledModel, first: NDArray[np.int16], top: int = 10
) -> list[dict[str, Any]]:
    """The most frequent orders in which events first happened (up to six events)."""
    months = np.where(first > 0, first, np.iinfo(np.int16).max).astype(np.int64)
    order = np.argsort(months * 64 + np.arange(first.shape[1])[None, :], axis=1)[:, :6]
    happened = np.take_along_axis(first > 0, order, axis=1)
    codes = np.where(happened, order + 1, 0)
    keys = Counter(map(tuple, codes.tolist()))
    total = len(first)
    names = [event.id for event in model.events]
    return [
        {"events": [names[code - 1] for code in key if code], "share": count / total}
        for key, count in keys.most_common(top)
    ]


def _drivers(model: CompiledModel, record: RunRecord, top: int) -> dict[str, list[dict[str, Any]]]:
    """Which uncertain parameters move each question most: Spearman rank correlation between a
    parameter's draws and the question's probability across parameter samples (a screen)."""
    from scipy import stats  # slow to import; only needed here

    samples = record.parameters.shape[0]
    uncertain = [
        index
        for index, parameter in enumerate(model.parameters)
        if parameter.quantity.is_uncertain and np.ptp(record.parameters[:, index]) > 0
    ]
    result: dict[str, list[dict[str, Any]]] = {}
    for question in model.scenario.questions:
        answers = record.answers[question.id].astype(float)
        if question.type == "ordinal":
            answers = answers / max(1, len(question.levels) - 1)  # mean level, scaled to 0–1
        outcome = _per_sample(answers, record.sample, samples)
        present = np.bincount(record.sample, minlength=samples) > 0  # resampling may drop some
        if np.ptp(outcome) == 0 or len(uncertain) == 0:
            result[question.id] = []
            continue
        ranked = []
        for index in uncertain:
            rho = stats.spearmanr(record.parameters[present, index], outcome).statistic
            if np.isfinite(rho):
                ranked.append((abs(float(rho)), float(rho), model.parameters[index].path))
        ranked.sort(reverse=True)
        result[question.id] = [
            {"parameter": path, "rank_correlation": rho} for _, rho, path in ranked[:top]
        ]
    return result


def compare(model: CompiledModel, baseline: RunRecord, what_if: RunRecord) -> dict[str, Any]:
    """Baseline and what-if side by side, per question, with the Monte Carlo standard error of
    the difference (the runs are paired: same seed, same streams)."""
    comparison: dict[str, Any] = {}
    for question in model.scenario.questions:
        before = baseline.answers[question.id].astype(float)
        after = what_if.answers[question.id].astype(float)
        if question.type == "binary":
            difference = after - before
            comparison[question.id] = {
                "baseline": float(before.mean()),
                "what_if": float(after.mean()),
                "difference": float(difference.mean()),
                "se": float(difference.std(ddof=1) / np.sqrt(len(difference))),
            }
        else:
            levels = {}
            for index, level in enumerate(question.levels):
                b, a = (before == index).astype(float), (after == index).astype(float)
                levels[level.id] = {
                    "baseline": float(b.mean()),
                    "what_if": float(a.mean()),
                    "difference": float((a - b).mean()),
                    "se": float((a - b).std(ddof=1) / np.sqrt(len(a))),
                }
            comparison[question.id] = levels
    return comparison
