"""From per-run records to what an analyst reads: probabilities with intervals, probabilities by
month, fan charts, the escalation reached, the usual sequences of events, the main drivers, and
what-if comparisons with their Monte Carlo error.

Runs are nested in parameter samples (an outer draw of every uncertain number, then runs of chance
given that draw), so two different uncertainties are reported:

* **Monte Carlo error** of a probability (and of a what-if difference) is the *clustered* standard
  error: runs that share a parameter sample are not independent, so the error comes from the
  spread of the per-sample means (the between-sample, "ultimate cluster" estimator; Cochran 1977,
  *Sampling Techniques*, §11.7). Treating every run as independent understates it 2–5 times.
* **The interval** is where the probability lies across the parameter uncertainty: the 5th and
  95th percentiles of a beta distribution fitted by moments to the per-sample probabilities after
  the binomial noise of each sample's own runs is removed from their variance (the
  beta-binomial method of moments; Kleinman 1973, *JASA* 68:46–54). With few runs per sample the
  raw percentiles would mostly measure that noise, and with many they move from seed to seed;
  the fitted endpoints are stable to about ±0.01 at the default design (5,000 samples × 40 runs).
  Samples weigh by their runs where their sizes differ (a subset given an event, a posterior),
  and a posterior's copies of one run count as one draw of chance.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tightrope._types import Array, Mask
from tightrope.dynamics.calendar import Deadline
from tightrope.dynamics.dependencies import parameter_labels, reachable_parameters
from tightrope.dynamics.engine import RunRecord, question_deadlines
from tightrope.dynamics.model import CompiledModel
from tightrope.scenario.checks import unreachable_levels
from tightrope.scenario.schema import Scenario

PERCENTILES = (5, 25, 50, 75, 95)
INTERVAL = (5, 95)
INTERVAL_MEANING = (
    "5th–95th percentile of the probability across the parameter uncertainty: a beta "
    "distribution fitted by moments to the per-sample probabilities, the binomial noise of each "
    "sample's runs removed"
)
MC_ERROR_MEANING = (
    "Monte Carlo standard error of the probability, clustered by parameter sample (runs that "
    "share a sample are not independent)"
)
INTERVAL_SE_MEANING = (
    "standard error of each end of the interval from seed to seed at this design: a bootstrap "
    "of 100 resamples of the parameter samples"
)


def summarise(
    model: CompiledModel,
    record: RunRecord,
    *,
    where: Mask | None = None,
    drivers: int = 5,
    outline: bool = False,
) -> dict[str, Any]:
    """The JSON-ready summary of the runs selected by ``where`` (all runs by default); in
    ``outline``, the questions alone (a forecast's what-changed steps read nothing else)."""
    where = np.ones(len(record.sample), dtype=bool) if where is None else where
    runs = int(where.sum())
    document: dict[str, Any] = {"runs": runs, "months": model.months}
    if runs == 0:
        document["note"] = "no run meets the condition"
        return document
    samples = record.parameters.shape[0]
    sample = record.sample[where]
    varying = _varying_reach(model, record)
    document["questions"] = {
        question.id: _question(
            model, record, question.id, where, sample, samples, varying[question.id]
        )
        for question in model.scenario.questions
    }
    if outline:
        return document
    first = record.first[where]
    document["events"] = {
        event.id: _event(model, record, event.id, first[:, event.index], where, sample, samples)
        for event in model.events
    }
    document["variables"] = _fans(model, record, where[record.fan_run])
    if model.coupling is not None:
        document["settlements"] = _fans(model, record, where[record.fan_run], settlements=True)
    ladder = record.ladder_max[where]
    levels = model.scenario.ladder.levels if model.scenario.ladder else ()
    reached = {
        level.id: clustered_mean((ladder == level.level).astype(float), sample, samples)
        for level in levels
    }
    document["ladder"] = {
        "max_level": {level: share for level, (share, _) in reached.items()},
        "mc_errors": {level: error for level, (_, error) in reached.items()},
    }
    document["sequences"] = _sequences(model, first, sample, samples)
    if drivers and samples >= 10 and where.all():
        document["drivers"] = _drivers(model, record, drivers)
    return document


def _varying_reach(model: CompiledModel, record: RunRecord) -> dict[str, bool]:
    """Whether a number that varies across the parameter samples has a path to each question.
    Where none does, the probability is the same in every sample: its interval is that point,
    exactly, not a spread to estimate from chance (which read as "spread unresolved")."""
    from tightrope.dynamics.dependencies import reachable_parameters

    varies = np.ptp(record.parameters, axis=0) > 0
    varying = {p.path for p, moves in zip(model.parameters, varies, strict=True) if moves}
    return {
        question: bool(varying & reaching)
        for question, reaching in reachable_parameters(model.scenario).items()
    }


def _question(
    model: CompiledModel,
    record: RunRecord,
    question_id: str,
    where: Mask,
    sample: NDArray[np.int32],
    samples: int,
    varying: bool = True,
) -> dict[str, Any]:
    question = model.scenario.question(question_id)
    answers = record.answers[question_id][where]
    origin = None if record.origin is None else record.origin[where]

    def interval_of(hits: Array, point: float) -> tuple[list[float], list[float]]:
        if not varying:
            return [point, point], [0.0, 0.0]
        return interval_with_error(hits, sample, samples, origin)

    if question.type == "binary":
        probability, error = clustered_mean(answers.astype(float), sample, samples)
        interval, ends = interval_of(answers.astype(float), probability)
        result: dict[str, Any] = {
            "probability": probability,
            "interval": interval,
            "interval_se": ends,
            "mc_error": error,
            **_answered(model, question_id),
            **({} if varying else {"uncertain_inputs": False}),
        }
        if question.event is not None:
            column = model.event_index(question.event)
            result["by_month"] = _cumulative(record.first[where][:, column], model.months)
        return result
    distribution, intervals, interval_errors, errors = {}, {}, {}, {}
    for index, level in enumerate(question.levels):
        hit = (answers == index).astype(float)
        distribution[level.id], errors[level.id] = clustered_mean(hit, sample, samples)
        intervals[level.id], interval_errors[level.id] = interval_of(hit, distribution[level.id])
    return {
        "distribution": distribution,
        "intervals": intervals,
        "interval_ses": interval_errors,
        "mc_errors": errors,
        **_answered(model, question_id),
        **({} if varying else {"uncertain_inputs": False}),
        **_unreachable(model.scenario, question_id),
    }


def _unreachable(scenario: Scenario, question_id: str) -> dict[str, Any]:
    """The levels no run can reach, with why: their 0% is the model's structure."""
    levels = unreachable_levels(scenario).get(question_id)
    return {"unreachable": levels} if levels else {}


def _event(
    model: CompiledModel,
    record: RunRecord,
    event_id: str,
    first: NDArray[np.int16],
    where: Mask,
    sample: NDArray[np.int32],
    samples: int,
) -> dict[str, Any]:
    """An event's chance over the simulation (with its clustered Monte Carlo error), by month,
    its mean count and, when it was elicited over a window, the chance over that window."""
    probability, error = clustered_mean((first > 0).astype(float), sample, samples)
    document = {
        "probability": probability,
        "mc_error": error,
        "by_month": _cumulative(first, model.months),
        "mean_count": float(record.counts[where][:, model.event_index(event_id)].mean()),
    }
    # Elicited as a chance over a window: that number (the chance when no modifier applies)
    # beside the implied chance over the same window, with modifiers and triggers at work.
    hazard = model.scenario.event(event_id).hazard
    window = hazard.months
    if hazard.probability is not None and window is not None and window <= model.months:
        happened = ((first > 0) & (first <= window)).astype(float)
        implied, implied_error = clustered_mean(happened, sample, samples)
        document["window"] = {
            "months": window,
            "elicited_without_modifiers": hazard.probability.estimate,
            "implied": implied,
            "implied_mc_error": implied_error,
        }
    return document


def _answered(model: CompiledModel, question_id: str) -> dict[str, Any]:
    """When the simulation answers the question: the month holding its deadline (an event in
    that month counts for the share of its days up to the deadline), or earlier if cut short."""
    deadline = model.scenario.question(question_id).deadline
    wanted = Deadline.of(model.scenario.as_of, deadline)
    used = question_deadlines(model)[question_id]
    answered: dict[str, Any] = {"answered_at": {"month": used.month, "share": used.share}}
    if used != wanted:
        answered["note"] = (
            f"answered at the end of month {used.month}, before its deadline {deadline} "
            f"(month {wanted.month}): the simulation was asked to stop there"
        )
    return answered


def per_sample_means(values: Array, sample: NDArray[np.int32], samples: int) -> Array:
    """The mean of values within each parameter sample (samples without runs are left out)."""
    sums = np.bincount(sample, weights=values, minlength=samples)
    counts = np.bincount(sample, minlength=samples)
    present = counts > 0
    return np.asarray(sums[present] / counts[present])


def clustered_mean(values: Array, sample: NDArray[np.int32], samples: int) -> tuple[float, float]:
    """The mean of per-run values and its standard error clustered by parameter sample (the
    ratio estimator's between-cluster variance; with equal runs per sample it is the standard
    deviation of the per-sample means over √samples). One sample: the runs' own error."""
    mean = float(values.mean())
    counts = np.bincount(sample, minlength=samples).astype(float)
    present = counts > 0
    clusters = int(present.sum())
    if clusters < 2:
        return mean, float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0
    sums = np.bincount(sample, weights=values, minlength=samples)[present]
    residual = sums - mean * counts[present]
    variance = clusters / (clusters - 1) * float(np.sum(residual**2)) / len(values) ** 2
    return mean, float(np.sqrt(variance))


def clustered_difference(
    before: Array,
    before_sample: NDArray[np.int32],
    after: Array,
    after_sample: NDArray[np.int32],
    samples: int,
) -> float:
    """The standard error of mean(after) − mean(before) for two sets of runs drawn from the same
    parameter samples but not paired run by run (two conditioned forecasts, each resampled):
    clustered by sample, from the spread of each sample's share of the difference (each set's
    ratio-estimator residual, as in :func:`clustered_mean`)."""

    def shares(values: Array, sample: NDArray[np.int32]) -> tuple[Array, Mask]:
        counts = np.bincount(sample, minlength=samples)
        sums = np.bincount(sample, weights=values, minlength=samples)
        return (sums - values.mean() * counts) / len(values), counts > 0

    was, seen_before = shares(before, before_sample)
    now, seen_after = shares(after, after_sample)
    present = seen_before | seen_after
    clusters = int(present.sum())
    if clusters < 2:
        return 0.0
    residual = (now - was)[present]
    return float(np.sqrt(clusters / (clusters - 1) * np.sum(residual**2)))


def between_sample_interval(
    hits: Array,
    sample: NDArray[np.int32],
    samples: int,
    origin: NDArray[np.int64] | None = None,
) -> list[float]:
    """The 5th–95th percentile of a 0/1 outcome's probability across parameter samples: a beta
    fitted by moments to the per-sample means, their binomial noise removed (see the module
    docstring). No spread left once the noise is removed gives a zero-width interval.

    Samples may hold different numbers of runs (a subset given an event; a posterior, whose
    resampling copies the runs it keeps: ``origin`` names the run each row copies). Each
    sample's mean then weighs by its runs, and its binomial noise is p(1 − p)·S, S the sum of
    its distinct runs' squared shares of it (1/n for n distinct runs). With p(1 − p) averaged
    over the samples as μ(1 − μ) − V, the weighted variance T of the means is V + (μ(1 − μ) − V)·S̄,
    which gives the between-sample variance V (Kleinman 1973's weighted moments)."""
    return _interval(_per_sample(hits, sample, samples, origin))


BOOTSTRAP_RESAMPLES = 100


def interval_with_error(
    hits: Array,
    sample: NDArray[np.int32],
    samples: int,
    origin: NDArray[np.int64] | None = None,
) -> tuple[list[float], list[float]]:
    """:func:`between_sample_interval`, and the standard error of each of its ends: how far it
    moves from seed to seed at this design. A bootstrap over the parameter samples (each keeps
    its runs), its resamples drawn with a fixed seed, so the same runs always give the same
    error; the moment fit is too far from linear near a zero spread for the delta method."""
    columns = _per_sample(hits, sample, samples, origin)
    interval = _interval(columns)
    if len(columns) < 2:
        return interval, [0.0, 0.0]
    # The spread cannot be negative, so an estimate below zero gives a point; a bootstrap
    # centred there would take the point for steady however far below zero chance put the
    # estimate. Centred on the spread as reported (zero), it sees the spreads as near it as the
    # estimate's own error (the bootstrap at a boundary; Andrews 2000, Econometrica 68:399–405).
    _, between, _ = _moments(np.ones((1, len(columns))) @ columns)
    shift = max(0.0, -float(between[0]))
    ends = [
        np.stack(_fitted(times @ columns, shift), axis=1)
        for times in _resampled_times(len(columns))
    ]
    errors = np.concatenate(ends).std(axis=0, ddof=1)
    return interval, [float(errors[0]), float(errors[1])]


def _interval(columns: Array) -> list[float]:
    """The fitted interval of all samples once (no bootstrap)."""
    low, high = _fitted(np.ones((1, len(columns))) @ columns)
    return [float(low[0]), float(high[0])]


def _resampled_times(present: int) -> Iterable[Array]:
    """How many times each of ``present`` samples is drawn in each bootstrap resample, in
    blocks of resamples of a few megabytes; the same blocks for the same number of samples,
    kept for the next question where they take 16 MB at most."""
    if present * BOOTSTRAP_RESAMPLES <= 2_000_000:
        return _kept_times(present)
    return _times(present)


@functools.lru_cache(maxsize=2)
def _kept_times(present: int) -> tuple[Array, ...]:
    blocks = tuple(_times(present))
    for block in blocks:
        block.flags.writeable = False
    return blocks


def _times(present: int) -> Iterator[Array]:
    rng = np.random.default_rng(0)
    rows = max(1, 250_000 // present)
    for start in range(0, BOOTSTRAP_RESAMPLES, rows):
        drawn = rng.integers(0, present, (min(rows, BOOTSTRAP_RESAMPLES - start), present))
        offsets = np.arange(len(drawn))[:, None] * present
        times = np.bincount((drawn + offsets).ravel(), minlength=drawn.size)
        yield times.reshape(len(drawn), present).astype(float)


def _per_sample(
    hits: Array, sample: NDArray[np.int32], samples: int, origin: NDArray[np.int64] | None
) -> Array:
    """Per sample (those with runs): its runs n, n·mean, n·mean², n² and n·S, S the sum of its
    distinct runs' squared shares; a resample's moments are sums of these columns."""
    counts = np.bincount(sample, minlength=samples).astype(float)
    present = counts > 0
    n = counts[present]
    means = np.bincount(sample, weights=hits, minlength=samples)[present] / n
    if origin is None:
        squared_shares = 1.0 / n
    else:
        copies = np.bincount(origin)
        kept = np.flatnonzero(copies)
        owners = sample[np.unique(origin, return_index=True)[1]]
        squared = np.bincount(owners, weights=copies[kept] ** 2.0, minlength=samples)
        squared_shares = squared[present] / n**2
    return np.stack([n, n * means, n * means**2, n**2, n * squared_shares], axis=1)


def _fitted(sums: Array, shift: float = 0.0) -> tuple[Array, Array]:
    """The fitted interval's ends for each row of summed per-sample columns (all samples once,
    or one row per bootstrap resample), as :func:`between_sample_interval` describes; ``shift``
    is added to each row's between-sample variance before it is fitted."""
    from scipy import special  # the beta quantile without scipy.stats, which takes 0.3 s to load

    mean, between, several = _moments(sums)
    spread = mean * (1 - mean)
    between = np.minimum(between + shift, 0.999 * spread)
    point = (between <= 1e-12) | ~several
    concentration = np.where(point, 1.0, spread / np.where(point, 1.0, between) - 1)
    shape_a = np.where(point, 1.0, mean * concentration)
    shape_b = np.where(point, 1.0, (1 - mean) * concentration)
    low = special.betaincinv(shape_a, shape_b, INTERVAL[0] / 100)
    high = special.betaincinv(shape_a, shape_b, INTERVAL[1] / 100)
    return np.where(point, mean, low), np.where(point, mean, high)


def _moments(sums: Array) -> tuple[Array, Array, Mask]:
    """Each row's mean, between-sample variance (negative where chance alone spreads the
    samples more than they are spread) and whether it has more than one sample."""
    runs = sums[:, 0]
    mean = np.clip(sums[:, 1] / runs, 0.0, 1.0)
    squared_weights = sums[:, 3] / runs**2
    several = squared_weights < 1.0  # more than one sample: a spread to measure
    total = np.maximum(sums[:, 2] / runs - mean**2, 0.0) / np.where(
        several, 1.0 - squared_weights, 1.0
    )
    noise_share = sums[:, 4] / runs
    spread = mean * (1 - mean)
    # With one distinct run per sample, chance and the parameters cannot be told apart.
    unseparated = noise_share >= 1.0
    separated = (total - spread * noise_share) / np.where(unseparated, 1.0, 1.0 - noise_share)
    return mean, np.where(unseparated, total, separated), several


def _cumulative(first: NDArray[np.int16], months: int) -> list[float]:
    happened = first[first > 0]
    counts = np.bincount(happened, minlength=months + 1)[1 : months + 1]
    return [float(value) for value in np.cumsum(counts) / len(first)]


def _fans(
    model: CompiledModel, record: RunRecord, where: Mask, *, settlements: bool = False
) -> dict[str, Any]:
    """Percentiles by month of the fan runs selected by ``where`` (one flag per fan run): of the
    state variables, or with ``settlements`` of where each issue settles (coupled scenarios)."""
    fan = record.fan[where] if where.any() and not where.all() else record.fan
    if settlements:
        issues = {issue.id: issue.label for issue in model.scenario.issues}
        columns = [
            (model.fan_column(name), name.removeprefix("settlement:"))
            for name in model.variables
            if name.startswith("settlement:")
        ]
        deciders = {
            issue.id: " and ".join(model.scenario.actor(a).name for a in issue.decided_by)
            for issue in model.scenario.issues
            if issue.decided_by
        }
        labels = {
            name: f"{issues[name]}: "
            + (f"as {deciders[name]} sets it" if name in deciders else "settlement")
            + " (0–100)"
            for _, name in columns
        }
    else:
        columns = [(column, variable.id) for column, variable in enumerate(model.scenario.state)]
        labels = {variable.id: variable.label for variable in model.scenario.state}
    # All columns in one pass (each column's percentiles depend on that column alone), in
    # double precision.
    chosen = fan[:, :, [column for column, _ in columns]].astype(float)
    table = np.percentile(chosen, PERCENTILES, axis=0)
    result = {}
    for position, (_, name) in enumerate(columns):
        values = table[:, :, position]
        result[name] = {
            "label": labels[name],
            "percentiles": {
                f"p{p}": [float(v) for v in row] for p, row in zip(PERCENTILES, values, strict=True)
            },
            "runs": len(fan),
        }
    return result


def _sequences(
    model: CompiledModel,
    first: NDArray[np.int16],
    sample: NDArray[np.int32],
    samples: int,
    top: int = 10,
) -> list[dict[str, Any]]:
    """The most frequent orders in which events first happened (up to six events), each with
    its share of the runs and that share's clustered Monte Carlo error."""
    events = first.shape[1]
    months = np.where(first > 0, first, np.iinfo(np.int16).max).astype(np.int64)
    # Each (month, event) as one number, earliest smallest; the same month: the first event.
    order = np.argsort(months * events + np.arange(events)[None, :], axis=1)[:, :6]
    happened = np.take_along_axis(first > 0, order, axis=1)
    codes = np.where(happened, order + 1, 0)
    # Group equal rows by sorting them (a Counter over 200,000 tuples took 0.1 s): each group's
    # size, and the run where it first occurs.
    by_row = np.lexsort(codes.T[::-1]) if codes.shape[1] else np.arange(len(codes))
    ordered = codes[by_row]
    starts = np.flatnonzero(np.r_[True, np.any(ordered[1:] != ordered[:-1], axis=1)])
    counts = np.diff(np.r_[starts, len(codes)])
    first_seen = np.minimum.reduceat(by_row, starts)
    keys = ordered[starts]
    # Most frequent first; ties in the order they first occur (as Counter.most_common gives).
    ranked = np.lexsort((first_seen, -counts))[:top]
    group = np.empty(len(codes), dtype=np.int64)  # each run's sequence
    group[by_row] = np.repeat(np.arange(len(starts)), counts)
    names = [event.id for event in model.events]
    found = []
    for row in ranked:
        share, error = clustered_mean((group == row).astype(float), sample, samples)
        events = [names[code - 1] for code in keys[row].tolist() if code]
        found.append({"events": events, "share": share, "mc_error": error})
    return found


def _drivers(model: CompiledModel, record: RunRecord, top: int) -> dict[str, list[dict[str, Any]]]:
    """Which uncertain parameters move each question most: standardized rank regression
    coefficients (SRRC; Iman & Conover 1979, *Technometrics* 21:499–509; Saltelli et al. 2008,
    *Global Sensitivity Analysis: The Primer*, §1.2) of the question's probability across
    parameter samples on all the parameters with a path to it, each with its standard error.

    A coefficient measures a parameter's effect with the others held fixed, so the others'
    effects do not count as its noise: at the default 5,000 samples its standard error is about
    0.01, against 0.014 for a rank correlation. Parameters without a path to the question in the
    model's dependency graph are never in the regression. The list runs down the ranking to its
    last clear break: the listed driver with the smallest effect stands above the next one by
    ``BREAK_Z`` standard errors of their difference, and is at least ``LEADING_SHARE`` of the
    leading effect. Where effects form a continuum, a cut inside it moves from seed to seed; a
    cut at a clear break does not (benchmarks/drivers.py)."""
    samples = record.parameters.shape[0]
    present = np.bincount(record.sample, minlength=samples) > 0  # resampling may drop some
    reachable = reachable_parameters(model.scenario)
    labels = parameter_labels(model.scenario)
    varied = [
        index
        for index, parameter in enumerate(model.parameters)
        if parameter.varies_by_sample and np.ptp(record.parameters[present, index]) > 0
    ]
    ranks = _standardized(average_ranks(record.parameters[present][:, varied])) if varied else None
    result: dict[str, list[dict[str, Any]]] = {}
    for question in model.scenario.questions:
        answers = record.answers[question.id].astype(float)
        if question.type == "ordinal":
            answers = answers / max(1, len(question.levels) - 1)  # mean level, scaled to 0–1
        outcome = per_sample_means(answers, record.sample, samples)
        columns = [
            position
            for position, index in enumerate(varied)
            if model.parameters[index].path in reachable[question.id]
        ]
        # Under 10 residual degrees of freedom, a regression's standard errors are unusable.
        too_few = len(outcome) - len(columns) - 1 < 10
        if ranks is None or not columns or np.ptp(outcome) == 0 or too_few:
            result[question.id] = []
            continue
        effect, covariance = rank_regression(ranks[:, columns], average_ranks(outcome))
        listed = clear_leaders(effect, covariance, top)
        error = np.sqrt(np.diag(covariance))
        result[question.id] = [
            {
                "parameter": path,
                "label": labels.get(path, path),
                "rank_regression": float(effect[k]),
                "standard_error": float(error[k]),
            }
            for k in listed
            for path in [model.parameters[varied[columns[k]]].path]
        ]
    return result


# Chosen by the stability of the built-in case's lists over seeds 0–47 and checked on seeds
# 48–71 (benchmarks/drivers.py): at 3 or 4 standard errors a break moved between seeds, and at a
# 30 % floor one driver sat on the floor itself.
LEADING_SHARE = 0.25  # a driver listed has at least a quarter of the leading driver's effect
BREAK_Z = 5.0  # a clear break in the ranking, in standard errors of the difference
DRIVERS_MEANING = (
    "standardized rank regression coefficient (SRRC) of the question's probability across "
    "parameter samples on every parameter with a path to the question, with its standard error; "
    "listed down the ranking to its last clear break (the smallest listed effect exceeds the next "
    f"by {BREAK_Z:g} standard errors of the difference) and at least {LEADING_SHARE:.0%} of the "
    "leading effect. Monotone effects only: interactions and non-monotone effects are missed"
)


def average_ranks(values: Array) -> Array:
    """Ranks from 1 along the first axis, ties sharing their average rank: what
    ``scipy.stats.rankdata`` gives, written here because scipy.stats takes 0.3 s to import,
    a sixth of a whole ``simulate`` command."""
    table = values.reshape(len(values), -1)
    ranks = np.empty(table.shape)
    for column in range(table.shape[1]):
        _, group, size = np.unique(table[:, column], return_inverse=True, return_counts=True)
        ranks[:, column] = (np.cumsum(size) - (size - 1) / 2)[group]
    return ranks.reshape(values.shape)


def _standardized(table: Array) -> Array:
    """Each column centred and scaled to unit standard deviation."""
    centred = table - table.mean(axis=0)
    return np.asarray(centred / centred.std(axis=0))


def rank_regression(parameter_ranks: Array, outcome_ranks: Array) -> tuple[Array, Array]:
    """Least squares of the standardized outcome ranks on the standardized parameter ranks
    (columns of ``parameter_ranks``, already standardized): the coefficients and their
    covariance σ² (XᵀX)⁻¹, σ² the residual variance on n − p − 1 degrees of freedom."""
    y = _standardized(outcome_ranks.reshape(-1, 1))[:, 0]
    count, width = parameter_ranks.shape
    gram = parameter_ranks.T @ parameter_ranks
    inverse = np.linalg.pinv(gram)  # pinv: two parameters drawn identically are not an error
    effect = inverse @ (parameter_ranks.T @ y)
    residual = y - parameter_ranks @ effect
    variance = float(residual @ residual) / (count - width - 1)
    return effect, variance * inverse


def clear_leaders(effect: Array, covariance: Array, top: int) -> list[int]:
    """The columns listed as drivers, strongest first: the leading ones down to the last clear
    break among the first ``top``. A break after the k-th strongest counts when |b_k| − |b_k+1|
    exceeds ``BREAK_Z`` standard errors of that difference and |b_k| is at least
    ``LEADING_SHARE`` of the leading |b|; the last column breaks against zero."""
    size = np.abs(effect)
    order = np.argsort(-size, kind="stable")
    listed = 0
    for k in range(min(top, len(order))):
        this = order[k]
        if size[this] < LEADING_SHARE * size[order[0]] or size[this] == 0:
            break
        if k + 1 < len(order):
            after = order[k + 1]
            same_sign = np.sign(effect[this]) * np.sign(effect[after])
            variance = (
                covariance[this, this]
                + covariance[after, after]
                - 2 * same_sign * covariance[this, after]
            )
            gap = size[this] - size[after]
        else:
            variance, gap = covariance[this, this], size[this]
        if gap > BREAK_Z * np.sqrt(max(variance, 0.0)):
            listed = k + 1
    return [int(column) for column in order[:listed]]


def comparison_rows(comparison: dict[str, Any]) -> list[dict[str, Any]]:
    """``compare``'s document as rows: one per binary question (level None) and one per level
    of an ordinal question, each with its baseline, what-if, difference and standard error."""
    return [
        {"question": question, "level": level, **row}
        for question, entry in comparison.items()
        for level, row in (entry.items() if "baseline" not in entry else [(None, entry)])
    ]


def compare(model: CompiledModel, baseline: RunRecord, what_if: RunRecord) -> dict[str, Any]:
    """Baseline and what-if side by side, per question, with the Monte Carlo standard error of
    the difference: the runs are paired (same seed, same streams) and clustered by parameter
    sample, so the error comes from the spread of the per-sample mean differences."""
    if not np.array_equal(baseline.sample, what_if.sample):
        raise RuntimeError("a what-if is compared only with the baseline runs it is paired with")
    samples = baseline.parameters.shape[0]

    def side_by_side(before: Array, after: Array) -> dict[str, float]:
        difference, error = clustered_mean(after - before, baseline.sample, samples)
        return {
            "baseline": float(before.mean()),
            "what_if": float(after.mean()),
            "difference": difference,
            "se": error,
        }

    comparison: dict[str, Any] = {}
    for question in model.scenario.questions:
        before = baseline.answers[question.id]
        after = what_if.answers[question.id]
        if question.type == "binary":
            comparison[question.id] = side_by_side(before.astype(float), after.astype(float))
        else:
            comparison[question.id] = {
                level.id: side_by_side(
                    (before == index).astype(float), (after == index).astype(float)
                )
                for index, level in enumerate(question.levels)
            }
    return comparison
